// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Elastic Common Schema (ECS) document of an event, shaped as auditbeat's auditd module
//! sends a `SECCOMP` record (go-libaudit's parsing and normalisation): `event.module: auditd`,
//! `auditd.message_type: seccomp`, `auditd.summary.*`, `auditd.data` with names for the
//! architecture, syscall and signal, the ids under `user.*`; then sysfence's own decoded values
//! under `seccomp.*`, and sysfence named as the producer in `agent.*` / `observer.*`. Fields the
//! record lacks are left out, never `null`.
//!
//! The document is written straight into a byte buffer by [`SeccompEvent::append_ecs`] (no
//! `serde_json::Value`, no allocation once the buffer has grown): `sysfence audit` writes a
//! million records a second this way. [`SeccompEvent::to_ecs`] parses those same bytes into a
//! `serde_json::Value`, so the two cannot differ.

use super::json::{key, push_hex, Json, Quoted, PAIRS};
use super::names::{group_name, user_name, Name};
use super::parse::Key;
use super::text::{signal_name, ActionLabel, ArchLabel, OneLine};
use super::{SeccompEvent, Timestamp, UNSET_ID};
use std::cell::{Cell, RefCell};
use std::fmt;

/// The ECS version the documents follow.
pub const ECS_VERSION: &str = "8.11.0";

/// `event.action` of every document: auditbeat's name for a `SECCOMP` record, so existing
/// dashboards and queries (`event.action: "violated-seccomp-policy"`) find sysfence's events.
pub const EVENT_ACTION: &str = "violated-seccomp-policy";

/// `ecs`, and the start of `event` (left open), the same in every document.
const EVENT_HEAD: &str = concat!(
    r#""ecs":{"version":"8.11.0"},"event":{"kind":"event","module":"auditd","#,
    r#""action":"violated-seccomp-policy""#
);

/// `service` (auditbeat's), and sysfence as the producer in `agent` and `observer`.
const PRODUCER: &str = concat!(
    r#""service":{"type":"auditd"},"agent":{"type":"sysfence","version":""#,
    env!("CARGO_PKG_VERSION"),
    r#""},"observer":{"vendor":"sysfence","product":"sysfence","version":""#,
    env!("CARGO_PKG_VERSION"),
    r#""}"#
);

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

