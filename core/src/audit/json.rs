// SPDX-License-Identifier: MIT OR Apache-2.0
//! A small JSON writer for the ECS documents: keys and values appended to a byte buffer, empty
//! objects taken back, strings escaped eight bytes at a time. It does what `serde_json` does
//! with a borrowed struct at a fraction of the cost, which matters at a million records.

/// A key of this module's own, written out in advance with the comma before it:
/// `,"name":` (made by [`key!`]), so that writing it is one copy of known length.
#[derive(Clone, Copy)]
pub(crate) struct Quoted(pub(crate) &'static str);

/// `key!("name")`: the [`Quoted`] form of a literal key.
macro_rules! key {
    ($name:literal) => {
        $crate::audit::json::Quoted(concat!(",\"", $name, "\":"))
    };
}
pub(crate) use key;

/// What can be written as a key: a [`Quoted`] literal, or a record's key (`&str`).
pub(crate) trait JsonKey: Copy {
    /// Appends the key and its colon, after a comma when `comma`.
    fn put(self, out: &mut Vec<u8>, comma: bool);
}

impl JsonKey for Quoted {
    #[inline(always)]
    fn put(self, out: &mut Vec<u8>, comma: bool) {
        debug_assert!(self.0.starts_with(",\"") && self.0.ends_with("\":"));
        let text = self.0.as_bytes();
        if comma {
            out.extend_from_slice(text);
        } else {
            out.extend_from_slice(&text[1..]);
        }
    }
}

impl JsonKey for &str {
    #[inline(always)]
    fn put(self, out: &mut Vec<u8>, comma: bool) {
        // Record keys, which the parser limits to `[A-Za-z0-9_-]`: nothing to escape.
        debug_assert!(self.bytes().all(|b| !NEEDS_ESCAPE[usize::from(b)]));
        if comma {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(self.as_bytes());
        out.extend_from_slice(b"\":");
    }
}

/// Writes one JSON object into `out`.
pub(crate) struct Json<'a> {
    out: &'a mut Vec<u8>,
    comma: bool,
}

/// Where an object began, to take it back when it stays empty.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    at: usize,
    comma: bool,
    body: usize,
}

impl<'a> Json<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Json<'a> {
        Json { out, comma: false }
    }

    /// `{` of the top-level object.
    pub(crate) fn begin(&mut self) {
        self.out.push(b'{');
        self.comma = false;
    }

    /// `}` of the top-level object, or of one opened by [`raw`](Json::raw) text.
    pub(crate) fn end(&mut self) {
        self.out.push(b'}');
        self.comma = true;
    }

    #[inline(always)]
    fn key(&mut self, key: impl JsonKey) {
        key.put(self.out, self.comma);
        self.comma = true;
    }

    /// `"key":{` ... closed by [`close`](Json::close).
    #[inline(always)]
    pub(crate) fn open(&mut self, key: impl JsonKey) -> Mark {
        let (at, comma) = (self.out.len(), self.comma);
        self.key(key);
        self.out.push(b'{');
        self.comma = false;
        Mark {
            at,
            comma,
            body: self.out.len(),
        }
    }

    /// `}`, or nothing at all (the key taken back) when the object is empty.
    #[inline(always)]
    pub(crate) fn close(&mut self, mark: Mark) {
        if self.out.len() == mark.body {
            self.out.truncate(mark.at);
            self.comma = mark.comma;
        } else {
            self.out.push(b'}');
            self.comma = true;
        }
    }

    /// Appends `fields`, written out in advance (`"a":1,"b":{...}`), after a comma if one is
    /// due.
    #[inline(always)]
    pub(crate) fn raw(&mut self, fields: &[u8]) {
        if self.comma {
            self.out.push(b',');
        }
        self.out.extend_from_slice(fields);
        self.comma = true;
    }

    /// `"key":"value"`, escaped.
    #[inline(always)]
    pub(crate) fn str(&mut self, key: impl JsonKey, value: &str) {
        self.key(key);
        self.out.push(b'"');
        escape_into(self.out, value);
        self.out.push(b'"');
    }

    /// `"key":"value"` for a value known to need no escaping (this module's constants and
    /// names: architectures, signals, actions, numbers).
    #[inline(always)]
    pub(crate) fn safe(&mut self, key: impl JsonKey, value: &str) {
        debug_assert!(value.bytes().all(|b| !NEEDS_ESCAPE[usize::from(b)]));
        self.key(key);
        self.out.push(b'"');
        self.out.extend_from_slice(value.as_bytes());
        self.out.push(b'"');
    }

    #[inline(always)]
    pub(crate) fn safe_with(&mut self, key: impl JsonKey, write: impl FnOnce(&mut Vec<u8>)) {
        self.key(key);
        self.out.push(b'"');
        write(self.out);
        self.out.push(b'"');
    }

    /// `"key":["a","b"]`, for constants that need no escaping.
    #[inline(always)]
    pub(crate) fn str_array(&mut self, key: impl JsonKey, values: &[&str]) {
        self.key(key);
        self.out.push(b'[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            debug_assert!(v.bytes().all(|b| !NEEDS_ESCAPE[usize::from(b)]));
            self.out.push(b'"');
            self.out.extend_from_slice(v.as_bytes());
            self.out.push(b'"');
        }
        self.out.push(b']');
    }

    /// `"key":123`.
    #[inline(always)]
    pub(crate) fn num(&mut self, key: impl JsonKey, value: u64) {
        self.key(key);
        push_decimal(self.out, value);
    }

    /// `"key":"123"`: ids are strings in ECS.
    #[inline(always)]
    pub(crate) fn id(&mut self, key: impl JsonKey, value: u32) {
        self.key(key);
        self.out.push(b'"');
        push_decimal(self.out, u64::from(value));
        self.out.push(b'"');
    }

    /// `"key":true`.
    #[inline(always)]
    pub(crate) fn bool(&mut self, key: impl JsonKey, value: bool) {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }
}

