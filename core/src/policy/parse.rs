// SPDX-License-Identifier: MIT OR Apache-2.0
//! Validation of a policy given as JSON. Every problem is collected, each with its JSON path,
//! so that one run of `sysfence check` shows them all.

use super::{expand, unknown_preset, ArgCondition, CmpOp, Mode, Policy, Rule};
use crate::action::Action;
use crate::arch::Arch;
use crate::constants;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::error::{Error, Result};
use crate::groups;
use crate::suggest::nearest;
use crate::syscalls::{self, Resolution};
use serde_json::{Map, Value};
use std::collections::HashSet;

const POLICY_FIELDS: &[&str] = &[
    "default_action",
    "rules",
    "mode",
    "log_denied",
    "architectures",
    "bad_arch_action",
    "extends",
    "version",
    "description",
    "unknown_syscalls",
];
const RULE_FIELDS: &[&str] = &["action", "syscalls", "args", "comment"];
const ARG_FIELDS: &[&str] = &["index", "op", "value", "mask"];

/// The number of syscall arguments a condition can test.
pub const MAX_ARGS: u64 = 6;

/// The problems found so far, and what is worth remembering across rules: syscall names
/// already resolved, and the names suggestions are drawn from (so that a policy of many rules
/// asks libseccomp once per name, not once per rule).
struct Errors(Vec<Diagnostic>, HashSet<String>, Option<Vec<String>>);

impl Errors {
    fn add(&mut self, kind: DiagnosticKind, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Diagnostic::error(kind, path, message));
    }

    fn suggest(&mut self, suggestion: Option<&str>) {
        if let Some(last) = self.0.last_mut() {
            last.suggestion = suggestion.map(str::to_string);
        }
    }
}

pub(super) fn parse(value: &Value) -> Result<Policy> {
    let mut errs = Errors(Vec::new(), HashSet::new(), None);
    let Some(obj) = value.as_object() else {
        return Err(Error::policy(
            DiagnosticKind::WrongType,
            "$",
            format!("a policy is a JSON object, not {}", kind(value)),
        ));
    };
    unknown_fields(obj, POLICY_FIELDS, "", &mut errs);

    if let Some(v) = obj.get("version") {
        if v.as_u64() != Some(1) {
            errs.add(
                DiagnosticKind::InvalidValue,
                "version",
                format!("unsupported version {v}: this library reads version 1"),
            );
        }
    }
    if let Some(v) = obj.get("description") {
        if !v.is_string() {
            errs.add(
                DiagnosticKind::WrongType,
                "description",
                format!("expected a string, found {}", kind(v)),
            );
        }
    }

    let default_action = match obj.get("default_action") {
        Some(v) => action(v, "default_action", &mut errs),
        None => {
            errs.add(DiagnosticKind::MissingField, "default_action", "missing: every policy needs a default_action (deny-by-default: \"errno\" or \"kill_process\")");
            None
        }
    };
    let mode = match obj.get("mode") {
        None => Mode::Enforce,
        Some(Value::String(s)) if s == "enforce" => Mode::Enforce,
        Some(Value::String(s)) if s == "log" => Mode::Log,
        Some(v) => {
            errs.add(
                DiagnosticKind::WrongType,
                "mode",
                format!("expected \"enforce\" or \"log\", found {v}"),
            );
            Mode::Enforce
        }
    };
    let log_denied = match obj.get("log_denied") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(v) => {
            errs.add(
                DiagnosticKind::WrongType,
                "log_denied",
                format!("expected true or false, found {}", kind(v)),
            );
            true
        }
    };
    let enosys_unknown = match obj.get("unknown_syscalls") {
        None => false,
        Some(Value::String(s)) if s == "default_action" => false,
        Some(Value::String(s)) if s == "enosys" => true,
        Some(v) => {
            errs.add(
                DiagnosticKind::WrongType,
                "unknown_syscalls",
                format!("expected \"default_action\" or \"enosys\", found {v}"),
            );
            false
        }
    };
    let bad_arch_action = match obj.get("bad_arch_action") {
        None => Some(Action::KillProcess),
        Some(v) => action(v, "bad_arch_action", &mut errs),
    };
    let architectures = obj
        .get("architectures")
        .map(|v| architectures(v, &mut errs))
        .unwrap_or_default();
    let extends = obj
        .get("extends")
        .map(|v| extends(v, &mut errs))
        .unwrap_or_default();
    let arches = if architectures.is_empty() {
        vec![Arch::native()]
    } else {
        architectures.clone()
    };
    let rules = match obj.get("rules") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, r)| rule(r, &format!("rules[{i}]"), &arches, &mut errs))
            .collect(),
        Some(v) => {
            errs.add(
                DiagnosticKind::WrongType,
                "rules",
                format!("expected a list of rules, found {}", kind(v)),
            );
            Vec::new()
        }
    };

    if !errs.0.is_empty() {
        return Err(Error::Policy(errs.0));
    }
    let policy = Policy {
        default_action: default_action.expect("checked above"),
        rules,
        mode,
        log_denied,
        architectures,
        bad_arch_action: bad_arch_action.expect("checked above"),
        extends,
        enosys_unknown,
        validated: super::Validated::NO,
    };
    let effective = expand::validate(&policy).map_err(Error::Policy)?;
    if policy.default_action == Action::Allow && effective.is_empty() {
        return Err(Error::policy(
            DiagnosticKind::NoEffect,
            "$",
            "the policy has no effect: default_action is allow and no rule refuses anything",
        ));
    }
    let mut policy = policy;
    policy.validated = super::Validated {
        checked: true,
        effective: Some((policy.mode, effective.into())),
    };
    Ok(policy)
}

