// SPDX-License-Identifier: MIT OR Apache-2.0
//! Loading BPF into the kernel: `PR_SET_NO_NEW_PRIVS`, then `seccomp(SECCOMP_SET_MODE_FILTER)`
//! with TSYNC, falling back to `prctl(PR_SET_SECCOMP)` only for a single-threaded process.
//!
//! Nothing here allocates: a filter compiled before `fork` can be loaded in the child before
//! `exec`, and every failure is a plain [`LoadFailure`] value.

use crate::bpf::SockFilter;
use crate::error::{LoadFailure, LoadStage};

/// `SECCOMP_FILTER_FLAG_TSYNC`: apply to every thread of the process, or to none.
pub const FLAG_TSYNC: u32 = libc::SECCOMP_FILTER_FLAG_TSYNC as u32;
/// `SECCOMP_FILTER_FLAG_LOG`: log every action other than allow.
pub const FLAG_LOG: u32 = libc::SECCOMP_FILTER_FLAG_LOG as u32;
/// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`: leave speculative store bypass mitigation off.
pub const FLAG_SPEC_ALLOW: u32 = libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW as u32;
/// `SECCOMP_FILTER_FLAG_NEW_LISTENER`: return a user-notification listener fd.
pub const FLAG_NEW_LISTENER: u32 = libc::SECCOMP_FILTER_FLAG_NEW_LISTENER as u32;

// The program is handed to the kernel as `struct sock_fprog { len, filter }` pointing at our
// own instruction type, which must be laid out as the kernel's `struct sock_filter`.
const _: () = assert!(
    std::mem::size_of::<SockFilter>() == std::mem::size_of::<libc::sock_filter>()
        && std::mem::align_of::<SockFilter>() == std::mem::align_of::<libc::sock_filter>()
);

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn fail(stage: LoadStage, errno: i32) -> LoadFailure {
    LoadFailure {
        stage,
        errno,
        tid: None,
    }
}

/// Sets `PR_SET_NO_NEW_PRIVS` and reads it back.
pub fn set_no_new_privs() -> Result<(), LoadFailure> {
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(fail(LoadStage::NoNewPrivs, errno()));
    }
    // SAFETY: as above.
    if unsafe { libc::prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) } != 1 {
        return Err(fail(LoadStage::NoNewPrivs, errno()));
    }
    Ok(())
}

/// Loads `program` with `flags` (`FLAG_*`). Returns the `seccomp()` result: 0, or a listener
/// fd with [`FLAG_NEW_LISTENER`].
pub fn load_program(program: &[SockFilter], flags: u32) -> Result<i32, LoadFailure> {
    let len = u16::try_from(program.len()).map_err(|_| fail(LoadStage::Seccomp, libc::EINVAL))?;
    let prog = libc::sock_fprog {
        len,
        // The kernel only reads the program (it copies it).
        filter: program.as_ptr().cast::<libc::sock_filter>().cast_mut(),
    };
    set_no_new_privs()?;
    // SAFETY: prog points at `program`, which outlives the call; the kernel copies it.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::c_ulong::from(libc::SECCOMP_SET_MODE_FILTER),
            libc::c_ulong::from(flags),
            &prog as *const libc::sock_fprog,
        )
    };
    if rc == 0 || (rc > 0 && flags & FLAG_NEW_LISTENER != 0) {
        return Ok(rc as i32);
    }
    if rc > 0 {
        // TSYNC names the first thread it could not move; nothing was loaded.
        return Err(LoadFailure {
            stage: LoadStage::Tsync,
            errno: 0,
            tid: Some(rc as i32),
        });
    }
    let err = errno();
    if err != libc::ENOSYS || flags & FLAG_NEW_LISTENER != 0 {
        return Err(fail(LoadStage::Seccomp, err));
    }
    // No seccomp() syscall (kernels before 3.17): prctl covers the calling thread only.
    if flags & FLAG_TSYNC != 0 && thread_count() != Some(1) {
        return Err(fail(LoadStage::NoTsyncFallback, libc::ENOSYS));
    }
    // SAFETY: as for seccomp() above.
    let rc = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::c_ulong::from(libc::SECCOMP_MODE_FILTER),
            &prog as *const libc::sock_fprog,
            0,
            0,
        )
    };
    if rc != 0 {
        return Err(fail(LoadStage::Prctl, errno()));
    }
    Ok(0)
}

/// The number of threads in this process, from `/proc/self/status`, read into a stack buffer.
///
/// Not [`crate::ProcStatus`]: this runs inside [`load_program`], which may run between `fork`
/// and `exec`, where allocating is not async-signal-safe; so it reads with `open`/`read` into
/// the stack and parses in place.
fn thread_count() -> Option<u32> {
    const PATH: &[u8] = b"/proc/self/status\0";
    const KEY: &[u8] = b"\nThreads:\t";
    // SAFETY: PATH is NUL-terminated; the fd is closed below.
    let fd = unsafe { libc::open(PATH.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return None;
    }
    let mut buf = [0u8; 8192];
    let mut len = 0;
    while len < buf.len() {
        // SAFETY: reads into the unused tail of `buf`.
        let n = unsafe { libc::read(fd, buf[len..].as_mut_ptr().cast(), buf.len() - len) };
        if n <= 0 {
            break;
        }
        len += n as usize;
    }
    // SAFETY: fd was opened above.
    unsafe { libc::close(fd) };
    let text = &buf[..len];
    let at = text.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let mut count = 0u32;
    for &b in &text[at..] {
        if !b.is_ascii_digit() {
            break;
        }
        count = count * 10 + u32::from(b - b'0');
    }
    Some(count)
}
