// SPDX-License-Identifier: MIT OR Apache-2.0
//! The one error type of sysfence. Every binding derives its exceptions, error codes and result
//! codes from [`Error::code`], so tests assert on codes, never on message text.

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use std::fmt;

/// Everything that can go wrong in sysfence.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The policy is invalid: malformed JSON, wrong types, unknown syscalls, out-of-range
    /// values. Holds every problem found, each with its JSON path.
    Policy(Vec<Diagnostic>),
    /// libseccomp refused to build the filter.
    Compile {
        /// What libseccomp was doing.
        message: String,
        /// The errno libseccomp returned, if any.
        errno: Option<i32>,
    },
    /// The kernel refused to load the filter; nothing was loaded.
    Load(LoadFailure),
    /// The kernel or the library lacks a feature this request needs.
    Unsupported(String),
    /// An argument outside the policy was wrong (an unknown architecture or syscall name given
    /// to `simulate`, a NUL byte in a string crossing the C ABI, ...).
    InvalidArgument(String),
    /// An operating-system call failed: reading a file or a process's state, or starting and
    /// tracing a process (`pipe`, `clone`, `waitpid`, `ptrace`).
    Io {
        /// What was being read (a path) or done (the call, such as `clone`).
        path: String,
        /// The errno of the failure.
        errno: Option<i32>,
        /// The system's message.
        message: String,
    },
}

/// The kind of an [`Error`], without its details: what every binding maps, with an exhaustive
/// `match`, to its own error codes and classes, so that a new kind fails to compile there
/// instead of silently becoming "internal". (A panic caught at a binding's boundary is the
/// bindings' own "internal" kind: the core never returns one.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// [`Error::Policy`].
    Policy,
    /// [`Error::Compile`].
    Compile,
    /// [`Error::Load`].
    Load,
    /// [`Error::Unsupported`].
    Unsupported,
    /// [`Error::InvalidArgument`].
    InvalidArgument,
    /// [`Error::Io`].
    Io,
}

impl ErrorKind {
    /// Every kind, in the order of the C result codes (-1 to -6).
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::Policy,
        ErrorKind::Compile,
        ErrorKind::Load,
        ErrorKind::Unsupported,
        ErrorKind::InvalidArgument,
        ErrorKind::Io,
    ];

    /// The stable snake_case code: `policy`, `compile`, `load`, `unsupported`,
    /// `invalid_argument` or `io`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Policy => "policy",
            ErrorKind::Compile => "compile",
            ErrorKind::Load => "load",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Io => "io",
        }
    }
}

/// The stage of loading that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStage {
    /// `prctl(PR_SET_NO_NEW_PRIVS)` failed or did not stick.
    NoNewPrivs,
    /// `seccomp(SECCOMP_SET_MODE_FILTER)` failed.
    Seccomp,
    /// TSYNC could not move a thread to the new filter (it has another filter chain).
    Tsync,
    /// `seccomp()` is missing and the `prctl` fallback cannot cover a multi-threaded process.
    NoTsyncFallback,
    /// `prctl(PR_SET_SECCOMP)` (the fallback) failed.
    Prctl,
}

/// A failed load, without allocation: safe to build between `fork` and `exec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadFailure {
    /// Where loading stopped.
    pub stage: LoadStage,
    /// The errno the kernel gave (0 where none applies).
    pub errno: i32,
    /// The thread that TSYNC could not synchronise, for [`LoadStage::Tsync`].
    pub tid: Option<i32>,
}

impl Error {
    /// A stable, machine-readable code for this error kind: `policy`, `compile`, `load`,
    /// `unsupported`, `invalid_argument` or `io`.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The kind of this error, for an exhaustive `match`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Policy(_) => ErrorKind::Policy,
            Error::Compile { .. } => ErrorKind::Compile,
            Error::Load(_) => ErrorKind::Load,
            Error::Unsupported(_) => ErrorKind::Unsupported,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::Io { .. } => ErrorKind::Io,
        }
    }

    /// The errno behind this error, where there is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Load(f) if f.errno != 0 => Some(f.errno),
            Error::Compile { errno, .. } | Error::Io { errno, .. } => *errno,
            _ => None,
        }
    }

    /// The JSON path of the first policy problem (`rules[2].syscalls[1]`), for policy errors.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Policy(d) => d.first().map(|d| d.path.as_str()),
            _ => None,
        }
    }

    /// Every policy problem, for policy errors; empty otherwise.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Policy(d) => d,
            _ => &[],
        }
    }

    /// A policy error with a single problem at `path`.
    pub(crate) fn policy(
        kind: DiagnosticKind,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Policy(vec![Diagnostic::error(kind, path, message)])
    }

    /// An [`Error::Io`] for `err`, which happened reading `what` (a path) or calling it (`clone`).
    pub fn io(what: &str, err: &std::io::Error) -> Self {
        Error::Io {
            path: what.to_string(),
            errno: err.raw_os_error(),
            message: err.to_string(),
        }
    }
}

impl fmt::Display for LoadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let os = if self.errno != 0 {
            format!(": {}", std::io::Error::from_raw_os_error(self.errno))
        } else {
            String::new()
        };
        match self.stage {
            LoadStage::NoNewPrivs => write!(f, "prctl(PR_SET_NO_NEW_PRIVS) failed{os}"),
            LoadStage::Seccomp => write!(f, "seccomp(SECCOMP_SET_MODE_FILTER) failed{os}"),
            LoadStage::Tsync => write!(
                f,
                "TSYNC could not synchronise thread {} (it runs under a different seccomp \
                 filter or mode); nothing was loaded",
                self.tid.unwrap_or(0)
            ),
            LoadStage::NoTsyncFallback => write!(
                f,
                "the kernel has no seccomp() syscall and the prctl fallback cannot cover the \
                 other threads of this process; nothing was loaded"
            ),
            LoadStage::Prctl => write!(f, "prctl(PR_SET_SECCOMP) failed{os}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Policy(diags) => {
                let n = diags.len();
                for (i, d) in diags.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{d}")?;
                }
                if n == 0 {
                    f.write_str("invalid policy")?;
                }
                Ok(())
            }
            Error::Compile { message, .. } => write!(f, "compile: {message}"),
            Error::Load(failure) => write!(f, "load: {failure}"),
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
            Error::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            Error::Io { path, message, .. } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<LoadFailure> for Error {
    fn from(f: LoadFailure) -> Self {
        Error::Load(f)
    }
}

/// Shorthand for results in sysfence.
pub type Result<T, E = Error> = std::result::Result<T, E>;
