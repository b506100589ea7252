//! The one place where failures become JavaScript errors.
//!
//! Every core error is thrown as an `Error` whose `code` is `ERR_SYSFENCE_` followed by
//! [`sysfence::Error::code`] in upper case (`ERR_SYSFENCE_POLICY`, `ERR_SYSFENCE_LOAD`, ...), so
//! the codes cannot drift from the core's list. Extra properties, where they apply:
//!
//! | property | set for | value |
//! |---|---|---|
//! | `path` | policy errors | JSON path of the first problem (`rules[0].syscalls[1]`) |
//! | `diagnostics` | policy errors | every problem: `{ severity, path, message }` |
//! | `path` | io errors | the file that could not be read (as Node's `fs` errors do) |
//! | `errno` | load, compile and io errors with an OS error | the positive errno (`13` for EACCES) |
//! | `stage` | load errors | `no_new_privs`, `seccomp`, `tsync`, `no_tsync_fallback` or `prctl` |
//! | `tid` | TSYNC failures | the thread the kernel could not synchronise |
//!
//! A panic never unwinds into Node: [`guard`] catches it and throws `ERR_SYSFENCE_INTERNAL`.

use crate::policy::Diagnostic;
use napi::bindgen_prelude::Object;
use napi::{Env, JsValue, Status};
use std::panic::{catch_unwind, AssertUnwindSafe};
use sysfence::{LoadStage, Severity};

/// The code thrown when the addon itself has a bug (a caught panic).
pub const INTERNAL: &str = "ERR_SYSFENCE_INTERNAL";

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
pub fn code_of(err: &sysfence::Error) -> String {
    format!("ERR_SYSFENCE_{}", err.code().to_ascii_uppercase())
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
                INTERNAL,
                &format!("internal error in sysfence (please report it): {what}"),
                |_| Ok(()),
            ))
        }
    }
}

/// The JS error for a core error.
fn to_js(env: &Env, err: &sysfence::Error) -> napi::Error {
    throwable(env, &code_of(err), &err.to_string(), |obj| {
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

/// `error` or `warning`.
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
