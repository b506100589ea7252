// SPDX-License-Identifier: MIT OR Apache-2.0
//! JavaScript values into the core's types: JS data into a `serde_json::Value` (a policy in the
//! JSON format, options), numbers and BigInts into `u64`, strings. Nothing here validates a
//! policy: that is [`sysfence::Policy::from_value`]'s job (and telling a `Policy` instance from
//! a plain object is policy.rs's).

use crate::error::{invalid, Failure, Result};
use napi::bindgen_prelude::{FromNapiValue, Unknown};
use napi::{sys, JsValue, ValueType};
use serde_json::{Map, Number, Value};
use std::ptr;

/// Deeper than any policy; a cycle (`a.self = a`) stops here instead of overflowing the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// The most elements an array, or keys an object, may have. Checked before anything is read:
/// an array's `length` says nothing about how much it holds (`a.length = 2 ** 32 - 1`).
pub(crate) const MAX_ITEMS: u32 = 65_536;

/// The most a policy may weigh, about the length of its JSON text: strings count their UTF-8
/// bytes, every other value a few bytes.
pub(crate) const MAX_SIZE: usize = 4 << 20;

/// `Number.MAX_SAFE_INTEGER`: the largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The widest BigInt read (in 64-bit words): past 64 bits a value is out of range anyway, and
/// its decimal text is only kept for the message.
const MAX_BIGINT_WORDS: usize = 4;

/// The policy error for a napi call on `arg` that failed while doing `what`: what JavaScript
/// threw, taken off the engine, or the status.
pub(crate) fn policy_read_failure(arg: &Unknown, what: &str, status: &str) -> Failure {
    Reader::new(arg.value().env, Kind::Policy).failure("$", what, status)
}

/// A plain object (or any other JSON value, for the core to refuse with a path) as the JSON the
/// core validates. `undefined`, functions and symbols are refused here.
pub(crate) fn policy_json(arg: &Unknown) -> Result<Value> {
    let value = arg.value();
    let mut reader = Reader::new(value.env, Kind::Policy);
    // `undefined`, functions and symbols have no JSON form (JSON.stringify leaves them out).
    reader.value(value.value, 0, "$")?.ok_or_else(|| {
        invalid(format!(
            "expected a policy (a plain object in the JSON format, a Policy or a preset name), \
             found {}",
            type_name(arg.get_type().unwrap_or(ValueType::Unknown))
        ))
    })
}

/// The syscall arguments of `Filter.simulate`: an array of at most `max` numbers or BigInts.
pub(crate) fn u64_list(list: &Unknown, what: &str, max: u32) -> Result<Vec<u64>> {
    let value = list.value();
    let mut reader = Reader::new(value.env, Kind::Argument);
    let items = reader.elements(value.value, what, max)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        // SAFETY: `item` is a value the engine just returned in this env's current scope.
        let item = unsafe { Unknown::from_raw_unchecked(value.env, item) };
        out.push(u64_arg(&item, &format!("{what}[{i}]"))?);
    }
    Ok(out)
}

/// Which error a problem while reading becomes: a policy error (with the path) for policies,
/// an invalid argument for the other parameters.
#[derive(Clone, Copy)]
enum Kind {
    Policy,
    Argument,
}

/// Reads JS data as `JSON.stringify` sees it, own enumerable string-keyed properties only
/// (never inherited ones: a polluted `Object.prototype` adds nothing; napi's own
/// `napi_get_property_names` would list them), with these differences: only objects whose prototype is `Object.prototype` or null and arrays whose
/// prototype is `Array.prototype` are accepted (no class instances, `Map`, `Date`, ...;
/// `toJSON` is never called), a hole in an array is an error (not `null`, and never
/// `Array.prototype[i]`), a BigInt becomes an integer (or, past 64 bits, its decimal text), a
/// cycle is an error, and sizes are bounded ([`MAX_ITEMS`], [`MAX_SIZE`], [`MAX_DEPTH`]) before
/// anything is allocated. Each property is read exactly once, so a getter or a Proxy cannot
/// show one value to a check and another to the conversion. Whatever JavaScript throws while
/// being read (a getter, a Proxy trap) becomes an error naming the path.
struct Reader {
    env: sys::napi_env,
    kind: Kind,
    /// What is left of [`MAX_SIZE`].
    budget: usize,
}

impl Reader {
    fn new(env: sys::napi_env, kind: Kind) -> Self {
        Reader {
            env,
            kind,
            budget: MAX_SIZE,
        }
    }

