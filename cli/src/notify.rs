//! Seccomp user notification (`SECCOMP_RET_USER_NOTIF`) plumbing for the `run` supervisor:
//! receiving a notification and answering it.

use std::io;
use std::os::fd::RawFd;
use sysfence::bpf::SeccompData;

/// The kernel's `struct seccomp_notif`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct Notif {
    /// Cookie to answer with.
    pub id: u64,
    /// The thread that made the call (in our pid namespace).
    pub pid: u32,
    /// Unused by the kernel so far.
    pub flags: u32,
    /// The syscall as the filter saw it.
    pub data: SeccompData,
}

#[repr(C)]
struct NotifResp {
    id: u64,
    val: i64,
    error: i32,
    flags: u32,
}

// _IOWR('!', 0, struct seccomp_notif), _IOWR('!', 1, struct seccomp_notif_resp) and
// _IOW('!', 2, __u64).
const IOCTL_RECV: libc::c_ulong = 0xC050_2100;
const IOCTL_SEND: libc::c_ulong = 0xC018_2101;
const IOCTL_ID_VALID: libc::c_ulong = 0x4008_2102;
/// Every ioctl the supervisor makes (its own filter allows these only).
pub const IOCTLS: [libc::c_ulong; 3] = [IOCTL_RECV, IOCTL_SEND, IOCTL_ID_VALID];
/// `SECCOMP_USER_NOTIF_FLAG_CONTINUE`: let the syscall run as if the filter allowed it.
const FLAG_CONTINUE: u32 = 1;

const _: () = assert!(std::mem::size_of::<Notif>() == 80);
const _: () = assert!(std::mem::size_of::<NotifResp>() == 24);

/// Receives the next notification (blocks until one is pending).
pub fn recv(listener: RawFd) -> io::Result<Notif> {
    let mut n = Notif::default();
    loop {
        // SAFETY: `n` is a zeroed seccomp_notif, as the kernel requires.
        let rc = unsafe { libc::ioctl(listener, IOCTL_RECV, &mut n as *mut Notif) };
        if rc == 0 {
            return Ok(n);
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            return Err(err);
        }
        n = Notif::default();
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
    let resp = match answer {
        Answer::Continue => NotifResp {
            id,
            val: 0,
            error: 0,
            flags: FLAG_CONTINUE,
        },
        Answer::Errno(e) => NotifResp {
            id,
            val: 0,
            error: -e,
            flags: 0,
        },
    };
    // SAFETY: `resp` is a valid seccomp_notif_resp.
    let rc = unsafe { libc::ioctl(listener, IOCTL_SEND, &resp as *const NotifResp) };
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
    unsafe { libc::ioctl(listener, IOCTL_ID_VALID, &id as *const u64) == 0 }
}

/// True when thread `tid` blocks or ignores SIGSYS (`SigBlk` / `SigIgn` in its status).
pub fn sigsys_blocked_or_ignored(tid: u32) -> bool {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{tid}/status")) else {
        return true;
    };
    let bit = 1u64 << (libc::SIGSYS - 1);
    ["SigBlk:", "SigIgn:"].iter().any(|name| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .is_some_and(|mask| mask & bit != 0)
    })
}

/// The process (thread group) a thread belongs to.
pub fn tgid_of(tid: u32) -> Option<i32> {
    let text = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

/// The seccomp listener fds in this process's fd table (shared with sysfence by CLONE_FILES).
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
