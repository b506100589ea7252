// SPDX-License-Identifier: MIT OR Apache-2.0
//! The small commands: check, compile, explain, presets, groups, status, version.

use crate::output::{fail, located, policy_or_preset, read_policy_text, ContextArgs};
use clap::{Args, ValueEnum};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use sysfence::{constants, groups, syscalls, Arch, Error};

/// `--json` alone.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Machine-readable JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The policy file (or a Docker/OCI profile), or `-` for standard input.
    #[arg(required_unless_present = "preset")]
    policy: Option<String>,
    /// Check a preset instead (see `sysfence presets`).
    #[arg(long, conflicts_with = "policy")]
    preset: Option<String>,
    #[command(flatten)]
    context: ContextArgs,
    /// For a Docker/OCI profile: the engine's architecture (default: native).
    #[arg(long)]
    arch: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Output formats of `compile`.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// Raw BPF: `struct sock_filter` records, as `seccomp()` takes them.
    Bpf,
    /// libseccomp's pseudo filter code, readable text.
    Pfc,
    /// Self-describing precompiled filter: the BPF with its architectures, mode, flags, the
    /// policy's SHA-256 and the versions that built it, checksummed; every binding loads it
    /// with no libseccomp work (`Filter.from_bytes`).
    Sfb,
}

/// Arguments of `compile`.
#[derive(Args, Debug)]
pub struct CompileArgs {
    /// The policy file (or a Docker/OCI profile), or `-` for standard input.
    #[arg(required_unless_present = "preset")]
    policy: Option<String>,
    /// Compile a preset instead (see `sysfence presets`).
    #[arg(long, conflicts_with = "policy")]
    preset: Option<String>,
    #[command(flatten)]
    context: ContextArgs,
    /// For a Docker/OCI profile: the engine's architecture (default: native).
    #[arg(long)]
    arch: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "bpf")]
    format: Format,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

/// Arguments of `explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The policy file (or a Docker/OCI profile), or `-` for standard input; with --preset,
    /// leave it out.
    #[arg(required_unless_present = "preset")]
    policy: Option<String>,
    /// Explain a preset instead (see `sysfence presets`).
    #[arg(long)]
    preset: Option<String>,
    /// The syscall, by name or number.
    #[arg(required_unless_present = "preset")]
    syscall: Option<String>,
    /// Up to six arguments, in order or named (`flags=O_CREAT|O_WRONLY`): integers (decimal,
    /// 0x hex, 0o or 0-prefixed octal, negative as two's complement) or symbolic names of the
    /// argument (AF_INET6, SOCK_RAW, AT_FDCWD, PROT_EXEC, TIOCSTI, ...), joined with `|`.
    #[arg(allow_negative_numbers = true)]
    args: Vec<String>,
    /// The architecture (default: native), e.g. x86 for i386 `int 0x80` calls.
    #[arg(long)]
    arch: Option<String>,
    #[command(flatten)]
    context: ContextArgs,
    /// For a Docker/OCI profile: the engine's architecture (default: native); --arch is the
    /// call's ABI.
    #[arg(long, value_name = "ARCH")]
    host_arch: Option<String>,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
}

/// Output formats of `convert`.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Target {
    /// An OCI runtime-spec `linux.seccomp` object (runc, crun, containerd, Kubernetes).
    Oci,
    /// A Docker/Podman profile (`--security-opt seccomp=FILE`).
    Docker,
    /// A sysfence policy, presets, groups and mode flattened.
    Sysfence,
}

/// Arguments of `convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// A sysfence policy, a Docker/Podman profile, an OCI `linux.seccomp` object or an OCI
    /// config.json; `-` for standard input.
    input: String,
    /// What to write.
    #[arg(long, value_enum)]
    to: Target,
    #[command(flatten)]
    context: ContextArgs,
    /// For a Docker/OCI profile: the engine's architecture (default: native).
    #[arg(long)]
    arch: Option<String>,
    /// Write to FILE instead of standard output (whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

