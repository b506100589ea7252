// SPDX-License-Identifier: MIT OR Apache-2.0
//! The module-level functions: apply, compile, check and the process's seccomp status.
//!
//! Each takes a policy-like argument: a dict in the JSON format, a `Policy`, or a `str`: JSON
//! text or a preset name (`"no-exec"`), told apart by the core's one rule. `Policy.from_json`
//! and `Policy.preset` accept one form only. Every function runs under [`guarded`], so a panic
//! is an `InternalError`.

use crate::convert::{json_to_py, to_py};
use crate::error::{guarded, OrRaise};
use crate::filter::Filter;
use crate::policy;
use pyo3::prelude::*;

/// Compiles `policy` and loads it into this process, every thread (TSYNC), after setting
/// `PR_SET_NO_NEW_PRIVS`. All or nothing: when it raises, nothing was loaded.
///
/// Returns a report: `{"instructions": int, "architectures": [str], "mode": "enforce" | "log",
/// "log_denied": bool}`.
///
/// `mode` (`"enforce"` or `"log"`), when given, replaces the policy's own `mode`: a service
/// switches between enforcing and only logging through its own configuration, without
/// rewriting the policy (`apply_policy("no-exec", mode="log")`).
///
/// Raises `PolicyError` (invalid policy), `CompileError`, `LoadError` (the kernel refused;
/// `LoadPermissionError`, also a `PermissionError`, for EPERM/EACCES), `InvalidArgumentError`
/// for an unknown mode.
///
/// ```python
/// >>> import sysfence
/// >>> sysfence.apply_policy("no-exec")
/// {'architectures': ['x86_64'], 'instructions': 13, 'log_denied': True, 'mode': 'enforce'}
/// >>> import os; os.execv("/bin/true", ["true"])
/// Traceback (most recent call last):
/// PermissionError: [Errno 13] Permission denied
/// ```
#[pyfunction]
#[pyo3(signature = (policy, *, mode=None))]
pub fn apply_policy<'py>(
    py: Python<'py>,
    policy: &Bound<'py, PyAny>,
    mode: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(|| {
        let policy = policy::resolve(policy)?;
        let report = py
            .detach(|| sysfence::apply_policy_with_mode(&policy, mode.as_deref()))
            .or_raise()?;
        to_py(py, &report)
    })
}

/// Compiles `policy` (a dict, a `Policy` or a preset name) into a `Filter` without loading it.
///
/// ```python
/// >>> f = sysfence.compile_policy({"default_action": "allow",
/// ...                              "rules": [{"action": "errno:EPERM", "syscalls": ["ptrace"]}]})
/// >>> f.simulate("ptrace")
/// 'errno:EPERM'
/// ```
#[pyfunction]
pub fn compile_policy(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<Filter> {
    guarded(|| {
        let policy = policy::resolve(policy)?;
        policy::compile(py, &policy)
    })
}

/// Every error and warning about `policy`, without raising, as the one check report of every
/// language: `{"ok": bool, "errors": int, "warnings": int, "diagnostics": [...]}`. Each
/// diagnostic is a dict with `severity` (`"error"` or `"warning"`), `kind` (a stable name such
/// as `"unknown_syscall"`), `path` (`rules[0].syscalls[1]`, `$` for the whole policy),
/// `message` and `suggestion` (the value probably meant, or None). Errors mean the policy
/// cannot load; warnings that it loads but probably does not do what was meant.
///
/// ```python
/// >>> r = sysfence.check_policy({"default_action": "allow",
/// ...                            "rules": [{"action": "errno", "syscalls": ["exceve"]}]})
/// >>> r["ok"], [(d["kind"], d["path"], d["suggestion"]) for d in r["diagnostics"]]
/// (False, [('unknown_syscall', 'rules[0].syscalls[0]', 'execve')])
/// ```
#[pyfunction]
pub fn check_policy<'py>(
    py: Python<'py>,
    policy: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    guarded(|| to_py(py, &policy::check(py, policy)?))
}

/// `check_policy` for JSON text only (a preset name is malformed JSON here): malformed JSON is
/// one `invalid_json` error at `$`.
///
/// ```python
/// >>> [d["kind"] for d in sysfence.check_policy_json('{"default_action": ')["diagnostics"]]
/// ['invalid_json']
/// ```
#[pyfunction]
pub fn check_policy_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    guarded(|| to_py(py, &py.detach(|| sysfence::check_json(text))))
}

/// The seccomp state of the calling thread, as the kernel reports it:
/// `{"mode": "disabled" | "strict" | "filter", "filters": int | None, "no_new_privs": bool}`
/// (`filters` is None on kernels before 5.9).
///
/// ```python
/// >>> sysfence.status()["mode"]
/// 'disabled'
/// ```
#[pyfunction]
pub fn status(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    guarded(|| to_py(py, &sysfence::status().or_raise()?))
}

/// Parses one line of the kernel log, auditd's log or journald holding a seccomp audit record
/// (`type=1326` / `type=SECCOMP`) into an Elastic Common Schema document shaped as auditbeat's
/// auditd module sends it (nested dicts, with `event.module == "auditd"`,
/// `event.action == "violated-seccomp-policy"`, `process.pid`, `auditd.summary`, and
/// sysfence's `seccomp.syscall.name`, `seccomp.action`, ...). uid, gid and auid are named
/// from this machine's account database, as `sysfence audit` does by default. Returns None
/// for any other line; never raises for bad input.
///
/// ```python
/// >>> doc = sysfence.parse_audit_line('audit: type=1326 audit(1603120490.865:8): auid=1000 '
/// ...     'uid=0 gid=0 ses=3 pid=1376 comm="nc" exe="/usr/bin/nc" sig=31 arch=c000003e '
/// ...     'syscall=49 compat=0 ip=0x7f9ad10d7497 code=0x0')
/// >>> doc["seccomp"]["syscall"]["name"], doc["event"]["action"]
/// ('bind', 'violated-seccomp-policy')
/// >>> sysfence.parse_audit_line("an unrelated line") is None
/// True
/// ```
#[pyfunction]
pub fn parse_audit_line<'py>(py: Python<'py>, line: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    guarded(
        || match py.detach(|| sysfence::audit::parse_line_ecs(line)) {
            Some(doc) => Ok(Some(json_to_py(py, &doc)?)),
            None => Ok(None),
        },
    )
}

/// Panics inside the boundary, on purpose: how the test suite checks that a panic reaches
/// Python as `InternalError` (which `except Exception` catches), not pyo3's `PanicException`.
/// Not API, and not in the stubs.
#[pyfunction]
#[pyo3(name = "_panic_for_tests")]
pub fn panic_for_tests() -> PyResult<()> {
    guarded(|| panic!("raised on purpose by _panic_for_tests"))
}
