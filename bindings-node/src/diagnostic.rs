// SPDX-License-Identifier: MIT OR Apache-2.0
//! The core's findings about a policy as JavaScript objects: a `Diagnostic` each, and the
//! `CheckReport` that `checkPolicy` returns (also the `diagnostics` of a policy error).

use napi::bindgen_prelude::{Either, Null};
use sysfence::Severity;

/// One finding about a policy.
#[napi(object)]
pub struct Diagnostic {
    /// `error` (the policy cannot load) or `warning` (it works, probably not as meant).
    #[napi(ts_type = "'error' | 'warning'")]
    pub severity: String,
    /// What the finding is about, a stable name for programs (`unknown_syscall`, `conflict`,
    /// ...; docs/policy.md lists them).
    pub kind: String,
    /// Where: `default_action`, `rules[2].syscalls[1]`, or `$` for the whole policy.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
    /// The value probably meant (`execve` for `exceve`), or null.
    #[napi(ts_type = "string | null")]
    pub suggestion: Either<String, Null>,
}

impl From<&sysfence::Diagnostic> for Diagnostic {
    fn from(d: &sysfence::Diagnostic) -> Self {
        Diagnostic {
            severity: severity_name(d.severity).to_string(),
            kind: d.kind.name().to_string(),
            path: d.path.clone(),
            message: d.message.clone(),
            suggestion: match &d.suggestion {
                Some(s) => Either::A(s.clone()),
                None => Either::B(Null),
            },
        }
    }
}

/// What `checkPolicy` returns, the same in every language: `ok` is true when there is no error
/// (warnings may remain); `errors` and `warnings` count the diagnostics of each severity.
#[napi(object)]
pub struct CheckReport {
    /// No error: the policy loads.
    pub ok: bool,
    /// How many diagnostics are errors.
    pub errors: u32,
    /// How many diagnostics are warnings.
    pub warnings: u32,
    /// Every finding, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl From<&sysfence::CheckReport> for CheckReport {
    fn from(r: &sysfence::CheckReport) -> Self {
        CheckReport {
            ok: r.ok,
            errors: r.errors as u32,
            warnings: r.warnings as u32,
            diagnostics: r.diagnostics.iter().map(Diagnostic::from).collect(),
        }
    }
}

/// `error` or `warning`.
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
