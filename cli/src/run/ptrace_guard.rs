// SPDX-License-Identifier: MIT OR Apache-2.0
//! `run --exec-guard ptrace` (x86_64): load the policy into the command between its exec and
//! its first instruction, then let go.
//!
//! sysfence itself becomes the command: its pid, signals, job control and exit status are the
//! command's own, and no sysfence process waits beside it that the command could take over.
//!
//! 1. sysfence starts a helper (a grandchild, non-dumpable), names it its ptracer for Yama
//!    (`PR_SET_PTRACER`), and the helper attaches to sysfence with `PTRACE_SEIZE` (options
//!    `TRACEEXEC | EXITKILL` in force from that moment). sysfence clears `PR_SET_PTRACER`, sets
//!    `PR_SET_NO_NEW_PRIVS` and execs the command. No filter is loaded yet, so the exec runs.
//! 2. The kernel stops it at `PTRACE_EVENT_EXEC`, then at the exit of that execve: the new
//!    program is mapped but has not run. The helper writes each filter's BPF (the terminal
//!    guard's, then the policy's) and a `struct sock_fprog` below the new stack pointer, puts a
//!    `syscall` instruction at the entry point, sets the registers for
//!    `seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog)` and single-steps it.
//! 3. It checks the result and `/proc/PID/status` (`Seccomp: 2`), restores the instruction and
//!    the registers, zeroes the stack area it wrote, loads a filter on itself that leaves it
//!    nothing but the detach and exit, detaches and exits. `PTRACE_O_EXITKILL` kills the
//!    command if the helper dies before that; on any failure the helper kills it: it never
//!    runs unconfined.
//!
//! What the command then runs under is exactly the policy's filter (and the terminal guard),
//! with no tracer or supervisor left that it could attack, and the kernel logs each refusal
//! with the policy's own action.

use super::command::{command_could_ptrace, restore_signals_for_command, Program};
use super::helper_filters;
use super::report::Reporter;
use crate::helper::{self, Pipe, Side};
use crate::output::fail;
use std::mem::{offset_of, size_of};
use std::process::ExitCode;
use sysfence::{Error, Filter};

/// The `syscall` instruction.
const SYSCALL_INSN: [u8; 2] = [0x0f, 0x05];
/// The user code segment of 64-bit processes; 32-bit (i386) ones run with 0x23.
const USER_CS_64: u64 = 0x33;

/// Why confining failed, and whether the command has already ended (then it must never be
/// signalled: once its parent reaps it, its pid may belong to another process).
struct Failure {
    message: String,
    ended: bool,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            message,
            ended: false,
        }
    }
}

/// Execs `program` with `filters` loaded at its exec, in order. Returns only on failure, with
/// the exit status to leave with.
pub fn run(program: &Program, filters: &[&Filter]) -> ExitCode {
    let helper_ended = || {
        let e = Error::Io {
            path: "the ptrace helper".into(),
            errno: None,
            message: "it ended before it could attach".into(),
        };
        fail(&e, false)
    };
    let own_filter = match helper_filters::tracer_filter() {
        Ok(f) => f,
        Err(e) => return fail(&e, false),
    };
    // A command that could hold CAP_SYS_PTRACE could write into a reporter's memory (being
    // non-dumpable does not stop that capability): then no helper stays after the start.
    let may_report = !command_could_ptrace();
    let reporter_filter = match helper_filters::reporter_filter() {
        Ok(f) => f,
        Err(e) => return fail(&e, false),
    };
    // SAFETY: getpid has no arguments.
    let me = unsafe { libc::getpid() };
    let (up, down) = match (Pipe::new(), Pipe::new()) {
        (Ok(up), Ok(down)) => (up, down),
        (Err(e), _) | (_, Err(e)) => return fail(&Error::io("pipe", &e), false),
    };
    match helper::spawn(false) {
        Err(e) => return fail(&Error::io("starting the ptrace helper (clone)", &e), false),
        Ok(Side::Helper) => {
            up.keep_write();
            down.keep_read();
            let reporter = may_report.then_some(&reporter_filter);
            tracer(me, &up, &down, program, filters, (&own_filter, reporter))
        }
        Ok(Side::Original) => {}
    }
    up.keep_read();
    down.keep_write();
    // The helper's pid, then (after the go) the PTRACE_SEIZE result; EOF means it died.
    let Some(tracer_pid) = up.receive() else {
        return helper_ended();
    };
    // Under Yama (ptrace_scope 1) only a declared ptracer may attach to sysfence. Without Yama
    // the call fails with EINVAL, which changes nothing.
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PTRACER, tracer_pid as libc::c_ulong, 0, 0, 0) };
    let seized = if down.send(1) { up.receive() } else { None };
    // The exception is not left to the command (the helper's pid could be reused).
    // SAFETY: as above.
    unsafe { libc::prctl(libc::PR_SET_PTRACER, 0, 0, 0, 0) };
    match seized {
        Some(0) => {}
        Some(errno) => {
            let e = Error::Io {
                path: "PTRACE_SEIZE".into(),
                errno: Some(errno),
                message: format!(
                    "the helper cannot trace sysfence ({}): sysfence is traced already, or a \
                     Yama ptrace_scope of 2 or more forbids it: use --exec-guard notify",
                    std::io::Error::from_raw_os_error(errno)
                ),
            };
            return fail(&e, false);
        }
        None => return helper_ended(),
    }
    restore_signals_for_command();
    if let Err(e) = sysfence::load::set_no_new_privs() {
        // The helper sees sysfence exit and leaves.
        return fail(&Error::from(e), false);
    }
    program.exec_or_report()
}