thread_local! {
    /// A reusable buffer for `write_ecs_with` and `to_ecs_with`.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A name: from the record, or from the account database.
enum Label<'a> {
    Borrowed(&'a str),
    Shared(Name),
}

impl Label<'_> {
    fn write(&self, json: &mut Json<'_>, key: Quoted) {
        match self {
            Label::Borrowed(v) => json.str(key, v),
            Label::Shared(v) => json.str(key, v),
        }
    }
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
        SCRATCH.with(|cell| {
            let mut buf = cell.take();
            buf.clear();
            self.append_ecs(options, &mut buf);
            let value = serde_json::from_slice(&buf).unwrap_or_default();
            cell.replace(buf);
            value
        })
    }

    /// Writes the ECS document ([`to_ecs`](SeccompEvent::to_ecs)) as one line of JSON (no
    /// newline).
    pub fn write_ecs<W: std::io::Write>(&self, host_name: &str, out: W) -> std::io::Result<()> {
        self.write_ecs_with(
            EcsOptions {
                host_name,
                resolve: false,
            },
            out,
        )
    }

    /// Writes the ECS document made with `options` as one line of JSON (no newline).
    pub fn write_ecs_with<W: std::io::Write>(
        &self,
        options: EcsOptions<'_>,
        mut out: W,
    ) -> std::io::Result<()> {
        SCRATCH.with(|cell| {
            let mut buf = cell.take();
            buf.clear();
            self.append_ecs(options, &mut buf);
            let result = out.write_all(&buf);
            cell.replace(buf);
            result
        })
    }

    /// Appends the ECS document made with `options` to `out` as one line of JSON (no
    /// newline): what `sysfence audit` prints.
    pub fn append_ecs(&self, options: EcsOptions<'_>, out: &mut Vec<u8>) {
        debug_assert!(EVENT_HEAD.contains(ECS_VERSION) && EVENT_HEAD.contains(EVENT_ACTION));
        let known = |id: Option<u32>| id.filter(|&v| v != UNSET_ID);
        let name = |key: &str, id: Option<u32>, lookup: fn(u32) -> Option<Name>| {
            if let Some(v) = self.enriched_ref(key) {
                return Some(Label::Borrowed(v));
            }
            match (options.resolve, known(id)) {
                (true, Some(id)) => lookup(id).map(Label::Shared),
                _ => None,
            }
        };
        let user_label = name("UID", self.uid, user_name);
        let group_label = name("GID", self.gid, group_name);
        let audit_label = known(self.auid).and_then(|_| name("AUID", self.auid, user_name));

        let mut j = Json::new(out);
        j.begin();
        if let Some(t) = self.timestamp {
            j.safe_with(key!("@timestamp"), |out| t.write_into(out));
        }
        j.safe_with(key!("message"), |out| OneLine(self).write_json(out));
        j.raw(EVENT_HEAD.as_bytes());
        if self.syscall.is_some() {
            let (category, kind) = categorization(self.syscall_name.as_deref());
            j.str_array(key!("category"), category);
            j.str_array(key!("type"), kind);
        }
        j.safe(key!("outcome"), "unknown");
        if let Some(serial) = self.serial {
            j.num(key!("sequence"), serial);
        }
        j.str(key!("original"), &self.raw);
        j.end();
        j.raw(PRODUCER.as_bytes());
        let m = j.open(key!("host"));
        j.str(
            key!("name"),
            self.node.as_deref().unwrap_or(options.host_name),
        );
        j.close(m);

        let m = j.open(key!("process"));
        if let Some(pid) = self.pid {
            j.num(key!("pid"), u64::from(pid));
        }
        if let Some(comm) = &self.comm {
            j.str(key!("name"), comm);
        }
        if let Some(exe) = &self.exe {
            j.str(key!("executable"), exe);
        }
        j.close(m);

        let m = j.open(key!("user"));
        if let Some(uid) = self.uid {
            j.id(key!("id"), uid);
        }
        if let Some(n) = &user_label {
            n.write(&mut j, key!("name"));
        }
        let g = j.open(key!("group"));
        if let Some(gid) = self.gid {
            j.id(key!("id"), gid);
        }
        if let Some(n) = &group_label {
            n.write(&mut j, key!("name"));
        }
        j.close(g);
        let a = j.open(key!("audit"));
        if let Some(auid) = known(self.auid) {
            j.id(key!("id"), auid);
        }
        if let Some(n) = &audit_label {
            n.write(&mut j, key!("name"));
        }
        j.close(a);
        if let Some(subj) = self
            .subj
            .as_deref()
            .filter(|s| !matches!(*s, "" | "?" | "(null)"))
        {
            // go-libaudit's parseSELinuxContext: at most five parts at `:`.
            let s = j.open(key!("selinux"));
            for (key, part) in [
                key!("user"),
                key!("role"),
                key!("domain"),
                key!("level"),
                key!("category"),
            ]
            .into_iter()
            .zip(subj.splitn(5, ':'))
            {
                j.str(key, part);
            }
            j.close(s);
        }
        j.close(m);

        let m = j.open(key!("auditd"));
        j.safe(key!("message_type"), "seccomp");
        if let Some(serial) = self.serial {
            j.num(key!("sequence"), serial);
        }
        j.safe(key!("result"), "unknown");
        if let Some(ses) = known(self.ses) {
            j.id(key!("session"), ses);
        }
        let s = j.open(key!("summary"));
        let a = j.open(key!("actor"));
        match (self.auid, &audit_label) {
            (None, _) => {}
            (Some(UNSET_ID), _) => j.safe(key!("primary"), "unset"),
            (Some(_), Some(n)) => n.write(&mut j, key!("primary")),
            (Some(id), None) => j.id(key!("primary"), id),
        }
        match (self.uid, &user_label) {
            (None, _) => {}
            (Some(_), Some(n)) => n.write(&mut j, key!("secondary")),
            (Some(id), None) => j.id(key!("secondary"), id),
        }
        j.close(a);
        if let Some(nr) = self.syscall {
            let o = j.open(key!("object"));
            j.safe(key!("type"), "process");
            match &self.syscall_name {
                Some(n) => j.str(key!("primary"), n),
                None => j.id(key!("primary"), nr),
            }
            j.close(o);
        }
        if let Some(how) = self.how() {
            j.str(key!("how"), how);
        }
        j.close(s);
        let d = j.open(key!("data"));
        self.write_data(&mut j);
        j.close(d);
        j.close(m);

        let m = j.open(key!("seccomp"));
        let s = j.open(key!("syscall"));
        if let Some(n) = &self.syscall_name {
            j.str(key!("name"), n);
        }
        if let Some(nr) = self.syscall {
            j.num(key!("number"), u64::from(nr));
        }
        j.close(s);
        if self.arch.is_some() || self.arch_raw.is_some() {
            j.safe_with(key!("arch"), |out| ArchLabel(self).write_into(out));
        }
        if let Some(a) = self.action {
            j.safe_with(key!("action"), |out| ActionLabel(a).write_into(out));
        }
        if let Some(c) = self.code {
            j.safe_with(key!("code"), |out| push_prefixed_hex(out, u64::from(c)));
        }
        if let Some(sig) = self.sig.and_then(signal_name) {
            j.safe(key!("signal"), sig);
        }
        if let Some(c) = self.compat {
            j.bool(key!("compat"), c);
        }
        if let Some(ip) = self.ip {
            j.safe_with(key!("ip"), |out| push_prefixed_hex(out, ip));
        }
        j.close(m);
        j.end();
    }

    /// `auditd.data`: the record's remaining fields, with go-libaudit's values for `arch`
    /// (`x86_64`), `syscall` (its name) and `sig` (`SIGSYS`; 0 stays `0`). Empty, `?` and
    /// `(null)` values are left out, as go-libaudit does; a repeated key keeps its last value.
    fn write_data(&self, j: &mut Json<'_>) {
        let superseded = self.superseded();
        for (i, span) in self.fields.iter().enumerate() {
            let (k, v) = (self.slice(span.key), self.slice(span.value));
            if moved(span.tag, k, self)
                || matches!(v, "" | "?" | "(null)")
                || superseded.get(i).copied().unwrap_or(false)
            {
                continue;
            }
            match span.tag {
                Key::Arch if self.arch_raw.is_some() => j.safe_with(key!("arch"), |out| {
                    AuditArchName(self.arch_raw.unwrap_or_default()).write_into(out)
                }),
                Key::Syscall if self.syscall_name.is_some() => j.str(
                    key!("syscall"),
                    self.syscall_name.as_deref().unwrap_or_default(),
                ),
                Key::Sig if self.sig.and_then(signal_name).is_some() => j.safe(
                    key!("sig"),
                    self.sig.and_then(signal_name).unwrap_or_default(),
                ),
                _ => j.str(k, v),
            }
        }
    }

    /// For each field, whether a later field has the same key (its value is the one kept);
    /// empty when no key can repeat. Sorted, not compared pairwise: a line of a hundred
    /// thousand different keys (a journald line anyone can write) stays linear-logarithmic.
    fn superseded(&self) -> Vec<bool> {
        if !self.repeated_keys {
            return Vec::new();
        }
        let mut order: Vec<usize> = (0..self.fields.len()).collect();
        order.sort_by(|&a, &b| {
            let key = |i: usize| self.slice(self.fields[i].key);
            key(a).cmp(key(b)).then(a.cmp(&b))
        });
        let mut superseded = vec![false; self.fields.len()];
        for pair in order.windows(2) {
            if self.slice(self.fields[pair[0]].key) == self.slice(self.fields[pair[1]].key) {
                superseded[pair[0]] = true;
            }
        }
        superseded
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

/// The keys go-libaudit moves out of `auditd.data` for a SECCOMP record: the ids (every key
/// ending in `uid` or `gid`) to `user.*`, `ses` to `auditd.session`, `subj` to
/// `user.selinux.*`, `pid`/`comm`/`exe` to `process.*`. A number sysfence could not read
/// (`pid=99999999999`) stays in `auditd.data`, so that the document still carries it.
fn moved(tag: Key, key: &str, event: &SeccompEvent) -> bool {
    match tag {
        Key::Pid => event.pid.is_some(),
        Key::Uid => event.uid.is_some(),
        Key::Gid => event.gid.is_some(),
        Key::Auid => event.auid.is_some(),
        Key::Ses => event.ses.is_some(),
        Key::Subj | Key::Comm | Key::Exe => true,
        Key::Sig | Key::Arch | Key::Syscall | Key::Compat | Key::Ip | Key::Code => false,
        Key::Other => {
            matches!(key, "ppid" | "cwd" | "proctitle" | "res" | "success")
                || key.ends_with("uid")
                || key.ends_with("gid")
        }
    }
}

/// `0x7ffc0000`
fn push_prefixed_hex(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(b"0x");
    push_hex(out, value, 1);
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

impl AuditArchName {
    /// Appends the name (it needs no JSON escaping).
    pub(crate) fn write_into(&self, out: &mut Vec<u8>) {
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
            return out.extend_from_slice(name.as_bytes());
        }
        match crate::Arch::from_audit_arch(self.0, None) {
            Some(arch) => out.extend_from_slice(arch.name().as_bytes()),
            None => {
                out.extend_from_slice(b"unknown[");
                push_hex(out, u64::from(self.0), 1);
                out.push(b']');
            }
        }
    }
}

impl Timestamp {
    /// The RFC 3339 text of years up to 9999, without the formatter's padding machinery.
    fn digits(self) -> Option<[u8; 24]> {
        let rem = self.secs % 86_400;
        let (year, month, day) = civil_from_days(self.secs / 86_400);
        if year > 9999 {
            return None;
        }
        let mut text = *b"0000-00-00T00:00:00.000Z";
        // Every value is below 100 here (the year in two halves, the milliseconds split).
        let mut put = |at: usize, value: u64| {
            text[at..at + 2].copy_from_slice(&PAIRS[(value % 100) as usize]);
        };
        put(0, year / 100);
        put(2, year % 100);
        put(5, month);
        put(8, day);
        put(11, rem / 3600);
        put(14, rem % 3600 / 60);
        put(17, rem % 60);
        let millis = u64::from(self.millis.min(999));
        put(21, millis % 100);
        text[20] = b'0' + (millis / 100) as u8;
        Some(text)
    }

    /// Appends the RFC 3339 text (what `Display` writes). A document writes its time twice
    /// (`@timestamp` and `message`): the last one is kept.
    pub(crate) fn write_into(self, out: &mut Vec<u8>) {
        thread_local! {
            static LAST: Cell<Option<(Timestamp, [u8; 24])>> = const { Cell::new(None) };
        }
        if let Some((t, text)) = LAST.get() {
            if t == self {
                return out.extend_from_slice(&text);
            }
        }
        match self.digits() {
            Some(text) => {
                LAST.set(Some((self, text)));
                out.extend_from_slice(&text)
            }
            None => out.extend_from_slice(self.to_string().as_bytes()),
        }
    }
}

/// RFC 3339 in UTC with milliseconds (`2020-10-19T15:14:50.865Z`).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.digits() {
            return f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?);
        }
        let rem = self.secs % 86_400;
        let (year, month, day) = civil_from_days(self.secs / 86_400);
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
