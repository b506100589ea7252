// SPDX-License-Identifier: MIT OR Apache-2.0
//! sysfence: declarative seccomp-bpf policies for every language.
//!
//! A [`Policy`] (JSON, version 1) is validated, compiled through libseccomp into a [`Filter`]
//! whose BPF bytes are exactly what is simulated, exported and loaded. Loading sets
//! `PR_SET_NO_NEW_PRIVS` and synchronises every thread of the process (TSYNC).
//!
//! ```no_run
//! // Refuse running programs in this process and all its threads.
//! sysfence::apply_preset("no-exec").expect("seccomp filter loaded");
//! ```
#![deny(missing_docs)]

pub mod action;
pub mod arch;
pub mod audit;
pub mod bpf;
mod compile;
pub mod compiled;
pub mod constants;
mod diagnostic;
pub mod errno;
mod error;
mod filter;
pub mod groups;
mod lint;
pub mod load;
pub mod oci;
mod policy;
pub mod sha256;
mod status;
mod suggest;
pub mod syscalls;
pub mod terminal;

pub use action::Action;
pub use arch::Arch;
pub use compile::{compile, compile_with, CompileOptions};
pub use compiled::Provenance;
pub use diagnostic::{CheckReport, Diagnostic, DiagnosticKind, Severity};
pub use error::{Error, ErrorKind, LoadFailure, LoadStage, Result};
pub use filter::{Explanation, Filter, MultiplexedVerdict, Verdict};
pub use oci::{OciContext, OciFormat, OciImport};
pub use policy::{
    parse_u64, read_policy_text, ArgCondition, CmpOp, EffectiveRule, Mode, Policy, PolicyBuilder,
    PolicySource, Rule, MAX_POLICY_BYTES,
};
pub use status::{status, status_from_file, ProcStatus, SeccompMode, Status};

use serde::Serialize;

/// The README's Rust example, compiled and run as a doctest (in its own process).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The version of this library.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version of the libseccomp linked in, such as `2.6.1`.
pub fn libseccomp_version() -> String {
    match libseccomp::ScmpVersion::current() {
        Ok(v) => format!("{}.{}.{}", v.major, v.minor, v.micro),
        Err(_) => "unknown".to_string(),
    }
}

/// What [`apply_policy`] loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// BPF instructions in the filter.
    pub instructions: usize,
    /// Architectures covered.
    pub architectures: Vec<String>,
    /// `enforce` or `log` (serialised as that name).
    pub mode: Mode,
    /// Whether the kernel logs denials.
    pub log_denied: bool,
}

impl Report {
    fn of(filter: &Filter) -> Report {
        Report {
            instructions: filter.len(),
            architectures: filter
                .architectures()
                .iter()
                .map(|a| a.to_string())
                .collect(),
            mode: filter.mode(),
            log_denied: filter.log_denied(),
        }
    }
}

impl Policy {
    /// Compiles the policy through libseccomp (binary-tree optimisation).
    pub fn compile(&self) -> Result<Filter> {
        compile::compile(self)
    }
}

/// Compiles `policy` and loads it into this process, all threads. All or nothing.
pub fn apply_policy(policy: &Policy) -> Result<Report> {
    let filter = policy.compile()?;
    filter.load()?;
    Ok(Report::of(&filter))
}

/// Applies a preset (`no-exec`, `no-spawn`, `hardened`) to this process, all threads.
pub fn apply_preset(name: &str) -> Result<Report> {
    apply_policy(&Policy::preset(name)?)
}

/// [`apply_policy`] in the mode the caller names, whatever the policy's own `mode`: `"log"`
/// to only log what would be refused, `"enforce"` to refuse it; `None` keeps the policy's.
/// Every binding's `mode` argument comes here, so that a deployed service switches modes
/// without rewriting its policy (and never through the environment, which an attacker may
/// set). An unknown mode is [`Error::InvalidArgument`]; nothing is loaded then.
pub fn apply_policy_with_mode(policy: &Policy, mode: Option<&str>) -> Result<Report> {
    match mode {
        None => apply_policy(policy),
        Some(name) => apply_policy(&policy.with_mode(Mode::from_name(name)?)?),
    }
}

/// What `check` found: errors (the policy cannot load) and warnings, each with its kind and
/// path, as the one [`CheckReport`]. A container profile is imported for the default
/// [`OciContext`], its import warnings first.
pub fn check(policy: &serde_json::Value) -> CheckReport {
    CheckReport::from(oci::check_value(policy, &OciContext::default()))
}

/// [`check`] for JSON text: malformed JSON is one `invalid_json` error at `$`.
pub fn check_json(text: &str) -> CheckReport {
    match policy::json::parse(text) {
        Ok(v) => check(&v),
        Err(e) => CheckReport::from(e.diagnostics().to_vec()),
    }
}

/// [`check`] for a policy argument given as text ([`PolicySource`]): JSON text or a preset
/// name. A text that is neither is one `unknown_preset` error at `$`.
pub fn check_argument(text: &str) -> CheckReport {
    match PolicySource::of(text) {
        Ok(PolicySource::Json(t)) => check_json(t),
        Ok(PolicySource::Preset(name)) => match Policy::preset(name) {
            Ok(p) => check(&p.to_value()),
            Err(e) => CheckReport::from(e.diagnostics().to_vec()),
        },
        Err(e) => CheckReport::from(e.diagnostics().to_vec()),
    }
}
