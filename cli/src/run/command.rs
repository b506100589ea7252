// SPDX-License-Identifier: MIT OR Apache-2.0
//! The command `run` starts, shared by the command and both exec guards: the program resolved
//! as the shell does, its exec, and what is restored or checked before it.

use crate::output::fail;
use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use sysfence::{Error, ProcStatus};

/// `CAP_SYS_PTRACE`.
const CAP_SYS_PTRACE: u32 = 19;

/// Why `run` (or `profile`) does not start.
pub enum Refusal {
    /// The policy or the options (exit 1).
    Policy(Error),
    /// The command cannot be run, with the shell's exit status for it: 127 not found, 126 not
    /// executable.
    Command { message: String, code: u8 },
}

impl Refusal {
    /// Says why on stderr and returns the exit status for it.
    pub fn report(self) -> ExitCode {
        match self {
            Refusal::Policy(e) => fail(&e, false),
            Refusal::Command { message, code } => {
                eprintln!("sysfence: {message}");
                ExitCode::from(code)
            }
        }
    }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Policy(e)
    }
}

/// A command ready to start: the program resolved, argv as C strings.
pub struct Program {
    /// The program's path.
    pub path: CString,
    argv: Vec<CString>,
}

impl Program {
    /// Resolves `command[0]` as the shell does and converts the arguments: `Refusal::Command`
    /// (127 or 126) when there is no such program or it cannot be executed.
    pub fn new(command: &[OsString]) -> Result<Program, Refusal> {
        let program = &command[0];
        let shown = program.to_string_lossy();
        let path = resolve_command(Path::new(program)).map_err(|code| Refusal::Command {
            message: if code == 127 {
                format!("{shown}: command not found")
            } else {
                format!("{shown}: permission denied (not an executable file)")
            },
            code,
        })?;
        let cstr = |s: &[u8]| {
            CString::new(s)
                .map_err(|_| Error::InvalidArgument("a NUL byte in the command line".into()))
        };
        Ok(Program {
            path: cstr(path.as_os_str().as_bytes())?,
            argv: command
                .iter()
                .map(|s| cstr(s.as_bytes()))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Finds the program as the shell does: a path with a slash as is, otherwise the first
/// executable file along $PATH. `Err(127)` when there is none, `Err(126)` when what is there
/// cannot be executed.
fn resolve_command(program: &Path) -> Result<PathBuf, u8> {
    let executable = |p: &Path| {
        let c = CString::new(p.as_os_str().as_bytes()).unwrap_or_default();
        // SAFETY: access() with a valid C string.
        p.is_file() && unsafe { libc::access(c.as_ptr(), libc::X_OK) } == 0
    };
    if program.as_os_str().as_bytes().contains(&b'/') {
        return match (program.exists(), executable(program)) {
            (false, _) => Err(127),
            (true, false) => Err(126),
            (true, true) => Ok(program.to_path_buf()),
        };
    }
    let search = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    let candidates: Vec<PathBuf> = std::env::split_paths(&search)
        .map(|dir| dir.join(program))
        .collect();
    if let Some(found) = candidates.iter().find(|p| executable(p)) {
        return Ok(found.clone());
    }
    Err(if candidates.iter().any(|p| p.is_file()) {
        126
    } else {
        127
    })
}

extern "C" {
    static environ: *const *const libc::c_char;
}

impl Program {
    /// True when this user can read the program (the ptrace guard writes into the program's
    /// memory, which the kernel refuses for a program its user may only execute).
    pub fn readable(&self) -> bool {
        // SAFETY: access() with a valid C string.
        unsafe { libc::access(self.path.as_ptr(), libc::R_OK) == 0 }
    }

    /// argv as a NULL-terminated pointer array (valid while `self` lives).
    pub fn argv_ptrs(&self) -> Vec<*const libc::c_char> {
        self.argv
            .iter()
            .map(|c| c.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    }

    /// execve(path, argv, environ); returns only on failure, with the shell's exit status for it
    /// (127 not found, 126 otherwise). Allocates nothing.
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

    /// Becomes the command; when the exec fails, says why (the policy may refuse the write,
    /// then only the status tells) and returns the shell's status for it.
    pub fn exec_or_report(&self) -> ExitCode {
        let code = self.exec(&self.argv_ptrs());
        let err = std::io::Error::last_os_error();
        eprintln!(
            "sysfence: cannot run {}: {err}",
            self.path.to_string_lossy()
        );
        ExitCode::from(code as u8)
    }
}

/// Before the exec: Rust ignores SIGPIPE, and an ignored signal stays ignored across exec.
/// Every other disposition is the invoker's (a background job's ignored SIGINT stays ignored).
/// Async-signal-safe.
pub fn restore_signals_for_command() {
    // SAFETY: resetting a disposition to SIG_DFL.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}

/// Whether the command, once exec'd, would hold CAP_SYS_PTRACE: root keeps what the bounding
/// set allows, anyone keeps ambient capabilities (NO_NEW_PRIVS ignores file capabilities).
/// When it would, no helper of sysfence's can be kept safe from it.
pub fn command_could_ptrace() -> bool {
    let Ok(status) = ProcStatus::read_file("/proc/self/status") else {
        return true;
    };
    let has = |name: &str| {
        status
            .mask(name)
            .is_none_or(|caps| caps & (1 << CAP_SYS_PTRACE) != 0)
    };
    // SAFETY: geteuid has no arguments.
    let root = unsafe { libc::geteuid() } == 0;
    (root && has("CapBnd")) || has("CapAmb")
}
