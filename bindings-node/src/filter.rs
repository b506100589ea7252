// SPDX-License-Identifier: MIT OR Apache-2.0
//! `Filter`: a compiled policy. What `bpf()` exports and `simulate()` evaluates is byte for
//! byte what `load()` gives the kernel.

use crate::error::{guard, invalid};
use crate::policy::policy_arg;
use crate::value::{optional, string_arg, u64_arg, u64_list};
use napi::bindgen_prelude::{Buffer, Unknown};
use napi::{Env, ValueType};
use sysfence::Arch;

/// A compiled seccomp filter. Make one with `compilePolicy`.
///
/// ```js
/// const { compilePolicy } = require('sysfence');
/// const filter = compilePolicy('no-exec');
/// filter.simulate('execve'); // 'errno:EACCES'
/// ```
#[napi]
pub struct Filter {
    inner: sysfence::Filter,
}

/// Compiles a policy through libseccomp into a `Filter`, without loading it.
///
/// `policy` is a plain object in the JSON format, a `Policy`, or a preset name.
///
/// @throws `ERR_SYSFENCE_POLICY` (with `path` and `diagnostics`) for an invalid policy,
/// `ERR_SYSFENCE_COMPILE` when libseccomp refuses it.
#[napi]
pub fn compile_policy(
    env: Env,
    #[napi(ts_arg_type = "PolicyObject | Policy | string")] policy: Unknown,
) -> napi::Result<Filter> {
    guard(&env, || {
        let inner = policy_arg(&env, &policy)?.compile()?;
        Ok(Filter { inner })
    })
}

#[napi]
impl Filter {
    /// The BPF program as the kernel receives it: 8-byte `struct sock_filter` records in the
    /// machine's byte order.
    #[napi]
    pub fn bpf(&self) -> Buffer {
        Buffer::from(self.inner.bpf().to_vec())
    }

    /// A precompiled filter (the bytes `sysfence compile --format sfb` or `toBuffer()` wrote),
    /// decoded and checked with no libseccomp work; it loads with the flags it was compiled
    /// with.
    ///
    /// @throws `ERR_SYSFENCE_INVALID_ARGUMENT` saying what is wrong for truncated, corrupt or
    /// foreign bytes, or a program for another architecture than this machine's.
    #[napi(factory)]
    pub fn from_buffer(env: Env, buf: Buffer) -> napi::Result<Filter> {
        guard(&env, || {
            Ok(Filter {
                inner: sysfence::Filter::from_compiled(&buf)?,
            })
        })
    }

