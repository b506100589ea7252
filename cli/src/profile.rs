// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence profile`: run a command, record every system call it and everything it starts
//! makes, per ABI, and write the deny-by-default policy that allows exactly those.
//!
//! Unlike `run`, sysfence stays the command's parent here: the policy must be written before
//! the shell sees the command's status (a script runs `sysfence profile -o p.json -- cmd &&
//! sysfence run --policy p.json -- cmd`), so sysfence waits for the command, writes the policy
//! and then exits with the command's status.
//!
//! Recording (the `notify` backend, Linux 5.8+):
//! 1. sysfence forks the command's process sharing its fd table (`CLONE_FILES`). The child
//!    loads a one-instruction filter, `return SECCOMP_RET_USER_NOTIF` for every syscall of every
//!    ABI, with `SECCOMP_FILTER_FLAG_NEW_LISTENER`, and execs: the listener fd lands in the
//!    shared table with no further syscall (the child could make none: each would wait for an
//!    answer nobody is yet giving), and is close-on-exec.
//! 2. sysfence finds the listener and answers every notification with
//!    `SECCOMP_USER_NOTIF_FLAG_CONTINUE` after recording its ABI (`seccomp_data.arch`, so an i386
//!    `int 0x80` call is an x86 call), number and caller. The filter has no exception: the
//!    supervisor is another process, which the filter does not cover, so nothing it does can
//!    wait on the command. Every thread, child and exec'd program inherits the filter.
//! 3. It serves until no process uses the filter any more (`POLLHUP`): descendants that outlive
//!    the command are recorded too.
//!
//! Where a notification listener cannot be had (`EBUSY`: the command already runs under one,
//! e.g. inside `sysfence run --exec-guard notify`), or the kernel is older than 5.8 (CONTINUE
//! answers came in 5.5, the listener's `POLLHUP` in 5.8), the `ptrace` backend
//! records the same thing: sysfence seizes the child, which loads `return SECCOMP_RET_TRACE`
//! for everything and execs; each call stops at `PTRACE_EVENT_SECCOMP` and is read with
//! `PTRACE_GET_SYSCALL_INFO` (Linux 5.3+).

use crate::helper::{self, Pipe};
use crate::output::{fail, read_policy_text};
use crate::run::command::{restore_signals_for_command, Program, Refusal};
use crate::run::user_notif as notify;
use clap::{Args, ValueEnum};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};
use sysfence::action::{RET_TRACE, RET_USER_NOTIF};
use sysfence::bpf::SockFilter;
use sysfence::load::{load_program, FLAG_NEW_LISTENER};
use sysfence::syscalls;
use sysfence::{Action, Arch, Error, Policy};

/// How the calls are recorded.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// notify, or ptrace where a listener cannot be had.
    Auto,
    /// Seccomp user notification answered with CONTINUE (Linux 5.8+).
    Notify,
    /// ptrace seccomp stops (Linux 5.3+).
    Ptrace,
}

/// Output formats of `profile`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileFormat {
    /// A sysfence policy.
    Sysfence,
    /// An OCI runtime-spec / Docker seccomp profile.
    Oci,
}

/// Arguments of `profile`.
#[derive(Args, Debug)]
pub struct ProfileArgs {
    /// Write the policy to FILE (atomically: whole or not at all) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "sysfence")]
    pub format: ProfileFormat,
    /// Add argument conditions where every call agrees (socket families, clone flags,
    /// personality, ioctl requests, no writable+executable mappings).
    #[arg(long)]
    args: bool,
    /// Also allow what an earlier profile (a policy file) allows; repeatable.
    #[arg(long, value_name = "FILE")]
    merge: Vec<String>,
    /// The policy's default action, for every call not recorded.
    #[arg(long, value_name = "ACTION", default_value = "errno:ENOSYS")]
    default: String,
    /// How the calls are recorded.
    #[arg(long, value_enum, default_value = "auto")]
    backend: Backend,
    /// Learn from the kernel's seccomp records instead of running a command: a log file
    /// (audit.log, kern.log, saved dmesg or journalctl output), /dev/kmsg, or `-`.
    #[arg(long, value_name = "LOG", conflicts_with_all = ["command", "backend", "args"])]
    pub from_audit: Option<String>,
    /// With --from-audit: the policy to add what the records show was needed to.
    #[arg(long, value_name = "BASE", requires = "from_audit")]
    pub policy: Option<String>,
    /// With --from-audit: only the records of this executable (as the records name it).
    #[arg(long, value_name = "PATH", requires = "from_audit")]
    pub exe: Option<String>,
    /// The command and its arguments, after `--`.
    #[arg(
        last = true,
        required_unless_present = "from_audit",
        value_name = "CMD"
    )]
    command: Vec<OsString>,
}

/// Calls every program needs although a short run may not show them.
pub const ALWAYS: &[&str] = &[
    "exit",
    "exit_group",
    "restart_syscall",
    "rt_sigreturn",
    "sigreturn",
];
pub const ALWAYS_WHY: &str = "needed by every program even where a run does not show them: \
     returning from a signal handler, restarting an interrupted sleep, exiting";
/// Calls the vDSO serves without a syscall, which become real syscalls on machines whose clock
/// source has no vDSO support.
pub const VDSO: &[&str] = &[
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "getcpu",
    "gettimeofday",
    "time",
];
pub const VDSO_WHY: &str = "usually served by the vDSO without a syscall, but real syscalls \
     where the clock source has no vDSO support";
