// SPDX-License-Identifier: MIT OR Apache-2.0
//! Result codes and the thread-local last error.
//!
//! Every code derives from [`sysfence_core::Error::code`] through one function, [`code_of`].
//! A failing call records its code, message, JSON path and errno for the calling thread; the
//! `sysfence_last_error_*` functions read them back (the sentry relay model). Every function
//! that can fail clears the record when it starts, so the record always describes the latest
//! call on that thread.

use crate::panic::ffi_boundary;
use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::os::raw::{c_char, c_int};
use sysfence_core::{Error, ErrorKind};

/// The result codes: `SYSFENCE_OK` (0) or a negative error code. Functions return them as
/// `int`; `sysfence_last_error_code()` returns the one of the last failed call.
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sysfence_result {
    /// Success.
    SYSFENCE_OK = 0,
    /// The policy is invalid (malformed JSON, wrong types, unknown syscalls, out-of-range
    /// values); the message and `sysfence_last_error_path()` name the place.
    SYSFENCE_ERR_POLICY = -1,
    /// libseccomp could not build the filter.
    SYSFENCE_ERR_COMPILE = -2,
    /// The kernel refused to load the filter; nothing was loaded. `sysfence_last_error_errno()`
    /// (or `errno`, after `sysfence_filter_load`) holds the kernel's errno.
    SYSFENCE_ERR_LOAD = -3,
    /// The kernel or the library lacks a feature the request needs.
    SYSFENCE_ERR_UNSUPPORTED = -4,
    /// An argument was wrong: a NULL pointer, text that is not UTF-8, an unknown architecture
    /// or syscall name given to `sysfence_filter_simulate`, more than 6 arguments.
    SYSFENCE_ERR_INVALID_ARGUMENT = -5,
    /// Reading a file or the process's state failed.
    SYSFENCE_ERR_IO = -6,
    /// A bug in sysfence (a panic caught at the boundary). Nothing was loaded.
    SYSFENCE_ERR_INTERNAL = -7,
}

pub(crate) const SYSFENCE_OK: c_int = sysfence_result::SYSFENCE_OK as c_int;
pub(crate) const SYSFENCE_ERR_INVALID_ARGUMENT: c_int =
    sysfence_result::SYSFENCE_ERR_INVALID_ARGUMENT as c_int;
pub(crate) const SYSFENCE_ERR_INTERNAL: c_int = sysfence_result::SYSFENCE_ERR_INTERNAL as c_int;

/// The one mapping from the core's error kinds to C result codes.
pub(crate) fn code_of(err: &Error) -> c_int {
    use sysfence_result::*;
    // Exhaustive: a new core kind fails to compile here until it has its own code.
    let code = match err.kind() {
        ErrorKind::Policy => SYSFENCE_ERR_POLICY,
        ErrorKind::Compile => SYSFENCE_ERR_COMPILE,
        ErrorKind::Load => SYSFENCE_ERR_LOAD,
        ErrorKind::Unsupported => SYSFENCE_ERR_UNSUPPORTED,
        ErrorKind::InvalidArgument => SYSFENCE_ERR_INVALID_ARGUMENT,
        ErrorKind::Io => SYSFENCE_ERR_IO,
    };
    code as c_int
}

/// The last error of one thread.
struct LastError {
    errno: c_int,
    message: CString,
    path: Option<CString>,
}

/// The message when there is no error.
const EMPTY: &[u8] = b"\0";

/// What `sysfence_filter_load` left for the last-error functions: a `Copy` value in a
/// const-initialised thread-local `Cell`, so recording it allocates and frees nothing (the
/// call is async-signal-safe). The readers turn it into a [`LastError`] when asked.
#[derive(Clone, Copy)]
pub(crate) enum Pending {
    /// The load succeeded: no error.
    Clear,
    /// The kernel refused the filter.
    Load(sysfence_core::LoadFailure),
    /// `filter` was NULL.
    NullFilter,
}

