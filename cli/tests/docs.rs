//! Runs every `$ sysfence ...` line of docs/cli.md from docs/examples/ and checks its exit
//! status (0, or the `# exit N` the doc gives).

use std::process::Command;

#[test]
fn every_cli_example_runs_as_documented() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let doc = std::fs::read_to_string(format!("{root}/docs/cli.md")).unwrap();
    let mut ran = 0;
    for line in doc.lines() {
        let Some(cmd) = line.strip_prefix("$ sysfence ") else {
            continue;
        };
        let (cmd, want) = match cmd.split_once("# exit ") {
            Some((c, n)) => (c.trim(), n.trim().parse::<i32>().unwrap()),
            None => (cmd.trim(), 0),
        };
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("\"$SYSFENCE\" {cmd}"))
            .env("SYSFENCE", env!("CARGO_BIN_EXE_sysfence"))
            .current_dir(format!("{root}/docs/examples"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(want),
            "sysfence {cmd}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} examples");
}
