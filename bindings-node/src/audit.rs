// SPDX-License-Identifier: MIT OR Apache-2.0
//! `parseAuditLine`: one line of a kernel log or audit log into an Elastic Common Schema
//! document. The parsing is the core's (`sysfence::audit`); this only converts the values.

use crate::error::guard;
use crate::value::string_arg;
use napi::bindgen_prelude::Unknown;
use napi::Env;
use serde_json::Value;

/// Parses one line holding a kernel seccomp record (`type=1326` / `type=SECCOMP`) into an
/// Elastic Common Schema document shaped as auditbeat's auditd module sends it
/// (`event.module: auditd`, `event.action: violated-seccomp-policy`, `auditd.summary`,
/// `auditd.data`), with the decoded values under `seccomp` (`seccomp.syscall.name`,
/// `seccomp.action`, `seccomp.arch`, ...). uid, gid and auid are named from this machine's
/// account database (`user.name`, ...), as `sysfence audit` does by default. `host.name` is
/// the record's `node=`, else this machine's name. Returns `null` for a line that holds no
/// seccomp record.
///
/// Reads every form the records take: `dmesg` and `journalctl -k` lines, raw `/dev/kmsg`
/// records, auditd's `audit.log` (raw or enriched) and journald's copy of the audit stream.
///
/// ```js
/// const { parseAuditLine } = require('sysfence');
/// const event = parseAuditLine(line);
/// if (event) console.log(event.seccomp.syscall.name, event.seccomp.action);
/// ```
///
/// @throws `ERR_SYSFENCE_INVALID_ARGUMENT` when `line` is not a string.
#[napi(ts_return_type = "Record<string, any> | null")]
pub fn parse_audit_line(
    env: Env,
    #[napi(ts_arg_type = "string")] line: Unknown,
) -> napi::Result<Option<Value>> {
    guard(&env, || {
        let line = string_arg(&line, "line")?;
        Ok(sysfence::audit::parse_line_ecs(&line))
    })
}
