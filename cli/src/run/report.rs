// SPDX-License-Identifier: MIT OR Apache-2.0
//! After the command starts under the ptrace guard: what the kernel logged about it, said in
//! the user's words on stderr.
//!
//! Nothing of sysfence is the command's parent (sysfence became the command), so nothing can
//! learn its exit status. What the kernel logs is known: where `/dev/kmsg` is readable (root,
//! or `kernel.dmesg_restrict=0`) and no auditd takes the records, the guard's helper stays as a
//! reporter. It opens `/dev/kmsg` (read-only, from its end) and a pidfd of the command before it
//! confines itself, closes every other descriptor but stderr, loads a filter that leaves it
//! reading, polling and writing to stderr (see `helper_filters::reporter_filter`), detaches and
//! watches:
//!
//! - a seccomp kill of the command (`sig=31`): `sysfence: bash (pid 42) was killed by SIGSYS:
//!   the policy refused getppid (rules[0].syscalls[0] (kill_process))`;
//! - when the command ends within [`EARLY`] of its start, the calls the policy refused it:
//!   `sysfence: cat (pid 42) ended right after start; the policy refused arch_prctl
//!   (default_action), ...` with a hint about what a program loader needs. Only calls the
//!   kernel logged: never a guess about the exit status.
//!
//! Records of the command's own pid only (its children have theirs), in the pid namespace the
//! kernel logs (a command in another one is not matched). The reporter leaves shortly after the
//! command ends.

use std::os::fd::RawFd;
use std::time::{Duration, Instant};
use sysfence::audit::parse_line;
use sysfence::{Action, Filter};

/// A command that ends this soon after its start gets the list of refused calls.
const EARLY: Duration = Duration::from_secs(2);
/// How long the kernel may take to print the last records after the command ended (kauditd
/// prints them from its own thread).
const DRAIN: Duration = Duration::from_millis(400);

/// What the reporter watches: `/dev/kmsg` and the command's pidfd.
pub struct Reporter {
    kmsg: RawFd,
    pidfd: RawFd,
    target: i32,
}