/// The helper: attach to sysfence, wait for its exec, load the filters into the new program,
/// confine itself, detach, exit. Never returns.
fn tracer(
    target: i32,
    up: &Pipe,
    down: &Pipe,
    program: &Program,
    filters: &[&Filter],
    (own_filter, reporter_filter): (&Filter, Option<&Filter>),
) -> ! {
    let leave = |code: i32| -> ! {
        // SAFETY: leave the helper at once.
        unsafe { libc::_exit(code) }
    };
    // SAFETY: getpid has no arguments.
    let own_pid = unsafe { libc::getpid() };
    if helper::make_undumpable().is_err() || !up.send(own_pid) {
        leave(1);
    }
    // EOF: sysfence died before the go; there is nothing to confine.
    if down.receive().is_none() {
        leave(0);
    }
    // PTRACE_SEIZE sets the options at attach time: from here on, the helper dying kills
    // sysfence (EXITKILL) and with it the command-to-be.
    let options = libc::PTRACE_O_TRACEEXEC | libc::PTRACE_O_EXITKILL | libc::PTRACE_O_TRACESYSGOOD;
    // SAFETY: ptrace of the process that started us, which waits for our answer.
    let seized = unsafe { libc::ptrace(libc::PTRACE_SEIZE, target, 0, options) };
    let errno = if seized == 0 {
        0
    } else {
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EPERM)
    };
    if !up.send(errno) || errno != 0 {
        leave(1);
    }
    let result = confine(target, filters).and_then(|exec_stop| {
        if !exec_stop {
            return Ok(false);
        }
        // Where the kernel log is readable, stay to report what it says about the command
        // (report.rs); what it needs is opened now, before confining.
        let reporter = reporter_filter.and_then(|f| Some((Reporter::open(target)?, f)));
        // Nothing but the detach and exit (and, as the reporter, reading what it holds and
        // writing to stderr) from here on: a helper taken over later could neither exec nor
        // open or write files.
        let confinement = reporter.as_ref().map_or(own_filter, |r| r.1);
        confinement
            .load_with_flags(0)
            .map_err(|e| Failure::from(format!("confining the helper: {}", Error::from(e))))?;
        // SAFETY: let the confined command go.
        if unsafe { libc::ptrace(libc::PTRACE_DETACH, target, 0, 0) } != 0 {
            // EXITKILL kills the command when we exit.
            leave(1);
        }
        if let (Some((reporter, _)), Some(policy)) = (reporter, filters.last()) {
            reporter.run(policy, &program.path.to_string_lossy());
        }
        Ok(true)
    });
    match result {
        Ok(_) => leave(0),
        Err(f) => {
            if !f.ended {
                // SAFETY: the command is our stopped tracee (not reaped: we are not its
                // parent); it must not run unconfined.
                unsafe { libc::kill(target, libc::SIGKILL) };
            }
            eprintln!(
                "sysfence: cannot load the policy into {}: {}",
                program.path.to_string_lossy(),
                f.message
            );
            leave(1)
        }
    }
}

/// The kernel refuses a tracer access to the memory of a program this user may not read (a
/// `--x` file makes the process non-dumpable at exec): say so rather than name the call.
fn memory_error(what: &str) -> String {
    let err = std::io::Error::last_os_error();
    if matches!(err.raw_os_error(), Some(libc::EIO | libc::EPERM)) {
        return format!(
            "the kernel refuses access to its memory ({what}: {err}); this happens when the \
             program is executable but not readable by this user: use --exec-guard notify"
        );
    }
    format!("{what}: {err}")
}

