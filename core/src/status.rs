//! The seccomp state of a process or thread, from `/proc/.../status`.

use crate::error::{Error, Result};
use serde::Serialize;

/// Seccomp state as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Status {
    /// `disabled`, `strict` or `filter`.
    pub mode: &'static str,
    /// How many filters are attached (kernels from 5.9 report it).
    pub filters: Option<u32>,
    /// Whether `PR_SET_NO_NEW_PRIVS` is set.
    pub no_new_privs: bool,
}

/// The state of this process's calling thread.
pub fn status() -> Result<Status> {
    status_of("/proc/thread-self/status")
}

/// The state in a `/proc/<pid>/status` or `/proc/<pid>/task/<tid>/status` file.
pub fn status_of(path: &str) -> Result<Status> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
    Status::parse(&text).ok_or_else(|| {
        Error::Unsupported(format!(
            "{path} has no Seccomp line (kernel without CONFIG_SECCOMP)"
        ))
    })
}

impl Status {
    /// Parses the text of a `/proc/.../status` file; `None` without a `Seccomp:` line.
    pub fn parse(text: &str) -> Option<Status> {
        parse(text)
    }
}

fn parse(text: &str) -> Option<Status> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
            .map(str::trim)
    };
    let mode = match field("Seccomp")? {
        "0" => "disabled",
        "1" => "strict",
        _ => "filter",
    };
    Some(Status {
        mode,
        filters: field("Seccomp_filters").and_then(|v| v.parse().ok()),
        no_new_privs: field("NoNewPrivs") == Some("1"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_proc_status() {
        let s =
            super::parse("Name:\tx\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\n").unwrap();
        assert_eq!(
            (s.mode, s.filters, s.no_new_privs),
            ("filter", Some(3), true)
        );
    }
}