/// "00" to "99": decimals are written two digits at a time.
pub(crate) static PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    pairs
};

/// Appends `value` in decimal.
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while value >= 100 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[(value % 100) as usize]);
        value /= 100;
    }
    if value >= 10 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[value as usize]);
    } else {
        at -= 1;
        digits[at] = b'0' + value as u8;
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends `value` in lowercase hex, without `0x`, zero-padded to at least `width` digits
/// (at most 16).
pub(crate) fn push_hex(out: &mut Vec<u8>, value: u64, width: usize) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'0'; 16];
    let mut at = text.len();
    let mut rest = value;
    loop {
        at -= 1;
        text[at] = DIGITS[(rest & 0xf) as usize];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&text[at.min(16 - width.min(16))..]);
}

/// The bytes JSON strings must escape.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that needs escaping (a control character, `"` or `\`).
/// Bytes above one that does may be flagged too, but the lowest flagged byte always does: the
/// tests below are the exact "has a zero byte" tricks, whose borrows only run upwards.
#[inline]
fn special(w: u64) -> u64 {
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = w ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (control | quote | backslash) & HIGHS
}

/// True when `bytes` is at most sixteen bytes long and needs no escaping: two words that
/// overlap in the middle (or, below eight bytes, two halves of one word) cover it, so most
/// strings of a record are checked in a few instructions.
#[inline]
fn short_and_clean(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        0 => true,
        1..=3 => bytes.iter().all(|&b| !NEEDS_ESCAPE[usize::from(b)]),
        4..=7 => special(u64::from(half(0)) | u64::from(half(n - 4)) << 32) == 0,
        8..=16 => special(word(0)) | special(word(n - 8)) == 0,
        _ => false,
    }
}

/// Appends `s` as the inside of a JSON string: `"` and `\` escaped, control characters as
/// `\n`, `\t`, ... or `\u00XX`; everything else (UTF-8 included) as it is. Eight bytes are
/// looked at a time, and runs without escapes are copied whole.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    escape_bytes_into(out, s.as_bytes());
}

