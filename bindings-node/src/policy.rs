// SPDX-License-Identifier: MIT OR Apache-2.0
//! `Policy`: a validated policy, built from JSON text, a file, a plain object or a preset; and
//! `checkPolicy`, which lists every problem and warning with its JSON path.
//!
//! The `PolicyObject`, `RuleObject` and `ArgObject` interfaces only give TypeScript the shape of
//! the JSON format; the core alone validates it.

use crate::diagnostic::CheckReport;
use crate::error::{guard, invalid, Result};
use crate::value::{cast, optional, policy_json, policy_read_failure, string_arg};
use napi::bindgen_prelude::{ClassInstance, JavaScriptClassExt, Unknown};
use napi::{Env, ValueType};
use serde_json::Value;

/// A policy in the JSON format (version 1): the object a policy file holds. Field names are
/// the format's own (`default_action`, not `defaultAction`).
// Only describes the JSON format to TypeScript: Rust never builds one.
#[allow(dead_code)]
#[napi(object)]
pub struct PolicyObject {
    /// The action for every syscall no rule names: `allow`, `log`, `kill_process`,
    /// `kill_thread`, `trap`, `errno` (EPERM), `errno:EACCES` or `errno:13`, `trace:N`,
    /// `notify`.
    #[napi(js_name = "default_action")]
    pub default_action: String,
    /// The rules, in order.
    pub rules: Option<Vec<RuleObject>>,
    /// `enforce` (default), or `log`: every action other than allow becomes `log`.
    #[napi(ts_type = "'enforce' | 'log'")]
    pub mode: Option<String>,
    /// Whether the kernel logs every action other than allow (default true).
    #[napi(js_name = "log_denied")]
    pub log_denied: Option<bool>,
    /// Architectures covered (default: the native one), such as `x86_64`, `x86`, `x32`.
    pub architectures: Option<Vec<String>>,
    /// The action for a syscall made through an architecture not listed (default
    /// `kill_process`).
    #[napi(js_name = "bad_arch_action")]
    pub bad_arch_action: Option<String>,
    /// Presets whose rules are merged in (`no-exec`, `no-spawn`, `hardened`, `docker-default`).
    pub extends: Option<Vec<String>>,
    /// `enosys`: syscall numbers above the highest libseccomp knows fail with ENOSYS instead
    /// of meeting the default action (default `default_action`).
    #[napi(js_name = "unknown_syscalls", ts_type = "'default_action' | 'enosys'")]
    pub unknown_syscalls: Option<String>,
    /// The format version: 1.
    pub version: Option<u32>,
    /// Free text.
    pub description: Option<String>,
}

/// One rule of a `PolicyObject`.
// Only describes the JSON format to TypeScript: Rust never builds one.
#[allow(dead_code)]
#[napi(object)]
pub struct RuleObject {
    /// What happens when the rule matches (the actions of `default_action`).
    pub action: String,
    /// Syscall names and `@group` names (`@exec`, `@network`, ...).
    pub syscalls: Vec<String>,
    /// Conditions on the arguments; all must hold.
    pub args: Option<Vec<ArgObject>>,
    /// Free text.
    pub comment: Option<String>,
}

/// A condition on one syscall argument, compared as an unsigned 64-bit value. Values past
/// `Number.MAX_SAFE_INTEGER` are written as a BigInt or as a decimal or `0x` hex string.
// Only describes the JSON format to TypeScript: Rust never builds one.
#[allow(dead_code)]
#[napi(object)]
pub struct ArgObject {
    /// The argument, 0 to 5.
    pub index: u32,
    /// `eq`, `ne`, `lt`, `le`, `gt`, `ge` or `masked_eq`.
    #[napi(ts_type = "'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq'")]
    pub op: String,
    /// The value compared against.
    #[napi(ts_type = "number | bigint | string")]
    pub value: Value,
    /// For `masked_eq`: the argument is ANDed with this first.
    #[napi(ts_type = "number | bigint | string")]
    pub mask: Option<Value>,
}

/// A validated seccomp policy. Every way of making one validates it completely; an invalid
/// policy throws `ERR_SYSFENCE_POLICY` with `path` (the first problem) and `diagnostics` (all
/// of them).
///
/// ```js
/// const { Policy } = require('sysfence');
/// const policy = Policy.fromJson('{"default_action": "allow"}');
/// ```
#[napi]
pub struct Policy {
    inner: sysfence::Policy,
}

