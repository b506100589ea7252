// SPDX-License-Identifier: MIT OR Apache-2.0
//! Runs every case in tests/vectors/ (the same cases every binding runs).

use serde_json::Value;
use sysfence::{Arch, CheckReport, Policy, Severity};

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

/// The case's check report and compiled policy, through the form the case names.
fn check_and_read(case: &Value) -> (CheckReport, sysfence::Result<Policy>) {
    if let Some(t) = case.get("argument") {
        let t = t.as_str().unwrap();
        (sysfence::check_argument(t), Policy::from_argument(t))
    } else if let Some(t) = case.get("policy_text") {
        let t = t.as_str().unwrap();
        (sysfence::check_json(t), Policy::from_json(t))
    } else {
        let v = &case["policy"];
        (sysfence::check(v), Policy::from_value(v))
    }
}

/// `[(path, kind)]` of a vector's `errors` or `warnings`.
fn expected(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn found<'a>(diags: impl Iterator<Item = &'a sysfence::Diagnostic>) -> Vec<(String, String)> {
    diags
        .map(|d| (d.path.clone(), d.kind.name().to_string()))
        .collect()
}

#[test]
fn every_vector() {
    for (name, case) in cases() {
        let (report, read) = check_and_read(&case);
        let errors = found(
            report
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error),
        );
        assert_eq!(report.errors, errors.len(), "{name}");
        assert_eq!(report.ok, errors.is_empty(), "{name}");
        assert_eq!(
            serde_json::to_value(&report).unwrap()["diagnostics"]
                .as_array()
                .map(Vec::len),
            Some(report.diagnostics.len()),
            "{name}"
        );
        if let Some(list) = case.get("errors") {
            let want = expected(list);
            assert_eq!(errors, want, "{name}: errors ({report:?})");
            for (path, suggestion) in case
                .get("suggestions")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let d = report
                    .diagnostics
                    .iter()
                    .find(|d| &d.path == path)
                    .unwrap_or_else(|| panic!("{name}: {path}"));
                assert_eq!(
                    d.suggestion.as_deref(),
                    suggestion.as_str(),
                    "{name}: {path}"
                );
            }
            let err = read.expect_err(&name);
            assert_eq!(err.code(), "policy", "{name}");
            let first = &err.diagnostics()[0];
            assert_eq!(
                (first.path.clone(), first.kind.name().to_string()),
                want[0],
                "{name}: first error"
            );
            continue;
        }
        let want = expected(case.get("warnings").expect("errors or warnings"));
        assert_eq!(found(report.diagnostics.iter()), want, "{name}: warnings");
        assert_eq!(report.warnings, want.len(), "{name}");
        let policy = read.unwrap();
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
            if let Some(by) = sim.get("decided_by") {
                let e = filter.explain(syscall, &args, arch).unwrap();
                assert_eq!(e.verdict, verdict, "{name}: {sim}");
                assert_eq!(e.decided_by, by.as_str().unwrap(), "{name}: {sim}");
            }
        }
    }
}
