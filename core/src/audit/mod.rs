// SPDX-License-Identifier: MIT OR Apache-2.0
//! Watching violations: the kernel's seccomp audit records (`type=1326` / `type=SECCOMP`)
//! parsed into [`SeccompEvent`]s and written as Elastic Common Schema (ECS) documents.
//!
//! The kernel writes a record for every seccomp action other than `allow` (for `errno` and
//! `trap` only when the filter was loaded with `SECCOMP_FILTER_FLAG_LOG`, which sysfence sets by
//! default). [`parse_line`] reads one line in any of the forms those records take:
//!
//! - the kernel log as `dmesg`, `journalctl -k` or `/var/log/kern.log` print it:
//!   `audit: type=1326 audit(1603120490.865:8): auid=1000 uid=0 ... code=0x0`;
//! - a raw `/dev/kmsg` record: `6,1234,93093589,-;audit: type=1326 ...`;
//! - auditd's `/var/log/audit/audit.log`: `type=SECCOMP msg=audit(1603120643.421:21): ...`,
//!   with or without a `node=` prefix and the `ENRICHED` fields after `\x1d`;
//! - journald's copy of the audit stream: `audit[1376]: SECCOMP auid=1000 ...`.
//!
//! ```
//! let line = r#"audit: type=1326 audit(1603120490.865:8): auid=1000 uid=0 gid=0 ses=3 pid=1376 comm="nc" exe="/usr/bin/nc.traditional" sig=31 arch=c000003e syscall=49 compat=0 ip=0x7f9ad10d7497 code=0x0"#;
//! let event = sysfence::audit::parse_line(line).expect("a seccomp record");
//! assert_eq!(event.syscall_name.as_deref(), Some("bind"));
//! assert_eq!(event.action, Some(sysfence::Action::KillThread));
//! let ecs = event.to_ecs("web-1");
//! assert_eq!(ecs["event"]["action"], "violated-seccomp-policy");
//! assert_eq!(ecs["seccomp"]["signal"], "SIGSYS");
//! ```

mod ecs;
mod filter;
mod json;
mod loss;
mod names;
mod parse;
mod summary;
mod text;

pub use ecs::{categorization, EcsOptions, ECS_VERSION, EVENT_ACTION};
pub use filter::{is_own_ecs_output, parse_time, EventFilter, ACTION_KINDS};
pub use loss::{parse_loss, Loss, LossTally, LOSS_ACTION, LOSS_ADVICE};
pub use names::{group_name, user_name};
pub use summary::{Summary, SummaryRow};
pub use text::signal_name;

use crate::{Action, Arch};
use std::sync::OnceLock;

/// `AUDIT_SECCOMP`: the audit record type of seccomp actions.
pub const AUDIT_SECCOMP: u32 = 1326;

/// `auid` and `ses` hold this value (`(uid_t)-1`) when no login set them.
pub const UNSET_ID: u32 = u32::MAX;

/// Which form a record was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordForm {
    /// The kernel log as text: `dmesg`, `journalctl -k`, kern.log (`audit: type=1326 ...`).
    Kernel,
    /// A raw `/dev/kmsg` record (`6,1234,93093589,-;audit: type=1326 ...`).
    Kmsg,
    /// auditd's log (`type=SECCOMP msg=audit(...): ...`).
    Auditd,
    /// journald's copy of the audit stream (`audit[1376]: SECCOMP ...`): no timestamp or serial.
    Journald,
}

/// When the kernel wrote a record: `audit(SECONDS.MILLIS:SERIAL)`, Unix time, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub secs: u64,
    /// Milliseconds within the second (0..=999).
    pub millis: u16,
}