fn os_err(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

/// Waits for the tracee's next stop. `Err` when it ended instead or waiting failed.
fn next_stop(pid: i32) -> Result<i32, Failure> {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our tracee (a tracer may wait for a tracee that is not its child).
        let r = unsafe { libc::waitpid(pid, &mut status, libc::__WALL) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return Err(os_err("waitpid").into());
        }
    }
    if libc::WIFSTOPPED(status) {
        Ok(status)
    } else {
        Err(Failure {
            message: "the command ended while being confined".into(),
            ended: true,
        })
    }
}

/// Lets the tracee run to its exec, stops it at the exit of that execve and loads the
/// filters. `Ok(false)` when it ended before any exec (its exec failed and it reported that).
fn confine(pid: i32, filters: &[&Filter]) -> Result<bool, Failure> {
    loop {
        let status = match next_stop(pid) {
            Ok(s) => s,
            Err(Failure { ended: true, .. }) => return Ok(false),
            Err(f) => return Err(f),
        };
        let event = status >> 16;
        if event == libc::PTRACE_EVENT_EXEC {
            break;
        }
        // A signal for the tracee is passed on; a group stop (PTRACE_EVENT_STOP) is resumed.
        let signal = if event == 0 {
            libc::WSTOPSIG(status)
        } else {
            0
        };
        // SAFETY: resume the tracee.
        if unsafe { libc::ptrace(libc::PTRACE_CONT, pid, 0, signal) } != 0 {
            return Err(os_err("PTRACE_CONT").into());
        }
    }
    // The exec stop is inside execve: registers set now would be overwritten by its return
    // value. Run on to the syscall-exit stop, where what is set reaches user space.
    // SAFETY: resume to the next syscall stop.
    if unsafe { libc::ptrace(libc::PTRACE_SYSCALL, pid, 0, 0) } != 0 {
        return Err(os_err("PTRACE_SYSCALL").into());
    }
    let status = next_stop(pid)?;
    if libc::WSTOPSIG(status) != libc::SIGTRAP | 0x80 {
        return Err(format!(
            "unexpected stop after exec (signal {})",
            libc::WSTOPSIG(status)
        )
        .into());
    }
    for filter in filters {
        load_at_exec(pid, filter)?;
    }
    verify(pid, filters.len())?;
    Ok(true)
}

fn get_regs(pid: i32) -> Result<libc::user_regs_struct, String> {
    // SAFETY: user_regs_struct is plain data; the kernel fills it.
    let mut regs: libc::user_regs_struct = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::ptrace(libc::PTRACE_GETREGS, pid, 0, &mut regs as *mut _) } != 0 {
        return Err(os_err("PTRACE_GETREGS"));
    }
    Ok(regs)
}

fn set_regs(pid: i32, regs: &libc::user_regs_struct) -> Result<(), String> {
    // SAFETY: a full register set for our stopped tracee.
    if unsafe { libc::ptrace(libc::PTRACE_SETREGS, pid, 0, regs as *const _) } != 0 {
        return Err(os_err("PTRACE_SETREGS"));
    }
    Ok(())
}

fn peek(pid: i32, addr: u64) -> Result<u64, String> {
    // SAFETY: errno is cleared so that a word of all ones is not taken for an error.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: reading one word of the tracee.
    let word = unsafe { libc::ptrace(libc::PTRACE_PEEKTEXT, pid, addr, 0) };
    // SAFETY: errno of this thread.
    if word == -1 && unsafe { *libc::__errno_location() } != 0 {
        return Err(memory_error("PTRACE_PEEKTEXT"));
    }
    Ok(word as u64)
}

fn poke(pid: i32, addr: u64, word: u64) -> Result<(), String> {
    // SAFETY: writing one word of the tracee (text included: ptrace writes through COW).
    if unsafe { libc::ptrace(libc::PTRACE_POKETEXT, pid, addr, word) } != 0 {
        return Err(memory_error("PTRACE_POKETEXT"));
    }
    Ok(())
}

/// Replaces the bytes at `addr` with `bytes`, through the aligned words that hold them (an
/// aligned word never crosses into an unmapped page). Returns what was there.
fn patch(pid: i32, addr: u64, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let start = addr & !7;
    let end = (addr + bytes.len() as u64 + 7) & !7;
    let mut old = Vec::new();
    for word_addr in (start..end).step_by(8) {
        old.extend_from_slice(&peek(pid, word_addr)?.to_ne_bytes());
    }
    let mut new = old.clone();
    let at = (addr - start) as usize;
    new[at..at + bytes.len()].copy_from_slice(bytes);
    write_words(pid, start, &new)?;
    Ok(old[at..at + bytes.len()].to_vec())
}

