// SPDX-License-Identifier: MIT OR Apache-2.0
//! Seccomp actions: parsing `errno:EACCES`-style text, printing it back, and the kernel's
//! `SECCOMP_RET_*` encoding.

use crate::errno::{errno_from_name, errno_name, ERRNO_NAMES, MAX_ERRNO};
use libseccomp::ScmpAction;
use std::fmt;
use std::str::FromStr;

/// What the kernel does with a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Let the call run.
    Allow,
    /// Let the call run and write an audit record.
    Log,
    /// Kill the whole process with SIGSYS.
    KillProcess,
    /// Kill the calling thread with SIGSYS.
    KillThread,
    /// Send SIGSYS to the calling thread, which may handle it.
    Trap,
    /// Fail the call with this errno (1..=`errno::MAX_ERRNO`, 4094).
    Errno(u16),
    /// Hand the call to a ptrace tracer with this message value; ENOSYS without a tracer.
    Trace(u16),
    /// Hand the call to a user-space supervisor (`SECCOMP_RET_USER_NOTIF`).
    Notify,
}

/// `SECCOMP_RET_KILL_PROCESS`
pub const RET_KILL_PROCESS: u32 = libc::SECCOMP_RET_KILL_PROCESS;
/// `SECCOMP_RET_KILL_THREAD`
pub const RET_KILL_THREAD: u32 = libc::SECCOMP_RET_KILL_THREAD;
/// `SECCOMP_RET_TRAP`
pub const RET_TRAP: u32 = libc::SECCOMP_RET_TRAP;
/// `SECCOMP_RET_ERRNO`
pub const RET_ERRNO: u32 = libc::SECCOMP_RET_ERRNO;
/// `SECCOMP_RET_USER_NOTIF`
pub const RET_USER_NOTIF: u32 = libc::SECCOMP_RET_USER_NOTIF;
/// `SECCOMP_RET_TRACE`
pub const RET_TRACE: u32 = libc::SECCOMP_RET_TRACE;
/// `SECCOMP_RET_LOG`
pub const RET_LOG: u32 = libc::SECCOMP_RET_LOG;
/// `SECCOMP_RET_ALLOW`
pub const RET_ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
const RET_ACTION_FULL: u32 = libc::SECCOMP_RET_ACTION_FULL;
const RET_DATA: u32 = libc::SECCOMP_RET_DATA;

impl Action {
    /// The names accepted in policies, for error messages and docs.
    pub const NAMES: &'static [&'static str] = &[
        "allow",
        "log",
        "kill_process",
        "kill_thread",
        "trap",
        "errno",
        "errno:NAME",
        "errno:N",
        "trace:N",
        "notify",
    ];

    /// The kernel's 32-bit return value for this action (`SECCOMP_RET_*` | data).
    pub fn to_ret(self) -> u32 {
        match self {
            Action::Allow => RET_ALLOW,
            Action::Log => RET_LOG,
            Action::KillProcess => RET_KILL_PROCESS,
            Action::KillThread => RET_KILL_THREAD,
            Action::Trap => RET_TRAP,
            Action::Errno(e) => RET_ERRNO | u32::from(e),
            Action::Trace(m) => RET_TRACE | u32::from(m),
            Action::Notify => RET_USER_NOTIF,
        }
    }

    /// Decodes a filter's 32-bit return value. Unknown actions decode as `kill_process`, which
    /// is what the kernel does with them.
    pub fn from_ret(ret: u32) -> Action {
        let data = (ret & RET_DATA) as u16;
        match ret & RET_ACTION_FULL {
            RET_ALLOW => Action::Allow,
            RET_LOG => Action::Log,
            RET_KILL_THREAD => Action::KillThread,
            RET_TRAP => Action::Trap,
            RET_ERRNO => Action::Errno(data),
            RET_TRACE => Action::Trace(data),
            RET_USER_NOTIF => Action::Notify,
            _ => Action::KillProcess,
        }
    }

    /// libseccomp's value for this action.
    pub fn to_scmp(self) -> ScmpAction {
        match self {
            Action::Allow => ScmpAction::Allow,
            Action::Log => ScmpAction::Log,
            Action::KillProcess => ScmpAction::KillProcess,
            Action::KillThread => ScmpAction::KillThread,
            Action::Trap => ScmpAction::Trap,
            Action::Errno(e) => ScmpAction::Errno(i32::from(e)),
            Action::Trace(m) => ScmpAction::Trace(m),
            Action::Notify => ScmpAction::Notify,
        }
    }

    /// True for `allow` and `log`, the actions that let the call run.
    pub fn lets_through(self) -> bool {
        matches!(self, Action::Allow | Action::Log)
    }

    /// The action in log mode: everything that would stop the call becomes `log`.
    pub fn in_log_mode(self) -> Action {
        if self == Action::Allow {
            Action::Allow
        } else {
            Action::Log
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Allow => f.write_str("allow"),
            Action::Log => f.write_str("log"),
            Action::KillProcess => f.write_str("kill_process"),
            Action::KillThread => f.write_str("kill_thread"),
            Action::Trap => f.write_str("trap"),
            Action::Errno(e) => match errno_name(i32::from(*e)) {
                Some(name) => write!(f, "errno:{name}"),
                None => write!(f, "errno:{e}"),
            },
            Action::Trace(m) => write!(f, "trace:{m}"),
            Action::Notify => f.write_str("notify"),
        }
    }
}