/// One seccomp record, decoded. Every field is optional: truncated records and kernels that
/// print fewer fields still parse, and fields this parser does not know stay in [`fields`].
///
/// [`fields`]: SeccompEvent::fields
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeccompEvent {
    /// The form the line was in.
    pub form: RecordForm,
    /// When the kernel wrote the record (none in journald's form).
    pub timestamp: Option<Timestamp>,
    /// The record's serial number, which joins records of one audit event.
    pub serial: Option<u64>,
    /// auditd's `node=` prefix: the machine that wrote the record.
    pub node: Option<String>,
    /// The process (thread group) id.
    pub pid: Option<u32>,
    /// The real user id.
    pub uid: Option<u32>,
    /// The real group id.
    pub gid: Option<u32>,
    /// The login user id ([`UNSET_ID`] when no login set one).
    pub auid: Option<u32>,
    /// The login session id ([`UNSET_ID`] when unset).
    pub ses: Option<u32>,
    /// The security context (`subj=`), when an LSM prints one.
    pub subj: Option<String>,
    /// The thread's name (`comm`), hex-decoded where the kernel encoded it.
    pub comm: Option<String>,
    /// The executable's path, hex-decoded where the kernel encoded it.
    pub exe: Option<String>,
    /// The signal the action sends (`31` for SIGSYS; `0` for none).
    pub sig: Option<i32>,
    /// The architecture (ABI) of the call, when sysfence knows its `AUDIT_ARCH_*` value.
    pub arch: Option<Arch>,
    /// The `AUDIT_ARCH_*` value as written (`c000003e`).
    pub arch_raw: Option<u32>,
    /// The syscall number as the filter saw it (x32 numbers carry bit 30).
    pub syscall: Option<u32>,
    /// The syscall's name on [`arch`](SeccompEvent::arch), through libseccomp.
    pub syscall_name: Option<String>,
    /// True for a compat (32-bit) syscall on a 64-bit kernel.
    pub compat: Option<bool>,
    /// The instruction pointer at the call.
    pub ip: Option<u64>,
    /// The filter's action (`SECCOMP_RET_*`; the kernel drops the data bits).
    pub code: Option<u32>,
    /// [`code`](SeccompEvent::code) decoded.
    pub action: Option<Action>,
    /// Where each `key=value` of the record is in [`raw`](SeccompEvent::raw), in order:
    /// read them with [`fields`](SeccompEvent::fields).
    pub(crate) fields: Vec<Span>,
    /// Where auditd's `ENRICHED` fields (after `\x1d`) are in `raw`.
    pub(crate) enriched: Vec<Span>,
    /// True when a key may appear more than once in `fields` (only then does the ECS writer
    /// look for a later value of each key).
    pub(crate) repeated_keys: bool,
    /// The line as read (without its line ending).
    pub raw: String,
}

/// Byte ranges of a key and its value (quotes removed) in [`SeccompEvent::raw`]: the record's
/// fields are slices of the line, not copies of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) key: (u32, u32),
    pub(crate) value: (u32, u32),
    /// Which key it is, when the parser decodes it.
    pub(crate) tag: parse::Key,
}

impl SeccompEvent {
    /// An event with nothing in it, for [`Decoder`] to fill.
    pub(crate) fn empty() -> SeccompEvent {
        SeccompEvent {
            form: RecordForm::Kernel,
            timestamp: None,
            serial: None,
            node: None,
            pid: None,
            uid: None,
            gid: None,
            auid: None,
            ses: None,
            subj: None,
            comm: None,
            exe: None,
            sig: None,
            arch: None,
            arch_raw: None,
            syscall: None,
            syscall_name: None,
            compat: None,
            ip: None,
            code: None,
            action: None,
            fields: Vec::new(),
            enriched: Vec::new(),
            repeated_keys: false,
            raw: String::new(),
        }
    }

    fn slice(&self, (start, end): (u32, u32)) -> &str {
        self.raw.get(start as usize..end as usize).unwrap_or("")
    }

