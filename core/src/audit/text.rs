//! Readable forms: the action and signal names, and the one-line text of an event. They are
//! `Display` adapters, so the ECS writer streams them without building strings first.

use super::{SeccompEvent, UNSET_ID};
use crate::Action;
use std::fmt;

/// The action as people write it. The kernel logs `SECCOMP_RET_ACTION_FULL` only, so an errno
/// or trace value of 0 means "not recorded" and shows as plain `errno` / `trace`.
pub(crate) struct ActionLabel(pub(crate) Action);

impl fmt::Display for ActionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Action::Errno(0) => f.write_str("errno"),
            Action::Trace(0) => f.write_str("trace"),
            other => other.fmt(f),
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

impl fmt::Display for ArchLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.arch, self.0.arch_raw) {
            (Some(arch), _) => f.write_str(arch.name()),
            (None, Some(raw)) => write!(f, "{raw:08x}"),
            (None, None) => f.write_str("?"),
        }
    }
}

/// `2020-10-19T15:14:50.865Z kill_thread bind(49) x86_64 pid=1376 comm="nc"
/// exe="/usr/bin/nc.traditional" uid=0 auid=1000 sig=SIGSYS`
pub(crate) struct OneLine<'a>(pub(crate) &'a SeccompEvent);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Plain `write_str`s and `Decimal`s: `write!` costs more than the text here, and
        // `sysfence audit` formats this for every record.
        let e = self.0;
        match e.timestamp {
            Some(t) => t.fmt(f)?,
            None => f.write_str("-")?,
        }
        match e.action {
            Some(a) => {
                f.write_str(" ")?;
                ActionLabel(a).fmt(f)?;
            }
            None => f.write_str(" ?")?,
        }
        f.write_str(" ")?;
        SyscallLabel(e).fmt(f)?;
        if let (Some(_), Some(nr)) = (&e.syscall_name, e.syscall) {
            f.write_str("(")?;
            Decimal(u64::from(nr)).fmt(f)?;
            f.write_str(")")?;
        }
        f.write_str(" ")?;
        ArchLabel(e).fmt(f)?;
        if let Some(pid) = e.pid {
            f.write_str(" pid=")?;
            Decimal(u64::from(pid)).fmt(f)?;
        }
        if let Some(comm) = &e.comm {
            f.write_str(" comm=")?;
            fmt::Debug::fmt(comm.as_str(), f)?;
        }
        if let Some(exe) = &e.exe {
            f.write_str(" exe=")?;
            fmt::Debug::fmt(exe.as_str(), f)?;
        }
        if let Some(uid) = e.uid {
            f.write_str(" uid=")?;
            Decimal(u64::from(uid)).fmt(f)?;
        }
        if let Some(auid) = e.auid.filter(|&a| a != UNSET_ID) {
            f.write_str(" auid=")?;
            Decimal(u64::from(auid)).fmt(f)?;
        }
        if let Some(name) = e.sig.and_then(signal_name) {
            f.write_str(" sig=")?;
            f.write_str(name)?;
        }
        if let Some(node) = &e.node {
            f.write_str(" node=")?;
            f.write_str(node)?;
        }
        Ok(())
    }
}

/// A number in decimal, without the formatter's padding machinery.
pub(crate) struct Decimal(pub(crate) u64);

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut value = self.0;
        loop {
            at -= 1;
            digits[at] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        f.write_str(std::str::from_utf8(&digits[at..]).map_err(|_| fmt::Error)?)
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
