//! `sysfence run`: start a command under a policy.
//!
//! The first-exec problem: a policy that refuses `execve` would refuse the exec of the command
//! itself. Three ways through, chosen in this order (docs/cli.md has the full story):
//!
//! - The policy lets `execve` and `execveat` through unconditionally (`allow` or `log`, as in
//!   log mode): load the filter here and exec the command in place.
//! - `ptrace` (x86_64, the default): the child stops at `PTRACE_EVENT_EXEC`, before the new
//!   program runs one instruction; sysfence makes it load the policy's exact filter, checks it
//!   is in place, and detaches. Nothing stays behind that the command could attack.
//! - `notify` (elsewhere, or `--exec-guard notify`): a supervisor answers the command's execs
//!   through `SECCOMP_RET_USER_NOTIF` with the policy's own verdict (see `supervise.rs`).

use crate::output::{fail, load_policy};
use clap::{Args, ValueEnum};
use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sysfence::{Action, CompileOptions, Error, Filter, Mode, Policy};

/// How `run` lets the command's own exec through a policy that refuses exec.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecGuard {
    /// ptrace on x86_64, notify elsewhere.
    Auto,
    /// Load the filter into the command at its exec stop, then detach (x86_64).
    Ptrace,
    /// Stay as a supervisor answering exec notifications with the policy's verdict.
    Notify,
}

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
    /// How the command's own exec gets through a policy that refuses exec.
    #[arg(long, value_enum, default_value = "auto")]
    exec_guard: ExecGuard,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<OsString>,
}

/// The syscalls that run a new program.
pub const EXEC_SYSCALLS: &[&str] = &["execve", "execveat"];

pub fn run(a: &RunArgs) -> ExitCode {
    // sysfence waits for its child: an inherited SIGCHLD=SIG_IGN would make the kernel reap it
    // behind sysfence's back.
    // SAFETY: resetting a disposition.
    unsafe { libc::signal(libc::SIGCHLD, libc::SIG_DFL) };
    match prepare(a) {
        Ok(plan) => plan.start(a.exec_guard),
        Err(e) => fail(&e, false),
    }
}

/// A command ready to start: the program resolved, argv as C strings.
pub struct Plan {
    policy: Policy,
    /// The program's path.
    pub path: CString,
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
    /// argv as a NULL-terminated pointer array (valid while `self` lives).
    pub fn argv_ptrs(&self) -> Vec<*const libc::c_char> {
        self.argv
            .iter()
            .map(|c| c.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    }

    /// execve(path, argv, environ); returns only on failure, with the shell's exit status for it
    /// (127 not found, 126 otherwise). Allocates nothing: callable in a forked child.
    pub fn exec(&self, argv: &[*const libc::c_char]) -> i32 {
        // SAFETY: path and argv are NUL-terminated; environ is the process environment.
        unsafe { libc::execve(self.path.as_ptr(), argv.as_ptr(), environ) };
        // SAFETY: errno of this thread.
        if unsafe { *libc::__errno_location() } == libc::ENOENT {
            127
        } else {
            126
        }
    }

    fn start(self, guard: ExecGuard) -> ExitCode {
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
        let guard = match guard {
            ExecGuard::Auto if cfg!(target_arch = "x86_64") => ExecGuard::Ptrace,
            ExecGuard::Auto => ExecGuard::Notify,
            other => other,
        };
        if guard == ExecGuard::Ptrace {
            #[cfg(target_arch = "x86_64")]
            return crate::inject::run(&self, &filter);
            #[cfg(not(target_arch = "x86_64"))]
            return fail(
                &Error::Unsupported("--exec-guard ptrace needs x86_64".into()),
                false,
            );
        }
        let options = CompileOptions {
            supervise: EXEC_SYSCALLS,
            ..CompileOptions::default()
        };
        match sysfence::compile_with(&self.policy, options) {
            Ok(supervised) => crate::supervise::run(&self, &filter, &supervised),
            Err(e) => fail(&e, false),
        }
    }

    /// The policy lets exec through: load it here and become the command.
    fn exec_directly(&self, filter: &Filter) -> ExitCode {
        if let Err(e) = filter.load() {
            return fail(&e, false);
        }
        restore_signals_for_command();
        let code = self.exec(&self.argv_ptrs());
        eprintln!(
            "sysfence: cannot run {}: {}",
            self.path.to_string_lossy(),
            std::io::Error::last_os_error()
        );
        ExitCode::from(code as u8)
    }
}

/// In the child, before exec: the dispositions a command expects. Rust ignores SIGPIPE, and
/// sysfence ignores the keyboard signals while it waits; an ignored signal stays ignored across
/// exec. Async-signal-safe.
pub fn restore_signals_for_command() {
    // SAFETY: resetting dispositions to SIG_DFL.
    unsafe {
        for sig in [libc::SIGPIPE, libc::SIGINT, libc::SIGQUIT, libc::SIGCHLD] {
            libc::signal(sig, libc::SIG_DFL);
        }
    }
}

/// Keyboard signals go to the command only: sysfence waits for it.
pub fn ignore_keyboard_signals() {
    // SAFETY: setting dispositions to SIG_IGN.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGQUIT, libc::SIG_IGN);
    }
}

/// The exit status for a `waitpid` status: the command's own, or 128+N for signal N.
pub fn exit_code(status: i32) -> ExitCode {
    if libc::WIFEXITED(status) {
        return ExitCode::from(libc::WEXITSTATUS(status) as u8);
    }
    let sig = libc::WTERMSIG(status);
    eprintln!("sysfence: the command was killed by signal {sig}");
    ExitCode::from((128 + sig) as u8)
}
