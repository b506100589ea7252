// SPDX-License-Identifier: MIT OR Apache-2.0
//! Which events `sysfence audit` keeps: `--pid`, `--exe`, `--comm`, `--syscall`, `--action`,
//! `--since` and `--until`; and its own ECS output recognised so that it is refused as input.

use super::{SeccompEvent, Timestamp};
use crate::arch::Arch;
use crate::syscalls;

/// The action kinds `--action` takes (`kill` is either kill).
pub const ACTION_KINDS: [&str; 9] = [
    "allow",
    "log",
    "errno",
    "trap",
    "trace",
    "notify",
    "kill_thread",
    "kill_process",
    "kill",
];

/// Conditions an event must meet; each list is "any of", the lists together "all of". An
/// empty filter keeps everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Process ids.
    pub pids: Vec<u32>,
    /// Executables: a full path, or a file name matching the path's last part.
    pub exes: Vec<String>,
    /// Thread names (`comm`).
    pub comms: Vec<String>,
    /// Syscalls by name, or number.
    pub syscalls: Vec<String>,
    /// Action kinds ([`ACTION_KINDS`]).
    pub actions: Vec<String>,
    /// Events at or after this time.
    pub since: Option<Timestamp>,
    /// Events before this time.
    pub until: Option<Timestamp>,
}

impl EventFilter {
    /// True when it keeps everything.
    pub fn is_empty(&self) -> bool {
        *self == EventFilter::default()
    }

    /// Checks the values given by people: action kinds and syscall names exist. Returns the
    /// first problem, in their words.
    pub fn validate(&self) -> Result<(), String> {
        for a in &self.actions {
            if !ACTION_KINDS.contains(&a.as_str()) {
                let near = crate::suggest::nearest(a, ACTION_KINDS.iter().copied())
                    .map(|n| format!("did you mean {n:?}? "))
                    .unwrap_or_default();
                return Err(format!(
                    "--action: unknown action {a:?} ({near}expected one of: {})",
                    ACTION_KINDS.join(", ")
                ));
            }
        }
        for s in &self.syscalls {
            if s.parse::<u32>().is_ok() {
                continue;
            }
            if !Arch::all().any(|a| syscalls::resolve(s, a).exists()) {
                let known = syscalls::names_of(Arch::native());
                let near = crate::suggest::nearest(s, known.iter().map(String::as_str))
                    .map(|n| format!(" (did you mean {n:?}?)"))
                    .unwrap_or_default();
                return Err(format!("--syscall: unknown syscall {s:?}{near}"));
            }
        }
        if let (Some(a), Some(b)) = (self.since, self.until) {
            if a >= b {
                return Err(format!("--since {a} is not before --until {b}"));
            }
        }
        Ok(())
    }

    /// True when `event` meets every condition. An event without the field a condition
    /// tests (no pid, no time in journald's form) does not meet it.
    pub fn matches(&self, event: &SeccompEvent) -> bool {
        fn any<T>(list: &[T], f: impl Fn(&T) -> bool) -> bool {
            list.is_empty() || list.iter().any(f)
        }
        any(&self.pids, |p| event.pid == Some(*p))
            && any(&self.exes, |x| {
                event.exe.as_deref().is_some_and(|exe| {
                    exe == x || (!x.contains('/') && exe.rsplit('/').next() == Some(x.as_str()))
                })
            })
            && any(&self.comms, |c| event.comm.as_deref() == Some(c.as_str()))
            && any(&self.syscalls, |s| match s.parse::<u32>() {
                Ok(n) => event.syscall == Some(n),
                Err(_) => event.syscall_name.as_deref() == Some(s.as_str()),
            })
            && any(&self.actions, |a| {
                let Some(label) = event.action_label() else {
                    return false;
                };
                let kind = label.split(':').next().unwrap_or("");
                kind == a || (a == "kill" && kind.starts_with("kill_"))
            })
            && self
                .since
                .is_none_or(|t| event.timestamp.is_some_and(|e| e >= t))
            && self
                .until
                .is_none_or(|t| event.timestamp.is_some_and(|e| e < t))
    }
}

