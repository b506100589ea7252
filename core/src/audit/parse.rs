// SPDX-License-Identifier: MIT OR Apache-2.0
//! The record parser: finds a seccomp record in a line of any form the kernel, auditd or
//! journald writes, splits its `key=value` fields and decodes them through the core's tables.

use super::{RecordForm, SeccompEvent, Span, Timestamp};
use crate::syscalls::name_of;
use crate::{Action, Arch};
use memchr::memmem::Finder;
use std::cell::RefCell;
use std::sync::LazyLock;

/// auditd's separator between the record and its `ENRICHED` (interpreted) fields.
const ENRICHED_SEPARATOR: char = '\u{1d}';

/// The record type tokens a seccomp record carries after `type=`.
const TYPE_TOKENS: [&str; 3] = ["1326", "SECCOMP", "UNKNOWN[1326]"];

/// The length of the longest of [`TYPE_TOKENS`].
const LONGEST_TOKEN: usize = "UNKNOWN[1326]".len();

/// Searchers built once: most lines of a busy audit log are searched and are not seccomp
/// records, so the search is most of what reading them costs.
static SECCOMP: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("SECCOMP"));
static TYPE_1326: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("1326"));
static TYPE_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("type="));

/// False when `line` cannot be a record: every form carries `SECCOMP` or `1326`, and most
/// lines of a busy audit log carry neither.
pub(crate) fn may_be_seccomp(line: &[u8]) -> bool {
    SECCOMP.find(line).is_some() || TYPE_1326.find(line).is_some()
}

/// Parses one line (see [`crate::audit::parse_line`]).
pub(crate) fn parse(line: &str) -> Option<SeccompEvent> {
    let mut event = SeccompEvent::empty();
    parse_into(line, &mut event).then_some(event)
}

/// Parses one line into `event`, reusing its buffers; false (and `event` in no particular
/// state) when the line holds no seccomp record.
pub(crate) fn parse_into(line: &str, event: &mut SeccompEvent) -> bool {
    let line = line.trim_end_matches(['\n', '\r']);
    if !may_be_seccomp(line.as_bytes()) {
        return false;
    }
    let Some((form, prefix, rest)) = locate(line) else {
        return false;
    };
    // `event.original` is the record as the kernel wrote it, without /dev/kmsg's
    // `PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;` header (nor a continuation line's).
    let line = match form {
        RecordForm::Kmsg => &line[byte_at(prefix, b';').map_or(0, |i| i + 1)..],
        _ => line,
    };
    let (timestamp, serial, body) = match form {
        RecordForm::Journald => (None, None, rest),
        _ => match header(rest) {
            Some(parts) => parts,
            None => return false,
        },
    };
    if line.len() > u32::MAX as usize {
        return false;
    }
    // The separator is one ASCII byte, so the cut is at a char boundary.
    let (body, enriched) = match memchr::memchr(ENRICHED_SEPARATOR as u8, body.as_bytes()) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    event.form = form;
    event.timestamp = timestamp;
    event.serial = serial;
    set(&mut event.node, node_of(prefix));
    event.pid = None;
    event.uid = None;
    event.gid = None;
    event.auid = None;
    event.ses = None;
    event.sig = None;
    event.arch = None;
    event.arch_raw = None;
    event.syscall = None;
    event.compat = None;
    event.ip = None;
    event.code = None;
    event.action = None;
    event.fields.clear();
    event.enriched.clear();
    event.repeated_keys = false;
    event.raw.clear();
    event.raw.push_str(line);
    // Fields are slices of `line`, which `raw` copies: their offsets in one are offsets in
    // the other.
    let base = line.as_ptr() as usize;
    let span = |key: &str, value: &str, tag: Key| {
        let at = |s: &str| {
            let start = (s.as_ptr() as usize - base) as u32;
            (start, start + s.len() as u32)
        };
        Span {
            key: at(key),
            value: at(value),
            tag,
        }
    };
    // Known keys seen so far (a bit each), and whether another key was.
    let (mut seen, mut other) = (0u32, false);
    for (key, value, quoted) in Fields::new(body) {
        let tag = decode_field(event, key, value, quoted);
        let bit = 1u32 << (tag as u32);
        event.repeated_keys |= seen & bit != 0 || (tag == Key::Other && other);
        seen |= bit;
        other |= tag == Key::Other;
        event.fields.push(span(key, value, tag));
    }
    // The strings the record lacks (kept until now so that their buffers are reused).
    for (tag, slot) in [
        (Key::Subj, &mut event.subj),
        (Key::Comm, &mut event.comm),
        (Key::Exe, &mut event.exe),
    ] {
        if seen & 1 << (tag as u32) == 0 {
            *slot = None;
        }
    }
    if let Some(enriched) = enriched {
        event
            .enriched
            .extend(Fields::new(enriched).map(|(k, v, _)| span(k, v, Key::Other)));
    }
    if event.fields.is_empty() && event.timestamp.is_none() {
        return false;
    }
    event.arch = event
        .arch_raw
        .and_then(|raw| Arch::from_audit_arch(raw, event.syscall));
    let name = match (event.arch, event.syscall) {
        (Some(arch), Some(nr)) => syscall_name(arch, nr, &mut event.syscall_name),
        _ => false,
    };
    if !name {
        event.syscall_name = None;
    }
    event.action = event.code.map(Action::from_ret);
    true
}

