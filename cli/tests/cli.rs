//! The `sysfence` binary end to end. `run` tests check what the kernel did to the command.

#[path = "../../core/tests/common/mod.rs"]
mod common;
mod support;

use support::sysfence_command;

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn sysfence(args: &[&str]) -> Output {
    sysfence_command(args).output().expect("run sysfence")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn temp_policy(name: &str, json: &str) -> String {
    let dir = std::env::temp_dir().join(format!("sysfence-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, json).unwrap();
    path.to_string_lossy().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn version_names_the_linked_libseccomp() {
    let o = sysfence(&["version", "--json"]);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["libseccomp"], "2.6.1");
}

#[test]
fn check_reports_every_error_with_its_path_and_exits_1() {
    let text = r#"{"defualt_action":"allow","rules":[{"action":"errno","syscalls":["exceve","@netwrk"]}]}"#;
    let o = with_stdin(&["check", "--json", "-"], text);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "defualt_action",
            "default_action",
            "rules[0].syscalls[0]",
            "rules[0].syscalls[1]"
        ]
    );
    let o = with_stdin(&["check", "-"], text);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rules[0].syscalls[0]") && err.contains("\"execve\""),
        "{err}"
    );
}

#[test]
fn check_accepts_a_valid_policy_and_shows_warnings() {
    let p = temp_policy(
        "ok.json",
        r#"{"default_action":"errno","mode":"log","rules":[{"action":"allow","syscalls":["read"]}]}"#,
    );
    let o = sysfence(&["check", "--json", &p]);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["diagnostics"][0]["path"], "mode");
}

