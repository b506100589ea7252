// SPDX-License-Identifier: MIT OR Apache-2.0
//! A compiled filter: the BPF that is exported, simulated and loaded, byte for byte.

use crate::action::Action;
use crate::arch::Arch;
use crate::arch::X32_SYSCALL_BIT;
use crate::bpf::{self, SeccompData, SockFilter};
use crate::compile::CompileOptions;
use crate::compiled::{self, Provenance};
use crate::constants;
use crate::error::{Error, LoadFailure, Result};
use crate::load::{self, FLAG_LOG, FLAG_NEW_LISTENER, FLAG_TSYNC};
use crate::policy::{Mode, Policy};
use crate::syscalls::{self, Resolution};
use serde::Serialize;
use std::sync::OnceLock;

/// A compiled seccomp filter.
#[derive(Debug, Clone)]
pub struct Filter {
    program: Vec<SockFilter>,
    /// The policy and options it was compiled from: the PFC text is made from them on demand.
    /// None for a filter made from precompiled bytes.
    source: Option<Box<(Policy, CompileOptions)>>,
    pfc: OnceLock<String>,
    architectures: Vec<Arch>,
    mode: Mode,
    log_denied: bool,
    flags: u32,
    provenance: Option<Box<Provenance>>,
}

/// What the filter does with one syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The action the filter returns.
    #[serde(serialize_with = "display")]
    pub action: Action,
    /// How many BPF instructions ran to reach it.
    pub instructions: usize,
    /// The architecture evaluated.
    #[serde(serialize_with = "display")]
    pub arch: Arch,
    /// The syscall number on that architecture.
    pub nr: u32,
    /// For a socket or SysV IPC call that `arch` multiplexes (i386 `socketcall`, `ipc`): the
    /// verdict of the multiplexed form. The fields above are then the direct syscall's verdict,
    /// or the multiplexed form's again when the ABI has no direct syscall for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiplexed: Option<MultiplexedVerdict>,
}

/// What the filter does with the multiplexed form of a call (`socketcall(SYS_SOCKET, ...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MultiplexedVerdict {
    /// `socketcall` or `ipc`.
    pub multiplexer: &'static str,
    /// The multiplexer's syscall number.
    pub nr: u32,
    /// The sub-call number, its first argument.
    pub call: u32,
    /// The action the filter returns for it.
    #[serde(serialize_with = "display")]
    pub action: Action,
    /// How many BPF instructions ran to reach it.
    pub instructions: usize,
}

/// A verdict and what in the policy gave it, for `sysfence explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The syscall as the filter saw it (the sub-call for `socketcall`/`ipc`).
    pub syscall: String,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// What decided it: a rule's path and action, `default_action`, `bad_arch_action` (and
    /// why), or the supervisor of `sysfence run`.
    pub decided_by: String,
    /// For a multiplexed call: what decided its multiplexed form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiplexed_decided_by: Option<String>,
    /// Which arguments decided: the deciding rule's conditions, each with the call's value
    /// (`domain (arg 0) eq AF_INET6 (0xa)`); or, when no conditional rule matched, the first
    /// condition of each such rule that the call failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
}

