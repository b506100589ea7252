// SPDX-License-Identifier: MIT OR Apache-2.0
//! The filters `run`'s own helpers load on themselves before the command runs, so that no
//! process the command could reach runs without a filter: a helper taken over by the command
//! could still not exec, open files for writing, or type into a terminal.

use sysfence::syscalls::{self, Resolution};
use sysfence::{Arch, Error, Filter, Policy};

/// `PTRACE_DETACH`.
const PTRACE_DETACH: u64 = 17;

/// What any helper needs to keep running: reading and polling its own fds, memory (mmap is
/// added with PROT_EXEC refused), signal return, futexes, clocks and exit.
const BASE: &[&str] = &[
    "poll",
    "ppoll",
    "read",
    "close",
    "exit",
    "exit_group",
    "munmap",
    "brk",
    "mremap",
    "madvise",
    "futex",
    "rt_sigreturn",
    "rt_sigprocmask",
    "restart_syscall",
    "sigaltstack",
    "clock_gettime",
    "getpid",
    "gettid",
    "sched_yield",
];

/// For the ptrace guard's helper, loaded just before its final `PTRACE_DETACH`: that detach and
/// exiting are all it can do; anything else kills it.
pub fn tracer_filter() -> Result<Filter, Error> {
    compile(&format!(
        r#"{{"default_action":"kill_process","rules":[
            {{"action":"allow","syscalls":["exit","exit_group"]}},
            {{"action":"allow","syscalls":["ptrace"],
              "args":[{{"index":0,"op":"eq","value":{PTRACE_DETACH}}}]}}]}}"#
    ))
}

/// For the ptrace guard's helper when it stays as the reporter (`report.rs`), loaded just
/// before its `PTRACE_DETACH`: the detach, reading (the kernel log and the pidfd it opened
/// before), polling, writing to stderr, memory and exit. No open, no exec, no file writes, no
/// ioctl.
pub fn reporter_filter() -> Result<Filter, Error> {
    compile(&format!(
        r#"{{"default_action":"kill_process","rules":[
            {{"action":"allow","syscalls":[{}]}},
            {{"action":"allow","syscalls":["ptrace"],
              "args":[{{"index":0,"op":"eq","value":{PTRACE_DETACH}}}]}},
            {{"action":"allow","syscalls":["write"],"args":[{{"index":0,"op":"eq","value":2}}]}},
            {{"action":"allow","syscalls":["writev"],"args":[{{"index":0,"op":"eq","value":2}}]}},
            {{"action":"allow","syscalls":["mmap"],
              "args":[{{"index":2,"op":"masked_eq","mask":"PROT_EXEC","value":0}}]}}]}}"#,
        native_names(BASE).join(",")
    ))
}

/// The names of `list` that are syscalls on this architecture, quoted for JSON.
fn native_names(list: &[&str]) -> Vec<String> {
    let native = Arch::native();
    list.iter()
        .filter(|name| matches!(syscalls::resolve(name, native), Resolution::Number(_)))
        .map(|name| format!("{name:?}"))
        .collect()
}

/// For the notify guard's supervisor, loaded before it lets the command start: answering
/// notifications (three ioctls), reading /proc read-only, signalling the thread a `kill`
/// verdict names, writing to stderr, memory and exit. No exec, no file writes, no other ioctl.
pub fn supervisor_filter(ioctls: &[libc::c_ulong]) -> Result<Filter, Error> {
    // Beside the base: reading /proc/TID/status (stat family, lseek), sleeping, tgkill.
    const MORE: &[&str] = &[
        "fstat",
        "newfstatat",
        "statx",
        "lseek",
        "tgkill",
        "clock_nanosleep",
        "nanosleep",
    ];
    let plain = native_names(&[BASE, MORE].concat());
    let ioctl_rules: Vec<String> = ioctls
        .iter()
        .map(|cmd| {
            format!(
                r#"{{"action":"allow","syscalls":["ioctl"],"args":[{{"index":1,"op":"eq","value":{cmd}}}]}}"#
            )
        })
        .collect();
    // openat without O_WRONLY|O_RDWR|O_CREAT|O_TRUNC; mmap without PROT_EXEC.
    compile(&format!(
        r#"{{"default_action":"kill_process","rules":[
            {{"action":"allow","syscalls":[{}]}},
            {{"action":"allow","syscalls":["openat"],
              "args":[{{"index":2,"op":"masked_eq","mask":{},"value":0}}]}},
            {{"action":"allow","syscalls":["write"],"args":[{{"index":0,"op":"eq","value":2}}]}},
            {{"action":"allow","syscalls":["mmap"],
              "args":[{{"index":2,"op":"masked_eq","mask":{},"value":0}}]}},
            {}]}}"#,
        plain.join(","),
        libc::O_WRONLY | libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC,
        libc::PROT_EXEC,
        ioctl_rules.join(",")
    ))
}

