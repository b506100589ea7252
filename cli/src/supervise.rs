//! `run --exec-guard notify`: a supervisor that answers the command's execs.
//!
//! 1. The child gets the policy's filter with `execve` and `execveat` turned into
//!    `SECCOMP_RET_USER_NOTIF` (they cannot keep the policy's action: the kernel ranks an errno
//!    above a notification). It shares sysfence's fd table (`clone(CLONE_FILES)`), loads that
//!    filter with `SECCOMP_FILTER_FLAG_NEW_LISTENER` and execs: the listener fd lands in
//!    sysfence's table with no further syscall in the child, and is close-on-exec.
//! 2. sysfence answers the child's first exec with `SECCOMP_USER_NOTIF_FLAG_CONTINUE`, and every
//!    later exec with what the policy's own BPF returns for that call's `seccomp_data`.
//! 3. It fails closed: the child dies with sysfence (`PR_SET_PDEATHSIG` SIGKILL, set before its
//!    filter), and with the listener gone every exec would fail with ENOSYS.
//!
//! The supervisor marks itself non-dumpable (`PR_SET_DUMPABLE` 0) before the child exists, so a
//! command without CAP_SYS_PTRACE cannot ptrace it, read or write its memory, or take the
//! listener with `pidfd_getfd`. A command that would hold CAP_SYS_PTRACE could, so this guard
//! refuses to start one.

use crate::notify::{self, Answer};
use crate::output::fail;
use crate::run::{exit_code, ignore_keyboard_signals, restore_signals_for_command, Plan};
use std::process::ExitCode;
use sysfence::load::{FLAG_LOG, FLAG_NEW_LISTENER};
use sysfence::{Action, Error, Filter};

/// `CAP_SYS_PTRACE`.
const CAP_SYS_PTRACE: u32 = 19;

fn unsupported(what: String) -> ExitCode {
    fail(&Error::Unsupported(what), false)
}

/// Starts the command under `child_filter` and supervises its execs with `policy_filter`.
pub fn run(plan: &Plan, policy_filter: &Filter, child_filter: &Filter) -> ExitCode {
    if command_could_ptrace() {
        return unsupported(
            "--exec-guard notify cannot protect its supervisor from a command holding \
             CAP_SYS_PTRACE (root): use --exec-guard ptrace, or drop the capability first \
             (setpriv --bounding-set=-sys_ptrace ...)"
                .into(),
        );
    }
    let argv = plan.argv_ptrs();
    let flags = FLAG_NEW_LISTENER
        | if child_filter.log_denied() {
            FLAG_LOG
        } else {
            0
        };
    ignore_keyboard_signals();
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
        return unsupported(format!(
            "PR_SET_DUMPABLE: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: getpid has no arguments.
    let supervisor = unsafe { libc::getpid() };
    // SAFETY: a fork-like clone that shares only the fd table; this process is single-threaded,
    // so the child may run ordinary code until it execs.
    let pid = unsafe {
        libc::syscall(
            libc::SYS_clone,
            libc::CLONE_FILES | libc::SIGCHLD,
            0,
            0,
            0,
            0,
        )
    } as i32;
    if pid < 0 {
        return unsupported(format!("clone: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        restore_signals_for_command();
        // SAFETY: die with the supervisor; if it is already gone, do not run at all.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            if libc::getppid() != supervisor {
                libc::_exit(125);
            }
        }
        if let Err(f) = child_filter.load_raw(flags) {
            eprintln!("sysfence: {}", Error::from(f));
            // SAFETY: leave the child at once.
            unsafe { libc::_exit(125) };
        }
        // From here on the policy applies: no syscall but the exec itself.
        let code = plan.exec(&argv);
        // SAFETY: leave the child.
        unsafe { libc::_exit(code) };
    }
    Supervisor {
        child: pid,
        policy: policy_filter,
        first_exec_done: false,
    }
    .serve()
}

/// Whether the command, once exec'd, would hold CAP_SYS_PTRACE: root keeps what the bounding
/// set allows, anyone keeps ambient capabilities (NO_NEW_PRIVS ignores file capabilities).
fn command_could_ptrace() -> bool {
    let Ok(text) = std::fs::read_to_string("/proc/self/status") else {
        return true;
    };
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or(u64::MAX)
    };
    let has = |caps: u64| caps & (1 << CAP_SYS_PTRACE) != 0;
    // SAFETY: geteuid has no arguments.
    let root = unsafe { libc::geteuid() } == 0;
    (root && has(field("CapBnd:"))) || has(field("CapAmb:"))
}

struct Supervisor<'a> {
    child: i32,
    policy: &'a Filter,
    first_exec_done: bool,
}

impl Supervisor<'_> {
    fn serve(mut self) -> ExitCode {
        let mut listener = None;
        loop {
            if listener.is_none() {
                listener = notify::find_listener();
            }
            let mut hung_up = false;
            if let Some(fd) = listener {
                let mut pfd = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd.
                let n = unsafe { libc::poll(&mut pfd, 1, 100) };
                if n > 0 && pfd.revents & libc::POLLIN != 0 {
                    self.answer_one(fd);
                    continue;
                }
                // POLLHUP: no task uses the filter any more; only the child's exit is left.
                hung_up = n > 0 && pfd.revents & libc::POLLHUP != 0;
            } else {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            let mut status = 0;
            let options = if hung_up { 0 } else { libc::WNOHANG };
            // SAFETY: waiting for our child.
            let r = unsafe { libc::waitpid(self.child, &mut status, options) };
            if r == self.child
                || (r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR))
            {
                if let Some(fd) = listener {
                    // SAFETY: our copy of the listener.
                    unsafe { libc::close(fd) };
                }
                if r != self.child {
                    return unsupported(format!("waitpid: {}", std::io::Error::last_os_error()));
                }
                return exit_code(status);
            }
        }
    }

    fn answer_one(&mut self, fd: i32) {
        let Ok(n) = notify::recv(fd) else { return };
        let answer = if !self.first_exec_done && n.pid as i32 == self.child {
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
        let action = match self.policy.run(&n.data) {
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
                    let tgid = notify::tgid_of(n.pid).unwrap_or(tid);
                    // trap is SIGSYS, but a thread that blocks or ignores SIGSYS would carry on
                    // where the kernel's own trap kills it: then SIGKILL.
                    let sig = if action == Action::Trap && !notify::sigsys_blocked_or_ignored(n.pid)
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
