// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence_filter`: a compiled filter that C code exports, simulates and loads.

use crate::convert::{owned_string, str_arg};
use crate::error::{guarded, record_pending, Pending};
use crate::error::{SYSFENCE_ERR_INTERNAL, SYSFENCE_OK};
use crate::panic::ffi_boundary;
use std::os::raw::{c_char, c_int};
use sysfence_core::{Arch, Error, Filter, Policy};

/// A compiled seccomp filter. Opaque: create it with `sysfence_compile_json`, release it with
/// `sysfence_filter_free`. What `sysfence_filter_bpf` exports and `sysfence_filter_simulate`
/// evaluates is byte for byte what `sysfence_filter_load` loads. A filter is immutable, so
/// several threads may use one filter at the same time.
#[allow(non_camel_case_types)]
pub struct sysfence_filter {
    /// The core's filter: its program, and the `seccomp()` flags it loads with.
    filter: Filter,
    /// The precompiled form, made on the first `sysfence_filter_compiled`.
    compiled: std::sync::OnceLock<Vec<u8>>,
}

fn boxed(filter: Filter) -> *mut sysfence_filter {
    Box::into_raw(Box::new(sysfence_filter {
        filter,
        compiled: std::sync::OnceLock::new(),
    }))
}

/// Reads `len` bytes at `bytes`, or fails naming the NULL argument.
///
/// # Safety
/// `bytes` is NULL or points at `len` readable bytes.
unsafe fn bytes_arg<'a>(bytes: *const u8, len: usize) -> Result<&'a [u8], Error> {
    match (bytes.is_null(), len) {
        (_, 0) => Ok(&[]),
        (true, _) => Err(Error::InvalidArgument("bytes is NULL".into())),
        // SAFETY: the caller promises `len` readable bytes.
        (false, n) => Ok(unsafe { std::slice::from_raw_parts(bytes, n) }),
    }
}

/// A precompiled filter (`sysfence compile --format sfb`, or `sysfence_filter_compiled`) from
/// `len` bytes, decoded and checked with no libseccomp work: the magic, format version and
/// checksum, the instruction count (1 to 4096), the BPF checks the kernel makes, and that its
/// architectures include the running one. It loads with the flags it was compiled with.
///
/// Returns a filter the caller frees with `sysfence_filter_free`, or NULL with
/// `SYSFENCE_ERR_INVALID_ARGUMENT` whose message says what is wrong (truncated, corrupt,
/// foreign, another architecture, ...).
///
/// # Safety
/// `bytes` is NULL or points at `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_from_bytes(
    bytes: *const u8,
    len: usize,
) -> *mut sysfence_filter {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let bytes = unsafe { bytes_arg(bytes, len) }?;
        Ok(boxed(Filter::from_compiled(bytes)?))
    })
}

/// Raw BPF made by another tool: `len` bytes of native-endian `struct sock_filter` records,
/// for the comma-separated `arches` (`x86_64,x86`; NULL for the native one, which the list must
/// include), loaded with the `seccomp()` `flags` given (`SECCOMP_FILTER_FLAG_TSYNC` 1, `LOG` 2,
/// `SPEC_ALLOW` 4). The program is checked as the kernel would (length, opcodes, jumps in
/// range, a return last).
///
/// Returns a filter the caller frees with `sysfence_filter_free`, or NULL with
/// `SYSFENCE_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `bytes` is NULL or points at `len` readable bytes; `arches` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_from_raw_bpf(
    bytes: *const u8,
    len: usize,
    arches: *const c_char,
    flags: u32,
) -> *mut sysfence_filter {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let bytes = unsafe { bytes_arg(bytes, len) }?;
        let arches = if arches.is_null() {
            vec![Arch::native()]
        } else {
            // SAFETY: forwarded from the caller.
            let text = unsafe { str_arg(arches, "arches") }?;
            text.split(',')
                .map(|a| a.trim().parse::<Arch>().map_err(Error::InvalidArgument))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(boxed(Filter::from_raw_bpf(bytes, &arches, flags)?))
    })
}

/// The filter as a precompiled container (the bytes `sysfence compile --format sfb` writes),
/// for `sysfence_filter_from_bytes`. Sets `*bytes` to the first byte and returns the length.
///
/// The bytes belong to the filter: valid until `sysfence_filter_free(filter)`. On error (a
/// NULL argument) returns 0 and records `SYSFENCE_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `filter` is NULL or a live filter; `bytes` is NULL or points at writable storage for a
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_compiled(
    filter: *const sysfence_filter,
    bytes: *mut *const u8,
) -> usize {
    guarded(0, || {
        // SAFETY: forwarded from the caller.
        let f = unsafe { filter_arg(filter) }?;
        if bytes.is_null() {
            return Err(Error::InvalidArgument("bytes is NULL".into()));
        }
        let out = f.compiled.get_or_init(|| f.filter.to_compiled());
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { *bytes = out.as_ptr() };
        Ok(out.len())
    })
}

