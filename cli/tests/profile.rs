// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence profile` end to end: real programs no one here wrote are recorded, then run under
//! the generated policy in enforce mode (`sysfence run --policy`) with the same output and exit
//! status, and refused once a call they certainly make is taken out (negative controls).

mod support;

use serde_json::Value;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PYTHON: &str = "/usr/bin/python3";
const PERL: &str = "/usr/bin/perl";
const BACKENDS: [&str; 2] = ["notify", "ptrace"];

/// A fresh directory for one test.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sysfence-profile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sysfence(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sysfence"));
    c.args(args).stdin(Stdio::null());
    c
}

/// `sysfence profile OPTIONS -o POLICY -- CMD...`
fn profile(options: &[&str], policy: &Path, command: &[&str]) -> Output {
    let mut args = vec!["profile"];
    args.extend_from_slice(options);
    args.extend_from_slice(&["-o", policy.to_str().unwrap(), "--"]);
    args.extend_from_slice(command);
    sysfence(&args).output().unwrap()
}

/// `sysfence run --policy POLICY -- CMD...` (the notify guard under setpriv: the tests run as
/// root, and that guard refuses a command holding CAP_SYS_PTRACE).
fn run(policy: &Path, guard: &str, command: &[&str]) -> Output {
    let mut c = if guard == "notify" {
        let mut c = Command::new("setpriv");
        c.args(["--bounding-set=-sys_ptrace", env!("CARGO_BIN_EXE_sysfence")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_sysfence"))
    };
    c.args([
        "run",
        "--exec-guard",
        guard,
        "--policy",
        policy.to_str().unwrap(),
        "--",
    ])
    .args(command)
    .stdin(Stdio::null());
    c.output().unwrap()
}

fn unconfined(command: &[&str]) -> Output {
    Command::new(command[0])
        .args(&command[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn policy_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every syscall the policy allows.
fn allowed(path: &Path) -> Vec<String> {
    let v = policy_json(path);
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["syscalls"].as_array().unwrap().clone())
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// A copy of the policy without `syscall` (taken out of every rule), at `to`.
fn without(policy: &Path, syscall: &str, to: &Path) {
    let mut v = policy_json(policy);
    for rule in v["rules"].as_array_mut().unwrap() {
        rule["syscalls"]
            .as_array_mut()
            .unwrap()
            .retain(|s| s != syscall);
    }
    v["rules"]
        .as_array_mut()
        .unwrap()
        .retain(|r| !r["syscalls"].as_array().unwrap().is_empty());
    std::fs::write(to, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Profiles `command`, checks that it ran as it does unprofiled, then runs it under the policy
/// (both exec guards) with the same output and status; then without `needed` (a call it
/// certainly makes), where it must not. Returns the policy's path.
fn round_trip(d: &Path, name: &str, backend: &str, command: &[&str], needed: &str) -> PathBuf {
    let policy = d.join(format!("{name}-{backend}.json"));
    let expected = unconfined(command);
    assert!(!expected.stdout.is_empty(), "{name}: {expected:?}");
    let o = profile(&["--backend", backend], &policy, command);
    let summary = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.stdout, expected.stdout, "{name} {backend}: {summary}");
    assert_eq!(o.status.code(), expected.status.code(), "{name} {backend}");
    assert!(summary.contains(&format!("backend {backend}")), "{summary}");
    assert!(
        allowed(&policy).iter().any(|s| s == needed),
        "{name}: {needed} not recorded"
    );
    for guard in ["ptrace", "notify"] {
        let o = run(&policy, guard, command);
        assert_eq!(
            (o.stdout.clone(), o.status.code()),
            (expected.stdout.clone(), expected.status.code()),
            "{name} {backend} under its policy ({guard}): {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Negative control.
    let cut = d.join(format!("{name}-{backend}-without-{needed}.json"));
    without(&policy, needed, &cut);
    let o = run(&cut, "ptrace", command);
    assert_ne!(
        (o.stdout.clone(), o.status.code()),
        (expected.stdout.clone(), expected.status.code()),
        "{name} {backend} still ran the same without {needed}"
    );
    policy
}

const THREADS: &str = r#"
import os, threading
def worker():
    # Only this thread makes getpriority; the main thread never does.
    print("priority", os.getpriority(os.PRIO_PROCESS, 0), flush=True)
t = threading.Thread(target=worker)
t.start(); t.join()
print("done")
"#;

#[test]
fn real_programs_run_under_their_profile_and_not_without_a_call_they_make() {
    let d = dir("round-trip");
    std::fs::write(d.join("a.txt"), "alpha\n").unwrap();
    std::fs::write(d.join("b.txt"), "beta\n").unwrap();
    let pipeline = format!(
        "tar -cf - -C {} a.txt b.txt | gzip -c | gzip -dc | tar -xOf - | sort",
        d.display()
    );
    for backend in BACKENDS {
        round_trip(
            &d,
            "python",
            backend,
            &[PYTHON, "-c", "import json, hashlib; print(json.dumps({'sha': hashlib.sha256(b'x').hexdigest()}))"],
            "write",
        );
        round_trip(
            &d,
            "perl",
            backend,
            &[PERL, "-e", "use POSIX; print join(',', map { $_ * 2 } 1..5), qq(\\n); print((POSIX::uname())[0], qq(\\n))"],
            "uname",
        );
        // A pipeline: sh forks and execs tar, gzip, sort.
        round_trip(
            &d,
            "pipeline",
            backend,
            &["/bin/sh", "-c", &pipeline],
            "pipe2",
        );
        // Threads: a call only a thread makes is recorded and needed.
        round_trip(
            &d,
            "threads",
            backend,
            &[PYTHON, "-c", THREADS],
            "getpriority",
        );
        // A program that execs another (and only the other prints).
        round_trip(
            &d,
            "exec",
            backend,
            &[
                "/bin/sh",
                "-c",
                "exec /usr/bin/perl -e 'print getppid() > 0 ? qq(ok\\n) : qq(no\\n)'",
            ],
            "getppid",
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_exec_a_program_makes_is_recorded_but_not_its_own_start() {
    let d = dir("exec");
    // sh execs perl: execve is recorded (sh made it), although sysfence's own exec of sh is not.
    let p = d.join("chain.json");
    let o = profile(&[], &p, &["/bin/sh", "-c", "exec /usr/bin/perl -e 1"]);
    assert!(o.status.success());
    assert!(allowed(&p).contains(&"execve".to_string()));
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("/usr/bin/perl"), "{summary}");
    // perl alone execs nothing: no execve in its policy, and `run` still starts it.
    let p = d.join("perl.json");
    assert!(profile(&[], &p, &[PERL, "-e", "print 1"]).status.success());
    assert!(!allowed(&p).contains(&"execve".to_string()));
    assert_eq!(run(&p, "ptrace", &[PERL, "-e", "print 1"]).stdout, b"1");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_policy_is_deterministic_and_lists_what_every_run_needs() {
    let d = dir("deterministic");
    let (a, b) = (d.join("a.json"), d.join("b.json"));
    let cmd = ["/bin/sh", "-c", "echo hi | cat"];
    assert!(profile(&[], &a, &cmd).status.success());
    let o = profile(&[], &b, &cmd);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let v = policy_json(&a);
    assert_eq!(v["default_action"], "errno:ENOSYS");
    assert_eq!(v["architectures"], serde_json::json!(["x86_64"]));
    // Sorted names in each rule.
    for rule in v["rules"].as_array().unwrap() {
        let names: Vec<&str> = rule["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }
    let all = allowed(&a);
    for name in [
        "rt_sigreturn",
        "restart_syscall",
        "exit",
        "exit_group",
        "clock_gettime",
    ] {
        assert!(all.contains(&name.to_string()), "{name}");
    }
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary
        .contains("always allowed, seen or not: exit exit_group restart_syscall rt_sigreturn"));
    // --default, as core spells it.
    let o = profile(&["--default", "kill_process"], &a, &cmd);
    assert!(o.status.success());
    assert_eq!(policy_json(&a)["default_action"], "kill_process");
    let _ = std::fs::remove_dir_all(&d);
}

/// A static i386 program: `getpid()` (20 on i386, `writev` on x86_64) then `exit(0)`, both
/// through `int 0x80`.
fn i386_getpid_program(d: &Path) -> String {
    let code = [
        0xb8, 20, 0, 0, 0, 0xcd, 0x80, // mov eax,20; int 0x80
        0xb8, 1, 0, 0, 0, 0x31, 0xdb, 0xcd, 0x80, // mov eax,1; xor ebx,ebx; int 0x80
    ];
    support::i386_program(&d.join("getpid-i386"), &code)
}

#[test]
fn int_0x80_calls_are_recorded_as_x86() {
    let d = dir("i386");
    let program = i386_getpid_program(&d);
    // A test thread forking while the file was open for writing holds it until its exec:
    // ETXTBSY for that long.
    let status = (0..100)
        .find_map(|_| match Command::new(&program).status() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                None
            }
            other => Some(other.unwrap()),
        })
        .unwrap();
    assert_eq!(status.code(), Some(0));
    for backend in BACKENDS {
        let p = d.join(format!("i386-{backend}.json"));
        let o = profile(
            &["--backend", backend, "--default", "kill_process"],
            &p,
            &[&program],
        );
        assert!(o.status.success(), "{o:?}");
        let summary = String::from_utf8_lossy(&o.stderr);
        assert!(
            summary
                .lines()
                .any(|l| l.starts_with("getpid") && l.contains(" x86 ")),
            "{summary}"
        );
        assert!(!summary.contains("writev"), "{summary}");
        let v = policy_json(&p);
        assert_eq!(v["architectures"], serde_json::json!(["x86_64", "x86"]));
        let all = allowed(&p);
        assert!(all.contains(&"getpid".to_string()) && !all.contains(&"writev".to_string()));
        // A 32-bit command runs under the notify guard (the ptrace guard refuses it).
        assert_eq!(run(&p, "notify", &[&program]).status.code(), Some(0));
        // Without getpid: killed at that call.
        let cut = d.join("no-getpid.json");
        without(&p, "getpid", &cut);
        assert_eq!(
            run(&cut, "notify", &[&program]).status.signal(),
            Some(libc::SIGSYS)
        );
        // Without x86 among the architectures: bad_arch_action at the first call.
        // (x86-only names go too, or the policy is invalid).
        let mut v = policy_json(&p);
        v["architectures"] = serde_json::json!(["x86_64"]);
        for rule in v["rules"].as_array_mut().unwrap() {
            rule["syscalls"].as_array_mut().unwrap().retain(|s| {
                !["sigreturn", "clock_gettime64", "clock_getres_time64"]
                    .contains(&s.as_str().unwrap())
            });
        }
        std::fs::write(&cut, v.to_string()).unwrap();
        assert_eq!(
            run(&cut, "notify", &[&program]).status.signal(),
            Some(libc::SIGSYS)
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn stdin_stdout_stderr_and_the_exit_status_pass_through() {
    let d = dir("transparent");
    let p = d.join("p.json");
    let path = p.to_str().unwrap();
    let mut child = sysfence(&[
        "profile",
        "-o",
        path,
        "--",
        "/bin/sh",
        "-c",
        "cat; echo oops >&2; exit 3",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    child.stdin.take().unwrap().write_all(b"through\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.stdout, b"through\n");
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("oops\n"));
    assert_eq!(o.status.code(), Some(3));
    // A policy is written for a command that fails.
    assert!(allowed(&p).contains(&"read".to_string()));
    // A command killed by a signal: sysfence ends with the same signal.
    let o = profile(&[], &p, &["/bin/sh", "-c", "kill -TERM $$"]);
    assert_eq!(o.status.signal(), Some(libc::SIGTERM));
    assert!(String::from_utf8_lossy(&o.stderr).contains("killed by signal 15"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_input_gives_a_clear_error_and_no_policy_file() {
    let d = dir("bad");
    let p = d.join("p.json");
    let marker = d.join("ran");
    let touch = ["/usr/bin/touch", marker.to_str().unwrap()];
    // An existing output stays as it was whenever no policy is written.
    std::fs::write(&p, "previous").unwrap();
    let kept = || std::fs::read_to_string(&p).unwrap() == "previous";
    let o = profile(&[], &p, &["no-such-command-here"]);
    assert_eq!(o.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-command-here: command not found"));
    assert!(kept());
    // Unreadable --merge: refused before the command runs.
    let o = profile(&["--merge", "/nonexistent/profile.json"], &p, &touch);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--merge /nonexistent/profile.json"));
    assert!(kept() && !marker.exists());
    // A --merge file that is not a valid policy: core's errors, with the file named.
    let bad = d.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"default_action":"errno","rules":[{"action":"allow","syscalls":["opne"]}]}"#,
    )
    .unwrap();
    let o = profile(&["--merge", bad.to_str().unwrap()], &p, &touch);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("rules[0].syscalls[0]") && err.contains("did you mean \"open\""),
        "{err}"
    );
    assert!(kept() && !marker.exists());
    // A bad --default.
    let o = profile(&["--default", "kill"], &p, &touch);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--default: unknown action \"kill\""));
    assert!(kept() && !marker.exists());
    // A signal to the profiler: passed on to the command, and no policy.
    let child = sysfence(&["profile", "-o", p.to_str().unwrap(), "--", "sleep", "10"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once sleep runs (sysfence's child, exec'd), sysfence is recording.
    let children = format!("/proc/{0}/task/{0}/children", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let running = std::fs::read_to_string(&children)
            .ok()
            .and_then(|c| c.split_whitespace().next().map(str::to_string))
            .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
            .is_some_and(|comm| comm.trim() == "sleep");
        if running {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "sleep never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.signal(), Some(libc::SIGTERM), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("interrupted by signal 15"));
    assert!(kept());
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn under_another_notifier_it_falls_back_to_ptrace() {
    let d = dir("nested");
    // A policy that refuses execveat but allows execve: `run` needs its exec guard, and the
    // notify guard's supervisor holds the process tree's listener.
    let outer = d.join("outer.json");
    std::fs::write(
        &outer,
        r#"{"default_action":"allow","rules":[{"action":"errno","syscalls":["execveat"]}]}"#,
    )
    .unwrap();
    let (nested, alone) = (d.join("nested.json"), d.join("alone.json"));
    let o = Command::new("setpriv")
        .args(["--bounding-set=-sys_ptrace", env!("CARGO_BIN_EXE_sysfence")])
        .args([
            "run",
            "--exec-guard",
            "notify",
            "--policy",
            outer.to_str().unwrap(),
            "--",
        ])
        .args([
            env!("CARGO_BIN_EXE_sysfence"),
            "profile",
            "-o",
            nested.to_str().unwrap(),
        ])
        .args(["--", PERL, "-e", "print 7"])
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.stdout, b"7", "{summary}");
    assert!(
        summary.contains("backend ptrace because a notification listener could not be had"),
        "{summary}"
    );
    assert!(
        summary.contains("another supervisor answers this command's execs"),
        "{summary}"
    );
    assert!(profile(&[], &alone, &[PERL, "-e", "print 7"])
        .status
        .success());
    assert_eq!(
        std::fs::read(&nested).unwrap(),
        std::fs::read(&alone).unwrap()
    );
    // --backend notify there: a clear error, no policy.
    let o = Command::new("setpriv")
        .args(["--bounding-set=-sys_ptrace", env!("CARGO_BIN_EXE_sysfence")])
        .args([
            "run",
            "--exec-guard",
            "notify",
            "--policy",
            outer.to_str().unwrap(),
            "--",
        ])
        .args([
            env!("CARGO_BIN_EXE_sysfence"),
            "profile",
            "--backend",
            "notify",
        ])
        .args(["-o", d.join("none.json").to_str().unwrap(), "--", "true"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Device or resource busy"),
        "{o:?}"
    );
    assert!(!d.join("none.json").exists());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn merged_profiles_cover_every_workload() {
    let d = dir("merge");
    let py = [PYTHON, "-c", "print(sum(range(10)))"];
    let pl = [PERL, "-e", "use POSIX; print((POSIX::uname())[0])"];
    let (a, b) = (d.join("a.json"), d.join("b.json"));
    assert!(profile(&[], &a, &py).status.success());
    assert!(profile(&[], &b, &pl).status.success());
    // perl's uname is not in python's profile: under it, perl fails.
    assert_ne!(run(&a, "ptrace", &pl).stdout, unconfined(&pl).stdout);
    let (ab, ba) = (d.join("ab.json"), d.join("ba.json"));
    let merge = |first: &Path, out: &Path, cmd: &[&str]| {
        profile(&["--merge", first.to_str().unwrap()], out, cmd)
    };
    assert!(merge(&a, &ab, &pl).status.success());
    assert!(merge(&b, &ba, &py).status.success());
    assert_eq!(std::fs::read(&ab).unwrap(), std::fs::read(&ba).unwrap());
    for cmd in [&py[..], &pl[..]] {
        assert_eq!(run(&ab, "ptrace", cmd).stdout, unconfined(cmd).stdout);
    }
    // Merging a profile with itself changes nothing.
    let aa = d.join("aa.json");
    assert!(merge(&a, &aa, &py).status.success());
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&aa).unwrap());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn oci_output_is_a_runtime_spec_seccomp_object() {
    let d = dir("oci");
    let p = d.join("oci.json");
    let o = profile(&["--format", "oci"], &p, &["/bin/true"]);
    assert!(o.status.success());
    let v = policy_json(&p);
    assert_eq!(v["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(v["defaultErrnoRet"], libc::ENOSYS);
    assert_eq!(v["architectures"], serde_json::json!(["SCMP_ARCH_X86_64"]));
    let names: Vec<&str> = v["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["names"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
        })
        .collect();
    assert!(names.contains(&"mmap") && names.contains(&"exit_group"));
    assert!(v["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["action"] == "SCMP_ACT_ALLOW"));
    let o = profile(
        &["--format", "oci", "--default", "notify"],
        &p,
        &["/bin/true"],
    );
    assert_eq!(o.status.code(), Some(1));
    // trace has an OCI form: SCMP_ACT_TRACE with its value in defaultErrnoRet.
    let o = profile(
        &["--format", "oci", "--default", "trace:1"],
        &p,
        &["/bin/true"],
    );
    assert!(o.status.success());
    let v = policy_json(&p);
    assert_eq!(v["defaultAction"], "SCMP_ACT_TRACE");
    assert_eq!(v["defaultErrnoRet"], 1);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn args_narrow_socket_families_ioctls_and_writable_executable_memory() {
    let d = dir("args");
    let p = d.join("args.json");
    let inet6 = [
        PYTHON,
        "-c",
        "import socket; print(socket.socket(socket.AF_INET6).family)",
    ];
    let o = profile(&["--args"], &p, &inet6);
    assert!(o.status.success(), "{o:?}");
    let v = policy_json(&p);
    let rules_for = |name: &str| -> Vec<Value> {
        v["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["syscalls"].as_array().unwrap().iter().any(|s| s == name))
            .cloned()
            .collect()
    };
    // socket appears only with its family; mmap only without write+exec.
    let socket = rules_for("socket");
    assert_eq!(socket.len(), 1, "{socket:?}");
    assert_eq!(
        socket[0]["args"],
        serde_json::json!([{"index": 0, "op": "eq", "value": 10}])
    );
    let mmap = rules_for("mmap");
    assert_eq!(mmap.len(), 3, "{mmap:?}");
    assert!(mmap.iter().all(|r| r["args"][0]["mask"] == 6));
    // The command runs under it...
    assert_eq!(run(&p, "ptrace", &inet6).stdout, unconfined(&inet6).stdout);
    // ...but another family, or a writable and executable mapping, is refused (ENOSYS).
    let netlink = [PYTHON, "-c", "import socket\ntry:\n    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\n    print('opened')\nexcept OSError as e:\n    print(e.errno)"];
    assert_eq!(unconfined(&netlink).stdout, b"opened\n");
    assert_eq!(run(&p, "ptrace", &netlink).stdout, b"38\n");
    let wx = [PYTHON, "-c", "import mmap\ntry:\n    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n    print('mapped')\nexcept OSError as e:\n    print(e.errno)"];
    assert_eq!(unconfined(&wx).stdout, b"mapped\n");
    assert_eq!(run(&p, "ptrace", &wx).stdout, b"38\n");
    // Without --args the same run allows socket whatever the family.
    let plain = d.join("plain.json");
    assert!(profile(&[], &plain, &inet6).status.success());
    assert_eq!(run(&plain, "ptrace", &netlink).stdout, b"opened\n");
    // Merged with --args, conditions are a union: the netlink program's profile merged with
    // the inet6 one allows both families, and nothing else.
    let both = d.join("both.json");
    let o = profile(&["--args", "--merge", p.to_str().unwrap()], &both, &netlink);
    assert!(o.status.success(), "{o:?}");
    let v = policy_json(&both);
    let families: Vec<&Value> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["syscalls"][0] == "socket")
        .map(|r| &r["args"][0]["value"])
        .collect();
    assert_eq!(families, [&serde_json::json!(10), &serde_json::json!(16)]);
    assert_eq!(
        run(&both, "ptrace", &inet6).stdout,
        unconfined(&inet6).stdout
    );
    assert_eq!(run(&both, "ptrace", &netlink).stdout, b"opened\n");
    // Merging a profile with its own run changes nothing.
    let again = d.join("again.json");
    assert!(
        profile(&["--args", "--merge", p.to_str().unwrap()], &again, &inet6)
            .status
            .success()
    );
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&p).unwrap());
    let _ = std::fs::remove_dir_all(&d);
}

/// Log-mode records as the kernel log prints them: perl needed uname (63) and getppid (110),
/// an i386 helper getpid (20 on i386), python's refused bind is an enforced refusal; one line
/// says the kernel's rate limit dropped some.
const AUDIT_LOG: &str = r#"[  100.000001] audit: type=1326 audit(1795826927.796:28): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=3986 comm="perl" exe="/usr/bin/perl" sig=0 arch=c000003e syscall=63 compat=0 ip=0x7f0ee872a829 code=0x7ffc0000
[  100.000002] audit: type=1326 audit(1795826927.797:29): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=3986 comm="perl" exe="/usr/bin/perl" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f0ee872a829 code=0x7ffc0000
[  100.000003] audit: type=1326 audit(1795826927.798:30): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=3986 comm="perl" exe="/usr/bin/perl" sig=0 arch=c000003e syscall=63 compat=0 ip=0x7f0ee872a829 code=0x7ffc0000
[  100.000004] audit: type=1326 audit(1795826927.799:31): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=3990 comm="helper32" exe="/opt/helper32" sig=0 arch=40000003 syscall=20 compat=1 ip=0x8048085 code=0x7ffc0000
[  100.000005] audit: type=1326 audit(1795826927.800:32): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=3991 comm="python3" exe="/usr/bin/python3.11" sig=0 arch=c000003e syscall=49 compat=0 ip=0x7f0ee872a829 code=0x50001
[  101.000000] kauditd_printk_skb: 7 callbacks suppressed
[  101.500000] usb 1-1: new high-speed USB device number 2 using xhci_hcd
"#;

#[test]
fn from_audit_learns_what_log_mode_records_show_was_needed() {
    let d = dir("from-audit");
    let log = d.join("kern.log");
    std::fs::write(&log, AUDIT_LOG).unwrap();
    let log = log.to_str().unwrap();
    // A base policy that refuses getppid with a rule of its own.
    let base = d.join("base.json");
    std::fs::write(
        &base,
        r#"{"default_action":"errno:ENOSYS","description":"mine",
            "rules":[{"action":"allow","syscalls":["read","write"],"comment":"kept"},
                     {"action":"errno:EPERM","syscalls":["getppid"]}]}"#,
    )
    .unwrap();
    let out = d.join("learned.json");
    let o = sysfence(&[
        "profile",
        "--from-audit",
        log,
        "--policy",
        base.to_str().unwrap(),
    ])
    .args(["--exe", "/usr/bin/perl", "-o", out.to_str().unwrap()])
    .output()
    .unwrap();
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{summary}");
    let v = policy_json(&out);
    // BASE as written (description, comments), plus one rule: uname. getppid stays refused.
    assert_eq!(v["description"], "mine");
    assert_eq!(v["rules"][0]["comment"], "kept");
    assert_eq!(v["rules"][2]["syscalls"], serde_json::json!(["uname"]));
    assert_eq!(v["rules"][2]["action"], "allow");
    assert_eq!(v["rules"].as_array().unwrap().len(), 3);
    assert!(
        summary.contains("getppid: not added, BASE refuses it with a rule of its own"),
        "{summary}"
    );
    assert!(
        summary.contains("records of 2 other executable(s) left out"),
        "{summary}"
    );
    assert!(
        summary.contains("the kernel dropped audit records (7 suppressed)"),
        "{summary}"
    );
    assert!(summary.contains("kernel.printk_ratelimit"), "{summary}");
    // Without --exe and BASE: a new policy as profile writes it, with x86 for the i386 record,
    // and without the enforced refusal (bind).
    let o = sysfence(&["profile", "--from-audit", log, "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{summary}");
    assert!(
        summary.contains("1 records of calls an enforced policy refused"),
        "{summary}"
    );
    let v = policy_json(&out);
    assert_eq!(v["default_action"], "errno:ENOSYS");
    assert_eq!(v["architectures"], serde_json::json!(["x86_64", "x86"]));
    let all = allowed(&out);
    for name in ["uname", "getppid", "getpid"] {
        assert!(all.contains(&name.to_string()), "{name}");
    }
    assert!(!all.contains(&"bind".to_string()));
}

#[test]
fn from_audit_refuses_a_corrupt_log_and_writes_nothing() {
    let d = dir("from-audit-bad");
    let out = d.join("p.json");
    std::fs::write(&out, "previous").unwrap();
    let check = |log_text: &[u8], expected: &str| {
        let log = d.join("bad.log");
        std::fs::write(&log, log_text).unwrap();
        let o = sysfence(&["profile", "--from-audit", log.to_str().unwrap()])
            .args(["-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(err.contains("no policy written"), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    };
    // The fixture's truncated record (a log cut mid-line).
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/audit/audit.log"
    ))
    .unwrap();
    check(&fixture, "line 14: a seccomp record that cannot be read");
    // Binary junk inside a record.
    let mut junk = AUDIT_LOG.as_bytes()[..200].to_vec();
    junk.extend_from_slice(b"\0\0\xff\xfe type=1326 garbage\n");
    check(&junk, "line 1: a seccomp record with NUL bytes in it");
    // No log-mode record at all.
    check(b"usb 1-1: new device\n", "no log-mode seccomp records");
    // An empty log; an unreadable one.
    check(b"", "no log-mode seccomp records");
    let o = sysfence(&["profile", "--from-audit", "/nonexistent/kern.log"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read /nonexistent/kern.log"));
    // --from-audit takes no command.
    let o = sysfence(&["profile", "--from-audit", "x", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn from_audit_closes_the_loop_on_a_live_log_mode_run() {
    if !Path::new("/dev/kmsg").exists() {
        return;
    }
    let d = dir("from-audit-live");
    let cmd = [PERL, "-e", "use POSIX; print((POSIX::uname())[0])"];
    let full = d.join("full.json");
    assert!(profile(&[], &full, &cmd).status.success());
    // The profile without uname: in enforce mode perl fails...
    let cut = d.join("cut.json");
    without(&full, "uname", &cut);
    assert_ne!(run(&cut, "ptrace", &cmd).stdout, unconfined(&cmd).stdout);
    // ...in log mode it runs, and the kernel records uname; --from-audit adds it back. The
    // kernel prints at most 10 audit lines per 5 s (other tests make some): retry past that.
    let learned = d.join("learned.json");
    for attempt in 0..4 {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sysfence"));
        c.args(["run", "--log-only", "--policy", cut.to_str().unwrap(), "--"])
            .args(cmd);
        assert_eq!(c.output().unwrap().stdout, unconfined(&cmd).stdout);
        let o = sysfence(&[
            "profile",
            "--from-audit",
            "/dev/kmsg",
            "--exe",
            "/usr/bin/perl",
        ])
        .args([
            "--policy",
            cut.to_str().unwrap(),
            "-o",
            learned.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        assert!(o.status.success(), "{o:?}");
        if allowed(&learned).contains(&"uname".to_string()) {
            break;
        }
        assert!(attempt < 3, "uname never reached /dev/kmsg");
        std::thread::sleep(std::time::Duration::from_millis(5500));
    }
    // Enforced, the learned policy runs perl as before.
    let o = run(&learned, "ptrace", &cmd);
    assert_eq!(o.stdout, unconfined(&cmd).stdout, "{o:?}");
    assert_eq!(o.status.code(), Some(0));
}

/// A static x86_64 program that makes the x32 `getpid` (39 with the x32 bit, 0x40000000) and
/// exits with the native `exit(0)`. Where the kernel has no x32 ABI the call fails with ENOSYS,
/// which the program ignores; the filter sees it either way.
fn x32_getpid_program(d: &Path) -> String {
    let mut elf: Vec<u8> = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let base = 0x40_0000u64;
    let code = [
        0xb8, 0x27, 0, 0, 0x40, 0x0f, 0x05, // mov eax,0x40000027; syscall
        0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05, // mov eax,60; xor edi,edi; syscall
    ];
    let size = 64 + 56 + code.len() as u64;
    elf.extend(2u16.to_le_bytes());
    elf.extend(0x3eu16.to_le_bytes());
    elf.extend(1u32.to_le_bytes());
    elf.extend((base + 120).to_le_bytes());
    elf.extend(64u64.to_le_bytes());
    elf.extend(0u64.to_le_bytes());
    elf.extend(0u32.to_le_bytes());
    for v in [64u16, 56, 1, 0, 0, 0] {
        elf.extend(v.to_le_bytes());
    }
    elf.extend(1u32.to_le_bytes());
    elf.extend(5u32.to_le_bytes());
    for v in [0, base, base, size, size, 0x1000] {
        elf.extend(v.to_le_bytes());
    }
    elf.extend(code);
    let path = d.join("getpid-x32");
    std::fs::write(&path, &elf).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path.to_string_lossy().to_string()
}

#[test]
fn x32_calls_are_recorded_as_x32() {
    let d = dir("x32");
    let program = x32_getpid_program(&d);
    let status = (0..100)
        .find_map(|_| match Command::new(&program).status() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
                None
            }
            other => Some(other.unwrap()),
        })
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let p = d.join("x32.json");
    let o = profile(&["--default", "kill_process"], &p, &[&program]);
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{summary}");
    assert!(
        summary
            .lines()
            .any(|l| l.starts_with("getpid") && l.contains(" x32 ")),
        "{summary}"
    );
    assert_eq!(
        policy_json(&p)["architectures"],
        serde_json::json!(["x86_64", "x32"])
    );
    assert_eq!(run(&p, "ptrace", &[&program]).status.code(), Some(0));
    // Without x32: bad_arch_action (kill_process) at that call.
    let mut v = policy_json(&p);
    v["architectures"] = serde_json::json!(["x86_64"]);
    let cut = d.join("no-x32.json");
    std::fs::write(&cut, v.to_string()).unwrap();
    assert_eq!(
        run(&cut, "ptrace", &[&program]).status.signal(),
        Some(libc::SIGSYS)
    );
    let _ = std::fs::remove_dir_all(&d);
}