pub fn convert(a: &ConvertArgs) -> ExitCode {
    let result = (|| {
        let ctx = a.context.context(a.arch.as_deref())?;
        let text = read_policy_text(&a.input)?;
        let (policy, mut notes) = sysfence::oci::read_json(&text, &ctx)?;
        let target = match a.to {
            Target::Oci => sysfence::oci::Target::Oci,
            Target::Docker => sysfence::oci::Target::Docker,
            Target::Sysfence => sysfence::oci::Target::Sysfence,
        };
        let out = sysfence::oci::export(&policy, target)?;
        notes.extend(out.diagnostics);
        let mut text = serde_json::to_string_pretty(&out.value).unwrap_or_default();
        text.push('\n');
        Ok::<_, Error>((text, notes))
    })();
    let (text, notes) = match result {
        Ok(r) => r,
        Err(e) => return fail(&e, false),
    };
    for d in &notes {
        eprintln!("warning: {}", located(d));
    }
    match crate::profile::write_output(a.output.as_deref(), &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sysfence: {e}");
            ExitCode::from(1)
        }
    }
}

/// Arguments of `status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// A process id (default: sysfence itself).
    pid: Option<u32>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn check(a: &CheckArgs) -> ExitCode {
    let ctx = match a.context.context(a.arch.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&e, a.json),
    };
    let (name, diags) = match (&a.policy, &a.preset) {
        (Some(file), _) => match read_policy_text(file) {
            Ok(t) => (file.clone(), sysfence::oci::check_json(&t, &ctx)),
            Err(e) => return fail(&e, a.json),
        },
        // The preset as written (docker-default is a Docker profile), checked like a file.
        (None, Some(p)) => match (groups::preset(p), sysfence::Policy::preset(p)) {
            (Some(preset), Ok(_)) => (
                format!("preset {p}"),
                sysfence::oci::check_json(preset.json, &ctx),
            ),
            (_, Err(e)) => return fail(&e, a.json),
            (None, Ok(_)) => unreachable!("Policy::preset knows only listed presets"),
        },
        (None, None) => unreachable!("clap requires one"),
    };
    let report = sysfence::CheckReport::from(diags);
    let (errors, warnings) = (report.errors, report.warnings);
    if a.json {
        println!("{}", json!(report));
    } else {
        for d in &report.diagnostics {
            let level = if d.is_error() { "error" } else { "warning" };
            eprintln!("{level}: {}", located(d));
        }
        if errors == 0 {
            println!(
                "{name}: ok ({warnings} warning{})",
                if warnings == 1 { "" } else { "s" }
            );
        } else {
            eprintln!(
                "{name}: {errors} error{}, {warnings} warning{}",
                plural(errors),
                plural(warnings)
            );
        }
    }
    ExitCode::from(u8::from(errors > 0))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn compile(a: &CompileArgs) -> ExitCode {
    let filter = match a
        .context
        .context(a.arch.as_deref())
        .and_then(|ctx| policy_or_preset(a.policy.as_deref(), a.preset.as_deref(), &ctx))
        .and_then(|p| p.compile())
    {
        Ok(f) => f,
        Err(e) => return fail(&e, false),
    };
    let sfb;
    let bytes: &[u8] = match a.format {
        Format::Bpf => filter.bpf(),
        Format::Pfc => filter.pfc().as_bytes(),
        Format::Sfb => {
            sfb = filter.to_compiled();
            &sfb
        }
    };
    let result = match &a.output {
        Some(path) => std::fs::write(path, bytes).map(|_| {
            eprintln!(
                "{}: {} instructions ({} bytes)",
                path.display(),
                filter.len(),
                bytes.len()
            );
        }),
        None => {
            if !matches!(a.format, Format::Pfc) && std::io::stdout().is_terminal() {
                eprintln!("sysfence: refusing to write binary BPF to a terminal (use -o FILE or --format pfc)");
                return ExitCode::from(1);
            }
            std::io::stdout().write_all(bytes)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sysfence: cannot write output: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn explain(a: &ExplainArgs) -> ExitCode {
    let result = (|| {
        let ctx = a.context.context(a.host_arch.as_deref())?;
        // With --preset, the one positional argument is the syscall.
        let (file, syscall, rest): (Option<&str>, &str, &[String]) = match (&a.preset, &a.policy) {
            (Some(_), Some(first)) => (
                None,
                first.as_str(),
                match &a.syscall {
                    Some(s) => std::slice::from_ref(s),
                    None => &[],
                },
            ),
            _ => (
                a.policy.as_deref(),
                a.syscall.as_deref().ok_or_else(|| {
                    Error::InvalidArgument("the SYSCALL to explain is missing".into())
                })?,
                &[],
            ),
        };
        // A container profile's rules are named by their paths in the profile.
        let (policy, origins) = match file {
            Some(f) => {
                let (p, import) = sysfence::oci::read_json_import(&read_policy_text(f)?, &ctx)?;
                let origins = import.map(|i| {
                    for d in &i.diagnostics {
                        eprintln!("warning: {}", located(d));
                    }
                    i.origins
                });
                (p, origins)
            }
            None => (policy_or_preset(None, a.preset.as_deref(), &ctx)?, None),
        };
        let arch = a
            .arch
            .as_deref()
            .map(str::parse::<Arch>)
            .transpose()
            .map_err(Error::InvalidArgument)?;
        let items: Vec<&str> = rest.iter().chain(&a.args).map(String::as_str).collect();
        // Names are looked up by the syscall's name, also when it is given by number.
        let name = match syscall.parse::<u32>() {
            Ok(nr) => syscalls::name_of(nr, arch.unwrap_or_else(Arch::native))
                .unwrap_or_else(|| syscall.to_string()),
            Err(_) => syscall.to_string(),
        };
        if let Some(arch) = arch.filter(|a| !constants::same_values_on(*a)) {
            if items
                .iter()
                .any(|i| constants::uses_names(i.split_once('=').map_or(*i, |p| p.1)))
            {
                return Err(Error::InvalidArgument(format!(
                    "names have the values of {} (this build of sysfence), which may differ on {arch}: write numbers",
                    Arch::native()
                )));
            }
        }
        let args = constants::parse_args(&name, &items).map_err(Error::InvalidArgument)?;
        let filter = policy.compile()?;
        let mut e = filter.explain(syscall, &args, arch)?;
        if let Some(o) = &origins {
            e.decided_by = sysfence::oci::profile_decider(&e.decided_by, o);
            e.multiplexed_decided_by = e
                .multiplexed_decided_by
                .map(|d| sysfence::oci::profile_decider(&d, o));
            // "rules[2].syscalls[0] (allow) did not match: ..." names the profile's rule too.
            for line in &mut e.arguments {
                *line = sysfence::oci::profile_decider(line, o);
            }
        }
        Ok(e)
    })();
    let e = match result {
        Ok(r) => r,
        Err(e) => return fail(&e, a.json),
    };
    let v = &e.verdict;
    if a.json {
        // The core's explanation, as every binding returns it.
        println!("{}", json!(e));
    } else {
        println!(
            "{} ({}, nr {}) -> {}   [{} BPF instructions; decided by {}]",
            e.syscall, v.arch, v.nr, v.action, v.instructions, e.decided_by
        );
        for a in &e.arguments {
            println!("  - {a}");
        }
        if let (Some(m), Some(by)) = (v.multiplexed, &e.multiplexed_decided_by) {
            if m.nr != v.nr {
                println!(
                    "  through {}(call {}) (nr {}) -> {}   [{} BPF instructions; decided by {by}]",
                    m.multiplexer, m.call, m.nr, m.action, m.instructions
                );
            }
        }
    }
    ExitCode::SUCCESS
}

pub fn presets(a: &ListArgs) -> ExitCode {
    if a.json {
        let list: Vec<_> = groups::PRESETS
            .iter()
            .map(|p| json!({ "name": p.name, "description": p.description, "policy": serde_json::from_str::<serde_json::Value>(p.json).unwrap_or_default() }))
            .collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        for p in groups::PRESETS {
            println!("{:<10} {}", p.name, p.description);
        }
    }
    ExitCode::SUCCESS
}

pub fn groups(a: &ListArgs) -> ExitCode {
    if a.json {
        let list: Vec<_> = groups::GROUPS
            .iter()
            .map(|g| json!({ "name": format!("@{}", g.name), "description": g.description, "members": g.members }))
            .collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        for g in groups::GROUPS {
            println!("@{:<10} {}", g.name, g.description);
            println!("            {}", g.members.join(" "));
        }
    }
    ExitCode::SUCCESS
}

pub fn status(a: &StatusArgs) -> ExitCode {
    let path = match a.pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_string(),
    };
    match sysfence::status_from_file(&path) {
        Ok(s) if a.json => {
            println!("{}", serde_json::to_string(&s).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(s) => {
            let filters = s.filters.map_or("unknown".to_string(), |n| n.to_string());
            println!(
                "seccomp: {}  filters: {filters}  no_new_privs: {}",
                s.mode, s.no_new_privs
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, a.json),
    }
}

pub fn version(a: &ListArgs) -> ExitCode {
    let lib = sysfence::libseccomp_version();
    if a.json {
        println!(
            "{}",
            json!({ "sysfence": sysfence::VERSION, "libseccomp": lib })
        );
    } else {
        println!("sysfence {} (libseccomp {lib})", sysfence::VERSION);
    }
    ExitCode::SUCCESS
}
