// SPDX-License-Identifier: MIT OR Apache-2.0
//! The one place where failures become JavaScript errors.
//!
//! Every core error is thrown as an `Error` whose `code` is an [`ErrorCode`]
//! (`ERR_SYSFENCE_POLICY`, `ERR_SYSFENCE_LOAD`, ...), chosen by an exhaustive `match` on
//! [`sysfence::ErrorKind`] (a new core kind fails to compile here) and declared in index.d.ts.
//! Extra properties, where they apply:
//!
//! | property | set for | value |
//! |---|---|---|
//! | `path` | policy errors | JSON path of the first problem (`rules[0].syscalls[1]`) |
//! | `diagnostics` | policy errors | every problem: `{ severity, kind, path, message, suggestion }` |
//! | `path` | io errors | the file that could not be read (as Node's `fs` errors do) |
//! | `errno` | load, compile and io errors with an OS error | the positive errno (`13` for EACCES) |
//! | `stage` | load errors | `no_new_privs`, `seccomp`, `tsync`, `no_tsync_fallback` or `prctl` |
//! | `tid` | TSYNC failures | the thread the kernel could not synchronise |
//!
//! A panic never unwinds into Node: [`guard`] catches it and throws `ERR_SYSFENCE_INTERNAL`.

use crate::diagnostic::Diagnostic;
use napi::bindgen_prelude::Object;
use napi::{Env, JsValue, Status};
use std::panic::{catch_unwind, AssertUnwindSafe};
use sysfence::LoadStage;

/// The `code` of every error sysfence throws.
#[napi(string_enum)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The policy is invalid: `path` and `diagnostics` say where.
    #[napi(value = "ERR_SYSFENCE_POLICY")]
    Policy,
    /// libseccomp refused to build the filter.
    #[napi(value = "ERR_SYSFENCE_COMPILE")]
    Compile,
    /// The kernel refused the filter; nothing was loaded (`errno`, `stage`, `tid`).
    #[napi(value = "ERR_SYSFENCE_LOAD")]
    Load,
    /// The kernel or the library lacks a feature this request needs.
    #[napi(value = "ERR_SYSFENCE_UNSUPPORTED")]
    Unsupported,
    /// An argument outside the policy is wrong.
    #[napi(value = "ERR_SYSFENCE_INVALID_ARGUMENT")]
    InvalidArgument,
    /// Reading a file or the process's state failed (`errno`, `path`).
    #[napi(value = "ERR_SYSFENCE_IO")]
    Io,
    /// A bug in sysfence (a caught panic); please report it.
    #[napi(value = "ERR_SYSFENCE_INTERNAL")]
    Internal,
}

impl ErrorCode {
    /// The code of a core error kind (exhaustive).
    pub fn of(kind: sysfence::ErrorKind) -> ErrorCode {
        use sysfence::ErrorKind as K;
        match kind {
            K::Policy => ErrorCode::Policy,
            K::Compile => ErrorCode::Compile,
            K::Load => ErrorCode::Load,
            K::Unsupported => ErrorCode::Unsupported,
            K::InvalidArgument => ErrorCode::InvalidArgument,
            K::Io => ErrorCode::Io,
        }
    }

    /// The text of `err.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Policy => "ERR_SYSFENCE_POLICY",
            ErrorCode::Compile => "ERR_SYSFENCE_COMPILE",
            ErrorCode::Load => "ERR_SYSFENCE_LOAD",
            ErrorCode::Unsupported => "ERR_SYSFENCE_UNSUPPORTED",
            ErrorCode::InvalidArgument => "ERR_SYSFENCE_INVALID_ARGUMENT",
            ErrorCode::Io => "ERR_SYSFENCE_IO",
            ErrorCode::Internal => "ERR_SYSFENCE_INTERNAL",
        }
    }
}

/// Why an export failed: the core said no, or talking to JavaScript failed (a getter threw).
pub(crate) enum Failure {
    /// An error from the core (or a bad argument, which the core's error type also covers).
    Core(sysfence::Error),
    /// An error raised by JavaScript or napi; passed through as it is.
    Js(napi::Error),
}

/// The result type of export bodies.
pub(crate) type Result<T> = std::result::Result<T, Failure>;

impl From<sysfence::Error> for Failure {
    fn from(e: sysfence::Error) -> Self {
        Failure::Core(e)
    }
}

impl From<napi::Error> for Failure {
    fn from(e: napi::Error) -> Self {
        Failure::Js(e)
    }
}

/// A bad argument: thrown with code `ERR_SYSFENCE_INVALID_ARGUMENT`.
pub(crate) fn invalid(message: impl Into<String>) -> Failure {
    Failure::Core(sysfence::Error::InvalidArgument(message.into()))
}

/// The JavaScript `code` of a core error.
pub fn code_of(err: &sysfence::Error) -> &'static str {
    ErrorCode::of(err.kind()).as_str()
}

/// Runs the body of an export: a core error becomes a JS `Error` with its `code` and
/// properties, and a panic becomes `ERR_SYSFENCE_INTERNAL` instead of aborting Node.
pub(crate) fn guard<T>(env: &Env, body: impl FnOnce() -> Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(Failure::Js(e))) => Err(e),
        Ok(Err(Failure::Core(e))) => Err(to_js(env, &e)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            Err(throwable(
                env,
                ErrorCode::Internal.as_str(),
                &format!("internal error in sysfence (please report it): {what}"),
                |_| Ok(()),
            ))
        }
    }
}

/// The JS error for a core error.
fn to_js(env: &Env, err: &sysfence::Error) -> napi::Error {
    throwable(env, code_of(err), &err.to_string(), |obj| {
        if let Some(errno) = err.errno() {
            obj.set("errno", errno)?;
        }
        match err {
            sysfence::Error::Policy(diags) => {
                if let Some(path) = err.path() {
                    obj.set("path", path)?;
                }
                let list: Vec<Diagnostic> = diags.iter().map(Diagnostic::from).collect();
                obj.set("diagnostics", list)?;
            }
            sysfence::Error::Load(failure) => {
                obj.set("stage", stage_name(failure.stage))?;
                if let Some(tid) = failure.tid {
                    obj.set("tid", tid)?;
                }
            }
            sysfence::Error::Io { path, .. } => obj.set("path", path.as_str())?,
            _ => {}
        }
        Ok(())
    })
}

/// Builds an `Error` with `code` and `message`, lets `decorate` add properties, and wraps it
/// so napi throws that very object. If building it fails, a plain error with the code is
/// thrown instead.
fn throwable(
    env: &Env,
    code: &str,
    message: &str,
    decorate: impl FnOnce(&mut Object) -> napi::Result<()>,
) -> napi::Error {
    let build = || -> napi::Result<napi::Error> {
        let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, message))?;
        obj.set("code", code)?;
        decorate(&mut obj)?;
        Ok(napi::Error::from(obj.to_unknown()))
    };
    build()
        .unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, format!("{code}: {message}")))
}

/// The name of a load stage, as `err.stage` gives it.
pub fn stage_name(stage: LoadStage) -> &'static str {
    match stage {
        LoadStage::NoNewPrivs => "no_new_privs",
        LoadStage::Seccomp => "seccomp",
        LoadStage::Tsync => "tsync",
        LoadStage::NoTsyncFallback => "no_tsync_fallback",
        LoadStage::Prctl => "prctl",
    }
}
