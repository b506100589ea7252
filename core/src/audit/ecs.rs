//! The Elastic Common Schema (ECS) document of an event, shaped as auditbeat's auditd module
//! sends a `SECCOMP` record (go-libaudit's parsing and normalisation): `event.module: auditd`,
//! `auditd.message_type: seccomp`, `auditd.summary.*`, `auditd.data` with names for the
//! architecture, syscall and signal, the ids under `user.*`; then sysfence's own decoded values
//! under `seccomp.*`, and sysfence named as the producer in `agent.*` / `observer.*`. Fields the
//! record lacks are left out, never `null`. The layout is one borrowed `Serialize` struct:
//! [`SeccompEvent::write_ecs`] streams it, [`SeccompEvent::to_ecs`] makes a
//! `serde_json::Value` of the same.

use super::names::{group_name, user_name, Name};
use super::text::{signal_name, ActionLabel, ArchLabel, OneLine};
use super::{SeccompEvent, Timestamp, UNSET_ID};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::fmt;

/// The ECS version the documents follow.
pub const ECS_VERSION: &str = "8.11.0";

/// `event.action` of every document: auditbeat's name for a `SECCOMP` record, so existing
/// dashboards and queries (`event.action: "violated-seccomp-policy"`) find sysfence's events.
pub const EVENT_ACTION: &str = "violated-seccomp-policy";

/// sysfence's version, in `agent.version` and `observer.version`.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a document is made.
#[derive(Debug, Clone, Copy)]
pub struct EcsOptions<'a> {
    /// `host.name` when the record has no auditd `node=`.
    pub host_name: &'a str,
    /// Look uid, gid and auid up in this machine's account database for `user.name`,
    /// `user.group.name`, `user.audit.name` and the summary's actors (names auditd wrote in
    /// the record's `ENRICHED` part are used either way). Off for logs from another machine.
    pub resolve: bool,
}

impl SeccompEvent {
    /// The ECS document, with names only from the record itself (no local lookups).
    /// `host.name` is the record's auditd `node=` when it has one (the machine that wrote it),
    /// else `host_name`.
    pub fn to_ecs(&self, host_name: &str) -> serde_json::Value {
        self.to_ecs_with(EcsOptions {
            host_name,
            resolve: false,
        })
    }

    /// The ECS document made with `options`.
    pub fn to_ecs_with(&self, options: EcsOptions<'_>) -> serde_json::Value {
        serde_json::to_value(self.ecs(options)).unwrap_or_default()
    }

    /// Writes the ECS document ([`to_ecs`](SeccompEvent::to_ecs)) as one line of JSON (no
    /// newline), without building a `serde_json::Value` first.
    pub fn write_ecs<W: std::io::Write>(&self, host_name: &str, out: W) -> std::io::Result<()> {
        self.write_ecs_with(
            EcsOptions {
                host_name,
                resolve: false,
            },
            out,
        )
    }

    /// Writes the ECS document made with `options` as one line of JSON (no newline): what
    /// `sysfence audit` prints.
    pub fn write_ecs_with<W: std::io::Write>(
        &self,
        options: EcsOptions<'_>,
        out: W,
    ) -> std::io::Result<()> {
        serde_json::to_writer(out, &self.ecs(options)).map_err(std::io::Error::from)
    }

