// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence profile --from-audit LOG [--policy BASE] [--exe PATH]`: learning from production.
//!
//! A policy run in log mode (`sysfence run --log-only`, `"mode": "log"`) lets every call through
//! and the kernel writes a seccomp record (`action` `log`) for each call the policy would have
//! refused. This reads those records (every form `sysfence audit` reads, parsed by
//! `sysfence::audit::parse_line`) and writes BASE plus an `allow` rule for what they show was
//! needed, or, without BASE, a new policy as `profile` writes one.
//!
//! Records of calls an enforced policy refused (`errno`, `kill_*`, `trap`) are not learned: a
//! refusal in production is either an attack stopped or a bug, not a need. A call BASE refuses
//! with a rule of its own, or allows only under argument conditions (records carry no
//! arguments), is not added either; the summary says so.

use crate::output::{fail, read_policy_text};
use crate::profile::{generate, write_output, Call, Profile, Setup};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;
use sysfence::audit::{parse_line, SeccompEvent};
use sysfence::{Action, Arch, Error, Mode, Policy};

const KMSG: &str = "/dev/kmsg";

/// What the log held.
#[derive(Default)]
struct Learned {
    /// Log-mode records used: (arch, syscall) -> executable -> count.
    calls: BTreeMap<(usize, String), (Arch, BTreeMap<String, u64>)>,
    /// Records of calls an enforced policy refused, not learned.
    refused: u64,
    /// Records of other executables (with --exe).
    other_exes: BTreeSet<String>,
    /// Records whose syscall number has no name.
    unknown: Vec<String>,
    /// Lines that are not seccomp records.
    skipped: u64,
    /// Lines saying the kernel dropped records (the detector `sysfence audit` uses too).
    dropped: sysfence::audit::LossTally,
    records: u64,
}

/// True for a line that claims to be a seccomp record.
fn looks_like_record(line: &str) -> bool {
    line.contains("type=1326") || line.contains("type=SECCOMP") || line.contains(" SECCOMP ")
}

impl Learned {
    fn line(&mut self, number: usize, line: &str, exe: Option<&str>) -> Result<(), String> {
        if let Some(loss) = sysfence::audit::parse_loss(line) {
            self.dropped.add(&loss);
            return Ok(());
        }
        let event = match parse_line(line) {
            Some(e) => e,
            None if looks_like_record(line) => {
                return Err(format!(
                "line {number}: a seccomp record that cannot be read (truncated or garbled): {}",
                line.chars().take(120).collect::<String>()
            ))
            }
            None => {
                if !line.trim().is_empty() {
                    self.skipped += 1;
                }
                return Ok(());
            }
        };
        self.records += 1;
        self.event(number, &event, exe)
    }

    fn event(&mut self, number: usize, e: &SeccompEvent, exe: Option<&str>) -> Result<(), String> {
        let program = e.exe.clone().unwrap_or_else(|| "?".into());
        if exe.is_some_and(|want| want != program) {
            self.other_exes.insert(program);
            return Ok(());
        }
        match e.action {
            Some(Action::Log) => {}
            Some(_) => {
                self.refused += 1;
                return Ok(());
            }
            None => {
                return Err(format!(
                    "line {number}: a seccomp record without its action (code=)"
                ))
            }
        }
        let (Some(arch), Some(nr)) = (e.arch, e.syscall) else {
            return Err(format!(
                "line {number}: a seccomp record without its architecture or syscall number"
            ));
        };
        let Some(name) = e.syscall_name.clone() else {
            self.unknown.push(format!("{arch} nr {nr} ({program})"));
            return Ok(());
        };
        let entry = self
            .calls
            .entry((crate::profile::arch_rank(arch), name))
            .or_insert_with(|| (arch, BTreeMap::new()));
        *entry.1.entry(program).or_default() += 1;
        Ok(())
    }
}

/// Reads every line of LOG (a file, `-`, or `/dev/kmsg`'s buffer).
fn read_log(log: &str, exe: Option<&str>) -> Result<Learned, String> {
    let mut learned = Learned::default();
    let mut number = 0;
    let cannot = |e: std::io::Error| format!("cannot read {log}: {e}");
    let mut handle = |bytes: &[u8], learned: &mut Learned| -> Result<(), String> {
        number += 1;
        if bytes.contains(&0) && looks_like_record(&String::from_utf8_lossy(bytes)) {
            return Err(format!(
                "line {number}: a seccomp record with NUL bytes in it"
            ));
        }
        learned.line(number, &String::from_utf8_lossy(bytes), exe)
    };
    if log == KMSG {
        let mut kmsg = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(KMSG)
            .map_err(cannot)?;
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match kmsg.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let record = buf[..n].split(|&b| b == b'\n').next().unwrap_or(&[]);
                    handle(record, &mut learned)?;
                }
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => {
                    learned.dropped.add_overrun(0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(cannot(e)),
            }
        }
        return Ok(learned);
    }
    let mut reader: Box<dyn BufRead> = if log == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(log).map_err(cannot)?,
        ))
    };
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => handle(&buf, &mut learned)?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cannot(e)),
        }
    }
    Ok(learned)
}