impl Reporter {
    /// Opens what the reporter needs, before the helper confines itself. `None` where it
    /// cannot report (`/dev/kmsg` unreadable, no pidfd: Linux before 5.3) or must not stay:
    /// when the command would adopt it (the command is PID 1 or a subreaper and would wait for
    /// it).
    pub fn open(target: i32) -> Option<Reporter> {
        // SAFETY: getppid has no arguments.
        if unsafe { libc::getppid() } == target || target == 1 {
            return None;
        }
        // SAFETY: a valid path; read-only.
        let kmsg = unsafe {
            libc::open(
                c"/dev/kmsg".as_ptr(),
                libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if kmsg < 0 {
            return None;
        }
        // SAFETY: /dev/kmsg: from the end, only what comes from now on.
        unsafe { libc::lseek(kmsg, 0, libc::SEEK_END) };
        // SAFETY: pidfd_open(pid, 0).
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, target, 0) } as RawFd;
        if pidfd < 0 {
            // SAFETY: ours.
            unsafe { libc::close(kmsg) };
            return None;
        }
        // Keep stderr, the log and the pidfd; let go of everything else (the command's stdout
        // pipe must see EOF when the command ends, not when the reporter does).
        // SAFETY: fds 0 and 1 become the log and the pidfd; then every fd from 3 is closed.
        unsafe {
            if libc::dup2(kmsg, 0) < 0 || libc::dup2(pidfd, 1) < 0 {
                libc::close(kmsg);
                libc::close(pidfd);
                return None;
            }
            if libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) != 0 {
                for fd in 3..1024 {
                    libc::close(fd);
                }
            }
        }
        Some(Reporter {
            kmsg: 0,
            pidfd: 1,
            target,
        })
    }

    /// Watches until the command has ended, says what the kernel logged, and exits.
    pub fn run(self, policy: &Filter, program: &str) -> ! {
        let started = Instant::now();
        let mut ended: Option<Instant> = None;
        let mut killed = false;
        let mut refused: Vec<String> = Vec::new();
        let mut comm = program.rsplit('/').next().unwrap_or(program).to_string();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let timeout = match ended {
                Some(at) => {
                    let left = DRAIN.saturating_sub(at.elapsed());
                    if left.is_zero() {
                        break;
                    }
                    left.as_millis() as i32
                }
                None => -1,
            };
            let mut fds = [
                libc::pollfd {
                    fd: self.kmsg,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: self.pidfd,
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: two valid pollfds.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout) };
            if n < 0 {
                if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                break;
            }
            if fds[0].revents & libc::POLLIN != 0 {
                self.drain(&mut buf, |record| {
                    let Some(e) = parse_line(record) else { return };
                    if e.pid != Some(self.target as u32) {
                        return;
                    }
                    if let Some(c) = &e.comm {
                        comm.clone_from(c);
                    }
                    let Some(action) = e.action else { return };
                    if matches!(action, Action::Allow | Action::Log) {
                        return;
                    }
                    let what = refusal(policy, &e, action);
                    if e.sig == Some(libc::SIGSYS)
                        && matches!(action, Action::KillProcess | Action::KillThread)
                    {
                        killed = true;
                        eprintln!(
                            "sysfence: {comm} (pid {}) was killed by SIGSYS: the policy refused {what}",
                            self.target
                        );
                    } else if !refused.contains(&what) {
                        refused.push(what);
                    }
                });
            }
            if ended.is_none() && fds[1].revents & (libc::POLLIN | libc::POLLHUP) != 0 {
                ended = Some(Instant::now());
            }
        }
        let early = ended.is_some_and(|at| at.duration_since(started) < EARLY);
        if early && !killed && !refused.is_empty() {
            eprintln!(
                "sysfence: {comm} (pid {}) ended right after start; the policy refused {}. If it \
                 failed, the policy may refuse what the program or its loader needs: `sysfence \
                 profile -- COMMAND` or `sysfence run --log-only` show what it uses",
                self.target,
                refused.join(", ")
            );
        }
        // SAFETY: leave the reporter.
        unsafe { libc::_exit(0) }
    }

    /// Reads every record available, one per read.
    fn drain(&self, buf: &mut [u8], mut each: impl FnMut(&str)) {
        loop {
            // SAFETY: reading into our buffer.
            let n = unsafe { libc::read(self.kmsg, buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                let record = &buf[..n as usize];
                let line = record.split(|&b| b == b'\n').next().unwrap_or(&[]);
                each(&String::from_utf8_lossy(line));
                continue;
            }
            // EPIPE: records were overwritten; the next read goes on with the oldest left.
            if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EPIPE) {
                continue;
            }
            return;
        }
    }
}

/// `getppid (rules[0].syscalls[0] (kill_process))`: the syscall and what in the policy gave
/// the logged action. The record has no arguments: when the policy's verdict for the call
/// without them is another action (a rule with conditions decided), that is said instead.
fn refusal(policy: &Filter, e: &sysfence::audit::SeccompEvent, action: Action) -> String {
    let name = e
        .syscall_name
        .clone()
        .or_else(|| e.syscall.map(|n| format!("syscall {n}")))
        .unwrap_or_else(|| "a system call".to_string());
    let Some(nr) = e.syscall else {
        return format!("{name} ({action})");
    };
    // The kernel logs the action without its data (no errno number): compared by kind.
    let same = |a: Action| std::mem::discriminant(&a) == std::mem::discriminant(&action);
    match policy.explain(&nr.to_string(), &[], e.arch) {
        Ok(x) if same(x.verdict.action) && x.decided_by == "default_action" => {
            format!("{name} (default_action: {})", x.verdict.action)
        }
        Ok(x) if same(x.verdict.action) => format!("{name} ({})", x.decided_by),
        _ => format!(
            "{name} ({action}, by a rule with conditions on its arguments, or the terminal guard)"
        ),
    }
}
