// SPDX-License-Identifier: MIT OR Apache-2.0
//! Python values to and from JSON values.
//!
//! A policy given as a dict becomes a `serde_json::Value` here and is validated by the core, like
//! JSON text is. What JSON cannot hold becomes a `PolicyError` naming the place, never a panic:
//! keys that are not strings, the same key twice, NaN and infinities, integers wider than 256
//! bits, objects of other types, and nesting deeper than 128 levels (a dict that contains
//! itself). Integers that fit no 64-bit integer keep their digits, as the same number in JSON
//! text does, so the core reports them as out of range at their path, as written.
//!
//! Each value is read once, as stored: a `dict` (or subclass) and a `list` or `tuple` (or
//! subclass) by their contents, never through overridden `items`, `__getitem__`, `__iter__` or
//! `__len__`; an `int`, `float` or `str` subclass by its value, never through `__index__`,
//! `__int__`, `__float__` or `__str__`. Other mappings (`collections.abc.Mapping`) are read
//! through their `items()`, once. Sizes are bounded before anything is converted: at most
//! [`MAX_ITEMS`] elements or keys in a container and [`MAX_SIZE`] in all.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyNone, PyString, PyTuple};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use sysfence::{Diagnostic, DiagnosticKind};

/// How deep a policy may nest; serde_json's own limit for text.
const MAX_DEPTH: usize = 128;

/// The most elements a list or tuple, or keys a mapping, may have (the Node binding's limit).
pub const MAX_ITEMS: usize = 65_536;

/// The most a policy may weigh, about the length of its JSON text: strings count their UTF-8
/// bytes, every other value a few bytes (the Node binding's limit).
pub const MAX_SIZE: usize = 4 << 20;

/// The most arguments `Filter.simulate` reads from its sequence; the core refuses more than six.
pub const MAX_ARGS: usize = 16;

/// Converts a Python value to JSON. Problems are collected, each with its path, and returned
/// as one policy error, so nothing half-converted reaches the core.
pub fn py_to_json(obj: &Bound<'_, PyAny>) -> sysfence::Result<Value> {
    let mut walk = Walk {
        errors: Vec::new(),
        budget: MAX_SIZE,
        stopped: false,
    };
    let value = walk.convert(obj, "", 0);
    if walk.errors.is_empty() {
        Ok(value)
    } else {
        Err(sysfence::Error::Policy(walk.errors))
    }
}

/// The arguments of `Filter.simulate`: a sequence (not a string) of at most [`MAX_ARGS`]
/// integers, read by iterating it once (its `__len__` is never asked: it can say anything).
pub fn u64_args(args: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u64>> {
    let Some(args) = args else {
        return Ok(Vec::new());
    };
    if args.is_none() {
        return Ok(Vec::new());
    }
    if args.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "args: expected a sequence of integers, found str",
        ));
    }
    // SAFETY: `args` is a live object; PySequence_Check only reads its type slots.
    if unsafe { pyo3::ffi::PySequence_Check(args.as_ptr()) } == 0 {
        return Err(PyTypeError::new_err(format!(
            "args: expected a sequence of integers, found {}",
            type_name(args)
        )));
    }
    let mut out = Vec::new();
    for item in args.try_iter()? {
        if out.len() == MAX_ARGS {
            let message =
                format!("args: more than {MAX_ARGS} arguments (a syscall takes at most six)");
            return Err(crate::error::to_py_err(
                args.py(),
                &sysfence::Error::InvalidArgument(message),
            ));
        }
        out.push(item?.extract::<u64>()?);
    }
    Ok(out)
}

fn shown(path: &str) -> String {
    if path.is_empty() {
        "$".to_string()
    } else {
        path.to_string()
    }
}

