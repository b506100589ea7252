// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence.Policy`: a validated policy, and the policy-like arguments every function takes.

use crate::convert::{json_to_py, py_to_json};
use crate::error::{guarded, OrRaise};
use crate::filter::Filter;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::path::PathBuf;

/// A validated seccomp policy (format version 1).
///
/// Build one from a dict in the JSON format, from JSON text, from a file or from a preset. Every
/// field has passed validation; an invalid policy raises `PolicyError` with the JSON path of the
/// problem in `.path` and every problem in `.diagnostics`.
///
/// Example:
///
/// ```python
/// >>> import sysfence
/// >>> p = sysfence.Policy({"default_action": "allow",
/// ...                      "rules": [{"action": "errno:EACCES", "syscalls": ["@exec"]}]})
/// >>> p.to_dict()["rules"]
/// [{'action': 'errno:EACCES', 'syscalls': ['@exec']}]
/// >>> sysfence.Policy.preset("no-exec") == sysfence.Policy.from_json(
/// ...     sysfence.Policy.preset("no-exec").to_json())
/// True
/// ```
#[pyclass(frozen, module = "sysfence", name = "Policy")]
pub struct Policy {
    pub(crate) inner: sysfence::Policy,
}

#[pymethods]
impl Policy {
    /// Validates a policy given as a dict (the JSON format; tuples count as lists).
    #[new]
    fn new(policy: &Bound<'_, PyAny>) -> PyResult<Self> {
        guarded(|| {
            let value = py_to_json(policy).or_raise()?;
            Ok(Policy {
                inner: sysfence::Policy::from_value(&value).or_raise()?,
            })
        })
    }

    /// Parses and validates JSON text.
    ///
    /// ```python
    /// >>> sysfence.Policy.from_json('{"default_action": "allow", "extends": ["no-exec"]}')
    /// Policy({'bad_arch_action': 'kill_process', 'default_action': 'allow', 'extends': ['no-exec'], ...})
    /// ```
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        guarded(|| {
            Ok(Policy {
                inner: sysfence::Policy::from_json(text).or_raise()?,
            })
        })
    }

    /// Reads and validates a JSON policy file. A file that cannot be read raises the `OSError`
    /// `open()` would (`FileNotFoundError`, `PermissionError`, ...).
    ///
    /// ```python
    /// >>> policy = sysfence.Policy.from_file("/etc/myapp/seccomp.json")
    /// ```
    #[staticmethod]
    fn from_file(path: PathBuf) -> PyResult<Self> {
        guarded(|| {
            Ok(Policy {
                inner: sysfence::Policy::from_file(path).or_raise()?,
            })
        })
    }

    /// A preset by name: `no-exec`, `no-spawn` or `hardened` (see `sysfence.PRESETS`).
    ///
    /// ```python
    /// >>> sysfence.Policy.preset("no-exec").to_dict()["rules"][0]["action"]
    /// 'errno:EACCES'
    /// ```
    #[staticmethod]
    fn preset(name: &str) -> PyResult<Self> {
        guarded(|| {
            Ok(Policy {
                inner: sysfence::Policy::preset(name).or_raise()?,
            })
        })
    }

    /// Imports a container seccomp profile: a Docker/Podman profile, an OCI `linux.seccomp`
    /// object or a whole OCI `config.json` (a dict or JSON text). Its conditionals are resolved
    /// for `caps` (a list or `"default,CAP_SYS_ADMIN"`; default: Docker's default set), `arch`
    /// (default: native) and `kernel` (`"6.1"`; default: the running kernel). An invalid
    /// profile raises `PolicyError` with the profile's path (`syscalls[3].action`).
    ///
    /// ```python
    /// >>> p = sysfence.Policy.from_oci({"defaultAction": "SCMP_ACT_ERRNO",
    /// ...     "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]})
    /// >>> p.to_oci()["syscalls"]
    /// [{'action': 'SCMP_ACT_ALLOW', 'names': ['read']}]
    /// ```
    #[staticmethod]
    #[pyo3(signature = (profile, caps=None, arch=None, kernel=None))]
    fn from_oci(
        profile: &Bound<'_, PyAny>,
        caps: Option<&Bound<'_, PyAny>>,
        arch: Option<String>,
        kernel: Option<String>,
    ) -> PyResult<Self> {
        let value = match profile.cast::<PyString>() {
            Ok(text) => serde_json::from_str(&text.to_cow()?).map_err(|e| {
                sysfence::Error::Policy(vec![sysfence::Diagnostic::error(
                    sysfence::DiagnosticKind::InvalidJson,
                    "$",
                    e.to_string(),
                )])
            }),
            Err(_) => py_to_json(profile),
        }
        .or_raise()?;
        let mut ctx = serde_json::Map::new();
        if let Some(c) = caps {
            ctx.insert("caps".into(), py_to_json(c).or_raise()?);
        }
        if let Some(a) = arch {
            ctx.insert("arch".into(), a.into());
        }
        if let Some(k) = kernel {
            ctx.insert("kernel".into(), k.into());
        }
        let ctx = sysfence::OciContext::from_value(&serde_json::Value::Object(ctx)).or_raise()?;
        Ok(Policy {
            inner: sysfence::Policy::from_oci(&value, &ctx).or_raise()?,
        })
    }

    /// The policy as a container profile: `"oci"` (an OCI `linux.seccomp` object, for runc,
    /// crun, containerd and Kubernetes), `"docker"` (a Docker/Podman profile) or `"sysfence"`
    /// (this format, presets and groups flattened). The effective rules, explicit
    /// architectures, exact 64-bit integers and explicit errno values.
    #[pyo3(signature = (to="oci"))]
    fn to_oci<'py>(&self, py: Python<'py>, to: &str) -> PyResult<Bound<'py, PyAny>> {
        let target: sysfence::oci::Target = to.parse().or_raise()?;
        let out = sysfence::oci::export(&self.inner, target).or_raise()?;
        json_to_py(py, &out.value)
    }

    /// The policy as a dict in canonical form: every field present, defaults spelt out. It
    /// validates back to an equal policy.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_value())
    }

    /// The policy as pretty-printed JSON text in canonical form.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Compiles the policy into a `Filter` (the same as `sysfence.compile_policy(policy)`).
    fn compile(&self, py: Python<'_>) -> PyResult<Filter> {
        compile(py, &self.inner)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<Policy>() {
            Ok(other) => other.get().inner == self.inner,
            Err(_) => false,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Policy({})", self.to_dict(py)?.repr()?))
    }
}

