//! Placeholder: `sysfence audit` is being written (issue 6); this file is replaced whole.

use std::process::ExitCode;

/// Arguments of `sysfence audit`.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {}

/// Runs `sysfence audit`.
pub fn run(_args: &AuditArgs) -> ExitCode {
    eprintln!("sysfence audit: not available in this build");
    ExitCode::from(2)
}
