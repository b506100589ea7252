//! From the policy as written to the rules that really apply: presets merged in, `@groups`
//! expanded, `mode` applied, and conflicts between rules found.

use super::{ArgCondition, Policy};
use crate::action::Action;
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
                    .filter(|m| {
                        arches
                            .iter()
                            .any(|a| matches!(syscalls::resolve(m, *a), Resolution::Number(_)))
                    })
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