impl FromStr for Action {
    type Err = String;

    /// Parses `allow`, `log`, `kill_process`, `kill_thread`, `trap`, `errno` (EPERM),
    /// `errno:EACCES`, `errno:13`, `trace:N` and `notify`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (word, data) = match text.split_once(':') {
            Some((w, d)) => (w, Some(d)),
            None => (text, None),
        };
        let action = match (word, data) {
            ("allow", None) => Action::Allow,
            ("log", None) => Action::Log,
            ("kill_process", None) => Action::KillProcess,
            ("kill_thread", None) => Action::KillThread,
            ("trap", None) => Action::Trap,
            ("notify", None) => Action::Notify,
            ("errno", None) => Action::Errno(libc::EPERM as u16),
            ("errno", Some(d)) => Action::Errno(parse_errno(d)?),
            ("trace", Some(d)) => Action::Trace(
                digits(d)
                    .and_then(|d| d.parse::<u16>().ok())
                    .ok_or_else(|| format!("trace value {d:?} is not a number in 0..=65535"))?,
            ),
            ("trace", None) => Action::Trace(0),
            _ => {
                return Err(format!(
                    "unknown action {text:?} (expected one of: {})",
                    Action::NAMES.join(", ")
                ))
            }
        };
        Ok(action)
    }
}

/// `d` when it is plain decimal digits (no sign, space or `0x`), as policies write numbers.
fn digits(d: &str) -> Option<&str> {
    (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

fn parse_errno(data: &str) -> Result<u16, String> {
    if let Some(d) = digits(data) {
        return match d.parse::<u64>() {
            Ok(n) if n != 0 && n <= u64::from(MAX_ERRNO) => Ok(n as u16),
            _ => Err(format!("errno {d} is out of range 1..={MAX_ERRNO}")),
        };
    }
    // Names are case-sensitive, as in C: `errno:eperm` is a typo worth pointing out.
    if let Some((_, v)) = ERRNO_NAMES.iter().find(|(n, _)| *n == data) {
        return Ok(*v as u16);
    }
    let mut msg = format!(
        "unknown errno name {data:?} (use a name such as EACCES or a number 1..={MAX_ERRNO})"
    );
    let upper = data.to_ascii_uppercase();
    let suggestion = if errno_from_name(&upper).is_some() {
        Some(upper.as_str())
    } else {
        crate::suggest::nearest(data, ERRNO_NAMES.iter().map(|(n, _)| *n))
    };
    if let Some(s) = suggestion {
        msg = format!("unknown errno name {data:?} (did you mean \"errno:{s}\"?)");
    }
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for text in [
            "allow",
            "log",
            "kill_process",
            "kill_thread",
            "trap",
            "errno:EACCES",
            "errno:4094",
            "trace:7",
            "notify",
        ] {
            let a: Action = text.parse().unwrap();
            assert_eq!(a.to_string(), text);
            assert_eq!(Action::from_ret(a.to_ret()), a);
        }
        assert_eq!("errno".parse::<Action>().unwrap(), Action::Errno(1));
        assert_eq!("errno:13".parse::<Action>().unwrap(), Action::Errno(13));
    }

    #[test]
    fn rejects_out_of_range_and_unknown() {
        assert!("errno:4096".parse::<Action>().is_err());
        assert!("errno:0".parse::<Action>().is_err());
        assert!("errno:EWHAT".parse::<Action>().is_err());
        assert!("trace:70000".parse::<Action>().is_err());
        assert!("deny".parse::<Action>().is_err());
        assert!("allow:1".parse::<Action>().is_err());
    }

    #[test]
    fn refuses_signs_spaces_and_lowercase_names() {
        for text in [
            "errno:+5", "errno: 5", "errno:-1", "errno:", "trace:+1", "trace:", "trace: 1",
        ] {
            assert!(text.parse::<Action>().is_err(), "{text}");
        }
        let e = "errno:eperm".parse::<Action>().unwrap_err();
        assert!(e.contains("did you mean \"errno:EPERM\""), "{e}");
        let e = "errno:EACESS".parse::<Action>().unwrap_err();
        assert!(e.contains("did you mean \"errno:EACCES\""), "{e}");
        assert_eq!("errno:0013".parse::<Action>().unwrap(), Action::Errno(13));
    }
}
