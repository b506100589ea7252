// SPDX-License-Identifier: MIT OR Apache-2.0
//! From the policy as written to the rules that really apply: presets merged in, `@groups`
//! expanded, `mode` applied, and conflicts between rules found.
//!
//! Own rules refine presets. For a syscall that a preset names:
//! - an own rule without conditions replaces the preset's rules for it (the own choice wins);
//! - own rules that all have conditions go first, and the preset's rule applies to every call
//!   they do not match. libseccomp cannot order an unconditional rule beside conditional ones
//!   with another action (it keeps the unconditional one and drops the others), so the preset's
//!   rule is compiled as its complement: one conditional rule per way of not matching the own
//!   rules (`arg0 == X` leaves `arg0 != X` to the preset). When that complement needs two
//!   comparisons of one argument in one rule, which libseccomp cannot express, the policy is
//!   refused rather than the preset silently dropped.

use super::{ArgCondition, CmpOp, Policy};
use crate::action::Action;
use crate::arch::Arch;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::groups;
use crate::syscalls::{self, Resolution};
use std::collections::{HashMap, HashSet};

/// The most rules one preset rule may become once own conditional rules are carved out of it.
const MAX_COMPLEMENT_TERMS: usize = 256;

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
    /// Where it came from: `rules[1].syscalls[0]`, or `extends[0] (no-exec) rules[0]`; a
    /// preset rule narrowed by own conditional rules says so
    /// (`extends[0] (no-exec) rules[0].syscalls[0] where rules[1] does not match`).
    pub origin: String,
}

/// The policy's own rules with their groups expanded, in the order written.
fn own_rules(policy: &Policy, errs: &mut Vec<Diagnostic>) -> Vec<EffectiveRule> {
    let mut out = Vec::new();
    push_rules(policy, "", &policy.target_arches(), &mut out, errs);
    out
}

/// The rules of every preset the policy extends, in order, groups expanded.
fn preset_rules(policy: &Policy, errs: &mut Vec<Diagnostic>) -> Vec<EffectiveRule> {
    let arches = policy.target_arches();
    let mut out = Vec::new();
    for (i, name) in policy.extends.iter().enumerate() {
        // Validation refuses unknown names; a Policy built by hand may still hold one.
        let Ok(preset) = Policy::preset(name) else {
            errs.push(super::unknown_preset(format!("extends[{i}]"), name));
            continue;
        };
        push_rules(
            &preset,
            &format!("extends[{i}] ({name}) "),
            &arches,
            &mut out,
            errs,
        );
    }
    out
}

/// Appends `policy`'s rules with groups expanded. A rule identical to an earlier one (same
/// syscall, conditions and action) adds nothing and is skipped, so a million copies of one
/// rule cost a hash lookup each.
fn push_rules(
    policy: &Policy,
    prefix: &str,
    arches: &[crate::Arch],
    out: &mut Vec<EffectiveRule>,
    errs: &mut Vec<Diagnostic>,
) {
    let mut seen: HashSet<(&str, &[ArgCondition], Action)> = HashSet::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        for (j, entry) in rule.syscalls.iter().enumerate() {
            let names: Vec<&str> = match entry.strip_prefix('@') {
                None if !seen.insert((entry, &rule.args, rule.action)) => continue,
                Some(g) if groups::group(g).is_none() => {
                    errs.push(Diagnostic::error(
                        DiagnosticKind::UnknownGroup,
                        format!("{prefix}rules[{i}].syscalls[{j}]"),
                        format!("unknown group {entry:?}"),
                    ));
                    continue;
                }
                Some(g) => groups::group(g)
                    .map(|g| g.members)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    // A group member an architecture lacks is skipped there.
                    .filter(|m| arches.iter().any(|a| syscalls::resolve(m, *a).exists()))
                    .collect(),
                None => vec![entry.as_str()],
            };
            for name in names {
                if entry.starts_with('@') && !seen.insert((name, &rule.args, rule.action)) {
                    continue;
                }
                out.push(EffectiveRule {
                    syscall: name.to_string(),
                    action: rule.action,
                    written_action: rule.action,
                    args: rule.args.clone(),
                    origin: format!("{prefix}rules[{i}].syscalls[{j}]"),
                });
            }
        }
    }
}

/// The policy's own rules with groups expanded, in the order written, before `mode` and before
/// rules equal to the default action are dropped (unknown groups are skipped).
pub(super) fn own_rules_expanded(policy: &Policy) -> Vec<EffectiveRule> {
    own_rules(policy, &mut Vec::new())
}

