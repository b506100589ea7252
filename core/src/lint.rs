//! Warnings about valid policies: they load, but probably do not do what was meant.

use crate::action::Action;
use crate::diagnostic::Diagnostic;
use crate::policy::{Mode, Policy};
use crate::syscalls::{self, Resolution};

pub(crate) fn lint(policy: &Policy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let default = policy.effective_default();

    if policy.mode == Mode::Log {
        out.push(Diagnostic::warning(
            "mode",
            "log mode: nothing is enforced; every refusal becomes a kernel log record (switch to \"enforce\" once the log is quiet)",
        ));
    }
    if !policy.log_denied && policy.mode == Mode::Enforce && default != Action::Allow {
        out.push(Diagnostic::warning(
            "log_denied",
            "false: errno and trap denials leave no audit record, so violations cannot be watched",
        ));
    }
    if policy.bad_arch_action.lets_through() && policy.mode == Mode::Enforce {
        out.push(Diagnostic::warning(
            "bad_arch_action",
            format!(
                "{}: syscalls made through another ABI (i386 int 0x80, x32) bypass every rule",
                policy.bad_arch_action
            ),
        ));
    }

    let native = crate::Arch::native();
    if !policy.architectures.is_empty() && !policy.architectures.contains(&native) {
        out.push(Diagnostic::warning(
            "architectures",
            format!(
                "{native}, this machine's architecture, is not listed: loaded here, every syscall of a native program meets bad_arch_action ({})",
                policy.bad_arch_action
            ),
        ));
    }

    let effective = policy.effective_rules();
    let arches = policy.target_arches();
    for (i, rule) in policy.rules.iter().enumerate() {
        let prefix = format!("rules[{i}].");
        // An own conditional rule that makes an exception to a preset is kept.
        let exception = effective
            .iter()
            .any(|r| r.action == default && r.origin.starts_with(&prefix));
        if policy.mode.apply(rule.action) == default && !exception {
            out.push(Diagnostic::warning(
                format!("rules[{i}]"),
                format!(
                    "action {} equals the default action, so the rule is dropped",
                    rule.action
                ),
            ));
        }
        for (j, name) in rule.syscalls.iter().enumerate() {
            let path = format!("rules[{i}].syscalls[{j}]");
            if rule.syscalls[..j].contains(name) {
                out.push(Diagnostic::warning(
                    path.clone(),
                    format!("{name:?} is listed twice"),
                ));
            }
            if name.starts_with('@') {
                continue;
            }
            let missing: Vec<&str> = arches
                .iter()
                .filter(|a| !matches!(syscalls::resolve(name, **a), Resolution::Number(_)))
                .map(|a| a.name())
                .collect();
            if !missing.is_empty() {
                out.push(Diagnostic::warning(
                    path,
                    format!(
                        "{name:?} is not a syscall on {}; the rule does nothing there",
                        missing.join(", ")
                    ),
                ));
            }
        }
    }

    // Refusing one way to exec but not the other leaves a way around.
    if default.lets_through() {
        // Refused for some arguments at least (an own exception to a preset narrows it).
        let refused = |name: &str| {
            effective
                .iter()
                .any(|r| r.syscall == name && !r.action.lets_through())
        };
        for (have, lack) in [("execve", "execveat"), ("execveat", "execve")] {
            if refused(have) && !refused(lack) && policy.mode == Mode::Enforce {
                out.push(Diagnostic::warning(
                    "rules",
                    format!("{have} is refused but {lack} is not: a program can exec through {lack} (list @exec)"),
                ));
            }
        }
    }
    if effective.iter().any(|r| r.action == Action::Notify) || default == Action::Notify {
        out.push(Diagnostic::warning(
            "rules",
            "notify needs a supervisor holding the listener; without one those syscalls fail with ENOSYS",
        ));
    }
    out
}
