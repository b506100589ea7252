// SPDX-License-Identifier: MIT OR Apache-2.0
//! Behaviour the kernel decides, checked against the kernel: each filter is loaded in a forked
//! child, which makes the syscall; the parent checks the errno, signal or log record.

mod common;

use common::{filter, in_child, logged_in_child, outcome_of, raw_syscall, Outcome};
use sysfence::Arch;

const NO_GETPID: &str =
    r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#;

#[test]
fn errno_action_fails_the_call_with_that_errno() {
    let f = filter(NO_GETPID);
    assert_eq!(
        outcome_of(&f, "getppid", [0; 6]),
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    // A syscall no rule names runs.
    assert_eq!(
        outcome_of(&f, "getuid", [0; 6]),
        Outcome::Returned { errno: 0 }
    );
}

#[test]
fn kill_process_and_trap_deliver_sigsys() {
    for action in ["kill_process", "kill_thread", "trap"] {
        let f = filter(&format!(
            r#"{{"default_action":"allow","rules":[{{"action":"{action}","syscalls":["getppid"]}}]}}"#
        ));
        assert_eq!(
            outcome_of(&f, "getppid", [0; 6]),
            Outcome::Signal(libc::SIGSYS),
            "{action}"
        );
    }
}

#[test]
fn deny_by_default_allows_only_what_is_listed() {
    let f = filter(
        r#"{"default_action":"errno:ENOSYS","rules":[{"action":"allow","syscalls":["exit","exit_group","getppid"]}]}"#,
    );
    assert_eq!(
        outcome_of(&f, "getppid", [0; 6]),
        Outcome::Returned { errno: 0 }
    );
    assert_eq!(
        outcome_of(&f, "getuid", [0; 6]),
        Outcome::Returned {
            errno: libc::ENOSYS
        }
    );
}

#[test]
fn argument_rules_compare_full_64_bit_values() {
    // Refuse dup(fd) only for one 64-bit value whose low half is 0: a 32-bit compare would
    // refuse dup(0) too.
    let f = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["dup"],
            "args":[{"index":0,"op":"eq","value":"0x100000000"}]}]}"#,
    );
    assert_eq!(
        outcome_of(&f, "dup", [0x1_0000_0000, 0, 0, 0, 0, 0]),
        Outcome::Returned { errno: libc::EPERM }
    );
    assert_eq!(
        outcome_of(&f, "dup", [0, 0, 0, 0, 0, 0]),
        Outcome::Returned { errno: 0 }
    );
    let masked = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["clone"],
            "args":[{"index":0,"op":"masked_eq","mask":65536,"value":0}]}]}"#,
    );
    // clone(flags=SIGCHLD) is a fork: refused. (The call never runs, so no child appears.)
    assert_eq!(
        outcome_of(&masked, "clone", [libc::SIGCHLD as u64, 0, 0, 0, 0, 0]),
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
}

#[test]
fn no_exec_preset_refuses_execve_with_eacces() {
    let f = sysfence::Policy::preset("no-exec")
        .unwrap()
        .compile()
        .unwrap();
    let path = c"/bin/true";
    let argv = [path.as_ptr(), std::ptr::null()];
    let (outcome, _) = in_child(&f, || {
        // SAFETY: valid NUL-terminated path and argv.
        unsafe { libc::execv(path.as_ptr(), argv.as_ptr()) };
        // SAFETY: errno of this thread.
        unsafe { *libc::__errno_location() }
    });
    assert_eq!(
        outcome,
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
}

/// i386 `execve(NULL, NULL, NULL)` through `int 0x80`; returns its errno.
#[cfg(target_arch = "x86_64")]
fn int80_execve_null() -> i32 {
    let rc: i32;
    // SAFETY: the compat entry checks the (null) pointers itself; rbx is saved around the call.
    unsafe {
        std::arch::asm!("push rbx", "xor ebx, ebx", "int 0x80", "pop rbx",
            inlateout("eax") 11i32 => rc, in("ecx") 0, in("edx") 0);
    }
    -rc
}

#[test]
#[cfg(target_arch = "x86_64")]
fn i386_int80_cannot_bypass_a_denylist() {
    // The denylist is native-only, default allow. An int 0x80 execve (i386 number 11) must
    // meet bad_arch_action (kill_process), not run.
    let f = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["execve"]}]}"#,
    );
    assert_eq!(
        in_child(&f, int80_execve_null).0,
        Outcome::Signal(libc::SIGSYS)
    );
    // Control: with bad_arch_action allow the same call reaches the kernel and fails with
    // EFAULT, so the test above can fail.
    let open = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["getppid"]}],"bad_arch_action":"allow"}"#,
    );
    assert_eq!(
        in_child(&open, int80_execve_null).0,
        Outcome::Returned {
            errno: libc::EFAULT
        }
    );
}

