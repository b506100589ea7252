// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence run`: start a command under a policy.
//!
//! sysfence becomes the command (it execs it in place): the command keeps sysfence's pid, its
//! signals, job control and exit status are its own, and no sysfence process is left waiting
//! beside it. Every path loads two filters: the terminal guard (`ioctl` TIOCSTI/TIOCLINUX
//! refused, see `sysfence::terminal`) and the policy's.
//!
//! The first-exec problem: a policy that refuses `execve` would refuse the exec of the command
//! itself. Three ways through, chosen in this order (docs/cli.md has the full story):
//!
//! - The policy lets `execve` and `execveat` through unconditionally (`allow` or `log`, as in
//!   log mode): load the filters and exec.
//! - `ptrace` (x86_64, the default): a helper traces sysfence, stops the new program at its
//!   exec before it runs one instruction, makes it load the filters, checks they are in place,
//!   confines itself, detaches and exits (see `ptrace_guard.rs`).
//! - `notify` (elsewhere, for programs this user cannot read, or `--exec-guard notify`): a
//!   confined helper answers the command's execs through `SECCOMP_RET_USER_NOTIF` with the
//!   policy's own verdict (see `notify_guard.rs`).
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the command: its options, the policy they make, the choice of a way through |
//! | `command.rs` | the program to exec, shared by everything here (and `profile`) |
//! | `ptrace_guard.rs` | `--exec-guard ptrace` |
//! | `report.rs` | the ptrace guard's helper staying to tell what the kernel logged |
//! | `notify_guard.rs` | `--exec-guard notify` |
//! | `user_notif.rs` | the `SECCOMP_IOCTL_NOTIF_*` plumbing (also `profile`'s) |
//! | `helper_filters.rs` | the filters the guards' helpers load on themselves |

pub mod command;
mod helper_filters;
mod notify_guard;
#[cfg(target_arch = "x86_64")]
mod ptrace_guard;
#[cfg(target_arch = "x86_64")]
mod report;
pub mod user_notif;

use crate::output::{fail, load_policy_with, ContextArgs};
use clap::{Args, ValueEnum};
use command::{restore_signals_for_command, Program, Refusal};
use std::ffi::OsString;
use std::process::ExitCode;
use sysfence::{Action, CompileOptions, Error, Filter, Mode, Policy};

/// How `run` lets the command's own exec through a policy that refuses exec.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecGuard {
    /// ptrace on x86_64, notify elsewhere.
    Auto,
    /// Load the filter into the command at its exec stop, then detach (x86_64).
    Ptrace,
    /// Stay as a supervisor answering exec notifications with the policy's verdict.
    Notify,
}

/// Arguments of `run`.
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("source").required(true).multiple(true)
    .args(["policy", "preset", "deny", "allow"]))]
pub struct RunArgs {
    /// The policy file, or `-` for standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "preset")]
    policy: Option<String>,
    /// A preset instead of a policy file (see `sysfence presets`).
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,
    /// Refuse these syscalls and @groups (comma-separated) with ACTION (default errno:EPERM);
    /// alone, everything else is allowed. Repeatable; decides over the policy for those names.
    #[arg(long, value_name = "NAMES[:ACTION]")]
    deny: Vec<String>,
    /// Allow these syscalls and @groups (comma-separated); without --policy or --preset,
    /// everything else is refused with errno:EPERM. Repeatable; decides over the policy.
    #[arg(long, value_name = "NAMES")]
    allow: Vec<String>,
    /// Log what the policy would refuse instead of refusing it (mode "log").
    #[arg(long)]
    log_only: bool,
    /// How the command's own exec gets through a policy that refuses exec.
    #[arg(long, value_enum, default_value = "auto")]
    exec_guard: ExecGuard,
    #[command(flatten)]
    context: ContextArgs,
    /// For a Docker/OCI profile: the engine's architecture (default: native).
    #[arg(long)]
    arch: Option<String>,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<OsString>,
}

/// The syscalls that run a new program.
pub const EXEC_SYSCALLS: &[&str] = &["execve", "execveat"];

pub fn run(a: &RunArgs) -> ExitCode {
    match prepare(a) {
        Ok(plan) => plan.start(a.exec_guard),
        Err(r) => r.report(),
    }
}

/// A command and the policy to run it under.
pub struct Plan {
    policy: Policy,
    program: Program,
}

fn prepare(a: &RunArgs) -> Result<Plan, Refusal> {
    let base = match (&a.policy, &a.preset) {
        (Some(file), _) => Some(load_policy_with(
            file,
            &a.context.context(a.arch.as_deref())?,
        )?),
        (None, Some(name)) => Some(Policy::preset(name)?),
        (None, None) => None,
    };
    let mut policy = match (base, shorthand_rules(a)) {
        (Some(base), None) => base,
        (base, Some(rules)) => with_shorthands(base.as_ref(), &rules)?,
        (None, None) => {
            return Err(Error::InvalidArgument(
                "--policy, --preset, --deny or --allow is required".into(),
            )
            .into())
        }
    };
    if a.log_only {
        policy = policy.with_mode(Mode::Log)?;
    }
    Ok(Plan {
        program: Program::new(&a.command)?,
        policy,
    })
}

/// One `--deny` or `--allow` as written, and the rule it stands for.
struct Shorthand {
    option: String,
    action: String,
    names: Vec<String>,
}