const DESCRIPTION: &str = "Generated by sysfence profile: allows the syscalls recorded and \
     those every program needs; every other call fails with the default action. Once the \
     profile is complete (several runs, --merge), harden it with \"default_action\": \
     \"kill_process\".";

pub fn profile(a: &ProfileArgs) -> ExitCode {
    // Everything that can be wrong with the options is found before the command runs.
    let setup = match Setup::new(a) {
        Ok(s) => s,
        Err(r) => return r.report(),
    };
    let Some(program) = &setup.program else {
        return crate::profile_audit::from_audit(a, &setup);
    };
    let mut recorder = Recorder::new(a.args);
    let run = match record(program, a.backend, &mut recorder) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("sysfence: profile: {message}; no policy written");
            return ExitCode::from(1);
        }
    };
    let status = run.status;
    if let Some(errno) = run.exec_failed {
        eprintln!(
            "sysfence: profile: the command did not start ({}); no policy written",
            std::io::Error::from_raw_os_error(errno)
        );
        return status.exit_code_or(1);
    }
    if let Some(sig) = run.interrupted {
        eprintln!(
            "sysfence: profile: interrupted by signal {sig} (passed on to the command); no \
             policy written"
        );
        return status.exit_code_or(1);
    }
    let mut profile = recorder.finish(&setup.merged);
    let text = match generate(&mut profile, &setup) {
        Ok(t) => t,
        Err(e) => {
            fail(&e, false);
            return status.exit_code_or(1);
        }
    };
    profile.summary(&run, &setup);
    if let Err(e) = write_output(a.output.as_deref(), &text) {
        eprintln!("sysfence: profile: {e}; no policy written");
        return status.exit_code_or(1);
    }
    status.pass_on()
}

/// The options, checked: the program, the default action, the merged profiles.
pub struct Setup {
    /// The command (none with --from-audit).
    program: Option<Program>,
    /// The policy's default action.
    pub default: Action,
    format: ProfileFormat,
    with_args: bool,
    /// What --merge files allow.
    pub merged: Merged,
    /// Where the policy goes.
    pub output: Option<PathBuf>,
}

impl Setup {
    fn new(a: &ProfileArgs) -> Result<Setup, Refusal> {
        // The default action, checked by core as part of a policy.
        let probe = serde_json::json!({ "default_action": a.default });
        let default = Policy::from_value(&probe)
            .map_err(|e| match e {
                Error::Policy(mut diags) => {
                    for d in &mut diags {
                        d.path = "--default".into();
                    }
                    Error::Policy(diags)
                }
                other => other,
            })?
            .default_action();
        if a.format == ProfileFormat::Oci {
            // core decides what a container profile can express.
            let probe = sysfence::PolicyBuilder::new(default)
                .rule(sysfence::Rule::new(Action::Allow, ["read"], Vec::new()))
                .build()?;
            if let Err(e) = sysfence::oci::export(&probe, sysfence::oci::Target::Oci) {
                return Err(Error::InvalidArgument(format!("--default {default}: {e}")).into());
            }
        }
        let mut merged = Merged::default();
        for file in &a.merge {
            merged.add(file)?;
        }
        if let Some(out) = &a.output {
            check_writable(out)?;
        }
        let program = match a.from_audit {
            Some(_) => None,
            None => Some(Program::new(&a.command)?),
        };
        Ok(Setup {
            program,
            default,
            format: a.format,
            with_args: a.args,
            merged,
            output: a.output.clone(),
        })
    }
}

/// Fails early when the output's directory cannot take the new file (it is written at the end).
fn check_writable(out: &Path) -> Result<(), Error> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let c = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(dir.as_os_str()))
        .map_err(|_| Error::InvalidArgument("a NUL byte in the output path".into()))?;
    // SAFETY: access() with a valid C string.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(Error::Io {
            path: dir.display().to_string(),
            errno: e.raw_os_error(),
            message: format!("cannot write the policy there: {e}"),
        });
    }
    Ok(())
}

/// What earlier profiles (`--merge`) allow.
#[derive(Default)]
pub struct Merged {
    /// Unconditional allows.
    pub names: BTreeSet<String>,
    /// Conditional allows: syscall -> the condition lists of its rules.
    pub conditions: BTreeMap<String, Vec<Vec<sysfence::ArgCondition>>>,
    arches: Vec<Arch>,
    files: Vec<String>,
}

