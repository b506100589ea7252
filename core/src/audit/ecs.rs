//! The Elastic Common Schema (ECS) document of an event: the fields auditbeat sets for a
//! `SECCOMP` record, the record's own fields under `auditd.data`, and the decoded values under
//! `seccomp.*`. Fields the record lacks are left out, never `null`. The layout is one borrowed
//! `Serialize` struct: [`SeccompEvent::write_ecs`] streams it, [`SeccompEvent::to_ecs`] makes
//! a `serde_json::Value` of the same.

use super::text::{signal_name, ActionLabel, ArchLabel, OneLine};
use super::{SeccompEvent, Timestamp, UNSET_ID};
use crate::Action;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::fmt;

/// The ECS version the documents follow.
pub const ECS_VERSION: &str = "8.11.0";

/// `event.action` of every document: auditbeat's name for a `SECCOMP` record, so existing
/// dashboards and queries (`event.action: "violated-seccomp-policy"`) find sysfence's events.
pub const EVENT_ACTION: &str = "violated-seccomp-policy";

impl SeccompEvent {
    /// The ECS document. `host.name` is the record's auditd `node=` when it has one (the
    /// machine that wrote it), else `host_name`.
    pub fn to_ecs(&self, host_name: &str) -> serde_json::Value {
        serde_json::to_value(self.ecs(host_name)).unwrap_or_default()
    }

    /// Writes the ECS document as one line of JSON (no newline), without building a
    /// `serde_json::Value` first: what `sysfence audit` prints.
    pub fn write_ecs<W: std::io::Write>(&self, host_name: &str, out: W) -> std::io::Result<()> {
        serde_json::to_writer(out, &self.ecs(host_name)).map_err(std::io::Error::from)
    }

    fn ecs<'a>(&'a self, host_name: &'a str) -> Doc<'a> {
        let (kind, outcome) = match self.action {
            Some(Action::Allow | Action::Log) => ("allowed", "success"),
            Some(Action::Trace(_) | Action::Notify) | None => ("info", "unknown"),
            Some(_) => ("denied", "failure"),
        };
        let known = |id: Option<u32>| id.filter(|&v| v != UNSET_ID).map(Text);
        Doc {
            timestamp: self.timestamp.map(Text),
            message: Text(OneLine(self)),
            ecs: Ecs {
                version: ECS_VERSION,
            },
            event: Event {
                kind: "event",
                module: "sysfence",
                dataset: "sysfence.audit",
                action: EVENT_ACTION,
                category: ["process", "intrusion_detection"],
                kind_of: [kind],
                outcome,
                sequence: self.serial,
                original: &self.raw,
            },
            host: Host {
                name: self.node.as_deref().unwrap_or(host_name),
            },
            process: Process {
                pid: self.pid,
                name: self.comm.as_deref(),
                executable: self.exe.as_deref(),
            },
            user: User {
                id: self.uid.map(Text),
                name: self.enriched("UID"),
                audit: Id {
                    id: known(self.auid),
                    name: self.enriched("AUID"),
                },
            },
            group: Id {
                id: self.gid.map(Text),
                name: self.enriched("GID"),
            },
            auditd: Auditd {
                data: Data(&self.fields),
                sequence: self.serial,
                session: known(self.ses),
            },
            seccomp: Seccomp {
                syscall: Syscall {
                    name: self.syscall_name.as_deref(),
                    number: self.syscall,
                },
                arch: (self.arch.is_some() || self.arch_raw.is_some())
                    .then_some(Text(ArchLabel(self))),
                action: self.action.map(|a| Text(ActionLabel(a))),
                code: self.code.map(|c| Text(Hex(u64::from(c)))),
                signal: self.sig.and_then(signal_name),
                compat: self.compat,
                ip: self.ip.map(|ip| Text(Hex(ip))),
            },
        }
    }
}

/// Serialises any `Display` value as a JSON string, without an intermediate `String`.
struct Text<T>(T);

impl<T: fmt::Display> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// `0x7ffc0000`
struct Hex(u64);

