// SPDX-License-Identifier: MIT OR Apache-2.0
//! Shared output helpers: reading POLICY arguments and reporting errors the same way everywhere.

use std::process::ExitCode;
use sysfence::{Error, Policy};

/// Reads a policy argument: a file path, or `-` for standard input.
pub fn read_policy_text(arg: &str) -> Result<String, Error> {
    if arg == "-" {
        return sysfence::read_policy_text(std::io::stdin().lock(), "<stdin>");
    }
    let file = std::fs::File::open(arg).map_err(|e| Error::Io {
        path: arg.into(),
        errno: e.raw_os_error(),
        message: e.to_string(),
    })?;
    sysfence::read_policy_text(file, arg)
}

/// How a container profile given where a policy is expected is resolved (`--caps`, `--kernel`;
/// the architecture is each command's own option).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ContextArgs {
    /// For a Docker/OCI profile: the container's capabilities, comma-separated (`CAP_X` or `X`;
    /// `default` = Docker's default set, `all`); default: `default`.
    #[arg(long, value_name = "LIST")]
    pub caps: Option<String>,
    /// For a Docker/OCI profile: the kernel version X.Y its `minKernel` conditions compare with
    /// (default: the running kernel).
    #[arg(long, value_name = "X.Y")]
    pub kernel: Option<String>,
}

impl ContextArgs {
    /// The import context, with `arch` (the engine's architecture) when given.
    pub fn context(&self, arch: Option<&str>) -> Result<sysfence::OciContext, Error> {
        let mut ctx = sysfence::OciContext::default();
        if let Some(c) = &self.caps {
            ctx.caps = sysfence::oci::parse_caps(c)?;
        }
        if let Some(k) = &self.kernel {
            ctx.kernel = sysfence::oci::parse_kernel_arg(k)?;
        }
        if let Some(a) = arch {
            ctx.arch = a.parse().map_err(Error::InvalidArgument)?;
        }
        Ok(ctx)
    }
}

/// Reads and validates a policy argument: a sysfence policy, or a container profile imported
/// for `ctx` (its import warnings go to stderr).
pub fn load_policy_with(arg: &str, ctx: &sysfence::OciContext) -> Result<Policy, Error> {
    let (policy, notes) = sysfence::oci::read_json(&read_policy_text(arg)?, ctx)?;
    for d in &notes {
        eprintln!("warning: {}", located(d));
    }
    Ok(policy)
}

/// The policy of a command taking `POLICY` or `--preset NAME`.
pub fn policy_or_preset(
    file: Option<&str>,
    preset: Option<&str>,
    ctx: &sysfence::OciContext,
) -> Result<Policy, Error> {
    match (file, preset) {
        (Some(f), _) => load_policy_with(f, ctx),
        (None, Some(p)) => Policy::preset(p),
        (None, None) => Err(Error::InvalidArgument(
            "a policy file or --preset NAME is required".into(),
        )),
    }
}

/// Prints an error (every policy problem on its own line, or as JSON) and returns exit status 1.
pub fn fail(err: &Error, json: bool) -> ExitCode {
    if json {
        let report = serde_json::json!({
            "ok": false,
            "error": { "code": err.code(), "message": err.to_string(), "errno": err.errno() },
            "diagnostics": err.diagnostics(),
        });
        println!("{report}");
    } else if !err.diagnostics().is_empty() {
        for d in err.diagnostics() {
            eprintln!("error: {}", located(d));
        }
    } else {
        eprintln!("sysfence: {err}");
    }
    ExitCode::from(1)
}

/// `path: message`, or the message alone for a problem with the whole policy (`$`).
pub fn located(d: &sysfence::Diagnostic) -> String {
    if d.path == "$" {
        d.message.clone()
    } else {
        format!("{}: {}", d.path, d.message)
    }
}