/// Borrows the filter behind `ptr`, or fails with an invalid-argument error.
///
/// # Safety
/// `ptr` is NULL or was returned by `sysfence_compile_json` and not freed.
unsafe fn filter_arg<'a>(ptr: *const sysfence_filter) -> Result<&'a sysfence_filter, Error> {
    // SAFETY: the caller promises a live filter or NULL.
    unsafe { ptr.as_ref() }.ok_or_else(|| Error::InvalidArgument("filter is NULL".into()))
}

/// Validates and compiles a policy argument without loading it: JSON text (a policy in format
/// version 1, see docs/policy.md, or a Docker/OCI profile) or a preset name (`"no-exec"`),
/// told apart by the core's one rule (docs/policy.md, "Policy arguments").
///
/// Returns a filter that the caller frees with `sysfence_filter_free`, or NULL on error:
/// `sysfence_last_error_code()` is then `SYSFENCE_ERR_POLICY` (the message names the JSON
/// path of every problem), `SYSFENCE_ERR_COMPILE` or `SYSFENCE_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `policy_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn sysfence_compile_json(policy_json: *const c_char) -> *mut sysfence_filter {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let text = unsafe { str_arg(policy_json, "policy_json") }?;
        Ok(boxed(Policy::from_argument(text)?.compile()?))
    })
}

/// Loads the filter into this process, all threads (TSYNC), after setting
/// `PR_SET_NO_NEW_PRIVS`. All or nothing: on failure no filter was added.
///
/// Async-signal-safe: it allocates nothing, so it may run in a child between `fork()` and
/// `exec()` (compile in the parent, load in the child). It records its outcome as a plain value
/// that `sysfence_last_error_message/errno` describe when asked (nothing is allocated during
/// the load). It returns `SYSFENCE_OK`, or `SYSFENCE_ERR_LOAD` with `errno` set to the
/// kernel's errno (`ENOSYS` for a kernel without `seccomp()` in a process with several
/// threads; 0 when TSYNC could not move another thread, which runs under a different filter),
/// or `SYSFENCE_ERR_INVALID_ARGUMENT` with `errno` `EINVAL` when `filter` is NULL.
///
/// # Safety
/// `filter` is NULL or a live filter from `sysfence_compile_json`.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_load(filter: *const sysfence_filter) -> c_int {
    let (code, errno) = ffi_boundary(|| {
        // SAFETY: the caller promises a live filter or NULL.
        let Some(f) = (unsafe { filter.as_ref() }) else {
            return (record_pending(Pending::NullFilter), libc::EINVAL);
        };
        match f.filter.load_with_flags(f.filter.load_flags()) {
            Ok(_) => (record_pending(Pending::Clear), 0),
            // Recording a LoadFailure (a Copy value) allocates nothing.
            Err(e) => (record_pending(Pending::Load(e)), e.errno),
        }
    })
    .unwrap_or((SYSFENCE_ERR_INTERNAL, 0));
    if code != SYSFENCE_OK {
        // SAFETY: this thread's errno; writing it is async-signal-safe.
        unsafe { *libc::__errno_location() = errno };
    }
    code
}

/// The BPF program as the kernel receives it: `struct sock_filter` records of 8 bytes each,
/// native endian. Sets `*bytes` to the first byte and returns the length in bytes.
///
/// The bytes belong to the filter: valid until `sysfence_filter_free(filter)`; do not free
/// them. On error (a NULL argument) returns 0, leaves `*bytes` unchanged and records
/// `SYSFENCE_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `filter` is NULL or a live filter; `bytes` is NULL or points at writable storage for a
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_bpf(
    filter: *const sysfence_filter,
    bytes: *mut *const u8,
) -> usize {
    guarded(0, || {
        // SAFETY: forwarded from the caller.
        let f = unsafe { filter_arg(filter) }?;
        if bytes.is_null() {
            return Err(Error::InvalidArgument("bytes is NULL".into()));
        }
        let bpf = f.filter.bpf();
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { *bytes = bpf.as_ptr() };
        Ok(bpf.len())
    })
}

/// libseccomp's pseudo-filter-code: the filter as readable text.
///
/// Returns a string the caller frees with `sysfence_string_free`, or NULL on error (a NULL
/// `filter`).
///
/// # Safety
/// `filter` is NULL or a live filter.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_pfc(filter: *const sysfence_filter) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let f = unsafe { filter_arg(filter) }?;
        Ok(owned_string(f.filter.pfc()))
    })
}

