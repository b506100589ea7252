// SPDX-License-Identifier: MIT OR Apache-2.0
//! Routes around a filter that the attack review tried and that held: each stays here so that
//! none can come back unnoticed. Every filter is loaded in a forked child; each test has a
//! control showing the route works without the filter (so the test can fail).

mod common;

use common::{filter, in_child, raw_syscall, Outcome};

const NO_EXEC: &str =
    r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["@exec"]}]}"#;

const EMPTY: &[u8] = b"\0";

/// execveat(fd, "", argv, envp, AT_EMPTY_PATH) on an open fd; returns the errno (the body
/// never returns on success: the program runs and exits 0).
fn execveat_fd(fd: i32) -> i32 {
    let argv: [*const libc::c_char; 2] = [EMPTY.as_ptr().cast(), std::ptr::null()];
    raw_syscall(
        libc::SYS_execveat,
        [
            fd as u64,
            EMPTY.as_ptr() as u64,
            argv.as_ptr() as u64,
            [std::ptr::null::<u8>()].as_ptr() as u64,
            libc::AT_EMPTY_PATH as u64,
            0,
        ],
    )
}

#[test]
fn execveat_on_an_open_file_is_refused() {
    let f = filter(NO_EXEC);
    let file = std::fs::File::open("/bin/true").unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
    assert_eq!(
        in_child(&f, || execveat_fd(fd)).0,
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    // Control: without the filter the same call runs /bin/true (exit 0).
    let open = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#,
    );
    assert_eq!(
        in_child(&open, || execveat_fd(fd)).0,
        Outcome::Returned { errno: 0 }
    );
}

#[test]
fn a_program_written_into_a_memfd_cannot_be_run() {
    let program = std::fs::read("/bin/true").unwrap();
    let run_from_memfd = || {
        // SAFETY: raw syscalls on buffers that outlive them; no allocation after fork.
        let fd = unsafe { libc::syscall(libc::SYS_memfd_create, EMPTY.as_ptr(), 0) } as i32;
        if fd < 0 {
            return 150;
        }
        // SAFETY: as above.
        let n = unsafe { libc::write(fd, program.as_ptr().cast(), program.len()) };
        if n != program.len() as isize {
            return 151;
        }
        execveat_fd(fd)
    };
    assert_eq!(
        in_child(&filter(NO_EXEC), run_from_memfd).0,
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    let open = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#,
    );
    assert_eq!(
        in_child(&open, run_from_memfd).0,
        Outcome::Returned { errno: 0 }
    );
}

/// A `syscall` instruction the process wrote itself (as a JIT does): execve(NULL, NULL, NULL).
#[cfg(target_arch = "x86_64")]
fn jit_execve_null() -> i32 {
    // mov eax, 59; xor edi, edi; xor esi, esi; xor edx, edx; syscall; ret
    const CODE: [u8; 14] = [
        0xb8, 59, 0, 0, 0, 0x31, 0xff, 0x31, 0xf6, 0x31, 0xd2, 0x0f, 0x05, 0xc3,
    ];
    // SAFETY: a fresh anonymous page, written, then run as a function taking nothing.
    unsafe {
        let page = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if page == libc::MAP_FAILED {
            return 152;
        }
        std::ptr::copy_nonoverlapping(CODE.as_ptr(), page.cast::<u8>(), CODE.len());
        let f: extern "C" fn() -> i64 = std::mem::transmute(page);
        -(f() as i32)
    }
}

#[test]
#[cfg(target_arch = "x86_64")]
fn a_syscall_instruction_from_jit_code_meets_the_filter() {
    assert_eq!(
        in_child(&filter(NO_EXEC), jit_execve_null).0,
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    let open = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#,
    );
    assert_eq!(
        in_child(&open, jit_execve_null).0,
        Outcome::Returned {
            errno: libc::EFAULT
        }
    );
}

/// clone(SIGCHLD | bits above 32): a fork with the upper half of the flags set, which the
/// kernel ignores. A child that is created leaves at once.
fn fork_with_upper_flag_bits() -> i32 {
    let flags = libc::SIGCHLD as u64 | 0xffff_0000_0000_0000;
    // SAFETY: a fork-like clone; the new child leaves at once.
    let rc = unsafe { libc::syscall(libc::SYS_clone, flags, 0, 0, 0, 0) };
    if rc == 0 {
        // SAFETY: leave the grandchild.
        unsafe { libc::_exit(0) };
    }
    if rc > 0 {
        let mut status = 0;
        // SAFETY: reap it.
        unsafe { libc::waitpid(rc as i32, &mut status, 0) };
        return 0;
    }
    // SAFETY: errno of this thread.
    unsafe { *libc::__errno_location() }
}

#[test]
fn clone_flags_in_the_upper_half_do_not_slip_past_no_spawn() {
    let no_spawn = sysfence::Policy::preset("no-spawn")
        .unwrap()
        .compile()
        .unwrap();
    assert_eq!(
        in_child(&no_spawn, fork_with_upper_flag_bits).0,
        Outcome::Returned {
            errno: libc::EACCES
        }
    );
    let open = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["getppid"]}]}"#,
    );
    assert_eq!(
        in_child(&open, fork_with_upper_flag_bits).0,
        Outcome::Returned { errno: 0 }
    );
}
