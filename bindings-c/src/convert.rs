// SPDX-License-Identifier: MIT OR Apache-2.0
//! Values crossing the boundary: C strings in, owned C strings out.

use crate::error::c_text;
use std::ffi::CStr;
use std::os::raw::c_char;
use sysfence_core::Error;

/// Borrows a NUL-terminated UTF-8 argument. NULL and invalid UTF-8 are
/// `SYSFENCE_ERR_INVALID_ARGUMENT` errors naming the parameter.
///
/// # Safety
/// `ptr` is NULL or points at a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::InvalidArgument(format!("{name} is NULL")));
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        Error::InvalidArgument(format!(
            "{name} is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// [`str_arg`] where NULL means "not given".
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string.
pub(crate) unsafe fn optional_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    unsafe { str_arg(ptr, name) }.map(Some)
}

/// Hands `text` to C as a string the caller frees with `sysfence_string_free`. A NUL inside
/// is shown as `\0`, so the C string holds all of the text.
pub(crate) fn owned_string(text: &str) -> *mut c_char {
    c_text(text).into_raw()
}
