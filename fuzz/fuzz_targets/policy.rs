// SPDX-License-Identifier: MIT OR Apache-2.0
//! The policy parser and compiler: any text gets a policy or located errors, never a panic;
//! a policy that compiles simulates without error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let diagnostics = sysfence::check_json(text).diagnostics;
    // The policy-argument rule never panics either.
    let _ = sysfence::Policy::from_argument(text);
    match sysfence::Policy::from_json(text) {
        Err(e) => assert!(!e.diagnostics().is_empty()),
        Ok(policy) => {
            assert!(diagnostics.iter().all(|d| !d.is_error()) || policy.compile().is_err());
            let again = sysfence::Policy::from_value(&policy.to_value())
                .expect("canonical form reads back");
            assert_eq!(again, policy);
            if let Ok(filter) = policy.compile() {
                for name in ["execve", "openat", "clone", "read"] {
                    filter
                        .simulate(name, &[0, 1, 2, 3, 4, 5], None)
                        .expect("simulate");
                }
            }
        }
    }
});
