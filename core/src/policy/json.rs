// SPDX-License-Identifier: MIT OR Apache-2.0
//! Policy text -> JSON value, refusing what JSON parsers disagree on: a key given twice in
//! one object (one parser keeps the first, another the last, so a reviewer and sysfence could
//! read different policies) and a leading byte order mark.

use crate::diagnostic::DiagnosticKind;
use crate::error::{Error, Result};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// The largest policy text read: 16 MiB. A policy that fits the kernel's 4096 instructions is
/// far smaller (every syscall of every architecture with conditions is a few hundred KB);
/// a JSON value takes about thirty times its text in memory.
pub const MAX_POLICY_BYTES: usize = 16 << 20;

/// Reads policy text from `reader` (a file, standard input), at most [`MAX_POLICY_BYTES`]:
/// larger input is refused without being read to its end. `name` is for messages.
pub fn read_policy_text(reader: impl std::io::Read, name: &str) -> Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(MAX_POLICY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(name, &e))?;
    if bytes.len() > MAX_POLICY_BYTES {
        return Err(Error::policy(
            DiagnosticKind::InvalidJson,
            "$",
            format!("{name}: sysfence reads policies of at most {MAX_POLICY_BYTES} bytes (16 MiB)"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::io(
            name,
            &std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })
}

/// Parses policy text: numbers keep their text (`18446744073709551616` is reported as
/// written), duplicate keys and a byte order mark are errors, and so is text over
/// [`MAX_POLICY_BYTES`].
pub(crate) fn parse(text: &str) -> Result<Value> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(Error::policy(DiagnosticKind::InvalidJson,
            "$",
            format!(
                "the policy is {} bytes; sysfence reads policies of at most {MAX_POLICY_BYTES} bytes (16 MiB)",
                text.len()
            ),
        ));
    }
    if text.starts_with('\u{feff}') {
        return Err(Error::policy(
            DiagnosticKind::InvalidJson,
            "$",
            "the policy starts with a UTF-8 byte order mark; save it without BOM",
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| syntax(&e))?;
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let checked = Check {
        path: &None,
        duplicate: &duplicate,
    }
    .deserialize(&mut de);
    if let Some((path, key)) = duplicate.into_inner() {
        return Err(Error::policy(DiagnosticKind::DuplicateKey,
            path,
            format!(
                "key {key:?} is given twice in one object: JSON parsers disagree on which one counts, so the policy is refused"
            ),
        ));
    }
    checked.map_err(|e| syntax(&e))?;
    Ok(value)
}

fn syntax(e: &serde_json::Error) -> Error {
    Error::policy(
        DiagnosticKind::InvalidJson,
        "$",
        format!(
            "invalid JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ),
    )
}

/// Where a value sits: a chain of keys and indices up to the top, formatted only when needed.
enum Step<'a> {
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}
type Path<'a> = Option<Step<'a>>;

fn render(path: &Path<'_>) -> String {
    match path {
        None => String::new(),
        Some(Step::Key(parent, key)) => {
            let p = render(parent);
            if p.is_empty() {
                key.to_string()
            } else {
                format!("{p}.{key}")
            }
        }
        Some(Step::Index(parent, i)) => format!("{}[{i}]", render(parent)),
    }
}

/// Walks the text without building anything, recording the first duplicate key.
struct Check<'p, 'c> {
    path: &'p Path<'p>,
    duplicate: &'c RefCell<Option<(String, String)>>,
}

impl<'de> DeserializeSeed<'de> for Check<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> std::result::Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut i = 0;
        loop {
            let here = Some(Step::Index(self.path, i));
            let seed = Check {
                path: &here,
                duplicate: self.duplicate,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut keys: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                let here = Some(Step::Key(self.path, &key));
                *self.duplicate.borrow_mut() = Some((render(&here), key.clone()));
                return Err(de::Error::custom("duplicate key"));
            }
            let here = Some(Step::Key(self.path, &key));
            map.next_value_seed(Check {
                path: &here,
                duplicate: self.duplicate,
            })?;
            keys.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_path(text: &str) -> (String, String) {
        let e = parse(text).unwrap_err();
        let d = &e.diagnostics()[0];
        (d.path.clone(), d.message.clone())
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_path() {
        let (path, msg) = err_path(r#"{"default_action":"errno","default_action":"allow"}"#);
        assert_eq!(path, "default_action");
        assert!(msg.contains("twice"), "{msg}");
        let (path, _) = err_path(
            r#"{"default_action":"allow","rules":[{"action":"errno","syscalls":["dup"]},
               {"action":"errno","syscalls":["dup"],"args":[{"index":0,"op":"eq","value":1,"value":2}]}]}"#,
        );
        assert_eq!(path, "rules[1].args[0].value");
        // An escaped spelling is the same key.
        let (path, _) = err_path(r#"{"mode":"log","m\u006fde":"enforce"}"#);
        assert_eq!(path, "mode");
    }

    #[test]
    fn byte_order_mark_and_big_numbers() {
        let (path, msg) = err_path("\u{feff}{}");
        assert_eq!(path, "$");
        assert!(msg.contains("byte order mark"), "{msg}");
        let v = parse(r#"{"value": 18446744073709551616}"#).unwrap();
        assert_eq!(v["value"].to_string(), "18446744073709551616");
    }
}
