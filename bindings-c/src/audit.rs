// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence_parse_audit_line`: the kernel's seccomp audit records as ECS JSON.

use crate::convert::{owned_string, str_arg};
use crate::error::guarded;
use std::os::raw::c_char;

/// Parses one line of the kernel log, `/dev/kmsg`, auditd's `audit.log` or journald's audit
/// stream holding a seccomp record (`type=1326` / `type=SECCOMP`) into an Elastic Common Schema
/// document as JSON text, shaped as auditbeat's auditd module sends it (`event.module` is
/// `auditd`, `event.action` is `violated-seccomp-policy`; `auditd.summary.*`, `process.pid`,
/// and sysfence's `seccomp.syscall.name`, `seccomp.action`, ... are filled in; uid, gid and
/// auid are named from this machine's account database; `host.name` is the record's `node=`,
/// else this machine's name).
///
/// Returns a string the caller frees with `sysfence_string_free`, or NULL: with
/// `sysfence_last_error_code()` `SYSFENCE_OK` (0) when the line holds no seccomp record, or
/// `SYSFENCE_ERR_INVALID_ARGUMENT` when `line` is NULL or not UTF-8.
///
/// # Safety
/// `line` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sysfence_parse_audit_line(line: *const c_char) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let line = unsafe { str_arg(line, "line") }?;
        Ok(match sysfence_core::audit::parse_line_ecs(line) {
            Some(ecs) => owned_string(&ecs.to_string()),
            None => std::ptr::null_mut(),
        })
    })
}