impl Merged {
    fn add(&mut self, file: &str) -> Result<(), Error> {
        let located = |e: Error| match e {
            Error::Policy(mut diags) => {
                for d in &mut diags {
                    d.path = format!("--merge {file}: {}", d.path);
                }
                Error::Policy(diags)
            }
            Error::Io {
                path,
                errno,
                message,
            } => Error::Io {
                path: format!("--merge {path}"),
                errno,
                message,
            },
            other => other,
        };
        let policy =
            Policy::from_json(&read_policy_text(file).map_err(located)?).map_err(located)?;
        if policy.effective_default().lets_through() {
            return Err(Error::InvalidArgument(format!(
                "--merge {file}: not an allowlist (its default action is {}): there is nothing to merge",
                policy.default_action()
            )));
        }
        for rule in policy.effective_rules() {
            if !rule.action.lets_through() {
                continue;
            }
            if rule.args.is_empty() {
                self.names.insert(rule.syscall);
            } else {
                self.conditions
                    .entry(rule.syscall)
                    .or_default()
                    .push(rule.args);
            }
        }
        for arch in policy.target_arches() {
            if !self.arches.contains(&arch) {
                self.arches.push(arch);
            }
        }
        self.files.push(file.to_string());
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Running the command

/// How the command ended.
#[derive(Debug, Clone, Copy)]
enum Status {
    Exited(i32),
    Signaled(i32),
}

impl Status {
    fn from_wait(status: i32) -> Status {
        if libc::WIFSIGNALED(status) {
            Status::Signaled(libc::WTERMSIG(status))
        } else {
            Status::Exited(libc::WEXITSTATUS(status))
        }
    }

    /// The command's status when it failed, else `code`: for when sysfence itself failed.
    fn exit_code_or(self, code: u8) -> ExitCode {
        match self {
            Status::Exited(0) => ExitCode::from(code),
            _ => self.pass_on(),
        }
    }

    /// Leaves as the command did: the same exit status, or the same signal (raised on
    /// sysfence itself, without a second core dump).
    fn pass_on(self) -> ExitCode {
        match self {
            Status::Exited(code) => ExitCode::from(code as u8),
            Status::Signaled(sig) => {
                let no_core = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                // SAFETY: plain calls with valid arguments; raise() ends the process for a
                // signal whose default action is to terminate.
                unsafe {
                    libc::setrlimit(libc::RLIMIT_CORE, &no_core);
                    libc::signal(sig, libc::SIG_DFL);
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    libc::sigaddset(&mut set, sig);
                    libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                    libc::raise(sig);
                }
                ExitCode::from(128 + sig as u8)
            }
        }
    }
}

/// What happened while recording.
struct Run {
    status: Status,
    backend: &'static str,
    /// Why notify was not used, when ptrace was.
    fallback_reason: Option<String>,
    /// The command's own exec failed with this errno.
    exec_failed: Option<i32>,
    /// sysfence was sent this signal (passed on to the command).
    interrupted: Option<i32>,
}

/// Messages from the child before its exec (`Pipe` carries i32s).
const MSG_FALLBACK: i32 = 1;
const MSG_LOAD_FAILED: i32 = 2;
const MSG_EXEC_FAILED: i32 = 3;

/// The last terminating signal sysfence received (0: none).
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: i32) {
    SIGNALLED.store(sig, Ordering::SeqCst);
}

/// sysfence's signal handling while the command runs: the keyboard's SIGINT and SIGQUIT reach
/// the command (same process group) and are ignored here, as `system()` does; SIGTERM and
/// SIGHUP are caught, passed on to the command, and stop the policy from being written.
struct Signals {
    old_int: libc::sigaction,
    old_quit: libc::sigaction,
}

impl Signals {
    fn install() -> Signals {
        // SAFETY: sigaction with valid structures; the handler only stores to an atomic.
        unsafe {
            let mut ignore: libc::sigaction = std::mem::zeroed();
            ignore.sa_sigaction = libc::SIG_IGN;
            let mut old_int: libc::sigaction = std::mem::zeroed();
            let mut old_quit: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, &ignore, &mut old_int);
            libc::sigaction(libc::SIGQUIT, &ignore, &mut old_quit);
            let mut catch: libc::sigaction = std::mem::zeroed();
            catch.sa_sigaction = on_signal as *const () as usize;
            // No SA_RESTART: poll and waitpid return EINTR, and the signal is passed on.
            for sig in [libc::SIGTERM, libc::SIGHUP] {
                libc::sigaction(sig, &catch, std::ptr::null_mut());
            }
            Signals { old_int, old_quit }
        }
    }

    /// In the child: the dispositions the invoker gave (a background job's ignored SIGINT
    /// stays ignored). Async-signal-safe.
    fn restore_in_child(&self) {
        // SAFETY: sigaction with saved structures.
        unsafe {
            libc::sigaction(libc::SIGINT, &self.old_int, std::ptr::null_mut());
            libc::sigaction(libc::SIGQUIT, &self.old_quit, std::ptr::null_mut());
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
        }
        restore_signals_for_command();
    }
}

