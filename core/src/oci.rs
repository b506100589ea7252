// SPDX-License-Identifier: MIT OR Apache-2.0
//! Container seccomp profiles in and out: Docker/Podman profiles, the OCI runtime-spec
//! `linux.seccomp` object and whole OCI `config.json` files.
//!
//! Import follows what Docker (`setupSeccomp`) and runc (libseccomp underneath) do with a
//! profile, for an explicit [`OciContext`] (capabilities, architecture, kernel):
//! - `archMap` / `includes` / `excludes` are resolved as Docker does: an entry is dropped when
//!   the architecture is in `excludes.arches`, ANY of `excludes.caps` is held, or the kernel is
//!   at least `excludes.minKernel`; and unless the architecture is in `includes.arches`, ALL of
//!   `includes.caps` are held and the kernel is at least `includes.minKernel`.
//! - `SCMP_ACT_KILL` is `kill_thread`; `errnoRet`/`defaultErrnoRet` default to EPERM (1).
//! - a rule whose action equals the default action is skipped (before anything else);
//! - a name libseccomp does not know is dropped (runc logs it at debug level);
//! - conditions on distinct arguments are ANDed; when an argument index repeats, every
//!   condition becomes a rule of its own (ORed), as runc does;
//! - `SCMP_CMP_MASKED_EQ`: `value` is the mask, `valueTwo` the datum, itself masked;
//! - rules for one syscall merge as in libseccomp: the first unconditional rule wins, an
//!   unconditional rule replaces earlier conditional ones, and identical conditions with two
//!   actions are an error.
//!
//! Everything that changes or drops part of the profile is reported as a warning with the
//! profile's JSON path; import never widens what the profile allows. Export writes a policy's
//! effective rules with explicit architectures, exact 64-bit integers and explicit errno values.

use crate::action::Action;
use crate::arch::Arch;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::error::{Error, Result};
use crate::policy::{ArgCondition, CmpOp, Policy, Rule};
use crate::syscalls::{self, Resolution};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Docker's default capability set (moby `oci/caps/defaults.go`), what `default` stands for.
pub const DOCKER_DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// Every Linux capability, in number order (0..=40).
pub const CAPABILITIES: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// What a container profile's conditionals are resolved for: the capabilities the container
/// holds (its bounding set), the architecture Docker runs on, and the kernel version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciContext {
    /// Capability names (`CAP_SYS_ADMIN`), sorted, each once.
    pub caps: Vec<String>,
    /// The architecture of the engine: picks the `archMap` entry and matches `includes.arches`.
    pub arch: Arch,
    /// The kernel version (major, minor), compared with `minKernel`.
    pub kernel: (u32, u32),
}

impl Default for OciContext {
    /// Docker's default capabilities, the native architecture, the running kernel.
    fn default() -> Self {
        OciContext {
            caps: parse_caps("default").expect("the default set is valid"),
            arch: Arch::native(),
            kernel: running_kernel(),
        }
    }
}

impl OciContext {
    /// The context given as JSON (what bindings pass): an object with optional `caps` (a list
    /// or a comma-separated string; `default` is Docker's default set, `all` every capability),
    /// `arch` (an architecture name) and `kernel` (`"6.1"`). Missing fields take the defaults;
    /// `null` is the default context.
    pub fn from_value(value: &Value) -> Result<OciContext> {
        let mut ctx = OciContext::default();
        let obj = match value {
            Value::Null => return Ok(ctx),
            Value::Object(o) => o,
            _ => {
                return Err(Error::InvalidArgument(
                    "the context is a JSON object with caps, arch and kernel".into(),
                ))
            }
        };
        for key in obj.keys() {
            if !["caps", "arch", "kernel"].contains(&key.as_str()) {
                return Err(Error::InvalidArgument(format!(
                    "unknown context field {key:?} (fields: caps, arch, kernel)"
                )));
            }
        }
        match obj.get("caps") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => ctx.caps = parse_caps(s)?,
            Some(Value::Array(items)) => {
                let mut names = Vec::new();
                for item in items {
                    names.push(item.as_str().ok_or_else(|| {
                        Error::InvalidArgument("caps: expected capability names".into())
                    })?);
                }
                ctx.caps = parse_caps(&names.join(","))?;
            }
            Some(_) => {
                return Err(Error::InvalidArgument(
                    "caps: expected a list or a comma-separated string".into(),
                ))
            }
        }
        match obj.get("arch") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => ctx.arch = s.parse().map_err(Error::InvalidArgument)?,
            Some(_) => return Err(Error::InvalidArgument("arch: expected a name".into())),
        }
        match obj.get("kernel") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => ctx.kernel = parse_kernel_arg(s)?,
            Some(_) => return Err(Error::InvalidArgument("kernel: expected \"X.Y\"".into())),
        }
        Ok(ctx)
    }
}

/// Parses a comma-separated capability list: `CAP_X` or `X` (any case), `default` (Docker's
/// default set) and `all`. An empty string is no capability.
pub fn parse_caps(text: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item {
            "default" => out.extend(DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string())),
            "all" => out.extend(CAPABILITIES.iter().map(|c| c.to_string())),
            _ => out.push(
                capability(item)
                    .ok_or_else(|| Error::InvalidArgument(unknown_cap_message(item)))?,
            ),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn capability(name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    CAPABILITIES.contains(&full.as_str()).then_some(full)
}

fn unknown_cap_message(name: &str) -> String {
    let mut msg = format!("unknown capability {name:?}");
    if let Some(s) = crate::suggest::nearest(name, CAPABILITIES.iter().copied()) {
        msg.push_str(&format!(" (did you mean {s:?}?)"));
    }
    msg
}

/// Parses `X.Y` (a `--kernel` argument or `minKernel`); patch level and suffix are ignored,
/// as Docker does.
fn parse_kernel(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.splitn(3, '.');
    let major = parts.next()?.parse().ok()?;
    let minor_text: String = parts
        .next()?
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    Some((major, minor_text.parse().ok()?))
}

/// Parses a `--kernel X.Y` argument.
pub fn parse_kernel_arg(text: &str) -> Result<(u32, u32)> {
    parse_kernel(text).ok_or_else(|| {
        Error::InvalidArgument(format!("kernel version {text:?} is not X.Y (e.g. 6.1)"))
    })
}

/// The running kernel's version, from `uname`.
pub fn running_kernel() -> (u32, u32) {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .and_then(|s| parse_kernel(s.trim()))
        .unwrap_or((0, 0))
}

/// The OCI/Docker name of an architecture (`SCMP_ARCH_X86_64`).
pub fn arch_token(arch: Arch) -> String {
    format!("SCMP_ARCH_{}", arch.name().to_ascii_uppercase())
}

fn arch_of_token(token: &str) -> Option<Arch> {
    let name = token.strip_prefix("SCMP_ARCH_")?.to_ascii_lowercase();
    Arch::all().find(|a| a.name() == name)
}

/// Docker's name for the engine's architecture (moby `goToNative`): what `includes.arches`
/// and `excludes.arches` list.
fn docker_arch(arch: Arch) -> &'static str {
    match arch.name() {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// Which of the three shapes a container profile has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OciFormat {
    /// A Docker/Podman profile (`archMap`, `includes`/`excludes`, `name`, `comment`).
    Docker,
    /// A bare OCI `linux.seccomp` object.
    Seccomp,
    /// A whole OCI `config.json`; its `linux.seccomp` is the profile.
    Config,
}

impl OciFormat {
    /// `docker`, `oci` or `config`.
    pub fn name(self) -> &'static str {
        match self {
            OciFormat::Docker => "docker",
            OciFormat::Seccomp => "oci",
            OciFormat::Config => "config",
        }
    }
}

/// The format of a JSON value, from its keys: `None` for a sysfence policy (or anything else).
pub fn detect(value: &Value) -> Option<OciFormat> {
    let obj = value.as_object()?;
    if obj.contains_key("default_action") {
        return None;
    }
    if obj.contains_key("ociVersion") || obj.contains_key("linux") {
        return Some(OciFormat::Config);
    }
    if !obj.contains_key("defaultAction") {
        return None;
    }
    let docker = obj.contains_key("archMap")
        || obj.contains_key("defaultErrno")
        || obj
            .get("syscalls")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|e| {
                    e.as_object().is_some_and(|e| {
                        ["includes", "excludes", "name", "comment", "errno"]
                            .iter()
                            .any(|k| e.contains_key(*k))
                    })
                })
            });
    Some(if docker {
        OciFormat::Docker
    } else {
        OciFormat::Seccomp
    })
}

/// A container profile turned into a sysfence policy.
#[derive(Debug, Clone)]
pub struct OciImport {
    /// The policy: what runc would load, as a sysfence policy.
    pub policy: Policy,
    /// What the import dropped, rewrote or could not carry over, each with the profile's path.
    pub diagnostics: Vec<Diagnostic>,
    /// The shape the input had.
    pub format: OciFormat,
    /// For each rule of `policy`, the profile path it came from (`syscalls[3]`).
    pub origins: Vec<String>,
}

/// OCI actions, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OciAction {
    Kill,
    KillThread,
    KillProcess,
    Trap,
    Errno,
    Trace,
    Allow,
    Log,
    Notify,
}