fn compile(json: &str) -> Result<Filter, Error> {
    Policy::from_json(json)?.compile()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `filter` in a forked child, runs `call` there and returns how the child ended:
    /// `Ok(exit status)` or `Err(signal)`.
    fn in_child(filter: &Filter, call: impl FnOnce() -> i32) -> Result<i32, i32> {
        // SAFETY: the child loads the filter, makes the call and leaves with _exit.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let code = match filter.load_with_flags(0) {
                Ok(_) => call(),
                Err(_) => 100,
            };
            // SAFETY: leave the child.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waiting for our child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        if libc::WIFSIGNALED(status) {
            Err(libc::WTERMSIG(status))
        } else {
            Ok(libc::WEXITSTATUS(status))
        }
    }

    fn execve() -> i32 {
        let argv = [c"/bin/true".as_ptr(), std::ptr::null()];
        // SAFETY: a valid path and argv.
        unsafe { libc::execve(argv[0], argv.as_ptr(), std::ptr::null()) };
        7
    }

    fn open_for_writing() -> i32 {
        // SAFETY: a valid path.
        let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY) };
        if fd >= 0 {
            7
        } else {
            8
        }
    }

    #[test]
    fn a_hijacked_tracer_can_only_detach_and_exit() {
        let f = tracer_filter().unwrap();
        assert_eq!(in_child(&f, execve), Err(libc::SIGSYS));
        assert_eq!(in_child(&f, open_for_writing), Err(libc::SIGSYS));
        // SAFETY: ptrace(PTRACE_DETACH) of a non-tracee fails with ESRCH: allowed, not killed.
        let detach = || unsafe { libc::ptrace(libc::PTRACE_DETACH, 1, 0, 0) as i32 + 2 };
        assert_eq!(in_child(&f, detach), Ok(1));
        // SAFETY: PTRACE_ATTACH is refused by the filter: killed.
        let attach = || unsafe { libc::ptrace(libc::PTRACE_ATTACH, 1, 0, 0) as i32 };
        assert_eq!(in_child(&f, attach), Err(libc::SIGSYS));
    }

    #[test]
    fn a_hijacked_reporter_cannot_open_exec_write_files_or_type() {
        let f = reporter_filter().unwrap();
        assert_eq!(in_child(&f, execve), Err(libc::SIGSYS));
        assert_eq!(in_child(&f, open_for_writing), Err(libc::SIGSYS));
        // Not even read-only opens: it holds what it reads.
        let open_read = || std::fs::File::open("/proc/self/status").map_or(9, |_| 0);
        assert_eq!(in_child(&f, open_read), Err(libc::SIGSYS));
        // SAFETY: TIOCSTI on stdin: refused by the filter whatever stdin is.
        let tiocsti = || unsafe { libc::ioctl(0, libc::TIOCSTI, c"x".as_ptr()) };
        assert_eq!(in_child(&f, tiocsti), Err(libc::SIGSYS));
        // SAFETY: a write to stdout (not stderr) kills it.
        let stdout = || unsafe { libc::write(1, c"x".as_ptr().cast(), 0) as i32 };
        assert_eq!(in_child(&f, stdout), Err(libc::SIGSYS));
        // What it does works: formatting and writing to stderr, polling, reading.
        let report = || {
            eprint!("{}", String::new());
            // SAFETY: poll on nothing with no timeout.
            unsafe { libc::poll(std::ptr::null_mut(), 0, 0) }
        };
        assert_eq!(in_child(&f, report), Ok(0));
    }

    #[test]
    fn a_hijacked_supervisor_cannot_exec_write_files_or_type() {
        let f = supervisor_filter(&crate::run::user_notif::IOCTLS).unwrap();
        assert_eq!(in_child(&f, execve), Err(libc::SIGSYS));
        assert_eq!(in_child(&f, open_for_writing), Err(libc::SIGSYS));
        // SAFETY: TIOCSTI on stdin: refused by the filter whatever stdin is.
        let tiocsti = || unsafe { libc::ioctl(0, libc::TIOCSTI, c"x".as_ptr()) };
        assert_eq!(in_child(&f, tiocsti), Err(libc::SIGSYS));
        // What it needs still works: reading /proc as it does (a kill verdict's Tgid, SigBlk).
        let read_status = || match sysfence::ProcStatus::read_file("/proc/self/status") {
            Ok(s)
                if s.seccomp()
                    .is_some_and(|s| s.mode == sysfence::SeccompMode::Filter) =>
            {
                0
            }
            _ => 9,
        };
        assert_eq!(in_child(&f, read_status), Ok(0));
    }
}