#[test]
#[cfg(target_arch = "x86_64")]
fn x32_syscall_numbers_meet_the_bad_arch_action() {
    let f = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["execve"]}]}"#,
    );
    // x32 execve is 520 | __X32_SYSCALL_BIT, arriving with the x86_64 audit arch.
    let nr = match sysfence::syscalls::resolve("execve", Arch::X32) {
        sysfence::syscalls::Resolution::Number(n) => n as i64,
        other => panic!("{other:?}"),
    };
    let (outcome, _) = in_child(&f, || raw_syscall(nr, [0; 6]));
    assert_eq!(outcome, Outcome::Signal(libc::SIGSYS));
    // And the simulator agrees with the kernel.
    let v = f.simulate("execve", &[], Some(Arch::X32)).unwrap();
    assert_eq!(v.action, sysfence::Action::KillProcess);
}

fn getppid() -> i32 {
    raw_syscall(libc::SYS_getppid, [0; 6])
}

#[test]
fn log_action_runs_the_call_and_the_kernel_logs_it() {
    let f =
        filter(r#"{"default_action":"allow","rules":[{"action":"log","syscalls":["getppid"]}]}"#);
    let (outcome, line) = logged_in_child(&f, getppid, &["syscall=110", "code=0x7ffc0000"]);
    assert_eq!(outcome, Outcome::Returned { errno: 0 });
    assert!(line.is_some(), "no seccomp log record");
}

#[test]
fn log_mode_lets_refused_calls_run_and_logs_them() {
    let f = filter(
        r#"{"default_action":"allow","mode":"log","rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#,
    );
    let (outcome, line) = logged_in_child(&f, getppid, &["syscall=110", "code=0x7ffc0000"]);
    assert_eq!(outcome, Outcome::Returned { errno: 0 });
    assert!(line.is_some(), "no log-mode record");
}

#[test]
fn errno_denials_are_logged_with_log_denied() {
    let f = filter(NO_GETPID);
    // The kernel prints the action without its data: errno is code=0x50000.
    let (outcome, line) = logged_in_child(&f, getppid, &["syscall=110", "code=0x50000"]);
    assert_eq!(
        outcome,
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    assert!(line.is_some(), "no errno record");
}

#[test]
fn simulator_predicts_what_the_kernel_does() {
    // log_denied off: these children need no audit records, and the kernel rate-limits them.
    let policies = [
        r#"{"default_action":"allow","log_denied":false,"rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#,
        r#"{"default_action":"errno:ENOSYS","log_denied":false,"rules":[{"action":"allow","syscalls":["exit","exit_group","getppid","dup"]},
            {"action":"errno:EPERM","syscalls":["getuid"]}]}"#,
        r#"{"default_action":"allow","log_denied":false,"rules":[{"action":"errno:EPERM","syscalls":["dup"],"args":[{"index":0,"op":"gt","value":1000}]},
            {"action":"trap","syscalls":["getgid"]}]}"#,
    ];
    let cases: [(&str, [u64; 6]); 6] = [
        ("getppid", [0; 6]),
        ("getuid", [0; 6]),
        ("getgid", [0; 6]),
        ("dup", [0; 6]),
        ("dup", [5000, 0, 0, 0, 0, 0]),
        ("getpid", [0; 6]),
    ];
    for p in policies {
        let f = filter(p);
        for (name, args) in cases {
            let predicted = f.simulate(name, &args, None).unwrap().action;
            let actual = outcome_of(&f, name, args);
            let expected = match predicted {
                sysfence::Action::Allow | sysfence::Action::Log => Outcome::Returned {
                    errno: actual_success_errno(name, args),
                },
                sysfence::Action::Errno(e) => Outcome::Returned {
                    errno: i32::from(e),
                },
                sysfence::Action::KillProcess
                | sysfence::Action::KillThread
                | sysfence::Action::Trap => Outcome::Signal(libc::SIGSYS),
                other => panic!("unexpected {other}"),
            };
            assert_eq!(
                actual, expected,
                "{p}: {name}{args:?} predicted {predicted}"
            );
        }
    }
}