/// Runs the command to the end, recording its calls.
fn record(program: &Program, backend: Backend, rec: &mut Recorder) -> Result<Run, String> {
    let argv = program.argv_ptrs();
    let notify_ok = kernel_at_least(5, 8);
    let notify_prog = [SockFilter {
        code: 0x06, // BPF_RET | BPF_K
        jt: 0,
        jf: 0,
        k: RET_USER_NOTIF,
    }];
    let trace_prog = [SockFilter {
        code: 0x06,
        jt: 0,
        jf: 0,
        k: RET_TRACE,
    }];
    let (up, down) = match (Pipe::new(), Pipe::new()) {
        (Ok(up), Ok(down)) => (up, down),
        (Err(e), _) | (_, Err(e)) => return Err(format!("pipe: {e}")),
    };
    // Listeners sysfence inherited are not ours to answer.
    let inherited = notify::listeners();
    let signals = Signals::install();
    // SAFETY: getpid has no arguments.
    let parent = unsafe { libc::getpid() };
    let child = helper::fork_child(true).map_err(|e| format!("cannot start the command: {e}"))?;
    if child == 0 {
        // The child: nothing here allocates. The fd table is shared with sysfence until the
        // exec: close nothing.
        // SAFETY: prctl and getppid with integer arguments.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            if libc::getppid() != parent {
                libc::_exit(1);
            }
        }
        signals.restore_in_child();
        let traced = match backend {
            Backend::Ptrace => Err(0),
            Backend::Auto if !notify_ok => Err(-1),
            _ => load_program(&notify_prog, FLAG_NEW_LISTENER).map_err(|f| f.errno),
        };
        if let Err(errno) = traced {
            if backend == Backend::Notify {
                up.send(MSG_LOAD_FAILED);
                up.send(errno);
                // SAFETY: leave the child.
                unsafe { libc::_exit(1) };
            }
            // Ask to be traced, wait until we are, then load the trace filter.
            up.send(MSG_FALLBACK);
            up.send(errno);
            if down.receive() != Some(1) || load_program(&trace_prog, 0).is_err() {
                // SAFETY: leave the child.
                unsafe { libc::_exit(1) };
            }
        }
        let code = program.exec(&argv);
        // SAFETY: errno of this thread.
        let errno = unsafe { *libc::__errno_location() };
        up.send(MSG_EXEC_FAILED);
        up.send(errno);
        let msg = b"sysfence: cannot run the command\n";
        // SAFETY: writing a static message to stderr, then leaving.
        unsafe {
            libc::write(2, msg.as_ptr().cast(), msg.len());
            libc::_exit(code);
        }
    }
    // SAFETY: pidfd_open of our own child (it cannot be reaped before we wait for it).
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, child, 0) } as i32;
    if pidfd < 0 {
        let e = std::io::Error::last_os_error();
        // SAFETY: our own child.
        unsafe { libc::kill(child, libc::SIGKILL) };
        wait_child(child);
        return Err(format!("pidfd_open: {e}"));
    }
    rec.bootstrap = Some(child as u32);
    let mut session = Session {
        child,
        pidfd,
        up: &up,
        status: None,
        exec_failed: None,
        interrupted: None,
    };
    let result = session.serve(&inherited, &down, rec);
    // SAFETY: closing our pidfd.
    unsafe { libc::close(pidfd) };
    let (backend_name, fallback_reason) = result?;
    Ok(Run {
        status: session.status.unwrap_or(Status::Exited(1)),
        backend: backend_name,
        fallback_reason,
        exec_failed: session.exec_failed,
        interrupted: session.interrupted,
    })
}

/// True when the running kernel's release is at least `major.minor`.
fn kernel_at_least(major: u32, minor: u32) -> bool {
    let Ok(release) = std::fs::read_to_string("/proc/sys/kernel/osrelease") else {
        return true;
    };
    let mut parts = release
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

fn wait_child(pid: i32) -> Option<Status> {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            return Some(Status::from_wait(status));
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return None;
        }
    }
}

/// sysfence's side while the command runs.
struct Session<'a> {
    child: i32,
    pidfd: i32,
    up: &'a Pipe,
    status: Option<Status>,
    exec_failed: Option<i32>,
    interrupted: Option<i32>,
}

