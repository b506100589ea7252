// SPDX-License-Identifier: MIT OR Apache-2.0
//! The `sysfence` binary end to end: check, compile, explain, the lists and bad input (`run` is
//! in run.rs).

mod support;

use support::{stdout, sysfence, temp_policy};

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

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
