// SPDX-License-Identifier: MIT OR Apache-2.0
//! `make bench`: compile and load time of a 300-rule policy, next to libseccomp's own Python
//! bindings (Debian's python3-seccomp) doing the same in the same run, as ratios.

use serde_json::{json, Value};
use std::time::Instant;
use sysfence::{Arch, Policy};

const ITERATIONS: u32 = 50;

/// 200 unconditional allow rules and 100 argument rules (errno on 50 other syscalls, two
/// values each), deny-by-default: 300 rules.
fn policy_300() -> Value {
    // Syscalls the baseline's older libseccomp (Debian 12: 2.5.4) knows too: numbers < 440.
    let names: Vec<String> = sysfence::syscalls::names_of(Arch::native())
        .into_iter()
        .filter(|n| !matches!(n.as_str(), "exit_group" | "write"))
        .filter(|n| matches!(sysfence::syscalls::resolve(n, Arch::native()), sysfence::syscalls::Resolution::Number(nr) if nr < 440))
        .collect();
    assert!(names.len() >= 250, "too few syscalls: {}", names.len());
    let mut rules = vec![json!({ "action": "allow", "syscalls": ["exit_group", "write"] })];
    for name in &names[..199] {
        rules.push(json!({ "action": "allow", "syscalls": [name] }));
    }
    for (i, name) in names[199..249].iter().enumerate() {
        for k in 0..2u64 {
            rules.push(json!({ "action": "errno:EPERM", "syscalls": [name],
                               "args": [{ "index": 0, "op": "eq", "value": (i as u64) * 2 + k }] }));
        }
    }
    assert_eq!(rules.len(), 300);
    json!({ "default_action": "kill_process", "log_denied": false, "rules": rules })
}

fn mean_ns(total: std::time::Duration) -> f64 {
    total.as_nanos() as f64 / f64::from(ITERATIONS)
}

/// Times `filter.load_with_flags()` inside forked children (the parent never loads).
fn load_ns(filter: &sysfence::Filter) -> f64 {
    let flags = filter.load_flags();
    let mut total = 0i128;
    for _ in 0..ITERATIONS {
        let mut fds = [0; 2];
        // SAFETY: a plain pipe.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child runs only async-signal-safe calls, then _exit.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let mut t0 = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            let mut t1 = t0;
            // SAFETY: clock_gettime, write and _exit are async-signal-safe.
            unsafe {
                libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t0);
                let ok = filter.load_with_flags(flags).is_ok();
                libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t1);
                let ns: i64 = if ok {
                    (t1.tv_sec - t0.tv_sec) * 1_000_000_000 + (t1.tv_nsec - t0.tv_nsec)
                } else {
                    -1
                };
                libc::write(fds[1], (&ns as *const i64).cast(), 8);
                libc::_exit(0);
            }
        }
        let mut ns = 0i64;
        // SAFETY: reading the child's 8 bytes; then reaping it.
        unsafe {
            libc::close(fds[1]);
            libc::read(fds[0], (&mut ns as *mut i64).cast(), 8);
            libc::close(fds[0]);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        assert!(ns >= 0, "load failed in the child");
        total += i128::from(ns);
    }
    total as f64 / f64::from(ITERATIONS)
}

fn main() {
    let value = policy_300();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench");
    std::fs::create_dir_all(dir).unwrap();
    let path = format!("{dir}/policy-300.json");
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let text = value.to_string();

    // Warm-up, then compile = parse + validate + libseccomp + BPF export (PFC is made on demand).
    let filter = Policy::from_json(&text).unwrap().compile().unwrap();
    let start = Instant::now();
    for _ in 0..ITERATIONS {
        let f = Policy::from_json(&text).unwrap().compile().unwrap();
        assert_eq!(f.len(), filter.len());
    }
    let ours_compile = mean_ns(start.elapsed());
    let ours_load = load_ns(&filter);

    let out = std::process::Command::new("/usr/bin/python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/bench_libseccomp_py.py"
        ))
        .arg(&path)
        .arg(ITERATIONS.to_string())
        .output()
        .expect("run /usr/bin/python3 (python3-seccomp is installed by make setup)");
    assert!(
        out.status.success(),
        "baseline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (base_compile, base_load) = (
        base["compile_ns"].as_f64().unwrap(),
        base["load_ns"].as_f64().unwrap(),
    );

    println!(
        "policy: 300 rules, {} BPF instructions; mean of {ITERATIONS} runs each",
        filter.len()
    );
    println!(
        "{:<44} {:>12} {:>16} {:>8}",
        "", "sysfence", "libseccomp (py)", "ratio"
    );
    let row = |what: &str, ours: f64, theirs: f64| {
        println!(
            "{what:<44} {:>9.3} ms {:>13.3} ms {:>7.2}x",
            ours / 1e6,
            theirs / 1e6,
            ours / theirs
        );
    };
    row(
        "compile (sysfence: parse+validate+BPF)",
        ours_compile,
        base_compile,
    );
    row("load (in a forked child)", ours_load, base_load);
    row(
        "compile + load",
        ours_compile + ours_load,
        base_compile + base_load,
    );
    println!("(ratio = sysfence / libseccomp's Python bindings; below 1 is faster)");
}
