//! JavaScript values into the core's types: a policy argument (plain object, `Policy` or preset
//! name) into a [`sysfence::Policy`], JS data into a `serde_json::Value`, numbers and BigInts
//! into `u64`. Nothing here validates a policy: that is [`sysfence::Policy::from_value`]'s job.

use crate::error::{invalid, Result};
use crate::policy::Policy;
use napi::bindgen_prelude::{
    Array, BigInt, ClassInstance, FromNapiValue, JavaScriptClassExt, Object, Unknown,
};
use napi::{Env, JsValue, ValueType};
use serde_json::{Map, Number, Value};

/// Deeper than any policy; a cycle (`a.self = a`) stops here instead of overflowing the stack.
const MAX_DEPTH: usize = 64;

/// `Number.MAX_SAFE_INTEGER`: the largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Resolves what `applyPolicy`, `compilePolicy` and `checkPolicy` accept: a preset name, a
/// `Policy`, or a plain object in the JSON format (validated by the core).
pub(crate) fn policy_arg(env: &Env, arg: &Unknown) -> Result<sysfence::Policy> {
    match arg.get_type()? {
        ValueType::String => {
            let name: String = cast(arg)?;
            Ok(sysfence::Policy::preset(&name)?)
        }
        ValueType::Object if Policy::instance_of(env, arg)? => Ok(class_policy(arg)?),
        _ => Ok(sysfence::Policy::from_value(&policy_json(arg)?)?),
    }
}

/// The policy held by a `Policy` instance.
fn class_policy(arg: &Unknown) -> Result<sysfence::Policy> {
    // `instance_of` confirmed the value wraps a `Policy`; the unwrap checks it again.
    let policy: ClassInstance<Policy> = cast(arg)?;
    Ok(policy.inner().clone())
}

/// A plain object (or any other JSON value, for the core to refuse with a path) as the JSON the
/// core validates. `undefined`, functions and symbols are refused here.
pub(crate) fn policy_json(arg: &Unknown) -> Result<Value> {
    // `undefined`, functions and symbols have no JSON form (JSON.stringify leaves them out).
    to_json(arg, 0, "$")?.ok_or_else(|| {
        invalid(format!(
            "expected a policy (a plain object in the JSON format, a Policy or a preset name), \
             found {}",
            type_name(arg.get_type().unwrap_or(ValueType::Unknown))
        ))
    })
}

/// Converts a JS value as `JSON.stringify` would, except that a BigInt becomes an integer (or,
/// past 64 bits, its decimal text) instead of throwing, `toJSON` methods are not called, and a
/// cycle is an error. `None` stands for "left out" (`undefined`, functions and symbols).
/// `path` is where `value` sits in the policy (`rules[0].args`), for errors.
fn to_json(value: &Unknown, depth: usize, path: &str) -> Result<Option<Value>> {
    if depth > MAX_DEPTH {
        return Err(at(
            path,
            format!("nested more than {MAX_DEPTH} levels deep (or refers to itself)"),
        ));
    }
    let json = match value.get_type()? {
        ValueType::Undefined | ValueType::Function | ValueType::Symbol => return Ok(None),
        ValueType::Null => Value::Null,
        ValueType::Boolean => Value::Bool(cast(value)?),
        ValueType::String => Value::String(cast(value)?),
        ValueType::Number => number(cast(value)?),
        ValueType::BigInt => bigint(&cast::<BigInt>(value)?),
        ValueType::Object if value.is_array()? => {
            let array: Array = cast(value)?;
            let mut items = Vec::with_capacity(array.len() as usize);
            for i in 0..array.len() {
                let item = match array.get::<Unknown>(i)? {
                    Some(item) => to_json(&item, depth + 1, &format!("{path}[{i}]"))?,
                    None => None,
                };
                items.push(item.unwrap_or(Value::Null));
            }
            Value::Array(items)
        }
        ValueType::Object => {
            let object: Object = cast(value)?;
            let mut map = Map::new();
            for key in Object::keys(&object)? {
                if let Some(item) = object.get::<Unknown>(&key)? {
                    let child = if path == "$" {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    if let Some(v) = to_json(&item, depth + 1, &child)? {
                        map.insert(key, v);
                    }
                }
            }
            Value::Object(map)
        }
        other => return Err(at(path, format!("a {other:?} value has no JSON form"))),
    };
    Ok(Some(json))
}

/// A policy error at `path`, as the core reports its own.
fn at(path: &str, message: String) -> crate::error::Failure {
    sysfence::Error::Policy(vec![sysfence::Diagnostic::error(path, message)]).into()
}

/// A JS number as JSON: whole numbers JS holds exactly become integers (so `0x100000000`
/// reaches the core as 4294967296, not 4294967296.0); NaN and infinities become null, as in
/// `JSON.stringify`.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        return Value::Number(if n < 0.0 {
            Number::from(n as i64)
        } else {
            Number::from(n as u64)
        });
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