/// The arguments of a simulated call, borrowed: the architecture (NULL: native), the syscall
/// and its first `nargs` (0 to 6) arguments.
///
/// # Safety
/// `arch` and `syscall` are NULL or NUL-terminated; `args` is NULL or points at `nargs` values.
unsafe fn call_args<'a>(
    arch: *const c_char,
    syscall: *const c_char,
    args: *const u64,
    nargs: usize,
) -> Result<(Option<Arch>, &'a str, &'a [u64]), Error> {
    let arch = if arch.is_null() {
        None
    } else {
        // SAFETY: forwarded from the caller.
        let name = unsafe { str_arg(arch, "arch") }?;
        Some(name.parse::<Arch>().map_err(Error::InvalidArgument)?)
    };
    // SAFETY: forwarded from the caller.
    let syscall = unsafe { str_arg(syscall, "syscall") }?;
    if nargs > 6 {
        return Err(Error::InvalidArgument(format!(
            "{nargs} arguments; a syscall has at most 6"
        )));
    }
    let args: &[u64] = match (args.is_null(), nargs) {
        (_, 0) => &[],
        (true, _) => return Err(Error::InvalidArgument("args is NULL".into())),
        // SAFETY: the caller promises `nargs` readable values.
        (false, n) => unsafe { std::slice::from_raw_parts(args, n) },
    };
    Ok((arch, syscall, args))
}

/// What the filter does with one syscall, evaluated on the filter's own bytes as the kernel
/// would: the action as text (`allow`, `log`, `kill_process`, `kill_thread`, `trap`,
/// `errno:EACCES`, `trace:N`, `notify`).
///
/// `arch` is an architecture name (`x86_64`, `x86`, `x32`, `aarch64`, ...) or NULL for the
/// native one; `syscall` a name (`openat`) or a number as text; `args` the first `nargs`
/// (0 to 6) syscall arguments, NULL when `nargs` is 0; the rest are 0.
///
/// Returns a string the caller frees with `sysfence_string_free`, or NULL on error:
/// `SYSFENCE_ERR_INVALID_ARGUMENT` for a NULL or non-UTF-8 argument, an unknown architecture
/// or syscall (the message suggests the nearest name) or more than 6 arguments.
///
/// # Safety
/// `filter` is NULL or a live filter; `arch` and `syscall` are NULL or NUL-terminated;
/// `args` is NULL or points at `nargs` values.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_simulate(
    filter: *const sysfence_filter,
    arch: *const c_char,
    syscall: *const c_char,
    args: *const u64,
    nargs: usize,
) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let f = unsafe { filter_arg(filter) }?;
        // SAFETY: forwarded from the caller.
        let (arch, syscall, args) = unsafe { call_args(arch, syscall, args, nargs) }?;
        let verdict = f.filter.simulate(syscall, args, arch)?;
        Ok(owned_string(&verdict.action.to_string()))
    })
}

/// `sysfence_filter_simulate`, and what in the policy gave the verdict, as a JSON object (the
/// core's `Explanation`, the same in every language): `{"syscall": "openat", "action":
/// "errno:EACCES", "instructions": 9, "arch": "x86_64", "nr": 257, "decided_by":
/// "rules[2].syscalls[0] (errno:EACCES)", "arguments": [...]}`. `decided_by` names a rule's
/// path and action, `default_action`, or `bad_arch_action` (and why); `arguments` (absent
/// when empty) the conditions that decided. A `socketcall`/`ipc` call adds `multiplexed`
/// (`{multiplexer, nr, call, action, instructions}`) and `multiplexed_decided_by`. A
/// precompiled filter cannot name rules: `decided_by` says so.
///
/// The arguments are `sysfence_filter_simulate`'s, and so are the errors: NULL with
/// `SYSFENCE_ERR_INVALID_ARGUMENT` for a NULL or non-UTF-8 argument, an unknown architecture
/// or syscall or more than 6 arguments. The string is freed with `sysfence_string_free`.
///
/// # Safety
/// `filter` is NULL or a live filter; `arch` and `syscall` are NULL or NUL-terminated;
/// `args` is NULL or points at `nargs` values.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_explain(
    filter: *const sysfence_filter,
    arch: *const c_char,
    syscall: *const c_char,
    args: *const u64,
    nargs: usize,
) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let f = unsafe { filter_arg(filter) }?;
        // SAFETY: forwarded from the caller.
        let (arch, syscall, args) = unsafe { call_args(arch, syscall, args, nargs) }?;
        let explanation = f.filter.explain(syscall, args, arch)?;
        // A plain struct always serialises; a failure would be a bug, caught as a panic.
        Ok(owned_string(
            &serde_json::to_string(&explanation).expect("an Explanation serialises"),
        ))
    })
}

/// Frees a filter from `sysfence_compile_json`. NULL is ignored. Loaded filters stay in the
/// kernel: freeing only releases the memory.
///
/// # Safety
/// `filter` is NULL or a live filter, not used again after this call.
#[no_mangle]
pub unsafe extern "C" fn sysfence_filter_free(filter: *mut sysfence_filter) {
    let _ = ffi_boundary(|| {
        if !filter.is_null() {
            // SAFETY: the caller hands back ownership of a box made by sysfence_compile_json.
            drop(unsafe { Box::from_raw(filter) });
        }
    });
}
