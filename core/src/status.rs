// SPDX-License-Identifier: MIT OR Apache-2.0
//! What `/proc/<pid>/status` says: one reader for its `Name:\tvalue` fields, and the seccomp
//! state made from them.

use crate::error::{Error, Result};
use serde::Serialize;

/// The seccomp mode of a thread (`Seccomp:` in its status: 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SeccompMode {
    /// No seccomp.
    Disabled,
    /// `SECCOMP_MODE_STRICT`: read, write, exit and sigreturn only.
    Strict,
    /// `SECCOMP_MODE_FILTER`: one or more BPF filters.
    Filter,
}

impl SeccompMode {
    /// `disabled`, `strict` or `filter`.
    pub fn name(self) -> &'static str {
        match self {
            SeccompMode::Disabled => "disabled",
            SeccompMode::Strict => "strict",
            SeccompMode::Filter => "filter",
        }
    }
}

impl std::fmt::Display for SeccompMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Seccomp state as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Status {
    /// `disabled`, `strict` or `filter` (serialised as that name).
    pub mode: SeccompMode,
    /// How many filters are attached (kernels from 5.9 report it).
    pub filters: Option<u32>,
    /// Whether `PR_SET_NO_NEW_PRIVS` is set.
    pub no_new_privs: bool,
}

/// The state of this process's calling thread.
pub fn status() -> Result<Status> {
    status_from_file("/proc/thread-self/status")
}

/// The state in the status file at `path`: `/proc/<pid>/status` or
/// `/proc/<pid>/task/<tid>/status`.
pub fn status_from_file(path: &str) -> Result<Status> {
    ProcStatus::read_file(path)?.seccomp().ok_or_else(|| {
        Error::Unsupported(format!(
            "{path} has no Seccomp line (kernel without CONFIG_SECCOMP)"
        ))
    })
}

/// A `/proc/<pid>/status` file as read at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcStatus {
    text: String,
}

impl ProcStatus {
    /// Reads `/proc/<pid>/status` (a thread id reads that thread's).
    pub fn of_pid(pid: u32) -> Result<ProcStatus> {
        ProcStatus::read_file(&format!("/proc/{pid}/status"))
    }

    /// Reads the status file at `path` (`/proc/self/status`, `/proc/<pid>/task/<tid>/status`).
    /// A failure is an [`Error::Io`] with the errno (ENOENT or ESRCH for a process that is gone).
    pub fn read_file(path: &str) -> Result<ProcStatus> {
        std::fs::read_to_string(path)
            .map(ProcStatus::from_text)
            .map_err(|e| Error::io(path, &e))
    }

    /// The fields of status text read elsewhere.
    pub fn from_text(text: impl Into<String>) -> ProcStatus {
        ProcStatus { text: text.into() }
    }

    /// The value of field `name` (`"Tgid"`, without the colon), trimmed.
    pub fn field(&self, name: &str) -> Option<&str> {
        field(&self.text, name)
    }

    /// A hexadecimal mask field (`CapBnd`, `SigBlk`) as a number.
    pub fn mask(&self, name: &str) -> Option<u64> {
        u64::from_str_radix(self.field(name)?, 16).ok()
    }

    /// The seccomp state; `None` without a `Seccomp` field (a kernel without
    /// `CONFIG_SECCOMP`).
    pub fn seccomp(&self) -> Option<Status> {
        let mode = match self.field("Seccomp")? {
            "0" => SeccompMode::Disabled,
            "1" => SeccompMode::Strict,
            _ => SeccompMode::Filter,
        };
        Some(Status {
            mode,
            filters: self.field("Seccomp_filters").and_then(|v| v.parse().ok()),
            no_new_privs: self.field("NoNewPrivs") == Some("1"),
        })
    }
}

fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::{ProcStatus, SeccompMode};

    #[test]
    fn parses_proc_status() {
        let s = ProcStatus::from_text(
            "Name:\tx\nTgid:\t7\nSigBlk:\t0000000000000040\nNoNewPrivs:\t1\nSeccomp:\t2\n\
             Seccomp_filters:\t3\n",
        );
        let state = s.seccomp().unwrap();
        assert_eq!(
            (state.mode, state.filters, state.no_new_privs),
            (SeccompMode::Filter, Some(3), true)
        );
        assert_eq!(s.field("Tgid"), Some("7"));
        assert_eq!(s.mask("SigBlk"), Some(0x40));
        // A field name is matched whole: `Seccomp` is not `Seccomp_filters`.
        assert_eq!(s.field("Seccomp_f"), None);
        assert_eq!(ProcStatus::from_text("Name:\tx\n").seccomp(), None);
    }
}