impl Policy {
    /// The core policy.
    pub fn inner(&self) -> &sysfence::Policy {
        &self.inner
    }
}

#[napi]
impl Policy {
    /// Validates a policy given as a plain object in the JSON format.
    ///
    /// @throws `ERR_SYSFENCE_POLICY` when the object is not a valid policy.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "PolicyObject")] policy: Unknown,
    ) -> napi::Result<Self> {
        guard(&env, || {
            let inner = sysfence::Policy::from_value(&policy_json(&policy)?)?;
            Ok(Policy { inner })
        })
    }

    /// Parses and validates a policy from JSON text.
    ///
    /// @throws `ERR_SYSFENCE_POLICY` for malformed JSON (`path` is `$`) or an invalid policy.
    #[napi(factory)]
    pub fn from_json(
        env: Env,
        #[napi(ts_arg_type = "string")] text: Unknown,
    ) -> napi::Result<Self> {
        guard(&env, || {
            let text = string_arg(&text, "text")?;
            Ok(Policy {
                inner: sysfence::Policy::from_json(&text)?,
            })
        })
    }

    /// Reads and validates a policy file (JSON).
    ///
    /// @throws `ERR_SYSFENCE_IO` (with `errno` and `path`, the file) when the file cannot be
    /// read, `ERR_SYSFENCE_POLICY` when it is not a valid policy.
    #[napi(factory)]
    pub fn from_file(
        env: Env,
        #[napi(ts_arg_type = "string")] path: Unknown,
    ) -> napi::Result<Self> {
        guard(&env, || {
            let path = string_arg(&path, "path")?;
            Ok(Policy {
                inner: sysfence::Policy::from_file(&path)?,
            })
        })
    }

    /// A preset by name: `no-exec` (execve, execveat, fork, vfork fail with EACCES), `no-spawn`
    /// (no-exec, and no new processes) or `hardened` (mount, modules, reboot, ... fail with
    /// EPERM).
    ///
    /// @throws `ERR_SYSFENCE_POLICY` for an unknown name (the message suggests the nearest).
    #[napi(factory)]
    pub fn preset(env: Env, #[napi(ts_arg_type = "string")] name: Unknown) -> napi::Result<Self> {
        guard(&env, || {
            let name = string_arg(&name, "name")?;
            Ok(Policy {
                inner: sysfence::Policy::preset(&name)?,
            })
        })
    }

    /// Imports a container seccomp profile: a Docker/Podman profile, an OCI `linux.seccomp`
    /// object or a whole OCI `config.json` (an object or JSON text). Its conditionals are
    /// resolved for `context.caps` (a list or `'default,CAP_SYS_ADMIN'`; default: Docker's
    /// default set), `context.arch` (default: native) and `context.kernel` (`'6.1'`; default:
    /// the running kernel).
    ///
    /// @throws `ERR_SYSFENCE_POLICY` with the profile's `path` (`syscalls[3].action`) for an
    /// invalid profile, `ERR_SYSFENCE_INVALID_ARGUMENT` for a bad context.
    #[napi(factory)]
    pub fn from_oci(
        env: Env,
        #[napi(ts_arg_type = "object | string")] profile: Unknown,
        #[napi(
            ts_arg_type = "{ caps?: string[] | string, arch?: string, kernel?: string } | undefined | null"
        )]
        context: Option<Unknown>,
    ) -> napi::Result<Self> {
        guard(&env, || {
            let value = if profile.get_type()? == ValueType::String {
                let text = string_arg(&profile, "profile")?;
                serde_json::from_str(&text).map_err(|e| {
                    sysfence::Error::Policy(vec![sysfence::Diagnostic::error(
                        sysfence::DiagnosticKind::InvalidJson,
                        "$",
                        e.to_string(),
                    )])
                })?
            } else {
                policy_json(&profile)?
            };
            let ctx = match optional(context)? {
                Some(c) => sysfence::OciContext::from_value(&policy_json(&c)?)?,
                None => sysfence::OciContext::default(),
            };
            Ok(Policy {
                inner: sysfence::Policy::from_oci(&value, &ctx)?,
            })
        })
    }

    /// The policy as a container profile, as JSON text (integers above 2^53 stay exact):
    /// `'oci'` (an OCI `linux.seccomp` object, for runc, crun, containerd and Kubernetes; the
    /// default), `'docker'` (a Docker/Podman profile) or `'sysfence'` (this format, presets
    /// and groups flattened).
    ///
    /// @throws `ERR_SYSFENCE_INVALID_ARGUMENT` for an unknown target.
    #[napi(js_name = "toOci")]
    pub fn to_oci(
        &self,
        env: Env,
        #[napi(ts_arg_type = "'oci' | 'docker' | 'sysfence' | undefined")] to: Option<Unknown>,
    ) -> napi::Result<String> {
        guard(&env, || {
            let to = match optional(to)? {
                Some(t) => string_arg(&t, "to")?,
                None => "oci".to_string(),
            };
            let target: sysfence::oci::Target = to.parse()?;
            let out = sysfence::oci::export(&self.inner, target)?;
            let mut text = serde_json::to_string_pretty(&out.value).unwrap_or_default();
            text.push('\n');
            Ok(text)
        })
    }

    /// The policy as a plain object in canonical form: every field present, defaults spelt
    /// out. `JSON.stringify(policy)` uses it, and the object reads back to the same policy.
    #[napi(js_name = "toJSON", ts_return_type = "PolicyObject")]
    pub fn to_json(&self) -> Value {
        self.inner.to_value()
    }
}