/// A policy's rules expanded once (its own and its presets', groups expanded), with what
/// expanding them found wrong: where validation's checks and [`resolve`] all start.
#[derive(Clone)]
struct Expanded {
    own: Vec<EffectiveRule>,
    presets: Vec<EffectiveRule>,
    errs: Vec<Diagnostic>,
}

fn expanded(policy: &Policy) -> Expanded {
    let mut errs = Vec::new();
    let own = own_rules(policy, &mut errs);
    let presets = preset_rules(policy, &mut errs);
    Expanded { own, presets, errs }
}

/// Validation's checks on a parsed policy, in order (conflicting rules, conditions the filter
/// could not enforce, exceptions libseccomp cannot express), from one expansion; the
/// effective rules when there is nothing to report.
pub(super) fn validate(policy: &Policy) -> Result<Vec<EffectiveRule>, Vec<Diagnostic>> {
    let e = expanded(policy);
    let conflicts = conflicts_expanded(&e);
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let unenforceable = unenforceable_expanded(policy, &e, || {
        resolve_expanded(policy, e.clone()).unwrap_or_default()
    });
    if !unenforceable.is_empty() {
        return Err(unenforceable);
    }
    resolve_expanded(policy, e)
}

/// The effective rules, or the own rules whose exception to a preset cannot be compiled.
pub(super) fn resolve(policy: &Policy) -> Result<Vec<EffectiveRule>, Vec<Diagnostic>> {
    resolve_expanded(policy, expanded(policy))
}

