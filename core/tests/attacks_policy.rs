// SPDX-License-Identifier: MIT OR Apache-2.0
//! Attacks on policy parsing and expansion (issue 9, items 6, 9 and 14): an own exception that
//! erased a preset, policies large enough to hang the compiler, and JSON that two parsers read
//! differently. What the kernel decides is checked in forked children.

mod common;

use common::{filter, outcome_of, Outcome};
use std::time::{Duration, Instant};
use sysfence::{Action, Arch, Policy, Severity};

const EACCES: Outcome = Outcome::Returned {
    errno: libc::EACCES,
};
const EPERM: Outcome = Outcome::Returned { errno: libc::EPERM };
/// execve with a bogus pointer: the filter let it through and the kernel refused the address.
const EFAULT: Outcome = Outcome::Returned {
    errno: libc::EFAULT,
};

fn policy_error(json: &str) -> (String, String) {
    let e = Policy::from_json(json).expect_err("must be refused");
    let d = &e.diagnostics()[0];
    (d.path.clone(), d.message.clone())
}

/// `explain` and `simulate` agree with each other: the deciding rule's origin for `args`.
fn decided_by(p: &Policy, syscall: &str, args: &[u64]) -> (Action, String) {
    let f = p.compile().unwrap();
    let v = f.simulate(syscall, args, None).unwrap();
    let origin = p
        .deciding_rule(syscall, args, v.action)
        .map(|r| r.origin)
        .unwrap_or_else(|| "default_action".into());
    (v.action, origin)
}

// ---- item 6: own rules refine presets --------------------------------------------------------

const NO_EXEC_EXCEPT_ARG0_1: &str = r#"{ "default_action": "allow", "extends": ["no-exec"],
    "rules": [{ "action": "allow", "syscalls": ["execve"],
                "args": [{ "index": 0, "op": "eq", "value": 1 }] }] }"#;

#[test]
fn an_own_exception_keeps_the_presets_refusal_for_everything_else() {
    let f = filter(NO_EXEC_EXCEPT_ARG0_1);
    // Any other path is refused by no-exec, as before the exception was written.
    assert_eq!(outcome_of(&f, "execve", [2, 0, 0, 0, 0, 0]), EACCES);
    assert_eq!(outcome_of(&f, "execve", [0, 0, 0, 0, 0, 0]), EACCES);
    // The exception itself is let through (a bogus pointer: the kernel says EFAULT).
    assert_eq!(outcome_of(&f, "execve", [1, 0, 0, 0, 0, 0]), EFAULT);
    // The preset's other rules are untouched.
    assert_eq!(
        outcome_of(&f, "execveat", [libc::AT_FDCWD as u64, 1, 0, 0, 0, 0]),
        EACCES
    );

    let p = Policy::from_json(NO_EXEC_EXCEPT_ARG0_1).unwrap();
    let (action, origin) = decided_by(&p, "execve", &[1]);
    assert_eq!(action, Action::Allow);
    assert_eq!(origin, "rules[0].syscalls[0]");
    let (action, origin) = decided_by(&p, "execve", &[2]);
    assert_eq!(action, Action::Errno(libc::EACCES as u16));
    assert!(
        origin.starts_with("extends[0] (no-exec) rules[0].syscalls[0]")
            && origin.contains("rules[0] does not match"),
        "{origin}"
    );
    // `run` must not think exec is simply allowed.
    assert_eq!(p.unconditional_action("execve"), None);
    // The exception is not reported as a dropped rule.
    assert!(
        !p.lint().iter().any(|d| d.path == "rules[0]"),
        "{:?}",
        p.lint()
    );
}

#[test]
fn an_own_exception_with_another_action_and_on_two_arguments() {
    let f = filter(
        r#"{ "default_action": "allow", "extends": ["no-exec"], "rules": [
            { "action": "errno:EPERM", "syscalls": ["execve"], "args": [{ "index": 0, "op": "eq", "value": 1 }] },
            { "action": "allow", "syscalls": ["execve"], "args": [{ "index": 1, "op": "eq", "value": 5 }] }] }"#,
    );
    assert_eq!(outcome_of(&f, "execve", [1, 0, 0, 0, 0, 0]), EPERM);
    assert_eq!(outcome_of(&f, "execve", [2, 5, 0, 0, 0, 0]), EFAULT);
    assert_eq!(outcome_of(&f, "execve", [2, 0, 0, 0, 0, 0]), EACCES);
    assert_eq!(outcome_of(&f, "execve", [3, 6, 0, 0, 0, 0]), EACCES);
}