    /// An error at `path`.
    fn error(&self, path: &str, message: String) -> Failure {
        match self.kind {
            Kind::Policy => at(path, message),
            Kind::Argument => invalid(format!("{path}: {message}")),
        }
    }

    /// The error for a napi call that returned `status` while doing `what` at `path`: what
    /// JavaScript threw, taken off the engine (so that it is not thrown as well), or the
    /// status.
    fn failure(&self, path: &str, what: &str, status: &str) -> Failure {
        let mut pending = false;
        // SAFETY: `self.env` is the env of the current call.
        let checked = unsafe { sys::napi_is_exception_pending(self.env, &mut pending) };
        if checked == sys::Status::napi_ok && pending {
            let mut exception = ptr::null_mut();
            // SAFETY: as above; `exception` receives a value of this scope.
            let taken = unsafe { sys::napi_get_and_clear_last_exception(self.env, &mut exception) };
            if taken == sys::Status::napi_ok && !exception.is_null() {
                let thrown = describe(self.env, exception);
                return self.error(path, format!("{what} threw {thrown}"));
            }
        }
        self.error(path, format!("{what} failed ({status})"))
    }

    /// Runs one napi call; a failure becomes [`Reader::failure`].
    fn call(&self, path: &str, what: &str, status: sys::napi_status) -> Result<()> {
        if status == sys::Status::napi_ok {
            Ok(())
        } else {
            Err(self.failure(path, what, &format!("napi status {status}")))
        }
    }

