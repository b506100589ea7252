// SPDX-License-Identifier: MIT OR Apache-2.0
//! The short-lived helper `run` starts beside the command: a grandchild, so that once sysfence
//! has exec'd the command, the helper is no child of the command's (it cannot be waited for
//! or made a zombie there) and the command's pid, signals and exit status are its own.

use std::io;

/// Which side of [`spawn`] this process is on.
pub enum Side {
    /// The original process, which goes on to exec the command.
    Original,
    /// The helper.
    Helper,
}

fn clone_process(flags: libc::c_long) -> libc::c_long {
    // SAFETY: a fork-like clone (no CLONE_VM); this process is single-threaded, so the child
    // may run ordinary code.
    unsafe {
        libc::syscall(
            libc::SYS_clone,
            flags | libc::c_long::from(libc::SIGCHLD),
            0,
            0,
            0,
            0,
        )
    }
}

/// A child process (not a grandchild), for `profile`, where sysfence stays the command's
/// parent: `Ok(0)` in the child, `Ok(pid)` in this process. With `share_files` the child shares
/// this process's fd table (`CLONE_FILES`) until it execs.
pub fn fork_child(share_files: bool) -> io::Result<i32> {
    let flags = if share_files {
        libc::c_long::from(libc::CLONE_FILES)
    } else {
        0
    };
    match clone_process(flags) {
        pid if pid < 0 => Err(io::Error::last_os_error()),
        pid => Ok(pid as i32),
    }
}

/// Starts the helper as a grandchild: an intermediate child clones it and exits at once; this
/// process reaps the intermediate. With `share_files` the helper shares this process's fd
/// table (`CLONE_FILES`) until it unshares it.
pub fn spawn(share_files: bool) -> io::Result<Side> {
    let flags = if share_files {
        libc::c_long::from(libc::CLONE_FILES)
    } else {
        0
    };
    let middle = clone_process(flags);
    if middle < 0 {
        return Err(io::Error::last_os_error());
    }
    if middle == 0 {
        let helper = clone_process(flags);
        if helper == 0 {
            return Ok(Side::Helper);
        }
        // SAFETY: the intermediate child leaves at once; 1 tells the original it failed.
        unsafe { libc::_exit(if helper < 0 { 1 } else { 0 }) };
    }
    let mut status = 0;
    loop {
        // SAFETY: reaping our own child. With SIGCHLD ignored (inherited) the kernel reaps it
        // and waitpid says ECHILD: the helper's own report then tells whether it started.
        let r = unsafe { libc::waitpid(middle as i32, &mut status, 0) };
        if r == middle as i32 {
            if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
                return Ok(Side::Original);
            }
            return Err(io::Error::other("the helper process could not start"));
        }
        match io::Error::last_os_error().raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ECHILD) => return Ok(Side::Original),
            _ => return Err(io::Error::last_os_error()),
        }
    }
}

/// A one-way pipe, close-on-exec: neither end reaches the command.
pub struct Pipe {
    /// The read end.
    pub read: i32,
    /// The write end.
    pub write: i32,
}

impl Pipe {
    /// A new pipe.
    pub fn new() -> io::Result<Pipe> {
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills two fds.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Pipe {
            read: fds[0],
            write: fds[1],
        })
    }

    /// Writes one i32 (atomically: pipes write up to PIPE_BUF at once).
    pub fn send(&self, value: i32) -> bool {
        let bytes = value.to_ne_bytes();
        // SAFETY: writing 4 bytes from a local.
        unsafe { libc::write(self.write, bytes.as_ptr().cast(), 4) == 4 }
    }

    /// Reads one i32; `None` on EOF (every writer gone) or error.
    pub fn receive(&self) -> Option<i32> {
        let mut bytes = [0u8; 4];
        loop {
            // SAFETY: reading 4 bytes into a local.
            let n = unsafe { libc::read(self.read, bytes.as_mut_ptr().cast(), 4) };
            if n == 4 {
                return Some(i32::from_ne_bytes(bytes));
            }
            if n < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return None;
        }
    }

    /// Closes the read end (this side only writes).
    pub fn keep_write(&self) {
        // SAFETY: closing our copy of the read end.
        unsafe { libc::close(self.read) };
    }

    /// Closes the write end (this side only reads; EOF then means the writer is gone).
    pub fn keep_read(&self) {
        // SAFETY: closing our copy of the write end.
        unsafe { libc::close(self.write) };
    }
}

/// Makes this process non-dumpable: without CAP_SYS_PTRACE no process (the command included)
/// can ptrace it, read or write its memory through /proc, or take its fds with `pidfd_getfd`.
pub fn make_undumpable() -> io::Result<()> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
