// SPDX-License-Identifier: MIT OR Apache-2.0
//! The one place where core errors become Python exceptions.
//!
//! The class is chosen by an exhaustive `match` on [`sysfence::ErrorKind`], the kind every
//! binding derives its errors from, so that Python, Node and C cannot drift apart (a new core
//! kind fails to compile here until it has its class):
//!
//! | code               | Python exception                                              |
//! |--------------------|---------------------------------------------------------------|
//! | `policy`           | [`PolicyError`] with `.path`, `.code` and `.diagnostics`      |
//! | `compile`          | [`CompileError`] with `.errno`                                |
//! | `load`             | [`LoadError`] with `.errno` and `.tid`; for `EPERM`/`EACCES` the class `LoadPermissionError`, which is also a `PermissionError` |
//! | `unsupported`      | [`UnsupportedError`]                                          |
//! | `invalid_argument` | `InvalidArgumentError`, which is also a `ValueError`           |
//! | `io`               | the builtin `OSError` for its errno (`FileNotFoundError`, `PermissionError`, ...), as `open()` raises |
//!
//! Every class except the `io` builtins derives from [`SeccompError`], and every instance carries
//! `.code`. A panic inside the library is caught at the boundary ([`guarded`]) and raised as
//! [`InternalError`] (`.code == "internal"`), a `SeccompError` that `except Exception` catches,
//! instead of pyo3's `PanicException`.

use crate::convert::diagnostics_to_py;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyPermissionError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use sysfence::ErrorKind;

create_exception!(
    sysfence,
    SeccompError,
    PyException,
    "Base class of every sysfence error. `.code` is the core's stable error code."
);
create_exception!(
    sysfence,
    PolicyError,
    SeccompError,
    "The policy is invalid; nothing was compiled or loaded.\n\n\
     `.path` is the JSON path of the first problem (`rules[0].syscalls[1]`, `$` for the whole\n\
     policy), `.diagnostics` lists every problem as dicts with `severity`, `kind`, `path`,\n\
     `message` and `suggestion`."
);
create_exception!(
    sysfence,
    CompileError,
    SeccompError,
    "libseccomp refused to build the filter. `.errno` is its errno, or None."
);
create_exception!(
    sysfence,
    LoadError,
    SeccompError,
    "The kernel refused the filter; nothing was loaded.\n\n\
     `.errno` is the kernel's errno (None for a TSYNC conflict), `.tid` the thread TSYNC could\n\
     not move. EPERM and EACCES raise `LoadPermissionError`, also a `PermissionError`."
);
create_exception!(
    sysfence,
    UnsupportedError,
    SeccompError,
    "The kernel or the library lacks a feature this request needs."
);

create_exception!(
    sysfence,
    InternalError,
    SeccompError,
    "A bug in sysfence (a panic caught at the boundary); please report it. Nothing was loaded."
);

/// Runs `f`, turning a panic inside it into [`InternalError`]: every entry point that reaches
/// the core goes through here.
pub fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Python::attach(|py| internal_error(py, &what)))
        }
    }
}

/// The [`InternalError`] for a caught panic.
fn internal_error(py: Python<'_>, what: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let value = py
            .get_type::<InternalError>()
            .call1((format!("internal error (please report): {what}"),))?;
        value.setattr("code", "internal")?;
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|e| e)
}

/// `class LoadPermissionError(LoadError, PermissionError)` and `class
/// InvalidArgumentError(SeccompError, ValueError)` cannot come from `create_exception!`, which
/// takes one base, so they are built once with `type()`.
static LOAD_PERMISSION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INVALID_ARGUMENT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn two_base_class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    doc: &str,
    bases: (Bound<'py, PyType>, Bound<'py, PyType>),
) -> PyResult<Bound<'py, PyType>> {
    let ty = cell.get_or_try_init(py, || -> PyResult<Py<PyType>> {
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "sysfence")?;
        namespace.set_item("__doc__", doc)?;
        namespace.set_item("__qualname__", name)?;
        let bases = PyTuple::new(py, [bases.0, bases.1])?;
        let ty = py.get_type::<PyType>().call1((name, bases, namespace))?;
        Ok(ty.cast_into::<PyType>()?.unbind())
    })?;
    Ok(ty.bind(py).clone())
}