fn field(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// One conversion: the problems found so far and what is left of [`MAX_SIZE`].
struct Walk {
    errors: Vec<Diagnostic>,
    budget: usize,
    /// Set once the size budget is exhausted: nothing more is read.
    stopped: bool,
}

impl Walk {
    fn fail(&mut self, path: &str, message: String) -> Value {
        self.fail_as(DiagnosticKind::WrongType, path, message)
    }

    fn fail_as(&mut self, kind: DiagnosticKind, path: &str, message: String) -> Value {
        self.errors
            .push(Diagnostic::error(kind, shown(path), message));
        Value::Null
    }

    /// Takes `n` bytes off the budget; false (with the error recorded once) when it is spent.
    fn spend(&mut self, n: usize, path: &str) -> bool {
        if self.stopped {
            return false;
        }
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => {
                self.stopped = true;
                self.fail(
                    path,
                    format!(
                        "the policy is larger than {} MiB (as JSON text)",
                        MAX_SIZE >> 20
                    ),
                );
                false
            }
        }
    }

    /// Whether a container of `len` items may be read; records the error if not.
    fn fits(&mut self, len: usize, what: &str, path: &str) -> bool {
        if len > MAX_ITEMS {
            self.fail(
                path,
                format!("a {what} of {len} items; at most {MAX_ITEMS} are accepted"),
            );
            return false;
        }
        self.spend(len + 2, path)
    }

    fn convert(&mut self, obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> Value {
        if self.stopped {
            return Value::Null;
        }
        if depth > MAX_DEPTH {
            return self.fail(
                path,
                format!(
                    "nested more than {MAX_DEPTH} levels deep (does a list or dict contain \
                     itself?)"
                ),
            );
        }
        if obj.is_none() {
            self.spend(4, path);
            return Value::Null;
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            self.spend(5, path);
            return Value::Bool(b.is_true());
        }
        if obj.is_instance_of::<PyInt>() {
            self.spend(8, path);
            // An int (or subclass) is read by its value: PyLong_As* take the stored digits of
            // an int instance and call no `__index__` or `__int__`.
            if let Ok(n) = obj.extract::<i64>() {
                return Value::from(n);
            }
            if let Ok(n) = obj.extract::<u64>() {
                return Value::from(n);
            }
            // Beyond 64 bits: the number as written (the core reports it with its digits, as
            // it does for JSON text). `int.bit_length` and `int.__repr__` of the base type read
            // the stored digits and call no method of a subclass; the width is checked first,
            // so a huge int never becomes a huge string.
            let py = obj.py();
            let int = py.get_type::<PyInt>();
            let bits = int
                .getattr("bit_length")
                .and_then(|f| f.call1((obj,)))
                .and_then(|b| b.extract::<u64>());
            if !matches!(bits, Ok(b) if b <= 256) {
                return self.fail_as(
                    DiagnosticKind::OutOfRange,
                    path,
                    "integer too large (more than 256 bits)".to_string(),
                );
            }
            let digits = int
                .getattr("__repr__")
                .and_then(|f| f.call1((obj,)))
                .and_then(|r| r.extract::<String>());
            return match digits.map(|d| serde_json::from_str::<Number>(&d)) {
                Ok(Ok(n)) => Value::Number(n),
                _ => self.fail_as(
                    DiagnosticKind::OutOfRange,
                    path,
                    "integer too large for JSON".to_string(),
                ),
            };
        }
        if let Ok(f) = obj.cast::<PyFloat>() {
            self.spend(8, path);
            return match Number::from_f64(f.value()) {
                Some(n) => Value::Number(n),
                None => self.fail(path, format!("{} is not a JSON number", f.value())),
            };
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return match self.string(s, path) {
                Some(Ok(s)) => Value::String(s),
                Some(Err(message)) => self.fail(path, message),
                None => Value::Null,
            };
        }
        if let Ok(list) = obj.cast::<PyList>() {
            // The stored length: a list subclass's `__len__` is not asked.
            if !self.fits(list.len(), "list", path) {
                return Value::Null;
            }
            let items: Vec<Bound<'_, PyAny>> = list.iter().collect();
            return Value::Array(self.items(&items, path, depth));
        }
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            if !self.fits(tuple.len(), "tuple", path) {
                return Value::Null;
            }
            let items: Vec<Bound<'_, PyAny>> = tuple.iter().collect();
            return Value::Array(self.items(&items, path, depth));
        }
        let items = if let Ok(dict) = obj.cast::<PyDict>() {
            // The stored items (PyDict_Next): a dict subclass's `items`, `keys` or
            // `__getitem__` are not called.
            if !self.fits(dict.len(), "dict", path) {
                return Value::Null;
            }
            Ok(dict.iter().collect::<Vec<_>>())
        } else if let Ok(mapping) = obj.cast::<PyMapping>() {
            // Any other mapping is read through its `items()`, once.
            match mapping.items() {
                Ok(list) => {
                    if !self.fits(list.len(), "mapping", path) {
                        return Value::Null;
                    }
                    list.iter()
                        .map(|item| item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
                        .collect::<PyResult<Vec<_>>>()
                }
                Err(e) => Err(e),
            }
        } else {
            return self.fail(
                path,
                format!(
                    "a value of type {:?} cannot be part of a policy (use dict, list, str, int, \
                     float, bool or None)",
                    type_name(obj)
                ),
            );
        };
        let items = match items {
            Ok(items) => items,
            Err(e) => return self.fail(path, format!("reading the mapping failed: {e}")),
        };
        let mut map = Map::new();
        for (key, value) in items {
            if self.stopped {
                break;
            }
            let key_text = match key.cast::<PyString>() {
                Ok(k) => self.string(k, path),
                Err(_) => None,
            };
            let key_text = match key_text {
                Some(Ok(text)) => text,
                None if self.stopped => break,
                _ => {
                    let problem = if key.is_instance_of::<PyString>() {
                        "keys must be valid UTF-8 (no lone surrogates), found".to_string()
                    } else {
                        format!("keys must be strings, found {}", type_name(&key))
                    };
                    let message = match builtin_repr(&key) {
                        Some(r) => format!("{problem} {r}"),
                        None => problem,
                    };
                    self.errors.push(Diagnostic::error(
                        DiagnosticKind::WrongType,
                        shown(path),
                        message,
                    ));
                    continue;
                }
            };
            let child = field(path, &key_text);
            let v = self.convert(&value, &child, depth + 1);
            if map.contains_key(&key_text) {
                // A str subclass with its own `__eq__`/`__hash__`, or a mapping's `items()`,
                // can give the same key twice; JSON parsers disagree on which one wins.
                self.fail_as(
                    DiagnosticKind::DuplicateKey,
                    &child,
                    "the same key appears twice".to_string(),
                );
                continue;
            }
            map.insert(key_text, v);
        }
        Value::Object(map)
    }

    /// The text of a str (or subclass, by its stored value). `None` when the budget ran out,
    /// `Some(Err)` for text that is no UTF-8.
    fn string(&mut self, s: &Bound<'_, PyString>, path: &str) -> Option<Result<String, String>> {
        // Each character takes at least one UTF-8 byte: refuse before copying.
        let chars = s.len().unwrap_or(0);
        if !self.spend(chars + 3, path) {
            return None;
        }
        Some(match s.to_cow() {
            Ok(text) => {
                // The rest of the UTF-8 size.
                if !self.spend(text.len() - chars.min(text.len()), path) {
                    return None;
                }
                Ok(text.into_owned())
            }
            Err(_) => Err("string is not valid UTF-8 (lone surrogate)".to_string()),
        })
    }

    fn items(&mut self, items: &[Bound<'_, PyAny>], path: &str, depth: usize) -> Vec<Value> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.convert(item, &format!("{path}[{i}]"), depth + 1))
            .collect()
    }
}

/// The repr of a key for a message, only for built-in types whose repr runs no user code and
/// stays short.
fn builtin_repr(key: &Bound<'_, PyAny>) -> Option<String> {
    let builtin = key.is_exact_instance_of::<PyInt>()
        || key.is_exact_instance_of::<PyFloat>()
        || key.is_exact_instance_of::<PyString>()
        || key.is_exact_instance_of::<PyBool>()
        || key.is_exact_instance_of::<PyNone>();
    if !builtin {
        return None;
    }
    let text = key.repr().ok()?.to_string();
    Some(match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    })
}

/// Converts a JSON value to plain Python objects (dict, list, str, int, float, bool, None).
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serialisable core value (a `Report`, a `Status`, a `Diagnostic`) as Python objects.
pub fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value).map_err(|e| PyTypeError::new_err(e.to_string()))?;
    json_to_py(py, &value)
}

/// Diagnostics as a list of dicts with `severity`, `path` and `message`.
pub fn diagnostics_to_py<'py>(
    py: Python<'py>,
    diagnostics: &[Diagnostic],
) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &diagnostics)
}