/// The `--deny` and `--allow` options, in the order given (`None` when there are none).
fn shorthand_rules(a: &RunArgs) -> Option<Vec<Shorthand>> {
    let deny = a.deny.iter().map(|text| {
        let (names, action) = text.split_once(':').unwrap_or((text, "errno:EPERM"));
        (format!("--deny {text}"), action.to_string(), names)
    });
    let allow = a.allow.iter().map(|text| {
        (
            format!("--allow {text}"),
            "allow".to_string(),
            text.as_str(),
        )
    });
    let list: Vec<Shorthand> = deny
        .chain(allow)
        .map(|(option, action, names)| Shorthand {
            option,
            action,
            names: names.split(',').map(|n| n.trim().to_string()).collect(),
        })
        .collect();
    (!list.is_empty()).then_some(list)
}

/// The policy `--deny`/`--allow` stand for, over `base` if there is one (the shorthands decide
/// for the syscalls they name, see [`Policy::overridden_by`]). Alone, the default action is
/// `allow` with only `--deny`, `errno:EPERM` as soon as there is an `--allow`. The rules are
/// validated by core as a policy of their own, on the base's architectures; an error names the
/// option it comes from.
fn with_shorthands(base: Option<&Policy>, list: &[Shorthand]) -> Result<Policy, Error> {
    let any_allow = list.iter().any(|s| s.action == "allow");
    let default = if any_allow { "errno:EPERM" } else { "allow" };
    let rules: Vec<serde_json::Value> = list
        .iter()
        .map(|s| serde_json::json!({ "action": s.action, "syscalls": s.names }))
        .collect();
    let mut value = serde_json::json!({ "default_action": default, "rules": rules });
    if let Some(base) = base {
        if !base.architectures().is_empty() {
            value["architectures"] = base.to_value()["architectures"].clone();
        }
    }
    let name_option = |e: Error| match e {
        Error::Policy(diags) => Error::Policy(
            diags
                .into_iter()
                .map(|mut d| {
                    d.path = option_of(&d.path, list);
                    d.message = rule_paths_to_options(&d.message, list);
                    d
                })
                .collect(),
        ),
        other => other,
    };
    let extra = Policy::from_value(&value).map_err(name_option)?;
    match base {
        None => Ok(extra),
        Some(base) => base.overridden_by(&extra),
    }
}

/// `rules[i]...` (a path into the shorthands' rule set) as the option it came from.
fn option_of(path: &str, list: &[Shorthand]) -> String {
    path.strip_prefix("rules[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| list.get(i))
        .map_or_else(|| path.to_string(), |s| s.option.clone())
}

/// Rewrites every `rules[i].syscalls[j]` (or `rules[i]`) in a message as the option it names.
fn rule_paths_to_options(message: &str, list: &[Shorthand]) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("rules[") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail[6..].find(']').map_or(tail.len(), |e| 6 + e + 1);
        let mut end = end;
        // Swallow a `.syscalls[j]` or `.action` that follows.
        for field in [".syscalls[", ".action", ".args"] {
            if tail[end..].starts_with(field) {
                end += field.len();
                if field.ends_with('[') {
                    end += tail[end..].find(']').map_or(0, |e| e + 1);
                }
            }
        }
        out.push_str(&option_of(&tail[..end], list));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

impl Plan {
    fn start(self, guard: ExecGuard) -> ExitCode {
        let exec_lets_through = EXEC_SYSCALLS.iter().all(|s| {
            self.policy
                .unconditional_action(s)
                .is_some_and(Action::lets_through)
        });
        let compiled = self.policy.compile().and_then(|filter| {
            let arches = self.policy.target_arches();
            Ok((
                filter,
                sysfence::terminal::terminal_guard(&arches).compile()?,
            ))
        });
        let (filter, terminal) = match compiled {
            Ok(f) => f,
            Err(e) => return fail(&e, false),
        };
        // The terminal guard first: the policy may refuse seccomp() itself.
        if exec_lets_through {
            return self.exec_directly(&[&terminal, &filter]);
        }
        let guard = match guard {
            ExecGuard::Auto if cfg!(target_arch = "x86_64") && self.program.readable() => {
                ExecGuard::Ptrace
            }
            ExecGuard::Auto => ExecGuard::Notify,
            other => other,
        };
        if guard == ExecGuard::Ptrace {
            #[cfg(target_arch = "x86_64")]
            return ptrace_guard::run(&self.program, &[&terminal, &filter]);
            #[cfg(not(target_arch = "x86_64"))]
            return fail(
                &Error::Unsupported("--exec-guard ptrace needs x86_64".into()),
                false,
            );
        }
        let options = CompileOptions {
            supervise: EXEC_SYSCALLS,
            ..CompileOptions::default()
        };
        match sysfence::compile_with(&self.policy, options) {
            Ok(supervised) => notify_guard::run(&self.program, &filter, &terminal, &supervised),
            Err(e) => fail(&e, false),
        }
    }

    /// The policy lets exec through: load the filters here and become the command. Signals
    /// are restored first: after the policy's filter, only the exec runs (an allowlist might
    /// refuse anything else, and log mode would log sysfence's calls as the command's).
    fn exec_directly(&self, filters: &[&Filter]) -> ExitCode {
        restore_signals_for_command();
        for filter in filters {
            if let Err(e) = filter.load() {
                return fail(&e, false);
            }
        }
        self.program.exec_or_report()
    }
}
