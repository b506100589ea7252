// SPDX-License-Identifier: MIT OR Apache-2.0
//! The policy model: what a validated policy holds, how it prints back to JSON, and the
//! effective rules it stands for once presets and `@groups` are expanded.

mod expand;
pub(crate) mod json;
mod parse;

pub use expand::EffectiveRule;
pub(crate) use expand::{matches_on, rule_path};
pub use json::{read_policy_text, MAX_POLICY_BYTES};

use crate::action::Action;
use crate::arch::Arch;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::error::{Error, Result};
use crate::groups;
use crate::syscalls;
use serde_json::{json, Map, Value};
use std::fmt;

/// A validated seccomp policy (format version 1). Build one with [`Policy::from_json`],
/// [`Policy::from_value`], [`Policy::preset`] or a [`PolicyBuilder`]; every field has passed
/// validation, and the fields are private so that it stays so (read them through the
/// methods of the same names; change one through [`Policy::to_builder`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub(crate) default_action: Action,
    pub(crate) rules: Vec<Rule>,
    pub(crate) mode: Mode,
    pub(crate) log_denied: bool,
    pub(crate) architectures: Vec<Arch>,
    pub(crate) bad_arch_action: Action,
    pub(crate) extends: Vec<String>,
    pub(crate) enosys_unknown: bool,
    pub(crate) validated: Validated,
}

/// What validation left on a policy that came out of it whole (`parse`): that it did, so that
/// compiling need not validate it again, and the effective rules it computed, with the mode
/// they were computed for (a policy in another mode computes its own). A policy assembled field
/// by field inside the crate has neither, and compiling validates it. Never part of equality.
#[derive(Debug, Clone, Default)]
pub(crate) struct Validated {
    pub(crate) checked: bool,
    pub(crate) effective: Option<(Mode, std::sync::Arc<[EffectiveRule]>)>,
}

impl Validated {
    /// Not validated: a policy assembled by hand.
    pub(crate) const NO: Validated = Validated {
        checked: false,
        effective: None,
    };
}

impl PartialEq for Validated {
    fn eq(&self, _: &Validated) -> bool {
        true
    }
}

impl Eq for Validated {}

/// A policy being written field by field: nothing is checked until [`PolicyBuilder::build`],
/// which validates it exactly as [`Policy::from_value`] validates JSON (same errors, same
/// paths), so that a misspelt syscall or an out-of-range argument index is an error, never a
/// hole in the filter.
///
/// ```
/// use sysfence::{Action, ArgCondition, CmpOp, PolicyBuilder, Rule};
///
/// // Refuse raw sockets (the type's low 4 bits are SOCK_RAW, 3) and ptrace; allow the rest.
/// let raw = ArgCondition { index: 1, op: CmpOp::MaskedEq(0xf), value: 3 };
/// let policy = PolicyBuilder::new(Action::Allow)
///     .rule(Rule::new(Action::Errno(1), ["socket"], vec![raw]))
///     .rule(Rule::new(Action::Errno(1), ["ptrace"], vec![]))
///     .build()
///     .unwrap();
/// assert_eq!(policy.rules().len(), 2);
///
/// // A misspelt name is an error at its path, as in JSON: never a rule left out.
/// let typo = PolicyBuilder::new(Action::Allow)
///     .rule(Rule::new(Action::Errno(1), ["ptrce"], vec![]))
///     .build()
///     .unwrap_err();
/// assert_eq!(typo.diagnostics()[0].path, "rules[0].syscalls[0]");
/// assert_eq!(typo.diagnostics()[0].suggestion.as_deref(), Some("ptrace"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyBuilder {
    /// The action for every syscall that no rule names.
    pub default_action: Action,
    /// The rules, in the order written.
    pub rules: Vec<Rule>,
    /// `enforce`, or `log` to only log what would be refused.
    pub mode: Mode,
    /// Ask the kernel to log every action other than allow (`SECCOMP_FILTER_FLAG_LOG`).
    pub log_denied: bool,
    /// The architectures covered; empty means the native one.
    pub architectures: Vec<Arch>,
    /// The action for syscalls made through any other architecture's ABI.
    pub bad_arch_action: Action,
    /// Presets whose rules are merged in.
    pub extends: Vec<String>,
    /// `unknown_syscalls: "enosys"` (see [`Policy::enosys_unknown`]).
    pub enosys_unknown: bool,
}