/// A name quoted for a message, cut short when it is long (a 1 MB name is not echoed).
fn shown(name: &str) -> String {
    const MAX: usize = 64;
    match name.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}... ({} bytes)", &name[..cut], name.len()),
        None => format!("{name:?}"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else {
        format!("{prefix}.{field}")
    }
}

fn unknown_fields(obj: &Map<String, Value>, known: &[&str], prefix: &str, errs: &mut Errors) {
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            let mut msg = format!("unknown field {key:?}");
            let suggestion = nearest(key, known.iter().copied());
            match suggestion {
                Some(s) => msg.push_str(&format!(" (did you mean {s:?}?)")),
                None => msg.push_str(&format!(" (fields: {})", known.join(", "))),
            }
            errs.add(DiagnosticKind::UnknownField, join(prefix, key), msg);
            errs.suggest(suggestion);
        }
    }
}

fn action(v: &Value, path: &str, errs: &mut Errors) -> Option<Action> {
    match v {
        Value::String(s) => match s.parse::<Action>() {
            Ok(a) => Some(a),
            Err(msg) => {
                // `errno:4096`, `trace:70000`: a number out of range; anything else unknown.
                let numeric = s
                    .split_once(':')
                    .is_some_and(|(_, d)| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                let kind = match numeric {
                    true => DiagnosticKind::OutOfRange,
                    false => DiagnosticKind::UnknownAction,
                };
                errs.add(kind, path, msg);
                None
            }
        },
        _ => {
            errs.add(
                DiagnosticKind::WrongType,
                path,
                format!(
                    "expected an action string such as \"errno:EACCES\", found {}",
                    kind(v)
                ),
            );
            None
        }
    }
}

fn architectures(v: &Value, errs: &mut Errors) -> Vec<Arch> {
    let Some(items) = v.as_array() else {
        errs.add(
            DiagnosticKind::WrongType,
            "architectures",
            format!("expected a list of architecture names, found {}", kind(v)),
        );
        return Vec::new();
    };
    if items.is_empty() {
        errs.add(
            DiagnosticKind::InvalidValue,
            "architectures",
            "empty list: leave the field out to cover the native architecture",
        );
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("architectures[{i}]");
        match item.as_str().map(str::parse::<Arch>) {
            Some(Ok(a))
                if out
                    .first()
                    .is_some_and(|f: &Arch| f.little_endian() != a.little_endian()) =>
            {
                let first = out[0];
                let order = |a: Arch| {
                    if a.little_endian() {
                        "little-endian"
                    } else {
                        "big-endian"
                    }
                };
                let same: Vec<&str> = Arch::all()
                    .filter(|o| o.little_endian() == first.little_endian() && *o != first)
                    .map(|o| o.name())
                    .collect();
                errs.add(DiagnosticKind::InvalidValue,
                    path,
                    format!(
                        "{a} is {} but {first} (architectures[0]) is {}: one filter covers architectures of one byte order \
                         (write one policy per byte order); {first} combines with {}",
                        order(a),
                        order(first),
                        same.join(", ")
                    ),
                );
            }
            Some(Ok(a)) if !out.contains(&a) => out.push(a),
            Some(Ok(a)) => errs.add(
                DiagnosticKind::DuplicateEntry,
                path,
                format!("{a} is listed twice"),
            ),
            Some(Err(msg)) => errs.add(DiagnosticKind::UnknownArchitecture, path, msg),
            None => errs.add(
                DiagnosticKind::WrongType,
                path,
                format!("expected an architecture name, found {}", kind(item)),
            ),
        }
    }
    out
}

fn extends(v: &Value, errs: &mut Errors) -> Vec<String> {
    let items: Vec<(String, &Value)> = match v {
        Value::String(_) => vec![("extends".to_string(), v)],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("extends[{i}]"), item))
            .collect(),
        _ => {
            errs.add(
                DiagnosticKind::WrongType,
                "extends",
                format!(
                    "expected a preset name or a list of them, found {}",
                    kind(v)
                ),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (path, item) in items {
        match item.as_str() {
            Some(name) if groups::preset(name).is_some() => {
                if !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
            }
            Some(name) => errs.0.push(unknown_preset(path, name)),
            None => errs.add(
                DiagnosticKind::WrongType,
                path,
                format!("expected a preset name, found {}", kind(item)),
            ),
        }
    }
    out
}

fn rule(v: &Value, path: &str, arches: &[Arch], errs: &mut Errors) -> Option<Rule> {
    let Some(obj) = v.as_object() else {
        errs.add(
            DiagnosticKind::WrongType,
            path,
            format!(
                "a rule is an object with \"action\" and \"syscalls\", found {}",
                kind(v)
            ),
        );
        return None;
    };
    let before = errs.0.len();
    unknown_fields(obj, RULE_FIELDS, path, errs);
    if let Some(c) = obj.get("comment") {
        if !c.is_string() {
            errs.add(
                DiagnosticKind::WrongType,
                join(path, "comment"),
                format!("expected a string, found {}", kind(c)),
            );
        }
    }
    let action = match obj.get("action") {
        Some(a) => action(a, &join(path, "action"), errs),
        None => {
            errs.add(
                DiagnosticKind::MissingField,
                join(path, "action"),
                "missing",
            );
            None
        }
    };
    let syscalls = match obj.get("syscalls") {
        Some(Value::Array(items)) if items.is_empty() => {
            errs.add(
                DiagnosticKind::InvalidValue,
                join(path, "syscalls"),
                "empty list: name at least one syscall or @group",
            );
            Vec::new()
        }
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, s)| syscall_name(s, &format!("{path}.syscalls[{i}]"), arches, errs))
            .collect(),
        Some(other) => {
            errs.add(
                DiagnosticKind::WrongType,
                join(path, "syscalls"),
                format!("expected a list of syscall names, found {}", kind(other)),
            );
            Vec::new()
        }
        None => {
            errs.add(
                DiagnosticKind::MissingField,
                join(path, "syscalls"),
                "missing",
            );
            Vec::new()
        }
    };
    let args = match obj.get("args") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            if items.len() as u64 > MAX_ARGS {
                errs.add(
                    DiagnosticKind::InvalidValue,
                    join(path, "args"),
                    format!(
                        "{} conditions; a rule can test at most {MAX_ARGS}",
                        items.len()
                    ),
                );
            }
            let conds: Vec<ArgCondition> = items
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    let at = format!("{path}.args[{i}]");
                    arg(a, &at, (&syscalls, arches), errs)
                })
                .collect();
            for (i, c) in conds.iter().enumerate() {
                if let Some(j) = conds[..i].iter().position(|o| o.index == c.index) {
                    errs.add(DiagnosticKind::DuplicateEntry,
                        format!("{path}.args[{i}]"),
                        format!("argument {} is already tested by args[{j}]; a rule tests each argument once (write a second rule)", c.index),
                    );
                }
            }
            conds
        }
        Some(other) => {
            errs.add(
                DiagnosticKind::WrongType,
                join(path, "args"),
                format!("expected a list of conditions, found {}", kind(other)),
            );
            Vec::new()
        }
    };
    if errs.0.len() > before {
        return None;
    }
    Some(Rule {
        action: action?,
        syscalls,
        args,
    })
}

