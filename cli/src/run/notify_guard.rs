// SPDX-License-Identifier: MIT OR Apache-2.0
//! `run --exec-guard notify`: a supervisor that answers the command's execs.
//!
//! 1. sysfence starts the supervisor (a grandchild) sharing its fd table (`CLONE_FILES`). It
//!    loads the terminal guard, then the policy's filter with `execve` and `execveat` turned
//!    into `SECCOMP_RET_USER_NOTIF` (they cannot keep the policy's action: the kernel ranks an
//!    errno above a notification), with `SECCOMP_FILTER_FLAG_NEW_LISTENER`, and execs the
//!    command: the listener fd lands in the shared table with no further syscall, and is
//!    close-on-exec.
//! 2. The supervisor, non-dumpable from its first instruction, finds the listener, stops
//!    sharing the table, closes every other fd, and loads a filter on itself (see
//!    `helper_filters.rs`) before it answers anything: the command cannot start before that.
//! 3. It answers the first exec with `SECCOMP_USER_NOTIF_FLAG_CONTINUE`, every later one with
//!    what the policy's own BPF returns for that call's `seccomp_data`, and leaves when no
//!    process uses the filter any more.
//!
//! It fails closed: with the listener gone every exec fails with ENOSYS; if anything fails
//! before the command starts, the supervisor kills it. A command without CAP_SYS_PTRACE cannot
//! ptrace the non-dumpable supervisor, read or write its memory, or take the listener with
//! `pidfd_getfd`. A command that would hold CAP_SYS_PTRACE could, so this guard refuses to start
//! one.

use super::command::{command_could_ptrace, restore_signals_for_command, Program};
use super::helper_filters;
use super::user_notif::{self as notify, Answer};
use crate::helper::{self, Side};
use crate::output::fail;
use std::process::ExitCode;
use sysfence::{Action, Error, Filter, ProcStatus};

/// Execs `program` under `terminal` and `child_filter`, its execs answered with
/// `policy_filter`'s verdicts. Returns only on failure.
pub fn run(
    program: &Program,
    policy_filter: &Filter,
    terminal: &Filter,
    child_filter: &Filter,
) -> ExitCode {
    if command_could_ptrace() {
        // What this guard cannot do, not an OS failure.
        let why = "--exec-guard notify cannot protect its supervisor from a command holding \
                   CAP_SYS_PTRACE (root): use --exec-guard ptrace, or drop the capability \
                   first (setpriv --bounding-set=-sys_ptrace ...)";
        return fail(&Error::Unsupported(why.into()), false);
    }
    let own_filter = match helper_filters::supervisor_filter(&notify::IOCTLS) {
        Ok(f) => f,
        Err(e) => return fail(&e, false),
    };
    // Listeners sysfence inherited are not ours to answer.
    let inherited = notify::listeners();
    // SAFETY: getpid has no arguments.
    let me = unsafe { libc::getpid() };
    match helper::spawn(true) {
        Err(e) => {
            return fail(
                &Error::io("starting the exec supervisor (clone)", &e),
                false,
            )
        }
        Ok(Side::Helper) => Supervisor {
            command: me,
            policy: policy_filter,
            first_exec_done: false,
        }
        .start(&inherited, &own_filter),
        Ok(Side::Original) => {}
    }
    restore_signals_for_command();
    // The supervisor sees sysfence exit when loading fails, and leaves.
    if let Err(e) = terminal.load() {
        return fail(&e, false);
    }
    if let Err(f) = child_filter.load_with_flags(child_filter.listener_flags()) {
        return fail(&Error::from(f), false);
    }
    // From here on the policy applies: no syscall but the exec (and, if it fails, the report).
    program.exec_or_report()
}

struct Supervisor<'a> {
    /// sysfence's pid, which becomes the command's.
    command: i32,
    policy: &'a Filter,
    first_exec_done: bool,
}

fn leave(code: i32) -> ! {
    // SAFETY: leave the supervisor at once.
    unsafe { libc::_exit(code) }
}