    fn ecs<'a>(&'a self, options: EcsOptions<'a>) -> Doc<'a> {
        let known = |id: Option<u32>| id.filter(|&v| v != UNSET_ID);
        let name =
            |key: &str, id: Option<u32>, lookup: fn(u32) -> Option<Name>| -> Option<Label<'a>> {
                if let Some(v) = self.enriched_ref(key) {
                    return Some(Label::Borrowed(v));
                }
                match (options.resolve, known(id)) {
                    (true, Some(id)) => lookup(id).map(Label::Shared),
                    _ => None,
                }
            };
        let user_name_ = name("UID", self.uid, user_name);
        let group_name_ = name("GID", self.gid, group_name);
        let audit_name = match known(self.auid) {
            Some(_) => name("AUID", self.auid, user_name),
            None => None,
        };
        let (category, kind_of) = match self.syscall {
            Some(_) => categorization(self.syscall_name.as_deref()),
            None => (&[][..], &[][..]),
        };
        let selinux = self.subj.as_deref().map(SeLinux::of).unwrap_or_default();
        let actor = Actor {
            primary: self.auid.map(|auid| match (auid, &audit_name) {
                (UNSET_ID, _) => Label::Borrowed("unset"),
                (_, Some(n)) => n.clone(),
                (id, None) => Label::Id(id),
            }),
            secondary: self.uid.map(|uid| match &user_name_ {
                Some(n) => n.clone(),
                None => Label::Id(uid),
            }),
        };
        Doc {
            timestamp: self.timestamp.map(Text),
            message: Text(OneLine(self)),
            ecs: Ecs {
                version: ECS_VERSION,
            },
            event: Event {
                kind: "event",
                module: "auditd",
                action: EVENT_ACTION,
                category,
                kind_of,
                outcome: "unknown",
                sequence: self.serial,
                original: &self.raw,
            },
            service: Service { kind: "auditd" },
            agent: Agent {
                kind: "sysfence",
                version: VERSION,
            },
            observer: Observer {
                vendor: "sysfence",
                product: "sysfence",
                version: VERSION,
            },
            host: Host {
                name: self.node.as_deref().unwrap_or(options.host_name),
            },
            process: Process {
                pid: self.pid,
                name: self.comm.as_deref(),
                executable: self.exe.as_deref(),
            },
            user: User {
                id: self.uid.map(Text),
                name: user_name_,
                group: Id {
                    id: self.gid.map(Text),
                    name: group_name_,
                },
                audit: Id {
                    id: known(self.auid).map(Text),
                    name: audit_name,
                },
                selinux,
            },
            auditd: Auditd {
                message_type: "seccomp",
                sequence: self.serial,
                result: "unknown",
                session: known(self.ses).map(Text),
                summary: Summary {
                    actor,
                    object: Object {
                        kind: self.syscall.map(|_| "process"),
                        primary: self.syscall.map(|nr| match &self.syscall_name {
                            Some(n) => Label::Borrowed(n),
                            None => Label::Id(nr),
                        }),
                    },
                    how: self.how(),
                },
                data: Data(self),
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

    fn enriched_ref(&self, key: &str) -> Option<&str> {
        self.enriched(key).filter(|v| !v.is_empty() && *v != "?")
    }

    /// go-libaudit's `setHowDefaults`: the executable, but the thread name for interpreters
    /// (whose executable says little), or the thread name when there is no executable.
    fn how(&self) -> Option<&str> {
        let comm = self.comm.as_deref();
        match self.exe.as_deref() {
            Some(exe)
                if [
                    "/usr/bin/python",
                    "/usr/bin/sh",
                    "/usr/bin/bash",
                    "/usr/bin/perl",
                ]
                .iter()
                .any(|p| exe.starts_with(p)) =>
            {
                comm.or(Some(exe))
            }
            Some(exe) => Some(exe),
            None => comm,
        }
    }
}

/// `event.category` and `event.type` of a record for this syscall, as go-libaudit's
/// normalizations.yaml gives them (elastic/go-libaudit bc9ea458, `aucoalesce`): the SECCOMP
/// record type has no ECS block of its own, so the syscall's is used; a syscall it does not
/// list (or an unknown number) gets its catch-all, process / info.
pub fn categorization(syscall: Option<&str>) -> (&'static [&'static str], &'static [&'static str]) {
    match syscall.unwrap_or("") {
        "creat" | "link" | "linkat" | "mkdir" | "mkdirat" | "mknod" | "mknodat" | "mount"
        | "symlink" | "symlinkat" => (&["file"], &["creation"]),
        "chmod" | "chown" | "fallocate" | "fchmod" | "fchmodat" | "fchown" | "fchownat"
        | "fremovexattr" | "fsetxattr" | "ftruncate" | "lchown" | "lremovexattr" | "lsetxattr"
        | "removexattr" | "rename" | "renameat" | "renameat2" | "setxattr" | "truncate"
        | "write" => (&["file"], &["change"]),
        "access" | "faccessat" | "fgetxattr" | "fstat" | "fstatat" | "fstatfs" | "futimens"
        | "futimesat" | "getxattr" | "lgetxattr" | "lstat" | "newfstatat" | "open" | "openat"
        | "read" | "readlink" | "readlinkat" | "stat" | "stat64" | "statfs" | "utime"
        | "utimensat" | "utimes" => (&["file"], &["info"]),
        "finit_module" | "init_module" => (&["driver"], &["start"]),
        "delete_module" => (&["driver"], &["end"]),
        "rmdir" | "umount" | "umount2" | "unlink" | "unlinkat" => (&["file"], &["deletion"]),
        "execve" | "execveat" => (&["process"], &["start"]),
        "bind" | "listen" => (&["network"], &["start"]),
        "accept" | "accept4" | "connect" => (&["network"], &["connection", "start"]),
        "recv" | "recvfrom" | "recvmmsg" | "recvmsg" | "send" | "sendmmsg" | "sendmsg"
        | "sendto" => (&["network"], &["connection", "info"]),
        "exit_group" | "kill" | "tgkill" | "tkill" => (&["process"], &["end"]),
        "sched_setattr" | "sched_setparam" | "sched_setscheduler" | "setegid" | "seteuid"
        | "setfsgid" | "setfsuid" | "setgid" | "setregid" | "setresgid" | "setresuid"
        | "setreuid" | "setuid" => (&["process"], &["change"]),
        "adjtimex" | "clock_adjtime" | "clock_settime" | "setdomainname" | "sethostname"
        | "settimeofday" | "stime" => (&["host"], &["change"]),
        "brk" | "mmap" | "mmap2" => (&["process"], &["info"]),
        _ => (&["process"], &["info"]),
    }
}

