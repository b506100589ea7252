// SPDX-License-Identifier: MIT OR Apache-2.0
//! Readable forms: the action and signal names, and the one-line text of an event. They are
//! `Display` adapters, so the ECS writer streams them without building strings first.

use super::json::{escape_into, push_decimal, push_hex};
use super::{SeccompEvent, UNSET_ID};
use crate::Action;
use std::fmt;

/// The action as people write it. The kernel logs `SECCOMP_RET_ACTION_FULL` only, so an errno
/// or trace value of 0 means "not recorded" and shows as plain `errno` / `trace`.
pub(crate) struct ActionLabel(pub(crate) Action);

impl ActionLabel {
    /// The label when it is a fixed word (every action but errno and trace with a value).
    fn word(&self) -> Option<&'static str> {
        Some(match self.0 {
            Action::Allow => "allow",
            Action::Log => "log",
            Action::KillProcess => "kill_process",
            Action::KillThread => "kill_thread",
            Action::Trap => "trap",
            Action::Notify => "notify",
            Action::Errno(0) => "errno",
            Action::Trace(0) => "trace",
            Action::Errno(_) | Action::Trace(_) => return None,
        })
    }

    /// Appends the label (what `Display` writes; it needs no JSON escaping).
    pub(crate) fn write_into(&self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        match self.word() {
            Some(word) => out.extend_from_slice(word.as_bytes()),
            None => {
                let _ = write!(out, "{}", self.0);
            }
        }
    }
}

impl fmt::Display for ActionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.word() {
            Some(word) => f.write_str(word),
            None => self.0.fmt(f),
        }
    }
}

/// The name of a signal number (`31` -> `SIGSYS`); `None` for 0 and unknown numbers.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    const NAMES: &[(i32, &str)] = &[
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGILL, "SIGILL"),
        (libc::SIGTRAP, "SIGTRAP"),
        (libc::SIGABRT, "SIGABRT"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGUSR1, "SIGUSR1"),
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGUSR2, "SIGUSR2"),
        (libc::SIGPIPE, "SIGPIPE"),
        (libc::SIGALRM, "SIGALRM"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGSTKFLT, "SIGSTKFLT"),
        (libc::SIGCHLD, "SIGCHLD"),
        (libc::SIGCONT, "SIGCONT"),
        (libc::SIGSTOP, "SIGSTOP"),
        (libc::SIGTSTP, "SIGTSTP"),
        (libc::SIGTTIN, "SIGTTIN"),
        (libc::SIGTTOU, "SIGTTOU"),
        (libc::SIGURG, "SIGURG"),
        (libc::SIGXCPU, "SIGXCPU"),
        (libc::SIGXFSZ, "SIGXFSZ"),
        (libc::SIGVTALRM, "SIGVTALRM"),
        (libc::SIGPROF, "SIGPROF"),
        (libc::SIGWINCH, "SIGWINCH"),
        (libc::SIGIO, "SIGIO"),
        (libc::SIGPWR, "SIGPWR"),
        (libc::SIGSYS, "SIGSYS"),
    ];
    NAMES.iter().find(|(n, _)| *n == sig).map(|(_, name)| *name)
}

/// The syscall as `name`, or `#number` when the name is unknown, or `?`.
pub(crate) struct SyscallLabel<'a>(pub(crate) &'a SeccompEvent);

impl fmt::Display for SyscallLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.0.syscall_name, self.0.syscall) {
            (Some(name), _) => f.write_str(name),
            (None, Some(nr)) => write!(f, "#{nr}"),
            (None, None) => f.write_str("?"),
        }
    }
}

/// The architecture's name, or the raw `AUDIT_ARCH_*` value in hex, or `?`.
pub(crate) struct ArchLabel<'a>(pub(crate) &'a SeccompEvent);

impl ArchLabel<'_> {
    /// Appends the label (what `Display` writes; it needs no JSON escaping).
    pub(crate) fn write_into(&self, out: &mut Vec<u8>) {
        match (self.0.arch, self.0.arch_raw) {
            (Some(arch), _) => out.extend_from_slice(arch.name().as_bytes()),
            (None, Some(raw)) => push_hex(out, u64::from(raw), 8),
            (None, None) => out.push(b'?'),
        }
    }
}

