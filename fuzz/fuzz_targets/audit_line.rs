// SPDX-License-Identifier: MIT OR Apache-2.0
//! The audit record parser: any line parses or is skipped, never a panic; ECS always serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    if let Some(event) = sysfence::audit::parse_line(&line) {
        let ecs = event.to_ecs("fuzz");
        assert_eq!(ecs["event"]["action"], "violated-seccomp-policy");
        let _ = event.to_text();
    }
});
