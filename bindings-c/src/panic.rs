// SPDX-License-Identifier: MIT OR Apache-2.0
//! The panic boundary: no panic unwinds into C.
//!
//! Every exported function runs its body through [`ffi_boundary`]. A panic is caught and turned
//! into `SYSFENCE_ERR_INTERNAL` (or NULL) by the caller; it never unwinds across `extern "C"`.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, returning its value, or the panic's message when it panicked.
///
/// Catching a panic allocates nothing when no panic happens, so the async-signal-safe
/// `sysfence_filter_load` may use it too.
pub(crate) fn ffi_boundary<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "panic".to_string()
        }
    })
}
