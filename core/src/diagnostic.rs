// SPDX-License-Identifier: MIT OR Apache-2.0
//! Findings about a policy: errors that stop it from loading and warnings from the linter, each
//! tied to a JSON path such as `rules[2].syscalls[1]` and a stable machine-readable kind, and
//! the one check report every binding and the CLI return.

use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy cannot be compiled or loaded.
    Error,
    /// The policy works, but probably not as meant.
    Warning,
}

/// What a finding is about, for programs: a stable snake_case name (`unknown_syscall`) that
/// tests and users match on instead of the message. Names are never reused or renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// The text is not JSON sysfence reads: a syntax error, a byte order mark, too large.
    InvalidJson,
    /// A key appears twice in one JSON object.
    DuplicateKey,
    /// A value has the wrong JSON type (a number where a list belongs, ...).
    WrongType,
    /// A key that the format does not have.
    UnknownField,
    /// A required key is absent.
    MissingField,
    /// A syscall name unknown on every architecture of the policy.
    UnknownSyscall,
    /// An `@group` name that does not exist.
    UnknownGroup,
    /// A preset name that does not exist (also a policy argument that is neither JSON nor a
    /// preset name).
    UnknownPreset,
    /// An action that does not parse (`deny`, `errno:EFOO`).
    UnknownAction,
    /// An architecture name that does not exist.
    UnknownArchitecture,
    /// An argument comparison operator that does not exist.
    UnknownOperator,
    /// A number outside its range (an argument index, a 64-bit value, an errno).
    OutOfRange,
    /// A value of the right type that is not allowed here (an empty list, an unsupported
    /// version, a symbolic name of another argument, bits outside a mask, ...).
    InvalidValue,
    /// The same entry twice where once is meant (an architecture, a syscall, an argument).
    DuplicateEntry,
    /// Two rules give the same call different actions.
    Conflict,
    /// The policy refuses nothing, or a rule does nothing.
    NoEffect,
    /// An argument condition the filter cannot enforce as written on an architecture.
    UnenforceableCondition,
    /// libseccomp refused to build the filter.
    CompileFailed,
    /// Lint: log mode, nothing is enforced.
    LogMode,
    /// Lint: `log_denied` is false, refusals leave no record.
    LogDeniedOff,
    /// Lint: `bad_arch_action` lets calls through another ABI bypass every rule.
    BadArchAllowed,
    /// Lint: the machine's own architecture is not covered.
    NativeArchMissing,
    /// Lint: a syscall is not on some architecture of the policy, so the rule does nothing
    /// there.
    NotOnArchitecture,
    /// Lint: one exec syscall is refused and another is not.
    ExecBypass,
    /// Lint: `notify` without a supervisor holding the listener.
    NotifyWithoutSupervisor,
    /// Lint: io_uring is allowed while calls it can replace are refused.
    IoUringBypass,
    /// Lint: a call is refused but its multiplexer (`socketcall`, `ipc`) is allowed.
    MultiplexerBypass,
    /// A container profile's import or export changed something (dropped, narrowed,
    /// rewritten).
    ProfileConversion,
}

impl DiagnosticKind {
    /// The stable snake_case name (`unknown_syscall`).
    pub fn name(self) -> &'static str {
        use DiagnosticKind::*;
        match self {
            InvalidJson => "invalid_json",
            DuplicateKey => "duplicate_key",
            WrongType => "wrong_type",
            UnknownField => "unknown_field",
            MissingField => "missing_field",
            UnknownSyscall => "unknown_syscall",
            UnknownGroup => "unknown_group",
            UnknownPreset => "unknown_preset",
            UnknownAction => "unknown_action",
            UnknownArchitecture => "unknown_architecture",
            UnknownOperator => "unknown_operator",
            OutOfRange => "out_of_range",
            InvalidValue => "invalid_value",
            DuplicateEntry => "duplicate_entry",
            Conflict => "conflict",
            NoEffect => "no_effect",
            UnenforceableCondition => "unenforceable_condition",
            CompileFailed => "compile_failed",
            LogMode => "log_mode",
            LogDeniedOff => "log_denied_off",
            BadArchAllowed => "bad_arch_allowed",
            NativeArchMissing => "native_arch_missing",
            NotOnArchitecture => "not_on_architecture",
            ExecBypass => "exec_bypass",
            NotifyWithoutSupervisor => "notify_without_supervisor",
            IoUringBypass => "io_uring_bypass",
            MultiplexerBypass => "multiplexer_bypass",
            ProfileConversion => "profile_conversion",
        }
    }
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding about a policy. As JSON (every binding's form):
/// `{"severity", "kind", "path", "message", "suggestion"}`, `suggestion` null when none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What the finding is about, for programs.
    pub kind: DiagnosticKind,
    /// Where in the policy: `default_action`, `rules[2].syscalls[1]`, or `$` for the whole.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
    /// The value probably meant (`execve` for `exceve`), where there is one.
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// An error of `kind` at `path`.
    pub fn error(
        kind: DiagnosticKind,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind,
            path: path.into(),
            message: message.into(),
            suggestion: None,
        }
    }

    /// A warning of `kind` at `path`.
    pub fn warning(
        kind: DiagnosticKind,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            kind,
            path: path.into(),
            message: message.into(),
            suggestion: None,
        }
    }

    /// This finding with `suggestion` (the value probably meant).
    pub fn suggesting(mut self, suggestion: Option<impl Into<String>>) -> Self {
        self.suggestion = suggestion.map(Into::into);
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The one report of a check, in every binding and the CLI:
/// `{"ok", "errors", "warnings", "diagnostics"}`. `ok` is true when there is no error
/// (warnings may remain); `errors` and `warnings` count the diagnostics of each severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// No error: the policy loads.
    pub ok: bool,
    /// How many diagnostics are errors.
    pub errors: usize,
    /// How many diagnostics are warnings.
    pub warnings: usize,
    /// Every finding, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Vec<Diagnostic>> for CheckReport {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        CheckReport {
            ok: errors == 0,
            errors,
            warnings: diagnostics.len() - errors,
            diagnostics,
        }
    }
}