const OCI_ACTIONS: &[(&str, OciAction)] = &[
    ("SCMP_ACT_KILL", OciAction::Kill),
    ("SCMP_ACT_KILL_THREAD", OciAction::KillThread),
    ("SCMP_ACT_KILL_PROCESS", OciAction::KillProcess),
    ("SCMP_ACT_TRAP", OciAction::Trap),
    ("SCMP_ACT_ERRNO", OciAction::Errno),
    ("SCMP_ACT_TRACE", OciAction::Trace),
    ("SCMP_ACT_ALLOW", OciAction::Allow),
    ("SCMP_ACT_LOG", OciAction::Log),
    ("SCMP_ACT_NOTIFY", OciAction::Notify),
];

/// libseccomp's operator names and the policy's ([`CmpOp::name`]).
const OCI_OPS: &[(&str, &str)] = &[
    ("SCMP_CMP_NE", "ne"),
    ("SCMP_CMP_LT", "lt"),
    ("SCMP_CMP_LE", "le"),
    ("SCMP_CMP_EQ", "eq"),
    ("SCMP_CMP_GE", "ge"),
    ("SCMP_CMP_GT", "gt"),
    ("SCMP_CMP_MASKED_EQ", "masked_eq"),
];

const SECCOMP_FIELDS: &[&str] = &[
    "defaultAction",
    "defaultErrnoRet",
    "architectures",
    "archMap",
    "syscalls",
    "flags",
    "listenerPath",
    "listenerMetadata",
];
const ENTRY_FIELDS: &[&str] = &[
    "names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes",
];
const ARG_FIELDS: &[&str] = &["index", "value", "valueTwo", "op"];
const FILTER_FIELDS: &[&str] = &["caps", "arches", "minKernel"];

/// The problems found, in the profile's own paths.
struct Found {
    errors: Vec<Diagnostic>,
    notes: Vec<Diagnostic>,
    prefix: String,
}

impl Found {
    fn path(&self, rel: &str) -> String {
        match (self.prefix.is_empty(), rel.is_empty()) {
            (true, true) => "$".into(),
            (true, false) => rel.into(),
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}.{rel}", self.prefix),
        }
    }
    fn error(&mut self, kind: DiagnosticKind, rel: &str, msg: impl Into<String>) {
        let p = self.path(rel);
        self.errors.push(Diagnostic::error(kind, p, msg));
    }
    fn note(&mut self, kind: DiagnosticKind, rel: &str, msg: impl Into<String>) {
        let p = self.path(rel);
        self.notes.push(Diagnostic::warning(kind, p, msg));
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn unknown_keys(obj: &Map<String, Value>, known: &[&str], rel: &str, f: &mut Found) {
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            let mut msg = format!(
                "unknown field {key:?}: Docker and runc ignore it, and so does this import"
            );
            if let Some(s) = crate::suggest::nearest(key, known.iter().copied()) {
                msg.push_str(&format!(" (did you mean {s:?}?)"));
            }
            let path = if rel.is_empty() {
                key.clone()
            } else {
                format!("{rel}.{key}")
            };
            f.note(DiagnosticKind::ProfileConversion, &path, msg);
        }
    }
}

fn oci_action(v: Option<&Value>, rel: &str, f: &mut Found) -> Option<OciAction> {
    match v {
        None => {
            f.error(DiagnosticKind::MissingField, rel, "missing");
            None
        }
        Some(Value::String(s)) => {
            let found = OCI_ACTIONS.iter().find(|(n, _)| n == s).map(|(_, a)| *a);
            if found.is_none() {
                let names: Vec<&str> = OCI_ACTIONS.iter().map(|(n, _)| *n).collect();
                let mut msg = format!("unknown action {s:?}");
                match crate::suggest::nearest(s, names.iter().copied()) {
                    Some(n) => msg.push_str(&format!(" (did you mean {n:?}?)")),
                    None => msg.push_str(&format!(" (expected one of: {})", names.join(", "))),
                }
                f.error(DiagnosticKind::InvalidValue, rel, msg);
            }
            found
        }
        Some(other) => {
            f.error(
                DiagnosticKind::WrongType,
                rel,
                format!(
                    "expected an action such as \"SCMP_ACT_ERRNO\", found {}",
                    kind(other)
                ),
            );
            None
        }
    }
}

/// An unsigned integer no larger than `max`.
fn uint(v: &Value, max: u64, rel: &str, f: &mut Found) -> Option<u64> {
    match v.as_u64() {
        Some(n) if n <= max => Some(n),
        _ => {
            f.error(
                DiagnosticKind::OutOfRange,
                rel,
                format!("expected an integer in 0..={max}, found {v}"),
            );
            None
        }
    }
}

/// The sysfence action for an OCI action and its errno value (absent: EPERM, as runc).
fn to_action(a: OciAction, errno: Option<u64>, rel: &str, f: &mut Found) -> Option<Action> {
    let data = errno.unwrap_or(1);
    Some(match a {
        OciAction::Kill | OciAction::KillThread => Action::KillThread,
        OciAction::KillProcess => Action::KillProcess,
        OciAction::Trap => Action::Trap,
        OciAction::Allow => Action::Allow,
        OciAction::Log => Action::Log,
        OciAction::Notify => Action::Notify,
        OciAction::Errno => match format!("errno:{data}").parse::<Action>() {
            Ok(a) if data != 0 => a,
            Ok(_) | Err(_) => {
                let why = if data == 0 {
                    "errno 0 (the call returns 0 without running) cannot be expressed: sysfence refuses it".to_string()
                } else {
                    format!(
                        "errno {data} is out of range (1..={})",
                        crate::errno::MAX_ERRNO
                    )
                };
                f.error(DiagnosticKind::InvalidValue, rel, why);
                return None;
            }
        },
        OciAction::Trace => match u16::try_from(data) {
            Ok(d) => Action::Trace(d),
            Err(_) => {
                f.error(
                    DiagnosticKind::InvalidValue,
                    rel,
                    format!("trace value {data} is out of range (0..=65535)"),
                );
                return None;
            }
        },
    })
}

fn string_list<'a>(v: &'a Value, rel: &str, what: &str, f: &mut Found) -> Vec<(usize, &'a str)> {
    let Some(items) = v.as_array() else {
        f.error(
            DiagnosticKind::WrongType,
            rel,
            format!("expected a list of {what}, found {}", kind(v)),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(s) if !s.is_empty() => out.push((i, s)),
            Some(_) => f.error(
                DiagnosticKind::InvalidValue,
                &format!("{rel}[{i}]"),
                "an empty string is not a valid name",
            ),
            None => f.error(
                DiagnosticKind::WrongType,
                &format!("{rel}[{i}]"),
                format!("expected a string, found {}", kind(item)),
            ),
        }
    }
    out
}

/// An entry's `includes` or `excludes`.
#[derive(Default)]
struct Filter {
    caps: Vec<String>,
    arches: Vec<String>,
    min_kernel: Option<(u32, u32)>,
}

fn filter(v: &Value, rel: &str, f: &mut Found) -> Filter {
    let mut out = Filter::default();
    let Some(obj) = v.as_object() else {
        f.error(
            DiagnosticKind::WrongType,
            rel,
            format!(
                "expected an object with caps, arches, minKernel, found {}",
                kind(v)
            ),
        );
        return out;
    };
    unknown_keys(obj, FILTER_FIELDS, rel, f);
    if let Some(c) = obj.get("caps") {
        if !c.is_null() {
            for (i, name) in string_list(c, &format!("{rel}.caps"), "capability names", f) {
                match CAPABILITIES.contains(&name) {
                    true => out.caps.push(name.to_string()),
                    false => f.error(
                        DiagnosticKind::InvalidValue,
                        &format!("{rel}.caps[{i}]"),
                        unknown_cap_message(name),
                    ),
                }
            }
        }
    }
    if let Some(a) = obj.get("arches") {
        if !a.is_null() {
            out.arches = string_list(a, &format!("{rel}.arches"), "architecture names", f)
                .into_iter()
                .map(|(_, s)| s.to_string())
                .collect();
        }
    }
    match obj.get("minKernel") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.is_empty() => {}
        Some(Value::String(s)) => match parse_kernel(s) {
            Some((0, 0)) => f.error(
                DiagnosticKind::InvalidValue,
                &format!("{rel}.minKernel"),
                "0.0 is not a valid minimum kernel",
            ),
            Some(k) => out.min_kernel = Some(k),
            None => f.error(
                DiagnosticKind::InvalidValue,
                &format!("{rel}.minKernel"),
                format!("{s:?} is not a kernel version \"X.Y\""),
            ),
        },
        Some(other) => f.error(
            DiagnosticKind::WrongType,
            &format!("{rel}.minKernel"),
            format!("expected a string \"X.Y\", found {}", kind(other)),
        ),
    }
    out
}

/// One profile rule after validation, before names are resolved.
struct Entry {
    path: String,
    names: Vec<(String, String)>,
    action: Action,
    args: Vec<(String, ArgCondition)>,
    keep: bool,
}