fn display<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl Filter {
    pub(crate) fn new(program: Vec<SockFilter>, policy: Policy, options: CompileOptions) -> Self {
        let log_denied = policy.log_denied;
        Filter {
            program,
            architectures: policy.target_arches(),
            mode: policy.mode,
            log_denied,
            flags: FLAG_TSYNC | if log_denied { FLAG_LOG } else { 0 },
            source: Some(Box::new((policy, options))),
            pfc: OnceLock::new(),
            provenance: None,
        }
    }

    /// A filter from the bytes `sysfence compile --format sfb` (or [`Filter::to_compiled`])
    /// wrote: decoded and checked (magic, format version, checksum, architectures, the BPF
    /// checks the kernel makes), with no libseccomp work. A truncated, corrupt or foreign
    /// input, or a program whose architectures do not include the running one, is an
    /// [`Error::InvalidArgument`] naming what is wrong. The filter loads with the flags it was
    /// compiled with; [`Filter::simulate`] runs its bytes, but without the policy,
    /// [`Filter::explain`] cannot name rules and [`Filter::pfc`] has no text.
    pub fn from_compiled(bytes: &[u8]) -> Result<Filter> {
        let d = compiled::decode(bytes)?;
        Ok(Filter {
            program: d.program,
            source: None,
            pfc: OnceLock::new(),
            architectures: d.architectures,
            mode: d.mode,
            log_denied: d.log_denied,
            flags: d.flags,
            provenance: Some(Box::new(d.provenance)),
        })
    }

    /// A filter from raw `struct sock_filter` bytes (native endian) made by another tool,
    /// for `architectures` (which must include the running one) and loaded with the
    /// `seccomp()` `flags` given (`SECCOMP_FILTER_FLAG_TSYNC` 1, `LOG` 2, `SPEC_ALLOW` 4). The
    /// program is checked as the kernel would (length, opcodes, loads, jumps in range, a
    /// return last) so a malformed one is refused here.
    pub fn from_raw_bpf(bytes: &[u8], architectures: &[Arch], flags: u32) -> Result<Filter> {
        let program = compiled::decode_raw(bytes, architectures, flags)?;
        Ok(Filter {
            program,
            source: None,
            pfc: OnceLock::new(),
            architectures: architectures.to_vec(),
            mode: Mode::Enforce,
            log_denied: flags & FLAG_LOG != 0,
            flags,
            provenance: Some(Box::new(Provenance {
                format_version: 0,
                policy_digest: String::new(),
                sysfence_version: String::new(),
                libseccomp_version: String::new(),
            })),
        })
    }

    /// The self-describing precompiled form (`sfb`, see [`crate::compiled`]) that
    /// [`Filter::from_compiled`] reads.
    pub fn to_compiled(&self) -> Vec<u8> {
        let (policy_json, libseccomp) = match (&self.source, &self.provenance) {
            (Some(s), _) => (s.0.to_json(), crate::libseccomp_version()),
            (None, Some(p)) if !p.libseccomp_version.is_empty() => {
                (String::new(), p.libseccomp_version.clone())
            }
            _ => (String::new(), String::new()),
        };
        let mut out = compiled::encode(
            &self.program,
            &self.architectures,
            self.mode,
            self.log_denied,
            self.flags,
            &policy_json,
            &libseccomp,
        );
        // A filter read from a container keeps the digest it came with.
        if let (None, Some(p)) = (&self.source, &self.provenance) {
            if let Some(d) = decode_hex(&p.policy_digest) {
                out[16..48].copy_from_slice(&d);
                let n = out.len() - 32;
                let sum = crate::sha256::digest(&out[..n]);
                out[n..].copy_from_slice(&sum);
            }
        }
        out
    }

    /// For a filter made from bytes: the container's version, policy digest and the versions
    /// that compiled it. None for a filter compiled in this process.
    pub fn provenance(&self) -> Option<&Provenance> {
        self.provenance.as_deref()
    }

    /// SHA-256 (hex) of the canonical JSON of the policy the filter was compiled from; empty
    /// for raw BPF.
    pub fn policy_digest(&self) -> String {
        match (&self.source, &self.provenance) {
            (Some(s), _) => crate::sha256::hex(&crate::sha256::digest(s.0.to_json().as_bytes())),
            (None, Some(p)) => p.policy_digest.clone(),
            (None, None) => String::new(),
        }
    }

    /// The BPF program as the kernel receives it: `struct sock_filter` records, native endian.
    pub fn bpf(&self) -> &[u8] {
        // SAFETY: SockFilter is repr(C), 8 bytes with no padding; any byte view of it is valid.
        unsafe {
            std::slice::from_raw_parts(self.program.as_ptr().cast::<u8>(), self.program.len() * 8)
        }
    }

    /// libseccomp's pseudo-filter-code: the filter as readable text. Made on first use, by
    /// libseccomp, from the same policy and options as the BPF.
    pub fn pfc(&self) -> &str {
        self.pfc.get_or_init(|| match &self.source {
            Some(source) => {
                let (policy, options) = &**source;
                crate::compile::pfc(policy, *options)
                    .unwrap_or_else(|e| format!("# libseccomp could not export PFC: {e}\n"))
            }
            None => "# no PFC: this filter was loaded from precompiled BPF, without its policy\n"
                .to_string(),
        })
    }

    /// The number of BPF instructions.
    pub fn len(&self) -> usize {
        self.program.len()
    }

    /// True for a filter with no instructions (never produced by `compile`).
    pub fn is_empty(&self) -> bool {
        self.program.is_empty()
    }

    /// The architectures the filter covers.
    pub fn architectures(&self) -> &[Arch] {
        &self.architectures
    }

    /// The policy's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether the kernel logs every action other than allow.
    pub fn log_denied(&self) -> bool {
        self.log_denied
    }

    /// The `seccomp()` flags [`Filter::load`] passes: TSYNC, and LOG when `log_denied` (for a
    /// precompiled filter, the flags it carries).
    pub fn load_flags(&self) -> u32 {
        self.flags
    }

    /// The flags for loading this filter with a user-notification listener
    /// (`SECCOMP_FILTER_FLAG_NEW_LISTENER`): [`Filter::load_flags`] without TSYNC, which the
    /// kernel refuses beside a listener, so the filter covers the calling thread only (load it
    /// in a single-threaded process, as before an `exec`).
    pub fn listener_flags(&self) -> u32 {
        (self.flags & !FLAG_TSYNC) | FLAG_NEW_LISTENER
    }

    /// Evaluates the filter's own bytes for `syscall` (a name, or a number as text) with `args`
    /// on `arch` (native when `None`), as the kernel would. For a call that `arch` multiplexes
    /// (i386 `socket`), both forms are evaluated (see [`Verdict::multiplexed`]).
    pub fn simulate(&self, syscall: &str, args: &[u64], arch: Option<Arch>) -> Result<Verdict> {
        let arch = arch.unwrap_or_else(Arch::native);
        if args.len() > 6 {
            return Err(Error::InvalidArgument(format!(
                "{} arguments; a syscall has at most 6",
                args.len()
            )));
        }
        let mut full = [0u64; 6];
        full[..args.len()].copy_from_slice(args);
        let resolution = match syscall.parse::<u32>() {
            Ok(n) => Resolution::Number(n),
            Err(_) => syscalls::resolve(syscall, arch),
        };
        match resolution {
            Resolution::Number(nr) => self.evaluate(arch, nr, full),
            Resolution::Multiplexed(m) => {
                // The multiplexed form's own arguments: the sub-call and a pointer.
                let mux =
                    self.evaluate(arch, m.multiplexer_nr, [u64::from(m.call), 0, 0, 0, 0, 0])?;
                let mut verdict = match syscalls::direct_number(syscall, arch) {
                    Some(nr) => self.evaluate(arch, nr, full)?,
                    None => mux,
                };
                verdict.multiplexed = Some(MultiplexedVerdict {
                    multiplexer: m.multiplexer,
                    nr: m.multiplexer_nr,
                    call: m.call,
                    action: mux.action,
                    instructions: mux.instructions,
                });
                Ok(verdict)
            }
            Resolution::NotOnArch => Err(Error::InvalidArgument(format!(
                "{syscall:?} is not a syscall on {arch}"
            ))),
            Resolution::Unknown => {
                let mut msg = format!("unknown syscall {syscall:?}");
                let names = syscalls::names_of(arch);
                if let Some(s) = crate::suggest::nearest(syscall, names.iter().map(String::as_str))
                {
                    msg.push_str(&format!(" (did you mean {s:?}?)"));
                }
                Err(Error::InvalidArgument(msg))
            }
        }
    }

    fn evaluate(&self, arch: Arch, nr: u32, args: [u64; 6]) -> Result<Verdict> {
        let data = SeccompData {
            nr: nr as i32,
            arch: arch.audit_arch(),
            args,
            ..Default::default()
        };
        let (ret, instructions) = self.evaluate_raw(&data)?;
        Ok(Verdict {
            action: Action::from_ret(ret),
            instructions,
            arch,
            nr,
            multiplexed: None,
        })
    }

    /// [`Filter::simulate`], and what in the policy gave the verdict: the rule, the default
    /// action, or the bad-arch action (an ABI the policy does not list, or an x32 number on
    /// the x86_64 ABI). A `socketcall`/`ipc` call is explained as the call it multiplexes.
    pub fn explain(&self, syscall: &str, args: &[u64], arch: Option<Arch>) -> Result<Explanation> {
        let verdict = self.simulate(syscall, args, arch)?;
        let mut full = [0u64; 6];
        full[..args.len()].copy_from_slice(args);
        if let Some(m) = verdict.multiplexed.filter(|m| m.nr == verdict.nr) {
            // No direct syscall: the verdict is the multiplexed form's.
            full = [u64::from(m.call), 0, 0, 0, 0, 0];
        }
        let (name, decided_by, arguments) =
            self.decider(verdict.arch, verdict.nr, &full, verdict.action);
        let multiplexed_decided_by = verdict.multiplexed.map(|m| {
            self.decider(
                verdict.arch,
                m.nr,
                &[u64::from(m.call), 0, 0, 0, 0, 0],
                m.action,
            )
            .1
        });
        let syscall = name.unwrap_or_else(|| syscall.to_string());
        Ok(Explanation {
            syscall,
            verdict,
            decided_by,
            multiplexed_decided_by,
            arguments,
        })
    }

    /// The syscall name (when known), what gave `action` to syscall `nr` of `arch`, and the
    /// arguments that decided (see [`Explanation::arguments`]).
    fn decider(
        &self,
        arch: Arch,
        nr: u32,
        args: &[u64; 6],
        action: Action,
    ) -> (Option<String>, String, Vec<String>) {
        let Some(source) = &self.source else {
            let decided = format!(
                "the precompiled filter (policy {}; without the policy, rules cannot be named)",
                match self.policy_digest() {
                    d if d.is_empty() => "unknown".to_string(),
                    d => format!("sha256:{}", &d[..16]),
                }
            );
            return (syscalls::name_of(nr, arch), decided, Vec::new());
        };
        let (policy, options) = &**source;
        // x86_64 and x32 share an AUDIT_ARCH value: bit 30 of the number tells them apart.
        let abi = match arch {
            a if a == Arch::X86_64 && nr & X32_SYSCALL_BIT != 0 => Arch::X32,
            a if a == Arch::X32 && nr & X32_SYSCALL_BIT == 0 => Arch::X86_64,
            a => a,
        };
        let bad_arch = policy.mode.apply(policy.bad_arch_action);
        if !self.architectures.contains(&abi) {
            let why = if abi != arch {
                format!(
                    "nr {nr:#x} is an {abi} number on the {arch} ABI (bit 30 {}), and {abi} is not among the policy's architectures",
                    if abi == Arch::X32 { "set" } else { "clear" }
                )
            } else {
                format!("{abi} is not among the policy's architectures")
            };
            let decided = if action == bad_arch {
                format!("bad_arch_action ({why})")
            } else {
                unattributed(action)
            };
            return (syscalls::name_of(nr, abi), decided, Vec::new());
        }
        if crate::compile::stub_applies(policy)
            && action == Action::Errno(libc::ENOSYS as u16)
            && nr > crate::compile::highest_known(abi)
        {
            return (
                None,
                format!(
                    "unknown_syscalls (nr {nr:#x} is above {:#x}, the highest libseccomp {} knows on {abi})",
                    crate::compile::highest_known(abi),
                    crate::libseccomp_version()
                ),
                Vec::new(),
            );
        }
        let name = syscalls::name_of(nr, abi);
        let Some(name) = name else {
            return (None, self.default_or_unattributed(action), Vec::new());
        };
        if action == Action::Notify && options.supervise.contains(&name.as_str()) {
            return (
                Some(name),
                "the supervisor of `sysfence run`, which answers with the policy's own verdict"
                    .to_string(),
                Vec::new(),
            );
        }
        let rules = policy.effective_rules();
        let matching = |syscall: &str, args: &[u64; 6]| {
            rules.iter().find(|r| {
                r.syscall == syscall
                    && r.action == action
                    && r.args
                        .iter()
                        .all(|c| crate::policy::matches_on(c, args[usize::from(c.index)], abi))
            })
        };
        if let Some(r) = matching(&name, args) {
            let on = r
                .args
                .iter()
                .map(|c| condition_text(&name, c, args[usize::from(c.index)]))
                .collect();
            return (
                Some(name),
                format!("{} ({})", r.origin, r.written_action),
                on,
            );
        }
        // socketcall(2)/ipc(2): the rule of the call it multiplexes.
        if let Some((sub, m)) = syscalls::demultiplex(nr, args[0], abi) {
            let via = format!("{sub} made through {}(call {})", m.multiplexer, m.call);
            // Rules with conditions on a multiplexed call are refused unless the multiplexer is
            // refused outright, which its own rule (found above) decides.
            let rule = rules
                .iter()
                .find(|r| r.syscall == sub && r.action == action && r.args.is_empty());
            if let Some(r) = rule {
                return (
                    Some(via),
                    format!("{} ({})", r.origin, r.written_action),
                    Vec::new(),
                );
            }
            return (Some(via), self.default_or_unattributed(action), Vec::new());
        }
        // No rule of this action matched: the conditional rules the call failed, and where.
        let missed = rules
            .iter()
            .filter(|r| r.syscall == name && r.action != action)
            .filter_map(|r| {
                let c = r
                    .args
                    .iter()
                    .find(|c| !crate::policy::matches_on(c, args[usize::from(c.index)], abi))?;
                let arg = args[usize::from(c.index)];
                let wants = match c.op {
                    crate::policy::CmpOp::MaskedEq(mask) => {
                        format!("& {mask:#x} == {}", value_text(&name, c.index, c.value))
                    }
                    op => format!("{} {}", op.name(), value_text(&name, c.index, c.value)),
                };
                Some(format!(
                    "{} ({}) did not match: {} is {}, the rule wants {wants}",
                    r.origin,
                    r.written_action,
                    constants::arg_label(&name, c.index),
                    value_text(&name, c.index, arg),
                ))
            })
            .collect();
        (Some(name), self.default_or_unattributed(action), missed)
    }

    fn default_or_unattributed(&self, action: Action) -> String {
        if self
            .source
            .as_ref()
            .is_some_and(|s| action == s.0.effective_default())
        {
            "default_action".to_string()
        } else {
            unattributed(action)
        }
    }

    /// Evaluates the filter on a raw `seccomp_data` in sysfence's BPF interpreter (nothing is
    /// loaded); returns the 32-bit result and the instruction count.
    pub fn evaluate_raw(&self, data: &SeccompData) -> Result<(u32, usize)> {
        bpf::run(&self.program, data)
    }

    /// Loads the filter into this process, all threads (TSYNC), after setting
    /// `PR_SET_NO_NEW_PRIVS`. All or nothing: on error no filter was added.
    pub fn load(&self) -> Result<()> {
        self.load_with_flags(self.load_flags())
            .map(|_| ())
            .map_err(Error::from)
    }

    /// Loads with explicit `seccomp()` flags. Allocates nothing and is async-signal-safe, so
    /// it may run between `fork` and `exec`. Returns the `seccomp()` result (a listener fd when
    /// `SECCOMP_FILTER_FLAG_NEW_LISTENER` is given).
    pub fn load_with_flags(&self, flags: u32) -> std::result::Result<i32, LoadFailure> {
        load::load_program(&self.program, flags)
    }
}

/// A value with its names when it has some: `AF_INET6 (0xa)`, `0x1000`.
fn value_text(syscall: &str, index: u8, value: u64) -> String {
    match constants::describe(syscall, index, value) {
        Some(names) => format!("{names} ({value:#x})"),
        None => format!("{value:#x}"),
    }
}

/// A matched condition and the call's value: `domain (arg 0) eq AF_INET6 (0xa)`.
fn condition_text(syscall: &str, c: &crate::policy::ArgCondition, arg: u64) -> String {
    let label = constants::arg_label(syscall, c.index);
    let want = value_text(syscall, c.index, c.value);
    match c.op {
        crate::policy::CmpOp::MaskedEq(mask) => format!(
            "{label} & {} eq {want}: the call's is {}",
            value_text(syscall, c.index, mask),
            value_text(syscall, c.index, arg)
        ),
        crate::policy::CmpOp::Eq => format!("{label} eq {want}"),
        op => format!(
            "{label} {} {want}: the call's is {}",
            op.name(),
            value_text(syscall, c.index, arg)
        ),
    }
}

fn unattributed(action: Action) -> String {
    format!("the filter ({action} is given by no rule of the policy, nor by its default or bad-arch action: please report this)")
}

fn decode_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}
