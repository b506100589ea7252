// SPDX-License-Identifier: MIT OR Apache-2.0
//! The C ABI of sysfence: `libsysfence.so`, `libsysfence.a` and `include/sysfence.h`.
//!
//! Conventions (docs/c.md has them in full):
//! - Policies cross the boundary as UTF-8 JSON text; every symbol starts with `sysfence_`.
//! - Functions returning `int` return `SYSFENCE_OK` (0) or a negative `SYSFENCE_ERR_*` code;
//!   functions returning a pointer return NULL on error. The calling thread's last error
//!   (`sysfence_last_error_code/message/path/errno`) then says what went wrong.
//! - A `char *` returned to the caller is freed with `sysfence_string_free`; a
//!   `sysfence_filter *` with `sysfence_filter_free`; a `const char *` belongs to the library.
//! - NULL pointers and text that is not UTF-8 are `SYSFENCE_ERR_INVALID_ARGUMENT` errors, and
//!   a panic inside the library becomes `SYSFENCE_ERR_INTERNAL`: nothing unwinds into C.
//! - `sysfence_filter_load` is async-signal-safe (use it between `fork` and `exec`).

mod audit;
mod convert;
mod error;
mod filter;
mod panic;

pub use audit::sysfence_parse_audit_line;
pub use error::{
    sysfence_last_error_code, sysfence_last_error_errno, sysfence_last_error_message,
    sysfence_last_error_path, sysfence_result,
};
pub use filter::*;

use convert::{optional_str_arg, owned_string, str_arg};
use error::{guarded, guarded_code};
use panic::ffi_boundary;
use std::ffi::CString;
use std::os::raw::{c_char, c_int};
use std::sync::OnceLock;
use sysfence_core::Policy;

/// What `sysfence_version` returns if building the text panicked.
const UNKNOWN: &[u8] = b"unknown\0";

/// The version of sysfence and of the libseccomp linked into it, such as
/// `0.1.0 (libseccomp 2.6.1)`.
///
/// Owned by the library and valid for the life of the process. Never NULL; never fails.
#[no_mangle]
pub extern "C" fn sysfence_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    ffi_boundary(|| {
        VERSION
            .get_or_init(|| {
                error::c_text(&format!(
                    "{} (libseccomp {})",
                    sysfence_core::VERSION,
                    sysfence_core::libseccomp_version()
                ))
            })
            .as_ptr()
    })
    .unwrap_or(UNKNOWN.as_ptr().cast())
}

/// Validates, compiles and loads a policy argument into this process, all threads (TSYNC),
/// after setting `PR_SET_NO_NEW_PRIVS`. The argument is UTF-8 JSON text (a policy or a
/// Docker/OCI profile) or a preset name (`"no-exec"`), told apart by the core's one rule
/// (docs/policy.md, "Policy arguments"); `sysfence_apply_preset` takes a preset name only. All or nothing: on error nothing was
/// loaded.
///
/// Returns `SYSFENCE_OK`, or `SYSFENCE_ERR_POLICY` (the last error's message and path name the
/// place), `SYSFENCE_ERR_COMPILE`, `SYSFENCE_ERR_LOAD` (`sysfence_last_error_errno()` has the
/// kernel's errno), `SYSFENCE_ERR_INVALID_ARGUMENT` or `SYSFENCE_ERR_INTERNAL`.
///
/// Not async-signal-safe (it allocates): to filter a child before `exec`, compile in the
/// parent with `sysfence_compile_json` and call `sysfence_filter_load` in the child.
///
/// # Safety
/// `policy_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sysfence_apply_json(policy_json: *const c_char) -> c_int {
    guarded_code(|| {
        // SAFETY: forwarded from the caller.
        let text = unsafe { str_arg(policy_json, "policy_json") }?;
        sysfence_core::apply_policy(&Policy::from_argument(text)?).map(drop)
    })
}

/// `sysfence_apply_json` in the mode the caller names, whatever the policy's own `mode`:
/// `"log"` (only log what would be refused) or `"enforce"`; NULL keeps the policy's. A service
/// switches modes through its own configuration, without rewriting the policy.
///
/// Returns what `sysfence_apply_json` does; an unknown mode is
/// `SYSFENCE_ERR_INVALID_ARGUMENT`, and nothing is loaded.
///
/// # Safety
/// `policy_json` is NULL or a NUL-terminated string; `mode` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sysfence_apply_json_mode(
    policy_json: *const c_char,
    mode: *const c_char,
) -> c_int {
    guarded_code(|| {
        // SAFETY: forwarded from the caller.
        let text = unsafe { str_arg(policy_json, "policy_json") }?;
        // SAFETY: forwarded from the caller.
        let mode = unsafe { optional_str_arg(mode, "mode") }?;
        sysfence_core::apply_policy_with_mode(&Policy::from_argument(text)?, mode).map(drop)
    })
}

/// `sysfence_apply_preset` in the mode the caller names (`"log"`, `"enforce"`; NULL: the
/// preset's own, enforce).
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `mode` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sysfence_apply_preset_mode(
    name: *const c_char,
    mode: *const c_char,
) -> c_int {
    guarded_code(|| {
        // SAFETY: forwarded from the caller.
        let name = unsafe { str_arg(name, "name") }?;
        // SAFETY: forwarded from the caller.
        let mode = unsafe { optional_str_arg(mode, "mode") }?;
        sysfence_core::apply_policy_with_mode(&Policy::preset(name)?, mode).map(drop)
    })
}

