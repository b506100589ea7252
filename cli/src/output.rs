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

/// Reads and validates a policy argument.
pub fn load_policy(arg: &str) -> Result<Policy, Error> {
    Policy::from_json(&read_policy_text(arg)?)
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