impl PolicyBuilder {
    /// A policy with this default action and the format's defaults for everything else (no
    /// rules, enforce, the native architecture, `kill_process` for other ABIs).
    pub fn new(default_action: Action) -> PolicyBuilder {
        PolicyBuilder {
            default_action,
            rules: Vec::new(),
            mode: Mode::Enforce,
            log_denied: false,
            architectures: Vec::new(),
            bad_arch_action: Action::KillProcess,
            extends: Vec::new(),
            enosys_unknown: false,
        }
    }

    /// Adds a rule (builder style).
    pub fn rule(mut self, rule: Rule) -> PolicyBuilder {
        self.rules.push(rule);
        self
    }

    /// Validates the draft: the policy, or [`Error::Policy`] with every problem and its path.
    pub fn build(&self) -> Result<Policy> {
        let draft = Policy {
            default_action: self.default_action,
            rules: self.rules.clone(),
            mode: self.mode,
            log_denied: self.log_denied,
            architectures: self.architectures.clone(),
            bad_arch_action: self.bad_arch_action,
            extends: self.extends.clone(),
            enosys_unknown: self.enosys_unknown,
            validated: Validated::NO,
        };
        parse::parse(&draft.to_value())
    }
}

/// One rule: an action for some syscalls, optionally only when their arguments match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// What happens when the rule matches.
    pub action: Action,
    /// Syscall names and `@group` names.
    pub syscalls: Vec<String>,
    /// Conditions that must all hold; empty means always.
    pub args: Vec<ArgCondition>,
}

impl Rule {
    /// A rule for `syscalls` (names or `@group`s), checked when its policy is built.
    pub fn new<S: Into<String>>(
        action: Action,
        syscalls: impl IntoIterator<Item = S>,
        args: Vec<ArgCondition>,
    ) -> Rule {
        Rule {
            action,
            syscalls: syscalls.into_iter().map(Into::into).collect(),
            args,
        }
    }
}

/// A comparison of one syscall argument against a 64-bit value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArgCondition {
    /// The argument, 0..=5.
    pub index: u8,
    /// The comparison.
    pub op: CmpOp,
    /// The value compared against.
    pub value: u64,
}

/// How an argument is compared (unsigned, 64-bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `arg == value`
    Eq,
    /// `arg != value`
    Ne,
    /// `arg < value`
    Lt,
    /// `arg <= value`
    Le,
    /// `arg > value`
    Gt,
    /// `arg >= value`
    Ge,
    /// `arg & mask == value`, carrying its mask.
    MaskedEq(u64),
}

/// Whether a policy enforces its actions or only logs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Actions apply as written.
    #[default]
    Enforce,
    /// Every action other than allow becomes `log`: the call runs and the kernel logs it.
    Log,
}

impl CmpOp {
    /// The names used in policies.
    pub const NAMES: &'static [&'static str] = &["eq", "ne", "lt", "le", "gt", "ge", "masked_eq"];

    /// The name used in policies.
    pub fn name(self) -> &'static str {
        let i = match self {
            CmpOp::Eq => 0,
            CmpOp::Ne => 1,
            CmpOp::Lt => 2,
            CmpOp::Le => 3,
            CmpOp::Gt => 4,
            CmpOp::Ge => 5,
            CmpOp::MaskedEq(_) => 6,
        };
        Self::NAMES[i]
    }

    /// The operator called `name`; `mask` is used only by `masked_eq`.
    pub(crate) fn from_name(name: &str, mask: u64) -> Option<CmpOp> {
        Some(match name {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            "masked_eq" => CmpOp::MaskedEq(mask),
            _ => return None,
        })
    }

    /// The mask of `masked_eq`; `None` for the other operators.
    pub fn mask(self) -> Option<u64> {
        match self {
            CmpOp::MaskedEq(mask) => Some(mask),
            _ => None,
        }
    }
}

impl ArgCondition {
    /// True when `arg` satisfies this condition.
    pub fn matches(&self, arg: u64) -> bool {
        match self.op {
            CmpOp::Eq => arg == self.value,
            CmpOp::Ne => arg != self.value,
            CmpOp::Lt => arg < self.value,
            CmpOp::Le => arg <= self.value,
            CmpOp::Gt => arg > self.value,
            CmpOp::Ge => arg >= self.value,
            CmpOp::MaskedEq(mask) => arg & mask == self.value,
        }
    }

    fn to_value(self) -> Value {
        let mut m = Map::new();
        m.insert("index".into(), json!(self.index));
        m.insert("op".into(), json!(self.op.name()));
        if let CmpOp::MaskedEq(mask) = self.op {
            m.insert("mask".into(), exact_number(mask));
        }
        m.insert("value".into(), exact_number(self.value));
        Value::Object(m)
    }
}

