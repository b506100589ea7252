// SPDX-License-Identifier: MIT OR Apache-2.0
//! The C entry points with arbitrary bytes (invalid UTF-8 included): an error code or a result,
//! never a crash, and every returned string can be freed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::ffi::CString;

fuzz_target!(|data: &[u8]| {
    let bytes: Vec<u8> = data.iter().copied().filter(|b| *b != 0).collect();
    let text = CString::new(bytes).expect("NULs removed");
    // SAFETY: NUL-terminated input; every returned pointer is freed with its own free function.
    unsafe {
        let utf8 = std::str::from_utf8(text.as_bytes()).is_ok();
        let report = sysfence_c::sysfence_check_json(text.as_ptr());
        // Not UTF-8: NULL and SYSFENCE_ERR_INVALID_ARGUMENT; otherwise always a report.
        assert_eq!(report.is_null(), !utf8);
        if !utf8 {
            assert_eq!(
                sysfence_c::sysfence_last_error_code(),
                sysfence_c::sysfence_result::SYSFENCE_ERR_INVALID_ARGUMENT as i32
            );
        }
        sysfence_c::sysfence_string_free(report);
        let filter = sysfence_c::sysfence_compile_json(text.as_ptr());
        if filter.is_null() {
            assert!(sysfence_c::sysfence_last_error_code() < 0);
        } else {
            let mut bytes = std::ptr::null();
            assert!(sysfence_c::sysfence_filter_bpf(filter, &mut bytes) > 0);
            let verdict = sysfence_c::sysfence_filter_simulate(
                filter,
                std::ptr::null(),
                c"execve".as_ptr(),
                std::ptr::null(),
                0,
            );
            sysfence_c::sysfence_string_free(verdict);
            sysfence_c::sysfence_filter_free(filter);
        }
        let event = sysfence_c::sysfence_parse_audit_line(text.as_ptr());
        sysfence_c::sysfence_string_free(event);
    }
});
