//! From the policy as written to the rules that really apply: presets merged in, `@groups`
//! expanded, `mode` applied, and conflicts between rules found.

use super::{ArgCondition, Policy};
use crate::action::Action;
use crate::arch::Arch;
use crate::diagnostic::Diagnostic;
use crate::groups;
use crate::syscalls::{self, Resolution};

/// One syscall's rule after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveRule {
    /// The syscall name.
    pub syscall: String,
    /// The action, after `mode`.
    pub action: Action,
    /// The action as written, before `mode`.
    pub written_action: Action,
    /// Conditions on the arguments (all must hold).
    pub args: Vec<ArgCondition>,
    /// Where it came from: `rules[1].syscalls[0]`, or `extends[0] (no-exec) rules[0]`.
    pub origin: String,
}

/// Every rule with its groups expanded: the policy's own rules first, then those of its presets
/// for syscalls the policy's own rules do not name (the policy's own choice wins).
fn expanded(policy: &Policy) -> Vec<EffectiveRule> {
    let arches = policy.target_arches();
    let mut out = Vec::new();
    push_rules(policy, "", &arches, &mut out);
    let own: Vec<String> = out.iter().map(|r| r.syscall.clone()).collect();
    for (i, name) in policy.extends.iter().enumerate() {
        let preset = Policy::preset(name).expect("extends holds validated preset names");
        let mut theirs = Vec::new();
        push_rules(
            &preset,
            &format!("extends[{i}] ({name}) "),
            &arches,
            &mut theirs,
        );
        out.extend(theirs.into_iter().filter(|r| !own.contains(&r.syscall)));
    }
    out
}

fn push_rules(policy: &Policy, prefix: &str, arches: &[crate::Arch], out: &mut Vec<EffectiveRule>) {
    for (i, rule) in policy.rules.iter().enumerate() {
        for (j, entry) in rule.syscalls.iter().enumerate() {
            let origin = format!("{prefix}rules[{i}].syscalls[{j}]");
            let names: Vec<&str> = match entry.strip_prefix('@') {
                Some(g) => groups::group(g)
                    .expect("validated group")
                    .members
                    .iter()
                    .copied()
                    // A group member an architecture lacks is skipped there.
                    .filter(|m| arches.iter().any(|a| syscalls::resolve(m, *a).exists()))
                    .collect(),
                None => vec![entry.as_str()],
            };
            for name in names {
                out.push(EffectiveRule {
                    syscall: name.to_string(),
                    action: rule.action,
                    written_action: rule.action,
                    args: rule.args.clone(),
                    origin: origin.clone(),
                });
            }
        }
    }
}

/// Every rule with groups expanded and presets merged, before `mode` and before rules equal to
/// the default action are dropped.
pub(super) fn effective_rules_unfiltered(policy: &Policy) -> Vec<EffectiveRule> {
    expanded(policy)
}

pub(super) fn effective_rules(policy: &Policy) -> Vec<EffectiveRule> {
    let default = policy.effective_default();
    let mut out: Vec<EffectiveRule> = Vec::new();
    for mut rule in expanded(policy) {
        rule.action = policy.mode.apply(rule.written_action);
        if rule.action == default {
            continue;
        }
        let duplicate = out
            .iter()
            .any(|r| r.syscall == rule.syscall && r.args == rule.args && r.action == rule.action);
        if !duplicate {
            out.push(rule);
        }
    }
    out
}

/// Rules that give one syscall two different actions where libseccomp cannot order them: an
/// unconditional rule beside any other rule, or two rules with the same conditions.
pub(super) fn conflicts(policy: &Policy) -> Vec<Diagnostic> {
    let rules = expanded(policy);
    let mut errs: Vec<Diagnostic> = Vec::new();
    for (k, later) in rules.iter().enumerate() {
        let clash = rules[..k].iter().find(|earlier| {
            earlier.syscall == later.syscall
                && earlier.written_action != later.written_action
                && (earlier.args.is_empty() || later.args.is_empty() || earlier.args == later.args)
        });
        if let Some(earlier) = clash {
            if errs.iter().any(|d| d.path == later.origin) {
                continue;
            }
            errs.push(Diagnostic::error(
                later.origin.clone(),
                format!(
                    "conflicting rules for {:?}: {} here, but {} in {}",
                    later.syscall, later.written_action, earlier.written_action, earlier.origin
                ),
            ));
        }
    }
    errs
}

