//! Python values to and from JSON values.
//!
//! A policy given as a dict becomes a `serde_json::Value` here and is validated by the core, like
//! JSON text is. What JSON cannot hold becomes a `PolicyError` naming the place, never a panic:
//! keys that are not strings, NaN and infinities, integers beyond 64 bits that no float holds
//! either, objects of other types, and nesting deeper than 128 levels (a dict that contains
//! itself). Integers that fit no 64-bit integer become floats, as the same number in JSON text
//! does, so the core reports them as out of range at their path.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use sysfence::Diagnostic;

/// How deep a policy may nest; serde_json's own limit for text.
const MAX_DEPTH: usize = 128;

/// Converts a Python value to JSON. Problems are collected, each with its path, and returned
/// as one policy error, so nothing half-converted reaches the core.
pub fn py_to_json(obj: &Bound<'_, PyAny>) -> sysfence::Result<Value> {
    let mut errors = Vec::new();
    let value = convert(obj, "", 0, &mut errors);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(sysfence::Error::Policy(errors))
    }
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

fn convert(
    obj: &Bound<'_, PyAny>,
    path: &str,
    depth: usize,
    errors: &mut Vec<Diagnostic>,
) -> Value {
    if depth > MAX_DEPTH {
        return fail(
            errors,
            path,
            format!(
                "nested more than {MAX_DEPTH} levels deep (does a list or dict contain itself?)"
            ),
        );
    }
    if obj.is_none() {
        return Value::Null;
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Value::Bool(b.is_true());
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Value::from(n);
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Value::from(n);
        }
        // Beyond 64 bits: a float, as serde_json reads the same digits in JSON text.
        return match obj.extract::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Value::Number(n),
            None => fail(errors, path, "integer too large for JSON".to_string()),
        };
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return match Number::from_f64(f.value()) {
            Some(n) => Value::Number(n),
            None => fail(errors, path, format!("{} is not a JSON number", f.value())),
        };
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_cow() {
            Ok(s) => Value::String(s.to_string()),
            Err(_) => fail(
                errors,
                path,
                "string is not valid UTF-8 (lone surrogate)".to_string(),
            ),
        };
    }
    if let Ok(list) = obj.cast::<PyList>() {
        let items: Vec<Bound<'_, PyAny>> = list.iter().collect();
        return Value::Array(convert_items(&items, path, depth, errors));
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = tuple.iter().collect();
        return Value::Array(convert_items(&items, path, depth, errors));
    }
    let items = if let Ok(dict) = obj.cast::<PyDict>() {
        Ok(dict.iter().collect::<Vec<_>>())
    } else if let Ok(mapping) = obj.cast::<PyMapping>() {
        mapping.items().and_then(|items| {
            items
                .iter()
                .map(|item| item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
                .collect::<PyResult<Vec<_>>>()
        })
    } else {
        return fail(
            errors,
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
        Err(e) => return fail(errors, path, format!("reading the mapping failed: {e}")),
    };
    let mut map = Map::new();
    for (key, value) in items {
        let key_text = match key.cast::<PyString>() {
            Ok(k) => k.to_cow().map(|k| k.into_owned()).ok(),
            Err(_) => None,
        };
        let Some(key_text) = key_text else {
            let problem = if key.is_instance_of::<PyString>() {
                "keys must be valid UTF-8 (no lone surrogates), found".to_string()
            } else {
                format!("keys must be strings, found {}", type_name(&key))
            };
            let shown_key = key.repr().map(|r| r.to_string()).unwrap_or_default();
            errors.push(Diagnostic::error(
                shown(path),
                format!("{problem} {shown_key}"),
            ));
            continue;
        };
        let v = convert(&value, &field(path, &key_text), depth + 1, errors);
        map.insert(key_text, v);
    }
    Value::Object(map)
}

fn fail(errors: &mut Vec<Diagnostic>, path: &str, message: String) -> Value {
    errors.push(Diagnostic::error(shown(path), message));
    Value::Null
}

fn convert_items(
    items: &[Bound<'_, PyAny>],
    path: &str,
    depth: usize,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| convert(item, &format!("{path}[{i}]"), depth + 1, errors))
        .collect()
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
