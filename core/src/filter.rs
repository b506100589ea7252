//! A compiled filter: the BPF that is exported, simulated and loaded, byte for byte.

use crate::action::Action;
use crate::arch::Arch;
use crate::bpf::{self, SeccompData, SockFilter};
use crate::compile::CompileOptions;
use crate::error::{Error, LoadFailure, Result};
use crate::load::{self, FLAG_LOG, FLAG_TSYNC};
use crate::policy::{Mode, Policy};
use crate::syscalls::{self, Resolution};
use serde::Serialize;
use std::sync::OnceLock;

/// A compiled seccomp filter.
#[derive(Debug, Clone)]
pub struct Filter {
    program: Vec<SockFilter>,
    /// The policy and options it was compiled from: the PFC text is made from them on demand.
    source: Box<(Policy, CompileOptions)>,
    pfc: OnceLock<String>,
    architectures: Vec<Arch>,
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
}

fn display<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}

impl Filter {
    pub(crate) fn new(program: Vec<SockFilter>, policy: Policy, options: CompileOptions) -> Self {
        Filter {
            program,
            architectures: policy.target_arches(),
            source: Box::new((policy, options)),
            pfc: OnceLock::new(),
        }
    }

    /// The BPF program as the kernel receives it: `struct sock_filter` records, native endian.
    pub fn bpf(&self) -> &[u8] {
        // SAFETY: SockFilter is repr(C), 8 bytes with no padding; any byte view of it is valid.
        unsafe {
            std::slice::from_raw_parts(self.program.as_ptr().cast::<u8>(), self.program.len() * 8)
        }
    }

    /// The instructions.
    pub fn instructions(&self) -> &[SockFilter] {
        &self.program
    }

    /// libseccomp's pseudo-filter-code: the filter as readable text. Made on first use, by
    /// libseccomp, from the same policy and options as the BPF.
    pub fn pfc(&self) -> &str {
        self.pfc.get_or_init(|| {
            let (policy, options) = &*self.source;
            crate::compile::pfc(policy, *options)
                .unwrap_or_else(|e| format!("# libseccomp could not export PFC: {e}\n"))
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
        self.source.0.mode
    }

    /// Whether the kernel logs every action other than allow.
    pub fn log_denied(&self) -> bool {
        self.source.0.log_denied
    }

    /// The `seccomp()` flags [`Filter::load`] passes: TSYNC, and LOG when `log_denied`.
    pub fn load_flags(&self) -> u32 {
        FLAG_TSYNC | if self.log_denied() { FLAG_LOG } else { 0 }
    }

    /// Evaluates the filter's own bytes for `syscall` (a name, or a number as text) with `args`
    /// on `arch` (native when `None`), as the kernel would.
    pub fn simulate(&self, syscall: &str, args: &[u64], arch: Option<Arch>) -> Result<Verdict> {
        let arch = arch.unwrap_or_else(Arch::native);
        if args.len() > 6 {
            return Err(Error::InvalidArgument(format!(
                "{} arguments; a syscall has at most 6",
                args.len()
            )));
        }
        let nr = match syscall.parse::<u32>() {
            Ok(n) => n,
            Err(_) => match syscalls::resolve(syscall, arch) {
                Resolution::Number(n) => n,
                Resolution::NotOnArch => {
                    return Err(Error::InvalidArgument(format!(
                        "{syscall:?} is not a syscall on {arch}"
                    )))
                }
                Resolution::Unknown => {
                    let mut msg = format!("unknown syscall {syscall:?}");
                    let names = syscalls::names_of(arch);
                    if let Some(s) =
                        crate::suggest::nearest(syscall, names.iter().map(String::as_str))
                    {
                        msg.push_str(&format!(" (did you mean {s:?}?)"));
                    }
                    return Err(Error::InvalidArgument(msg));
                }
            },
        };
        let mut data = SeccompData {
            nr: nr as i32,
            arch: arch.audit_arch(),
            ..Default::default()
        };
        data.args[..args.len()].copy_from_slice(args);
        let (ret, instructions) = self.run(&data)?;
        Ok(Verdict {
            action: Action::from_ret(ret),
            instructions,
            arch,
            nr,
        })
    }

    /// Runs the filter on a raw `seccomp_data`; returns the 32-bit result and the instruction
    /// count.
    pub fn run(&self, data: &SeccompData) -> Result<(u32, usize)> {
        bpf::run(&self.program, data)
    }

    /// Loads the filter into this process, all threads (TSYNC), after setting
    /// `PR_SET_NO_NEW_PRIVS`. All or nothing: on error no filter was added.
    pub fn load(&self) -> Result<()> {
        self.load_raw(self.load_flags())
            .map(|_| ())
            .map_err(Error::from)
    }

    /// Loads with explicit `seccomp()` flags. Allocates nothing and is async-signal-safe, so
    /// it may run between `fork` and `exec`. Returns the `seccomp()` result (a listener fd when
    /// `SECCOMP_FILTER_FLAG_NEW_LISTENER` is given).
    pub fn load_raw(&self, flags: u32) -> std::result::Result<i32, LoadFailure> {
        load::load_program(&self.program, flags)
    }
}