/// The largest integer a JSON number holds exactly in every language (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A JSON integer where every language reads it exactly, else a `"0x..."` string (which the
/// parser reads back to the same 64-bit value).
fn exact_number(v: u64) -> Value {
    if v <= MAX_SAFE_INTEGER {
        json!(v)
    } else {
        json!(format!("{v:#x}"))
    }
}

/// Parses an unsigned 64-bit integer written in decimal or `0x` hex (`"4096"`, `"0xffff0000"`),
/// as policies and the CLI accept them.
pub fn parse_u64(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse::<u64>().ok(),
    }
}

impl Mode {
    /// The mode called `name` (`enforce` or `log`), as callers of [`crate::apply_policy_with_mode`]
    /// give it; anything else is an [`Error::InvalidArgument`] naming what is accepted.
    pub fn from_name(name: &str) -> Result<Mode> {
        match name {
            "enforce" => Ok(Mode::Enforce),
            "log" => Ok(Mode::Log),
            other => Err(Error::InvalidArgument(format!(
                "unknown mode {other:?} (expected \"enforce\" or \"log\")"
            ))),
        }
    }

    /// `enforce` or `log`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Log => "log",
        }
    }

    /// The action that really applies in this mode.
    pub fn apply(self, action: Action) -> Action {
        match self {
            Mode::Enforce => action,
            Mode::Log => action.in_log_mode(),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Policy {
    /// The action for every syscall that no rule names.
    pub fn default_action(&self) -> Action {
        self.default_action
    }

    /// The rules, in the order written.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// `enforce`, or `log` to only log what would be refused.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether the kernel logs every action other than allow (`SECCOMP_FILTER_FLAG_LOG`).
    pub fn log_denied(&self) -> bool {
        self.log_denied
    }

    /// The architectures listed; empty means the native one (see [`Policy::target_arches`]).
    pub fn architectures(&self) -> &[Arch] {
        &self.architectures
    }

    /// The action for syscalls made through any other architecture's ABI.
    pub fn bad_arch_action(&self) -> Action {
        self.bad_arch_action
    }

    /// Presets whose rules are merged in.
    pub fn extends(&self) -> &[String] {
        &self.extends
    }

    /// `unknown_syscalls: "enosys"`: syscall numbers above the highest that the linked
    /// libseccomp knows on an architecture fail with ENOSYS instead of meeting the default
    /// action (as runc does), so that a newer libc falls back. Off by default.
    pub fn enosys_unknown(&self) -> bool {
        self.enosys_unknown
    }

    /// This policy as a draft to change and [`PolicyBuilder::build`] again.
    pub fn to_builder(&self) -> PolicyBuilder {
        PolicyBuilder {
            default_action: self.default_action,
            rules: self.rules.clone(),
            mode: self.mode,
            log_denied: self.log_denied,
            architectures: self.architectures.clone(),
            bad_arch_action: self.bad_arch_action,
            extends: self.extends.clone(),
            enosys_unknown: self.enosys_unknown,
        }
    }

    /// This policy in `mode`, validated again: whether a policy can be enforced as written
    /// can depend on its mode (in log mode every refusal becomes `log`, so a `socketcall` that
    /// enforce mode refuses outright no longer covers the conditions of `socket` on x86), and
    /// such a policy is an [`Error::Policy`] here, as it would be written in that mode.
    pub fn with_mode(&self, mode: Mode) -> Result<Policy> {
        if mode == self.mode {
            return Ok(self.clone());
        }
        let draft = Policy {
            mode,
            validated: Validated::NO,
            ..self.clone()
        };
        parse::parse(&draft.to_value())
    }

    /// Parses and validates a policy from JSON text. On failure the error holds every problem
    /// found, each with its JSON path. A key given twice in one object and a leading byte
    /// order mark are errors.
    pub fn from_json(text: &str) -> Result<Policy> {
        Policy::from_value(&json::parse(text)?)
    }

    /// Validates a policy given as a JSON value (what Python dicts and JS objects become). A
    /// container profile (Docker/Podman, OCI `linux.seccomp`, OCI `config.json`), recognised
    /// by its keys, is imported for the default [`crate::oci::OciContext`] (see
    /// [`Policy::from_oci`] for another context and [`crate::oci::import`] for the warnings).
    pub fn from_value(value: &Value) -> Result<Policy> {
        match crate::oci::detect(value) {
            Some(_) => Policy::from_oci(value, &crate::oci::OciContext::default()),
            None => parse::parse(value),
        }
    }

    /// Reads and validates a policy file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Policy> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| Error::io(&name, &e))?;
        Policy::from_json(&read_policy_text(file, &name)?)
    }

    /// A preset by name (`no-exec`, `no-spawn`, `hardened`, `docker-default`).
    pub fn preset(name: &str) -> Result<Policy> {
        match groups::preset(name) {
            Some(p) if p.name == groups::DOCKER_DEFAULT => docker_default(),
            Some(p) => Policy::from_json(p.json),
            None => Err(Error::Policy(vec![unknown_preset("$", name)])),
        }
    }

    /// A policy argument given as text, as every binding and the CLI take one: JSON text (a
    /// sysfence policy or a container profile) or a preset name. The rule is
    /// [`PolicySource::of`]'s, decided here once so that `"no-exec"` means the same preset in
    /// C, Ruby, Crystal, Java, Python and Node. Use [`Policy::from_json`] or [`Policy::preset`]
    /// to accept one form only.
    pub fn from_argument(text: &str) -> Result<Policy> {
        match PolicySource::of(text)? {
            PolicySource::Json(t) => Policy::from_json(t),
            PolicySource::Preset(name) => Policy::preset(name),
        }
    }

    /// The policy as a JSON value in canonical form: every field present, defaults spelt out.
    pub fn to_value(&self) -> Value {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("action".into(), json!(r.action.to_string()));
                m.insert("syscalls".into(), json!(r.syscalls));
                if !r.args.is_empty() {
                    m.insert(
                        "args".into(),
                        Value::Array(r.args.iter().map(|a| a.to_value()).collect()),
                    );
                }
                Value::Object(m)
            })
            .collect();
        let arches: Vec<&str> = self.architectures.iter().map(|a| a.name()).collect();
        let mut out = json!({
            "default_action": self.default_action.to_string(),
            "rules": rules,
            "mode": self.mode.name(),
            "log_denied": self.log_denied,
            "bad_arch_action": self.bad_arch_action.to_string(),
            "extends": self.extends,
        });
        // Absent means native: an empty list is not a valid policy.
        if !arches.is_empty() {
            out["architectures"] = json!(arches);
        }
        // Written only when set, so that policies without it print as before.
        if self.enosys_unknown {
            out["unknown_syscalls"] = json!("enosys");
        }
        out
    }

    /// The policy as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).expect("a JSON value always serialises")
    }

    /// The architectures this policy covers, native when none are listed.
    pub fn target_arches(&self) -> Vec<Arch> {
        if self.architectures.is_empty() {
            vec![Arch::native()]
        } else {
            self.architectures.clone()
        }
    }

    /// The rules that really apply, after presets and groups are expanded, with the action the
    /// mode gives them: own rules first, then the presets' rules for what own rules leave to
    /// them (see docs/policy.md, "Presets"). Rules whose action equals the default action are
    /// left out, except an own conditional rule that makes an exception to a preset's rule:
    /// `explain` names it, and the compiler skips it (the preset's rule, narrowed to the calls
    /// it does not match, leaves those calls to the default).
    pub fn effective_rules(&self) -> Vec<EffectiveRule> {
        match self.cached_effective_rules() {
            Some(rules) => rules.to_vec(),
            None => expand::effective_rules(self),
        }
    }

    /// [`Policy::effective_rules`], or the errors of a policy built by hand that validation
    /// would have refused (an exception to a preset that libseccomp cannot express).
    pub(crate) fn try_effective_rules(&self) -> Result<Vec<EffectiveRule>> {
        match self.cached_effective_rules() {
            Some(rules) => Ok(rules.to_vec()),
            None => expand::resolve(self).map_err(Error::Policy),
        }
    }

    /// The effective rules validation computed for this policy in its current mode.
    fn cached_effective_rules(&self) -> Option<&[EffectiveRule]> {
        match &self.validated.effective {
            Some((mode, rules)) if *mode == self.mode => Some(rules),
            _ => None,
        }
    }

    /// The effective default action (after `mode`).
    pub fn effective_default(&self) -> Action {
        self.mode.apply(self.default_action)
    }

    /// The rule that gives `syscall` with `args` the action `action`, if a rule (rather than
    /// the default action) decides it: the first effective rule for that syscall whose
    /// conditions all hold. For `sysfence explain`.
    pub fn deciding_rule(
        &self,
        syscall: &str,
        args: &[u64],
        action: Action,
    ) -> Option<EffectiveRule> {
        self.effective_rules().into_iter().find(|r| {
            r.syscall == syscall
                && r.action == action
                && r.args
                    .iter()
                    .all(|c| c.matches(args.get(usize::from(c.index)).copied().unwrap_or(0)))
        })
    }

    /// The action the policy's rules give `syscall` when that does not depend on its
    /// arguments: `None` when a rule with conditions names it.
    pub fn unconditional_action(&self, syscall: &str) -> Option<Action> {
        let rules: Vec<EffectiveRule> = self
            .effective_rules()
            .into_iter()
            .filter(|r| r.syscall == syscall)
            .collect();
        match rules.as_slice() {
            [] => Some(self.effective_default()),
            [only] if only.args.is_empty() => Some(only.action),
            _ => None,
        }
    }

    /// Errors for argument conditions that the filter could not enforce as written on one of
    /// the policy's architectures (conditions on calls an ABI multiplexes through
    /// `socketcall`/`ipc`, values above 32 bits on a 32-bit ABI). Validation reports them;
    /// compiling checks again, for policies built field by field.
    pub fn unenforceable_conditions(&self) -> Vec<Diagnostic> {
        expand::unenforceable_conditions(self)
    }

    /// This policy with `extra`'s rules in front: for every syscall `extra`'s rules name
    /// (`@groups` expanded), `extra`'s rules decide, and this policy's own rules and its
    /// presets' rules for that syscall are dropped. Everything else (the default action, the
    /// architectures, `mode`, `log_denied`, the other rules, the presets) is this policy's.
    /// `extra`'s own default action plays no part. The result is validated again.
    ///
    /// This is how `sysfence run --deny`/`--allow` combine with `--policy`/`--preset`.
    pub fn overridden_by(&self, extra: &Policy) -> Result<Policy> {
        let arches = self.target_arches();
        let exists = |name: &str| arches.iter().any(|a| syscalls::resolve(name, *a).exists());
        let named: Vec<String> = expand::own_rules_expanded(extra)
            .into_iter()
            .map(|r| r.syscall)
            .collect();
        let mut rules = extra.rules.clone();
        for rule in &self.rules {
            let mut kept: Vec<String> = Vec::new();
            for entry in &rule.syscalls {
                match entry.strip_prefix('@').and_then(groups::group) {
                    Some(g) if g.members.iter().any(|m| named.iter().any(|n| n == m)) => kept
                        .extend(
                            g.members
                                .iter()
                                .filter(|m| !named.iter().any(|n| n == *m) && exists(m))
                                .map(|m| m.to_string()),
                        ),
                    Some(_) => kept.push(entry.clone()),
                    None if named.contains(entry) => {}
                    None => kept.push(entry.clone()),
                }
            }
            kept.dedup();
            if !kept.is_empty() {
                rules.push(Rule {
                    syscalls: kept,
                    ..rule.clone()
                });
            }
        }
        let merged = Policy {
            rules,
            validated: Validated::NO,
            ..self.clone()
        };
        Policy::from_value(&merged.to_value())
    }

    /// Warnings about a valid policy: things that work, but probably not as meant.
    pub fn lint(&self) -> Vec<Diagnostic> {
        crate::lint::lint(self)
    }
}