/// Applies a preset (`no-exec`, `no-spawn`, `hardened`; docs/policy.md lists them) to this
/// process, all threads. `no-exec` makes `execve`, `execveat`, `fork` and `vfork` fail with
/// `EACCES`.
///
/// Returns `SYSFENCE_OK` or a negative code as `sysfence_apply_json` does; an unknown name is
/// `SYSFENCE_ERR_POLICY` (the message suggests the nearest preset).
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sysfence_apply_preset(name: *const c_char) -> c_int {
    guarded_code(|| {
        // SAFETY: forwarded from the caller.
        let name = unsafe { str_arg(name, "name") }?;
        sysfence_core::apply_preset(name).map(drop)
    })
}

/// Checks a policy argument (JSON text or a preset name, as `sysfence_apply_json` takes)
/// without loading it: every error (the policy cannot load) and every lint warning, as the
/// one JSON check report every binding returns:
/// `{"ok": false, "errors": 1, "warnings": 0, "diagnostics": [{"severity": "error",
/// "kind": "unknown_syscall", "path": "rules[0].syscalls[0]", "message": "...",
/// "suggestion": "execve"}]}`. `ok` is true when there is no error (warnings may remain);
/// `kind` is a stable name (docs/policy.md, "Diagnostic kinds"); `suggestion` may be null.
///
/// Returns a string the caller frees with `sysfence_string_free`, or NULL when `policy_json`
/// is NULL or not UTF-8 (`SYSFENCE_ERR_INVALID_ARGUMENT`). An invalid policy is not an error
/// of this call: it is what the report describes.
///
/// # Safety
/// `policy_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sysfence_check_json(policy_json: *const c_char) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let text = unsafe { str_arg(policy_json, "policy_json") }?;
        let report = sysfence_core::check_argument(text);
        Ok(owned_string(
            &serde_json::to_string(&report).expect("a check report serialises"),
        ))
    })
}

/// Converts `input` (a sysfence policy, a Docker/Podman profile, an OCI `linux.seccomp`
/// object or an OCI `config.json`, as JSON text) to `to`: `"oci"`, `"docker"` or
/// `"sysfence"`. `context_json` resolves a container profile's conditionals:
/// `{"caps": ["default", "CAP_SYS_ADMIN"], "arch": "x86_64", "kernel": "6.1"}`, every field
/// optional; NULL or `""` is Docker's default capabilities, the native architecture and the
/// running kernel. Warnings (what was dropped, rewritten or cannot be expressed) are not
/// returned here; `sysfence_check_json` lists an input's.
///
/// Returns the converted JSON text, which the caller frees with `sysfence_string_free`, or NULL
/// on error: `SYSFENCE_ERR_POLICY` (the last error's path is the profile's, such as
/// `syscalls[3].action`) or `SYSFENCE_ERR_INVALID_ARGUMENT` (NULL input, unknown target, bad
/// context).
///
/// # Safety
/// `input` and `to` are NULL or NUL-terminated strings; `context_json` is NULL or one.
#[no_mangle]
pub unsafe extern "C" fn sysfence_convert_json(
    input: *const c_char,
    to: *const c_char,
    context_json: *const c_char,
) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let input = unsafe { str_arg(input, "input") }?;
        // SAFETY: forwarded from the caller.
        let to = unsafe { str_arg(to, "to") }?;
        let context = if context_json.is_null() {
            ""
        } else {
            // SAFETY: forwarded from the caller.
            unsafe { str_arg(context_json, "context_json") }?
        };
        let (text, _warnings) = sysfence_core::oci::convert_json(input, to, context)?;
        Ok(owned_string(&text))
    })
}

/// The seccomp state of the calling thread, from `/proc/thread-self/status`, as JSON:
/// `{"mode": "disabled"|"strict"|"filter", "filters": N|null, "no_new_privs": bool}`.
///
/// Returns a string the caller frees with `sysfence_string_free`, or NULL on error
/// (`SYSFENCE_ERR_IO`, or `SYSFENCE_ERR_UNSUPPORTED` on a kernel without seccomp).
#[no_mangle]
pub extern "C" fn sysfence_status_json() -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        let status = sysfence_core::status()?;
        // A plain struct always serialises; a failure would be a bug, caught as a panic.
        let text = serde_json::to_string(&status).expect("Status serialises");
        Ok(owned_string(&text))
    })
}

/// Frees a string that a sysfence function returned as `char *`. NULL is ignored. Never pass
/// the `const char *` results (`sysfence_version`, `sysfence_last_error_message`, ...).
///
/// # Safety
/// `s` is NULL or a `char *` from sysfence, not used again after this call.
#[no_mangle]
pub unsafe extern "C" fn sysfence_string_free(s: *mut c_char) {
    let _ = ffi_boundary(|| {
        if !s.is_null() {
            // SAFETY: the caller hands back a string made by CString::into_raw.
            drop(unsafe { CString::from_raw(s) });
        }
    });
}
