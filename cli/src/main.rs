// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence`: write, check, explain, run and watch seccomp policies.

mod audit;
mod commands;
mod helper;
mod output;
mod profile;
mod profile_args;
mod profile_audit;
mod ps;
mod run;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Check, compile, explain and run seccomp-bpf policies.
#[derive(Parser, Debug)]
#[command(name = "sysfence", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate a policy and lint it: every error and warning, with its JSON path (exit 1 on error).
    Check(commands::CheckArgs),
    /// Compile a policy to BPF (raw `struct sock_filter` bytes) or libseccomp's PFC text.
    Compile(commands::CompileArgs),
    /// Show what a policy does with one syscall, by running the compiled BPF.
    Explain(commands::ExplainArgs),
    /// Convert between sysfence policies and Docker/Podman/OCI seccomp profiles.
    Convert(commands::ConvertArgs),
    /// Run a command under a policy (the command itself starts even if the policy denies execve).
    Run(run::RunArgs),
    /// List the presets.
    Presets(commands::ListArgs),
    /// List the syscall groups and their members.
    Groups(commands::ListArgs),
    /// Show this process's (or another's) seccomp state.
    Status(commands::StatusArgs),
    /// Run a command, record every syscall it makes, and write the policy that allows them.
    Profile(profile::ProfileArgs),
    /// List every process with its seccomp mode, filter count, no_new_privs and command line.
    Ps(commands::ListArgs),
    /// Read kernel seccomp records and print ECS events, a readable line each, or a summary.
    Audit(audit::AuditArgs),
    /// Print sysfence's version and the linked libseccomp version.
    Version(commands::ListArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Check(a) => commands::check(a),
        Command::Compile(a) => commands::compile(a),
        Command::Explain(a) => commands::explain(a),
        Command::Run(a) => run::run(a),
        Command::Convert(a) => commands::convert(a),
        Command::Presets(a) => commands::presets(a),
        Command::Groups(a) => commands::groups(a),
        Command::Status(a) => commands::status(a),
        Command::Ps(a) => ps::ps(a),
        Command::Profile(a) => profile::profile(a),
        Command::Audit(a) => audit::run(a),
        Command::Version(a) => commands::version(a),
    }
}