/// Imports a container profile (any of the [`OciFormat`]s) for `ctx`. Fails with every problem
/// found, each with its path in the profile, and then nothing is imported.
pub fn import(value: &Value, ctx: &OciContext) -> Result<OciImport> {
    let format = detect(value).unwrap_or(OciFormat::Seccomp);
    let mut f = Found {
        errors: Vec::new(),
        notes: Vec::new(),
        prefix: String::new(),
    };
    let seccomp = if format == OciFormat::Config {
        match value.get("linux").and_then(|l| l.get("seccomp")) {
            Some(s) => {
                f.prefix = "linux.seccomp".into();
                s
            }
            None => {
                return Err(Error::policy(
                    DiagnosticKind::MissingField,
                    "linux.seccomp",
                    "missing: this OCI config.json has no seccomp profile",
                ))
            }
        }
    } else {
        value
    };
    let Some(obj) = seccomp.as_object() else {
        return Err(Error::policy(
            DiagnosticKind::WrongType,
            f.path(""),
            format!(
                "a seccomp profile is a JSON object, found {}",
                kind(seccomp)
            ),
        ));
    };
    unknown_keys(obj, SECCOMP_FIELDS, "", &mut f);

    // The default action.
    let default_errno = obj
        .get("defaultErrnoRet")
        .and_then(|v| uint(v, u64::from(u32::MAX), "defaultErrnoRet", &mut f));
    let default_oci = oci_action(obj.get("defaultAction"), "defaultAction", &mut f);
    if default_oci == Some(OciAction::Notify) {
        f.error(
            DiagnosticKind::InvalidValue,
            "defaultAction",
            "SCMP_ACT_NOTIFY cannot be the default action (runc refuses it)",
        );
    }
    if default_errno.is_some()
        && default_oci.is_some_and(|a| !matches!(a, OciAction::Errno | OciAction::Trace))
    {
        f.note(
            DiagnosticKind::ProfileConversion,
            "defaultErrnoRet",
            "ignored: the default action takes no errno",
        );
    }
    let default_action = default_oci.and_then(|a| {
        let errno = matches!(a, OciAction::Errno | OciAction::Trace)
            .then_some(default_errno)
            .flatten();
        let path = if default_errno.is_some() {
            "defaultErrnoRet"
        } else {
            "defaultAction"
        };
        to_action(a, errno, path, &mut f)
    });

    // Architectures.
    let mut arches: Vec<Arch> = Vec::new();
    match (obj.get("architectures"), obj.get("archMap")) {
        (Some(a), Some(m)) if !a.is_null() && !m.is_null() => f.error(
            DiagnosticKind::InvalidValue,
            "archMap",
            "architectures and archMap are both given (Docker refuses this)",
        ),
        (Some(a), _) if !a.is_null() => {
            for (i, t) in string_list(a, "architectures", "SCMP_ARCH_* names", &mut f) {
                match arch_of_token(t) {
                    Some(arch) if !arches.contains(&arch) => arches.push(arch),
                    Some(_) => {}
                    None => f.error(
                        DiagnosticKind::UnknownArchitecture,
                        &format!("architectures[{i}]"),
                        format!("unknown architecture {t:?}"),
                    ),
                }
            }
        }
        (_, Some(m)) if !m.is_null() => arch_map(m, ctx, &mut arches, &mut f),
        _ => {}
    }

    // Flags and listener.
    let mut log_denied = false;
    if let Some(flags) = obj.get("flags").filter(|v| !v.is_null()) {
        for (i, flag) in string_list(flags, "flags", "flag names", &mut f) {
            let rel = format!("flags[{i}]");
            match flag {
                "SECCOMP_FILTER_FLAG_LOG" => log_denied = true,
                "SECCOMP_FILTER_FLAG_TSYNC" => {}
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" | "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => f
                    .note(
                        DiagnosticKind::ProfileConversion,
                        &rel,
                        format!(
                        "lossy: sysfence policies have no {flag} (the filter is loaded without it)"
                    ),
                    ),
                _ => f.error(
                    DiagnosticKind::InvalidValue,
                    &rel,
                    format!("unknown flag {flag:?}"),
                ),
            }
        }
    }
    for key in ["listenerPath", "listenerMetadata"] {
        if obj.get(key).is_some_and(|v| !v.is_null()) {
            f.note(DiagnosticKind::ProfileConversion,
                key,
                "lossy: sysfence has no seccomp listener field; notify actions go to whoever loads the filter",
            );
        }
    }

    // The rules.
    let mut entries: Vec<Entry> = Vec::new();
    match obj.get("syscalls") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (k, item) in items.iter().enumerate() {
                if let Some(e) = entry(item, &format!("syscalls[{k}]"), ctx, &mut f) {
                    entries.push(e);
                }
            }
        }
        Some(other) => f.error(
            DiagnosticKind::WrongType,
            "syscalls",
            format!("expected a list of rules, found {}", kind(other)),
        ),
    }
    if !f.errors.is_empty() {
        return Err(Error::Policy(f.errors));
    }
    let default_action = default_action.expect("no errors");
    let policy_arches = if arches.is_empty() {
        vec![ctx.arch]
    } else {
        arches.clone()
    };
    let rules = merge(entries, default_action, &policy_arches, &mut f)?;
    let (rules, origins) = refuse_multiplexers(rules, default_action, &policy_arches, &mut f);

    let policy = Policy {
        default_action,
        rules,
        mode: crate::Mode::Enforce,
        log_denied,
        // The native architecture alone is written as no list, as sysfence prints it.
        architectures: if policy_arches == [Arch::native()] {
            Vec::new()
        } else {
            policy_arches
        },
        bad_arch_action: Action::KillThread,
        extends: Vec::new(),
        enosys_unknown: false,
        validated: Default::default(),
    };
    // core's own validation decides what a policy may hold; its paths are mapped back.
    let policy = Policy::from_value(&policy.to_value()).map_err(|e| match e {
        Error::Policy(diags) => Error::Policy(
            diags
                .into_iter()
                .map(|mut d| {
                    d.path = map_path(&d.path, &origins, &f);
                    d
                })
                .collect(),
        ),
        other => other,
    })?;
    Ok(OciImport {
        policy,
        diagnostics: f.notes,
        format,
        origins,
    })
}

/// `rules[3].args[0]` of the imported policy -> the profile's path for that rule.
fn map_path(path: &str, origins: &[String], f: &Found) -> String {
    let Some(rest) = path.strip_prefix("rules[") else {
        return f.path("");
    };
    let Some((n, tail)) = rest.split_once(']') else {
        return path.to_string();
    };
    match n.parse::<usize>().ok().and_then(|i| origins.get(i)) {
        Some(o) if tail.starts_with(".args") => format!("{o}.args"),
        Some(o) => o.clone(),
        None => path.to_string(),
    }
}

fn arch_map(m: &Value, ctx: &OciContext, arches: &mut Vec<Arch>, f: &mut Found) {
    let Some(items) = m.as_array() else {
        f.error(
            DiagnosticKind::WrongType,
            "archMap",
            format!("expected a list, found {}", kind(m)),
        );
        return;
    };
    let want = arch_token(ctx.arch);
    let mut found = false;
    for (i, item) in items.iter().enumerate() {
        let rel = format!("archMap[{i}]");
        let Some(o) = item.as_object() else {
            f.error(
                DiagnosticKind::WrongType,
                &rel,
                format!("expected an object, found {}", kind(item)),
            );
            continue;
        };
        let main = o.get("architecture").and_then(Value::as_str);
        let Some(main) = main else {
            f.error(
                DiagnosticKind::MissingField,
                &format!("{rel}.architecture"),
                "missing or not a string",
            );
            continue;
        };
        let mut list = vec![(format!("{rel}.architecture"), main)];
        if let Some(subs) = o.get("subArchitectures").filter(|v| !v.is_null()) {
            for (j, s) in string_list(
                subs,
                &format!("{rel}.subArchitectures"),
                "SCMP_ARCH_* names",
                f,
            ) {
                list.push((format!("{rel}.subArchitectures[{j}]"), s));
            }
        }
        let mut resolved = Vec::new();
        for (p, t) in &list {
            match arch_of_token(t) {
                Some(a) => resolved.push(a),
                None => f.error(
                    DiagnosticKind::UnknownArchitecture,
                    p,
                    format!("unknown architecture {t:?}"),
                ),
            }
        }
        // The first entry for the engine's architecture wins.
        if !found && main == want {
            found = true;
            for a in resolved {
                if !arches.contains(&a) {
                    arches.push(a);
                }
            }
        }
    }
    if !found {
        f.note(DiagnosticKind::ProfileConversion,
            "archMap",
            format!("no entry for {want}: the profile covers the native architecture only, as in Docker"),
        );
    }
}