fn write_words(pid: i32, addr: u64, bytes: &[u8]) -> Result<(), String> {
    for (i, chunk) in bytes.chunks(8).enumerate() {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        poke(pid, addr + 8 * i as u64, u64::from_ne_bytes(word))?;
    }
    Ok(())
}

/// At the exec stop: make the tracee call seccomp() with the filter, check, restore.
fn load_at_exec(pid: i32, filter: &Filter) -> Result<(), Failure> {
    let saved = get_regs(pid)?;
    if saved.cs != USER_CS_64 {
        return Err(
            String::from("the command is a 32-bit program: use --exec-guard notify").into(),
        );
    }
    let bpf = filter.bpf();
    // Below the new stack pointer (the kernel maps 128 KiB of stack below the arguments):
    // first the BPF, then a `struct sock_fprog` under it. A page is left free below rsp: the
    // area stays clear of the words at and just under rsp (the x86_64 ABI's 128-byte red
    // zone) yet well inside what the kernel mapped, so no access faults or grows the stack.
    let prog_addr = (saved.rsp - 4096 - bpf.len() as u64) & !15;
    let fprog_addr = prog_addr - size_of::<libc::sock_fprog>() as u64;
    // The tracee's own sock_fprog, laid out as libc declares it: its pointer is the tracee's.
    let mut fprog = [0u8; size_of::<libc::sock_fprog>()];
    let len_at = offset_of!(libc::sock_fprog, len);
    let filter_at = offset_of!(libc::sock_fprog, filter);
    fprog[len_at..len_at + 2].copy_from_slice(&(filter.len() as u16).to_ne_bytes());
    fprog[filter_at..filter_at + 8].copy_from_slice(&prog_addr.to_ne_bytes());
    write_words(pid, prog_addr, bpf)?;
    write_words(pid, fprog_addr, &fprog)?;
    let text = patch(pid, saved.rip, &SYSCALL_INSN)?;

    let mut call = saved;
    call.rax = libc::SYS_seccomp as u64;
    call.orig_rax = u64::MAX;
    call.rdi = u64::from(libc::SECCOMP_SET_MODE_FILTER);
    // TSYNC is moot here: the exec left the command one thread.
    call.rsi = u64::from(filter.load_flags());
    call.rdx = fprog_addr;
    set_regs(pid, &call)?;
    // SAFETY: run exactly the one syscall instruction.
    if unsafe { libc::ptrace(libc::PTRACE_SINGLESTEP, pid, 0, 0) } != 0 {
        return Err(os_err("PTRACE_SINGLESTEP").into());
    }
    let status = next_stop(pid)?;
    if libc::WSTOPSIG(status) != libc::SIGTRAP {
        return Err(format!(
            "unexpected stop (signal {}) while loading",
            libc::WSTOPSIG(status)
        )
        .into());
    }
    let rc = get_regs(pid)?.rax as i64;
    if rc > 0 {
        return Err(format!("seccomp() in the command: TSYNC could not move thread {rc}").into());
    }
    if rc != 0 {
        return Err(format!(
            "seccomp() in the command: {}",
            std::io::Error::from_raw_os_error(-rc as i32)
        )
        .into());
    }
    // Put the instruction and the registers back as the exec left them, filter now in place,
    // and zero the stack area written: fresh stack below rsp, which the kernel gave as zeroes.
    patch(pid, saved.rip, &text)?;
    write_words(
        pid,
        fprog_addr,
        &vec![0u8; (prog_addr - fprog_addr) as usize + bpf.len()],
    )?;
    let mut restored = saved;
    restored.orig_rax = u64::MAX;
    set_regs(pid, &restored)?;
    Ok(())
}

/// Checks in `/proc/PID/status` that the filters are in place: seccomp in filter mode, at least
/// `count` filters (more when the command inherited some), no_new_privs set.
fn verify(pid: i32, count: usize) -> Result<(), Failure> {
    let status =
        sysfence::status_from_file(&format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    let enough = status.filters.is_none_or(|n| n as usize >= count);
    if status.mode != sysfence::SeccompMode::Filter || !status.no_new_privs || !enough {
        return Err(format!(
            "the filter is not in place (seccomp {}, {:?} filters, no_new_privs {})",
            status.mode, status.filters, status.no_new_privs
        )
        .into());
    }
    Ok(())
}