/// Stores `value` in `slot`, in the string already there when there is one.
fn set(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(text), Some(v)) => {
            text.clear();
            text.push_str(v);
        }
        (None, Some(v)) => *slot = Some(v.to_string()),
        (_, None) => *slot = None,
    }
}

/// Stores libseccomp's name of syscall `nr` on `arch` in `slot` (false when it has none),
/// looked up once per thread (libseccomp searches its table and allocates the name on every
/// call) for the numbers tables have: below 2048, with or without x32's bit 30. Others are
/// looked up each time, so what a log holds cannot grow the cache.
fn syscall_name(arch: Arch, nr: u32, slot: &mut Option<String>) -> bool {
    /// A name per number (`None`: not looked up yet), by architecture (x86_64 and x32 share
    /// an `AUDIT_ARCH_*` value, so the value would not do).
    type Names = Vec<(Arch, Vec<Option<Option<Box<str>>>>)>;
    const LOW: u32 = 2048;
    const X32_BIT: u32 = 0x4000_0000;
    thread_local! {
        static NAMES: RefCell<Names> = const { RefCell::new(Vec::new()) };
    }
    let index = match nr & !X32_BIT {
        low if low < LOW => (low | if nr & X32_BIT != 0 { LOW } else { 0 }) as usize,
        _ => {
            let found = name_of(nr, arch);
            set(slot, found.as_deref());
            return found.is_some();
        }
    };
    NAMES.with(|cell| {
        let mut names = cell.borrow_mut();
        let at = match names.iter().position(|(a, _)| *a == arch) {
            Some(at) => at,
            None => {
                names.push((arch, vec![None; 2 * LOW as usize]));
                names.len() - 1
            }
        };
        let entry = names[at].1[index].get_or_insert_with(|| name_of(nr, arch).map(Box::from));
        set(slot, entry.as_deref());
        entry.is_some()
    })
}

/// Finds the record: its form, the text before it and the text after its type token. The
/// token must start the line, follow a syslog tag (`audit:`, `kernel:`, `audisp-syslog:`) or
/// auditd's `node=NAME`, so that `type=SECCOMP` quoted in some other message is not taken.
fn locate(line: &str) -> Option<(RecordForm, &str, &str)> {
    let mut from = 0;
    while let Some(found) = TYPE_KEY.find(&line.as_bytes()[from..]) {
        let at = from + found;
        from = at + "type=".len();
        let after = &line[from..];
        // The token ends at a space or the line's end, and is one of a few short words: no
        // need to look further than the longest (a line of `type=` and no spaces would
        // otherwise be scanned to its end from every one of them).
        let window = &after.as_bytes()[..after.len().min(LONGEST_TOKEN + 1)];
        let end = memchr::memchr(b' ', window).unwrap_or(after.len());
        let prefix = &line[..at];
        let word = &after.as_bytes()[..end];
        let Some(token) = TYPE_TOKENS.iter().find(|t| t.as_bytes() == word) else {
            continue;
        };
        if !record_may_start_after(prefix) {
            continue;
        }
        let rest = &after[token.len()..];
        let form = if rest.starts_with(" msg=") {
            RecordForm::Auditd
        } else if is_kmsg_prefix(prefix) {
            RecordForm::Kmsg
        } else {
            RecordForm::Kernel
        };
        return Some((form, prefix, rest));
    }
    journald(line)
}

