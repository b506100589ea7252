// SPDX-License-Identifier: MIT OR Apache-2.0
//! Runs every `$ sysfence ...` line of the console blocks in README.md, docs/cli.md,
//! docs/policy.md, docs/learning.md and docs/containers.md from docs/examples/: the exit status must be 0 (or the `# exit N` the line
//! gives), and where output lines follow a command they must be exactly what it prints
//! (stdout and stderr together, compared as sorted lines since the two streams interleave).

use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

struct Example {
    doc: &'static str,
    command: String,
    status: i32,
    output: Vec<String>,
}

fn examples(doc: &'static str) -> Vec<Example> {
    let text = std::fs::read_to_string(format!("{ROOT}/{doc}")).unwrap();
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ sysfence ") {
            let (command, status) = match cmd.split_once("# exit ") {
                Some((c, n)) => (c.trim().to_string(), n.trim().parse().unwrap()),
                None => (cmd.trim().to_string(), 0),
            };
            out.push(Example {
                doc,
                command,
                status,
                output: Vec::new(),
            });
        } else if line.starts_with('$') || line.starts_with('#') {
            // Another program's prompt, or a root prompt shown but not run here.
            continue;
        } else if let Some(last) = out.last_mut() {
            last.output.push(line.to_string());
        }
    }
    out
}

#[test]
fn every_console_example_runs_as_documented() {
    let mut ran = 0;
    for doc in [
        "README.md",
        "docs/cli.md",
        "docs/policy.md",
        "docs/learning.md",
        "docs/containers.md",
    ] {
        for ex in examples(doc) {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("\"$SYSFENCE\" {}", ex.command))
                .env("SYSFENCE", env!("CARGO_BIN_EXE_sysfence"))
                .current_dir(format!("{ROOT}/docs/examples"))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(ex.status),
                "{}: sysfence {}\n{stderr}",
                ex.doc,
                ex.command
            );
            if !ex.output.is_empty() {
                let mut printed: Vec<String> = String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .chain(stderr.lines())
                    .map(str::to_string)
                    .collect();
                let mut expected = ex.output.clone();
                printed.sort();
                expected.sort();
                assert_eq!(printed, expected, "{}: sysfence {}", ex.doc, ex.command);
            }
            ran += 1;
        }
    }
    assert!(ran >= 20, "only {ran} examples");
}

#[test]
fn the_readme_policy_is_the_example_file() {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let block = readme
        .split("```json\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let file = std::fs::read_to_string(format!("{ROOT}/docs/examples/policy.json")).unwrap();
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
    assert_eq!(parse(block), parse(&file));
}

/// The fenced block of `doc` whose first line is `first`, without that line.
fn block_starting(doc: &str, first: &str) -> Option<String> {
    let text = std::fs::read_to_string(format!("{ROOT}/{doc}")).unwrap();
    let mut lines = text.lines().skip_while(|l| l.trim() != first);
    lines.next()?;
    Some(
        lines
            .take_while(|l| !l.starts_with("```"))
            .map(|l| format!("{l}\n"))
            .collect(),
    )
}

/// docs/monitoring.md's systemd unit: systemd creates the directory it writes to
/// (`LogsDirectory=`; without it the service failed and restarted for ever), logrotate rotates
/// that file, and `systemd-analyze verify` (and `logrotate -d`) accept them where installed.
#[test]
fn the_monitoring_service_and_its_rotation_are_valid() {
    let unit = block_starting(
        "docs/monitoring.md",
        "# /etc/systemd/system/sysfence-audit.service",
    )
    .expect("the unit in docs/monitoring.md");
    let key = |name: &str| {
        unit.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    };
    let exec = key("ExecStart").expect("ExecStart");
    let out = exec
        .split(">> ")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("the output file");
    let logs = key("LogsDirectory").expect("LogsDirectory=, or the directory never exists");
    assert!(
        out.starts_with(&format!("/var/log/{logs}/")),
        "{out} is not under LogsDirectory={logs}"
    );
    let rotate = block_starting("docs/monitoring.md", "# /etc/logrotate.d/sysfence")
        .expect("the logrotate snippet");
    assert!(rotate.contains(&format!("{out} {{")), "{rotate}");
    assert!(
        rotate.contains("copytruncate"),
        "the service never reopens the file"
    );

    let dir = std::env::temp_dir().join(format!("sysfence-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sysfence-audit.service");
    std::fs::write(&path, &unit).unwrap();
    match Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
    {
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "systemd-analyze verify: {err}");
            // Unknown keys are warnings, not failures: none may appear for this unit.
            assert!(
                !err.contains("sysfence-audit.service:"),
                "systemd-analyze verify: {err}"
            );
        }
        Err(_) => eprintln!("skipped: systemd-analyze is not installed"),
    }
    let conf = dir.join("logrotate.conf");
    std::fs::write(&conf, &rotate).unwrap();
    match Command::new("logrotate")
        .arg("-d")
        .arg("-s")
        .arg(dir.join("state"))
        .arg(&conf)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "logrotate -d: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => eprintln!("skipped: logrotate is not installed"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