/// auditbeat's (go-libaudit's) name of an `AUDIT_ARCH_*` value: `x86_64`, `i386`, `aarch64`,
/// ...; values it does not list show as `unknown[c00000f3]`, except those sysfence names.
pub(crate) struct AuditArchName(pub(crate) u32);

impl fmt::Display for AuditArchName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: &[(u32, &str)] = &[
            (0xc000_00b7, "aarch64"),
            (0x4000_0028, "arm"),
            (0x0000_0028, "armeb"),
            (0x4000_0003, "i386"),
            (0xc000_0032, "ia64"),
            (0xc000_0102, "loongarch64"),
            (0x0000_0004, "m68k"),
            (0x0000_0008, "mips"),
            (0x8000_0008, "mips64"),
            (0xa000_0008, "mips64n32"),
            (0x4000_0008, "mipsel"),
            (0xc000_0008, "mipsel64"),
            (0xe000_0008, "mipsel64n32"),
            (0x0000_000f, "parisc"),
            (0x8000_000f, "parisc64"),
            (0x0000_0014, "ppc"),
            (0x8000_0015, "ppc64"),
            (0xc000_0015, "ppc64le"),
            (0x0000_0016, "s390"),
            (0x8000_0016, "s390x"),
            (0x0000_002a, "sh"),
            (0x8000_002a, "sh64"),
            (0x4000_002a, "shel"),
            (0xc000_002a, "shel64"),
            (0x0000_0002, "sparc"),
            (0x8000_002b, "sparc64"),
            (0xc000_003e, "x86_64"),
        ];
        if let Some((_, name)) = NAMES.iter().find(|(v, _)| *v == self.0) {
            return f.write_str(name);
        }
        match crate::Arch::from_audit_arch(self.0, None) {
            Some(arch) => f.write_str(arch.name()),
            None => write!(f, "unknown[{:x}]", self.0),
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

/// A name or, lacking one, an id, as a JSON string.
#[derive(Clone)]
enum Label<'a> {
    Borrowed(&'a str),
    Shared(Name),
    Id(u32),
}

impl Serialize for Label<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Label::Borrowed(v) => s.serialize_str(v),
            Label::Shared(v) => s.serialize_str(v),
            Label::Id(v) => s.collect_str(v),
        }
    }
}

/// The keys go-libaudit moves out of `auditd.data` for a SECCOMP record: the ids (every key
/// ending in `uid` or `gid`) to `user.*`, `ses` to `auditd.session`, `subj` to
/// `user.selinux.*`, `pid`/`comm`/`exe` to `process.*`.
/// A number sysfence could not read (`pid=99999999999`) stays in `auditd.data`, so that the
/// document still carries it.
fn moved(key: &str, event: &SeccompEvent) -> bool {
    match key {
        "pid" => event.pid.is_some(),
        "uid" => event.uid.is_some(),
        "gid" => event.gid.is_some(),
        "auid" => event.auid.is_some(),
        "ses" => event.ses.is_some(),
        "subj" | "ppid" | "comm" | "exe" | "cwd" | "proctitle" | "res" | "success" => true,
        _ => key.ends_with("uid") || key.ends_with("gid"),
    }
}

/// `auditd.data`: the record's remaining fields, with go-libaudit's values for `arch`
/// (`x86_64`), `syscall` (its name) and `sig` (`SIGSYS`; 0 stays `0`). Empty, `?` and
/// `(null)` values are left out, as go-libaudit does; a repeated key keeps its last value.
struct Data<'a>(&'a SeccompEvent);