    /// Raw BPF from another tool (native-endian `struct sock_filter` records) for `arches`
    /// (native by default; must include it), loaded with the `seccomp()` `flags` given (TSYNC 1,
    /// LOG 2, SPEC_ALLOW 4; default 1). Checked as the kernel would before it sees it.
    #[napi(factory)]
    pub fn from_raw_bpf(
        env: Env,
        buf: Buffer,
        arches: Option<Vec<String>>,
        flags: Option<u32>,
    ) -> napi::Result<Filter> {
        guard(&env, || {
            let arches = match arches {
                None => vec![Arch::native()],
                Some(names) => names
                    .iter()
                    .map(|n| n.parse::<Arch>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(sysfence::Error::InvalidArgument)?,
            };
            Ok(Filter {
                inner: sysfence::Filter::from_raw_bpf(&buf, &arches, flags.unwrap_or(1))?,
            })
        })
    }

    /// The precompiled form (`sfb`) that `Filter.fromBuffer` reads: the BPF, architectures,
    /// mode and flags, the policy's SHA-256 and the versions that built it, checksummed.
    #[napi]
    pub fn to_buffer(&self) -> Buffer {
        Buffer::from(self.inner.to_compiled())
    }

    /// SHA-256 (hex) of the canonical JSON of the policy it was compiled from (`''` for raw BPF).
    #[napi(getter)]
    pub fn policy_digest(&self) -> String {
        self.inner.policy_digest()
    }

    /// libseccomp's pseudo filter code: the filter as readable text.
    #[napi]
    pub fn pfc(&self) -> String {
        self.inner.pfc().to_string()
    }

    /// The number of BPF instructions.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    /// The architectures the filter covers, such as `['x86_64']`.
    #[napi(getter)]
    pub fn architectures(&self) -> Vec<String> {
        self.inner
            .architectures()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// `enforce`, or `log` when every action other than allow was turned into `log`.
    #[napi(getter, ts_return_type = "'enforce' | 'log'")]
    pub fn mode(&self) -> String {
        self.inner.mode().to_string()
    }

    /// Whether the kernel logs every action other than allow.
    #[napi(getter)]
    pub fn log_denied(&self) -> bool {
        self.inner.log_denied()
    }

    /// What the filter does with one syscall, computed by running the filter's own bytes as
    /// the kernel would: `allow`, `errno:EACCES`, `kill_process`, `log`, ...
    ///
    /// @param syscall - a name (`openat`) or a number.
    /// @param args - up to six arguments: whole numbers, or BigInts for 64-bit values.
    /// @param arch - an architecture name (`x86_64`, `x86`, `x32`, ...); the native one by default.
    /// @throws `ERR_SYSFENCE_INVALID_ARGUMENT` for an unknown syscall (the message suggests the
    /// nearest name) or architecture, or more than six arguments.
    #[napi(ts_return_type = "string")]
    pub fn simulate(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | number")] syscall: Unknown,
        #[napi(ts_arg_type = "Array<number | bigint> | undefined | null")] args: Option<Unknown>,
        #[napi(ts_arg_type = "string | undefined | null")] arch: Option<Unknown>,
    ) -> napi::Result<String> {
        guard(&env, || {
            let (syscall, args, arch) = call_args(&syscall, args, arch)?;
            let verdict = self.inner.simulate(&syscall, &args, arch)?;
            Ok(verdict.action.to_string())
        })
    }

    /// `simulate`, and what in the policy gave the verdict: `decidedBy` names a rule's path and
    /// action (`rules[0].syscalls[0] (errno:EACCES)`), `default_action`, or `bad_arch_action`
    /// and why. The same object in every language; the arguments and errors are `simulate`'s.
    ///
    /// @param syscall - a name (`openat`) or a number.
    /// @param args - up to six arguments: whole numbers, or BigInts for 64-bit values.
    /// @param arch - an architecture name (`x86_64`, `x86`, `x32`, ...); the native one by default.
    /// @throws `ERR_SYSFENCE_INVALID_ARGUMENT` for an unknown syscall (the message suggests the
    /// nearest name) or architecture, or more than six arguments.
    #[napi]
    pub fn explain(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | number")] syscall: Unknown,
        #[napi(ts_arg_type = "Array<number | bigint> | undefined | null")] args: Option<Unknown>,
        #[napi(ts_arg_type = "string | undefined | null")] arch: Option<Unknown>,
    ) -> napi::Result<Explanation> {
        guard(&env, || {
            let (syscall, args, arch) = call_args(&syscall, args, arch)?;
            Ok(self.inner.explain(&syscall, &args, arch)?.into())
        })
    }

    /// Loads the filter into this process: every thread, including libuv's thread pool and
    /// running `worker_threads` (TSYNC), after setting `PR_SET_NO_NEW_PRIVS`. There is no way
    /// to unload it. All or nothing: when it throws, nothing was loaded.
    ///
    /// @throws `ERR_SYSFENCE_LOAD` with `errno` and `stage` (and `tid` when a thread could not
    /// be synchronised).
    #[napi]
    pub fn load(&self, env: Env) -> napi::Result<()> {
        guard(&env, || Ok(self.inner.load()?))
    }
}

/// The arguments of a simulated call: the syscall (a number as text), up to 16 arguments (the
/// core refuses more than six) and the architecture (None: native).
fn call_args(
    syscall: &Unknown,
    args: Option<Unknown>,
    arch: Option<Unknown>,
) -> crate::error::Result<(String, Vec<u64>, Option<Arch>)> {
    let syscall = match syscall.get_type()? {
        ValueType::Number => u64_arg(syscall, "syscall")?.to_string(),
        _ => string_arg(syscall, "syscall")?,
    };
    let args = match optional(args)? {
        None => Vec::new(),
        // Bounds what is read; the core itself refuses more than six arguments.
        Some(list) => u64_list(&list, "args", 16)?,
    };
    let arch = match optional(arch)? {
        None => None,
        Some(a) => Some(string_arg(&a, "arch")?.parse::<Arch>().map_err(invalid)?),
    };
    Ok((syscall, args, arch))
}

/// What `Filter.explain` returns, the same in every language: the verdict of `simulate` and
/// what in the policy gave it.
#[napi(object)]
pub struct Explanation {
    /// The syscall as the filter saw it (the sub-call for `socketcall`/`ipc`).
    pub syscall: String,
    /// The action, as `simulate` returns it.
    pub action: String,
    /// How many BPF instructions ran to reach it.
    pub instructions: u32,
    /// The architecture evaluated.
    pub arch: String,
    /// The syscall number on that architecture.
    pub nr: u32,
    /// What decided: a rule's path and action (`rules[0].syscalls[0] (errno:EACCES)`),
    /// `default_action`, or `bad_arch_action (...)` and why.
    pub decided_by: String,
    /// The conditions that decided, each with the call's value; absent when none did.
    pub arguments: Option<Vec<String>>,
    /// For a socket or SysV IPC call that `arch` multiplexes (i386 `socketcall`, `ipc`): the
    /// verdict of that form.
    pub multiplexed: Option<MultiplexedVerdict>,
    /// What decided the multiplexed form.
    pub multiplexed_decided_by: Option<String>,
}

/// What the filter does with the multiplexed form of a call (`socketcall(SYS_SOCKET, ...)`).
#[napi(object)]
pub struct MultiplexedVerdict {
    /// `socketcall` or `ipc`.
    #[napi(ts_type = "'socketcall' | 'ipc'")]
    pub multiplexer: String,
    /// The multiplexer's syscall number.
    pub nr: u32,
    /// The sub-call number, its first argument.
    pub call: u32,
    /// The action the filter returns for it.
    pub action: String,
    /// How many BPF instructions ran to reach it.
    pub instructions: u32,
}

impl From<sysfence::Explanation> for Explanation {
    fn from(e: sysfence::Explanation) -> Self {
        let v = e.verdict;
        Explanation {
            syscall: e.syscall,
            action: v.action.to_string(),
            instructions: v.instructions as u32,
            arch: v.arch.to_string(),
            nr: v.nr,
            decided_by: e.decided_by,
            arguments: (!e.arguments.is_empty()).then_some(e.arguments),
            multiplexed: v.multiplexed.map(|m| MultiplexedVerdict {
                multiplexer: m.multiplexer.to_string(),
                nr: m.nr,
                call: m.call,
                action: m.action.to_string(),
                instructions: m.instructions as u32,
            }),
            multiplexed_decided_by: e.multiplexed_decided_by,
        }
    }
}
