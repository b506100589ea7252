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