/// What a policy argument given as text is. The one rule, for every binding and the CLI:
///
/// 1. text whose first non-blank character is `{` or `[` (or a byte order mark) is JSON, and
///    its JSON errors are reported as such;
/// 2. else a known preset name is that preset;
/// 3. else text that parses as some other JSON value (`42`, `"x"`, `null`) is JSON, which
///    validation then refuses with a path;
/// 4. anything else is a policy error at `$` naming both forms (and the nearest preset).
///
/// A mapping or object (a Python dict, a JS object, a Ruby Hash) is a policy value and goes to
/// [`Policy::from_value`], which also recognises container profiles by their keys. A
/// precompiled filter is never text: bindings tell it by its type (bytes, a Buffer) and hand
/// it to the filter loader, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySource<'a> {
    /// JSON text: a sysfence policy or a Docker/Podman/OCI profile.
    Json(&'a str),
    /// The name of a preset (`no-exec`, ...).
    Preset(&'a str),
}

impl<'a> PolicySource<'a> {
    /// Classifies `text` by the rule above.
    pub fn of(text: &'a str) -> Result<PolicySource<'a>> {
        let start = text.trim_start_matches([' ', '\t', '\n', '\r']);
        if start.starts_with(['{', '[', '\u{feff}']) {
            return Ok(PolicySource::Json(text));
        }
        if groups::preset(text).is_some() {
            return Ok(PolicySource::Preset(text));
        }
        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
            return Ok(PolicySource::Json(text));
        }
        let names: Vec<&str> = groups::PRESETS.iter().map(|p| p.name).collect();
        let suggestion = crate::suggest::nearest(text, names.iter().copied());
        let mut message = format!(
            "expected a preset name ({}) or a policy as JSON text, found {}",
            names.join(", "),
            shown_argument(text)
        );
        if let Some(s) = &suggestion {
            message.push_str(&format!(" (did you mean {s:?}?)"));
        }
        Err(Error::Policy(vec![Diagnostic::error(
            DiagnosticKind::UnknownPreset,
            "$",
            message,
        )
        .suggesting(suggestion)]))
    }
}

/// An argument quoted for a message, cut short when long.
fn shown_argument(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((cut, _)) => format!("{:?}... ({} bytes)", &text[..cut], text.len()),
        None => format!("{text:?}"),
    }
}

