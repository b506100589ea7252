// SPDX-License-Identifier: MIT OR Apache-2.0
//! A real overrun of `/dev/kmsg`: `sysfence audit --follow` is stopped while more than the
//! kernel's whole ring buffer is written to the log, then let go. Its next read gets EPIPE
//! from the kernel, and it must say how many records were lost and go on reading.
//!
//! In a test binary of its own: it floods the kernel log, which the kmsg tests in other files
//! read (cargo runs test binaries one after another, the tests of one binary side by side).

mod support;

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::sysfence_command;

const DEVKMSG: &str = "/proc/sys/kernel/printk_devkmsg";

/// Puts `printk_devkmsg` back as it was, whatever happens in the test.
struct Restore(String);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::write(DEVKMSG, format!("{}\n", self.0));
    }
}

/// The `sysfence audit` child, continued and killed whatever happens in the test (a panic
/// between SIGSTOP and SIGCONT would otherwise leave it stopped for ever).
struct Reap(std::process::Child);

impl Drop for Reap {
    fn drop(&mut self) {
        // SAFETY: plain signals to our own child.
        unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGCONT) };
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The kernel's ring buffer size in bytes (`dmesg` reads it through syslog(2)).
fn ring_buffer_bytes() -> usize {
    // SAFETY: SYSLOG_ACTION_SIZE_BUFFER (10) reads no memory.
    let n = unsafe { libc::klogctl(10, std::ptr::null_mut(), 0) };
    usize::try_from(n).unwrap_or(0).max(1 << 20)
}

#[test]
fn a_real_kmsg_overrun_is_reported_with_the_records_lost_and_reading_goes_on() {
    if std::fs::File::open("/dev/kmsg").is_err() {
        eprintln!("skipped: /dev/kmsg is not readable here");
        return;
    }
    // Writes from user space are rate-limited (a few lines per interval) unless
    // printk_devkmsg is "on"; root can switch it for the test.
    let Ok(before) = std::fs::read_to_string(DEVKMSG) else {
        eprintln!("skipped: {DEVKMSG} is not readable here");
        return;
    };
    let before = before.trim().to_string();
    // The kernel takes the value only with its newline (it checks the length it parsed + 1).
    if std::fs::write(DEVKMSG, "on\n").is_err() {
        eprintln!(
            "skipped: cannot switch {DEVKMSG} (not root, or locked on the kernel command line)"
        );
        return;
    }
    let _restore = Restore(before);

    let mut child = Reap(
        sysfence_command(&["audit", "--follow", "/dev/kmsg", "--format", "text"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sysfence audit --follow"),
    );
    let pid = child.0.id() as libc::pid_t;
    // Let it open /dev/kmsg and seek to the end, and read one marker record so that it has a
    // sequence number to count from.
    let mut kmsg = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/kmsg")
        .expect("open /dev/kmsg for writing");
    std::thread::sleep(Duration::from_millis(500));
    kmsg.write_all(b"<6>sysfence-overrun-test: before\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: plain signal to our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);

    // More than the whole ring buffer, in records of 900 bytes (the kernel's line limit is
    // about 1 KiB): everything the stopped reader has not read is overwritten.
    let line = format!("<6>sysfence-overrun-test: {}\n", "x".repeat(900));
    let records = 2 * ring_buffer_bytes() / line.len() + 100;
    for _ in 0..records {
        kmsg.write_all(line.as_bytes()).unwrap();
    }
    kmsg.write_all(b"<6>sysfence-overrun-test: after\n")
        .unwrap();
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGCONT) }, 0);

    // It reads the oldest record left, says how many were lost, and goes on.
    let mut stderr = child.0.stderr.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    // SAFETY: F_SETFL on a pipe we own.
    unsafe {
        use std::os::fd::AsRawFd;
        libc::fcntl(stderr.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK);
    }
    while Instant::now() < deadline && !text.contains("records lost") {
        match stderr.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let alive = child.0.try_wait().unwrap().is_none();
    drop(child);
    assert!(
        alive,
        "sysfence audit --follow stopped after the overrun: {text}"
    );
    let lost: u64 = text
        .split("overran the reader: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of lost records on stderr: {text}"));
    eprintln!("{records} records written; sysfence said: {text}");
    // At least what did not fit: the records written minus what a buffer of that size holds.
    let held = ring_buffer_bytes() / line.len();
    assert!(
        lost as usize + held >= records,
        "{lost} lost of {records} written into a buffer holding about {held}: {text}"
    );
}
