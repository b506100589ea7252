// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence ps` and `run`'s `--deny`/`--allow` shorthands, against the real kernel.

mod support;

use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};
use support::{run_args, sysfence_command};

fn sysfence(args: &[&str]) -> Output {
    sysfence_command(args)
        .stdin(Stdio::null())
        .output()
        .expect("run sysfence")
}

fn ps_json() -> Vec<Value> {
    let o = sysfence(&["ps", "--json"]);
    assert!(o.status.success(), "{o:?}");
    serde_json::from_slice::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until `ps --json` shows `pid` running `command` under both of `run`'s filters (the
/// terminal guard and the policy's), and returns its entry: under the ptrace guard the command
/// is stopped at its exec while the helper loads them one after the other.
fn wait_for(pid: u32, command: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = ps_json().into_iter().find(|p| {
            p["pid"] == pid && p["command"] == command && p["filters"].as_u64() >= Some(2)
        });
        if let Some(p) = found {
            return p;
        }
        assert!(Instant::now() < deadline, "pid {pid} never ran {command:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn ps_finds_a_process_confined_by_run() {
    for guard in ["ptrace", "notify"] {
        let child = sysfence_command(&run_args("no-exec", guard, &["sleep", "5"]))
            .spawn()
            .unwrap();
        // run execs the command in place: it keeps sysfence's pid.
        let pid = child.id();
        let p = wait_for(pid, "sleep 5");
        assert_eq!(p["mode"], "filter", "{guard}: {p}");
        // The terminal guard and the policy's filter.
        assert!(p["filters"].as_u64().unwrap() >= 2, "{guard}: {p}");
        assert_eq!(p["no_new_privs"], true, "{guard}: {p}");
        kill(child);
    }
    // Control: this test process runs without seccomp, and is listed as such.
    let me = ps_json()
        .into_iter()
        .find(|p| p["pid"] == std::process::id())
        .unwrap();
    assert_eq!(me["mode"], "disabled", "{me}");
    assert_eq!(me["no_new_privs"], false, "{me}");
}

#[test]
fn ps_prints_a_table() {
    let o = sysfence(&["ps"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().contains("SECCOMP"));
    let me = std::process::id().to_string();
    assert!(
        lines.any(|l| l.split_whitespace().next() == Some(me.as_str()) && l.contains("disabled")),
        "{text}"
    );
}

const PYTHON: &str = "/usr/bin/python3";

/// A python program that binds a socket and creates one, printing what each call gave.
const BIND: &str = r#"
import socket, errno
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print("socket ok")
except OSError as e:
    print("socket", errno.errorcode[e.errno]); raise SystemExit(0)
try:
    s.bind(("127.0.0.1", 0)); print("bind ok")
except OSError as e:
    print("bind", errno.errorcode[e.errno])
"#;

fn run_python(options: &[&str], script: &str) -> Output {
    let mut args = vec!["run"];
    args.extend_from_slice(options);
    args.extend_from_slice(&["--", PYTHON, "-c", script]);
    sysfence(&args)
}

fn lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn deny_refuses_bind_with_eperm_and_allows_the_rest() {
    // Control: unconfined, bind works.
    assert_eq!(
        lines(&run_python(&["--deny", "mount"], BIND)),
        ["socket ok", "bind ok"]
    );
    let o = run_python(&["--deny", "bind"], BIND);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(lines(&o), ["socket ok", "bind EPERM"]);
    // An action of one's own, groups, several options.
    let o = run_python(&["--deny", "bind:errno:EACCES", "--deny", "@mount"], BIND);
    assert_eq!(lines(&o), ["socket ok", "bind EACCES"]);
    let o = run_python(&["--deny", "@network:errno:EAFNOSUPPORT"], BIND);
    assert_eq!(lines(&o), ["socket EAFNOSUPPORT"]);
    let o = run_python(&["--deny", "bind,listen:kill_process"], BIND);
    assert_eq!(o.status.signal(), Some(libc::SIGSYS), "{o:?}");
}

#[test]
fn shorthands_decide_over_a_policy_or_preset() {
    let dir = std::env::temp_dir().join(format!("sysfence-shorthands-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("no-network.json");
    std::fs::write(
        &policy,
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["@network"]}]}"#,
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    assert_eq!(
        lines(&run_python(&["--policy", policy], BIND)),
        ["socket EACCES"]
    );
    // --allow takes socket out of the policy's @network rule; bind stays refused.
    let o = run_python(&["--policy", policy, "--allow", "socket"], BIND);
    assert_eq!(lines(&o), ["socket ok", "bind EACCES"], "{o:?}");
    // --deny adds to a preset, which still refuses exec.
    let o = run_python(
        &["--preset", "no-exec", "--deny", "bind"],
        &format!("{BIND}\nimport os\ntry:\n    os.execv('/bin/true', ['true'])\nexcept OSError as e:\n    print('exec', errno.errorcode[e.errno])\n"),
    );
    assert_eq!(
        lines(&o),
        ["socket ok", "bind EPERM", "exec EACCES"],
        "{o:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn allow_alone_refuses_everything_else() {
    // In log mode the allowlist only logs: `true` runs.
    let o = sysfence(&["run", "--log-only", "--allow", "read", "--", "true"]);
    assert!(o.status.success(), "{o:?}");
    // Enforced, every call but read fails with EPERM (the command's own exec goes through the
    // exec guard): the dynamic loader cannot map libc and gives up, never exiting 0.
    let o = sysfence(&["run", "--allow", "read", "--", "true"]);
    assert_ne!(o.status.code(), Some(0), "{o:?}");
}

#[test]
fn bad_shorthands_are_refused_naming_the_option_and_nothing_runs() {
    let dir = std::env::temp_dir().join(format!("sysfence-bad-shorthand-{}", std::process::id()));
    let marker = dir.join("ran");
    std::fs::create_dir_all(&dir).unwrap();
    let marker = marker.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--deny", "bnd"],
            r#"error: --deny bnd: unknown syscall "bnd" (did you mean "bind"?)"#,
        ),
        (
            &["--deny", "bind:deny"],
            "error: --deny bind:deny: unknown action \"deny\"",
        ),
        (
            &["--deny", "@netwrk"],
            r#"error: --deny @netwrk: unknown group "@netwrk" (did you mean "@network"?)"#,
        ),
        (
            &["--deny", "bind", "--allow", "bind,read"],
            r#"error: --allow bind,read: conflicting rules for "bind": allow here, but errno:EPERM in --deny bind"#,
        ),
        (
            &["--preset", "no-exec", "--deny", "bind,"],
            "error: --deny bind,: ",
        ),
    ];
    for (options, expected) in cases {
        let mut args = vec!["run"];
        args.extend_from_slice(options);
        args.extend_from_slice(&["--", "touch", marker]);
        let o = sysfence(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{options:?}: {err}");
        assert!(err.starts_with(expected), "{options:?}: {err}");
        assert!(!std::path::Path::new(marker).exists(), "{options:?} ran");
    }
    // --policy and --preset together are refused by the parser.
    let o = sysfence(&["run", "--policy", "x", "--preset", "no-exec", "--", "true"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