thread_local! {
    static LAST: RefCell<Option<LastError>> = const { RefCell::new(None) };
    static CODE: Cell<c_int> = const { Cell::new(SYSFENCE_OK) };
    static PENDING: Cell<Option<Pending>> = const { Cell::new(None) };
}

/// Records the outcome of `sysfence_filter_load` without allocating; returns its code.
pub(crate) fn record_pending(pending: Pending) -> c_int {
    let code = match pending {
        Pending::Clear => SYSFENCE_OK,
        Pending::Load(f) => code_of(&Error::Load(f)),
        Pending::NullFilter => SYSFENCE_ERR_INVALID_ARGUMENT,
    };
    CODE.with(|c| c.set(code));
    PENDING.with(|p| p.set(Some(pending)));
    code
}

/// Turns a pending `sysfence_filter_load` outcome into the last error (outside the load, so
/// allocating is fine here).
fn settle() {
    let Some(pending) = PENDING.with(|p| p.take()) else {
        return;
    };
    let code = CODE.with(Cell::get);
    match pending {
        Pending::Clear => LAST.with(|l| *l.borrow_mut() = None),
        Pending::Load(f) => {
            let err = Error::Load(f);
            record_parts(code, &err.to_string(), None, err.errno().unwrap_or(0));
        }
        Pending::NullFilter => {
            record_parts(code, "invalid argument: filter is NULL", None, libc::EINVAL);
        }
    }
}

/// Text for C: a NUL inside (from a `\u0000` escape in a policy) is shown as `\0`.
pub(crate) fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

/// Forgets the last error of this thread.
pub(crate) fn clear() {
    CODE.with(|c| c.set(SYSFENCE_OK));
    PENDING.with(|p| p.set(None));
    LAST.with(|l| *l.borrow_mut() = None);
}

/// Records `err` as this thread's last error and returns its code.
pub(crate) fn record(err: &Error) -> c_int {
    record_parts(
        code_of(err),
        &err.to_string(),
        err.path(),
        err.errno().unwrap_or(0),
    )
}

/// Records an error from its parts and returns `code`.
pub(crate) fn record_parts(code: c_int, message: &str, path: Option<&str>, errno: c_int) -> c_int {
    CODE.with(|c| c.set(code));
    LAST.with(|l| {
        *l.borrow_mut() = Some(LastError {
            errno,
            message: c_text(message),
            path: path.map(c_text),
        })
    });
    code
}

/// Runs `f` (which returns `T` or an error) with a fresh last error: on error, records it and
/// returns `on_error`; a panic becomes `SYSFENCE_ERR_INTERNAL` and `on_error`.
pub(crate) fn guarded<T>(on_error: T, f: impl FnOnce() -> Result<T, Error>) -> T {
    clear();
    match ffi_boundary(f) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            record(&e);
            on_error
        }
        Err(panic) => {
            record_panic(&panic);
            on_error
        }
    }
}

/// [`guarded`] for functions that return a result code: `SYSFENCE_OK`, or the code of the
/// error it records.
pub(crate) fn guarded_code(f: impl FnOnce() -> Result<(), Error>) -> c_int {
    clear();
    match ffi_boundary(f) {
        Ok(Ok(())) => SYSFENCE_OK,
        Ok(Err(e)) => record(&e),
        Err(panic) => record_panic(&panic),
    }
}

/// Records a panic caught at the boundary as `SYSFENCE_ERR_INTERNAL`.
fn record_panic(panic: &str) -> c_int {
    record_parts(
        SYSFENCE_ERR_INTERNAL,
        &format!("internal error (please report): {panic}"),
        None,
        0,
    )
}

/// The result code of the last failed call on this thread, or `SYSFENCE_OK` (0) when the last
/// call that can fail succeeded. Never fails.
#[no_mangle]
pub extern "C" fn sysfence_last_error_code() -> c_int {
    ffi_boundary(|| CODE.with(Cell::get)).unwrap_or(SYSFENCE_ERR_INTERNAL)
}