/// [`escape_into`] for bytes: only ASCII bytes are escaped, so UTF-8 stays UTF-8.
fn escape_bytes_into(out: &mut Vec<u8>, bytes: &[u8]) {
    if short_and_clean(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    let mut from = 0;
    while let Some(at) = next_special(bytes, from) {
        out.extend_from_slice(&bytes[start..at]);
        push_escaped(out, bytes[at]);
        from = at + 1;
        start = from;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// The first byte at or after `from` that needs escaping.
#[inline]
fn next_special(bytes: &[u8], from: usize) -> Option<usize> {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]));
    let mut i = from;
    // Sixteen bytes at a time while there are sixteen.
    while i + 16 <= n {
        let (a, b) = (special(word(i)), special(word(i + 8)));
        if a != 0 {
            return Some(i + (a.trailing_zeros() / 8) as usize);
        }
        if b != 0 {
            return Some(i + 8 + (b.trailing_zeros() / 8) as usize);
        }
        i += 16;
    }
    // The tail: the last sixteen bytes (some looked at already) show whether it is clean.
    if i >= n || (n >= 16 && special(word(n - 16)) | special(word(n - 8)) == 0) {
        return None;
    }
    (i..n).find(|&at| NEEDS_ESCAPE[usize::from(bytes[at])])
}

/// Appends the escape of `b`, a byte that needs one.
fn push_escaped(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_serde_json_reads_back() {
        let samples = [
            "",
            "plain ascii text long enough",
            "q\"uote",
            "back\\slash",
            "\u{0}\u{1}\u{1f}\n\r\t\u{8}\u{c}",
            "é€🙂 \u{7f} mixed \"x\" \\ and more than eight",
            "12345678\"",
        ];
        for s in samples {
            let mut out = vec![b'"'];
            escape_into(&mut out, s);
            out.push(b'"');
            let back: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(back, s);
        }
        for b in 0u8..=255 {
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = b;
                let flagged = special(u64::from_le_bytes(word));
                if b < 0x20 || b == b'"' || b == b'\\' {
                    assert_eq!(flagged.trailing_zeros() / 8, at as u32, "{b}");
                } else {
                    assert_eq!(flagged, 0, "{b}");
                }
            }
            // Every byte in every position of a string, escaped and read back.
            let text = format!("{}{}{}", "x".repeat(b as usize % 11), char::from(b), "yz");
            let mut out = vec![b'"'];
            escape_into(&mut out, &text);
            out.push(b'"');
            assert_eq!(serde_json::from_slice::<String>(&out).unwrap(), text);
        }
    }

    #[test]
    fn escapes_as_serde_json_does() {
        let pieces = [
            "a", "b", " ", "\"", "\\", "\n", "\u{1}", "\u{1d}", "\u{7f}", "é", "🙂",
        ];
        let mut next = crate::audit::xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let state = next();
            let len = (state % 70) as usize;
            let mut text = String::new();
            let mut r = state;
            for i in 0..len {
                // Mostly plain letters, so that long clean runs and the tail are both met.
                let pick = if (r >> (i % 50)) & 7 == 0 {
                    pieces[((r >> 3) % pieces.len() as u64) as usize]
                } else {
                    "x"
                };
                text.push_str(pick);
                r = r.rotate_left(7) ^ (i as u64);
            }
            let mut out = Vec::new();
            escape_into(&mut out, &text);
            let expected = serde_json::to_string(&text).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                expected[1..expected.len() - 1],
                "{text:?}"
            );
        }
    }

    #[test]
    fn short_check_agrees_with_the_table() {
        let naive = |b: &[u8]| b.len() <= 16 && !b.iter().any(|&c| NEEDS_ESCAPE[usize::from(c)]);
        for len in 0..=20 {
            let clean = vec![b'a'; len];
            assert_eq!(short_and_clean(&clean), naive(&clean), "{len}");
            for at in 0..len {
                for b in 0u8..=255 {
                    let mut text = clean.clone();
                    text[at] = b;
                    assert_eq!(short_and_clean(&text), naive(&text), "{len} {at} {b}");
                }
            }
        }
    }

    #[test]
    fn empty_objects_are_taken_back() {
        let mut out = Vec::new();
        let mut j = Json::new(&mut out);
        j.begin();
        j.num("a", 0);
        let m = j.open("empty");
        let inner = j.open("nested");
        j.close(inner);
        j.close(m);
        let m = j.open("full");
        j.id("id", 4_294_967_295);
        j.bool("b", false);
        j.close(m);
        j.end();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":0,"full":{"id":"4294967295","b":false}}"#
        );
    }
}
