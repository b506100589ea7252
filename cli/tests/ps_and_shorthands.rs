//! `sysfence ps` and `run`'s `--deny`/`--allow` shorthands, against the real kernel.

use serde_json::Value;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `sysfence ARGS`. The notify guard refuses a command that would hold CAP_SYS_PTRACE (the tests
/// run as root): with it, sysfence runs under setpriv with that capability dropped.
fn sysfence_command(args: &[&str]) -> Command {
    let mut cmd = if args.windows(2).any(|w| w == ["--exec-guard", "notify"]) {
        let mut c = Command::new("setpriv");
        c.args(["--bounding-set=-sys_ptrace", env!("CARGO_BIN_EXE_sysfence")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_sysfence"))
    };
    cmd.args(args);
    cmd
}

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

/// Waits until `ps --json` shows `pid` running `command`, and returns its entry.
fn wait_for(pid: u32, command: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = ps_json()
            .into_iter()
            .find(|p| p["pid"] == pid && p["command"] == command);
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
        let child = sysfence_command(&[
            "run",
            "--preset",
            "no-exec",
            "--exec-guard",
            guard,
            "--",
            "sleep",
            "5",
        ])
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