/// The message of the last failed call on this thread, such as
/// `rules[0].syscalls[0]: unknown syscall "exceve" (did you mean "execve"?)`; policy errors
/// name the JSON path of every problem. An empty string when there is no error; never NULL.
///
/// Owned by the library: valid until the next sysfence call on this thread. Do not free it.
#[no_mangle]
pub extern "C" fn sysfence_last_error_message() -> *const c_char {
    ffi_boundary(|| {
        settle();
        LAST.with(|l| match &*l.borrow() {
            Some(e) => e.message.as_ptr(),
            None => EMPTY.as_ptr().cast(),
        })
    })
    .unwrap_or(EMPTY.as_ptr().cast())
}

/// The JSON path of the first problem (`rules[2].syscalls[1]`, or `$` for the whole
/// document) when the last call on this thread failed with `SYSFENCE_ERR_POLICY`; NULL
/// otherwise.
///
/// Owned by the library: valid until the next sysfence call on this thread. Do not free it.
#[no_mangle]
pub extern "C" fn sysfence_last_error_path() -> *const c_char {
    ffi_boundary(|| {
        settle();
        LAST.with(|l| match &*l.borrow() {
            Some(LastError { path: Some(p), .. }) => p.as_ptr(),
            _ => std::ptr::null(),
        })
    })
    .unwrap_or(std::ptr::null())
}

/// The errno behind the last failed call on this thread (the kernel's errno for
/// `SYSFENCE_ERR_LOAD`), or 0 when there is none.
#[no_mangle]
pub extern "C" fn sysfence_last_error_errno() -> c_int {
    ffi_boundary(|| {
        settle();
        LAST.with(|l| l.borrow().as_ref().map_or(0, |e| e.errno))
    })
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn message() -> String {
        // SAFETY: the library's message is a valid C string until the next call.
        unsafe { CStr::from_ptr(sysfence_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let out: *mut c_char = guarded(std::ptr::null_mut(), || panic!("boom"));
        assert!(out.is_null());
        assert_eq!(sysfence_last_error_code(), SYSFENCE_ERR_INTERNAL);
        assert!(message().contains("boom"));
        assert_eq!(guarded_code(|| panic!("boom")), SYSFENCE_ERR_INTERNAL);
    }

    #[test]
    fn errors_are_recorded_and_cleared() {
        let err = Error::Policy(vec![sysfence_core::Diagnostic::error(
            sysfence_core::DiagnosticKind::InvalidValue,
            "rules[0]",
            "bad\0x",
        )]);
        assert_eq!(guarded_code(|| Err(err)), code_of(&Error::Policy(vec![])));
        assert!(!sysfence_last_error_path().is_null());
        assert!(message().contains("bad\\0x"));
        assert_eq!(guarded_code(|| Ok(())), SYSFENCE_OK);
        assert_eq!(sysfence_last_error_code(), SYSFENCE_OK);
        assert_eq!(message(), "");
        assert!(sysfence_last_error_path().is_null());
    }

    #[test]
    fn every_core_error_kind_has_its_own_code() {
        let errors = [
            Error::Policy(vec![]),
            Error::Compile {
                message: String::new(),
                errno: None,
            },
            Error::Load(sysfence_core::LoadFailure {
                stage: sysfence_core::LoadStage::Seccomp,
                errno: 1,
                tid: None,
            }),
            Error::Unsupported(String::new()),
            Error::InvalidArgument(String::new()),
            Error::Io {
                path: String::new(),
                errno: None,
                message: String::new(),
            },
        ];
        let codes: Vec<c_int> = errors.iter().map(code_of).collect();
        assert_eq!(codes, [-1, -2, -3, -4, -5, -6]);
    }
}
