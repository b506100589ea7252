// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence run` end to end: what the kernel did to the command under each exec guard.

#[path = "../../core/tests/common/mod.rs"]
mod common;
mod support;

use support::{run_args, stdout, sysfence, sysfence_command, temp_policy};

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};
use std::time::Duration;

fn run_bash(source: &[&str], script: &str) -> Output {
    let mut args = vec!["run"];
    args.extend_from_slice(source);
    args.extend_from_slice(&["--", "bash", "-c", script]);
    sysfence(&args)
}

const GUARDS: [&str; 2] = ["ptrace", "notify"];

#[test]
fn run_starts_the_command_but_refuses_its_execs() {
    for guard in GUARDS {
        // bash forks (clone) and its child's execve gets EACCES: bash reports status 126.
        let o = run_bash(
            &["--preset", "no-exec", "--exec-guard", guard],
            "/bin/true; echo status=$?",
        );
        assert!(o.status.success(), "{guard}: {o:?}");
        assert_eq!(stdout(&o).trim(), "status=126", "{guard}");
        // bash's own exec (no fork) is refused too, and bash exits 126.
        let o = run_bash(
            &["--preset", "no-exec", "--exec-guard", guard],
            "exec /bin/true",
        );
        assert_eq!(o.status.code(), Some(126), "{guard}");
    }
}

#[test]
fn run_applies_the_policy_to_the_command_itself() {
    for guard in GUARDS {
        let o = sysfence(&run_args("no-exec", guard, &["cat", "/proc/self/status"]));
        let text = stdout(&o);
        assert!(text.contains("NoNewPrivs:\t1"), "{guard}: {text}");
        // Nothing sysfence itself ignores (SIGPIPE, which Rust ignores) stays ignored; the
        // keyboard signals are as the invoker left them (ignored when the tests run in the
        // background), neither reset nor newly ignored.
        let sig_ign = |status: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("SigIgn:\t"))
                .map(|v| u64::from_str_radix(v, 16).unwrap())
                .unwrap()
        };
        let ignored = sig_ign(&text);
        let inherited = sig_ign(&std::fs::read_to_string("/proc/self/status").unwrap());
        let bit = |sig: i32| 1u64 << (sig - 1);
        assert_eq!(ignored & bit(libc::SIGPIPE), 0, "{guard}: SIGPIPE ignored");
        for sig in [libc::SIGINT, libc::SIGQUIT] {
            assert_eq!(
                ignored & bit(sig),
                inherited & bit(sig),
                "{guard}: signal {sig}"
            );
        }
        assert!(text.contains("Seccomp:\t2"), "{guard}: {text}");
        // ptrace: exactly the policy's filter and the terminal guard, and no tracer left.
        if guard == "ptrace" {
            assert!(text.contains("Seccomp_filters:\t2"), "{text}");
            assert!(text.contains("TracerPid:\t0"), "{text}");
        }
    }
}

#[test]
fn run_answers_later_execs_with_the_policys_own_action() {
    let policy = |action: &str| {
        temp_policy(
            &format!("run-{}.json", action.replace(':', "-")),
            &format!(
                r#"{{"default_action":"allow","rules":[{{"action":"{action}","syscalls":["execve"]}}]}}"#
            ),
        )
    };
    let cond = temp_policy(
        "run-cond.json",
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["execve"],"args":[{"index":2,"op":"eq","value":0}]}]}"#,
    );
    let cond_ne = temp_policy(
        "run-cond-ne.json",
        &std::fs::read_to_string(&cond)
            .unwrap()
            .replace("\"eq\"", "\"ne\""),
    );
    for guard in GUARDS {
        let status = |policy: &str| {
            stdout(&run_bash(
                &["--policy", policy, "--exec-guard", guard],
                "/bin/true; echo status=$?",
            ))
            .trim()
            .to_string()
        };
        // errno:ENOENT: bash reports 127 (not found).
        assert_eq!(status(&policy("errno:ENOENT")), "status=127", "{guard}");
        // kill_process: the kernel kills with SIGSYS (128+31); the notify supervisor cannot raise
        // the kernel's own signal and kills with SIGKILL (128+9).
        let killed = if guard == "ptrace" {
            "status=159"
        } else {
            "status=137"
        };
        assert_eq!(status(&policy("kill_process")), killed, "{guard}");
        // trap: SIGSYS (128+31).
        assert_eq!(status(&policy("trap")), "status=159", "{guard}");
        // Argument conditions are evaluated on the exec's registers: bash passes a real envp,
        // so "envp == 0" lets it run and "envp != 0" refuses it.
        assert_eq!(status(&cond), "status=0", "{guard}");
        assert_eq!(status(&cond_ne), "status=126", "{guard}");
    }
}

#[test]
fn the_notify_guard_refuses_a_command_that_could_ptrace_it() {
    // As root with CAP_SYS_PTRACE the command could attach to its supervisor: refused, exit 1,
    // and the command never starts.
    let marker = std::env::temp_dir().join(format!("sysfence-ran-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args([
            "run",
            "--preset",
            "no-exec",
            "--exec-guard",
            "notify",
            "--",
            "touch",
        ])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(!marker.exists());
}

