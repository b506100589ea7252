// SPDX-License-Identifier: MIT OR Apache-2.0
//! Warnings about valid policies: they load, but probably do not do what was meant.

use crate::action::Action;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::groups::IO_URING_OPS;
use crate::policy::{rule_path, Mode, Policy};
use crate::syscalls;
use crate::syscalls::Resolution;

pub(crate) fn lint(policy: &Policy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let default = policy.effective_default();

    if policy.mode == Mode::Log {
        out.push(Diagnostic::warning(DiagnosticKind::LogMode,
            "mode",
            "log mode: nothing is enforced; every refusal becomes a kernel log record (switch to \"enforce\" once the log is quiet)",
        ));
    }
    if !policy.log_denied && policy.mode == Mode::Enforce && default != Action::Allow {
        out.push(Diagnostic::warning(
            DiagnosticKind::LogDeniedOff,
            "log_denied",
            "false: errno and trap denials leave no audit record, so violations cannot be watched",
        ));
    }
    if policy.bad_arch_action.lets_through() && policy.mode == Mode::Enforce {
        out.push(Diagnostic::warning(
            DiagnosticKind::BadArchAllowed,
            "bad_arch_action",
            format!(
                "{}: syscalls made through another ABI (i386 int 0x80, x32) bypass every rule",
                policy.bad_arch_action
            ),
        ));
    }

    let native = crate::Arch::native();
    if !policy.architectures.is_empty() && !policy.architectures.contains(&native) {
        out.push(Diagnostic::warning(DiagnosticKind::NativeArchMissing,
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
                DiagnosticKind::NoEffect,
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
                    DiagnosticKind::DuplicateEntry,
                    path.clone(),
                    format!("{name:?} is listed twice"),
                ));
            }
            if name.starts_with('@') {
                continue;
            }
            let missing: Vec<&str> = arches
                .iter()
                .filter(|a| !syscalls::resolve(name, **a).exists())
                .map(|a| a.name())
                .collect();
            if !missing.is_empty() {
                out.push(Diagnostic::warning(
                    DiagnosticKind::NotOnArchitecture,
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
                out.push(Diagnostic::warning(DiagnosticKind::ExecBypass,
                    "rules",
                    format!("{have} is refused but {lack} is not: a program can exec through {lack} (list @exec)"),
                ));
            }
        }
    }
    if policy.mode == Mode::Enforce {
        out.extend(io_uring_bypass(policy));
        out.extend(multiplexer_allowed(policy));
    }
    if effective.iter().any(|r| r.action == Action::Notify) || default == Action::Notify {
        out.push(Diagnostic::warning(DiagnosticKind::NotifyWithoutSupervisor,
            "rules",
            "notify needs a supervisor holding the listener; without one those syscalls fail with ENOSYS",
        ));
    }
    out
}

/// A policy that refuses something an io_uring operation can do, while `io_uring_setup` is
/// allowed: the operation runs in the kernel without the syscall the filter would see.
fn io_uring_bypass(policy: &Policy) -> Option<Diagnostic> {
    let arches = policy.target_arches();
    if !arches
        .iter()
        .any(|a| syscalls::resolve("io_uring_setup", *a).exists())
    {
        return None;
    }
    let effective = policy.effective_rules();
    let default = policy.effective_default();
    let rules_for = |name: &'static str| effective.iter().filter(move |r| r.syscall == name);
    // Allowed outright, by a rule, or (with conditions) possibly.
    let setup_allowed = match rules_for("io_uring_setup").next() {
        None => default.lets_through(),
        Some(_) => {
            rules_for("io_uring_setup").any(|r| r.action.lets_through() || !r.args.is_empty())
        }
    };
    if !setup_allowed {
        return None;
    }
    let mut path: Option<String> = None;
    let refused: Vec<&str> = IO_URING_OPS
        .iter()
        .copied()
        .filter(|op| arches.iter().any(|a| syscalls::resolve(op, *a).exists()))
        .filter(|op| {
            let mut rules = rules_for(op).peekable();
            if rules.peek().is_none() {
                if !default.lets_through() {
                    path.get_or_insert_with(|| "default_action".to_string());
                    return true;
                }
                return false;
            }
            match rules.find(|r| !r.action.lets_through()) {
                Some(r) => {
                    path.get_or_insert_with(|| rule_path(&r.origin).to_string());
                    true
                }
                None => false,
            }
        })
        .collect();
    if refused.is_empty() {
        return None;
    }
    let shown = if refused.len() > 6 {
        format!("{} and {} more", refused[..6].join(", "), refused.len() - 6)
    } else {
        refused.join(", ")
    };
    Some(Diagnostic::warning(DiagnosticKind::IoUringBypass,
        path.unwrap_or_else(|| "rules".to_string()),
        format!(
            "io_uring is allowed, and its operations do what this policy refuses ({shown}) without making those syscalls, so the filter never sees them: refuse @io-uring too (the hardened preset does)"
        ),
    ))
}

/// A refused socket or IPC call whose multiplexer (`socketcall`, `ipc`) a rule allows outright
/// on an ABI that multiplexes it: the multiplexed form runs (libseccomp lets the
/// unconditional rule win).
fn multiplexer_allowed(policy: &Policy) -> Vec<Diagnostic> {
    let effective = policy.effective_rules();
    let mut out: Vec<Diagnostic> = Vec::new();
    for rule in effective.iter().filter(|r| !r.action.lets_through()) {
        for arch in policy.target_arches() {
            let Resolution::Multiplexed(m) = syscalls::resolve(&rule.syscall, arch) else {
                continue;
            };
            let allowed = effective.iter().any(|r| {
                r.syscall == m.multiplexer && r.args.is_empty() && r.action.lets_through()
            });
            let path = rule_path(&rule.origin).to_string();
            if allowed && !out.iter().any(|d| d.path == path) {
                out.push(Diagnostic::warning(DiagnosticKind::MultiplexerBypass,
                    path,
                    format!(
                        "{} is refused, but {} is allowed outright, and on {arch} {}(call {}) makes the same call",
                        rule.syscall, m.multiplexer, m.multiplexer, m.call
                    ),
                ));
            }
        }
    }
    out
}