/// True when the text before `type=` ends where a record can start.
fn record_may_start_after(prefix: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let Some(text) = prefix.strip_suffix(' ') else {
        return false;
    };
    let text = match text.rsplit_once(' ') {
        Some((head, last)) if last.starts_with("node=") => head,
        None if text.starts_with("node=") => "",
        _ => text,
    };
    text.is_empty() || text.ends_with(':')
}

/// journald's form: `... audit[1376]: SECCOMP auid=...`.
fn journald(line: &str) -> Option<(RecordForm, &str, &str)> {
    let at = line.find("]: SECCOMP ")?;
    let prefix = &line[..at];
    let open = prefix.rfind("audit[")?;
    if !prefix[open + "audit[".len()..]
        .bytes()
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let rest = &line[at + "]: SECCOMP".len()..];
    Some((RecordForm::Journald, "", rest))
}

/// True for `/dev/kmsg`'s `PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;` prefix.
/// `line` without a `/dev/kmsg` header (`PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;`), if it has
/// one.
pub(crate) fn without_kmsg_header(line: &str) -> &str {
    match line.split_once(';') {
        Some((head, body)) if is_kmsg_prefix(&line[..head.len() + 1]) => body,
        _ => line,
    }
}

fn is_kmsg_prefix(prefix: &str) -> bool {
    let Some((head, _)) = prefix.split_once(';') else {
        return false;
    };
    let mut parts = head.split(',');
    (0..3).all(|_| {
        parts
            .next()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// auditd's `node=NAME` in the text before `type=`.
fn node_of(prefix: &str) -> Option<&str> {
    if prefix.is_empty() {
        return None;
    }
    Fields::new(prefix)
        .find(|(k, _, _)| *k == "node")
        .map(|(_, v, _)| v)
}

/// Splits ` msg=audit(SECS.MILLIS:SERIAL): fields` (or the kernel's ` audit(...): fields`).
/// `None` when the header is missing or cut short.
fn header(rest: &str) -> Option<(Option<Timestamp>, Option<u64>, &str)> {
    let text = rest.trim_start();
    let text = text.strip_prefix("msg=").unwrap_or(text);
    let inner = text.strip_prefix("audit(")?;
    let close = byte_at(inner, b')')?;
    let body = &inner[close + 1..];
    let body = body.strip_prefix(':').unwrap_or(body);
    let stamp = &inner[..close];
    let (time, serial) = match byte_at(stamp, b':') {
        Some(at) => (&stamp[..at], stamp[at + 1..].parse::<u64>().ok()),
        None => (stamp, None),
    };
    Some((timestamp(time), serial, body))
}

/// `1603120490.865` -> seconds and milliseconds.
fn timestamp(text: &str) -> Option<Timestamp> {
    let (secs, frac) = match byte_at(text, b'.') {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let secs = secs.parse::<u64>().ok()?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
    Some(Timestamp { secs, millis })
}

/// The keys the parser decodes into [`SeccompEvent`]'s own fields; every other is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Pid,
    Uid,
    Gid,
    Auid,
    Ses,
    Subj,
    Comm,
    Exe,
    Sig,
    Arch,
    Syscall,
    Compat,
    Ip,
    Code,
    Other,
}

/// Where the ASCII byte `b` first is in `text` (memchr's search: std's `find` of a `char` costs
/// more on these short strings). An ASCII byte is always a char boundary.
fn byte_at(text: &str, b: u8) -> Option<usize> {
    memchr::memchr(b, text.as_bytes())
}

/// A key of at most seven bytes as a number (its length, then its bytes), different for every
/// such key; 0 for a longer one, which no decoded key is.
const fn packed(key: &str) -> u64 {
    let bytes = key.as_bytes();
    if bytes.len() > 7 {
        return 0;
    }
    let mut n = bytes.len() as u64;
    let mut i = bytes.len();
    while i > 0 {
        i -= 1;
        n = n << 8 | bytes[i] as u64;
    }
    n
}

/// Stores the fields the event decodes (the others stay only in `fields`); says which key it
/// was.
fn decode_field(event: &mut SeccompEvent, key: &str, value: &str, quoted: bool) -> Key {
    // The key's bytes as one number: one comparison a name instead of a string compare.
    const PID: u64 = packed("pid");
    const UID: u64 = packed("uid");
    const GID: u64 = packed("gid");
    const AUID: u64 = packed("auid");
    const SES: u64 = packed("ses");
    const SUBJ: u64 = packed("subj");
    const COMM: u64 = packed("comm");
    const EXE: u64 = packed("exe");
    const SIG: u64 = packed("sig");
    const ARCH: u64 = packed("arch");
    const SYSCALL: u64 = packed("syscall");
    const COMPAT: u64 = packed("compat");
    const IP: u64 = packed("ip");
    const CODE: u64 = packed("code");
    match packed(key) {
        PID => {
            event.pid = value.parse().ok();
            Key::Pid
        }
        UID => {
            event.uid = value.parse().ok();
            Key::Uid
        }
        GID => {
            event.gid = value.parse().ok();
            Key::Gid
        }
        AUID => {
            event.auid = value.parse().ok();
            Key::Auid
        }
        SES => {
            event.ses = value.parse().ok();
            Key::Ses
        }
        SUBJ => {
            set(&mut event.subj, Some(value));
            Key::Subj
        }
        COMM => {
            untrusted_string(&mut event.comm, value, quoted);
            Key::Comm
        }
        EXE => {
            untrusted_string(&mut event.exe, value, quoted);
            Key::Exe
        }
        SIG => {
            event.sig = value.parse().ok();
            Key::Sig
        }
        ARCH => {
            event.arch_raw = hex(value).and_then(|v| u32::try_from(v).ok());
            Key::Arch
        }
        SYSCALL => {
            event.syscall = value
                .parse::<i64>()
                .ok()
                .and_then(|v| u32::try_from(v).ok());
            Key::Syscall
        }
        COMPAT => {
            event.compat = match value {
                "0" => Some(false),
                "1" => Some(true),
                _ => None,
            };
            Key::Compat
        }
        IP => {
            event.ip = hex(value);
            Key::Ip
        }
        CODE => {
            event.code = hex(value).and_then(|v| u32::try_from(v).ok());
            Key::Code
        }
        _ => Key::Other,
    }
}

/// A hex number with or without `0x` (what `u64::from_str_radix(digits, 16)` accepts after
/// it, without its cost: a leading `+`, at most 16 digits once leading zeros are dropped).
fn hex(value: &str) -> Option<u64> {
    let digits = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
        .unwrap_or(value);
    let digits = digits.strip_prefix('+').unwrap_or(digits).as_bytes();
    if digits.is_empty() {
        return None;
    }
    // A table and one test for bad digits and overflow at the end: the digits of addresses
    // are random, and branching on each costs more than the arithmetic.
    let mut n: u64 = 0;
    let mut bad = 0u8;
    let mut lost = 0u64;
    for &b in digits {
        let d = HEX_DIGIT[usize::from(b)];
        bad |= d;
        lost |= n >> 60;
        n = n << 4 | u64::from(d & 0xf);
    }
    (bad & 0x80 == 0 && lost == 0).then_some(n)
}

/// Hex digits' values; 0x80 for every other byte.
static HEX_DIGIT: [u8; 256] = {
    let mut table = [0x80u8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The kernel's `audit_log_untrustedstring`: quoted as is, or hex-encoded when the value has
/// a space, a quote or a control character; `(null)` (and auditd's `?`) when absent.
/// Stored in `slot`.
fn untrusted_string(slot: &mut Option<String>, value: &str, quoted: bool) {
    if quoted {
        return set(slot, Some(value));
    }
    if value == "(null)" || value == "?" || value.is_empty() {
        return set(slot, None);
    }
    match hex_bytes(value) {
        Some(bytes) => set(slot, Some(&String::from_utf8_lossy(&bytes))),
        None => set(slot, Some(value)),
    }
}

fn hex_bytes(value: &str) -> Option<Vec<u8>> {
    if value.len() % 2 != 0 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..value.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&value[i..i + 2], 16).ok())
        .collect()
}

/// The `key=value` pairs of a record, in order: `(key, value, quoted)`. Values are quoted
/// (`"..."` or `'...'`, a missing closing quote takes the rest) or end at a space. Words
/// without `=` and keys with unexpected characters are skipped.
pub(crate) struct Fields<'a> {
    text: &'a str,
    /// Where the next field is looked for.
    at: usize,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(text: &'a str) -> Fields<'a> {
        Fields { text, at: 0 }
    }
}

/// The first `needle` in `bytes`, eight bytes at a time (the "has a zero byte" test on
/// `word ^ needle`, whose lowest flagged byte is always a real match).
fn find_byte(bytes: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(needle);
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])) ^ pattern;
        let found = w.wrapping_sub(ONES) & !w & HIGHS;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b == needle).map(|p| i + p)
}

