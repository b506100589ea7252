// SPDX-License-Identifier: MIT OR Apache-2.0
//! Errno names for actions such as `errno:EACCES`, in both directions.

/// The errno names a policy may use, with their Linux values.
pub const ERRNO_NAMES: &[(&str, i32)] = &[
    ("EPERM", libc::EPERM),
    ("ENOENT", libc::ENOENT),
    ("ESRCH", libc::ESRCH),
    ("EINTR", libc::EINTR),
    ("EIO", libc::EIO),
    ("ENXIO", libc::ENXIO),
    ("E2BIG", libc::E2BIG),
    ("ENOEXEC", libc::ENOEXEC),
    ("EBADF", libc::EBADF),
    ("ECHILD", libc::ECHILD),
    ("EAGAIN", libc::EAGAIN),
    ("ENOMEM", libc::ENOMEM),
    ("EACCES", libc::EACCES),
    ("EFAULT", libc::EFAULT),
    ("EBUSY", libc::EBUSY),
    ("EEXIST", libc::EEXIST),
    ("EXDEV", libc::EXDEV),
    ("ENODEV", libc::ENODEV),
    ("ENOTDIR", libc::ENOTDIR),
    ("EISDIR", libc::EISDIR),
    ("EINVAL", libc::EINVAL),
    ("ENFILE", libc::ENFILE),
    ("EMFILE", libc::EMFILE),
    ("ENOTTY", libc::ENOTTY),
    ("ETXTBSY", libc::ETXTBSY),
    ("EFBIG", libc::EFBIG),
    ("ENOSPC", libc::ENOSPC),
    ("ESPIPE", libc::ESPIPE),
    ("EROFS", libc::EROFS),
    ("EMLINK", libc::EMLINK),
    ("EPIPE", libc::EPIPE),
    ("ERANGE", libc::ERANGE),
    ("ENOSYS", libc::ENOSYS),
    ("ENOTSUP", libc::ENOTSUP),
    ("EOPNOTSUPP", libc::EOPNOTSUPP),
    ("EAFNOSUPPORT", libc::EAFNOSUPPORT),
    ("EPROTONOSUPPORT", libc::EPROTONOSUPPORT),
    ("ENETUNREACH", libc::ENETUNREACH),
    ("ECONNREFUSED", libc::ECONNREFUSED),
    ("ETIMEDOUT", libc::ETIMEDOUT),
    ("ENOTSOCK", libc::ENOTSOCK),
];

/// The largest errno an `errno` action can carry: the kernel clamps to 4095 and libseccomp
/// refuses 4095 itself, so 4094 is the largest that compiles.
pub const MAX_ERRNO: u32 = 4094;

/// The value of an errno name (`"EACCES"` -> 13), case-insensitive. Policies take the
/// upper-case spelling only (`errno:eperm` is refused with a suggestion).
pub fn errno_from_name(name: &str) -> Option<i32> {
    ERRNO_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// The name of an errno value (13 -> `"EACCES"`), where sysfence knows one. `ENOTSUP` and
/// `EOPNOTSUPP` share a value on Linux; the latter is returned.
pub fn errno_name(value: i32) -> Option<&'static str> {
    if value == libc::EOPNOTSUPP {
        return Some("EOPNOTSUPP");
    }
    ERRNO_NAMES
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(n, _)| *n)
}