fn bigint(b: &BigInt) -> Value {
    let (negative, value, lossless) = b.get_u64();
    match (negative, lossless) {
        (false, true) => Value::Number(Number::from(value)),
        (true, _) => match b.get_i64() {
            (v, true) => Value::Number(Number::from(v)),
            _ => Value::String(format!("-{}", big_decimal(b))),
        },
        (false, false) => Value::String(big_decimal(b)),
    }
}

/// The magnitude of a BigInt wider than 64 bits, in decimal, so the core can say it is out of
/// range with the number the user wrote.
fn big_decimal(b: &BigInt) -> String {
    let mut words: Vec<u64> = b.words.clone();
    let mut digits = Vec::new();
    while words.iter().any(|w| *w != 0) {
        let mut rem: u128 = 0;
        for w in words.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*w);
            *w = (cur / 10) as u64;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Reads a JS value as `T`, once the caller has matched its type against `T`.
pub(crate) fn cast<T: FromNapiValue>(value: &Unknown) -> napi::Result<T> {
    // SAFETY: callers check the value's type first. A mismatch would not be undefined
    // behaviour anyway: the napi_get_value_* calls behind `FromNapiValue` check the type
    // themselves and fail with an error.
    unsafe { value.cast() }
}

/// A syscall argument: a whole number in `0..=Number.MAX_SAFE_INTEGER` or a BigInt in
/// `0..2**64`.
pub(crate) fn u64_arg(value: &Unknown, what: &str) -> Result<u64> {
    match value.get_type()? {
        ValueType::Number => {
            let n: f64 = cast(value)?;
            if n.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&n) {
                Ok(n as u64)
            } else {
                Err(invalid(format!(
                    "{what}: {n} is not a whole number in 0..=Number.MAX_SAFE_INTEGER \
                     (pass a BigInt for larger values, and the 64-bit two's complement for \
                     negative ones)"
                )))
            }
        }
        ValueType::BigInt => {
            let b: BigInt = cast(value)?;
            match b.get_u64() {
                (false, v, true) => Ok(v),
                _ => Err(invalid(format!("{what}: the BigInt is outside 0..2n**64n"))),
            }
        }
        other => Err(invalid(format!(
            "{what}: expected a number or a BigInt, found {}",
            type_name(other)
        ))),
    }
}

/// An optional argument: `None` for `undefined` and `null`.
pub(crate) fn optional<'a>(value: Option<Unknown<'a>>) -> Result<Option<Unknown<'a>>> {
    match value {
        None => Ok(None),
        Some(v) => match v.get_type()? {
            ValueType::Undefined | ValueType::Null => Ok(None),
            _ => Ok(Some(v)),
        },
    }
}

/// A string argument.
pub(crate) fn string_arg(value: &Unknown, what: &str) -> Result<String> {
    match value.get_type()? {
        ValueType::String => Ok(cast(value)?),
        other => Err(invalid(format!(
            "{what}: expected a string, found {}",
            type_name(other)
        ))),
    }
}

/// The `typeof` name of a value type, for messages.
pub(crate) fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Object => "an object",
        ValueType::Function => "a function",
        ValueType::External => "an external",
        ValueType::BigInt => "a BigInt",
        _ => "an unknown value",
    }
}
