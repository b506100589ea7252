//! `run --exec-guard notify`: a supervisor that answers the command's execs.
//!
//! 1. The child gets the policy's filter with `execve` and `execveat` turned into
//!    `SECCOMP_RET_USER_NOTIF` (they cannot keep the policy's action: the kernel ranks an errno
//!    above a notification). It shares sysfence's fd table (`clone(CLONE_FILES)`), loads that
//!    filter with `SECCOMP_FILTER_FLAG_NEW_LISTENER` and execs: the listener fd lands in
//!    sysfence's table with no further syscall in the child, and is close-on-exec.
//! 2. sysfence answers the child's first exec with `SECCOMP_USER_NOTIF_FLAG_CONTINUE`, and every
//!    later exec with what the policy's own BPF returns for that call's `seccomp_data`.
//! 3. It fails closed: if the supervisor dies, every exec fails with ENOSYS.
//!
//! The supervisor marks itself non-dumpable (`PR_SET_DUMPABLE` 0) before the child exists, so a
//! command without CAP_SYS_PTRACE cannot ptrace it, read or write its memory, or take the
//! listener with `pidfd_getfd`.

use crate::notify::{self, Answer};
use crate::output::fail;
use crate::run::{exit_code, ignore_keyboard_signals, Plan};
use std::process::ExitCode;
use sysfence::load::{FLAG_LOG, FLAG_NEW_LISTENER};
use sysfence::{Action, Error, Filter};

/// Starts the command under `child_filter` and supervises its execs with `policy_filter`.
pub fn run(plan: &Plan, policy_filter: &Filter, child_filter: &Filter) -> ExitCode {
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
        return fail(
            &Error::Unsupported(format!(
                "PR_SET_DUMPABLE: {}",
                std::io::Error::last_os_error()
            )),
            false,
        );
    }
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
        return fail(
            &Error::Unsupported(format!("clone: {}", std::io::Error::last_os_error())),
            false,
        );
    }
    if pid == 0 {
        // SAFETY: default dispositions for the command (exec keeps SIG_IGN otherwise).
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
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
            } else {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            let mut status = 0;
            // SAFETY: non-blocking wait for our child.
            if unsafe { libc::waitpid(self.child, &mut status, libc::WNOHANG) } == self.child {
                if let Some(fd) = listener {
                    // SAFETY: our copy of the listener.
                    unsafe { libc::close(fd) };
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
            self.verdict(&n)
        };
        if let Err(e) = notify::send(fd, n.id, answer) {
            eprintln!("sysfence: cannot answer the kernel: {e}");
        }
    }

    /// What the policy's own BPF says about this call, turned into an answer.
    fn verdict(&self, n: &notify::Notif) -> Answer {
        let action = match self.policy.run(&n.data) {
            Ok((ret, _)) => Action::from_ret(ret),
            Err(_) => Action::KillProcess,
        };
        match action {
            Action::Allow | Action::Log => Answer::Continue,
            Action::Errno(e) => Answer::Errno(i32::from(e)),
            Action::KillProcess | Action::KillThread | Action::Trap => {
                let tid = n.pid as i32;
                let tgid = notify::tgid_of(n.pid).unwrap_or(tid);
                let sig = if action == Action::Trap {
                    libc::SIGSYS
                } else {
                    libc::SIGKILL
                };
                // SAFETY: signalling the thread that made the refused call.
                unsafe { libc::syscall(libc::SYS_tgkill, tgid, tid, sig) };
                Answer::Errno(libc::ENOSYS)
            }
            // No tracer or supervisor of the policy's own is attached: the kernel says ENOSYS.
            Action::Trace(_) | Action::Notify => Answer::Errno(libc::ENOSYS),
        }
    }
}
