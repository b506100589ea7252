// SPDX-License-Identifier: MIT OR Apache-2.0
//! Bad input never panics: every vector's policy text, mutated many ways, gets either a
//! policy or a policy error with a path.

use sysfence::{Policy, Severity};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, so a failure reproduces.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "-1",
    "1e400",
    "18446744073709551616",
    "\"@\"",
    "\"errno:\"",
    "\"trace:99999\"",
    "\"\\u0000\"",
    "\"x86\"",
    "\"index\"",
    "0x",
    "\u{1F600}",
];

#[test]
fn mutated_policies_never_panic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors");
    let mut seeds: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            v.get("policy").map(|p| p.to_string()).unwrap_or_default()
        })
        .collect();
    seeds.retain(|s| !s.is_empty());
    let mut rng = Rng(0x5eed_cafe);
    let mut checked = 0;
    for seed in &seeds {
        for _ in 0..400 {
            let mut text: Vec<char> = seed.chars().collect();
            for _ in 0..=rng.below(4) {
                let at = rng.below(text.len() + 1);
                match rng.below(3) {
                    0 if !text.is_empty() => {
                        let end = (at + rng.below(8)).min(text.len());
                        text.drain(at.min(text.len())..end);
                    }
                    1 => text
                        .splice(at..at, TOKENS[rng.below(TOKENS.len())].chars())
                        .for_each(drop),
                    _ => {
                        if at < text.len() {
                            text[at] = char::from(32 + rng.below(95) as u8);
                        }
                    }
                }
            }
            let text: String = text.into_iter().collect();
            let diags = sysfence::check_json(&text).diagnostics;
            match Policy::from_json(&text) {
                Ok(p) => {
                    assert!(
                        diags.iter().all(|d| d.severity == Severity::Warning)
                            || p.compile().is_err(),
                        "{text}"
                    );
                }
                Err(e) => {
                    assert_eq!(e.code(), "policy");
                    assert!(
                        !e.diagnostics().is_empty() && diags.iter().any(|d| d.is_error()),
                        "{text}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 1000);
}
