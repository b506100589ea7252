//! `sysfence run`: start a command under a policy.
//!
//! The first-exec problem: a policy that refuses `execve` would refuse the exec of the command
//! itself. When the policy lets `execve` and `execveat` through unconditionally (allow or log,
//! as in log mode), sysfence simply loads the filter and execs. Otherwise it stays the parent
//! as a supervisor:
//!
//! 1. It compiles the policy twice: the policy's own filter (the verdict source) and the filter
//!    the child loads, identical except that `execve` and `execveat` return
//!    `SECCOMP_RET_USER_NOTIF` (the kernel ranks an errno above a notification, so the policy's
//!    exec rules cannot stay in the loaded filter).
//! 2. The child shares the parent's fd table (`clone(CLONE_FILES)`), loads that filter with
//!    `SECCOMP_FILTER_FLAG_NEW_LISTENER`, and execs the command. The listener fd appears in the
//!    parent's table without the child making any further syscall that the policy could refuse;
//!    it is close-on-exec, so the command never holds it.
//! 3. The parent answers the child's first exec with `SECCOMP_USER_NOTIF_FLAG_CONTINUE`, and
//!    every later exec in the command's process tree with what the policy's own BPF returns for
//!    that call's `seccomp_data` (the same registers the kernel filter would see).
//! 4. If the supervisor dies, the listener closes and every exec fails with ENOSYS: it fails
//!    closed. When the command exits, sysfence exits with its status.

use crate::notify::{self, Answer};
use crate::output::{fail, load_policy};
use clap::Args;
use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sysfence::load::{FLAG_LOG, FLAG_NEW_LISTENER};
use sysfence::{Action, CompileOptions, Error, Filter, Mode, Policy};

/// Arguments of `run`.
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["policy", "preset"]))]
pub struct RunArgs {
    /// The policy file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// A preset instead of a policy file (see `sysfence presets`).
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,
    /// Log what the policy would refuse instead of refusing it (mode "log").
    #[arg(long)]
    log_only: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<OsString>,
}

const EXEC_SYSCALLS: &[&str] = &["execve", "execveat"];

pub fn run(a: &RunArgs) -> ExitCode {
    match prepare(a) {
        Ok(plan) => plan.start(),
        Err(e) => fail(&e, false),
    }
}

struct Plan {
    policy: Policy,
    path: CString,
    argv: Vec<CString>,
}

fn prepare(a: &RunArgs) -> Result<Plan, Error> {
    let mut policy = match (&a.policy, &a.preset) {
        (Some(file), _) => load_policy(file)?,
        (None, Some(name)) => Policy::preset(name)?,
        (None, None) => {
            return Err(Error::InvalidArgument(
                "--policy or --preset is required".into(),
            ))
        }
    };
    if a.log_only {
        policy.mode = Mode::Log;
    }
    let program = &a.command[0];
    let path = resolve_command(Path::new(program)).ok_or_else(|| {
        Error::InvalidArgument(format!("{}: command not found", program.to_string_lossy()))
    })?;
    let cstr = |s: &[u8]| {
        CString::new(s).map_err(|_| Error::InvalidArgument("a NUL byte in the command line".into()))
    };
    Ok(Plan {
        path: cstr(path.as_os_str().as_bytes())?,
        argv: a
            .command
            .iter()
            .map(|s| cstr(s.as_bytes()))
            .collect::<Result<_, _>>()?,
        policy,
    })
}

/// Finds the program like the shell does: a path with a slash as is, otherwise along $PATH.
fn resolve_command(program: &Path) -> Option<PathBuf> {
    if program.as_os_str().as_bytes().contains(&b'/') {
        return Some(program.to_path_buf());
    }
    let search = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&search)
        .map(|dir| dir.join(program))
        .find(|p| {
            let c = CString::new(p.as_os_str().as_bytes()).unwrap_or_default();
            // SAFETY: access() with a valid C string.
            p.is_file() && unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0
        })
}

extern "C" {
    static environ: *const *const libc::c_char;
}

impl Plan {
    fn argv_ptrs(&self) -> Vec<*const libc::c_char> {
        self.argv
            .iter()
            .map(|c| c.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    }

    fn start(self) -> ExitCode {
        let exec_lets_through = EXEC_SYSCALLS.iter().all(|s| {
            self.policy
                .unconditional_action(s)
                .is_some_and(Action::lets_through)
        });
        let filter = match self.policy.compile() {
            Ok(f) => f,
            Err(e) => return fail(&e, false),
        };
        if exec_lets_through {
            return self.exec_directly(&filter);
        }
        let options = CompileOptions {
            supervise: EXEC_SYSCALLS,
            ..CompileOptions::default()
        };
        match sysfence::compile_with(&self.policy, options) {
            Ok(supervised) => self.supervise(&filter, &supervised),
            Err(e) => fail(&e, false),
        }
    }

    /// The policy lets exec through: load it here and become the command.
    fn exec_directly(&self, filter: &Filter) -> ExitCode {
        if let Err(e) = filter.load() {
            return fail(&e, false);
        }
        let argv = self.argv_ptrs();
        // SAFETY: path and argv are NUL-terminated; environ is the process environment.
        unsafe { libc::execve(self.path.as_ptr(), argv.as_ptr(), environ) };
        let err = std::io::Error::last_os_error();
        eprintln!(
            "sysfence: cannot run {}: {err}",
            self.path.to_string_lossy()
        );
        ExitCode::from(if err.raw_os_error() == Some(libc::ENOENT) {
            127
        } else {
            126
        })
    }

    fn supervise(&self, policy_filter: &Filter, child_filter: &Filter) -> ExitCode {
        let argv = self.argv_ptrs();
        let flags = FLAG_NEW_LISTENER
            | if child_filter.log_denied() {
                FLAG_LOG
            } else {
                0
            };
        // The supervisor must outlive the command: keyboard signals go to the command only.
        // SAFETY: setting dispositions to SIG_IGN.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            libc::signal(libc::SIGQUIT, libc::SIG_IGN);
        }
        // SAFETY: a fork-like clone that shares only the fd table; this process is
        // single-threaded, so the child may run ordinary code until it execs.
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
            // SAFETY: restore default dispositions for the command; exec keeps SIG_IGN otherwise.
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
            // SAFETY: as in exec_directly.
            unsafe {
                libc::execve(self.path.as_ptr(), argv.as_ptr(), environ);
                libc::_exit(127);
            }
        }
        Supervisor {
            child: pid,
            policy: policy_filter,
            first_exec_done: false,
        }
        .serve()
    }
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
            if let Some(code) = self.reap() {
                if let Some(fd) = listener {
                    // SAFETY: our copy of the listener.
                    unsafe { libc::close(fd) };
                }
                return code;
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

    fn reap(&self) -> Option<ExitCode> {
        let mut status = 0;
        // SAFETY: non-blocking wait for our child.
        let r = unsafe { libc::waitpid(self.child, &mut status, libc::WNOHANG) };
        if r != self.child {
            return None;
        }
        if libc::WIFEXITED(status) {
            return Some(ExitCode::from(libc::WEXITSTATUS(status) as u8));
        }
        let sig = libc::WTERMSIG(status);
        eprintln!("sysfence: the command was killed by signal {sig}");
        Some(ExitCode::from((128 + sig) as u8))
    }
}