/// A sysfence-format policy value, never a container profile.
pub(crate) fn parse_sysfence(value: &Value) -> Result<Policy> {
    parse::parse(value)
}

/// moby's default profile resolved for Docker's default capabilities, the native architecture
/// and kernel 6.0 (so that the result does not depend on the machine's kernel; the profile's
/// only `minKernel` is 4.8). Built once.
fn docker_default() -> Result<Policy> {
    static CACHE: std::sync::OnceLock<Result<Policy>> = std::sync::OnceLock::new();
    CACHE
        .get_or_init(|| {
            let value = json::parse(groups::DOCKER_DEFAULT_JSON)?;
            let ctx = crate::oci::OciContext {
                kernel: (6, 0),
                ..crate::oci::OciContext::default()
            };
            Policy::from_oci(&value, &ctx)
        })
        .clone()
}

/// The error for an unknown preset `name` at `path`, suggesting the nearest preset.
pub(crate) fn unknown_preset(path: impl Into<String>, name: &str) -> Diagnostic {
    let names: Vec<&str> = groups::PRESETS.iter().map(|p| p.name).collect();
    let suggestion = crate::suggest::nearest(name, names.iter().copied());
    let msg = match suggestion {
        Some(s) => format!("unknown preset {name:?} (did you mean {s:?}?)"),
        None => format!("unknown preset {name:?} (presets: {})", names.join(", ")),
    };
    Diagnostic::error(DiagnosticKind::UnknownPreset, path, msg).suggesting(suggestion)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_validates_as_json_does_and_reads_back_the_same_policy() {
        let p = PolicyBuilder::new(Action::Allow)
            .rule(Rule::new(
                Action::Errno(1),
                ["socket"],
                vec![ArgCondition {
                    index: 1,
                    op: CmpOp::MaskedEq(0xf),
                    value: 3,
                }],
            ))
            .build()
            .unwrap();
        assert_eq!(p.rules()[0].args[0].op.mask(), Some(0xf));
        assert_eq!(p.to_builder().build().unwrap(), p);
        assert_eq!(Policy::from_value(&p.to_value()).unwrap(), p);
        // Out-of-range index, a value outside the mask, an unknown group: every error, with
        // the path JSON would have.
        let bad = PolicyBuilder::new(Action::Allow)
            .rule(Rule::new(
                Action::Errno(1),
                ["@netwrk"],
                vec![ArgCondition {
                    index: 6,
                    op: CmpOp::MaskedEq(0xf),
                    value: 0x10,
                }],
            ))
            .build()
            .unwrap_err();
        let paths: Vec<(&str, DiagnosticKind)> = bad
            .diagnostics()
            .iter()
            .map(|d| (d.path.as_str(), d.kind))
            .collect();
        assert!(paths.contains(&("rules[0].syscalls[0]", DiagnosticKind::UnknownGroup)));
        assert!(paths.contains(&("rules[0].args[0].index", DiagnosticKind::OutOfRange)));
        assert!(paths.contains(&("rules[0].args[0].value", DiagnosticKind::InvalidValue)));
    }

    /// Inside the crate a policy can still be assembled field by field (container-profile
    /// import, the terminal guard), and is then not marked validated: compiling validates it,
    /// so a misspelt syscall is an error at its path, never a rule silently left out of the
    /// filter.
    #[test]
    fn compile_refuses_a_policy_built_by_hand_inside_the_crate() {
        let mut p = Policy {
            validated: Validated::NO,
            ..Policy::from_json(
                r#"{"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["ptrace"]}]}"#,
            )
            .unwrap()
        };
        p.rules[0].syscalls = vec!["ptrce".to_string()];
        let e = p
            .compile()
            .expect_err("a misspelt syscall must not compile");
        let d = &e.diagnostics()[0];
        assert_eq!(
            (d.path.as_str(), d.kind),
            ("rules[0].syscalls[0]", DiagnosticKind::UnknownSyscall)
        );
        p.rules[0].syscalls = vec!["ptrace".to_string()];
        p.extends = vec!["no-exce".into()];
        assert_eq!(p.compile().unwrap_err().diagnostics()[0].path, "extends[0]");
    }

    /// Validation keeps the effective rules it computed, for the mode it computed them in: a
    /// policy in another mode has its own, so that its filter never carries the other mode's
    /// actions.
    #[test]
    fn the_effective_rules_validation_keeps_follow_the_mode() {
        let text = r#"{"default_action": "allow", "extends": ["no-exec"],
            "rules": [{"action": "errno", "syscalls": ["ptrace"]}]}"#;
        let enforce = Policy::from_json(text).unwrap();
        let by_hand = Policy {
            validated: Validated::NO,
            ..enforce.clone()
        };
        assert!(enforce.cached_effective_rules().is_some());
        assert_eq!(enforce.effective_rules(), by_hand.effective_rules());
        let logged = enforce.with_mode(Mode::Log).unwrap();
        // Validated again in its mode: its own rules, not the enforce-mode ones.
        assert!(logged
            .cached_effective_rules()
            .is_some_and(|rules| rules.iter().all(|r| r.action == Action::Log)));
        // A policy whose fields changed after validation (inside the crate) never uses rules
        // kept for another mode.
        let relabelled = Policy {
            mode: Mode::Log,
            ..enforce.clone()
        };
        assert!(relabelled.cached_effective_rules().is_none());
        assert!(relabelled
            .effective_rules()
            .iter()
            .all(|r| r.action == Action::Log));
        let written_in_log =
            Policy::from_json(&text.replace("\"allow\",", "\"allow\", \"mode\": \"log\","))
                .unwrap();
        assert_eq!(written_in_log.mode(), Mode::Log);
        assert_eq!(
            logged.compile().unwrap().bpf(),
            written_in_log.compile().unwrap().bpf()
        );
        assert_ne!(
            logged.compile().unwrap().bpf(),
            enforce.compile().unwrap().bpf()
        );
    }

    #[test]
    fn only_masked_eq_carries_a_mask() {
        assert_eq!(CmpOp::from_name("masked_eq", 7), Some(CmpOp::MaskedEq(7)));
        assert_eq!(CmpOp::from_name("eq", 7), Some(CmpOp::Eq));
        assert_eq!(CmpOp::Eq.mask(), None);
        for name in CmpOp::NAMES {
            assert_eq!(CmpOp::from_name(name, 1).unwrap().name(), *name);
        }
    }

    #[test]
    fn values_beyond_2_pow_53_print_as_hex_strings_and_read_back() {
        let text = r#"{"default_action":"allow","rules":[{"action":"errno","syscalls":["dup"],
            "args":[{"index":0,"op":"masked_eq","mask":"0xffffffff00000000","value":"0x1234567800000000"}]},
            {"action":"errno","syscalls":["dup2"],"args":[{"index":1,"op":"eq","value":9007199254740991}]}]}"#;
        let p = Policy::from_json(text).unwrap();
        let v = p.to_value();
        assert_eq!(v["rules"][0]["args"][0]["mask"], "0xffffffff00000000");
        assert_eq!(v["rules"][0]["args"][0]["value"], "0x1234567800000000");
        assert_eq!(v["rules"][1]["args"][0]["value"], 9007199254740991u64);
        assert_eq!(Policy::from_value(&v).unwrap(), p);
    }

    #[test]
    fn overriding_rules_decide_for_the_syscalls_they_name() {
        let base = Policy::from_json(
            r#"{"default_action":"errno:EPERM","architectures":["x86_64"],"extends":["no-exec"],
                "rules":[{"action":"allow","syscalls":["read","close"]},
                         {"action":"errno:EACCES","syscalls":["@network"]}]}"#,
        )
        .unwrap();
        let extra = Policy::from_json(
            r#"{"default_action":"allow","rules":[
                {"action":"errno:98","syscalls":["bind"]},
                {"action":"allow","syscalls":["socket","execve"]}]}"#,
        )
        .unwrap();
        let p = base.overridden_by(&extra).unwrap();
        assert_eq!(p.default_action, base.default_action);
        assert_eq!(p.extends, base.extends);
        let action = |name: &str| p.unconditional_action(name).unwrap().to_string();
        assert_eq!(action("bind"), "errno:98");
        assert_eq!(action("socket"), "allow");
        assert_eq!(action("connect"), "errno:EACCES");
        assert_eq!(action("read"), "allow");
        // The preset's rule for execve gives way; its others stay.
        assert_eq!(action("execve"), "allow");
        assert_eq!(action("execveat"), "errno:EACCES");
        assert_eq!(action("write"), "errno:EPERM");
    }

    #[test]
    fn argument_values_may_be_names() {
        let p = Policy::from_json(
            r#"{"default_action":"allow","rules":[{"action":"errno","syscalls":["socket"],"args":[{"index":0,"op":"eq","value":"AF_INET"},{"index":1,"op":"masked_eq","mask":"0xf","value":"SOCK_RAW"}]},
            {"action":"errno","syscalls":["openat"],"args":[{"index":0,"op":"eq","value":"-100"},{"index":3,"op":"eq","value":"0o644"}]}]}"#,
        )
        .unwrap();
        assert_eq!(p.rules[0].args[0].value, libc::AF_INET as u64);
        assert_eq!(p.rules[0].args[1].value, libc::SOCK_RAW as u64);
        assert_eq!(p.rules[1].args[0].value, libc::AT_FDCWD as i64 as u64);
        assert_eq!(p.rules[1].args[1].value, 0o644);
        let errs = |json: &str| match Policy::from_json(json) {
            Err(Error::Policy(d)) => d
                .iter()
                .map(|d| format!("{}: {}", d.path, d.message))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let e = errs(
            r#"{"default_action":"allow","rules":[{"action":"errno","syscalls":["socket"],"args":[{"index":0,"op":"eq","value":"SOCK_RAW"}]}]}"#,
        );
        assert!(
            e[0].starts_with(
                "rules[0].args[0].value: SOCK_RAW is not a value of domain (arg 0) of socket"
            ),
            "{e:?}"
        );
        let other = if Arch::native() == Arch::X86_64 {
            "aarch64"
        } else {
            "x86_64"
        };
        let e = errs(&format!(
            r#"{{"default_action":"allow","architectures":["{other}"],"rules":[{{"action":"errno","syscalls":["socket"],"args":[{{"index":0,"op":"eq","value":"AF_INET"}}]}}]}}"#
        ));
        assert!(e[0].contains("write the number"), "{e:?}");
    }

    #[test]
    fn a_policy_argument_is_json_text_or_a_preset_name() {
        use PolicySource::{Json, Preset};
        assert_eq!(PolicySource::of("no-exec").unwrap(), Preset("no-exec"));
        assert_eq!(PolicySource::of(" {\"a\":").unwrap(), Json(" {\"a\":"));
        assert_eq!(PolicySource::of("[1]").unwrap(), Json("[1]"));
        assert_eq!(PolicySource::of("42").unwrap(), Json("42"));
        let e = PolicySource::of("no-exe").unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!(
            (d.path.as_str(), d.kind),
            ("$", DiagnosticKind::UnknownPreset)
        );
        assert_eq!(d.suggestion.as_deref(), Some("no-exec"));
        assert!(d.message.contains("JSON text"), "{}", d.message);
        assert_eq!(
            Policy::from_argument("no-exec").unwrap(),
            Policy::preset("no-exec").unwrap()
        );
        let text = r#"{"default_action":"allow","rules":[{"action":"errno","syscalls":["dup"]}]}"#;
        assert_eq!(
            Policy::from_argument(text).unwrap(),
            Policy::from_json(text).unwrap()
        );
        // Malformed JSON is reported as JSON, not as an unknown preset.
        let e = Policy::from_argument("{\"default_action\": ").unwrap_err();
        assert_eq!(e.diagnostics()[0].kind, DiagnosticKind::InvalidJson);
    }

    #[test]
    fn parse_u64_reads_decimal_and_hex() {
        assert_eq!(parse_u64("4096"), Some(4096));
        assert_eq!(parse_u64("0xFFFF"), Some(0xffff));
        assert_eq!(parse_u64("18446744073709551616"), None);
        assert_eq!(parse_u64("-1"), None);
        assert_eq!(parse_u64("0x"), None);
    }
}