/// What an allowed call returns by itself: dup of a descriptor that is not open is EBADF.
fn actual_success_errno(name: &str, args: [u64; 6]) -> i32 {
    if name == "dup" && args[0] > 2 {
        libc::EBADF
    } else {
        0
    }
}

#[test]
fn tsync_covers_threads_that_already_run() {
    // Runs in a fresh copy of this test binary (never the runner's own process).
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["--exact", "tsync_child", "--nocapture", "--include-ignored"])
        .env("SYSFENCE_TSYNC_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("thread-errno=13"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "run by tsync_covers_threads_that_already_run in a separate process"]
fn tsync_child() {
    if std::env::var_os("SYSFENCE_TSYNC_CHILD").is_none() {
        return;
    }
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        ready_tx.send(()).unwrap();
        go_rx.recv().unwrap();
        raw_syscall(libc::SYS_getppid, [0; 6])
    });
    ready_rx.recv().unwrap();
    sysfence::apply_policy(&sysfence::Policy::from_json(NO_GETPID).unwrap()).unwrap();
    go_tx.send(()).unwrap();
    let errno = worker.join().unwrap();
    println!("thread-errno={errno}");
}

/// Docker's default profile, imported (the docker-default preset), loaded: the kernel gives
/// what runc's filter gives (moby's profile notes, cli/tests/containers.rs compares with runc).
#[test]
fn docker_default_profile_imported_decides_in_the_kernel_as_runc() {
    let f = sysfence::Policy::preset("docker-default")
        .unwrap()
        .compile()
        .unwrap();
    let ret = |name: &str, args: [u64; 6]| outcome_of(&f, name, args);
    let errno = |e: i32| Outcome::Returned { errno: e };
    assert_eq!(ret("personality", [1, 0, 0, 0, 0, 0]), errno(libc::EPERM));
    assert_eq!(
        ret("personality", [0x1_0000_0000, 0, 0, 0, 0, 0]),
        errno(libc::EPERM)
    );
    assert_eq!(ret("personality", [0xffff_ffff, 0, 0, 0, 0, 0]), errno(0));
    assert_eq!(ret("socket", [38, 5, 0, 0, 0, 0]), errno(libc::EPERM)); // AF_ALG
    assert_eq!(ret("socket", [40, 1, 0, 0, 0, 0]), errno(libc::EPERM)); // AF_VSOCK
    assert_eq!(ret("clone3", [0; 6]), errno(libc::ENOSYS));
    let newuser = (libc::CLONE_NEWUSER | libc::SIGCHLD) as u64;
    assert_eq!(ret("clone", [newuser, 0, 0, 0, 0, 0]), errno(libc::EPERM));
    assert_eq!(
        ret("unshare", [libc::CLONE_NEWNS as u64, 0, 0, 0, 0, 0]),
        errno(libc::EPERM)
    );
    assert_eq!(ret("io_uring_setup", [0; 6]), errno(libc::EPERM));
    assert_eq!(ret("getppid", [0; 6]), errno(0));
    // A profile given in OCI form decides the same as its import (round trip through JSON).
    let oci = sysfence::Policy::preset("docker-default")
        .unwrap()
        .to_oci()
        .unwrap();
    let again = sysfence::Policy::from_value(&oci)
        .unwrap()
        .compile()
        .unwrap();
    assert_eq!(
        outcome_of(&again, "personality", [1, 0, 0, 0, 0, 0]),
        errno(libc::EPERM)
    );
}