fn entry(v: &Value, rel: &str, ctx: &OciContext, f: &mut Found) -> Option<Entry> {
    let Some(obj) = v.as_object() else {
        f.error(
            DiagnosticKind::WrongType,
            rel,
            format!(
                "a rule is an object with names and action, found {}",
                kind(v)
            ),
        );
        return None;
    };
    let before = f.errors.len();
    unknown_keys(obj, ENTRY_FIELDS, rel, f);
    if let Some(c) = obj.get("comment") {
        if !c.is_string() && !c.is_null() {
            f.error(
                DiagnosticKind::WrongType,
                &format!("{rel}.comment"),
                format!("expected a string, found {}", kind(c)),
            );
        }
    }
    let mut names: Vec<(String, String)> = Vec::new();
    // Docker reads a null or empty `name` as none.
    let name = obj
        .get("name")
        .filter(|v| !v.is_null() && v.as_str() != Some(""));
    match (name, obj.get("names")) {
        (Some(_), Some(_)) => f.error(
            DiagnosticKind::InvalidValue,
            &format!("{rel}.name"),
            "name and names are both given (Docker refuses this)",
        ),
        (Some(Value::String(s)), None) if !s.is_empty() => {
            names.push((format!("{rel}.name"), s.clone()))
        }
        (Some(other), None) => f.error(
            DiagnosticKind::WrongType,
            &format!("{rel}.name"),
            format!("expected a non-empty string, found {other}"),
        ),
        (None, Some(list)) => {
            for (i, n) in string_list(list, &format!("{rel}.names"), "syscall names", f) {
                names.push((format!("{rel}.names[{i}]"), n.to_string()));
            }
            if list.as_array().is_some_and(|l| l.is_empty()) {
                f.error(
                    DiagnosticKind::InvalidValue,
                    &format!("{rel}.names"),
                    "empty list: name at least one syscall",
                );
            }
        }
        (None, None) => f.error(
            DiagnosticKind::MissingField,
            &format!("{rel}.names"),
            "missing",
        ),
    }
    let oci = oci_action(obj.get("action"), &format!("{rel}.action"), f);
    let errno = obj
        .get("errnoRet")
        .filter(|v| !v.is_null())
        .and_then(|v| uint(v, u64::from(u32::MAX), &format!("{rel}.errnoRet"), f));
    if errno.is_some() && oci.is_some_and(|a| !matches!(a, OciAction::Errno | OciAction::Trace)) {
        f.note(DiagnosticKind::ProfileConversion,
            &format!("{rel}.errnoRet"),
            "ignored: this action takes no errno (runc ignores it; crun and the runtime-spec refuse it)",
        );
    }
    let action = oci.and_then(|a| {
        let e = matches!(a, OciAction::Errno | OciAction::Trace)
            .then_some(errno)
            .flatten();
        let p = if e.is_some() {
            format!("{rel}.errnoRet")
        } else {
            format!("{rel}.action")
        };
        to_action(a, e, &p, f)
    });
    let mut args: Vec<(String, ArgCondition)> = Vec::new();
    match obj.get("args") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, a) in items.iter().enumerate() {
                if let Some(c) = arg(a, &format!("{rel}.args[{i}]"), f) {
                    args.push((format!("{rel}.args[{i}]"), c));
                }
            }
        }
        Some(other) => f.error(
            DiagnosticKind::WrongType,
            &format!("{rel}.args"),
            format!("expected a list of conditions, found {}", kind(other)),
        ),
    }
    let includes = obj
        .get("includes")
        .filter(|v| !v.is_null())
        .map(|v| filter(v, &format!("{rel}.includes"), f))
        .unwrap_or_default();
    let excludes = obj
        .get("excludes")
        .filter(|v| !v.is_null())
        .map(|v| filter(v, &format!("{rel}.excludes"), f))
        .unwrap_or_default();
    if f.errors.len() > before {
        return None;
    }
    // Docker's setupSeccomp.
    let arch = docker_arch(ctx.arch);
    let has = |c: &String| ctx.caps.contains(c);
    let excluded = excludes.arches.iter().any(|a| a == arch)
        || excludes.caps.iter().any(has)
        || excludes.min_kernel.is_some_and(|k| ctx.kernel >= k);
    let included = (includes.arches.is_empty() || includes.arches.iter().any(|a| a == arch))
        && includes.caps.iter().all(has)
        && includes.min_kernel.is_none_or(|k| ctx.kernel >= k);
    Some(Entry {
        path: rel.to_string(),
        names,
        action: action?,
        args,
        keep: included && !excluded,
    })
}

fn arg(v: &Value, rel: &str, f: &mut Found) -> Option<ArgCondition> {
    let Some(obj) = v.as_object() else {
        f.error(
            DiagnosticKind::WrongType,
            rel,
            format!(
                "a condition is an object with index, value and op, found {}",
                kind(v)
            ),
        );
        return None;
    };
    let before = f.errors.len();
    unknown_keys(obj, ARG_FIELDS, rel, f);
    let index = match obj.get("index") {
        Some(v) => uint(v, 5, &format!("{rel}.index"), f),
        None => {
            f.error(
                DiagnosticKind::MissingField,
                &format!("{rel}.index"),
                "missing",
            );
            None
        }
    };
    let value = match obj.get("value") {
        Some(v) => uint(v, u64::MAX, &format!("{rel}.value"), f),
        None => {
            f.error(
                DiagnosticKind::MissingField,
                &format!("{rel}.value"),
                "missing",
            );
            None
        }
    };
    let value_two = match obj.get("valueTwo") {
        None | Some(Value::Null) => Some(0),
        Some(v) => uint(v, u64::MAX, &format!("{rel}.valueTwo"), f),
    };
    let op = match obj.get("op") {
        Some(Value::String(s)) => {
            let op = OCI_OPS.iter().find(|(n, _)| n == s).map(|(_, o)| *o);
            if op.is_none() {
                let names: Vec<&str> = OCI_OPS.iter().map(|(n, _)| *n).collect();
                f.error(
                    DiagnosticKind::UnknownOperator,
                    &format!("{rel}.op"),
                    format!(
                        "unknown operator {s:?} (expected one of: {})",
                        names.join(", ")
                    ),
                );
            }
            op
        }
        Some(other) => {
            f.error(
                DiagnosticKind::WrongType,
                &format!("{rel}.op"),
                format!("expected an operator name, found {}", kind(other)),
            );
            None
        }
        None => {
            f.error(
                DiagnosticKind::MissingField,
                &format!("{rel}.op"),
                "missing",
            );
            None
        }
    };
    if f.errors.len() > before {
        return None;
    }
    let (index, value, value_two, op) = (index? as u8, value?, value_two?, op?);
    Some(if op == "masked_eq" {
        // value is the mask, valueTwo the datum, and libseccomp masks the datum.
        if value == 0 {
            f.note(
                DiagnosticKind::ProfileConversion,
                rel,
                "mask 0: the condition always holds",
            );
        }
        if value_two & !value != 0 {
            f.note(DiagnosticKind::ProfileConversion,
                &format!("{rel}.valueTwo"),
                format!(
                    "rewritten: valueTwo {value_two:#x} has bits outside the mask {value:#x}; libseccomp compares {:#x} (mask first, datum second: check the operands are not swapped)",
                    value_two & value
                ),
            );
        }
        ArgCondition {
            index,
            op: CmpOp::MaskedEq(value),
            value: value_two & value,
        }
    } else {
        if value_two != 0 {
            f.note(
                DiagnosticKind::ProfileConversion,
                &format!("{rel}.valueTwo"),
                "ignored: only SCMP_CMP_MASKED_EQ reads valueTwo",
            );
        }
        ArgCondition {
            index,
            op: CmpOp::from_name(op, 0).expect("OCI_OPS names policy operators"),
            value,
        }
    })
}

/// One rule per (syscall, conditions) after runc's and libseccomp's rules, grouped back into
/// policy rules (one per profile entry and condition set), with the profile path of each.
fn merge(
    entries: Vec<Entry>,
    default: Action,
    arches: &[Arch],
    f: &mut Found,
) -> Result<Vec<(String, Rule)>> {
    // Per syscall: its unconditional rule, or its conditional ones (path, args, action).
    #[derive(Default)]
    struct State {
        unconditional: Option<(String, Action)>,
        conditional: Vec<(String, Vec<ArgCondition>, Action)>,
    }
    let mut order: Vec<String> = Vec::new();
    let mut states: HashMap<String, State> = HashMap::new();
    for e in entries.into_iter().filter(|e| e.keep) {
        if e.action == default {
            f.note(
                DiagnosticKind::ProfileConversion,
                &e.path,
                format!("skipped: the action is the default action ({default}), as runc skips it"),
            );
            continue;
        }
        // Conditions: ANDed, or each its own rule when an index repeats (runc).
        let mut indices: Vec<u8> = e.args.iter().map(|(_, c)| c.index).collect();
        indices.sort_unstable();
        let repeats = indices.windows(2).any(|w| w[0] == w[1]);
        let terms: Vec<(String, Vec<ArgCondition>)> = if repeats {
            f.note(DiagnosticKind::ProfileConversion,
                &format!("{}.args", e.path),
                "rewritten: an argument index repeats, so runc ORs every condition (one rule each), not AND",
            );
            e.args.iter().map(|(p, c)| (p.clone(), vec![*c])).collect()
        } else {
            let mut conds: Vec<ArgCondition> = e.args.iter().map(|(_, c)| *c).collect();
            conds.sort_by_key(|c| c.index);
            vec![(e.path.clone(), conds)]
        };
        for (path, name) in &e.names {
            let res: Vec<Resolution> = arches.iter().map(|a| syscalls::resolve(name, *a)).collect();
            if !res.iter().any(|r| r.exists()) {
                let why = if res.iter().all(|r| *r == Resolution::Unknown) {
                    format!(
                        "dropped: libseccomp {} does not know {name:?} (runc drops it too)",
                        crate::libseccomp_version()
                    )
                } else {
                    let names: Vec<&str> = arches.iter().map(|a| a.name()).collect();
                    format!("dropped: {name:?} is not a syscall on {}", names.join(", "))
                };
                f.note(DiagnosticKind::ProfileConversion, path, why);
                continue;
            }
            let st = states.entry(name.clone()).or_insert_with(|| {
                order.push(name.clone());
                State::default()
            });
            for (tpath, args) in &terms {
                let rule_path = if repeats {
                    tpath.clone()
                } else {
                    e.path.clone()
                };
                if let Some((won, _)) = &st.unconditional {
                    f.note(DiagnosticKind::ProfileConversion, path, format!("dropped: {won} already decides {name} without conditions (libseccomp keeps the first)"));
                    break;
                }
                if args.is_empty() {
                    for (p, _, _) in st.conditional.drain(..) {
                        f.note(DiagnosticKind::ProfileConversion, &p, format!("dropped for {name}: the unconditional rule at {} replaces it (libseccomp)", f.path(&e.path)));
                    }
                    st.unconditional = Some((f.path(&e.path), e.action));
                    continue;
                }
                match st.conditional.iter().find(|(_, a, _)| a == args) {
                    Some((p, _, act)) if *act != e.action => {
                        f.error(DiagnosticKind::Conflict, path, format!("{name}: the same conditions as {} with another action ({act} there, {} here); libseccomp and runc refuse this", f.path(p), e.action));
                    }
                    Some(_) => {}
                    None => st.conditional.push((rule_path, args.clone(), e.action)),
                }
            }
        }
    }
    if !f.errors.is_empty() {
        return Err(Error::Policy(std::mem::take(&mut f.errors)));
    }
    // Group back: one rule per (path, conditions, action), names in order.
    let mut out: Vec<(String, Rule)> = Vec::new();
    let mut index: HashMap<(String, Vec<ArgCondition>, Action), usize> = HashMap::new();
    let mut add = |path: String, args: Vec<ArgCondition>, action: Action, name: &str| {
        let key = (path.clone(), args.clone(), action);
        match index.get(&key) {
            Some(&i) => out[i].1.syscalls.push(name.to_string()),
            None => {
                index.insert(key, out.len());
                out.push((
                    path,
                    Rule {
                        action,
                        syscalls: vec![name.to_string()],
                        args,
                    },
                ));
            }
        }
    };
    let mut all: Vec<(usize, String, Vec<ArgCondition>, Action, String)> = Vec::new();
    for name in &order {
        let st = &states[name];
        if let Some((p, a)) = &st.unconditional {
            all.push((entry_number(p), p.clone(), Vec::new(), *a, name.clone()));
        }
        for (p, args, a) in &st.conditional {
            all.push((entry_number(p), f.path(p), args.clone(), *a, name.clone()));
        }
    }
    // Profile order (stable: names keep their order within an entry).
    all.sort_by_key(|t| t.0);
    for (_, p, args, a, name) in all {
        add(p, args, a, &name);
    }
    Ok(out)
}