impl fmt::Display for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// The record's fields as a JSON object (a repeated key keeps its last value).
struct Data<'a>(&'a [(String, String)]);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = self.0;
        let last = |i: usize| !fields[i + 1..].iter().any(|(k, _)| *k == fields[i].0);
        let mut map = s.serialize_map(None)?;
        for (i, (k, v)) in fields.iter().enumerate() {
            if last(i) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

macro_rules! skip_empty {
    ($($name:ident: $($field:ident),+;)+) => {$(
        impl $name<'_> {
            fn is_empty(&self) -> bool {
                $(self.$field.is_none())&&+
            }
        }
    )+};
}

#[derive(Serialize)]
struct Doc<'a> {
    #[serde(rename = "@timestamp", skip_serializing_if = "Option::is_none")]
    timestamp: Option<Text<Timestamp>>,
    message: Text<OneLine<'a>>,
    ecs: Ecs,
    event: Event<'a>,
    host: Host<'a>,
    #[serde(skip_serializing_if = "Process::is_empty")]
    process: Process<'a>,
    #[serde(skip_serializing_if = "User::is_empty")]
    user: User<'a>,
    #[serde(skip_serializing_if = "Id::is_empty")]
    group: Id<'a>,
    auditd: Auditd<'a>,
    seccomp: Seccomp<'a>,
}

#[derive(Serialize)]
struct Ecs {
    version: &'static str,
}

#[derive(Serialize)]
struct Event<'a> {
    kind: &'static str,
    module: &'static str,
    dataset: &'static str,
    action: &'static str,
    category: [&'static str; 2],
    #[serde(rename = "type")]
    kind_of: [&'static str; 1],
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence: Option<u64>,
    original: &'a str,
}

#[derive(Serialize)]
struct Host<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Process<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    executable: Option<&'a str>,
}

#[derive(Serialize)]
struct User<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Text<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Id::is_empty")]
    audit: Id<'a>,
}

impl User<'_> {
    fn is_empty(&self) -> bool {
        self.id.is_none() && self.name.is_none() && self.audit.is_empty()
    }
}

/// `{id, name}` of a user or group.
#[derive(Serialize)]
struct Id<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Text<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize)]
struct Auditd<'a> {
    data: Data<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<Text<u32>>,
}

#[derive(Serialize)]
struct Seccomp<'a> {
    #[serde(skip_serializing_if = "Syscall::is_empty")]
    syscall: Syscall<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arch: Option<Text<ArchLabel<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<Text<ActionLabel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<Text<Hex>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signal: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compat: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<Text<Hex>>,
}

#[derive(Serialize)]
struct Syscall<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<u32>,
}

skip_empty! {
    Process: pid, name, executable;
    Id: id, name;
    Syscall: name, number;
}

/// RFC 3339 in UTC with milliseconds (`2020-10-19T15:14:50.865Z`).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs / 86_400;
        let rem = self.secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            self.millis.min(999)
        )
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_timestamps() {
        let at = |secs, millis| Timestamp { secs, millis }.to_string();
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(1603120490, 865), "2020-10-19T15:14:50.865Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.007Z");
        assert_eq!(at(4_102_444_799, 999), "2099-12-31T23:59:59.999Z");
    }

    #[test]
    fn streamed_and_value_documents_are_the_same() {
        let line = "node=n type=SECCOMP msg=audit(1.5:2): pid=3 a=1 a=2 arch=c000003e syscall=0 code=0x0\u{1d}UID=\"root\"";
        let event = crate::audit::parse_line(line).unwrap();
        let mut text = Vec::new();
        event.write_ecs("h", &mut text).unwrap();
        let streamed: serde_json::Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(streamed, event.to_ecs("h"));
        assert_eq!(streamed["auditd"]["data"]["a"], "2");
        assert_eq!(streamed["user"], serde_json::json!({"name": "root"}));
        assert!(streamed.get("group").is_none());
        assert!(String::from_utf8(text)
            .unwrap()
            .starts_with("{\"@timestamp\":"));
    }
}