impl Supervisor<'_> {
    /// The supervisor's life: never returns.
    fn start(mut self, inherited: &[i32], own_filter: &Filter) -> ! {
        if helper::make_undumpable().is_err() {
            leave(1);
        }
        // A pidfd for sysfence: it may die before it loads its filter (then it never execs).
        // SAFETY: pidfd_open with integer arguments; sysfence is alive (it waits for our parent).
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, self.command, 0) } as i32;
        if pidfd < 0 {
            leave(1);
        }
        // The listener cannot be sent to us: sysfence gets it as seccomp()'s return value, and
        // from then on the policy's filter may refuse every call but the exec. It lands in the
        // fd table we share (CLONE_FILES), so look for it there. Nothing signals a new fd in a
        // table, so look again every millisecond: the poll on sysfence's pidfd is the sleep,
        // and ends the wait if sysfence exits before loading its filter. The command waits in
        // its first exec for our answer meanwhile.
        let listener = loop {
            if let Some(fd) = notify::listeners()
                .into_iter()
                .find(|fd| !inherited.contains(fd))
            {
                break fd;
            }
            let mut pfd = libc::pollfd {
                fd: pidfd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd; readable once sysfence has exited.
            if unsafe { libc::poll(&mut pfd, 1, 1) } > 0 {
                leave(0);
            }
        };
        // Our own table from here: sysfence's exec, its fds and the command's are not ours.
        // SAFETY: unshare and close_range with integer arguments.
        let confined = unsafe {
            libc::unshare(libc::CLONE_FILES) == 0
                && close_all_but(&[2, listener])
                && sysfence::load::set_no_new_privs().is_ok()
        } && own_filter.load_with_flags(0).is_ok();
        if !confined {
            eprintln!(
                "sysfence: the exec supervisor cannot confine itself: {}",
                std::io::Error::last_os_error()
            );
            // The command waits in its first exec: it must not run.
            // SAFETY: signalling sysfence through its pidfd (never a reused pid).
            unsafe { libc::syscall(libc::SYS_pidfd_send_signal, pidfd, libc::SIGKILL, 0, 0) };
            leave(1);
        }
        loop {
            let mut pfd = libc::pollfd {
                fd: listener,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let n = unsafe { libc::poll(&mut pfd, 1, -1) };
            if n > 0 && pfd.revents & libc::POLLIN != 0 {
                self.answer_one(listener);
            } else if n > 0 {
                // POLLHUP: no process uses the filter any more.
                leave(0);
            }
        }
    }

    fn answer_one(&mut self, fd: i32) {
        let Ok(n) = notify::recv(fd) else { return };
        let answer = if !self.first_exec_done && n.pid as i32 == self.command {
            self.first_exec_done = true;
            Answer::Continue
        } else {
            self.verdict(fd, &n)
        };
        if let Err(e) = notify::send(fd, n.id, answer) {
            eprintln!("sysfence: cannot answer the kernel: {e}");
        }
    }

    /// What the policy's own BPF says about this call, turned into an answer.
    fn verdict(&self, fd: i32, n: &notify::Notif) -> Answer {
        let action = match self.policy.evaluate_raw(&n.data) {
            Ok((ret, _)) => Action::from_ret(ret),
            Err(_) => Action::KillProcess,
        };
        match action {
            Action::Allow | Action::Log => Answer::Continue,
            Action::Errno(e) => Answer::Errno(i32::from(e)),
            Action::KillProcess | Action::KillThread | Action::Trap => {
                // Signal only while the caller is still blocked in this notification, so that
                // its id (a pid) cannot have been reused by another process.
                if notify::id_valid(fd, n.id) {
                    let tid = n.pid as i32;
                    let status = ProcStatus::of_pid(n.pid).ok();
                    let tgid = status
                        .as_ref()
                        .and_then(|s| s.field("Tgid")?.parse().ok())
                        .unwrap_or(tid);
                    // trap is SIGSYS, but a thread that blocks or ignores SIGSYS would carry on
                    // where the kernel's own trap kills it: then SIGKILL.
                    let sig = if action == Action::Trap
                        && !status.as_ref().is_none_or(sigsys_blocked_or_ignored)
                    {
                        libc::SIGSYS
                    } else {
                        libc::SIGKILL
                    };
                    // SAFETY: signalling the thread that made the refused call.
                    unsafe { libc::syscall(libc::SYS_tgkill, tgid, tid, sig) };
                }
                Answer::Errno(libc::ENOSYS)
            }
            // No tracer or supervisor of the policy's own is attached: the kernel says ENOSYS.
            Action::Trace(_) | Action::Notify => Answer::Errno(libc::ENOSYS),
        }
    }
}

/// True when the thread whose status this is blocks or ignores SIGSYS (`SigBlk`, `SigIgn`).
fn sigsys_blocked_or_ignored(status: &ProcStatus) -> bool {
    let bit = 1u64 << (libc::SIGSYS - 1);
    ["SigBlk", "SigIgn"]
        .iter()
        .any(|name| status.mask(name).is_some_and(|mask| mask & bit != 0))
}

/// close_range(2) through the raw syscall, not glibc's wrapper (glibc 2.34): the CLI runs on
/// glibc 2.17 (docs/packaging.md).
fn close_range(first: u32, last: u32) -> libc::c_long {
    // SAFETY: integer arguments only; closing fds touches no Rust-owned memory.
    unsafe { libc::syscall(libc::SYS_close_range, first, last, 0) }
}

/// Closes every fd but `keep` (async-signal-safe).
fn close_all_but(keep: &[i32]) -> bool {
    let mut keep = keep.to_vec();
    keep.sort_unstable();
    let mut from = 0u32;
    for &fd in &keep {
        if fd as u32 > from && close_range(from, fd as u32 - 1) != 0 {
            return false;
        }
        from = fd as u32 + 1;
    }
    close_range(from, u32::MAX) == 0
}
