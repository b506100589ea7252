//! Runs every case in tests/vectors/ (the same cases every binding runs).

use serde_json::Value;
use std::collections::BTreeSet;
use sysfence::{Arch, Policy, Severity};

fn cases() -> Vec<(String, Value)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let v = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p.file_name().unwrap().to_string_lossy().to_string(), v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "vectors missing");
    out
}

fn policy_text(case: &Value) -> String {
    match case.get("policy_text") {
        Some(t) => t.as_str().unwrap().to_string(),
        None => case["policy"].to_string(),
    }
}

#[test]
fn every_vector() {
    for (name, case) in cases() {
        let text = policy_text(&case);
        let diags = sysfence::check_json(&text);
        let errors: BTreeSet<&str> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.path.as_str())
            .collect();
        if let Some(expected) = case.get("errors") {
            let expected: BTreeSet<&str> = expected
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(errors, expected, "{name}: error paths ({diags:?})");
            let err = Policy::from_json(&text).expect_err(&name);
            assert_eq!(err.code(), "policy", "{name}");
            assert!(
                expected.contains(err.path().unwrap()),
                "{name}: first path {:?}",
                err.path()
            );
            for (path, needle) in case
                .get("error_contains")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let d = diags
                    .iter()
                    .find(|d| &d.path == path)
                    .unwrap_or_else(|| panic!("{name}: {path}"));
                assert!(
                    d.message.contains(needle.as_str().unwrap()),
                    "{name}: {path}: {}",
                    d.message
                );
            }
            continue;
        }
        assert!(errors.is_empty(), "{name}: unexpected errors {diags:?}");
        let warnings: BTreeSet<&str> = diags.iter().map(|d| d.path.as_str()).collect();
        for w in case
            .get("warnings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            assert!(
                warnings.contains(w.as_str().unwrap()),
                "{name}: warning {w} missing from {diags:?}"
            );
        }
        let policy = Policy::from_json(&text).unwrap();
        // The canonical form reads back to the same policy.
        assert_eq!(
            Policy::from_value(&policy.to_value()).unwrap(),
            policy,
            "{name}: round trip"
        );
        let filter = policy.compile().unwrap();
        for sim in case
            .get("simulate")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let args: Vec<u64> = sim
                .get("args")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|a| a.as_u64().unwrap())
                .collect();
            let arch: Option<Arch> = sim
                .get("arch")
                .map(|a| a.as_str().unwrap().parse().unwrap());
            let syscall = sim["syscall"].as_str().unwrap();
            let verdict = filter.simulate(syscall, &args, arch).unwrap();
            assert_eq!(
                verdict.action.to_string(),
                sim["action"].as_str().unwrap(),
                "{name}: {sim}"
            );
            assert!(verdict.instructions > 0);
        }
    }
}