fn resolve_expanded(policy: &Policy, e: Expanded) -> Result<Vec<EffectiveRule>, Vec<Diagnostic>> {
    let default = policy.effective_default();
    let mode = policy.mode;
    let Expanded {
        mut own,
        presets,
        mut errs,
    } = e;
    if !errs.is_empty() {
        return Err(errs);
    }
    for r in &mut own {
        r.action = mode.apply(r.written_action);
    }
    let own_unconditional: HashSet<&str> = own
        .iter()
        .filter(|r| r.args.is_empty())
        .map(|r| r.syscall.as_str())
        .collect();
    let mut own_conditional: HashMap<&str, Vec<&EffectiveRule>> = HashMap::new();
    for r in own.iter().filter(|r| !r.args.is_empty()) {
        own_conditional.entry(&r.syscall).or_default().push(r);
    }

    // Syscalls where an own conditional rule is an exception to a preset rule that is not the
    // default: the own rule stays even when its action is the default (explain names it).
    let mut refined: HashSet<String> = HashSet::new();
    let mut from_presets: Vec<EffectiveRule> = Vec::new();
    for mut p in presets {
        p.action = mode.apply(p.written_action);
        if p.action == default || own_unconditional.contains(p.syscall.as_str()) {
            continue;
        }
        let exceptions: Vec<&EffectiveRule> = own_conditional
            .get(p.syscall.as_str())
            .map(|rs| {
                rs.iter()
                    .copied()
                    .filter(|r| r.action != p.action)
                    .collect()
            })
            .unwrap_or_default();
        if exceptions.is_empty() {
            from_presets.push(p);
            continue;
        }
        match complement(&p.args, &exceptions) {
            Ok(terms) => {
                // `rules[1]`, each named once.
                let mut except: Vec<&str> = Vec::new();
                for r in &exceptions {
                    let rule = r.origin.split(".syscalls").next().unwrap_or(&r.origin);
                    if !except.contains(&rule) {
                        except.push(rule);
                    }
                }
                let origin = format!("{} where {} does not match", p.origin, except.join(" or "));
                refined.insert(p.syscall.clone());
                for args in terms {
                    from_presets.push(EffectiveRule {
                        args,
                        origin: origin.clone(),
                        ..p.clone()
                    });
                }
            }
            Err(why) => errs.push(Diagnostic::error(DiagnosticKind::Conflict,
                exceptions[0].origin.clone(),
                format!(
                    "cannot make this an exception to {} ({} -> {}): {why}, which one libseccomp rule cannot express; \
                     name {} without conditions in your own rules (your choice then replaces the preset's), \
                     or write the exception with other conditions",
                    p.origin, p.syscall, p.written_action, p.syscall
                ),
            )),
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }

    let mut out: Vec<EffectiveRule> = Vec::new();
    let mut seen: HashSet<(String, Vec<ArgCondition>, Action)> = HashSet::new();
    let rules = own
        .into_iter()
        .filter(|r| {
            r.action != default || (!r.args.is_empty() && refined.contains(r.syscall.as_str()))
        })
        .chain(from_presets);
    for rule in rules {
        if seen.insert((rule.syscall.clone(), rule.args.clone(), rule.action)) {
            out.push(rule);
        }
    }
    Ok(out)
}

pub(super) fn effective_rules(policy: &Policy) -> Vec<EffectiveRule> {
    resolve(policy).unwrap_or_default()
}

/// The ways a call can fail to match a rule with these conditions: one single condition each.
fn negations(conds: &[ArgCondition]) -> Vec<ArgCondition> {
    let mut out = Vec::new();
    for c in conds {
        let flip = |op| ArgCondition { op, ..*c };
        match c.op {
            CmpOp::Eq => out.push(flip(CmpOp::Ne)),
            CmpOp::Ne => out.push(flip(CmpOp::Eq)),
            CmpOp::Lt => out.push(flip(CmpOp::Ge)),
            CmpOp::Ge => out.push(flip(CmpOp::Lt)),
            CmpOp::Le => out.push(flip(CmpOp::Gt)),
            CmpOp::Gt => out.push(flip(CmpOp::Le)),
            // `arg & m != v`: some bit of the mask differs from v.
            CmpOp::MaskedEq(mask) => {
                for b in (0..64).filter(|b| mask >> b & 1 == 1) {
                    let bit = 1u64 << b;
                    out.push(ArgCondition {
                        index: c.index,
                        op: CmpOp::MaskedEq(bit),
                        value: !c.value & bit,
                    });
                }
            }
        }
    }
    out
}

/// `base` and none of `exceptions`, as a list of rules (each a conjunction of at most one
/// condition per argument, as libseccomp requires). Err says why it cannot be written so.
fn complement(
    base: &[ArgCondition],
    exceptions: &[&EffectiveRule],
) -> Result<Vec<Vec<ArgCondition>>, String> {
    let mut terms: Vec<Vec<ArgCondition>> = vec![base.to_vec()];
    for ex in exceptions {
        let alternatives = negations(&ex.args);
        let mut next: Vec<Vec<ArgCondition>> = Vec::new();
        let mut seen: HashSet<Vec<ArgCondition>> = HashSet::new();
        for term in &terms {
            for alt in &alternatives {
                if let Some(t) = conjoin(term, *alt)? {
                    if seen.insert(t.clone()) {
                        next.push(t);
                    }
                }
            }
            if next.len() > MAX_COMPLEMENT_TERMS {
                return Err(format!(
                    "what the exceptions leave to the preset takes more than {MAX_COMPLEMENT_TERMS} rules"
                ));
            }
        }
        terms = next;
    }
    Ok(terms)
}

/// `term` and `c`: Ok(None) when they contradict each other.
fn conjoin(term: &[ArgCondition], c: ArgCondition) -> Result<Option<Vec<ArgCondition>>, String> {
    let mut out = term.to_vec();
    let Some(pos) = out.iter().position(|o| o.index == c.index) else {
        out.push(c);
        out.sort_by_key(|o| o.index);
        return Ok(Some(out));
    };
    let old = out[pos];
    let merged = if old == c {
        Some(old)
    } else if old.op == CmpOp::Eq {
        c.matches(old.value).then_some(old)
    } else if c.op == CmpOp::Eq {
        old.matches(c.value).then_some(c)
    } else if let (CmpOp::MaskedEq(old_mask), CmpOp::MaskedEq(mask)) = (old.op, c.op) {
        // Both hold iff the masks agree where they overlap: one combined mask.
        let both = old_mask & mask;
        (old.value & both == c.value & both).then_some(ArgCondition {
            op: CmpOp::MaskedEq(old_mask | mask),
            value: old.value | c.value,
            ..old
        })
    } else {
        return Err(format!(
            "it needs two comparisons of argument {} in one rule ({} {:#x} and {} {:#x})",
            c.index,
            old.op.name(),
            old.value,
            c.op.name(),
            c.value
        ));
    };
    Ok(merged.map(|m| {
        out[pos] = m;
        out
    }))
}

/// Rules that give one syscall two different actions where libseccomp cannot order them: an
/// unconditional rule beside any other rule, or two rules with the same conditions. Own rules
/// are checked against own rules, and preset rules against preset rules (for syscalls that no
/// own unconditional rule takes over): own rules refine presets, see the module docs.
fn conflicts_expanded(e: &Expanded) -> Vec<Diagnostic> {
    let mut errs = e.errs.clone();
    let own_unconditional: HashSet<&str> = e
        .own
        .iter()
        .filter(|r| r.args.is_empty())
        .map(|r| r.syscall.as_str())
        .collect();
    let presets = e
        .presets
        .iter()
        .filter(|r| !own_unconditional.contains(r.syscall.as_str()));
    errs.extend(conflicts_among(e.own.iter()));
    for d in conflicts_among(presets) {
        if !errs.iter().any(|e| e.path == d.path) {
            errs.push(d);
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
    unenforceable_expanded(policy, &expanded(policy), || effective_rules(policy))
}

/// [`unenforceable_conditions`] from an expansion; `effective` gives the effective rules when
/// a multiplexed call's conditions make them needed.
fn unenforceable_expanded(
    policy: &Policy,
    e: &Expanded,
    effective: impl FnOnce() -> Vec<EffectiveRule>,
) -> Vec<Diagnostic> {
    let arches = policy.target_arches();
    let rules: Vec<&EffectiveRule> = e.own.iter().chain(&e.presets).collect();
    if rules.iter().all(|r| r.args.is_empty()) {
        return Vec::new();
    }
    let mut effective = Some(effective);
    let computed = std::cell::OnceCell::new();
    let mut refused_outright = |multiplexer: &str| {
        computed
            .get_or_init(|| effective.take().map(|f| f()).unwrap_or_default())
            .iter()
            .any(|r: &EffectiveRule| {
                r.syscall == multiplexer && r.args.is_empty() && !r.written_action.lets_through()
            })
    };
    let mut errs: Vec<Diagnostic> = Vec::new();
    let mut add = |path: String, message: String| {
        if !errs.iter().any(|d| d.path == path) {
            errs.push(Diagnostic::error(
                DiagnosticKind::UnenforceableCondition,
                path,
                message,
            ));
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
            op: match cond.op {
                CmpOp::MaskedEq(mask) => CmpOp::MaskedEq(low(mask)),
                op => op,
            },
            ..*cond
        };
        c.matches(low(arg))
    } else {
        cond.matches(arg)
    }
}

/// [`conflicts`] within one list, in linear time: each rule is compared with the first
/// earlier rule of a different action that it cannot be ordered with.
fn conflicts_among<'a>(rules: impl IntoIterator<Item = &'a EffectiveRule>) -> Vec<Diagnostic> {
    #[derive(Default)]
    struct Seen<'a> {
        /// The first rule of each action (index, rule).
        first_by_action: Vec<(usize, &'a EffectiveRule)>,
        /// The first unconditional rule of each action.
        first_unconditional_by_action: Vec<(usize, &'a EffectiveRule)>,
        /// The first rule of each action for each set of conditions.
        by_args: HashMap<&'a [ArgCondition], Vec<(usize, &'a EffectiveRule)>>,
    }
    fn earliest_other<'a>(
        list: Option<&Vec<(usize, &'a EffectiveRule)>>,
        action: Action,
    ) -> Option<(usize, &'a EffectiveRule)> {
        list?
            .iter()
            .filter(|(_, r)| r.written_action != action)
            .min_by_key(|(i, _)| *i)
            .copied()
    }
    fn note<'a>(list: &mut Vec<(usize, &'a EffectiveRule)>, k: usize, r: &'a EffectiveRule) {
        if !list
            .iter()
            .any(|(_, o)| o.written_action == r.written_action)
        {
            list.push((k, r));
        }
    }

    let mut by_syscall: HashMap<&str, Seen> = HashMap::new();
    let mut errs: Vec<Diagnostic> = Vec::new();
    let mut reported: HashSet<&str> = HashSet::new();
    for (k, later) in rules.into_iter().enumerate() {
        let seen = by_syscall.entry(&later.syscall).or_default();
        let action = later.written_action;
        let clash = if later.args.is_empty() {
            earliest_other(Some(&seen.first_by_action), action)
        } else {
            [
                earliest_other(Some(&seen.first_unconditional_by_action), action),
                earliest_other(seen.by_args.get(later.args.as_slice()), action),
            ]
            .into_iter()
            .flatten()
            .min_by_key(|(i, _)| *i)
        };
        if let Some((_, earlier)) = clash {
            if reported.insert(&later.origin) {
                errs.push(Diagnostic::error(
                    DiagnosticKind::Conflict,
                    later.origin.clone(),
                    format!(
                        "conflicting rules for {:?}: {} here, but {} in {}",
                        later.syscall, later.written_action, earlier.written_action, earlier.origin
                    ),
                ));
            }
        }
        note(&mut seen.first_by_action, k, later);
        if later.args.is_empty() {
            note(&mut seen.first_unconditional_by_action, k, later);
        }
        note(seen.by_args.entry(&later.args).or_default(), k, later);
    }
    errs
}
