// SPDX-License-Identifier: MIT OR Apache-2.0
//! Seccomp user notification (`SECCOMP_RET_USER_NOTIF`) plumbing for the notify guard and
//! `profile`: finding the listener, receiving a notification and answering it. The kernel's
//! structs and ioctl numbers are libc's.

use std::io;
use std::os::fd::RawFd;
use sysfence::bpf::SeccompData;

/// One notification: the kernel's `struct seccomp_notif`, with the call as the core's
/// [`SeccompData`].
#[derive(Debug, Clone, Copy)]
pub struct Notif {
    /// Cookie to answer with.
    pub id: u64,
    /// The thread that made the call (in our pid namespace).
    pub pid: u32,
    /// The syscall as the filter saw it.
    pub data: SeccompData,
}

/// `SECCOMP_IOCTL_NOTIF_RECV`, `SECCOMP_IOCTL_NOTIF_SEND` and `SECCOMP_IOCTL_NOTIF_ID_VALID`:
/// every ioctl the supervisor makes (its own filter allows these only).
// A plain cast: libc's `Ioctl` type is `c_ulong` on glibc, `c_int` on musl.
pub const IOCTLS: [libc::c_ulong; 3] = [
    libc::SECCOMP_IOCTL_NOTIF_RECV as libc::c_ulong,
    libc::SECCOMP_IOCTL_NOTIF_SEND as libc::c_ulong,
    libc::SECCOMP_IOCTL_NOTIF_ID_VALID as libc::c_ulong,
];

// The kernel's sizes (uapi linux/seccomp.h), which the ioctl numbers encode.
const _: () = assert!(std::mem::size_of::<libc::seccomp_notif>() == 80);
const _: () = assert!(std::mem::size_of::<libc::seccomp_notif_resp>() == 24);

/// Receives the next notification (blocks until one is pending).
pub fn recv(listener: RawFd) -> io::Result<Notif> {
    loop {
        // SAFETY: seccomp_notif is plain data; the kernel requires it zeroed.
        let mut n: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: `n` is a zeroed seccomp_notif, as the kernel requires.
        let rc = unsafe { libc::ioctl(listener, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut n as *mut _) };
        if rc == 0 {
            let d = n.data;
            return Ok(Notif {
                id: n.id,
                pid: n.pid,
                data: SeccompData {
                    nr: d.nr,
                    arch: d.arch,
                    instruction_pointer: d.instruction_pointer,
                    args: d.args,
                },
            });
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            return Err(err);
        }
    }
}

/// How to answer a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Let the call run.
    Continue,
    /// Fail the call with this errno.
    Errno(i32),
}

/// Answers notification `id`. A target that died meanwhile (ENOENT) is not an error.
pub fn send(listener: RawFd, id: u64, answer: Answer) -> io::Result<()> {
    let (error, flags) = match answer {
        Answer::Continue => (0, libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32),
        Answer::Errno(e) => (-e, 0),
    };
    let resp = libc::seccomp_notif_resp {
        id,
        val: 0,
        error,
        flags,
    };
    // SAFETY: `resp` is a valid seccomp_notif_resp.
    let rc = unsafe { libc::ioctl(listener, libc::SECCOMP_IOCTL_NOTIF_SEND, &resp as *const _) };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::ENOENT) {
        return Ok(());
    }
    Err(err)
}

/// True while the thread that sent notification `id` still waits for the answer.
pub fn id_valid(listener: RawFd, id: u64) -> bool {
    // SAFETY: the ioctl reads one u64.
    unsafe {
        libc::ioctl(
            listener,
            libc::SECCOMP_IOCTL_NOTIF_ID_VALID,
            &id as *const u64,
        ) == 0
    }
}

/// The seccomp listener fds in this process's fd table (shared with sysfence by CLONE_FILES).
///
/// A listener is an anonymous inode the kernel names `anon_inode:[seccomp notify]`; its fd
/// number is known only to the process that loaded the filter, which cannot tell it (see the
/// guards). The table is shared, so reading our own `/proc/self/fd` links is the one way to
/// find it: nothing else lists an fd another process put into the table.
pub fn listeners() -> Vec<RawFd> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| {
            let link = std::fs::read_link(e.path()).ok()?;
            if link.to_string_lossy().contains("seccomp notify") {
                e.file_name().to_str()?.parse().ok()
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ioctl_numbers_are_the_kernels() {
        // _IOWR('!', 0, struct seccomp_notif), _IOWR('!', 1, struct seccomp_notif_resp),
        // _IOW('!', 2, __u64), as linux/seccomp.h computes them.
        assert_eq!(super::IOCTLS, [0xC050_2100, 0xC018_2101, 0x4008_2102]);
    }
}