#[test]
fn run_log_only_lets_execs_through_and_the_kernel_logs_them() {
    for _ in 0..4 {
        let mut kmsg = common::Kmsg::open();
        let o = run_bash(
            &["--preset", "no-exec", "--log-only"],
            "/bin/true; echo status=$?",
        );
        assert_eq!(stdout(&o).trim(), "status=0");
        if kmsg
            .find(
                &[
                    "type=1326",
                    "syscall=59",
                    "code=0x7ffc0000",
                    "comm=\"bash\"",
                ],
                Duration::from_secs(2),
            )
            .is_some()
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(5500)); // the kernel's printk rate limit
    }
    panic!("no kernel log record for the logged exec");
}

#[test]
fn run_exits_with_the_commands_status() {
    assert_eq!(
        run_bash(&["--preset", "no-exec"], "exit 7").status.code(),
        Some(7)
    );
    assert_eq!(
        run_bash(&["--preset", "no-exec", "--log-only"], "exit 9")
            .status
            .code(),
        Some(9)
    );
}

/// A 93-byte static i386 program: `exit(0)` through `int 0x80`.
fn tiny_i386_program() -> String {
    // mov eax,1; xor ebx,ebx; int 0x80
    let code = [0xb8, 1, 0, 0, 0, 0x31, 0xdb, 0xcd, 0x80];
    let path = std::env::temp_dir().join(format!("sysfence-i386-{}", std::process::id()));
    support::i386_program(&path, &code)
}

#[test]
fn a_32_bit_command_never_runs_unconfined() {
    let program = tiny_i386_program();
    // Control: unconfined it runs and exits 0 (so the kernel runs i386 programs here).
    assert_eq!(Command::new(&program).status().unwrap().code(), Some(0));
    // ptrace guard: a 32-bit entry is refused and the command killed (SIGKILL) before it
    // runs, with the reason on stderr. notify guard: its first syscall comes through the i386
    // ABI and meets bad_arch_action (kill_process: the command, which is sysfence's own
    // process, dies of SIGSYS).
    for (guard, signal, says) in [
        ("ptrace", libc::SIGKILL, "32-bit program"),
        ("notify", libc::SIGSYS, ""),
    ] {
        let o = sysfence(&run_args("no-exec", guard, &[&program]));
        assert_eq!(o.status.signal(), Some(signal), "{guard}: {o:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(says),
            "{guard}: {o:?}"
        );
    }
}

#[test]
fn run_reports_the_status_even_when_sigchld_was_ignored() {
    use std::os::unix::process::CommandExt;
    for guard in GUARDS {
        let mut cmd = sysfence_command(&run_args("no-exec", guard, &["bash", "-c", "exit 3"]));
        // SAFETY: only signal() between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGCHLD, libc::SIG_IGN);
                Ok(())
            });
        }
        assert_eq!(cmd.status().unwrap().code(), Some(3), "{guard}");
    }
}

/// The ptrace guard's helper cannot attach to a sysfence that is traced already: an OS
/// failure, reported as such (naming the call and its errno), not as "unsupported".
#[cfg(target_arch = "x86_64")]
#[test]
fn a_failed_ptrace_attach_is_reported_as_an_os_error() {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    let mut cmd = sysfence_command(&[
        "run",
        "--exec-guard",
        "ptrace",
        "--preset",
        "no-exec",
        "--",
        "true",
    ]);
    cmd.stderr(std::process::Stdio::piped());
    // SAFETY: ptrace(PTRACE_TRACEME) is async-signal-safe; this thread becomes the tracer.
    unsafe {
        cmd.pre_exec(|| {
            if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    };
    // Reaped below with waitpid, as a tracer must (to see the stops), not with `wait`.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().unwrap();
    let pid = child.id() as i32;
    // Let every stop go on (the exec's SIGTRAP swallowed, other signals passed) until it ends.
    let code = loop {
        let mut status = 0;
        // SAFETY: waiting for our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        if libc::WIFEXITED(status) {
            break libc::WEXITSTATUS(status);
        }
        assert!(libc::WIFSTOPPED(status), "status {status:#x}");
        let sig = libc::WSTOPSIG(status);
        let pass = if sig == libc::SIGTRAP { 0 } else { sig };
        // SAFETY: resuming our stopped tracee.
        assert_eq!(unsafe { libc::ptrace(libc::PTRACE_CONT, pid, 0, pass) }, 0);
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("sysfence: PTRACE_SEIZE: ") && !err.contains("unsupported"),
        "{err}"
    );
    assert!(err.contains("(os error 1)"), "{err}");
}

/// `--log-only` switches the policy to log mode, where it is validated again: a policy whose
/// conditions on `socket` are covered on x86 only by refusing `socketcall` outright (which log
/// mode turns into `log`) is refused before the command runs, not run with `socketcall`
/// letting `socket(AF_PACKET)` through unlogged.
#[test]
fn log_only_refuses_a_policy_that_log_mode_could_not_enforce() {
    let policy = temp_policy(
        "mux-log-only.json",
        r#"{"default_action": "kill_process", "architectures": ["x86_64", "x86"],
            "rules": [{"action": "allow", "syscalls": ["socket"], "args": [{"index": 0, "op": "ne", "value": 17}]},
                      {"action": "errno", "syscalls": ["socketcall"]}]}"#,
    );
    let marker = std::env::temp_dir().join(format!("sysfence-log-only-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let touch = format!("touch {}", marker.display());
    let out = sysfence(&[
        "run",
        "--log-only",
        "--policy",
        &policy,
        "--",
        "sh",
        "-c",
        &touch,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rules[0].args"), "{stderr}");
    assert!(!marker.exists(), "the command ran");
    // As written (enforce mode) the policy is valid.
    let out = sysfence(&["check", &policy]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
