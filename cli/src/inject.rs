//! `run --exec-guard ptrace` (x86_64): load the policy into the command between its exec and
//! its first instruction, then let go.
//!
//! 1. sysfence attaches to the child with `PTRACE_SEIZE` (options `TRACEEXEC | EXITKILL` in
//!    force from that moment), then tells it through a pipe to go on; until then the child
//!    waits, and exits if sysfence dies first. The child sets `PR_SET_NO_NEW_PRIVS` and execs
//!    the command. No filter is loaded yet, so the exec itself runs.
//! 2. The kernel stops it at `PTRACE_EVENT_EXEC`, then at the exit of that execve: the new
//!    program is mapped but has not run. sysfence writes the filter's BPF and a `struct sock_fprog` below the new stack pointer,
//!    puts a `syscall` instruction at the entry point, sets the registers for
//!    `seccomp(SECCOMP_SET_MODE_FILTER, LOG, &fprog)` and single-steps it.
//! 3. It checks the result and `/proc/PID/status` (`Seccomp: 2`), restores the instruction,
//!    the registers and the stack, and detaches. `PTRACE_O_EXITKILL` kills the child if
//!    sysfence dies before that. On any failure the child is killed: it never runs unconfined.
//!
//! What the command then runs under is exactly the policy's filter, with no supervisor left
//! that it could attack, and the kernel logs each refusal with the policy's own action.

use crate::output::fail;
use crate::run::{exit_code, ignore_keyboard_signals, restore_signals_for_command, Plan};
use std::process::ExitCode;
use sysfence::load::FLAG_LOG;
use sysfence::{Error, Filter};

/// The `syscall` instruction.
const SYSCALL_INSN: [u8; 2] = [0x0f, 0x05];
const SET_MODE_FILTER: u64 = 1;
/// The user code segment of 64-bit processes; 32-bit (i386) ones run with 0x23.
const USER_CS_64: u64 = 0x33;

/// Why confining failed, and the wait status when the child has already ended and been reaped
/// (then it must never be signalled: its pid may belong to another process by now).
struct Failure {
    message: String,
    ended: Option<i32>,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            message,
            ended: None,
        }
    }
}

/// Runs the plan's command with `filter` loaded at its exec.
pub fn run(plan: &Plan, filter: &Filter) -> ExitCode {
    let argv = plan.argv_ptrs();
    let mut go = [0; 2];
    // SAFETY: a pipe the child waits on until it is traced.
    if unsafe { libc::pipe2(go.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return fail(&Error::Unsupported(os_err("pipe")), false);
    }
    // SAFETY: this process is single-threaded; the child only makes syscalls, then execs.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return fail(&Error::Unsupported(os_err("fork")), false);
    }
    if pid == 0 {
        restore_signals_for_command();
        let mut byte = 0u8;
        // SAFETY: the child waits for the parent's go (one byte) before it execs; EOF means the
        // parent died before it could trace the child, which then must not run.
        let code = unsafe {
            libc::close(go[1]);
            if libc::read(go[0], (&mut byte as *mut u8).cast(), 1) != 1 {
                libc::_exit(125);
            }
            if sysfence::load::set_no_new_privs().is_err() {
                125
            } else {
                plan.exec(&argv)
            }
        };
        // SAFETY: leave the child (exec failed).
        unsafe { libc::_exit(code) };
    }
    // SAFETY: the parent keeps only the write end.
    unsafe { libc::close(go[0]) };
    ignore_keyboard_signals();
    let result = confine(pid, go[1], filter);
    // SAFETY: closing our end (the child is past its read, or never needs it).
    unsafe { libc::close(go[1]) };
    match result {
        Ok(None) => wait(pid),
        Ok(Some(status)) => exit_code(status),
        Err(f) => {
            if f.ended.is_none() {
                // SAFETY: the child must not run unconfined; it is killed and reaped quietly.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), 0);
                }
            }
            let what = format!(
                "cannot load the policy into {}: {}",
                plan.path.to_string_lossy(),
                f.message
            );
            fail(&Error::Unsupported(what), false)
        }
    }
}

fn wait(pid: i32) -> ExitCode {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our child.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            return exit_code(status);
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            eprintln!("sysfence: {}", os_err("waitpid"));
            return ExitCode::from(1);
        }
    }
}