fn syscall_name(v: &Value, path: &str, arches: &[Arch], errs: &mut Errors) -> Option<String> {
    let Some(name) = v.as_str() else {
        errs.add(
            DiagnosticKind::WrongType,
            path,
            format!("expected a syscall name or @group, found {}", kind(v)),
        );
        return None;
    };
    if let Some(g) = name.strip_prefix('@') {
        if groups::group(g).is_some() {
            return Some(name.to_string());
        }
        let mut msg = format!("unknown group {name:?}");
        let suggestion = nearest(g, groups::GROUPS.iter().map(|g| g.name)).map(|s| format!("@{s}"));
        match &suggestion {
            Some(s) => msg.push_str(&format!(" (did you mean {s:?}?)")),
            None => msg.push_str(" (see `sysfence groups`)"),
        }
        errs.add(DiagnosticKind::UnknownGroup, path, msg);
        errs.suggest(suggestion.as_deref());
        return None;
    }
    if errs.1.contains(name) {
        return Some(name.to_string());
    }
    let resolutions: Vec<Resolution> = arches.iter().map(|a| syscalls::resolve(name, *a)).collect();
    if resolutions.iter().any(|r| r.exists()) {
        errs.1.insert(name.to_string());
        return Some(name.to_string());
    }
    // A real syscall that none of the policy's architectures has (`fork` on aarch64) cannot be
    // called there: its rule does nothing, which lint says, and the policy (a preset written
    // for several machines, say) still compiles.
    if resolutions.iter().all(|r| *r == Resolution::NotOnArch) {
        errs.1.insert(name.to_string());
        return Some(name.to_string());
    }
    let mut msg = format!("unknown syscall {}", shown(name));
    let known = errs.2.get_or_insert_with(|| syscalls::names_of(arches[0]));
    let suggestion = if let Some(g) = groups::group(name) {
        msg.push_str(&format!(" (did you mean the group \"@{}\"?)", g.name));
        Some(format!("@{}", g.name))
    } else if let Some(s) = nearest(name, known.iter().map(String::as_str)) {
        msg.push_str(&format!(" (did you mean {s:?}?)"));
        Some(s.to_string())
    } else {
        None
    };
    errs.add(DiagnosticKind::UnknownSyscall, path, msg);
    errs.suggest(suggestion.as_deref());
    None
}