    /// Every `key=value` of the record in order, values as written (quotes removed, hex kept).
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.fields
            .iter()
            .map(|s| (self.slice(s.key), self.slice(s.value)))
    }

    /// auditd's `ENRICHED` fields (after `\x1d`) in order: `UID="root"`, `SYSCALL=bind`, ...
    pub fn enriched_fields(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.enriched
            .iter()
            .map(|s| (self.slice(s.key), self.slice(s.value)))
    }

    /// An `ENRICHED` field by name (`UID`, `AUID`, `GID`, ...).
    pub fn enriched(&self, key: &str) -> Option<&str> {
        self.enriched_fields()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// The action as people write it: `kill_thread`, `errno`, `log`, ... The kernel drops the
    /// errno and trace values from `code`, so those show without data.
    pub fn action_label(&self) -> Option<String> {
        self.action.map(|a| text::ActionLabel(a).to_string())
    }

    /// The readable one-line form (`sysfence audit --format text`).
    pub fn to_text(&self) -> String {
        text::OneLine(self).to_string()
    }
}

/// False when `line` can be neither a seccomp record ([`parse_line`]), nor a line saying
/// records were lost ([`parse_loss`]), nor a line starting with `{` (which may be sysfence
/// audit's own output, [`is_own_ecs_output`]): it holds none of the words they need. It looks
/// at bytes, so a reader can leave most lines of a busy audit log undecoded (not even checked
/// for UTF-8).
pub fn may_hold_record(line: &[u8]) -> bool {
    line.first() == Some(&b'{') || parse::may_be_seccomp(line) || loss::may_be_loss(line)
}

/// Parses one line. `None` when the line holds no seccomp record; never panics.
pub fn parse_line(line: &str) -> Option<SeccompEvent> {
    parse::parse(line)
}

/// Parses lines one after another into one event whose buffers are reused: what
/// [`parse_line`] does, without allocating for every record (`sysfence audit` reads millions).
///
/// ```
/// let mut decoder = sysfence::audit::Decoder::new();
/// let line = "type=SECCOMP msg=audit(1603120643.421:21): pid=7 comm=\"nc\" arch=c000003e syscall=49 code=0x0";
/// let event = decoder.decode(line).expect("a seccomp record");
/// assert_eq!(event.syscall_name.as_deref(), Some("bind"));
/// assert!(decoder.decode("type=SYSCALL msg=audit(1603120643.421:22): syscall=1").is_none());
/// ```
#[derive(Debug)]
pub struct Decoder {
    event: SeccompEvent,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder with empty buffers.
    pub fn new() -> Decoder {
        Decoder {
            event: SeccompEvent::empty(),
        }
    }

    /// The line's record, as [`parse_line`] gives it; `None` when the line holds none.
    pub fn decode(&mut self, line: &str) -> Option<&SeccompEvent> {
        parse::parse_into(line, &mut self.event).then_some(&self.event)
    }
}

/// Parses one line into an ECS document with this machine's host name and the names of the
/// record's uid, gid and auid looked up in this machine's account database, as `sysfence
/// audit` does by default and auditbeat's `resolve_ids` does (what the C, Python and Node
/// bindings' `parse_audit_line` return by default). `None` when the line holds no seccomp
/// record.
pub fn parse_line_ecs(line: &str) -> Option<serde_json::Value> {
    parse_line_ecs_with(line, true)
}

/// [`parse_line_ecs`], with the name lookups on or off (`resolve: false` for records written
/// on another machine, whose ids mean other accounts there).
pub fn parse_line_ecs_with(line: &str, resolve: bool) -> Option<serde_json::Value> {
    parse_line(line).map(|event| {
        event.to_ecs_with(EcsOptions {
            host_name: host_name(),
            resolve,
        })
    })
}

/// This machine's host name (`gethostname`), read once.
pub fn host_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname NUL-terminates on success.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if rc != 0 {
            return "localhost".to_string();
        }
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    })
}

/// A cheap xorshift generator for the tests' random inputs (the same sequence on every run).
#[cfg(test)]
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