/// The path of the rule an effective rule came from (`rules[2]`), from its origin
/// (`rules[2].syscalls[0]`).
pub(crate) fn rule_path(origin: &str) -> &str {
    origin
        .rsplit_once(".syscalls[")
        .map_or(origin, |(rule, _)| rule)
}

/// True when `value` means the same on a 32-bit ABI, whose filter compares only the low 32
/// bits: a 32-bit number, or the sign extension of a negative one (`0xffffffffffffff9c` is
/// -100 either way).
pub(crate) fn fits_32bit(value: u64) -> bool {
    value <= u64::from(u32::MAX) || value >= 0xffff_ffff_8000_0000
}

/// Argument conditions the filter cannot enforce as written, on some ABI of the policy:
/// - conditions on a socket or SysV IPC call that the ABI multiplexes (i386 `socketcall`,
///   `ipc`): libseccomp puts them on the multiplexer's own arguments, where the call's
///   arguments are behind a pointer. Allowed only when the policy refuses the multiplexer
///   itself with a rule of its own, so the multiplexed form never reaches the condition.
/// - values above 32 bits on a 32-bit ABI, where the filter compares the low half only.
pub(crate) fn unenforceable_conditions(policy: &Policy) -> Vec<Diagnostic> {
    let arches = policy.target_arches();
    let rules = expanded(policy);
    if rules.iter().all(|r| r.args.is_empty()) {
        return Vec::new();
    }
    let effective = std::cell::OnceCell::new();
    let refused_outright = |multiplexer: &str| {
        effective
            .get_or_init(|| effective_rules(policy))
            .iter()
            .any(|r: &EffectiveRule| {
                r.syscall == multiplexer && r.args.is_empty() && !r.written_action.lets_through()
            })
    };
    let mut errs: Vec<Diagnostic> = Vec::new();
    let mut add = |path: String, message: String| {
        if !errs.iter().any(|d| d.path == path) {
            errs.push(Diagnostic::error(path, message));
        }
    };
    for rule in rules.iter().filter(|r| !r.args.is_empty()) {
        let path = rule_path(&rule.origin);
        for arch in &arches {
            let resolution = syscalls::resolve(&rule.syscall, *arch);
            if !resolution.exists() {
                continue;
            }
            if let Resolution::Multiplexed(m) = resolution {
                if !refused_outright(m.multiplexer) {
                    add(
                        format!("{path}.args"),
                        format!(
                            "{}'s arguments cannot be checked on {arch}, where it can be reached through {}(2) with its arguments in memory; drop {arch} from architectures, or refuse {} with a rule of its own (an action other than the default)",
                            rule.syscall, m.multiplexer, m.multiplexer
                        ),
                    );
                }
            }
            if arch.is_32bit() {
                for (j, c) in rule.args.iter().enumerate() {
                    if !fits_32bit(c.value) {
                        add(
                            format!("{path}.args[{j}].value"),
                            format!(
                                "{:#x} does not fit in 32 bits, but arguments on {arch} are 32-bit: the filter would compare only the low half ({:#x}); drop {arch} from architectures or write a 32-bit value (a negative int may be written sign-extended)",
                                c.value,
                                c.value & u64::from(u32::MAX)
                            ),
                        );
                    }
                }
            }
        }
    }
    errs
}

/// True when `arg` satisfies `cond` as a filter for `arch` evaluates it: on a 32-bit ABI only
/// the low 32 bits of the argument, the value and the mask are compared.
pub(crate) fn matches_on(cond: &ArgCondition, arg: u64, arch: Arch) -> bool {
    if arch.is_32bit() {
        let low = |v: u64| v & u64::from(u32::MAX);
        let c = ArgCondition {
            value: low(cond.value),
            mask: low(cond.mask),
            ..*cond
        };
        c.matches(low(arg))
    } else {
        cond.matches(arg)
    }
}