#[test]
fn bad_input_exits_1_and_names_the_problem() {
    assert_eq!(
        sysfence(&["check", "/nonexistent/policy.json"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        with_stdin(&["compile", "--format", "pfc", "-"], "{not json")
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        sysfence(&["run", "--preset", "no-exce", "--", "true"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        sysfence(&["run", "--preset", "no-exec", "--", "no-such-command-here"])
            .status
            .code(),
        Some(127)
    );
    let p = temp_policy("noop.json", r#"{"default_action":"allow"}"#);
    assert_eq!(sysfence(&["explain", &p, "execve"]).status.code(), Some(1));
    let p = temp_policy("x.json", r#"{"default_action":"errno"}"#);
    assert_eq!(sysfence(&["explain", &p, "exceve"]).status.code(), Some(1));
    assert_eq!(
        sysfence(&["explain", &p, "read", "0x1g"]).status.code(),
        Some(1)
    );
    assert_eq!(
        sysfence(&["explain", &p, "read", "--arch", "armv9"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn compile_writes_the_bpf_and_the_pfc() {
    let p = temp_policy(
        "c.json",
        r#"{"default_action":"allow","extends":["no-exec"]}"#,
    );
    let out = std::env::temp_dir().join(format!("sysfence-{}.bpf", std::process::id()));
    let o = sysfence(&["compile", &p, "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(!bytes.is_empty() && bytes.len() % 8 == 0);
    let pfc = sysfence(&["compile", &p, "--format", "pfc"]);
    assert!(stdout(&pfc).contains("execve"));
}

#[test]
fn compile_sfb_writes_a_container_that_loads_the_same_program() {
    let p = temp_policy(
        "sfb.json",
        r#"{"default_action":"allow","log_denied":true,"extends":["no-exec"]}"#,
    );
    let dir = std::env::temp_dir();
    let out = dir.join(format!("sysfence-{}.sfb", std::process::id()));
    let bpf = dir.join(format!("sysfence-{}-sfb.bpf", std::process::id()));
    let o = sysfence(&[
        "compile",
        &p,
        "--format",
        "sfb",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    assert!(sysfence(&["compile", &p, "-o", bpf.to_str().unwrap()])
        .status
        .success());
    let f = sysfence::Filter::from_compiled(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(f.bpf(), std::fs::read(&bpf).unwrap());
    assert_eq!(f.load_flags(), 3);
    let policy = sysfence::Policy::from_file(&p).unwrap();
    assert_eq!(f.policy_digest(), policy.compile().unwrap().policy_digest());
    let _ = std::fs::remove_file(out);
    let _ = std::fs::remove_file(bpf);
}

#[test]
fn explain_names_what_decided_not_the_default() {
    let p = temp_policy(
        "mux.json",
        r#"{"default_action":"allow","architectures":["x86_64","x86"],"rules":[{"action":"errno:EPERM","syscalls":["socket"]}]}"#,
    );
    let v = |args: &[&str]| -> Value {
        let mut all = vec!["explain", "--json", &p];
        all.extend_from_slice(args);
        let o = sysfence(&all);
        assert!(o.status.success(), "{o:?}");
        serde_json::from_slice(&o.stdout).unwrap()
    };
    // Before: `socket` on x86 was "not a syscall", socketcall(SYS_SOCKET) blamed the default.
    let s = v(&["socket", "--arch", "x86"]);
    assert_eq!(s["nr"], 359);
    assert_eq!(s["decided_by"], "rules[0].syscalls[0] (errno:EPERM)");
    assert_eq!(s["multiplexed"]["multiplexer"], "socketcall");
    assert_eq!(s["multiplexed"]["action"], "errno:EPERM");
    let s = v(&["102", "1", "--arch", "x86"]);
    assert_eq!(s["action"], "errno:EPERM");
    assert_eq!(s["decided_by"], "rules[0].syscalls[0] (errno:EPERM)");
    // An x32 number on the x86_64 ABI meets libseccomp's x32 check (bad_arch_action).
    let s = v(&["1073741883"]);
    assert_eq!(s["action"], "kill_process");
    let by = s["decided_by"].as_str().unwrap();
    assert!(
        by.starts_with("bad_arch_action") && by.contains("x32"),
        "{by}"
    );
    let text = stdout(&sysfence(&["explain", &p, "socket", "--arch", "x86"]));
    assert!(text.contains("through socketcall(call 1)"), "{text}");
}

#[test]
fn explain_takes_names_and_says_which_argument_decided() {
    let p = temp_policy(
        "names.json",
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["socket"],"args":[{"index":0,"op":"eq","value":"AF_INET6"}]}]}"#,
    );
    let o = sysfence(&[
        "explain",
        "--json",
        &p,
        "socket",
        "AF_INET6",
        "type=SOCK_RAW",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["action"], "errno:EPERM", "{o:?}");
    assert_eq!(v["arguments"][0], "domain (arg 0) eq AF_INET6 (0xa)");
    let text = stdout(&sysfence(&[
        "explain",
        &p,
        "socket",
        "AF_INET",
        "SOCK_STREAM",
    ]));
    assert!(
        text.contains("domain (arg 0) is AF_INET (0x2), the rule wants eq AF_INET6 (0xa)"),
        "{text}"
    );
    // A name of another argument, an unknown argument name: exit 1, named.
    let o = sysfence(&["explain", &p, "socket", "SOCK_RAW"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("domain (arg 0) of socket"),
        "{o:?}"
    );
    let o = sysfence(&["explain", &p, "socket", "family=AF_INET"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("domain, type, protocol"),
        "{o:?}"
    );
    // Negative and octal numbers.
    let v: Value = serde_json::from_slice(
        &sysfence(&["explain", "--json", &p, "dup", "-1", "--arch", "x86_64"]).stdout,
    )
    .unwrap();
    assert_eq!(v["action"], "allow");
}

#[test]
fn explain_runs_the_bpf() {
    let p = temp_policy(
        "e.json",
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["dup"],"args":[{"index":0,"op":"gt","value":10}]}]}"#,
    );
    let v = |args: &[&str]| -> Value {
        let mut all = vec!["explain", "--json", &p];
        all.extend_from_slice(args);
        serde_json::from_slice(&sysfence(&all).stdout).unwrap()
    };
    assert_eq!(v(&["dup", "11"])["action"], "errno:EPERM");
    assert_eq!(
        v(&["dup", "11"])["decided_by"],
        "rules[0].syscalls[0] (errno:EPERM)"
    );
    assert_eq!(v(&["dup", "0xa"])["action"], "allow");
    assert_eq!(v(&["execve", "--arch", "x86"])["action"], "kill_process");
    // A policy that leaves out the native ABI: the native call meets bad_arch_action.
    let x86_only = temp_policy(
        "x86.json",
        r#"{"default_action":"allow","architectures":["x86"],"rules":[{"action":"errno","syscalls":["execve"]}]}"#,
    );
    let o = sysfence(&["explain", "--json", &x86_only, "execve"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["action"], "kill_process");
    assert!(
        v["decided_by"]
            .as_str()
            .unwrap()
            .starts_with("bad_arch_action"),
        "{v}"
    );
}

#[test]
fn lists_presets_and_groups() {
    let g: Value = serde_json::from_slice(&sysfence(&["groups", "--json"]).stdout).unwrap();
    let exec = g
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "@exec")
        .unwrap();
    assert_eq!(exec["members"], serde_json::json!(["execve", "execveat"]));
    let p: Value = serde_json::from_slice(&sysfence(&["presets", "--json"]).stdout).unwrap();
    assert!(p.as_array().unwrap().iter().any(|p| p["name"] == "no-exec"));
}

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
        let o = sysfence(&[
            "run",
            "--preset",
            "no-exec",
            "--exec-guard",
            guard,
            "--",
            "cat",
            "/proc/self/status",
        ]);
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
    // ptrace guard: a 32-bit entry is refused and the command killed (SIGKILL) before
    // it runs, with the reason on stderr.
    let o = sysfence(&[
        "run",
        "--preset",
        "no-exec",
        "--exec-guard",
        "ptrace",
        "--",
        &program,
    ]);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&o.status),
        Some(libc::SIGKILL),
        "{o:?}"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("32-bit program"),
        "{o:?}"
    );
    // notify guard: its first syscall comes through the i386 ABI and meets bad_arch_action
    // (kill_process: the command, which is sysfence's own process, dies of SIGSYS).
    let o = sysfence(&[
        "run",
        "--preset",
        "no-exec",
        "--exec-guard",
        "notify",
        "--",
        &program,
    ]);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&o.status),
        Some(libc::SIGSYS),
        "{o:?}"
    );
}

#[test]
fn run_reports_the_status_even_when_sigchld_was_ignored() {
    use std::os::unix::process::CommandExt;
    for guard in GUARDS {
        let mut cmd = sysfence_command(&[
            "run",
            "--preset",
            "no-exec",
            "--exec-guard",
            guard,
            "--",
            "bash",
            "-c",
            "exit 3",
        ]);
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