fn os_err(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

/// Waits for the child's next stop. `Err` when it ended instead (reaped, with its wait status)
/// or waiting failed.
fn next_stop(pid: i32) -> Result<i32, Failure> {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our traced child.
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
            ended: Some(status),
        })
    }
}

/// Attaches to the child, lets it exec, stops it at the exit of that execve, loads the filter
/// and detaches. `Ok(Some(status))` when the child ended before its exec (the exec failed).
fn confine(pid: i32, go: i32, filter: &Filter) -> Result<Option<i32>, Failure> {
    // PTRACE_SEIZE sets the options at attach time: from here on, sysfence dying kills the
    // child (EXITKILL); before here the child is blocked on the pipe and exits on EOF.
    let options = libc::PTRACE_O_TRACEEXEC | libc::PTRACE_O_EXITKILL | libc::PTRACE_O_TRACESYSGOOD;
    // SAFETY: ptrace on our own child.
    if unsafe { libc::ptrace(libc::PTRACE_SEIZE, pid, 0, options) } != 0 {
        return Err(os_err("PTRACE_SEIZE").into());
    }
    // SAFETY: one byte to the child: go ahead and exec.
    if unsafe { libc::write(go, [1u8].as_ptr().cast(), 1) } != 1 {
        return Err(os_err("write").into());
    }
    loop {
        let status = match next_stop(pid) {
            Ok(s) => s,
            // The exec failed and the child exited with 126/127: report its status.
            Err(Failure {
                ended: Some(status),
                ..
            }) => return Ok(Some(status)),
            Err(f) => return Err(f),
        };
        let event = status >> 16;
        if event == libc::PTRACE_EVENT_EXEC {
            break;
        }
        // A signal for the child is passed on; a group stop (PTRACE_EVENT_STOP) is resumed.
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
    load_at_exec(pid, filter)?;
    // SAFETY: let the confined child go.
    if unsafe { libc::ptrace(libc::PTRACE_DETACH, pid, 0, 0) } != 0 {
        return Err(os_err("PTRACE_DETACH").into());
    }
    Ok(None)
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
        return Err(os_err("PTRACE_PEEKTEXT"));
    }
    Ok(word as u64)
}

fn poke(pid: i32, addr: u64, word: u64) -> Result<(), String> {
    // SAFETY: writing one word of the tracee (text included: ptrace writes through COW).
    if unsafe { libc::ptrace(libc::PTRACE_POKETEXT, pid, addr, word) } != 0 {
        return Err(os_err("PTRACE_POKETEXT"));
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
    // first the BPF, then a struct sock_fprog { u16 len; u64 filter; } under it.
    let prog_addr = (saved.rsp - 4096 - bpf.len() as u64) & !15;
    let fprog_addr = prog_addr - 16;
    let mut fprog = [0u8; 16];
    fprog[..2].copy_from_slice(&(filter.len() as u16).to_ne_bytes());
    fprog[8..].copy_from_slice(&prog_addr.to_ne_bytes());
    write_words(pid, prog_addr, bpf)?;
    write_words(pid, fprog_addr, &fprog)?;
    let text = patch(pid, saved.rip, &SYSCALL_INSN)?;

    let mut call = saved;
    call.rax = libc::SYS_seccomp as u64;
    call.orig_rax = u64::MAX;
    call.rdi = SET_MODE_FILTER;
    call.rsi = if filter.log_denied() {
        u64::from(FLAG_LOG)
    } else {
        0
    };
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
    if rc != 0 {
        return Err(format!(
            "seccomp() in the command: {}",
            std::io::Error::from_raw_os_error(-rc as i32)
        )
        .into());
    }
    // Put everything back as the exec left it, filter now in place.
    patch(pid, saved.rip, &text)?;
    write_words(pid, fprog_addr, &vec![0u8; bpf.len() + 16])?;
    let mut restored = saved;
    restored.orig_rax = u64::MAX;
    set_regs(pid, &restored)?;
    let status = sysfence::status_of(&format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    if status.mode != "filter" || !status.no_new_privs {
        return Err(format!(
            "the filter is not in place (seccomp {}, no_new_privs {})",
            status.mode, status.no_new_privs
        )
        .into());
    }
    Ok(())
}