impl fmt::Display for ArchLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::with_capacity(16);
        self.write_into(&mut text);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// `2020-10-19T15:14:50.865Z kill_thread bind(49) x86_64 pid=1376 comm="nc"
/// exe="/usr/bin/nc.traditional" uid=0 auid=1000 sig=SIGSYS`
pub(crate) struct OneLine<'a>(pub(crate) &'a SeccompEvent);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::new();
        self.write_into(&mut text);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl OneLine<'_> {
    /// Appends the line (UTF-8): what `Display` writes.
    pub(crate) fn write_into(&self, out: &mut Vec<u8>) {
        self.write_with(out, false);
    }

    /// Appends the line as the inside of a JSON string (the ECS `message`), escaped as it is
    /// written rather than in a second pass.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        self.write_with(out, true);
    }

    /// Writes the line, as JSON string content when `json`: every piece that may hold a
    /// quote, a backslash or a control character (the record's names and the quotes around
    /// them) is escaped then, the fixed pieces and numbers are pushed as they are. Bytes are
    /// pushed directly: `sysfence audit` writes this for every record, and `write!` costs more
    /// than the text.
    fn write_with(&self, out: &mut Vec<u8>, json: bool) {
        let text = |out: &mut Vec<u8>, piece: &str| {
            if json {
                escape_into(out, piece);
            } else {
                out.extend_from_slice(piece.as_bytes());
            }
        };
        let e = self.0;
        match e.timestamp {
            Some(t) => t.write_into(out),
            None => out.push(b'-'),
        }
        match e.action {
            Some(a) => {
                out.push(b' ');
                ActionLabel(a).write_into(out);
            }
            None => out.extend_from_slice(b" ?"),
        }
        out.push(b' ');
        match (&e.syscall_name, e.syscall) {
            (Some(name), Some(nr)) => {
                text(out, name);
                out.push(b'(');
                push_decimal(out, u64::from(nr));
                out.push(b')');
            }
            (Some(name), None) => text(out, name),
            (None, Some(nr)) => {
                out.push(b'#');
                push_decimal(out, u64::from(nr));
            }
            (None, None) => out.push(b'?'),
        }
        out.push(b' ');
        ArchLabel(e).write_into(out);
        if let Some(pid) = e.pid {
            out.extend_from_slice(b" pid=");
            push_decimal(out, u64::from(pid));
        }
        if let Some(comm) = &e.comm {
            out.extend_from_slice(b" comm=");
            quoted(out, comm, json);
        }
        if let Some(exe) = &e.exe {
            out.extend_from_slice(b" exe=");
            quoted(out, exe, json);
        }
        if let Some(uid) = e.uid {
            out.extend_from_slice(b" uid=");
            push_decimal(out, u64::from(uid));
        }
        if let Some(auid) = e.auid.filter(|&a| a != UNSET_ID) {
            out.extend_from_slice(b" auid=");
            push_decimal(out, u64::from(auid));
        }
        if let Some(name) = e.sig.and_then(signal_name) {
            out.extend_from_slice(b" sig=");
            out.extend_from_slice(name.as_bytes());
        }
        if let Some(node) = &e.node {
            out.extend_from_slice(b" node=");
            text(out, node);
        }
    }
}

/// `"name"` as Rust's `{:?}` writes it, as JSON string content when `json`; printable ASCII
/// without `"` or `\` (the usual name) is written as it is, which is what `{:?}` gives for it
/// (and needs no escaping inside its quotes).
fn quoted(out: &mut Vec<u8>, name: &str, json: bool) {
    let quote: &[u8] = if json { b"\\\"" } else { b"\"" };
    if name
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.extend_from_slice(quote);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(quote);
    } else if json {
        escape_into(out, &format!("{name:?}"));
    } else {
        out.extend_from_slice(format!("{name:?}").as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let label = |ret| ActionLabel(Action::from_ret(ret)).to_string();
        assert_eq!(label(0x50000), "errno");
        assert_eq!(label(0x5000d), "errno:EACCES");
        assert_eq!(label(0x7ff00000), "trace");
        assert_eq!(label(0x7fc00000), "notify");
        assert_eq!(signal_name(31), Some("SIGSYS"));
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(-4), None);
    }
}