/// The bytes a key may hold: `[A-Za-z0-9_-]`.
static KEY_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    table
};

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a str, bool);

    fn next(&mut self) -> Option<Self::Item> {
        // One pass over the bytes. The separators are ASCII, so every cut is at a char
        // boundary and `get` never fails.
        let text = self.text;
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = self.at;
        loop {
            while i < n && bytes[i] == b' ' {
                i += 1;
            }
            if i >= n {
                self.at = n;
                return None;
            }
            let start = i;
            while i < n && KEY_BYTE[usize::from(bytes[i])] {
                i += 1;
            }
            let mut valid = start < i;
            if i < n && bytes[i] != b' ' && bytes[i] != b'=' {
                // A word with some other byte: skipped whole, with its value if it has one.
                valid = false;
                while i < n && bytes[i] != b' ' && bytes[i] != b'=' {
                    i += 1;
                }
            }
            if i >= n || bytes[i] != b'=' {
                continue;
            }
            let key_end = i;
            let at = i + 1;
            let (value, quoted) = match bytes.get(at) {
                Some(&q @ (b'"' | b'\'')) => {
                    let inner = at + 1;
                    let close = find_byte(&bytes[inner..], q).map_or(n, |c| inner + c);
                    i = (close + 1).min(n);
                    ((inner, close), true)
                }
                _ => {
                    i = find_byte(&bytes[at..], b' ').map_or(n, |p| at + p);
                    ((at, i), false)
                }
            };
            if valid {
                self.at = i;
                return Some((
                    text.get(start..key_end).unwrap_or(""),
                    text.get(value.0..value.1).unwrap_or(""),
                    quoted,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KERNEL: &str = r#"audit: type=1326 audit(1603120490.865:8): auid=1000 uid=0 gid=0 ses=3 subj==unconfined pid=1376 comm="nc" exe="/usr/bin/nc.traditional" sig=31 arch=c000003e syscall=49 compat=0 ip=0x7f9ad10d7497 code=0x0"#;
    const AUDITD: &str = "node=web-1 type=SECCOMP msg=audit(1603120643.421:21): auid=1000 uid=1000 gid=1000 ses=2 pid=1497 comm=6E632074657374 exe=\"/usr/bin/nc.openbsd\" sig=0 arch=40000003 syscall=102 compat=1 ip=0xf7f2a549 code=0x7ffc0000\u{1d}AUID=\"alice\" UID=\"alice\" GID=\"alice\" ARCH=i386 SYSCALL=socketcall";

    #[test]
    fn find_byte_finds_the_first() {
        let text = b"0123456789abcdef 0123456789 x";
        for needle in [b' ', b'x', b'0', b'f', b'9', b'z'] {
            assert_eq!(
                find_byte(text, needle),
                text.iter().position(|&b| b == needle),
                "{needle}"
            );
            for start in 0..text.len() {
                assert_eq!(
                    find_byte(&text[start..], needle),
                    text[start..].iter().position(|&b| b == needle)
                );
            }
        }
    }

    #[test]
    fn hex_reads_what_from_str_radix_reads() {
        let reference = |v: &str| {
            let digits = v
                .strip_prefix("0x")
                .or_else(|| v.strip_prefix("0X"))
                .unwrap_or(v);
            u64::from_str_radix(digits, 16).ok()
        };
        let mut cases: Vec<String> = [
            "",
            "0x",
            "0X",
            "+",
            "0x+",
            "-1",
            "0x-1",
            "+5",
            "0x+5",
            "g",
            "0xg1",
            "1g",
            " 1",
            "ffffffffffffffff",
            "10000000000000000",
            "0000000000000000000000001",
            "0XdeadBEEF",
            "7fffffffffffffff",
            "0x0x1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let alphabet = b"0123456789abcdefABCDEFxX+-g ";
        let mut next = crate::audit::xorshift(0x2545_F491_4F6C_DD1D);
        for _ in 0..20_000 {
            let state = next();
            let len = (state % 20) as usize;
            let text: String = (0..len)
                .map(|i| char::from(alphabet[((state >> (i * 3)) % 28) as usize]))
                .collect();
            cases.push(text);
        }
        for case in cases {
            assert_eq!(hex(&case), reference(&case), "{case:?}");
        }
    }

    #[test]
    fn fields_split_quoted_and_bare_values() {
        let got: Vec<_> = Fields::new(r#"a=1 b="x y" c='q' junk d= e="open"#).collect();
        assert_eq!(
            got,
            vec![
                ("a", "1", false),
                ("b", "x y", true),
                ("c", "q", true),
                ("d", "", false),
                ("e", "open", true),
            ]
        );
    }

    #[test]
    fn decodes_kernel_and_auditd_forms() {
        let k = parse(KERNEL).unwrap();
        assert_eq!(k.form, RecordForm::Kernel);
        assert_eq!(k.serial, Some(8));
        assert_eq!(
            k.timestamp,
            Some(Timestamp {
                secs: 1603120490,
                millis: 865
            })
        );
        assert_eq!(k.subj.as_deref(), Some("=unconfined"));
        let a = parse(AUDITD).unwrap();
        assert_eq!(a.form, RecordForm::Auditd);
        assert_eq!(a.node.as_deref(), Some("web-1"));
        assert_eq!(a.comm.as_deref(), Some("nc test"));
        assert_eq!(a.arch, Some(Arch::X86));
        assert_eq!(a.syscall_name.as_deref(), Some("socketcall"));
        assert_eq!(a.enriched("UID"), Some("alice"));
        assert_eq!(a.action, Some(Action::Log));
    }

    #[test]
    fn timestamps_pad_and_reject() {
        assert_eq!(
            timestamp("5.1"),
            Some(Timestamp {
                secs: 5,
                millis: 100
            })
        );
        assert_eq!(
            timestamp("5.123456"),
            Some(Timestamp {
                secs: 5,
                millis: 123
            })
        );
        assert_eq!(timestamp("5"), Some(Timestamp { secs: 5, millis: 0 }));
        assert_eq!(timestamp("5.x"), None);
        assert_eq!(timestamp("-5.1"), None);
    }

    /// Mutated lines must never panic the parser.
    #[test]
    fn never_panics_on_mutated_records() {
        let mut next = crate::audit::xorshift(0x9E37_79B9_7F4A_7C15);
        let alphabet: Vec<char> = "=\" '():;.,x0a9\u{1d}\u{e9}\u{1F600}\0 \n[]"
            .chars()
            .collect();
        let mut decoder = crate::audit::Decoder::new();
        for base in [KERNEL, AUDITD, "audit[12]: SECCOMP pid=1 syscall=2"] {
            let chars: Vec<char> = base.chars().collect();
            for cut in 0..=chars.len() {
                let truncated: String = chars[..cut].iter().collect();
                let _ = parse(&truncated);
            }
            for _ in 0..3000 {
                let mut c = chars.clone();
                for _ in 0..(next() % 6 + 1) {
                    let at = (next() as usize) % (c.len() + 1);
                    let ch = alphabet[(next() as usize) % alphabet.len()];
                    match next() % 3 {
                        0 => c.insert(at, ch),
                        1 if at < c.len() => {
                            c.remove(at);
                        }
                        _ if at < c.len() => c[at] = ch,
                        _ => {}
                    }
                }
                let line: String = c.into_iter().collect();
                // One decoder for every line: what it reuses never leaks into the next event.
                assert_eq!(decoder.decode(&line), parse(&line).as_ref(), "{line:?}");
                if !crate::audit::may_hold_record(line.as_bytes()) {
                    assert!(parse(&line).is_none(), "{line:?}");
                    assert!(crate::audit::parse_loss(&line).is_none(), "{line:?}");
                    assert!(!line.starts_with('{'), "{line:?}");
                }
                if let Some(event) = parse(&line) {
                    let _ = event.to_ecs("h");
                    let _ = event.to_text();
                }
            }
        }
    }
}
