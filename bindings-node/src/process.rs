//! The process-wide calls: `applyPolicy` and `status`.

use crate::error::guard;
use crate::value::policy_arg;
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
            mode: r.mode,
            log_denied: r.log_denied,
        }
    }
}

/// Options of `applyPolicy`.
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
    options: Option<ApplyOptions>,
) -> napi::Result<Report> {
    guard(&env, || {
        let policy = policy_arg(&env, &policy)?;
        let mode = options.as_ref().and_then(|o| o.mode.as_deref());
        Ok(sysfence::apply_policy_with_mode(&policy, mode)?.into())
    })
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
