// SPDX-License-Identifier: MIT OR Apache-2.0
//! Precompiled filters: the sfb container round trip, the kernel running a filter loaded from
//! bytes (in forked children), and the shared malformed inputs every binding must refuse.

mod common;

use common::{in_child, outcome_of, Outcome};
use sysfence::{Arch, Filter, Policy};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/compiled")
}

fn no_exec() -> Filter {
    Policy::preset("no-exec").unwrap().compile().unwrap()
}

fn exec_errno(f: &Filter) -> Outcome {
    let path = c"/bin/true";
    let argv = [path.as_ptr(), std::ptr::null()];
    in_child(f, || {
        // SAFETY: valid NUL-terminated path and argv.
        unsafe { libc::execv(path.as_ptr(), argv.as_ptr()) };
        // SAFETY: errno of this thread.
        unsafe { *libc::__errno_location() }
    })
    .0
}

#[test]
fn round_trip_keeps_program_flags_and_provenance() {
    let policy = Policy::from_json(
        r#"{"version":1,"default_action":"allow","log_denied":true,"mode":"log",
            "rules":[{"syscalls":["personality"],"action":"errno:EPERM","args":[{"index":0,"op":"eq","value":8}]}]}"#,
    )
    .unwrap();
    let f = policy.compile().unwrap();
    let bytes = f.to_compiled();
    let g = Filter::from_compiled(&bytes).unwrap();
    assert_eq!(g.bpf(), f.bpf());
    assert_eq!(g.load_flags(), f.load_flags());
    assert_eq!(g.load_flags(), 3);
    // LOG | NEW_LISTENER: the kernel refuses TSYNC beside a listener.
    assert_eq!(g.listener_flags(), 2 | 8);
    assert_eq!(g.architectures(), f.architectures());
    assert_eq!(g.mode(), f.mode());
    assert!(g.log_denied());
    assert_eq!(g.policy_digest(), f.policy_digest());
    assert_eq!(g.policy_digest().len(), 64);
    let p = g.provenance().unwrap();
    assert_eq!(p.format_version, 1);
    assert_eq!(p.sysfence_version, sysfence::VERSION);
    assert_eq!(p.libseccomp_version, sysfence::libseccomp_version());
    // Written again, the container is the same bytes.
    assert_eq!(g.to_compiled(), bytes);
    // The simulator runs the same bytes; explain says it cannot name rules.
    for args in [[8u64], [0]] {
        assert_eq!(
            g.simulate("personality", &args, None).unwrap(),
            f.simulate("personality", &args, None).unwrap()
        );
    }
    let e = g.explain("personality", &[8], None).unwrap();
    assert!(
        e.decided_by.contains("precompiled filter"),
        "{}",
        e.decided_by
    );
    assert!(g.pfc().starts_with("# no PFC"));
}

#[test]
fn precompiled_no_exec_refuses_exec_in_child() {
    let g = Filter::from_compiled(&no_exec().to_compiled()).unwrap();
    assert_eq!(
        exec_errno(&g),
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    // Other calls still run.
    assert_eq!(
        outcome_of(&g, "getpid", [0; 6]),
        Outcome::Returned { errno: 0 }
    );
}

#[test]
fn raw_bpf_from_another_tool_loads_with_explicit_flags() {
    let f = no_exec();
    let g = Filter::from_raw_bpf(f.bpf(), f.architectures(), 1).unwrap();
    assert_eq!(g.load_flags(), 1);
    assert_eq!(g.listener_flags(), 8);
    assert!(g.provenance().unwrap().policy_digest.is_empty());
    assert_eq!(
        exec_errno(&g),
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    let e = Filter::from_raw_bpf(f.bpf(), f.architectures(), 8).unwrap_err();
    assert!(e.to_string().contains("seccomp flags 0x8"), "{e}");
    let other: Vec<Arch> = Arch::all()
        .filter(|a| *a != Arch::native() && a.name() == "mips")
        .collect();
    let e = Filter::from_raw_bpf(f.bpf(), &other, 1).unwrap_err();
    assert!(e.to_string().contains("not for this machine"), "{e}");
}

#[test]
fn shared_malformed_inputs_are_refused_with_their_reason() {
    let dir = fixtures();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let cases = expected.as_object().unwrap();
    assert!(cases.len() >= 15);
    for (name, case) in cases {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let result = match case["kind"].as_str().unwrap() {
            "sfb" => Filter::from_compiled(&bytes),
            _ => Filter::from_raw_bpf(&bytes, &[Arch::native()], 1),
        };
        let err = result.expect_err(name);
        assert_eq!(err.code(), "invalid_argument", "{name}");
        let want = case["error"].as_str().unwrap();
        assert!(
            err.to_string().contains(want),
            "{name}: {err} lacks {want:?}"
        );
    }
}

#[test]
fn every_single_byte_change_or_cut_is_refused() {
    let bytes = no_exec().to_compiled();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x20;
        assert!(Filter::from_compiled(&b).is_err(), "flip at {i}");
        assert!(Filter::from_compiled(&bytes[..i]).is_err(), "cut at {i}");
    }
}