impl Serialize for Data<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let fields = &event.fields;
        let last = |i: usize| !fields[i + 1..].iter().any(|(k, _)| *k == fields[i].0);
        let mut map = s.serialize_map(None)?;
        for (i, (k, v)) in fields.iter().enumerate() {
            if moved(k, event) || matches!(v.as_str(), "" | "?" | "(null)") || !last(i) {
                continue;
            }
            match (k.as_str(), event) {
                (
                    "arch",
                    SeccompEvent {
                        arch_raw: Some(raw),
                        ..
                    },
                ) => map.serialize_entry(k, &Text(AuditArchName(*raw)))?,
                (
                    "syscall",
                    SeccompEvent {
                        syscall_name: Some(name),
                        ..
                    },
                ) => map.serialize_entry(k, name)?,
                ("sig", SeccompEvent { sig: Some(sig), .. }) if signal_name(*sig).is_some() => {
                    map.serialize_entry(k, &signal_name(*sig))?
                }
                _ => map.serialize_entry(k, v)?,
            }
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    #[serde(rename = "@timestamp", skip_serializing_if = "Option::is_none")]
    timestamp: Option<Text<Timestamp>>,
    message: Text<OneLine<'a>>,
    ecs: Ecs,
    event: Event<'a>,
    service: Service,
    agent: Agent,
    observer: Observer,
    host: Host<'a>,
    #[serde(skip_serializing_if = "Process::is_empty")]
    process: Process<'a>,
    #[serde(skip_serializing_if = "User::is_empty")]
    user: User<'a>,
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
    action: &'static str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    category: &'static [&'static str],
    #[serde(rename = "type", skip_serializing_if = "<[_]>::is_empty")]
    kind_of: &'static [&'static str],
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence: Option<u64>,
    original: &'a str,
}

#[derive(Serialize)]
struct Service {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Agent {
    #[serde(rename = "type")]
    kind: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Observer {
    vendor: &'static str,
    product: &'static str,
    version: &'static str,
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
    name: Option<Label<'a>>,
    #[serde(skip_serializing_if = "Id::is_empty")]
    group: Id<'a>,
    #[serde(skip_serializing_if = "Id::is_empty")]
    audit: Id<'a>,
    #[serde(skip_serializing_if = "SeLinux::is_empty")]
    selinux: SeLinux<'a>,
}

impl User<'_> {
    fn is_empty(&self) -> bool {
        self.id.is_none()
            && self.name.is_none()
            && self.group.is_empty()
            && self.audit.is_empty()
            && self.selinux.is_empty()
    }
}

/// `{id, name}` of a user or group.
#[derive(Serialize)]
struct Id<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Text<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<Label<'a>>,
}

/// `user.selinux.*`: the `subj=` context split at `:` into at most five parts, as
/// go-libaudit's `parseSELinuxContext` does (`system_u:system_r:httpd_t:s0` ->
/// user, role, domain, level; AppArmor's `unconfined` -> user).
#[derive(Serialize, Default)]
struct SeLinux<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
}

impl<'a> SeLinux<'a> {
    fn of(subj: &'a str) -> SeLinux<'a> {
        if matches!(subj, "" | "?" | "(null)") {
            return SeLinux::default();
        }
        let mut parts = subj.splitn(5, ':');
        SeLinux {
            user: parts.next(),
            role: parts.next(),
            domain: parts.next(),
            level: parts.next(),
            category: parts.next(),
        }
    }

    fn is_empty(&self) -> bool {
        self.user.is_none()
    }
}

#[derive(Serialize)]
struct Auditd<'a> {
    message_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence: Option<u64>,
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<Text<u32>>,
    summary: Summary<'a>,
    data: Data<'a>,
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(skip_serializing_if = "Actor::is_empty")]
    actor: Actor<'a>,
    #[serde(skip_serializing_if = "Object::is_empty")]
    object: Object<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    how: Option<&'a str>,
}

#[derive(Serialize)]
struct Actor<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    primary: Option<Label<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secondary: Option<Label<'a>>,
}

#[derive(Serialize)]
struct Object<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary: Option<Label<'a>>,
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

macro_rules! skip_empty {
    ($($name:ident: $($field:ident),+;)+) => {$(
        impl $name<'_> {
            fn is_empty(&self) -> bool {
                $(self.$field.is_none())&&+
            }
        }
    )+};
}

skip_empty! {
    Process: pid, name, executable;
    Id: id, name;
    Syscall: name, number;
    Actor: primary, secondary;
    Object: kind, primary;
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
        assert_eq!(
            streamed["auditd"]["summary"]["how"],
            serde_json::Value::Null
        );
        assert_eq!(streamed["auditd"]["data"]["syscall"], "read");
        assert_eq!(streamed["auditd"]["data"]["arch"], "x86_64");
        assert!(streamed["auditd"]["data"].get("pid").is_none());
        assert!(String::from_utf8(text)
            .unwrap()
            .starts_with("{\"@timestamp\":"));
    }
}