use std::os::unix::fs::OpenOptionsExt;

/// What BASE does with a learned call.
enum Verdict {
    /// Already allowed (by a rule or the default).
    Allowed,
    /// Refused by the default action: learn it.
    Add,
    /// Refused by a rule of its own: not re-allowed.
    RefusedByRule(String),
    /// Decided by argument conditions, which records do not carry.
    Conditional,
}

fn verdict(base: &Policy, name: &str) -> Verdict {
    let rules: Vec<_> = base
        .effective_rules()
        .into_iter()
        .filter(|r| r.syscall == name)
        .collect();
    if rules.iter().any(|r| !r.args.is_empty()) {
        return Verdict::Conditional;
    }
    match rules.first() {
        Some(r) if r.written_action.lets_through() => Verdict::Allowed,
        Some(r) => Verdict::RefusedByRule(format!("{} ({})", r.origin, r.written_action)),
        None if base.default_action().lets_through() => Verdict::Allowed,
        None => Verdict::Add,
    }
}

/// `profile --from-audit`.
pub fn from_audit(a: &crate::profile::ProfileArgs, setup: &Setup) -> ExitCode {
    let log = a.from_audit.as_deref().expect("from_audit is set");
    if a.policy.is_some() && a.format == crate::profile::ProfileFormat::Oci {
        return fail(
            &Error::InvalidArgument(
                "--format oci with --policy: the result is BASE, a sysfence policy, extended"
                    .into(),
            ),
            false,
        );
    }
    let base = match &a.policy {
        None => None,
        Some(file) => {
            let located = |e: Error| match e {
                Error::Policy(mut diags) => {
                    for d in &mut diags {
                        d.path = format!("--policy {file}: {}", d.path);
                    }
                    Error::Policy(diags)
                }
                other => other,
            };
            let text = match read_policy_text(file) {
                Ok(t) => t,
                Err(e) => return fail(&e, false),
            };
            match (
                Policy::from_json(&text).map_err(located),
                serde_json::from_str::<Value>(&text),
            ) {
                (Ok(p), Ok(v)) => Some((p, v)),
                (Err(e), _) => return fail(&e, false),
                (_, Err(e)) => return fail(&Error::InvalidArgument(e.to_string()), false),
            }
        }
    };
    let learned = match read_log(log, a.exe.as_deref()) {
        Ok(l) => l,
        Err(message) => {
            eprintln!("sysfence: profile --from-audit: {message}; no policy written");
            return ExitCode::from(1);
        }
    };
    if learned.calls.is_empty() && base.is_none() {
        eprintln!(
            "sysfence: profile --from-audit: no log-mode seccomp records in {log} ({} seccomp \
             records, {} other lines): nothing to learn; no policy written",
            learned.records, learned.skipped
        );
        return ExitCode::from(1);
    }
    let result = match &base {
        None => {
            let calls: Vec<Call> = learned
                .calls
                .iter()
                .map(|((_, name), (arch, exes))| Call {
                    arch: *arch,
                    name: name.clone(),
                    count: exes.values().sum(),
                    programs: exes.keys().cloned().collect(),
                })
                .collect();
            let mut profile = Profile::of_calls(calls, learned.unknown.clone(), &setup.merged);
            generate(&mut profile, setup).map(|t| (t, Vec::new()))
        }
        Some((policy, value)) => extend_base(policy, value.clone(), &learned),
    };
    let (text, notes) = match result {
        Ok(r) => r,
        Err(e) => {
            fail(&e, false);
            eprintln!("sysfence: profile --from-audit: no policy written");
            return ExitCode::from(1);
        }
    };
    summary(&learned, log, &notes, a.exe.as_deref());
    if let Err(e) = write_output(setup.output.as_deref(), &text) {
        eprintln!("sysfence: profile --from-audit: {e}; no policy written");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// BASE plus one `allow` rule for the calls it refused by default, and the ABIs the records
/// came through. Returns the text and notes for the summary.
fn extend_base(
    base: &Policy,
    mut value: Value,
    learned: &Learned,
) -> Result<(String, Vec<String>), Error> {
    let enforced = base.with_mode(Mode::Enforce)?;
    let mut add: BTreeSet<String> = BTreeSet::new();
    let mut notes = Vec::new();
    let mut arches = base.target_arches();
    let mut new_arches = Vec::new();
    for ((_, name), (arch, _)) in &learned.calls {
        if !arches.contains(arch) {
            arches.push(*arch);
            new_arches.push(*arch);
        }
        match verdict(&enforced, name) {
            Verdict::Add => {
                add.insert(name.clone());
            }
            Verdict::Allowed => {}
            Verdict::RefusedByRule(by) => notes.push(format!(
                "{name}: not added, BASE refuses it with a rule of its own: {by}"
            )),
            Verdict::Conditional => notes.push(format!(
                "{name}: not added, BASE allows it only under argument conditions and records \
                 carry no arguments: re-profile with --args, or add it by hand"
            )),
        }
    }
    if !new_arches.is_empty() {
        arches.sort_by_key(|a| crate::profile::arch_rank(*a));
        value["architectures"] = json!(arches.iter().map(|a| a.name()).collect::<Vec<_>>());
        notes.push(format!(
            "architectures: added {}",
            new_arches
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !add.is_empty() {
        let count: u64 = learned
            .calls
            .iter()
            .filter(|((_, n), _)| add.contains(n))
            .map(|(_, (_, exes))| exes.values().sum::<u64>())
            .sum();
        let rule = json!({
            "action": "allow",
            "comment": format!("learned from {count} log-mode seccomp records"),
            "syscalls": add.iter().collect::<Vec<_>>(),
        });
        match value.get_mut("rules").and_then(Value::as_array_mut) {
            Some(rules) => rules.push(rule),
            None => value["rules"] = json!([rule]),
        }
    } else {
        notes.push("nothing to add: BASE already allows every call the records show".into());
    }
    if base.mode() == Mode::Log {
        notes.push(
            "BASE is in log mode (\"mode\": \"log\"): it still only logs; set \"enforce\" to enforce"
                .into(),
        );
    }
    let policy = Policy::from_value(&value)?;
    policy.compile()?;
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value always serialises");
    text.push('\n');
    Ok((text, notes))
}

fn summary(learned: &Learned, log: &str, notes: &[String], exe: Option<&str>) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{:<40} {:<24} {:<7} {:>6}",
        "EXECUTABLE", "SYSCALL", "ABI", "COUNT"
    );
    let mut rows: Vec<(&str, &str, Arch, u64)> = Vec::new();
    for ((_, name), (arch, exes)) in &learned.calls {
        for (program, count) in exes {
            rows.push((program, name, *arch, *count));
        }
    }
    rows.sort_by(|a, b| (a.0, a.1, a.2.name()).cmp(&(b.0, b.1, b.2.name())));
    let programs: BTreeSet<&str> = rows.iter().map(|r| r.0).collect();
    for (program, name, arch, count) in &rows {
        let _ = writeln!(
            err,
            "{program:<40} {name:<24} {:<7} {count:>6}",
            arch.name()
        );
    }
    let _ = writeln!(
        err,
        "sysfence profile --from-audit: {} syscalls from {} log-mode records of {} executable{} in {log}",
        learned.calls.len(),
        learned.calls.values().map(|(_, e)| e.values().sum::<u64>()).sum::<u64>(),
        programs.len(),
        if programs.len() == 1 { "" } else { "s" }
    );
    if programs.len() > 1 && exe.is_none() {
        let _ = writeln!(
            err,
            "  note: the records of every executable are learned together; --exe PATH takes one"
        );
    }
    if !learned.other_exes.is_empty() {
        let _ = writeln!(
            err,
            "  records of {} other executable(s) left out (--exe)",
            learned.other_exes.len()
        );
    }
    if learned.refused > 0 {
        let _ = writeln!(
            err,
            "  {} records of calls an enforced policy refused: not learned (a refusal is an \
             attack stopped or a bug, not a need)",
            learned.refused
        );
    }
    for u in &learned.unknown {
        let _ = writeln!(
            err,
            "  warning: {u} has no name in libseccomp's tables: not learned"
        );
    }
    for n in notes {
        let _ = writeln!(err, "  {n}");
    }
    if let Some(w) = learned.dropped.warning() {
        let _ = writeln!(err, "  {w} Calls may be missing from the policy.");
    }
}