#[test]
fn an_own_rule_without_conditions_still_replaces_the_preset() {
    let f = filter(
        r#"{ "default_action": "allow", "extends": ["no-exec"],
             "rules": [{ "action": "errno:EPERM", "syscalls": ["execve"] }] }"#,
    );
    assert_eq!(outcome_of(&f, "execve", [2, 0, 0, 0, 0, 0]), EPERM);
    let p = Policy::from_json(
        r#"{ "default_action": "errno:ENOSYS", "extends": ["no-exec"],
             "rules": [{ "action": "allow", "syscalls": ["execve", "exit", "exit_group"] }] }"#,
    )
    .unwrap();
    assert_eq!(p.unconditional_action("execve"), Some(Action::Allow));
}

#[test]
fn exceptions_in_log_mode_and_to_a_conditional_preset_rule() {
    let p = Policy::from_json(
        r#"{ "default_action": "allow", "extends": ["no-exec"], "mode": "log",
             "rules": [{ "action": "allow", "syscalls": ["execve"], "args": [{ "index": 0, "op": "eq", "value": 1 }] }] }"#,
    )
    .unwrap();
    assert_eq!(decided_by(&p, "execve", &[2]).0, Action::Log);
    assert_eq!(decided_by(&p, "execve", &[1]).0, Action::Allow);

    // no-spawn refuses clone without CLONE_THREAD (masked_eq); an own exception for
    // CLONE_VFORK (0x4000) narrows it to calls with neither bit.
    let p = Policy::from_json(
        r#"{ "default_action": "allow", "extends": ["no-spawn"],
             "rules": [{ "action": "allow", "syscalls": ["clone"],
                         "args": [{ "index": 0, "op": "masked_eq", "mask": 16384, "value": 16384 }] }] }"#,
    )
    .unwrap();
    let refused = Action::Errno(libc::EACCES as u16);
    assert_eq!(decided_by(&p, "clone", &[0]).0, refused);
    assert_eq!(decided_by(&p, "clone", &[0x4000]).0, Action::Allow);
    assert_eq!(decided_by(&p, "clone", &[0x10000]).0, Action::Allow);
    assert_eq!(decided_by(&p, "clone", &[0x11]).0, refused);
    let f = p.compile().unwrap();
    assert_eq!(outcome_of(&f, "fork", [0; 6]), EACCES);
}

#[test]
fn an_exception_libseccomp_cannot_express_is_refused_not_dropped() {
    let (path, msg) = policy_error(
        r#"{ "default_action": "allow", "extends": ["no-exec"], "rules": [
            { "action": "allow", "syscalls": ["execve"], "args": [{ "index": 0, "op": "eq", "value": 1 }] },
            { "action": "allow", "syscalls": ["execve"], "args": [{ "index": 0, "op": "eq", "value": 2 }] }] }"#,
    );
    assert_eq!(path, "rules[0].syscalls[0]");
    assert!(
        msg.contains("extends[0] (no-exec) rules[0].syscalls[0]")
            && msg.contains("two comparisons of argument 0"),
        "{msg}"
    );
}

// ---- item 9: large policies fail or succeed fast ---------------------------------------------

fn rules_json(n: usize, rule: impl Fn(usize) -> String) -> String {
    let rules: Vec<String> = (0..n).map(rule).collect();
    format!(
        r#"{{ "default_action": "allow", "rules": [{}] }}"#,
        rules.join(",")
    )
}

fn distinct_values(n: usize) -> String {
    rules_json(n, |i| {
        format!(
            r#"{{ "action": "errno", "syscalls": ["read"], "args": [{{ "index": 0, "op": "eq", "value": {} }}] }}"#,
            i + 100
        )
    })
}

fn assert_refused_as_too_large(json: &str, budget: Duration) {
    let start = Instant::now();
    let p = Policy::from_json(json).expect("valid, only too large");
    let e = p.compile().expect_err("cannot fit 4096 instructions");
    let elapsed = start.elapsed();
    assert!(
        e.to_string().contains("at least") && e.to_string().contains("4096"),
        "{e}"
    );
    assert!(elapsed < budget, "took {elapsed:?}");
}

#[test]
fn ten_and_thirty_thousand_conditional_rules_are_refused_quickly() {
    let json = distinct_values(10_000);
    assert!(json.len() > 900_000);
    assert_refused_as_too_large(&json, Duration::from_secs(20));
    assert_refused_as_too_large(&distinct_values(30_000), Duration::from_secs(20));
}