/// The entry number in a path such as `linux.seccomp.syscalls[12].args[0]`.
fn entry_number(path: &str) -> usize {
    path.rsplit_once("syscalls[")
        .and_then(|(_, rest)| rest.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// sysfence refuses argument conditions on a socket/IPC call that a listed ABI multiplexes
/// through `socketcall`/`ipc` unless the multiplexer itself is refused (see docs/policy.md).
/// runc lets the multiplexer decide (Docker's profile allows `socketcall`, so on i386 the
/// `socket` conditions do not hold, moby 7158007). The import narrows instead: it refuses the
/// multiplexer with ENOSYS (EPERM when that is the default) and says so.
fn refuse_multiplexers(
    rules: Vec<(String, Rule)>,
    default: Action,
    arches: &[Arch],
    f: &mut Found,
) -> (Vec<Rule>, Vec<String>) {
    let mut needed: Vec<(&'static str, String, String)> = Vec::new();
    for (path, r) in rules.iter().filter(|(_, r)| !r.args.is_empty()) {
        for name in &r.syscalls {
            for a in arches {
                if let Resolution::Multiplexed(m) = syscalls::resolve(name, *a) {
                    if !needed.iter().any(|(n, _, _)| *n == m.multiplexer) {
                        needed.push((
                            m.multiplexer,
                            format!("{name} ({path})"),
                            a.name().to_string(),
                        ));
                    }
                }
            }
        }
    }
    let refusal = if default == Action::Errno(libc::ENOSYS as u16) {
        Action::Errno(libc::EPERM as u16)
    } else {
        Action::Errno(libc::ENOSYS as u16)
    };
    let mut out = rules;
    for (m, by, arch) in needed {
        let refused = out.iter().any(|(_, r)| {
            r.args.is_empty() && !r.action.lets_through() && r.syscalls.iter().any(|n| n == m)
        });
        if refused {
            continue;
        }
        for (path, r) in out.iter_mut() {
            if r.syscalls.iter().any(|n| n == m) {
                r.syscalls.retain(|n| n != m);
                f.notes.push(Diagnostic::warning(
                    DiagnosticKind::ProfileConversion,
                    path.clone(),
                    format!(
                        "narrowed: {m} is refused instead (see the warning at {})",
                        f.path("")
                    ),
                ));
            }
        }
        out.retain(|(_, r)| !r.syscalls.is_empty());
        f.notes.push(Diagnostic::warning(
            DiagnosticKind::ProfileConversion,
            f.path(""),
            format!(
                "narrowed: {m}(2) -> {refusal} on {arch}: the conditions of {by} cannot be checked through {m}, where the arguments are in memory; runc lets {m} decide (for Docker's profile, AF_ALG sockets are reachable through socketcall on i386); sysfence refuses {m} instead, so direct calls are still checked"
            ),
        ));
        out.push((
            format!("the import's refusal of {m} (see the narrowed warning)"),
            Rule {
                action: refusal,
                syscalls: vec![m.to_string()],
                args: Vec::new(),
            },
        ));
    }
    out.into_iter().map(|(p, r)| (r, p)).unzip()
}

/// What [`export`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An OCI runtime-spec `linux.seccomp` object (runc, crun, containerd, Kubernetes).
    Oci,
    /// A Docker/Podman profile (`docker run --security-opt seccomp=FILE`).
    Docker,
    /// sysfence's own policy format.
    Sysfence,
}

impl std::str::FromStr for Target {
    type Err = Error;
    fn from_str(s: &str) -> Result<Target> {
        match s {
            "oci" => Ok(Target::Oci),
            "docker" | "podman" => Ok(Target::Docker),
            "sysfence" => Ok(Target::Sysfence),
            _ => Err(Error::InvalidArgument(format!(
                "unknown target {s:?} (expected oci, docker or sysfence)"
            ))),
        }
    }
}

/// An exported profile and what the target could not express.
#[derive(Debug, Clone)]
pub struct OciExport {
    /// The profile.
    pub value: Value,
    /// Warnings, with the policy's paths.
    pub diagnostics: Vec<Diagnostic>,
}

fn action_out(a: Action) -> (&'static str, Option<u16>) {
    match a {
        Action::Allow => ("SCMP_ACT_ALLOW", None),
        Action::Log => ("SCMP_ACT_LOG", None),
        Action::KillProcess => ("SCMP_ACT_KILL_PROCESS", None),
        Action::KillThread => ("SCMP_ACT_KILL_THREAD", None),
        Action::Trap => ("SCMP_ACT_TRAP", None),
        Action::Errno(e) => ("SCMP_ACT_ERRNO", Some(e)),
        Action::Trace(m) => ("SCMP_ACT_TRACE", Some(m)),
        Action::Notify => ("SCMP_ACT_NOTIFY", None),
    }
}

fn op_out(op: CmpOp) -> &'static str {
    OCI_OPS
        .iter()
        .find(|(_, o)| *o == op.name())
        .map(|(n, _)| *n)
        .expect("every op has a name")
}

/// Writes `policy`'s effective rules (presets, groups and `mode` applied) as a container
/// profile. Fails when the policy's own rules cannot be resolved.
pub fn export(policy: &Policy, target: Target) -> Result<OciExport> {
    if target == Target::Sysfence {
        return Ok(OciExport {
            value: flattened(policy)?.to_value(),
            diagnostics: Vec::new(),
        });
    }
    let mut notes = Vec::new();
    let default = policy.effective_default();
    if default == Action::Notify {
        return Err(Error::policy(
            DiagnosticKind::InvalidValue,
            "default_action",
            "notify cannot be a container profile's default action (runc refuses it)",
        ));
    }
    let (dname, derrno) = action_out(default);
    let mut out = Map::new();
    out.insert("defaultAction".into(), json!(dname));
    if let Some(e) = derrno {
        out.insert("defaultErrnoRet".into(), json!(e));
    }
    out.insert(
        "architectures".into(),
        json!(policy
            .target_arches()
            .into_iter()
            .map(arch_token)
            .collect::<Vec<_>>()),
    );
    if policy.log_denied {
        out.insert("flags".into(), json!(["SECCOMP_FILTER_FLAG_LOG"]));
        notes.push(Diagnostic::warning(
            DiagnosticKind::ProfileConversion,
            "log_denied",
            "written as flags [SECCOMP_FILTER_FLAG_LOG]: an explicit flags list also drops runc's default SPEC_ALLOW, and runc 1.1 refuses any flags (set log_denied: false for it)",
        ));
    }
    if policy.bad_arch_action != Action::KillThread {
        notes.push(Diagnostic::warning(
            DiagnosticKind::ProfileConversion,
            "bad_arch_action",
            format!(
                "lossy: container runtimes always kill the thread for other architectures, not {}",
                policy.bad_arch_action
            ),
        ));
    }
    if policy.enosys_unknown {
        notes.push(Diagnostic::warning(
            DiagnosticKind::ProfileConversion,
            "unknown_syscalls",
            "lossy: container profiles have no such field; runc adds its own ENOSYS stub (above the highest number the profile names), crun none",
        ));
    }
    let rules = policy.try_effective_rules()?;
    // (action, conditions, names, origins)
    type Group = (Action, Vec<ArgCondition>, Vec<String>, Vec<String>);
    let mut groups: Vec<Group> = Vec::new();
    for r in rules.iter().filter(|r| r.action != default) {
        if r.action == Action::Notify {
            notes.push(Diagnostic::warning(
                DiagnosticKind::ProfileConversion,
                r.origin.clone(),
                "notify: the runtime needs linux.seccomp.listenerPath (add it to the profile)",
            ));
        }
        match groups.iter_mut().find(|g| g.0 == r.action && g.1 == r.args) {
            Some(g) => {
                if !g.2.contains(&r.syscall) {
                    g.2.push(r.syscall.clone());
                }
                if !g.3.contains(&r.origin) {
                    g.3.push(r.origin.clone());
                }
            }
            None => groups.push((
                r.action,
                r.args.clone(),
                vec![r.syscall.clone()],
                vec![r.origin.clone()],
            )),
        }
    }
    let syscalls: Vec<Value> = groups
        .into_iter()
        .map(|(action, args, names, origins)| {
            let (a, errno) = action_out(action);
            let mut e = Map::new();
            e.insert("names".into(), json!(names));
            e.insert("action".into(), json!(a));
            if let Some(n) = errno {
                e.insert("errnoRet".into(), json!(n));
            }
            if !args.is_empty() {
                let list: Vec<Value> = args
                    .iter()
                    .map(|c| {
                        let (value, two) = match c.op {
                            CmpOp::MaskedEq(mask) => (mask, c.value),
                            _ => (c.value, 0),
                        };
                        json!({ "index": c.index, "value": value, "valueTwo": two, "op": op_out(c.op) })
                    })
                    .collect();
                e.insert("args".into(), Value::Array(list));
            }
            if target == Target::Docker {
                let rules: Vec<&str> = origins.iter().map(|o| crate::policy::rule_path(o)).collect();
                let mut uniq: Vec<&str> = Vec::new();
                for r in rules {
                    if !uniq.contains(&r) {
                        uniq.push(r);
                    }
                }
                e.insert("comment".into(), json!(format!("sysfence {}", uniq.join(", "))));
            }
            Value::Object(e)
        })
        .collect();
    out.insert("syscalls".into(), Value::Array(syscalls));
    Ok(OciExport {
        value: Value::Object(out),
        diagnostics: notes,
    })
}

/// The policy with presets, groups and mode folded into plain rules, one per effective rule.
fn flattened(policy: &Policy) -> Result<Policy> {
    let default = policy.effective_default();
    // One rule per (action, conditions), names in the order they first appear.
    let mut rules: Vec<Rule> = Vec::new();
    for r in policy
        .try_effective_rules()?
        .into_iter()
        .filter(|r| r.action != default)
    {
        match rules
            .iter_mut()
            .find(|o| o.action == r.action && o.args == r.args)
        {
            Some(o) if o.syscalls.contains(&r.syscall) => {}
            Some(o) => o.syscalls.push(r.syscall),
            None => rules.push(Rule {
                action: r.action,
                syscalls: vec![r.syscall],
                args: r.args,
            }),
        }
    }
    Ok(Policy {
        default_action: default,
        rules,
        mode: crate::Mode::Enforce,
        architectures: policy.target_arches(),
        extends: Vec::new(),
        validated: Default::default(),
        ..policy.clone()
    })
}

/// Reads any accepted input (a sysfence policy or a container profile) as a policy, with the
/// import's warnings (none for a sysfence policy).
pub fn read(value: &Value, ctx: &OciContext) -> Result<(Policy, Vec<Diagnostic>)> {
    match detect(value) {
        Some(_) => import(value, ctx).map(|i| (i.policy, i.diagnostics)),
        None => crate::policy::parse_sysfence(value).map(|p| (p, Vec::new())),
    }
}

/// What [`explain`](crate::Filter::explain) says decided a call (`rules[3].syscalls[0]
/// (allow)`, `default_action`), in the terms of the profile the policy was imported from:
/// `syscalls[17] (allow)`, `defaultAction`. `origins` is [`OciImport::origins`].
pub fn profile_decider(decided_by: &str, origins: &[String]) -> String {
    if let Some(rest) = decided_by.strip_prefix("default_action") {
        return format!("defaultAction{rest}");
    }
    let Some(rest) = decided_by.strip_prefix("rules[") else {
        return decided_by.to_string();
    };
    let Some((n, tail)) = rest.split_once(']') else {
        return decided_by.to_string();
    };
    let tail = match tail.strip_prefix(".syscalls[") {
        Some(t) => t.split_once(']').map_or(tail, |(_, after)| after),
        None => tail,
    };
    match n.parse::<usize>().ok().and_then(|i| origins.get(i)) {
        Some(o) => format!("{o}{tail}"),
        None => decided_by.to_string(),
    }
}

/// [`read`] for JSON text (duplicate keys and a byte order mark are errors, as for policies).
pub fn read_json(text: &str, ctx: &OciContext) -> Result<(Policy, Vec<Diagnostic>)> {
    read(&crate::policy::json::parse(text)?, ctx)
}

/// [`read_json`], with the import itself for a container profile (`None` for a sysfence
/// policy), whose [`OciImport::origins`] map the policy's rules back to the profile.
pub fn read_json_import(text: &str, ctx: &OciContext) -> Result<(Policy, Option<OciImport>)> {
    let value = crate::policy::json::parse(text)?;
    match detect(&value) {
        Some(_) => import(&value, ctx).map(|i| (i.policy.clone(), Some(i))),
        None => crate::policy::parse_sysfence(&value).map(|p| (p, None)),
    }
}

/// What `check` finds in JSON text, a sysfence policy or a container profile imported for
/// `ctx`: the import's warnings, then the policy's errors and lint warnings.
pub fn check_json(text: &str, ctx: &OciContext) -> Vec<Diagnostic> {
    let value = match crate::policy::json::parse(text) {
        Ok(v) => v,
        Err(e) => return e.diagnostics().to_vec(),
    };
    check_value(&value, ctx)
}

/// [`check_json`] for a JSON value. For a container profile, lint warnings name the profile's
/// paths, and names that exist on only some of the profile's architectures (the usual case in a
/// multi-architecture profile) are not reported.
pub fn check_value(value: &Value, ctx: &OciContext) -> Vec<Diagnostic> {
    let imported = match detect(value) {
        None => None,
        Some(_) => match import(value, ctx) {
            Ok(i) => Some(i),
            Err(e) => return e.diagnostics().to_vec(),
        },
    };
    let read = match imported {
        Some(i) => {
            let prefix = if i.format == OciFormat::Config {
                "linux.seccomp."
            } else {
                ""
            };
            let lint: Vec<Diagnostic> = i
                .policy
                .lint()
                .into_iter()
                .filter(|d| !d.message.contains("the rule does nothing there"))
                .map(|mut d| {
                    d.path = match d.path.as_str() {
                        "log_denied" => {
                            d.message = "no SECCOMP_FILTER_FLAG_LOG: errno and trap denials leave no audit record, so violations cannot be watched".into();
                            format!("{prefix}flags")
                        }
                        p if p.starts_with("rules[") => {
                            let f = Found { errors: Vec::new(), notes: Vec::new(), prefix: prefix.trim_end_matches('.').to_string() };
                            map_path(p, &i.origins, &f)
                        }
                        p => p.to_string(),
                    };
                    d
                })
                .collect();
            Ok((i.policy, i.diagnostics, lint))
        }
        None => crate::policy::parse_sysfence(value).map(|p| {
            let lint = p.lint();
            (p, Vec::new(), lint)
        }),
    };
    match read {
        Err(e) => e.diagnostics().to_vec(),
        Ok((p, mut notes, lint)) => {
            notes.extend(lint);
            if let Err(e) = p.compile() {
                notes.insert(
                    0,
                    Diagnostic::error(DiagnosticKind::CompileFailed, "$", e.to_string()),
                );
            }
            notes
        }
    }
}

/// Converts JSON text (a sysfence policy or a container profile) to `to` (`oci`, `docker`,
/// `sysfence`), with the context as JSON text (`""` or `null` for the default, see
/// [`OciContext::from_value`]). Returns the pretty-printed result and every warning.
pub fn convert_json(input: &str, to: &str, context: &str) -> Result<(String, Vec<Diagnostic>)> {
    let target: Target = to.parse()?;
    let ctx = if context.trim().is_empty() {
        OciContext::default()
    } else {
        let v: Value = serde_json::from_str(context)
            .map_err(|e| Error::InvalidArgument(format!("context: {e}")))?;
        OciContext::from_value(&v)?
    };
    let value = crate::policy::json::parse(input)?;
    let (policy, mut notes) = read(&value, &ctx)?;
    let out = export(&policy, target)?;
    notes.extend(out.diagnostics);
    let mut text = serde_json::to_string_pretty(&out.value).expect("a JSON value serialises");
    text.push('\n');
    Ok((text, notes))
}

impl Policy {
    /// Imports a container profile (Docker/Podman, OCI `linux.seccomp`, or a whole OCI
    /// `config.json`) for `ctx`; see [`import`] for the warnings.
    pub fn from_oci(value: &Value, ctx: &OciContext) -> Result<Policy> {
        import(value, ctx).map(|i| i.policy)
    }

    /// This policy as an OCI `linux.seccomp` object (see [`export`]).
    pub fn to_oci(&self) -> Result<Value> {
        export(self, Target::Oci).map(|e| e.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(caps: &str, kernel: (u32, u32)) -> OciContext {
        OciContext {
            caps: parse_caps(caps).unwrap(),
            arch: Arch::X86_64,
            kernel,
        }
    }

    fn fixture() -> Value {
        serde_json::from_str(crate::groups::DOCKER_DEFAULT_JSON).unwrap()
    }

    fn rules_of(p: &Policy) -> Vec<(String, Action, Vec<ArgCondition>)> {
        let mut v: Vec<_> = p
            .effective_rules()
            .into_iter()
            .map(|r| (r.syscall, r.action, r.args))
            .collect();
        v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        v
    }

    fn paths(e: &Error) -> Vec<String> {
        e.diagnostics().iter().map(|d| d.path.clone()).collect()
    }

    fn one(profile: Value) -> OciImport {
        import(&profile, &ctx("default", (6, 0))).unwrap()
    }

    #[test]
    fn moby_default_resolves_as_docker_does_on_amd64() {
        let i = import(&fixture(), &ctx("default", (6, 0))).unwrap();
        assert_eq!(i.format, OciFormat::Docker);
        let p = &i.policy;
        assert_eq!(p.default_action, Action::Errno(1));
        assert_eq!(p.bad_arch_action, Action::KillThread);
        assert!(!p.log_denied);
        assert_eq!(p.architectures, vec![Arch::X86_64, Arch::X86, Arch::X32]);
        let act = |n: &str| p.unconditional_action(n);
        assert_eq!(act("read"), Some(Action::Allow));
        assert_eq!(act("ptrace"), Some(Action::Allow)); // minKernel 4.8
        assert_eq!(act("arch_prctl"), Some(Action::Allow)); // includes amd64
        assert_eq!(act("clone3"), Some(Action::Errno(38)));
        assert_eq!(act("mount"), Some(Action::Errno(1))); // CAP_SYS_ADMIN only
        assert_eq!(act("chroot"), Some(Action::Allow)); // CAP_SYS_CHROOT is a default cap
        assert_eq!(act("socketcall"), Some(Action::Errno(38))); // narrowed, reported
        assert!(i
            .diagnostics
            .iter()
            .any(|d| d.message.starts_with("narrowed: socketcall")));
        let clone: Vec<_> = p
            .effective_rules()
            .into_iter()
            .filter(|r| r.syscall == "clone")
            .collect();
        assert_eq!(clone.len(), 1);
        assert_eq!(
            clone[0].args,
            vec![ArgCondition {
                index: 0,
                op: CmpOp::MaskedEq(0x7E02_0000),
                value: 0
            }]
        );
        let socket: Vec<_> = p
            .effective_rules()
            .into_iter()
            .filter(|r| r.syscall == "socket")
            .map(|r| r.args[0])
            .collect();
        assert_eq!(
            socket.iter().map(|c| (c.op, c.value)).collect::<Vec<_>>(),
            vec![(CmpOp::Lt, 38), (CmpOp::Eq, 39), (CmpOp::Gt, 40)]
        );
        // The filter decides as runc's would (personality: five allowed values, 64-bit compare).
        let f = p.compile().unwrap();
        let sim = |n: &str, a0: u64| f.simulate(n, &[a0], Some(Arch::X86_64)).unwrap().action;
        assert_eq!(sim("personality", 0xffff_ffff), Action::Allow);
        assert_eq!(sim("personality", 1), Action::Errno(1));
        assert_eq!(sim("personality", 0x1_0000_0000), Action::Errno(1));
        assert_eq!(sim("socket", 38), Action::Errno(1));
        assert_eq!(sim("socket", 41), Action::Allow);
        assert_eq!(
            sim("clone", 0x1000_0000 /* CLONE_NEWUSER */),
            Action::Errno(1)
        );
    }

    #[test]
    fn capabilities_and_kernel_pick_entries() {
        let admin = import(&fixture(), &ctx("default,CAP_SYS_ADMIN", (6, 0)))
            .unwrap()
            .policy;
        assert_eq!(admin.unconditional_action("clone"), Some(Action::Allow));
        assert_eq!(admin.unconditional_action("clone3"), Some(Action::Allow));
        assert_eq!(admin.unconditional_action("mount"), Some(Action::Allow));
        let none = import(&fixture(), &ctx("", (4, 4))).unwrap().policy;
        assert_eq!(none.unconditional_action("ptrace"), Some(Action::Errno(1)));
        assert_eq!(none.unconditional_action("chroot"), Some(Action::Errno(1)));
        let arm = OciContext {
            arch: "aarch64".parse().unwrap(),
            ..ctx("default", (6, 0))
        };
        let p = import(&fixture(), &arm).unwrap().policy;
        assert_eq!(
            p.architectures,
            vec!["aarch64".parse().unwrap(), "arm".parse().unwrap()]
        );
        assert!(parse_caps("CAP_NOPE").is_err());
        assert_eq!(
            parse_caps("sys_admin,CAP_SYS_ADMIN").unwrap(),
            vec!["CAP_SYS_ADMIN"]
        );
        assert_eq!(parse_caps("default").unwrap().len(), 14);
    }

    #[test]
    fn every_action_and_operator_imports() {
        let rows = [
            (json!({"action": "SCMP_ACT_KILL"}), Action::KillThread),
            (
                json!({"action": "SCMP_ACT_KILL_THREAD"}),
                Action::KillThread,
            ),
            (
                json!({"action": "SCMP_ACT_KILL_PROCESS"}),
                Action::KillProcess,
            ),
            (json!({"action": "SCMP_ACT_TRAP"}), Action::Trap),
            (json!({"action": "SCMP_ACT_ERRNO"}), Action::Errno(1)),
            (
                json!({"action": "SCMP_ACT_ERRNO", "errnoRet": 13}),
                Action::Errno(13),
            ),
            (json!({"action": "SCMP_ACT_TRACE"}), Action::Trace(1)),
            (
                json!({"action": "SCMP_ACT_TRACE", "errnoRet": 7}),
                Action::Trace(7),
            ),
            (json!({"action": "SCMP_ACT_LOG"}), Action::Log),
            (json!({"action": "SCMP_ACT_NOTIFY"}), Action::Notify),
        ];
        for (mut rule, want) in rows {
            rule["names"] = json!(["dup"]);
            let p = one(json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule]})).policy;
            assert_eq!(p.unconditional_action("dup"), Some(want), "{rule}");
            let back = export(&p, Target::Oci).unwrap().value;
            assert_eq!(
                back["syscalls"][0]["action"],
                rule["action"]
                    .as_str()
                    .unwrap()
                    .replace("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD")
                    .replace("_THREAD_THREAD", "_THREAD")
                    .replace("_THREAD_PROCESS", "_PROCESS")
            );
            if matches!(want, Action::Errno(_) | Action::Trace(_)) {
                assert!(
                    back["syscalls"][0]["errnoRet"].is_u64(),
                    "explicit errnoRet"
                );
            }
            assert_eq!(rules_of(&one(back).policy), rules_of(&p));
        }
        let ops = [
            ("SCMP_CMP_NE", CmpOp::Ne),
            ("SCMP_CMP_LT", CmpOp::Lt),
            ("SCMP_CMP_LE", CmpOp::Le),
            ("SCMP_CMP_EQ", CmpOp::Eq),
            ("SCMP_CMP_GE", CmpOp::Ge),
            ("SCMP_CMP_GT", CmpOp::Gt),
        ];
        for (name, op) in ops {
            let p = one(json!({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [{"names": ["dup"], "action": "SCMP_ACT_ERRNO",
                              "args": [{"index": 1, "value": 18446744073709551615u64, "op": name}]}]})).policy;
            let r = &p.effective_rules()[0];
            assert_eq!(
                r.args,
                vec![ArgCondition {
                    index: 1,
                    op,
                    value: u64::MAX,
                }]
            );
            let back = export(&p, Target::Oci).unwrap().value;
            let a = &back["syscalls"][0]["args"][0];
            assert_eq!(
                (a["op"].as_str(), a["value"].as_u64(), a["index"].as_u64()),
                (Some(name), Some(u64::MAX), Some(1))
            );
            assert!(
                back.to_string().contains("18446744073709551615"),
                "exact 64-bit integer"
            );
        }
    }

    #[test]
    fn masked_eq_takes_the_mask_first_and_masks_the_datum() {
        let i = one(
            json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"],
            "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
            "args": [{"index": 0, "value": 255, "valueTwo": 511, "op": "SCMP_CMP_MASKED_EQ"}]}]}),
        );
        let r = &i.policy.effective_rules()[0];
        assert_eq!(
            r.args[0],
            ArgCondition {
                index: 0,
                op: CmpOp::MaskedEq(0xff),
                value: 0xff
            }
        );
        assert!(i.diagnostics.iter().any(
            |d| d.path == "syscalls[0].args[0].valueTwo" && d.message.starts_with("rewritten")
        ));
        let back = export(&i.policy, Target::Oci).unwrap().value;
        assert_eq!(
            back["syscalls"][0]["args"][0],
            json!({"index": 0, "value": 255, "valueTwo": 255, "op": "SCMP_CMP_MASKED_EQ"})
        );
    }

    #[test]
    fn a_repeated_index_splits_into_ored_rules() {
        let i = one(
            json!({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [
                {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 16, "op": "SCMP_CMP_EQ"},
                {"index": 1, "value": 2, "op": "SCMP_CMP_EQ"}]}]}),
        );
        assert!(i
            .diagnostics
            .iter()
            .any(|d| d.path == "syscalls[0].args" && d.message.starts_with("rewritten")));
        let f = i.policy.compile().unwrap();
        // AF_UNIX, SOCK_DGRAM: refused by the arg1 rule alone (runc issue 2735).
        assert_eq!(
            f.simulate("socket", &[1, 2, 0], Some(Arch::X86_64))
                .unwrap()
                .action,
            Action::Errno(13)
        );
        assert_eq!(
            f.simulate("socket", &[1, 1, 0], Some(Arch::X86_64))
                .unwrap()
                .action,
            Action::Allow
        );
        // Distinct indices are ANDed.
        let and = one(
            json!({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["ftruncate"], "action": "SCMP_ACT_ERRNO", "args": [
                {"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 7, "op": "SCMP_CMP_EQ"}]}]}),
        );
        assert_eq!(and.policy.effective_rules()[0].args.len(), 2);
    }

    #[test]
    fn rules_merge_in_libseccomps_order() {
        let p = one(
            json!({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
            {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
            {"names": ["dup3"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["dup3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
            {"names": ["getppid"], "action": "SCMP_ACT_ERRNO"},
            {"names": ["getppid"], "action": "SCMP_ACT_ALLOW"}]}),
        );
        assert_eq!(p.policy.unconditional_action("getpid"), Some(Action::Allow));
        assert_eq!(
            p.policy.unconditional_action("dup3"),
            Some(Action::Errno(13))
        );
        assert_eq!(
            p.policy.unconditional_action("getppid"),
            Some(Action::Allow)
        );
        assert!(p
            .diagnostics
            .iter()
            .any(|d| d.path == "syscalls[4]" && d.message.starts_with("skipped")));
        assert!(p
            .diagnostics
            .iter()
            .any(|d| d.path == "syscalls[1].names[0]" && d.message.starts_with("dropped")));
        let clash = import(&json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["dup"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
            {"names": ["dup"], "action": "SCMP_ACT_KILL", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}),
            &OciContext::default()).unwrap_err();
        assert_eq!(paths(&clash), vec!["syscalls[1].names[0]"]);
    }

    #[test]
    fn unknown_names_are_dropped_with_a_warning_and_lossy_fields_reported() {
        let i = one(
            json!({"defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/x.sock",
            "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"], "architecture": ["x"],
            "syscalls": [{"names": ["read", "no_such_call"], "action": "SCMP_ACT_ALLOW"}]}),
        );
        assert!(i.policy.log_denied);
        let at = |p: &str| i.diagnostics.iter().any(|d| d.path == p);
        assert!(at("syscalls[0].names[1]"));
        assert!(at("listenerPath"));
        assert!(at("flags[1]"));
        assert!(at("architecture"));
        assert_eq!(i.policy.unconditional_action("read"), Some(Action::Allow));
    }

    #[test]
    fn bad_profiles_fail_with_their_paths_and_nothing_is_imported() {
        let cases = [
            (json!({"defaultAction": "SCMP_ACT_NOPE"}), "defaultAction"),
            (json!({"defaultAction": 3}), "defaultAction"),
            (
                json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}),
                "syscalls[0].names",
            ),
            (
                json!({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_FLY"]}}]}),
                "syscalls[0].includes.caps[0]",
            ),
            (
                json!({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 5000}),
                "defaultErrnoRet",
            ),
            (
                json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"], "action": "SCMP_ACT_ERRNO", "errnoRet": -1}]}),
                "syscalls[0].errnoRet",
            ),
            (
                json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0}]}),
                "syscalls[0].errnoRet",
            ),
            (
                json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}),
                "syscalls[0].args[0].index",
            ),
            (
                json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}]}),
                "syscalls[0].args[0].op",
            ),
            (
                json!({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_VAX"]}),
                "architectures[0]",
            ),
            (
                json!({"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_NOPE"}}}),
                "linux.seccomp.defaultAction",
            ),
            (json!({"ociVersion": "1.0.2", "linux": {}}), "linux.seccomp"),
        ];
        for (profile, path) in cases {
            let e = import(&profile, &OciContext::default()).unwrap_err();
            assert_eq!(e.code(), "policy", "{profile}");
            assert_eq!(paths(&e)[0], path, "{profile}: {e}");
            assert!(Policy::from_value(&profile).is_err());
        }
    }

    #[test]
    fn config_json_and_bare_objects_are_detected_everywhere_a_policy_is_read() {
        let seccomp = json!({"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["dup"], "action": "SCMP_ACT_ERRNO"}]});
        assert_eq!(detect(&seccomp), Some(OciFormat::Seccomp));
        let config = json!({"ociVersion": "1.2.0", "process": {}, "linux": {"seccomp": seccomp}});
        assert_eq!(detect(&config), Some(OciFormat::Config));
        assert_eq!(detect(&json!({"default_action": "allow"})), None);
        let p = Policy::from_json(&config.to_string()).unwrap();
        assert_eq!(p.unconditional_action("dup"), Some(Action::Errno(1)));
        assert_eq!(p, Policy::from_value(&seccomp).unwrap());
    }

    #[test]
    fn export_reports_what_runtimes_cannot_express_and_flattens_presets() {
        let p = Policy::from_json(
            r#"{"default_action": "allow", "extends": ["no-exec"], "mode": "log",
            "rules": [{"action": "errno:EACCES", "syscalls": ["@mount"]}]}"#,
        )
        .unwrap();
        let e = export(&p, Target::Oci).unwrap();
        assert!(e.diagnostics.iter().any(|d| d.path == "bad_arch_action"));
        assert!(e.diagnostics.iter().any(|d| d.path == "log_denied"));
        assert_eq!(e.value["flags"], json!(["SECCOMP_FILTER_FLAG_LOG"]));
        assert_eq!(
            e.value["architectures"],
            json!([arch_token(Arch::native())])
        );
        // mode log: every refusal becomes SCMP_ACT_LOG; presets are in.
        let names: Vec<String> = e.value["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .inspect(|s| assert_eq!(s["action"], "SCMP_ACT_LOG"))
            .flat_map(|s| {
                s["names"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap().to_string())
            })
            .collect();
        assert!(names.contains(&"execve".to_string()) && names.contains(&"mount".to_string()));
        let d = export(&p, Target::Docker).unwrap().value;
        assert!(d["syscalls"][0]["comment"]
            .as_str()
            .unwrap()
            .starts_with("sysfence "));
        let s = export(&p, Target::Sysfence).unwrap().value;
        assert_eq!(s["extends"], json!([]));
        assert_eq!(rules_of(&Policy::from_value(&s).unwrap()), rules_of(&p));
    }

    #[test]
    fn the_fixture_round_trips() {
        for caps in ["default", "default,CAP_SYS_ADMIN", ""] {
            let c = ctx(caps, (6, 0));
            let first = import(&fixture(), &c).unwrap().policy;
            let out = export(&first, Target::Oci).unwrap().value;
            let second = import(&out, &c).unwrap();
            assert_eq!(rules_of(&second.policy), rules_of(&first), "caps {caps}");
            assert_eq!(second.policy.default_action, first.default_action);
            assert_eq!(second.policy.architectures, first.architectures);
            // And through sysfence's own format.
            let s = export(&first, Target::Sysfence).unwrap().value;
            assert_eq!(rules_of(&Policy::from_value(&s).unwrap()), rules_of(&first));
        }
    }

    #[test]
    fn the_docker_default_preset_is_the_fixture_for_default_caps() {
        let p = Policy::preset("docker-default").unwrap();
        assert_eq!(p.unconditional_action("clone3"), Some(Action::Errno(38)));
        let ext = Policy::from_json(
            r#"{"default_action": "errno", "extends": ["docker-default"],
            "rules": [{"action": "errno:EACCES", "syscalls": ["chroot"]}]}"#,
        )
        .unwrap();
        assert_eq!(ext.unconditional_action("chroot"), Some(Action::Errno(13)));
        assert_eq!(ext.unconditional_action("read"), Some(Action::Allow));
    }

    #[test]
    fn the_deprecated_name_field_is_read_and_name_with_names_refused() {
        let p = one(json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"name": "dup", "action": "SCMP_ACT_ERRNO"},
            {"name": "", "names": ["dup2"], "action": "SCMP_ACT_ERRNO"}]}))
        .policy;
        assert_eq!(p.unconditional_action("dup"), Some(Action::Errno(1)));
        assert_eq!(p.unconditional_action("dup2"), Some(Action::Errno(1)));
        let e = import(
            &json!({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                {"name": "dup", "names": ["dup2"], "action": "SCMP_ACT_ERRNO"}]}),
            &OciContext::default(),
        )
        .unwrap_err();
        assert_eq!(paths(&e), vec!["syscalls[0].name"]);
    }

    #[test]
    fn explain_deciders_are_named_in_the_profiles_terms() {
        let i = import(&fixture(), &ctx("default", (6, 0))).unwrap();
        let rule = i
            .policy
            .rules
            .iter()
            .position(|r| r.syscalls.contains(&"clone3".to_string()))
            .unwrap();
        assert_eq!(
            profile_decider(
                &format!("rules[{rule}].syscalls[0] (errno:ENOSYS)"),
                &i.origins
            ),
            "syscalls[20] (errno:ENOSYS)"
        );
        assert_eq!(
            profile_decider("default_action", &i.origins),
            "defaultAction"
        );
        assert_eq!(
            profile_decider("bad_arch_action (x)", &i.origins),
            "bad_arch_action (x)"
        );
    }

    #[test]
    fn convert_json_takes_a_context() {
        let (text, _) = convert_json(
            crate::groups::DOCKER_DEFAULT_JSON,
            "oci",
            r#"{"caps": ["default", "CAP_SYS_ADMIN"], "arch": "x86_64", "kernel": "6.1"}"#,
        )
        .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["syscalls"].as_array().unwrap().iter().any(|s| s["names"]
            .as_array()
            .unwrap()
            .contains(&json!("clone3"))
            && s["action"] == "SCMP_ACT_ALLOW"));
        assert!(convert_json("{}", "yaml", "").is_err());
        assert_eq!(
            convert_json(
                crate::groups::DOCKER_DEFAULT_JSON,
                "oci",
                r#"{"caps": "CAP_FLY"}"#
            )
            .unwrap_err()
            .code(),
            "invalid_argument"
        );
    }
}
