// SPDX-License-Identifier: MIT OR Apache-2.0
//! The loader against the kernel. Each scenario runs in a fresh copy of this test binary (a
//! child process), never in the test runner's own process.

use std::process::Command;
use sysfence::{Error, LoadStage, Policy};

const NO_GETPPID: &str = r#"{"default_action":"allow","log_denied":false,"rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#;
/// Makes `seccomp()` look missing, as on kernels before 3.17.
const NO_SECCOMP_SYSCALL: &str = r#"{"default_action":"allow","log_denied":false,"rules":[{"action":"errno:ENOSYS","syscalls":["seccomp"]}]}"#;

/// Runs the ignored test `name` in a child process and returns its stdout.
fn scenario(name: &str) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            name,
            "--nocapture",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env("SYSFENCE_SCENARIO", name)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn in_scenario(name: &str) -> bool {
    std::env::var("SYSFENCE_SCENARIO").as_deref() == Ok(name)
}

fn getppid_errno() -> i32 {
    // SAFETY: a raw getppid.
    if unsafe { libc::syscall(libc::SYS_getppid) } == -1 {
        std::io::Error::last_os_error().raw_os_error().unwrap()
    } else {
        0
    }
}

fn gettid() -> i32 {
    // SAFETY: gettid has no arguments.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

#[test]
fn status_reports_the_loaded_filter_and_no_new_privs() {
    let out = scenario("status_child");
    assert!(out.contains("before=disabled/0/false"), "{out}");
    assert!(out.contains("after=filter/1/true"), "{out}");
}

#[test]
#[ignore = "scenario, run in a child by status_reports_the_loaded_filter_and_no_new_privs"]
fn status_child() {
    if !in_scenario("status_child") {
        return;
    }
    let show =
        |s: sysfence::Status| format!("{}/{}/{}", s.mode, s.filters.unwrap_or(99), s.no_new_privs);
    println!("before={}", show(sysfence::status().unwrap()));
    sysfence::apply_policy(&Policy::from_json(NO_GETPPID).unwrap()).unwrap();
    println!("after={}", show(sysfence::status().unwrap()));
}

#[test]
fn a_tsync_conflict_names_the_thread_and_loads_nothing() {
    let out = scenario("tsync_conflict_child");
    assert!(out.contains("conflict=ok"), "{out}");
    assert!(out.contains("main-filters=0"), "{out}");
}

#[test]
#[ignore = "scenario, run in a child by a_tsync_conflict_names_the_thread_and_loads_nothing"]
fn tsync_conflict_child() {
    if !in_scenario("tsync_conflict_child") {
        return;
    }
    // A second thread gets a filter of its own (no TSYNC), so its filter chain differs.
    let (tx, rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || {
        let f = Policy::from_json(NO_GETPPID).unwrap().compile().unwrap();
        f.load_with_flags(0).unwrap();
        tx.send(gettid()).unwrap();
        done_rx.recv().unwrap();
    });
    let other_tid = rx.recv().unwrap();
    let err = sysfence::apply_policy(&Policy::from_json(NO_GETPPID).unwrap()).unwrap_err();
    match &err {
        Error::Load(f) if f.stage == LoadStage::Tsync && f.tid == Some(other_tid) => {
            println!("conflict=ok")
        }
        other => println!("conflict=unexpected {other:?} (other thread {other_tid})"),
    }
    assert_eq!(err.code(), "load");
    println!(
        "main-filters={}",
        sysfence::status().unwrap().filters.unwrap_or(99)
    );
    done_tx.send(()).unwrap();
    other.join().unwrap();
}

#[test]
fn without_seccomp_syscall_a_single_thread_falls_back_to_prctl() {
    let out = scenario("fallback_child");
    assert!(out.contains("fallback-errno=13"), "{out}");
}

#[test]
#[ignore = "scenario, run in a child by without_seccomp_syscall_a_single_thread_falls_back_to_prctl"]
fn fallback_child() {
    if !in_scenario("fallback_child") {
        return;
    }
    // The test harness runs this test on a thread of its own, so the process has two
    // threads here: run the single-threaded part in a forked child of this scenario process.
    let hide = Policy::from_json(NO_SECCOMP_SYSCALL)
        .unwrap()
        .compile()
        .unwrap();
    let policy = Policy::from_json(NO_GETPPID).unwrap().compile().unwrap();
    // SAFETY: the child only makes raw syscalls and exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let code = if hide.load_with_flags(0).is_err() {
            100
        } else if policy.load_with_flags(policy.load_flags()).is_err() {
            101
        } else {
            getppid_errno()
        };
        // SAFETY: leave the forked child.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: reaping the child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    println!("fallback-errno={}", libc::WEXITSTATUS(status));
}

#[test]
fn without_seccomp_syscall_several_threads_fail_closed() {
    let out = scenario("fallback_threads_child");
    assert!(out.contains("stage=NoTsyncFallback"), "{out}");
    assert!(out.contains("getppid-errno=0"), "{out}");
}

#[test]
#[ignore = "scenario, run in a child by without_seccomp_syscall_several_threads_fail_closed"]
fn fallback_threads_child() {
    if !in_scenario("fallback_threads_child") {
        return;
    }
    // Hide seccomp() from every thread, then try to load with TSYNC: prctl cannot cover the
    // other threads, so nothing may be loaded.
    Policy::from_json(NO_SECCOMP_SYSCALL)
        .unwrap()
        .compile()
        .unwrap()
        .load()
        .unwrap();
    let err = sysfence::apply_policy(&Policy::from_json(NO_GETPPID).unwrap()).unwrap_err();
    if let Error::Load(f) = &err {
        println!("stage={:?}", f.stage);
    }
    println!("getppid-errno={}", getppid_errno());
}

#[test]
fn the_callers_mode_overrides_the_policys() {
    let out = scenario("mode_child");
    assert!(out.contains("bad-mode=invalid_argument filters=0"), "{out}");
    assert!(out.contains("log: getppid-errno=0 mode=log"), "{out}");
    assert!(out.contains("enforce over log: getppid-errno=13"), "{out}");
}

#[test]
#[ignore = "scenario, run in a child by the_callers_mode_overrides_the_policys"]
fn mode_child() {
    if !in_scenario("mode_child") {
        return;
    }
    let policy = Policy::from_json(NO_GETPPID).unwrap();
    let err = sysfence::apply_policy_with_mode(&policy, Some("lgo")).unwrap_err();
    println!(
        "bad-mode={} filters={}",
        err.code(),
        sysfence::status().unwrap().filters.unwrap_or(99)
    );
    let report = sysfence::apply_policy_with_mode(&policy, Some("log")).unwrap();
    println!(
        "log: getppid-errno={} mode={}",
        getppid_errno(),
        report.mode
    );
    // A policy written in log mode, enforced by its caller.
    let logged = policy.with_mode(sysfence::Mode::Log).unwrap();
    sysfence::apply_policy_with_mode(&logged, Some("enforce")).unwrap();
    println!("enforce over log: getppid-errno={}", getppid_errno());
}
