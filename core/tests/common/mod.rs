// SPDX-License-Identifier: MIT OR Apache-2.0
//! Helpers for tests that load filters into child processes, never into the test runner.
#![allow(dead_code)]

use std::time::Duration;
use sysfence::{Filter, Policy};

/// How a child process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The syscall returned; `errno` is 0 when it succeeded.
    Returned { errno: i32 },
    /// The child was killed by this signal.
    Signal(i32),
    /// Loading the filter failed in the child.
    LoadFailed,
}

pub fn filter(json: &str) -> Filter {
    Policy::from_json(json)
        .expect("valid policy")
        .compile()
        .expect("compiles")
}

/// Forks; the child loads `filter` (no allocation after fork) and runs `body`, which returns
/// the errno of the syscall it made (0 on success). The parent reports what happened.
pub fn in_child(filter: &Filter, body: impl FnOnce() -> i32) -> (Outcome, i32) {
    let flags = filter.load_flags();
    // SAFETY: the child only calls async-signal-safe functions (raw syscalls) and _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match filter.load_with_flags(flags) {
            Ok(_) => body().clamp(0, 199),
            Err(_) => 200,
        };
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for the child forked above.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    let outcome = if libc::WIFSIGNALED(status) {
        Outcome::Signal(libc::WTERMSIG(status))
    } else if libc::WEXITSTATUS(status) == 200 {
        Outcome::LoadFailed
    } else {
        Outcome::Returned {
            errno: libc::WEXITSTATUS(status),
        }
    };
    (outcome, pid)
}

/// Makes a raw syscall and returns its errno (0 on success). Async-signal-safe.
pub fn raw_syscall(nr: i64, args: [u64; 6]) -> i32 {
    // SAFETY: the tests pass arguments the kernel validates itself.
    let rc = unsafe { libc::syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]) };
    if rc == -1 {
        // SAFETY: errno location of this thread.
        unsafe { *libc::__errno_location() }
    } else {
        0
    }
}

/// The errno of syscall `name` with `args`, or the signal, in a child under `filter`.
pub fn outcome_of(filter: &Filter, name: &str, args: [u64; 6]) -> Outcome {
    let nr = match sysfence::syscalls::resolve(name, sysfence::Arch::native()) {
        sysfence::syscalls::Resolution::Number(n) => n as i64,
        other => panic!("{name}: {other:?}"),
    };
    in_child(filter, move || raw_syscall(nr, args)).0
}

/// Reads /dev/kmsg from the current end: returns a reader to poll for new records.
pub struct Kmsg(std::fs::File);

impl Kmsg {
    pub fn open() -> Kmsg {
        use std::io::Seek;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/kmsg")
            .expect("open /dev/kmsg (tests run as root)");
        f.seek(std::io::SeekFrom::End(0)).expect("seek /dev/kmsg");
        Kmsg(f)
    }

    /// Waits up to `timeout` for a record containing every needle.
    pub fn find(&mut self, needles: &[&str], timeout: Duration) -> Option<String> {
        use std::io::Read;
        let deadline = std::time::Instant::now() + timeout;
        let mut buf = vec![0u8; 8192];
        loop {
            match self.0.read(&mut buf) {
                Ok(n) if n > 0 => {
                    let line = String::from_utf8_lossy(&buf[..n]).to_string();
                    if needles.iter().all(|n| line.contains(n)) {
                        return Some(line);
                    }
                    continue;
                }
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
                _ => {}
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Runs `body` in a child under `filter` and waits for the kernel's seccomp record of that
/// child containing every needle (besides `pid=<child>`). The kernel rate-limits audit lines it
/// prints (printk_ratelimit: 10 per 5 s), so a missed record is retried after the window.
pub fn logged_in_child(
    filter: &Filter,
    body: fn() -> i32,
    needles: &[&str],
) -> (Outcome, Option<String>) {
    let mut last = (Outcome::LoadFailed, None);
    for _ in 0..4 {
        let mut kmsg = Kmsg::open();
        let (outcome, pid) = in_child(filter, body);
        let pid_field = format!(" pid={pid} ");
        let mut all: Vec<&str> = vec!["type=1326", &pid_field];
        all.extend_from_slice(needles);
        let line = kmsg.find(&all, Duration::from_secs(2));
        if line.is_some() {
            return (outcome, line);
        }
        last = (outcome, None);
        std::thread::sleep(Duration::from_millis(5500));
    }
    last
}

/// An i386 syscall through `int 0x80` from this x86_64 process: `nr` in eax, the six
/// arguments in ebx, ecx, edx, esi, edi, ebp. Returns its errno (0 on success).
/// Async-signal-safe; pointers passed must be below 4 GiB (see [`low_page`]).
#[cfg(target_arch = "x86_64")]
pub fn int80(nr: u32, args: [u32; 6]) -> i32 {
    let rc = int80_ret(nr, args);
    if (-4095..0).contains(&rc) {
        -rc
    } else {
        0
    }
}

/// The i386 result of `int 0x80` itself (a file descriptor, an id), or the negative errno.
#[cfg(target_arch = "x86_64")]
pub fn int80_ret(nr: u32, args: [u32; 6]) -> i32 {
    let rc: i32;
    // SAFETY: the compat entry validates every argument itself; rbx and rbp (which the
    // compiler reserves) are swapped in and back out around the call; the kernel may clear
    // r8-r11, which are declared clobbered.
    unsafe {
        std::arch::asm!(
            "xchg {a0}, rbx",
            "xchg {a5}, rbp",
            "int 0x80",
            "xchg {a5}, rbp",
            "xchg {a0}, rbx",
            a0 = inout(reg) u64::from(args[0]) => _,
            a5 = inout(reg) u64::from(args[5]) => _,
            inlateout("eax") nr as i32 => rc,
            in("ecx") args[1],
            in("edx") args[2],
            in("esi") args[3],
            in("edi") args[4],
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
        );
    }
    rc
}

/// A zeroed, writable page below 4 GiB (`MAP_32BIT`), where i386 calls can point; map it in
/// the parent, before forking.
#[cfg(target_arch = "x86_64")]
pub fn low_page() -> &'static mut [u32; 1024] {
    // SAFETY: a fresh anonymous mapping, checked, never unmapped.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_32BIT,
            -1,
            0,
        );
        assert!(
            p != libc::MAP_FAILED && (p as usize) < (1 << 32),
            "mmap MAP_32BIT"
        );
        &mut *p.cast::<[u32; 1024]>()
    }
}