/// Checks a policy without throwing for it: every error (the policy cannot load) and warning,
/// each with its kind and JSON path, as the one check report of every language.
///
/// `policy` is a plain object in the JSON format (or any value, which the check then
/// describes), a `Policy`, or a string: JSON text or a preset name, told apart by the core's
/// one rule.
///
/// @throws `ERR_SYSFENCE_INVALID_ARGUMENT` for `undefined` or a value with no JSON form.
#[napi]
pub fn check_policy(
    env: Env,
    #[napi(ts_arg_type = "PolicyObject | Policy | string")] policy: Unknown,
) -> napi::Result<CheckReport> {
    guard(&env, || {
        let report = match policy.get_type()? {
            ValueType::String => sysfence::check_argument(&string_arg(&policy, "policy")?),
            ValueType::Object if is_policy(&env, &policy)? => {
                sysfence::check(&policy_arg(&env, &policy)?.to_value())
            }
            _ => sysfence::check(&policy_json(&policy)?),
        };
        Ok(CheckReport::from(&report))
    })
}

/// Resolves what `applyPolicy`, `compilePolicy` and `checkPolicy` accept: a string (JSON text
/// or a preset name, [`sysfence::PolicySource`]), a `Policy`, or a plain object in the JSON
/// format (validated by the core).
pub(crate) fn policy_arg(env: &Env, arg: &Unknown) -> Result<sysfence::Policy> {
    match arg.get_type()? {
        // JSON text or a preset name: the core's one rule tells them apart.
        ValueType::String => {
            let text: String = cast(arg)?;
            Ok(sysfence::Policy::from_argument(&text)?)
        }
        ValueType::Object if is_policy(env, arg)? => Ok(wrapped_policy(arg)?),
        _ => Ok(sysfence::Policy::from_value(&policy_json(arg)?)?),
    }
}

/// Whether `arg` is a `Policy` instance. `instanceof` reads the prototype chain, which a Proxy
/// can make throw: that is a policy error, like any other exception while reading.
pub(crate) fn is_policy(env: &Env, arg: &Unknown) -> Result<bool> {
    Policy::instance_of(env, arg)
        .map_err(|e| policy_read_failure(arg, "checking whether it is a Policy", e.status.as_ref()))
}

/// The policy a `Policy` instance wraps.
fn wrapped_policy(arg: &Unknown) -> Result<sysfence::Policy> {
    // `instance_of` confirmed the value's prototype chain holds `Policy.prototype`; a Proxy or
    // an `Object.create(Policy.prototype)` passes that without wrapping a policy.
    let policy: ClassInstance<Policy> = cast(arg).map_err(|_| {
        invalid("expected a Policy, found an object that inherits from Policy but holds none")
    })?;
    Ok(policy.inner().clone())
}
