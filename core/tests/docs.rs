// SPDX-License-Identifier: MIT OR Apache-2.0
//! Every policy example in docs/policy.md is checked: `json` blocks must compile, `json invalid`
//! blocks must be refused at exactly the paths the doc lists, and the group table must match.

use std::collections::BTreeSet;
use sysfence::{groups, Policy};

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/policy.md")).unwrap()
}

/// (info string, body, the line after the block)
fn blocks(text: &str) -> Vec<(String, String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].strip_prefix("```") {
            let start = i + 1;
            let mut end = start;
            while !lines[end].starts_with("```") {
                end += 1;
            }
            let after = lines.get(end + 1).unwrap_or(&"").to_string();
            out.push((info.trim().to_string(), lines[start..end].join("\n"), after));
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn policy_examples_compile_and_invalid_ones_fail_where_the_doc_says() {
    let (mut valid, mut invalid) = (0, 0);
    for (info, body, after) in blocks(&doc()) {
        match info.as_str() {
            "json" => {
                let p = Policy::from_json(&body).unwrap_or_else(|e| panic!("{body}\n{e}"));
                p.compile().unwrap_or_else(|e| panic!("{body}\n{e}"));
                valid += 1;
            }
            "json invalid" => {
                let listed: BTreeSet<String> = after
                    .strip_prefix("errors: ")
                    .unwrap_or_else(|| panic!("no errors line after {body}"))
                    .split(", ")
                    .map(|s| s.trim_matches('`').to_string())
                    .collect();
                let err = Policy::from_json(&body).expect_err(&body);
                let found: BTreeSet<String> =
                    err.diagnostics().iter().map(|d| d.path.clone()).collect();
                assert_eq!(found, listed, "{body}");
                invalid += 1;
            }
            _ => {}
        }
    }
    assert!(
        valid >= 5 && invalid >= 3,
        "{valid} valid, {invalid} invalid examples"
    );
}

#[test]
fn group_table_matches_the_groups() {
    let text = doc();
    for g in groups::GROUPS {
        let row = format!("| `@{}` | {} |", g.name, g.members.join(" "));
        assert!(
            text.contains(&row),
            "docs/policy.md lacks or misstates: {row}"
        );
    }
}