type Served = (&'static str, Option<String>);

impl Session<'_> {
    /// Passes a signal sysfence received on to the command (while it is not yet reaped).
    fn pass_on_signal(&mut self) {
        let sig = SIGNALLED.swap(0, Ordering::SeqCst);
        if sig == 0 {
            return;
        }
        self.interrupted = Some(sig);
        if self.status.is_none() {
            // SAFETY: signalling our child through its pidfd (never a reused pid).
            unsafe { libc::syscall(libc::SYS_pidfd_send_signal, self.pidfd, sig, 0, 0) };
        }
    }

    /// Reads one message of the child's (two i32s), if one is there.
    fn message(&self) -> Option<(i32, i32)> {
        let mut pfd = libc::pollfd {
            fd: self.up.read,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no wait.
        if unsafe { libc::poll(&mut pfd, 1, 0) } <= 0 {
            return None;
        }
        Some((self.up.receive()?, self.up.receive()?))
    }

    /// True when the child has no message waiting.
    fn up_is_empty(&self) -> bool {
        let mut pfd = libc::pollfd {
            fd: self.up.read,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no wait.
        unsafe { libc::poll(&mut pfd, 1, 0) <= 0 }
    }

    /// Reaps the command when its pidfd says it ended.
    fn reap(&mut self) {
        let mut status = 0;
        // SAFETY: our own child; WNOHANG.
        if unsafe { libc::waitpid(self.child, &mut status, libc::WNOHANG) } == self.child {
            self.status = Some(Status::from_wait(status));
        }
    }

    fn serve(
        &mut self,
        inherited: &[i32],
        down: &Pipe,
        rec: &mut Recorder,
    ) -> Result<Served, String> {
        // Until the listener shows up in the shared table, or the child asks to be traced, or
        // it ends.
        let listener = loop {
            self.pass_on_signal();
            if let Some(fd) = notify::listeners()
                .into_iter()
                .find(|fd| !inherited.contains(fd))
            {
                break fd;
            }
            match self.message() {
                Some((MSG_FALLBACK, errno)) => return self.trace(errno, down, rec),
                Some((MSG_LOAD_FAILED, errno)) => {
                    wait_child(self.child);
                    return Err(format!(
                        "cannot load the recording filter (seccomp with a notification \
                         listener: {}); --backend ptrace may work",
                        std::io::Error::from_raw_os_error(errno)
                    ));
                }
                _ => {}
            }
            let mut pfd = libc::pollfd {
                fd: self.pidfd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd; readable once the child has ended.
            if unsafe { libc::poll(&mut pfd, 1, 1) } > 0 && self.up_is_empty() {
                self.status = wait_child(self.child);
                return Err("the command ended before it could be recorded".into());
            }
        };
        // SECCOMP_IOCTL_NOTIF_SET_FLAGS(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) (Linux 6.6): the
        // answered thread runs on this CPU at once, halving the switches. Older kernels refuse
        // it, which changes nothing. libc has no name for the flag: 1, from linux/seccomp.h.
        const FD_SYNC_WAKE_UP: u64 = 1;
        // SAFETY: the ioctl takes the flags by value.
        unsafe {
            libc::ioctl(
                listener,
                libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS,
                FD_SYNC_WAKE_UP,
            )
        };
        loop {
            self.pass_on_signal();
            let mut pfds = [
                libc::pollfd {
                    fd: listener,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: if self.status.is_none() {
                        self.pidfd
                    } else {
                        -1
                    },
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: two valid pollfds (a negative fd is skipped).
            let n = unsafe { libc::poll(pfds.as_mut_ptr(), 2, -1) };
            if n < 0 {
                if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                return Err(format!("poll: {}", std::io::Error::last_os_error()));
            }
            if pfds[1].revents != 0 {
                self.reap();
            }
            if pfds[0].revents & libc::POLLIN != 0 {
                if let Ok(n) = notify::recv(listener) {
                    rec.record(n.pid, n.data.arch, n.data.nr, &n.data.args);
                    // A target that died meanwhile is not an error; any other failure leaves
                    // the caller waiting, so it is worth saying.
                    if let Err(e) = notify::send(listener, n.id, notify::Answer::Continue) {
                        eprintln!("sysfence: profile: cannot answer the kernel: {e}");
                    }
                }
            } else if pfds[0].revents != 0 {
                // POLLHUP: no process uses the filter any more.
                break;
            }
        }
        // SAFETY: closing the listener, which is ours.
        unsafe { libc::close(listener) };
        if self.status.is_none() {
            self.status = wait_child(self.child);
        }
        if let Some((MSG_EXEC_FAILED, errno)) = self.message() {
            self.exec_failed = Some(errno);
        }
        Ok(("notify", None))
    }

    /// The ptrace backend: seize the child, let it load its trace filter, and follow every
    /// process it starts until none is left.
    fn trace(&mut self, errno: i32, down: &Pipe, rec: &mut Recorder) -> Result<Served, String> {
        let reason = if errno == 0 {
            "--backend ptrace".to_string()
        } else if errno < 0 {
            "the kernel is older than 5.8 (notification answers need 5.5, the end of the \
             command's process tree is signalled from 5.8)"
                .to_string()
        } else {
            format!(
                "a notification listener could not be had ({}{})",
                std::io::Error::from_raw_os_error(errno),
                if errno == libc::EBUSY {
                    ": the command already runs under one"
                } else {
                    ""
                }
            )
        };
        let options = libc::PTRACE_O_TRACESECCOMP
            | libc::PTRACE_O_TRACECLONE
            | libc::PTRACE_O_TRACEFORK
            | libc::PTRACE_O_TRACEVFORK
            | libc::PTRACE_O_TRACEEXEC
            | libc::PTRACE_O_EXITKILL;
        // SAFETY: seizing our own child, which waits for the go.
        if unsafe { libc::ptrace(libc::PTRACE_SEIZE, self.child, 0, options) } != 0 {
            let e = std::io::Error::last_os_error();
            // SAFETY: our own child.
            unsafe { libc::kill(self.child, libc::SIGKILL) };
            wait_child(self.child);
            return Err(format!(
                "{reason}, and ptrace is refused too (PTRACE_SEIZE: {e}; a Yama ptrace_scope of 2 or more forbids it)"
            ));
        }
        down.send(1);
        let mut started: BTreeSet<i32> = BTreeSet::new();
        started.insert(self.child);
        loop {
            self.pass_on_signal();
            let mut status = 0;
            // SAFETY: waiting for any child or tracee.
            let pid = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
            if pid < 0 {
                match std::io::Error::last_os_error().raw_os_error() {
                    Some(libc::EINTR) => continue,
                    Some(libc::ECHILD) => break,
                    _ => return Err(format!("waitpid: {}", std::io::Error::last_os_error())),
                }
            }
            if !libc::WIFSTOPPED(status) {
                if pid == self.child {
                    self.status = Some(Status::from_wait(status));
                }
                continue;
            }
            let sig = libc::WSTOPSIG(status);
            let event = (status >> 16) & 0xffff;
            let resume = |request, data: i32| {
                // SAFETY: resuming a stopped tracee (it may have been killed meanwhile).
                unsafe { libc::ptrace(request, pid, 0, data) };
            };
            match event {
                libc::PTRACE_EVENT_SECCOMP => {
                    if let Some(info) = syscall_info(pid) {
                        rec.record(pid as u32, info.arch, info.nr as i32, &info.args);
                    }
                    resume(libc::PTRACE_CONT, 0);
                }
                libc::PTRACE_EVENT_STOP => {
                    if started.insert(pid) {
                        // A new child's first stop.
                        resume(libc::PTRACE_CONT, 0);
                    } else if matches!(
                        sig,
                        libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
                    ) {
                        // A group stop: stay stopped until SIGCONT, as without a tracer.
                        resume(libc::PTRACE_LISTEN, 0);
                    } else {
                        resume(libc::PTRACE_CONT, 0);
                    }
                }
                0 => resume(libc::PTRACE_CONT, sig),
                // fork, vfork, clone, exec, vfork done: the new process's own first stop
                // comes as PTRACE_EVENT_STOP.
                _ => resume(libc::PTRACE_CONT, 0),
            }
        }
        if let Some((MSG_EXEC_FAILED, errno)) = self.message() {
            self.exec_failed = Some(errno);
        }
        Ok(("ptrace", Some(reason)))
    }
}

/// The kernel's `struct ptrace_syscall_info` for a seccomp stop.
#[repr(C)]
#[derive(Default)]
struct SyscallInfo {
    op: u8,
    pad: [u8; 3],
    arch: u32,
    instruction_pointer: u64,
    stack_pointer: u64,
    nr: u64,
    args: [u64; 6],
    ret_data: u32,
    pad2: u32,
}

/// `PTRACE_GET_SYSCALL_INFO` at a seccomp stop.
fn syscall_info(pid: i32) -> Option<SyscallInfo> {
    const PTRACE_GET_SYSCALL_INFO: libc::c_uint = 0x420e;
    const OP_SECCOMP: u8 = 3;
    let mut info = SyscallInfo::default();
    // SAFETY: the kernel writes at most the size given into `info`.
    let n = unsafe {
        libc::ptrace(
            PTRACE_GET_SYSCALL_INFO,
            pid,
            std::mem::size_of::<SyscallInfo>(),
            &mut info as *mut SyscallInfo,
        )
    };
    (n > 0 && info.op == OP_SECCOMP).then_some(info)
}

// ---------------------------------------------------------------------------------------------
// Recording

/// What was seen of one (ABI, number).
#[derive(Default)]
struct Seen {
    count: u64,
    programs: BTreeSet<String>,
}

/// Collects the calls as they come.
struct Recorder {
    calls: HashMap<(u32, i32), Seen>,
    /// The executable of each thread, read at its first call (and again after an exec).
    exe: HashMap<u32, String>,
    /// The command's process, whose first exec (sysfence's own, starting it) is not recorded.
    bootstrap: Option<u32>,
    /// Numbers of execve/execveat/exit/exit_group per ABI (audit arch, nr): the thread's
    /// program changes or it ends.
    changes_program: Vec<(u32, i32)>,
    /// Numbers of execve/execveat per ABI.
    exec_numbers: Vec<(u32, i32)>,
    /// The command's own exec was not seen: another supervisor answers execs.
    exec_unseen: bool,
    args: Option<crate::profile_args::ArgsSeen>,
}

impl Recorder {
    fn new(with_args: bool) -> Recorder {
        let numbers = |names: &[&str]| {
            let mut out = Vec::new();
            for arch in [Arch::X86_64, Arch::X86, Arch::X32, Arch::native()] {
                for name in names {
                    if let syscalls::Resolution::Number(nr) = syscalls::resolve(name, arch) {
                        out.push((arch.audit_arch(), nr as i32));
                    }
                }
            }
            out
        };
        let changes_program = numbers(&["execve", "execveat", "exit", "exit_group"]);
        let exec_numbers = numbers(&["execve", "execveat"]);
        Recorder {
            calls: HashMap::new(),
            exe: HashMap::new(),
            bootstrap: None,
            changes_program,
            exec_numbers,
            exec_unseen: false,
            args: with_args.then(Default::default),
        }
    }

    fn record(&mut self, tid: u32, arch: u32, nr: i32, args: &[u64; 6]) {
        let key = (arch, nr);
        let changes = self.changes_program.contains(&key);
        if self.bootstrap == Some(tid) {
            // The command's first call is sysfence's own exec of it, made for it as `run`
            // makes it: not recorded. Where another supervisor answers execs (its
            // notifications outrank ptrace), the first call seen is another one.
            self.bootstrap = None;
            if self.exec_numbers.contains(&key) {
                return;
            }
            self.exec_unseen = true;
        }
        let program = self
            .exe
            .entry(tid)
            .or_insert_with(|| {
                std::fs::read_link(format!("/proc/{tid}/exe"))
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| "?".into())
            })
            .clone();
        if self.exec_numbers.contains(&key) {
            // An exec from any thread changes its whole process (its pid may become another
            // thread's): read every executable again.
            self.exe.clear();
        } else if changes {
            self.exe.remove(&tid);
        }
        let seen = self.calls.entry(key).or_default();
        seen.count += 1;
        if !seen.programs.contains(&program) {
            seen.programs.insert(program);
        }
        if let Some(a) = &mut self.args {
            a.record(arch, nr, args);
        }
    }

    /// Names the calls: the profile.
    fn finish(self, merged: &Merged) -> Profile {
        let mut calls: BTreeMap<(usize, String), Call> = BTreeMap::new();
        let mut unknown: Vec<String> = Vec::new();
        for ((audit_arch, nr), seen) in self.calls {
            let Some(arch) = Arch::from_audit_arch(audit_arch, Some(nr as u32)) else {
                unknown.push(format!("arch {audit_arch:#x} nr {nr}"));
                continue;
            };
            let Some(name) = syscalls::name_of(nr as u32, arch) else {
                unknown.push(format!(
                    "{arch} nr {}",
                    nr as u32 & !sysfence::arch::X32_SYSCALL_BIT
                ));
                continue;
            };
            calls.insert(
                (arch_rank(arch), name.clone()),
                Call {
                    arch,
                    name,
                    count: seen.count,
                    programs: seen.programs,
                },
            );
        }
        unknown.sort();
        // The native ABI always: `run` starts the command with a native execve, made under
        // the policy's filter by every exec guard but ptrace.
        let mut arches: Vec<Arch> = vec![Arch::native()];
        arches.extend(calls.values().map(|c| c.arch));
        arches.extend(merged.arches.iter().copied());
        arches.sort_by_key(|a| arch_rank(*a));
        arches.dedup();
        let args = self.args.map(|a| a.finish());
        Profile {
            calls,
            unknown,
            arches,
            args,
            exec_unseen: self.exec_unseen,
        }
    }
}

/// Native first, then sysfence's table order.
pub fn arch_rank(arch: Arch) -> usize {
    if arch == Arch::native() {
        0
    } else {
        1 + Arch::all()
            .position(|a| a == arch)
            .unwrap_or(usize::MAX - 1)
    }
}

/// One recorded (ABI, syscall).
pub struct Call {
    /// The ABI it came through.
    pub arch: Arch,
    /// Its name on that ABI.
    pub name: String,
    /// How many times.
    pub count: u64,
    /// The executables that made it.
    pub programs: BTreeSet<String>,
}

/// The calls recorded, named.
pub struct Profile {
    /// By (ABI rank, name).
    pub calls: BTreeMap<(usize, String), Call>,
    /// Calls that could not be named.
    pub unknown: Vec<String>,
    /// The ABIs the policy lists, native first.
    pub arches: Vec<Arch>,
    args: Option<crate::profile_args::ArgRules>,
    exec_unseen: bool,
}

impl Profile {
    /// A profile of calls known by name (from audit records), with the native ABI, those of
    /// the calls and those of the merged profiles.
    pub fn of_calls(calls: Vec<Call>, unknown: Vec<String>, merged: &Merged) -> Profile {
        let mut arches: Vec<Arch> = vec![Arch::native()];
        arches.extend(calls.iter().map(|c| c.arch));
        arches.extend(merged.arches.iter().copied());
        arches.sort_by_key(|a| arch_rank(*a));
        arches.dedup();
        Profile {
            calls: calls
                .into_iter()
                .map(|c| ((arch_rank(c.arch), c.name.clone()), c))
                .collect(),
            unknown,
            arches,
            args: None,
            exec_unseen: false,
        }
    }
}

impl Profile {
    /// The names to allow unconditionally: recorded or merged, less the always-added ones.
    fn recorded_names(&self, merged: &Merged) -> BTreeSet<String> {
        self.calls
            .values()
            .map(|c| c.name.clone())
            .chain(merged.names.iter().cloned())
            .filter(|n| !ALWAYS.contains(&n.as_str()) && !VDSO.contains(&n.as_str()))
            .collect()
    }

    fn exists(&self, name: &str) -> bool {
        self.arches
            .iter()
            .any(|a| syscalls::resolve(name, *a).exists())
    }

    /// The summary on stderr.
    fn summary(&self, run: &Run, setup: &Setup) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{:<24} {:<7} {:>8}  PROGRAMS",
            "SYSCALL", "ABI", "COUNT"
        );
        for c in self.calls.values() {
            let mut programs: Vec<&str> = c.programs.iter().map(String::as_str).collect();
            let more = programs.len().saturating_sub(3);
            programs.truncate(3);
            let mut shown = programs.join(" ");
            if more > 0 {
                shown.push_str(&format!(" (+{more})"));
            }
            let _ = writeln!(err, "{:<24} {:<7} {:>8}  {shown}", c.name, c.arch, c.count);
        }
        let per_arch: Vec<String> = self
            .arches
            .iter()
            .map(|a| {
                let n = self.calls.values().filter(|c| c.arch == *a).count();
                format!("{a} {n}")
            })
            .collect();
        let total: u64 = self.calls.values().map(|c| c.count).sum();
        let _ = writeln!(
            err,
            "sysfence profile: {} syscalls recorded ({}), {total} calls, backend {}",
            self.calls.len(),
            per_arch.join(", "),
            run.backend
        );
        if let Some(reason) = &run.fallback_reason {
            let _ = writeln!(err, "  backend ptrace because {reason}");
        }
        let _ = writeln!(
            err,
            "  not recorded: the command's own first exec (sysfence makes it, as `run` does)"
        );
        let added = |list: &[&str]| -> Vec<String> {
            list.iter()
                .filter(|n| self.exists(n))
                .map(|n| n.to_string())
                .collect()
        };
        let _ = writeln!(
            err,
            "  always allowed, seen or not: {} ({ALWAYS_WHY})",
            added(ALWAYS).join(" ")
        );
        let _ = writeln!(
            err,
            "  always allowed, seen or not: {} ({VDSO_WHY})",
            added(VDSO).join(" ")
        );
        for file in &setup.merged.files {
            let _ = writeln!(err, "  merged: what {file} allows");
        }
        if self.arches.len() > 1 {
            let _ = writeln!(
                err,
                "  note: rules apply to every listed ABI ({}): a call seen on one is allowed on all",
                self.arches
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if self.exec_unseen {
            let _ = writeln!(
                err,
                "  warning: another supervisor answers this command's execs (sysfence run \
                 --exec-guard notify?): its notifications outrank ptrace, so execve and execveat \
                 were not seen; add them if the command runs other programs"
            );
        }
        for u in &self.unknown {
            let _ = writeln!(
                err,
                "  warning: {u} has no name in libseccomp's tables: it cannot be allowed, the default action applies to it"
            );
        }
        if let Some(args) = &self.args {
            for line in args.summary() {
                let _ = writeln!(err, "  {line}");
            }
        }
        if let Status::Signaled(sig) = run.status {
            let _ = writeln!(
                err,
                "  warning: the command was killed by signal {sig}: the profile may be incomplete"
            );
        }
        let _ = writeln!(err, "  default action: {}", setup.default);
    }
}

// ---------------------------------------------------------------------------------------------
// Output

/// One rule of the generated policy (an `allow`).
pub struct OutRule {
    /// Why it is there.
    pub comment: String,
    /// Its syscalls, sorted.
    pub syscalls: Vec<String>,
    /// Its conditions.
    pub args: Vec<sysfence::ArgCondition>,
}

/// The rules of the generated policy, in order.
fn rules_of(profile: &mut Profile, setup: &Setup) -> Vec<OutRule> {
    let mut names = profile.recorded_names(&setup.merged);
    let mut out = Vec::new();
    let mut conditional: Vec<OutRule> = Vec::new();
    if setup.with_args {
        if let Some(args) = &mut profile.args {
            conditional = args.rules(&mut names, &setup.merged, &profile.arches);
        }
    } else {
        // Without --args, a merged conditional allow becomes unconditional.
        names.extend(setup.merged.conditions.keys().cloned());
    }
    if !names.is_empty() {
        out.push(OutRule {
            comment: "recorded".into(),
            syscalls: names.into_iter().collect(),
            args: Vec::new(),
        });
    }
    out.extend(conditional);
    for (list, why) in [(ALWAYS, ALWAYS_WHY), (VDSO, VDSO_WHY)] {
        let present: Vec<String> = list
            .iter()
            .filter(|n| profile.exists(n))
            .map(|n| n.to_string())
            .collect();
        if !present.is_empty() {
            out.push(OutRule {
                comment: why.into(),
                syscalls: present,
                args: Vec::new(),
            });
        }
    }
    out
}

/// The policy text, checked by core before anything is written.
pub fn generate(profile: &mut Profile, setup: &Setup) -> Result<String, Error> {
    let rules = rules_of(profile, setup);
    let text = sysfence_text(profile, setup, &rules);
    // core validates (and compiles) what is written: no file that `run` would refuse.
    let policy = Policy::from_json(&text)?;
    policy.compile()?;
    Ok(match setup.format {
        ProfileFormat::Sysfence => text,
        ProfileFormat::Oci => {
            let mut text = serde_json::to_string_pretty(
                &sysfence::oci::export(&policy, sysfence::oci::Target::Oci)?.value,
            )
            .expect("a JSON value always serialises");
            text.push('\n');
            text
        }
    })
}

/// A JSON string.
fn js(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// `items` as a JSON list, wrapped at about 100 columns with `indent`.
fn wrapped_list(items: &[String], indent: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        let piece = js(item);
        if !line.is_empty() && indent.len() + line.len() + piece.len() + 2 > 100 {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
        line.push(',');
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if let Some(last) = lines.last_mut() {
        last.pop();
    }
    if lines.is_empty() {
        return "[]".into();
    }
    format!(
        "[\n{}\n{}]",
        lines
            .iter()
            .map(|l| format!("{indent}  {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        indent
    )
}

fn condition_json(c: &sysfence::ArgCondition) -> String {
    if let sysfence::CmpOp::MaskedEq(mask) = c.op {
        format!(
            r#"{{ "index": {}, "op": "masked_eq", "mask": {mask}, "value": {} }}"#,
            c.index, c.value
        )
    } else {
        format!(
            r#"{{ "index": {}, "op": {}, "value": {} }}"#,
            c.index,
            js(c.op.name()),
            c.value
        )
    }
}

/// The sysfence policy, laid out for reading and byte-identical for the same calls.
fn sysfence_text(profile: &Profile, setup: &Setup, rules: &[OutRule]) -> String {
    let arches: Vec<String> = profile
        .arches
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    let rules: Vec<String> = rules
        .iter()
        .map(|r| {
            let mut s = format!(
                "    {{\n      \"comment\": {},\n      \"action\": \"allow\",\n      \"syscalls\": {}",
                js(&r.comment),
                wrapped_list(&r.syscalls, "      ")
            );
            if !r.args.is_empty() {
                let conds: Vec<String> = r.args.iter().map(condition_json).collect();
                s.push_str(&format!(",\n      \"args\": [{}]", conds.join(", ")));
            }
            s.push_str("\n    }");
            s
        })
        .collect();
    let arches = arches.iter().map(|a| js(a)).collect::<Vec<_>>().join(", ");
    format!(
        "{{\n  \"description\": {},\n  \"default_action\": {},\n  \"architectures\": [{arches}],\n  \"rules\": [\n{}\n  ]\n}}\n",
        js(DESCRIPTION),
        js(&setup.default.to_string()),
        rules.join(",\n")
    )
}

/// Writes the policy whole or not at all: a temporary file beside FILE, renamed over it.
pub fn write_output(path: Option<&Path>, text: &str) -> Result<(), String> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| format!("cannot write the policy to standard output: {e}"));
    };
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.sysfence-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}