/// The rule's syscalls and the policy's architectures, for values written with names.
type NameContext<'a> = (&'a [String], &'a [Arch]);

fn arg(v: &Value, path: &str, names: NameContext, errs: &mut Errors) -> Option<ArgCondition> {
    let Some(obj) = v.as_object() else {
        errs.add(
            DiagnosticKind::WrongType,
            path,
            format!(
                "a condition is an object with index, op and value, found {}",
                kind(v)
            ),
        );
        return None;
    };
    let before = errs.0.len();
    unknown_fields(obj, ARG_FIELDS, path, errs);
    let index = match obj.get("index") {
        Some(i) => match i.as_u64() {
            Some(n) if n < MAX_ARGS => Some(n as u8),
            _ => {
                errs.add(
                    DiagnosticKind::OutOfRange,
                    join(path, "index"),
                    format!("expected an argument index 0..=5, found {i}"),
                );
                None
            }
        },
        None => {
            errs.add(DiagnosticKind::MissingField, join(path, "index"), "missing");
            None
        }
    };
    let op_name = match obj.get("op") {
        Some(Value::String(s)) if CmpOp::NAMES.contains(&s.as_str()) => Some(s.as_str()),
        Some(Value::String(s)) => {
            errs.add(
                DiagnosticKind::UnknownOperator,
                join(path, "op"),
                format!(
                    "unknown operator {s:?} (expected one of: {})",
                    CmpOp::NAMES.join(", ")
                ),
            );
            None
        }
        Some(other) => {
            errs.add(
                DiagnosticKind::WrongType,
                join(path, "op"),
                format!("expected an operator name, found {}", kind(other)),
            );
            None
        }
        None => {
            errs.add(DiagnosticKind::MissingField, join(path, "op"), "missing");
            None
        }
    };
    let value = match obj.get("value") {
        Some(v) => u64_value(v, &join(path, "value"), (names, index), errs),
        None => {
            errs.add(DiagnosticKind::MissingField, join(path, "value"), "missing");
            None
        }
    };
    let masked = op_name == Some("masked_eq");
    let mask = match (obj.get("mask"), op_name) {
        (Some(m), Some(_)) if masked => u64_value(m, &join(path, "mask"), (names, index), errs),
        (None, Some(_)) if masked => {
            errs.add(
                DiagnosticKind::MissingField,
                join(path, "mask"),
                "missing: masked_eq needs a mask",
            );
            None
        }
        (Some(_), Some(_)) => {
            errs.add(
                DiagnosticKind::InvalidValue,
                join(path, "mask"),
                "only masked_eq takes a mask",
            );
            None
        }
        _ => Some(u64::MAX),
    };
    if let (true, Some(m), Some(v)) = (masked, mask, value) {
        if v & !m != 0 {
            errs.add(
                DiagnosticKind::InvalidValue,
                join(path, "value"),
                format!("value {v:#x} has bits outside mask {m:#x}, so it can never match"),
            );
        }
    }
    if errs.0.len() > before {
        return None;
    }
    Some(ArgCondition {
        index: index?,
        op: CmpOp::from_name(op_name?, mask?)?,
        value: value?,
    })
}

