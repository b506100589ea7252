// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence ps`: every process with its seccomp state, the `grep Seccomp /proc/*/status` and
//! `ps` of the seed in one command.

use crate::commands::ListArgs;
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

/// One line of `ps`: a process and its seccomp state, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The process id.
    pub pid: u32,
    /// The state from `/proc/PID/status`, or the reason it could not be read.
    pub state: Result<sysfence::Status, String>,
    /// The command line (`[name]` for kernel threads), `None` when unreadable.
    pub command: Option<String>,
}

impl Entry {
    /// The JSON object `ps --json` prints: `pid`, `mode`, `filters`, `no_new_privs`, `command`,
    /// and for an unreadable process `mode: "unreadable"` with the `error`.
    pub fn to_json(&self) -> Value {
        match &self.state {
            Ok(s) => json!({
                "pid": self.pid,
                "mode": s.mode,
                "filters": s.filters,
                "no_new_privs": s.no_new_privs,
                "command": self.command,
            }),
            Err(e) => json!({
                "pid": self.pid,
                "mode": "unreadable",
                "filters": null,
                "no_new_privs": null,
                "command": self.command,
                "error": e,
            }),
        }
    }

    /// One line of the table.
    pub fn to_line(&self) -> String {
        let command = self.command.as_deref().unwrap_or("?");
        match &self.state {
            Ok(s) => format!(
                "{:>7}  {:<10} {:>7}  {:<3}  {command}",
                self.pid,
                s.mode,
                s.filters.map_or("?".to_string(), |n| n.to_string()),
                if s.no_new_privs { "yes" } else { "no" },
            ),
            Err(e) => format!(
                "{:>7}  {:<10} {:>7}  {:<3}  {command} ({e})",
                self.pid, "unreadable", "?", "?"
            ),
        }
    }
}

/// The processes under `proc_root` (normally `/proc`), by pid. A process that exits while it is
/// being read is left out (it no longer exists); one that cannot be read is listed as such.
pub fn entries(proc_root: &str) -> Result<Vec<Entry>, std::io::Error> {
    let mut pids: Vec<u32> = std::fs::read_dir(proc_root)?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    Ok(pids
        .into_iter()
        .filter_map(|pid| entry(proc_root, pid))
        .collect())
}

/// Whether a read failed because the process is gone (it exited meanwhile).
fn gone(errno: Option<i32>) -> bool {
    matches!(errno, Some(libc::ENOENT | libc::ESRCH))
}

fn entry(proc_root: &str, pid: u32) -> Option<Entry> {
    let dir = format!("{proc_root}/{pid}");
    let status_path = format!("{dir}/status");
    let state = match sysfence::ProcStatus::read_file(&status_path) {
        Ok(status) => status.seccomp().ok_or_else(|| {
            "no Seccomp line in its status (kernel without CONFIG_SECCOMP)".to_string()
        }),
        Err(sysfence::Error::Io { errno, message, .. }) => {
            if gone(errno) {
                return None;
            }
            Err(message)
        }
        Err(e) => Err(e.to_string()),
    };
    let command = match std::fs::read(format!("{dir}/cmdline")) {
        Ok(bytes) if !bytes.is_empty() => Some(
            bytes
                .strip_suffix(b"\0")
                .unwrap_or(&bytes)
                .split(|b| *b == 0)
                .map(String::from_utf8_lossy)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        // Kernel threads (and zombies) have an empty command line: their name, as ps shows it.
        Ok(_) => std::fs::read_to_string(format!("{dir}/comm"))
            .ok()
            .map(|c| format!("[{}]", c.trim_end())),
        Err(e) if gone(e.raw_os_error()) && state.is_ok() => return None,
        Err(_) => None,
    };
    Some(Entry {
        pid,
        state,
        command,
    })
}

/// `sysfence ps [--json]`.
pub fn ps(a: &ListArgs) -> ExitCode {
    let list = match entries("/proc") {
        Ok(l) => l,
        Err(e) => {
            return crate::output::fail(
                &sysfence::Error::Io {
                    path: "/proc".into(),
                    errno: e.raw_os_error(),
                    message: e.to_string(),
                },
                a.json,
            )
        }
    };
    // `sysfence ps | head` closes the pipe early: stop writing then, without a panic.
    let mut out = std::io::stdout().lock();
    let _ = if a.json {
        writeln!(
            out,
            "{}",
            Value::Array(list.iter().map(Entry::to_json).collect())
        )
    } else {
        writeln!(
            out,
            "{:>7}  {:<10} {:>7}  {:<3}  COMMAND",
            "PID", "SECCOMP", "FILTERS", "NNP"
        )
        .and_then(|_| {
            list.iter()
                .try_for_each(|e| writeln!(out, "{}", e.to_line()))
        })
    };
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_proc(files: &[(&str, &str)]) -> String {
        let root = std::env::temp_dir().join(format!(
            "sysfence-ps-{}-{}",
            std::process::id(),
            files.len()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        root.to_string_lossy().to_string()
    }

    #[test]
    fn lists_states_command_lines_and_unreadable_processes() {
        let root = fake_proc(&[
            (
                "7/status",
                "Name:\tsleep\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t2\n",
            ),
            ("7/cmdline", "sleep\x005\x00"),
            (
                "12/status",
                "Name:\tkthreadd\nNoNewPrivs:\t0\nSeccomp:\t0\n",
            ),
            ("12/cmdline", ""),
            ("12/comm", "kthreadd\n"),
            // A directory with no status file stands for a process we may not read.
            ("30/cmdline", "x\x00"),
            ("self/status", "not a pid"),
        ]);
        // 30/status missing reads as ENOENT: a process that exited meanwhile is left out.
        let list = entries(&root).unwrap();
        assert_eq!(list.iter().map(|e| e.pid).collect::<Vec<_>>(), [7, 12]);
        assert_eq!(
            list[0].to_json(),
            json!({"pid":7,"mode":"filter","filters":2,"no_new_privs":true,"command":"sleep 5"})
        );
        assert_eq!(list[1].command.as_deref(), Some("[kthreadd]"));
        assert_eq!(list[1].to_json()["filters"], Value::Null);

        // An unreadable status (a directory in its place gives EISDIR) is listed as such.
        std::fs::create_dir_all(format!("{root}/30/status")).unwrap();
        let list = entries(&root).unwrap();
        let e = list.iter().find(|e| e.pid == 30).unwrap();
        assert_eq!(e.to_json()["mode"], "unreadable");
        assert!(e.to_json()["error"].as_str().unwrap().contains("directory"));
        assert_eq!(e.command.as_deref(), Some("x"));
        assert!(e.to_line().contains("unreadable"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