/// `unknown_syscalls: "enosys"`: numbers above the highest libseccomp knows fail with ENOSYS
/// (a libc newer than the filter falls back); known numbers the policy does not name still get
/// the default action; an x32 number on an x86_64-only policy still meets the bad-arch action.
#[cfg(target_arch = "x86_64")]
#[test]
fn unknown_syscalls_enosys_stub_answers_numbers_libseccomp_does_not_know() {
    let json = |stub: &str| {
        format!(
            r#"{{"default_action":"errno:EPERM","architectures":["x86_64"],{stub}
                "rules":[{{"action":"allow","syscalls":["getpid","exit_group","exit"]}}]}}"#
        )
    };
    let with = filter(&json(r#""unknown_syscalls":"enosys","#));
    let without = filter(&json(""));
    let unknown = 1000;
    assert_eq!(
        in_child(&with, || raw_syscall(unknown, [0; 6])).0,
        Outcome::Returned {
            errno: libc::ENOSYS
        }
    );
    assert_eq!(
        in_child(&without, || raw_syscall(unknown, [0; 6])).0,
        Outcome::Returned { errno: libc::EPERM }
    );
    assert_eq!(
        outcome_of(&with, "getppid", [0; 6]),
        Outcome::Returned { errno: libc::EPERM }
    );
    assert_eq!(
        outcome_of(&with, "getpid", [0; 6]),
        Outcome::Returned { errno: 0 }
    );
    // x32's getpid (bit 30 set) on an x86_64-only policy: bad arch, as without the stub.
    assert_eq!(
        in_child(&with, || raw_syscall(0x4000_0000 | 39, [0; 6])).0,
        Outcome::Signal(libc::SIGSYS)
    );
    // explain names the stub.
    let e = with.explain("1000", &[], None).unwrap();
    assert!(
        e.decided_by.starts_with("unknown_syscalls"),
        "{}",
        e.decided_by
    );
    // Not with a default that lets calls through (as runc).
    let allow = sysfence::Policy::from_json(
        r#"{"default_action":"allow","unknown_syscalls":"enosys","rules":[{"action":"errno","syscalls":["mount"]}]}"#,
    )
    .unwrap();
    assert_eq!(
        allow.compile().unwrap().len(),
        filter(r#"{"default_action":"allow","rules":[{"action":"errno","syscalls":["mount"]}]}"#)
            .len()
    );
    assert_eq!(allow.to_value()["unknown_syscalls"], "enosys");
    assert!(
        sysfence::Policy::from_json(r#"{"default_action":"errno","unknown_syscalls":"yes"}"#)
            .is_err()
    );
}

/// Symbolic argument values (`AF_INET6`, `O_CREAT|O_WRONLY`, `AT_FDCWD`, `0o700`, `TIOCSTI`,
/// `PROT_EXEC`), in a policy and in `explain`'s arguments, mean what the kernel sees when a
/// program passes libc's constants: explain's verdict is what a child gets.
#[test]
// The ioctl request type is `c_ulong` on glibc, `c_int` elsewhere: the casts stay.
#[allow(clippy::unnecessary_cast)]
fn symbolic_values_match_the_kernel() {
    use sysfence::constants::parse_args;
    let f = filter(
        r#"{"default_action":"allow","rules":[
        {"action":"errno:EPERM","syscalls":["socket"],"args":[{"index":0,"op":"eq","value":"AF_INET6"}]},
        {"action":"errno:EACCES","syscalls":["openat"],"args":[{"index":2,"op":"masked_eq","mask":"O_ACCMODE|O_CREAT","value":"O_CREAT|O_WRONLY"}]},
        {"action":"errno:EXDEV","syscalls":["mkdirat"],"args":[{"index":0,"op":"eq","value":"AT_FDCWD"},{"index":2,"op":"eq","value":"0o700"}]},
        {"action":"errno:ENOTSUP","syscalls":["ioctl"],"args":[{"index":1,"op":"eq","value":"TIOCSTI"}]},
        {"action":"errno:EROFS","syscalls":["mprotect"],"args":[{"index":2,"op":"masked_eq","mask":"PROT_EXEC","value":"PROT_EXEC"}]}
        ]}"#,
    );
    let path = c"/nonexistent-sysfence-dir/x".as_ptr() as u64;
    // (syscall, explain's arguments, the same call with libc's constants, expected errno)
    let cases: &[(&str, &[&str], [u64; 6], i32)] = &[
        (
            "socket",
            &["AF_INET6", "SOCK_DGRAM"],
            [libc::AF_INET6 as u64, libc::SOCK_DGRAM as u64, 0, 0, 0, 0],
            libc::EPERM,
        ),
        (
            "socket",
            &["AF_INET", "type=SOCK_DGRAM|SOCK_CLOEXEC"],
            [
                libc::AF_INET as u64,
                (libc::SOCK_DGRAM | libc::SOCK_CLOEXEC) as u64,
                0,
                0,
                0,
                0,
            ],
            0,
        ),
        (
            "openat",
            &["AT_FDCWD", "0", "O_CREAT|O_WRONLY|O_TRUNC", "0644"],
            [
                libc::AT_FDCWD as i64 as u64,
                path,
                (libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC) as u64,
                0o644,
                0,
                0,
            ],
            libc::EACCES,
        ),
        (
            "openat",
            &["dirfd=AT_FDCWD", "flags=O_RDONLY|O_CLOEXEC"],
            [
                libc::AT_FDCWD as i64 as u64,
                path,
                (libc::O_RDONLY | libc::O_CLOEXEC) as u64,
                0,
                0,
                0,
            ],
            libc::ENOENT,
        ),
        (
            "mkdirat",
            &["-100", "0", "0700"],
            [libc::AT_FDCWD as i64 as u64, path, 0o700, 0, 0, 0],
            libc::EXDEV,
        ),
        (
            "mkdirat",
            &["AT_FDCWD", "0", "0o755"],
            [libc::AT_FDCWD as i64 as u64, path, 0o755, 0, 0, 0],
            libc::ENOENT,
        ),
        (
            "ioctl",
            &["-1", "TIOCSTI"],
            [u64::MAX, libc::TIOCSTI as u64, 0, 0, 0, 0],
            libc::ENOTSUP,
        ),
        (
            "ioctl",
            &["-1", "request=TIOCGWINSZ"],
            [u64::MAX, libc::TIOCGWINSZ as u64, 0, 0, 0, 0],
            libc::EBADF,
        ),
        (
            "mprotect",
            &["0", "0", "PROT_READ|PROT_EXEC"],
            [0, 0, (libc::PROT_READ | libc::PROT_EXEC) as u64, 0, 0, 0],
            libc::EROFS,
        ),
        (
            "mprotect",
            &["0", "0", "prot=PROT_READ"],
            [0, 0, libc::PROT_READ as u64, 0, 0, 0],
            0,
        ),
    ];
    for (syscall, written, kernel_args, errno) in cases {
        let args = parse_args(syscall, written).expect("explain's arguments parse");
        // The path is a pointer in the child, 0 for explain (no rule tests it).
        let same = |i: usize| kernel_args[i] == path || args[i] == kernel_args[i];
        assert!((0..args.len()).all(same), "{syscall} {written:?}: {args:?}");
        let e = f.explain(syscall, &args, None).unwrap();
        let expected_action = if e.decided_by == "default_action" {
            "allow".to_string()
        } else {
            format!("errno:{}", sysfence::errno::errno_name(*errno).unwrap())
        };
        assert_eq!(
            e.verdict.action.to_string(),
            expected_action,
            "{syscall} {written:?}"
        );
        if e.decided_by != "default_action" {
            // The verdict names the argument that decided.
            assert!(!e.arguments.is_empty(), "{syscall} {written:?}: {e:?}");
        }
        assert_eq!(
            outcome_of(&f, syscall, *kernel_args),
            Outcome::Returned { errno: *errno },
            "{syscall} {written:?}"
        );
    }
}