/// A 64-bit unsigned value: a JSON integer, or a string: decimal, `0x` hex, octal, a negative
/// integer (its two's complement), symbolic names (`"AF_INET"`, `"O_CREAT|O_WRONLY"`) of the
/// argument of the rule's syscalls (`crate::constants`).
fn u64_value(
    v: &Value,
    path: &str,
    ((syscalls, arches), index): (NameContext, Option<u8>),
    errs: &mut Errors,
) -> Option<u64> {
    let parsed = match v {
        Value::Number(n) => n.as_u64().ok_or_else(|| {
            if n.as_i64().is_some() {
                "negative JSON numbers are not allowed (write \"-100\" as a string for its two's complement)".to_string()
            } else {
                "not an integer in 0..=18446744073709551615".to_string()
            }
        }),
        Value::String(s) => string_value(s, syscalls, index, arches),
        _ => Err("expected an unsigned 64-bit integer".to_string()),
    };
    match parsed {
        Ok(n) => Some(n),
        Err(msg) => {
            let kind = match v {
                Value::Number(_) => DiagnosticKind::OutOfRange,
                Value::String(_) => DiagnosticKind::InvalidValue,
                _ => DiagnosticKind::WrongType,
            };
            errs.add(kind, path, format!("{msg}, found {v}"));
            None
        }
    }
}

fn string_value(
    s: &str,
    syscalls: &[String],
    index: Option<u8>,
    arches: &[Arch],
) -> std::result::Result<u64, String> {
    if let Some(n) = super::parse_u64(s) {
        return Ok(n);
    }
    if constants::uses_names(s) {
        if let Some(a) = arches.iter().find(|a| !constants::same_values_on(**a)) {
            return Err(format!(
                "names have the values of {} (this build of sysfence), which may differ on {a}: write the number",
                Arch::native()
            ));
        }
    }
    let names: Vec<&str> = match index {
        Some(_) => syscalls
            .iter()
            .filter(|s| !s.starts_with('@'))
            .map(String::as_str)
            .collect(),
        None => Vec::new(),
    };
    constants::parse_value(&names, index.unwrap_or(0), s)
}