    /// Takes `n` bytes off the size budget.
    fn spend(&mut self, n: usize, path: &str) -> Result<()> {
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(self.error(
                path,
                format!(
                    "the policy is larger than {} MiB (as JSON text)",
                    MAX_SIZE >> 20
                ),
            )),
        }
    }

    fn type_of(&self, value: sys::napi_value, path: &str) -> Result<ValueType> {
        let mut t = 0;
        // SAFETY: `value` belongs to `self.env`'s current scope.
        self.call(path, "reading the type", unsafe {
            sys::napi_typeof(self.env, value, &mut t)
        })?;
        Ok(ValueType::from(t))
    }

    /// Converts `value`; `None` stands for "left out" (`undefined`, functions and symbols).
    /// `path` is where `value` sits in the policy (`rules[0].args`), for errors.
    fn value(&mut self, value: sys::napi_value, depth: usize, path: &str) -> Result<Option<Value>> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                path,
                format!("nested more than {MAX_DEPTH} levels deep (or refers to itself)"),
            ));
        }
        let env = self.env;
        let json = match self.type_of(value, path)? {
            ValueType::Undefined | ValueType::Function | ValueType::Symbol => return Ok(None),
            ValueType::Null => {
                self.spend(5, path)?;
                Value::Null
            }
            ValueType::Boolean => {
                self.spend(6, path)?;
                let mut b = false;
                // SAFETY: `value` is a boolean of this scope.
                self.call(path, "reading the boolean", unsafe {
                    sys::napi_get_value_bool(env, value, &mut b)
                })?;
                Value::Bool(b)
            }
            ValueType::Number => {
                self.spend(8, path)?;
                let mut n = 0.0;
                // SAFETY: `value` is a number of this scope.
                self.call(path, "reading the number", unsafe {
                    sys::napi_get_value_double(env, value, &mut n)
                })?;
                number(n)
            }
            ValueType::String => Value::String(self.string(value, path)?),
            ValueType::BigInt => {
                self.spend(8, path)?;
                let (negative, words) = self.bigint(value, path)?;
                bigint(negative, &words)
            }
            ValueType::Object if self.is_array(value, path)? => {
                let mut items = Vec::new();
                for (i, item) in self
                    .elements(value, path, MAX_ITEMS)?
                    .into_iter()
                    .enumerate()
                {
                    let item = self.value(item, depth + 1, &format!("{path}[{i}]"))?;
                    items.push(item.unwrap_or(Value::Null));
                }
                Value::Array(items)
            }
            ValueType::Object => Value::Object(self.object(value, depth, path)?),
            other => return Err(self.error(path, format!("{} has no JSON form", type_name(other)))),
        };
        Ok(Some(json))
    }

    fn is_array(&self, value: sys::napi_value, path: &str) -> Result<bool> {
        let mut is = false;
        // SAFETY: `value` belongs to this scope. No JavaScript runs (a Proxy is not an array
        // here; it is read as an object).
        self.call(path, "checking for an array", unsafe {
            sys::napi_is_array(self.env, value, &mut is)
        })?;
        Ok(is)
    }

    /// The prototype of `value`, as stored: no Proxy trap runs (V8's `GetPrototype`).
    fn prototype(&self, value: sys::napi_value, path: &str) -> Result<sys::napi_value> {
        let mut proto = ptr::null_mut();
        // SAFETY: `value` is an object of this scope.
        self.call(path, "reading the prototype", unsafe {
            sys::napi_get_prototype(self.env, value, &mut proto)
        })?;
        Ok(proto)
    }

    /// The prototype every `{}` (or, with `array`, every `[]`) of this realm has.
    fn intrinsic_prototype(&self, array: bool, path: &str) -> Result<sys::napi_value> {
        let mut fresh = ptr::null_mut();
        // SAFETY: creates a value in this env's current scope.
        let status = unsafe {
            if array {
                sys::napi_create_array(self.env, &mut fresh)
            } else {
                sys::napi_create_object(self.env, &mut fresh)
            }
        };
        self.call(path, "creating an object", status)?;
        self.prototype(fresh, path)
    }

    /// `null`, to compare a prototype with.
    fn null(&self, path: &str) -> Result<sys::napi_value> {
        let mut value = ptr::null_mut();
        // SAFETY: creates a value in this env's current scope.
        self.call(path, "creating null", unsafe {
            sys::napi_get_null(self.env, &mut value)
        })?;
        Ok(value)
    }

    fn same(&self, a: sys::napi_value, b: sys::napi_value, path: &str) -> Result<bool> {
        let mut equal = false;
        // SAFETY: both values belong to this scope; `===` runs no JavaScript.
        self.call(path, "comparing prototypes", unsafe {
            sys::napi_strict_equals(self.env, a, b, &mut equal)
        })?;
        Ok(equal)
    }

    /// Whether `object` has an own property `key` (a Proxy's `getOwnPropertyDescriptor` trap
    /// runs).
    fn has_own(&self, object: sys::napi_value, key: sys::napi_value, path: &str) -> Result<bool> {
        let mut has = false;
        // SAFETY: `object` and `key` (a string) belong to this scope.
        self.call(path, "checking the property", unsafe {
            sys::napi_has_own_property(self.env, object, key, &mut has)
        })?;
        Ok(has)
    }

    /// The elements of a plain array, each read once: at most `max` of them (checked against
    /// `length` before anything is read), no holes.
    fn elements(
        &mut self,
        array: sys::napi_value,
        path: &str,
        max: u32,
    ) -> Result<Vec<sys::napi_value>> {
        let env = self.env;
        if !self.is_array(array, path)? {
            let found = type_name(self.type_of(array, path)?);
            return Err(self.error(path, format!("expected an array, found {found}")));
        }
        let proto = self.prototype(array, path)?;
        if !self.same(proto, self.intrinsic_prototype(true, path)?, path)? {
            return Err(self.error(
                path,
                "an array whose prototype is not Array.prototype (an Array subclass, or an \
                 array from another realm) cannot be read: pass a plain array"
                    .to_string(),
            ));
        }
        let mut len = 0u32;
        // SAFETY: `array` is an array of this scope; `length` of an array is a data property.
        self.call(path, "reading the length", unsafe {
            sys::napi_get_array_length(env, array, &mut len)
        })?;
        if len > max {
            return Err(self.error(
                path,
                format!("an array of {len} elements; at most {max} are accepted"),
            ));
        }
        self.spend(2 + len as usize, path)?;
        let mut items = Vec::new();
        for i in 0..len {
            let here = format!("{path}[{i}]");
            let key = self.create_string(&i.to_string(), &here)?;
            // A hole reads as `Array.prototype[i]`, which anyone can set: refuse it.
            if !self.has_own(array, key, &here)? {
                return Err(self.error(&here, "missing element (sparse array)".to_string()));
            }
            let mut item = ptr::null_mut();
            // SAFETY: `array` belongs to this scope.
            self.call(&here, "reading the element", unsafe {
                sys::napi_get_element(env, array, i, &mut item)
            })?;
            items.push(item);
        }
        Ok(items)
    }

    /// The own enumerable string-keyed properties of a plain object, each read once.
    fn object(
        &mut self,
        object: sys::napi_value,
        depth: usize,
        path: &str,
    ) -> Result<Map<String, Value>> {
        let env = self.env;
        let proto = self.prototype(object, path)?;
        let is_null = self.same(proto, self.null(path)?, path)?;
        if !is_null && !self.same(proto, self.intrinsic_prototype(false, path)?, path)? {
            return Err(self.error(
                path,
                "an object whose prototype is not Object.prototype or null (a class instance, \
                 Map, Set, Date, RegExp, boxed primitive, or an object from another realm) \
                 cannot be read: pass plain data"
                    .to_string(),
            ));
        }
        let mut keys = ptr::null_mut();
        // SAFETY: `object` is an object of this scope. A Proxy's `ownKeys` and
        // `getOwnPropertyDescriptor` traps run.
        self.call(path, "listing the properties", unsafe {
            sys::napi_get_all_property_names(
                env,
                object,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut keys,
            )
        })?;
        let mut len = 0u32;
        // SAFETY: `keys` is the array the engine just made.
        self.call(path, "listing the properties", unsafe {
            sys::napi_get_array_length(env, keys, &mut len)
        })?;
        if len > MAX_ITEMS {
            return Err(self.error(
                path,
                format!("an object with {len} properties; at most {MAX_ITEMS} are accepted"),
            ));
        }
        self.spend(2, path)?;
        let mut map = Map::new();
        for i in 0..len {
            let mut key = ptr::null_mut();
            // SAFETY: `keys` is the engine's own dense array of strings.
            self.call(path, "listing the properties", unsafe {
                sys::napi_get_element(env, keys, i, &mut key)
            })?;
            let name = self.string(key, path)?;
            let child = if path == "$" {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            // An earlier getter may have deleted it: then `obj[key]` would read the prototype.
            if !self.has_own(object, key, &child)? {
                continue;
            }
            let mut item = ptr::null_mut();
            // SAFETY: `object` and `key` belong to this scope. A getter or a Proxy's `get`
            // trap runs, once.
            self.call(&child, "reading the property", unsafe {
                sys::napi_get_property(env, object, key, &mut item)
            })?;
            if let Some(v) = self.value(item, depth + 1, &child)? {
                if map.contains_key(&name) {
                    return Err(self.error(&child, "duplicate key".to_string()));
                }
                map.insert(name, v);
            }
        }
        Ok(map)
    }

    fn create_string(&self, text: &str, path: &str) -> Result<sys::napi_value> {
        let mut s = ptr::null_mut();
        // SAFETY: `text` is valid UTF-8 of the given length.
        self.call(path, "creating a string", unsafe {
            sys::napi_create_string_utf8(
                self.env,
                text.as_ptr().cast(),
                text.len() as isize,
                &mut s,
            )
        })?;
        Ok(s)
    }

    /// A string, its size checked against the budget before it is copied.
    fn string(&mut self, value: sys::napi_value, path: &str) -> Result<String> {
        let mut len = 0usize;
        // SAFETY: `value` is a string of this scope; a null buffer asks for the length only.
        self.call(path, "reading the string", unsafe {
            sys::napi_get_value_string_utf8(self.env, value, ptr::null_mut(), 0, &mut len)
        })?;
        self.spend(len + 3, path)?;
        let mut buf = vec![0u8; len + 1];
        let mut written = 0usize;
        // SAFETY: `buf` holds `len + 1` bytes.
        self.call(path, "reading the string", unsafe {
            sys::napi_get_value_string_utf8(
                self.env,
                value,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut written,
            )
        })?;
        buf.truncate(written);
        // The engine writes lone surrogates as U+FFFD: the text is UTF-8.
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// The sign and magnitude words of a BigInt of at most [`MAX_BIGINT_WORDS`] words.
    fn bigint(&self, value: sys::napi_value, path: &str) -> Result<(bool, Vec<u64>)> {
        let mut count = 0usize;
        // SAFETY: `value` is a BigInt of this scope; null sign and words ask for the count.
        self.call(path, "reading the BigInt", unsafe {
            sys::napi_get_value_bigint_words(
                self.env,
                value,
                ptr::null_mut(),
                &mut count,
                ptr::null_mut(),
            )
        })?;
        if count > MAX_BIGINT_WORDS {
            return Err(self.error(
                path,
                format!(
                    "a BigInt of {count} 64-bit words is out of range (at most 2n ** 64n - 1n)"
                ),
            ));
        }
        let mut words = vec![0u64; count.max(1)];
        let mut sign = 0;
        let mut count = words.len();
        // SAFETY: `words` holds `count` words.
        self.call(path, "reading the BigInt", unsafe {
            sys::napi_get_value_bigint_words(
                self.env,
                value,
                &mut sign,
                &mut count,
                words.as_mut_ptr(),
            )
        })?;
        words.truncate(count);
        Ok((sign != 0, words))
    }
}

/// What JavaScript threw, for a message: `TypeError: boom` for an `Error`, the text of a
/// primitive. Whatever this throws in turn is taken off the engine and not described.
fn describe(env: sys::napi_env, thrown: sys::napi_value) -> String {
    const LIMIT: usize = 200;
    let clear = || {
        let mut ignored = ptr::null_mut();
        // SAFETY: `env` is the env of the current call.
        unsafe { sys::napi_get_and_clear_last_exception(env, &mut ignored) };
    };
    let text = |value: sys::napi_value| -> Option<String> {
        let mut t = 0;
        // SAFETY: `value` belongs to this scope.
        if unsafe { sys::napi_typeof(env, value, &mut t) } != sys::Status::napi_ok
            || ValueType::from(t) != ValueType::String
        {
            return None;
        }
        let mut buf = vec![0u8; LIMIT + 1];
        let mut written = 0usize;
        // SAFETY: `buf` holds LIMIT + 1 bytes; longer text is cut at a character boundary.
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                env,
                value,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut written,
            )
        };
        (status == sys::Status::napi_ok).then(|| {
            buf.truncate(written);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let property = |name: &std::ffi::CStr| -> Option<String> {
        let mut value = ptr::null_mut();
        // SAFETY: `thrown` is an object of this scope; a getter may run and throw.
        if unsafe { sys::napi_get_named_property(env, thrown, name.as_ptr(), &mut value) }
            != sys::Status::napi_ok
        {
            clear();
            return None;
        }
        text(value)
    };
    if let Some(s) = text(thrown) {
        return format!("{s:?}");
    }
    let mut is_error = false;
    // SAFETY: `thrown` belongs to this scope.
    if unsafe { sys::napi_is_error(env, thrown, &mut is_error) } == sys::Status::napi_ok && is_error
    {
        let name = property(c"name").unwrap_or_else(|| "Error".to_string());
        return match property(c"message") {
            Some(m) if !m.is_empty() => format!("{name}: {m}"),
            _ => name,
        };
    }
    let mut t = 0;
    // SAFETY: `thrown` belongs to this scope.
    if unsafe { sys::napi_typeof(env, thrown, &mut t) } != sys::Status::napi_ok {
        return "an exception".to_string();
    }
    match ValueType::from(t) {
        // Primitives other than symbols convert to text without running JavaScript.
        ValueType::Number
        | ValueType::Boolean
        | ValueType::BigInt
        | ValueType::Undefined
        | ValueType::Null => {
            let mut shown = ptr::null_mut();
            // SAFETY: `thrown` is a primitive of this scope.
            if unsafe { sys::napi_coerce_to_string(env, thrown, &mut shown) }
                == sys::Status::napi_ok
            {
                if let Some(s) = text(shown) {
                    return s;
                }
            }
            clear();
            "an exception".to_string()
        }
        other => format!("{} that is not an Error", type_name(other)),
    }
}

/// A policy error at `path`, as the core reports its own.
fn at(path: &str, message: String) -> Failure {
    sysfence::Error::Policy(vec![sysfence::Diagnostic::error(
        sysfence::DiagnosticKind::WrongType,
        path,
        message,
    )])
    .into()
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

/// A BigInt (sign and magnitude words, least significant first) as JSON: an integer when it
/// fits 64 bits, else its decimal text, so the core can say it is out of range with the
/// number the user wrote.
fn bigint(negative: bool, words: &[u64]) -> Value {
    let high_zero = words.iter().skip(1).all(|w| *w == 0);
    let low = words.first().copied().unwrap_or(0);
    match (negative, high_zero) {
        (false, true) => Value::Number(Number::from(low)),
        (true, true) if low <= 1 << 63 => Value::Number(Number::from((low as i64).wrapping_neg())),
        (true, _) => Value::String(format!("-{}", big_decimal(words))),
        (false, false) => Value::String(big_decimal(words)),
    }
}

/// The magnitude of a BigInt in decimal.
fn big_decimal(words: &[u64]) -> String {
    let mut words: Vec<u64> = words.to_vec();
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
            let v = value.value();
            let reader = Reader::new(v.env, Kind::Argument);
            match reader.bigint(v.value, what)? {
                (false, words) if words.iter().skip(1).all(|w| *w == 0) => {
                    Ok(words.first().copied().unwrap_or(0))
                }
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
