// SPDX-License-Identifier: MIT OR Apache-2.0
//! The process-wide calls: `applyPolicy` and `status`.

use crate::error::{guard, invalid, Failure};
use crate::policy::policy_arg;
use crate::value::policy_json;
use napi::bindgen_prelude::Unknown;
use napi::Env;

/// What `applyPolicy` loaded.
#[napi(object)]
pub struct Report {
    /// BPF instructions in the filter.
    pub instructions: u32,
    /// Architectures covered, such as `['x86_64']`.
    pub architectures: Vec<String>,
    /// `enforce`, or `log` when refused calls only get logged.
    #[napi(ts_type = "'enforce' | 'log'")]
    pub mode: String,
    /// Whether the kernel logs every action other than allow.
    pub log_denied: bool,
}

impl From<sysfence::Report> for Report {
    fn from(r: sysfence::Report) -> Self {
        Report {
            instructions: r.instructions as u32,
            architectures: r.architectures,
            mode: r.mode.to_string(),
            log_denied: r.log_denied,
        }
    }
}

/// Options of `applyPolicy`.
// The TypeScript type only: the options are read by `mode_option`, own properties only.
#[allow(dead_code)]
#[napi(object)]
pub struct ApplyOptions {
    /// Replaces the policy's own `mode`: `'log'` only logs what would be refused, `'enforce'`
    /// refuses it. A service switches modes through its own configuration, without rewriting
    /// the policy.
    #[napi(ts_type = "'enforce' | 'log'")]
    pub mode: Option<String>,
}

/// The seccomp state of the calling thread, as the kernel reports it.
#[napi(object)]
pub struct Status {
    /// `disabled`, `strict` or `filter`.
    #[napi(ts_type = "'disabled' | 'strict' | 'filter'")]
    pub mode: String,
    /// How many filters are attached (kernels from 5.9 report it; absent before).
    pub filters: Option<u32>,
    /// Whether `PR_SET_NO_NEW_PRIVS` is set.
    pub no_new_privs: bool,
}

/// Compiles a policy and loads it into this process: the main thread, libuv's thread pool and
/// every running `worker_threads` worker (TSYNC), after setting `PR_SET_NO_NEW_PRIVS`. Threads
/// started later inherit it. A filter cannot be removed. All or nothing: when it throws,
/// nothing was loaded.
///
/// `policy` is a plain object in the JSON format, a `Policy`, or a preset name (`no-exec`,
/// `no-spawn`, `hardened`).
///
/// ```js
/// const { applyPolicy } = require('sysfence');
/// applyPolicy('no-exec'); // child_process now fails with EACCES
/// applyPolicy('no-exec', { mode: 'log' }); // or only log them, the policy unchanged
/// ```
///
/// @throws `ERR_SYSFENCE_POLICY` (with `path` and `diagnostics`) for an invalid policy,
/// `ERR_SYSFENCE_COMPILE` when libseccomp refuses it, `ERR_SYSFENCE_LOAD` (with `errno` and
/// `stage`) when the kernel does, `ERR_SYSFENCE_INVALID_ARGUMENT` for an unknown mode.
#[napi]
pub fn apply_policy(
    env: Env,
    #[napi(ts_arg_type = "PolicyObject | Policy | string")] policy: Unknown,
    #[napi(ts_arg_type = "ApplyOptions | undefined | null")] options: Option<Unknown>,
) -> napi::Result<Report> {
    guard(&env, || {
        let policy = policy_arg(&env, &policy)?;
        let mode = mode_option(options.as_ref())?;
        Ok(sysfence::apply_policy_with_mode(&policy, mode.as_deref())?.into())
    })
}

/// The `mode` of `applyPolicy`'s options, read as `JSON.stringify` reads objects (own
/// enumerable properties only), so that a polluted `Object.prototype.mode` cannot switch an
/// `applyPolicy(p, {})` to log mode. Other keys are refused, so a misspelt `mdoe` is not
/// silently ignored.
fn mode_option(options: Option<&Unknown>) -> Result<Option<String>, Failure> {
    let Some(options) = options else {
        return Ok(None);
    };
    let value = policy_json(options)
        .map_err(|_| invalid("options: expected an object such as { mode: 'log' }"))?;
    let serde_json::Value::Object(map) = value else {
        return Err(invalid(
            "options: expected an object such as { mode: 'log' }",
        ));
    };
    if let Some(key) = map.keys().find(|k| *k != "mode") {
        return Err(invalid(format!(
            "options: unknown option {key:?} (applyPolicy takes {{ mode: 'enforce' | 'log' }})"
        )));
    }
    match map.get("mode") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid(format!(
            "options.mode: expected 'enforce' or 'log', found {other}"
        ))),
    }
}

/// The seccomp state of the calling thread (`/proc/thread-self/status`).
///
/// @throws `ERR_SYSFENCE_IO` when `/proc` cannot be read, `ERR_SYSFENCE_UNSUPPORTED` on a
/// kernel without seccomp.
#[napi]
pub fn status(env: Env) -> napi::Result<Status> {
    guard(&env, || {
        let s = sysfence::status()?;
        Ok(Status {
            mode: s.mode.to_string(),
            filters: s.filters,
            no_new_privs: s.no_new_privs,
        })
    })
}