/// Parses a time for `--since`/`--until`: RFC 3339 (`2026-11-28T00:48:47Z`,
/// `2026-11-28T01:48:47.5+01:00`), a date and time without zone (UTC: `2026-11-28 00:48`), a
/// date (`2026-11-28`, its start in UTC), or Unix seconds (`@1795826927`).
pub fn parse_time(text: &str) -> Result<Timestamp, String> {
    let bad = || {
        format!(
            "{text:?} is not a time (write 2026-11-28T00:48:47Z, 2026-11-28 00:48 (UTC), \
             2026-11-28, or @UNIX_SECONDS)"
        )
    };
    let t = text.trim();
    if let Some(secs) = t.strip_prefix('@') {
        return secs
            .parse::<u64>()
            .map(|secs| Timestamp { secs, millis: 0 })
            .map_err(|_| bad());
    }
    let num = |s: &str| -> Result<u64, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (date, time) = match t.split_once(['T', 't', ' ']) {
        Some((d, rest)) => (d, Some(rest)),
        None => (t, None),
    };
    let mut d = date.split('-');
    let (y, m, day) = (
        num(d.next().unwrap_or(""))?,
        num(d.next().unwrap_or(""))?,
        num(d.next().unwrap_or(""))?,
    );
    if d.next().is_some() || !(1970..=9999).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    if day < 1 || day > days_in_month(y, m) {
        return Err(bad());
    }
    let mut secs = days_from_civil(y, m, day) * 86_400;
    let mut millis = 0u16;
    if let Some(time) = time {
        // The zone: Z, +HH:MM or -HH:MM at the end; none is UTC.
        let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
            (c, 0i64)
        } else if let Some(at) = time.rfind(['+', '-']) {
            let (c, z) = time.split_at(at);
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (hh, mm) = z[1..].split_once(':').ok_or_else(bad)?;
            let (hh, mm) = (num(hh)?, num(mm)?);
            if hh > 23 || mm > 59 {
                return Err(bad());
            }
            (c, sign * (hh * 3600 + mm * 60) as i64)
        } else {
            (time, 0)
        };
        let (hms, frac) = match clock.split_once('.') {
            Some((hms, f)) => (hms, Some(f)),
            None => (clock, None),
        };
        let mut parts = hms.split(':');
        let h = num(parts.next().unwrap_or(""))?;
        let mi = num(parts.next().unwrap_or(""))?;
        let s = match parts.next() {
            Some(s) => num(s)?,
            None => 0,
        };
        if parts.next().is_some() || h > 23 || mi > 59 || s > 60 {
            return Err(bad());
        }
        if let Some(f) = frac {
            let digits = num(f)?;
            let scale = 10u64.pow(f.len().min(18) as u32);
            millis = (digits * 1000 / scale) as u16;
        }
        let local = (secs + h * 3600 + mi * 60 + s) as i64;
        secs = u64::try_from(local - offset).map_err(|_| bad())?;
    }
    Ok(Timestamp { secs, millis })
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`), for years from 1970.
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// True for a line of `sysfence audit`'s own ECS output (or any ECS document it would
/// write), which is not a kernel log line: reading it back would find records quoted inside
/// `event.original` and misreport them, so `sysfence audit` refuses it.
pub fn is_own_ecs_output(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('{')
        && t.contains("\"ecs\"")
        && (t.contains("\"violated-seccomp-policy\"") || t.contains("\"audit-records-lost\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = |s| parse_time(s).map(|t| (t.secs, t.millis));
        assert_eq!(t("1970-01-01"), Ok((0, 0)));
        assert_eq!(t("2026-11-28T00:48:47.796Z"), Ok((1795826927, 796)));
        assert_eq!(t("2026-11-28T01:48:47.796+01:00"), Ok((1795826927, 796)));
        assert_eq!(t("2026-11-28 00:48"), Ok((1795826880, 0)));
        assert_eq!(t("2024-02-29"), Ok((1709164800, 0)));
        assert_eq!(t("@1795826927"), Ok((1795826927, 0)));
        for bad in [
            "yesterday",
            "2023-02-29",
            "2026-13-01",
            "2026-11-28T25:00",
            "@x",
            "",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters() {
        let e = crate::audit::parse_line(
            r#"audit: type=1326 audit(1603120490.865:8): pid=1376 comm="nc" exe="/usr/bin/nc.traditional" sig=31 arch=c000003e syscall=49 compat=0 ip=0x1 code=0x0"#,
        )
        .unwrap();
        let keeps = |f: EventFilter| f.matches(&e);
        assert!(keeps(EventFilter::default()));
        assert!(keeps(EventFilter {
            pids: vec![9, 1376],
            ..Default::default()
        }));
        assert!(!keeps(EventFilter {
            pids: vec![9],
            ..Default::default()
        }));
        assert!(keeps(EventFilter {
            exes: vec!["nc.traditional".into()],
            ..Default::default()
        }));
        assert!(!keeps(EventFilter {
            exes: vec!["/bin/nc.traditional".into()],
            ..Default::default()
        }));
        assert!(keeps(EventFilter {
            syscalls: vec!["bind".into()],
            ..Default::default()
        }));
        assert!(keeps(EventFilter {
            syscalls: vec!["49".into()],
            ..Default::default()
        }));
        assert!(keeps(EventFilter {
            actions: vec!["kill".into()],
            ..Default::default()
        }));
        assert!(keeps(EventFilter {
            actions: vec!["kill_thread".into()],
            ..Default::default()
        }));
        assert!(!keeps(EventFilter {
            actions: vec!["log".into()],
            ..Default::default()
        }));
        let at = |s| Some(parse_time(s).unwrap());
        assert!(keeps(EventFilter {
            since: at("2020-10-19"),
            until: at("2020-10-20"),
            ..Default::default()
        }));
        assert!(!keeps(EventFilter {
            since: at("2020-10-20"),
            ..Default::default()
        }));
        assert!(EventFilter {
            actions: vec!["kil".into()],
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .contains("\"kill\""));
        assert!(EventFilter {
            syscalls: vec!["bnid".into()],
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .contains("bind"));
    }
}
