// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence audit --summary`: violations grouped by executable, syscall and action, the quick
//! answer to "what would this policy have broken?" after a log-mode run.

use super::text::{ArchLabel, SyscallLabel};
use super::SeccompEvent;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// One group of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The executable (`exe`), or the thread name (`comm`) when the record has no path.
    pub executable: String,
    /// The syscall name (`#number` when unknown on the architecture).
    pub syscall: String,
    /// The architecture name.
    pub arch: String,
    /// The action label (`log`, `errno`, `kill_process`, ...).
    pub action: String,
    /// How many records.
    pub count: u64,
    /// How many distinct processes.
    pub processes: usize,
}

type Key = (String, String, String, String);

/// Counts events by (executable, syscall, architecture, action), and the lines skipped.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    groups: BTreeMap<Key, (u64, BTreeSet<u32>)>,
    events: u64,
    skipped: u64,
    filtered: u64,
    lost: super::LossTally,
}

impl Summary {
    /// An empty summary.
    pub fn new() -> Summary {
        Summary::default()
    }

    /// Counts one event.
    pub fn add(&mut self, event: &SeccompEvent) {
        let executable = event
            .exe
            .clone()
            .or_else(|| event.comm.clone())
            .unwrap_or_else(|| "?".to_string());
        let action = event.action_label().unwrap_or_else(|| "?".to_string());
        let key = (
            executable,
            SyscallLabel(event).to_string(),
            ArchLabel(event).to_string(),
            action,
        );
        let group = self.groups.entry(key).or_default();
        group.0 += 1;
        if let Some(pid) = event.pid {
            group.1.insert(pid);
        }
        self.events += 1;
    }

    /// Counts one line that held no seccomp record.
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    /// Parses `line` and counts it: an event, a line saying records were lost, or a skipped
    /// line (blank lines are not counted). Returns the event.
    pub fn add_line(&mut self, line: &str) -> Option<SeccompEvent> {
        self.add_line_where(line, &super::EventFilter::default())
    }

    /// [`Summary::add_line`], counting only the events `filter` keeps (the others are
    /// counted as filtered out). Returns the event kept.
    pub fn add_line_where(
        &mut self,
        line: &str,
        filter: &super::EventFilter,
    ) -> Option<SeccompEvent> {
        match super::parse_line(line) {
            Some(event) if filter.matches(&event) => {
                self.add(&event);
                Some(event)
            }
            Some(_) => {
                self.filtered += 1;
                None
            }
            None => {
                if let Some(loss) = super::parse_loss(line) {
                    self.lost.add(&loss);
                } else if !line.trim().is_empty() {
                    self.skip();
                }
                None
            }
        }
    }

    /// Events counted.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Lines skipped: not seccomp records (nor lines saying records were lost).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// What the log says was lost.
    pub fn lost(&self) -> &super::LossTally {
        &self.lost
    }

    /// Counts records a reader lost itself (a `/dev/kmsg` overrun).
    pub fn add_overrun(&mut self, records: u64) {
        self.lost.add_overrun(records);
    }

    /// The groups, by executable, then syscall, architecture and action.
    pub fn rows(&self) -> Vec<SummaryRow> {
        self.groups
            .iter()
            .map(
                |((executable, syscall, arch, action), (count, pids))| SummaryRow {
                    executable: executable.clone(),
                    syscall: syscall.clone(),
                    arch: arch.clone(),
                    action: action.clone(),
                    count: *count,
                    processes: pids.len(),
                },
            )
            .collect()
    }

    /// The table, one line per group, and a closing line with the totals.
    pub fn render(&self) -> String {
        const HEADERS: [&str; 6] = ["EXECUTABLE", "SYSCALL", "ARCH", "ACTION", "COUNT", "PIDS"];
        let rows: Vec<[String; 6]> = self
            .rows()
            .into_iter()
            .map(|r| {
                [
                    r.executable,
                    r.syscall,
                    r.arch,
                    r.action,
                    r.count.to_string(),
                    r.processes.to_string(),
                ]
            })
            .collect();
        let mut widths = HEADERS.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: [&str; 6]| {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths[i] - cell.chars().count();
                if i >= 4 {
                    let _ = write!(text, "{}{cell}  ", " ".repeat(pad));
                } else {
                    let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        if !rows.is_empty() {
            line(HEADERS);
            for row in &rows {
                line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
            }
        }
        let _ = writeln!(
            out,
            "{} seccomp event{} in {} group{}; {} line{} skipped (not seccomp records)",
            self.events,
            plural(self.events),
            rows.len(),
            plural(rows.len() as u64),
            self.skipped,
            plural(self.skipped),
        );
        if self.filtered > 0 {
            let _ = writeln!(
                out,
                "{} event{} left out by the filters",
                self.filtered,
                plural(self.filtered)
            );
        }
        if let Some(w) = self.lost.warning() {
            let _ = writeln!(out, "{w}");
        }
        out
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