/// Compiles with the GIL released: libseccomp's work needs no Python object.
pub fn compile(py: Python<'_>, policy: &sysfence::Policy) -> PyResult<Filter> {
    let inner = py.detach(|| policy.compile()).or_raise()?;
    Ok(Filter { inner })
}

/// A policy-like argument: a `Policy`, a `str` (JSON text or a preset name, told apart by the
/// core's one rule, [`sysfence::PolicySource`]), or a dict in the JSON format.
pub fn resolve(policy: &Bound<'_, PyAny>) -> PyResult<sysfence::Policy> {
    if let Ok(p) = policy.cast::<Policy>() {
        return Ok(p.get().inner.clone());
    }
    if let Ok(text) = policy.cast::<PyString>() {
        return sysfence::Policy::from_argument(&utf8(text)?).or_raise();
    }
    sysfence::Policy::from_value(&py_to_json(policy).or_raise()?).or_raise()
}

/// The check report for a policy-like argument: a dict as given (so every problem is
/// reported), a `Policy` in canonical form, or a `str` as [`resolve`] reads it.
pub fn check(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<sysfence::CheckReport> {
    if let Ok(p) = policy.cast::<Policy>() {
        let value = p.get().inner.to_value();
        return Ok(py.detach(|| sysfence::check(&value)));
    }
    if let Ok(text) = policy.cast::<PyString>() {
        let text = utf8(text)?;
        return Ok(py.detach(|| sysfence::check_argument(&text)));
    }
    Ok(match py_to_json(policy) {
        Ok(value) => py.detach(|| sysfence::check(&value)),
        Err(e) => sysfence::CheckReport::from(e.diagnostics().to_vec()),
    })
}

/// A `str`'s UTF-8 text; a lone surrogate is an `InvalidArgumentError`.
fn utf8(text: &Bound<'_, PyString>) -> PyResult<String> {
    text.to_cow()
        .map(|t| t.into_owned())
        .map_err(|_| sysfence::Error::InvalidArgument("the policy text is not valid UTF-8".into()))
        .or_raise()
}