#[test]
fn a_million_identical_rules_compile_to_one() {
    let rule = serde_json::json!({ "action": "errno", "syscalls": ["dup"] });
    let one = serde_json::json!({ "default_action": "allow", "rules": [rule] });
    let mut many = one.clone();
    many["rules"] = serde_json::Value::Array(vec![rule; 1_000_000]);

    // As text (39 MB) it is over the size limit: refused before parsing.
    let text = many.to_string();
    let start = Instant::now();
    let (path, msg) = policy_error(&text);
    assert_eq!(path, "$");
    assert!(msg.contains("at most 16777216 bytes"), "{msg}");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "took {:?}",
        start.elapsed()
    );
    drop(text);

    // As a value (a Python dict, a JS object) it is validated in linear time.
    let start = Instant::now();
    let p = Policy::from_value(&many).unwrap();
    assert_eq!(p.effective_rules().len(), 1);
    let f = p.compile().unwrap();
    let single = Policy::from_value(&one).unwrap().compile().unwrap();
    assert_eq!(f.bpf(), single.bpf());
    assert!(
        start.elapsed() < Duration::from_secs(40),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_megabyte_syscall_name_is_refused_quickly() {
    let name = "a".repeat(1 << 20);
    let json = format!(
        r#"{{ "default_action": "allow", "rules": [{{ "action": "errno", "syscalls": ["{name}"] }}] }}"#
    );
    let start = Instant::now();
    let (path, msg) = policy_error(&json);
    assert_eq!(path, "rules[0].syscalls[0]");
    assert!(
        msg.starts_with("unknown syscall") && msg.len() < 200,
        "{}",
        &msg[..200.min(msg.len())]
    );
    // Many long unknown names, as typos would come: still fast.
    let long = "x".repeat(40);
    let json = rules_json(5_000, |i| {
        format!(r#"{{ "action": "errno", "syscalls": ["{long}{i}"] }}"#)
    });
    assert!(Policy::from_json(&json).is_err());
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

// ---- item 14: JSON two parsers read differently, and small things ------------------------------

#[test]
fn duplicate_keys_are_errors_naming_their_path() {
    let (path, msg) =
        policy_error(r#"{ "default_action": "errno", "rules": [], "default_action": "allow" }"#);
    assert_eq!(path, "default_action");
    assert!(msg.contains("twice"), "{msg}");
    let (path, _) = policy_error(
        r#"{ "default_action": "allow", "rules": [{ "action": "errno", "syscalls": ["dup"], "action": "allow" }] }"#,
    );
    assert_eq!(path, "rules[0].action");
    // `check` reads the text the same way.
    let diags = sysfence::check_json(r#"{ "default_action": "errno", "default_action": "allow" }"#)
        .diagnostics;
    assert_eq!(diags[0].path, "default_action");
    assert_eq!(diags[0].severity, Severity::Error);
    assert_eq!(diags[0].kind, sysfence::DiagnosticKind::DuplicateKey);
}

#[test]
fn signed_and_lowercase_action_data_are_refused() {
    for (action, hint) in [
        ("errno:+5", "unknown errno name \"+5\""),
        ("trace:+1", "trace value"),
        ("errno:eperm", "did you mean \"errno:EPERM\""),
    ] {
        let (path, msg) = policy_error(&format!(r#"{{ "default_action": "{action}" }}"#));
        assert_eq!(path, "default_action");
        assert!(msg.contains(hint), "{action}: {msg}");
    }
}

#[test]
fn numbers_beyond_64_bits_are_shown_as_written() {
    let (path, msg) = policy_error(
        r#"{ "default_action": "allow", "rules": [{ "action": "errno", "syscalls": ["dup"],
             "args": [{ "index": 0, "op": "eq", "value": 18446744073709551616 }] }] }"#,
    );
    assert_eq!(path, "rules[0].args[0].value");
    assert!(msg.ends_with("found 18446744073709551616"), "{msg}");
}

#[test]
fn a_byte_order_mark_is_refused_clearly() {
    let (path, msg) = policy_error("\u{feff}{ \"default_action\": \"errno\" }");
    assert_eq!(path, "$");
    assert!(msg.contains("byte order mark"), "{msg}");
}

#[test]
fn architectures_of_two_byte_orders_are_refused_by_index() {
    if Arch::native() != Arch::X86_64 {
        return;
    }
    let (path, msg) = policy_error(
        r#"{ "default_action": "errno", "architectures": ["x86_64", "x86", "s390x"] }"#,
    );
    assert_eq!(path, "architectures[2]");
    assert!(
        msg.contains("big-endian") && msg.contains("x86_64 combines with") && msg.contains("x32"),
        "{msg}"
    );
    // One byte order, not the machine's: compiles (for another machine), and lint says the
    // native architecture is missing.
    let p =
        Policy::from_json(r#"{ "default_action": "errno", "architectures": ["s390x", "ppc64"] }"#)
            .unwrap();
    assert!(p.compile().is_ok());
    assert!(p.lint().iter().any(|d| d.path == "architectures"));
    let p =
        Policy::from_json(r#"{ "default_action": "errno", "architectures": ["x86_64", "x86"] }"#)
            .unwrap();
    assert!(!p.lint().iter().any(|d| d.path == "architectures"));
}

#[test]
fn endless_policy_input_is_cut_at_the_size_limit() {
    let start = Instant::now();
    let e = sysfence::read_policy_text(std::io::repeat(b' '), "<stdin>").unwrap_err();
    assert!(e.to_string().contains("at most 16777216 bytes"), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn a_hand_built_policy_with_an_unknown_preset_is_refused() {
    let mut p = Policy::from_json(NO_EXEC_EXCEPT_ARG0_1)
        .unwrap()
        .to_builder();
    p.extends = vec!["no-exce".into()];
    let e = p.build().unwrap_err();
    assert_eq!(e.diagnostics()[0].path, "extends[0]");
}

/// A policy's fields were once public: a misspelt syscall set by hand skipped validation and
/// compile.rs dropped it, leaving a hole in the filter. Fields are private now; a policy built
/// field by field is validated by `PolicyBuilder::build`, so the misspelling is a policy error
/// at its path. (core's unit tests check that compile still refuses such a policy built
/// inside the crate.)
#[test]
fn a_hand_built_policy_with_a_misspelt_syscall_is_refused_not_a_hole() {
    let mut policy = Policy::from_json(
        r#"{"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["ptrace"]}]}"#,
    )
    .unwrap()
    .to_builder();
    policy.rules[0].syscalls = vec!["ptrce".to_string()];
    let e = policy
        .build()
        .expect_err("a misspelt syscall must be refused");
    assert_eq!(e.code(), "policy");
    let d = &e.diagnostics()[0];
    assert_eq!(
        (d.path.as_str(), d.kind),
        (
            "rules[0].syscalls[0]",
            sysfence::DiagnosticKind::UnknownSyscall
        )
    );
    policy.rules[0].syscalls = vec!["@netwrk".to_string()];
    assert_eq!(
        policy.build().unwrap_err().diagnostics()[0].kind,
        sysfence::DiagnosticKind::UnknownGroup
    );
}

#[test]
fn a_preset_naming_a_syscall_another_architecture_lacks_still_compiles_there() {
    // no-exec names fork and vfork, which arm64 does not have: for an aarch64 machine the
    // preset must still compile (those rules do nothing there) and refuse execve.
    let p = sysfence::Policy::from_json(
        r#"{"default_action":"allow","architectures":["aarch64"],"extends":["no-exec"]}"#,
    )
    .expect("no-exec for aarch64 is a valid policy");
    let f = p.compile().expect("compiles for aarch64");
    let v = f
        .simulate(
            "execve",
            &[],
            Some("aarch64".parse::<sysfence::Arch>().unwrap()),
        )
        .unwrap();
    assert_eq!(v.action, sysfence::Action::Errno(libc::EACCES as u16));
    // Said, not hidden: lint names the rule that does nothing there.
    let own = sysfence::Policy::from_json(
        r#"{"default_action":"allow","architectures":["aarch64"],"rules":[{"action":"errno:EACCES","syscalls":["fork","execve","execveat"]}]}"#,
    )
    .unwrap();
    assert!(own.lint().iter().any(
        |d| d.path == "rules[0].syscalls[0]" && d.message.contains("not a syscall on aarch64")
    ));
    // A name no architecture has is still an error.
    assert!(sysfence::Policy::from_json(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["forkk"]}]}"#
    )
    .is_err());
}

/// A policy can be enforceable as written in one mode and not in the other: in log mode every
/// refusal becomes `log`, so the `socketcall` rule that covers `socket`'s conditions on x86 in
/// enforce mode no longer does. `with_mode` once kept the "validated" mark of the enforce-mode
/// policy, compile skipped validation, and a log-mode dry run allowed `socket(AF_PACKET)`
/// through `socketcall` without logging it. Switching the mode validates again.
#[test]
fn switching_to_log_mode_validates_the_policy_again() {
    let text = r#"{"default_action": "kill_process", "architectures": ["x86_64", "x86"],
        "rules": [{"action": "allow", "syscalls": ["socket"], "args": [{"index": 0, "op": "ne", "value": 17}]},
                  {"action": "errno", "syscalls": ["socketcall"]}]}"#;
    let enforce = Policy::from_json(text).expect("enforceable in enforce mode");
    let written_in_log = Policy::from_json(&text.replace(
        r#""default_action": "kill_process","#,
        r#""default_action": "kill_process", "mode": "log","#,
    ))
    .expect_err("refused when written in log mode");
    let switched = enforce
        .with_mode(sysfence::Mode::Log)
        .expect_err("refused when switched to log mode");
    for e in [&written_in_log, &switched] {
        let d = &e.diagnostics()[0];
        assert_eq!(
            (d.path.as_str(), d.kind),
            (
                "rules[0].args",
                sysfence::DiagnosticKind::UnenforceableCondition
            ),
            "{e}"
        );
    }
    // Back to the mode it was written in: the same policy.
    assert_eq!(enforce.with_mode(sysfence::Mode::Enforce).unwrap(), enforce);
}