/// `LoadPermissionError(LoadError, PermissionError)`: a load the kernel refused with EPERM or
/// EACCES, for example because a filter already loaded denies `seccomp()`.
pub fn load_permission_error(py: Python<'_>) -> PyResult<Bound<'_, PyType>> {
    two_base_class(
        py,
        &LOAD_PERMISSION_ERROR,
        "LoadPermissionError",
        "The kernel refused the filter with EPERM or EACCES: both a LoadError and a \
         PermissionError. `.errno` is the kernel's errno.",
        (
            py.get_type::<LoadError>(),
            py.get_type::<PyPermissionError>(),
        ),
    )
}

/// `InvalidArgumentError(SeccompError, ValueError)`: an argument outside the policy is wrong
/// (an unknown syscall or architecture given to `Filter.simulate`). A `ValueError` too, which is
/// what Python code expects for a bad argument value.
pub fn invalid_argument_error(py: Python<'_>) -> PyResult<Bound<'_, PyType>> {
    two_base_class(
        py,
        &INVALID_ARGUMENT_ERROR,
        "InvalidArgumentError",
        "An argument outside the policy is wrong (an unknown syscall or architecture given to \
         Filter.simulate): both a SeccompError and a ValueError.",
        (py.get_type::<SeccompError>(), py.get_type::<PyValueError>()),
    )
}

/// The Python exception for a core error.
pub fn to_py_err(py: Python<'_>, err: &sysfence::Error) -> PyErr {
    build(py, err).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, err: &sysfence::Error) -> PyResult<PyErr> {
    let message = err.to_string();
    let code = err.code();
    let errno = err.errno();
    let value = match err.kind() {
        ErrorKind::Policy => {
            let value = py.get_type::<PolicyError>().call1((&message,))?;
            value.setattr("path", err.path().unwrap_or("$"))?;
            value.setattr("diagnostics", diagnostics_to_py(py, err.diagnostics())?)?;
            value
        }
        ErrorKind::Compile => {
            let value = py.get_type::<CompileError>().call1((&message,))?;
            value.setattr("errno", errno)?;
            value
        }
        ErrorKind::Load => {
            let value = match errno {
                Some(e) if e == libc::EPERM || e == libc::EACCES => {
                    // OSError's constructor sets .errno and .strerror.
                    load_permission_error(py)?.call1((e, &message))?
                }
                _ => {
                    let value = py.get_type::<LoadError>().call1((&message,))?;
                    value.setattr("errno", errno)?;
                    value
                }
            };
            let tid = match err {
                sysfence::Error::Load(failure) => failure.tid,
                _ => None,
            };
            value.setattr("tid", tid)?;
            value
        }
        ErrorKind::Unsupported => py.get_type::<UnsupportedError>().call1((&message,))?,
        ErrorKind::InvalidArgument => invalid_argument_error(py)?.call1((&message,))?,
        ErrorKind::Io => {
            // As `open()` does: OSError(errno, strerror, filename) becomes FileNotFoundError,
            // PermissionError, ... by errno.
            let path = match err {
                sysfence::Error::Io { path, .. } => Some(path.clone()),
                _ => None,
            };
            // std's text without its " (os error N)" tail, as Python's own strerror reads.
            let strerror = match errno {
                Some(e) => {
                    let text = std::io::Error::from_raw_os_error(e).to_string();
                    match text.strip_suffix(&format!(" (os error {e})")) {
                        Some(t) => t.to_string(),
                        None => text,
                    }
                }
                None => message.clone(),
            };
            let value = match (errno, path) {
                (Some(e), Some(p)) => py.get_type::<PyOSError>().call1((e, strerror, p))?,
                (Some(e), None) => py.get_type::<PyOSError>().call1((e, strerror))?,
                (None, _) => py.get_type::<PyOSError>().call1((message.clone(),))?,
            };
            value
        }
    };
    value.setattr("code", code)?;
    Ok(PyErr::from_value(value))
}

/// `result.or_raise()?` turns a core result into a Python one.
pub trait OrRaise<T> {
    /// The value, or the matching Python exception.
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for sysfence::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(|e| Python::attach(|py| to_py_err(py, &e)))
    }
}

/// Registers the exception classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SeccompError", py.get_type::<SeccompError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("CompileError", py.get_type::<CompileError>())?;
    m.add("LoadError", py.get_type::<LoadError>())?;
    m.add("LoadPermissionError", load_permission_error(py)?)?;
    m.add("UnsupportedError", py.get_type::<UnsupportedError>())?;
    m.add("InvalidArgumentError", invalid_argument_error(py)?)?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}
