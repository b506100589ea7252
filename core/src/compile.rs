// SPDX-License-Identifier: MIT OR Apache-2.0
//! Policy -> BPF through libseccomp, with binary-tree optimisation.

use crate::bpf::{SockFilter, MAX_INSNS};
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::policy::{CmpOp, EffectiveRule, Policy};
use crate::syscalls::{self, Resolution};
use libseccomp::ScmpAction;
use libseccomp::{ScmpArgCompare, ScmpCompareOp, ScmpFilterContext, ScmpSyscall};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};
use std::os::fd::{FromRawFd, OwnedFd};

/// How to compile.
#[derive(Debug, Clone, Copy)]
pub struct CompileOptions {
    /// libseccomp's `SCMP_FLTATR_CTL_OPTIMIZE`: 1 = priority-ordered list, 2 = binary tree.
    pub optimize: u32,
    /// Syscalls handed to a user-space supervisor (`notify`) whatever the rules say; the
    /// supervisor answers them with the policy's own verdict (`sysfence run` uses this for
    /// `execve` and `execveat`).
    pub supervise: &'static [&'static str],
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            optimize: 2,
            supervise: &[],
        }
    }
}

fn scmp_err(what: &str) -> impl Fn(libseccomp::error::SeccompError) -> Error + '_ {
    move |e| Error::Compile {
        message: format!("{what}: {e}"),
        errno: e.errno().map(errno_value),
    }
}

fn errno_value(e: libseccomp::error::SeccompErrno) -> i32 {
    use libseccomp::error::SeccompErrno as E;
    match e {
        E::EACCES => libc::EACCES,
        E::ECANCELED => libc::ECANCELED,
        E::EDOM => libc::EDOM,
        E::EEXIST => libc::EEXIST,
        E::EFAULT => libc::EFAULT,
        E::ENOENT => libc::ENOENT,
        E::ENOMEM => libc::ENOMEM,
        E::EOPNOTSUPP => libc::EOPNOTSUPP,
        E::ERANGE => libc::ERANGE,
        E::ESRCH => libc::ESRCH,
        _ => libc::EINVAL,
    }
}

/// Compiles `policy` with the default options.
pub fn compile(policy: &Policy) -> Result<Filter> {
    compile_with(policy, CompileOptions::default())
}

/// Compiles `policy`.
pub fn compile_with(policy: &Policy, options: CompileOptions) -> Result<Filter> {
    let ctx = context(policy, options)?;
    let mut program = export_bpf(&ctx)?;
    if let Some(stub) = enosys_stub(policy) {
        program.splice(0..0, stub);
    }
    if program.len() > MAX_INSNS {
        return Err(Error::Compile {
            message: format!(
                "the filter has {} instructions; the kernel accepts at most {MAX_INSNS} (split the policy or use groups)",
                program.len()
            ),
            errno: None,
        });
    }
    Ok(Filter::new(program, policy.clone(), options))
}

/// libseccomp's PFC text for `policy`, from the same context [`compile_with`] builds.
pub(crate) fn pfc(policy: &Policy, options: CompileOptions) -> Result<String> {
    export_pfc(&context(policy, options)?)
}

/// The libseccomp filter context for `policy`: attributes, architectures and rules.
fn context(policy: &Policy, options: CompileOptions) -> Result<ScmpFilterContext> {
    // A `Policy` assembled field by field inside the crate has skipped validation: validate
    // its JSON form, so that a misspelt syscall is a policy error with its path, never a rule
    // silently left out of the filter (a hole). One that came out of validation whole (every
    // policy outside the crate) is not validated twice.
    if !policy.validated.checked {
        Policy::from_value(&policy.to_value())?;
    }
    let default = policy.effective_default();
    let bad_arch = policy.mode.apply(policy.bad_arch_action);
    let arches = policy.target_arches();

    let mut ctx = ScmpFilterContext::new(default.to_scmp()).map_err(scmp_err("create filter"))?;
    ctx.set_act_badarch(bad_arch.to_scmp())
        .map_err(scmp_err("bad_arch_action"))?;
    ctx.set_ctl_nnp(false)
        .map_err(scmp_err("no_new_privs attribute"))?;
    ctx.set_ctl_optimize(options.optimize)
        .map_err(scmp_err("optimize attribute"))?;
    let native = crate::Arch::native();
    // Native out first: libseccomp refuses to mix byte orders, even for a moment.
    if !arches.contains(&native) {
        ctx.remove_arch(native.scmp())
            .map_err(scmp_err("remove native architecture"))?;
    }
    for a in &arches {
        if *a != native {
            ctx.add_arch(a.scmp()).map_err(|e| Error::Compile {
                message: format!("architecture {a}: libseccomp refused it: {e}"),
                errno: e.errno().map(errno_value),
            })?;
        }
    }

    let rules = policy.try_effective_rules()?;
    let compiled: Vec<&EffectiveRule> = rules
        .iter()
        .filter(|r| !options.supervise.contains(&r.syscall.as_str()) && r.action != default)
        .collect();
    if let Some((arch, need)) = min_instructions(&compiled, &arches) {
        if need > MAX_INSNS {
            return Err(Error::Compile {
                message: format!(
                    "the rules need at least {need} BPF instructions on {arch} (one per syscall and per distinct value compared); \
                     the kernel accepts at most {MAX_INSNS}: compare fewer distinct values (a range with lt/gt, or masked_eq) or split the policy"
                ),
                errno: None,
            });
        }
    }
    // The architectures that multiplex SysV IPC through `ipc(2)`, looked up once.
    let ipc_arches: Vec<crate::Arch> = arches
        .iter()
        .copied()
        .filter(|a| syscalls::resolve("ipc", *a).exists())
        .collect();
    let native_in_policy = arches.contains(&native);
    for rule in rules {
        // An own exception to a preset rule that equals the default: the preset's rule is
        // already narrowed to the other calls (and libseccomp refuses such a rule).
        if options.supervise.contains(&rule.syscall.as_str()) || rule.action == default {
            continue;
        }
        // A name libseccomp knows on no architecture of the policy gets no rule. The native
        // number answers for the native architecture (a negative one is libseccomp's pseudo
        // number for a call it lacks); only otherwise are the others asked.
        let syscall = ScmpSyscall::from_name(&rule.syscall).ok();
        let on_native = native_in_policy && syscall.is_some_and(|s| i32::from(s) >= 0);
        let on_some_arch = on_native
            || arches
                .iter()
                .any(|a| syscalls::resolve(&rule.syscall, *a).exists());
        if !on_some_arch {
            continue;
        }
        let syscall = match syscall {
            Some(s) => s,
            None => ScmpSyscall::from_name(&rule.syscall).map_err(scmp_err(&rule.syscall))?,
        };
        let conds: Vec<ScmpArgCompare> = rule
            .args
            .iter()
            .map(|c| {
                let op = match c.op {
                    CmpOp::Eq => ScmpCompareOp::Equal,
                    CmpOp::Ne => ScmpCompareOp::NotEqual,
                    CmpOp::Lt => ScmpCompareOp::Less,
                    CmpOp::Le => ScmpCompareOp::LessOrEqual,
                    CmpOp::Gt => ScmpCompareOp::Greater,
                    CmpOp::Ge => ScmpCompareOp::GreaterEqual,
                    CmpOp::MaskedEq(mask) => ScmpCompareOp::MaskedEqual(mask),
                };
                ScmpArgCompare::new(u32::from(c.index), op, c.value)
            })
            .collect();
        ctx.add_rule_conditional(rule.action.to_scmp(), syscall, &conds)
            .map_err(|e| Error::Compile {
                message: format!(
                    "{}: libseccomp refused the rule for {:?}: {e}",
                    rule.origin, rule.syscall
                ),
                errno: None,
            })?;
        ipc_versions(&mut ctx, &rule, &ipc_arches)?;
    }

    for name in options.supervise {
        let syscall = ScmpSyscall::from_name(name).map_err(scmp_err(name))?;
        ctx.add_rule(libseccomp::ScmpAction::Notify, syscall)
            .map_err(scmp_err("supervised syscall"))?;
    }

    Ok(ctx)
}

/// libseccomp compiles a SysV IPC call's multiplexed form as `ipc(call == N)`, but the kernel
/// reads only the low 16 bits of `call` (the rest is a version): `ipc(0x10000 | N)` makes the
/// same call and would miss the rule. Add `ipc(call & 0xffff == N)` with the same action.
/// `arches`: the policy's architectures that have `ipc(2)`.
fn ipc_versions(
    ctx: &mut ScmpFilterContext,
    rule: &crate::policy::EffectiveRule,
    arches: &[crate::Arch],
) -> Result<()> {
    if !rule.args.is_empty() || arches.is_empty() {
        // Only possible when the policy refuses ipc outright, which covers every version.
        return Ok(());
    }
    let call = arches
        .iter()
        .find_map(|a| match syscalls::resolve(&rule.syscall, *a) {
            Resolution::Multiplexed(m) if m.multiplexer == "ipc" => Some(m.call),
            _ => None,
        });
    let Some(call) = call else {
        return Ok(());
    };
    let ipc = ScmpSyscall::from_name("ipc").map_err(scmp_err("ipc"))?;
    let cond = ScmpArgCompare::new(0, ScmpCompareOp::MaskedEqual(0xffff), u64::from(call));
    let action: ScmpAction = rule.action.to_scmp();
    ctx.add_rule_conditional(action, ipc, &[cond])
        .map_err(|e| Error::Compile {
            message: format!(
                "{}: libseccomp refused the ipc(2) form of {:?}: {e}",
                rule.origin, rule.syscall
            ),
            errno: None,
        })?;
    Ok(())
}

/// A lower bound on the instructions the rules need, on the architecture that needs most:
/// every distinct syscall number, and the low word of every distinct value a rule compares
/// first (its lowest argument), is the `k` of at least one instruction. Refusing by this bound
/// costs a hash set, where libseccomp would take minutes over tens of thousands of rules only
/// to produce a program the kernel refuses.
fn min_instructions(
    rules: &[&EffectiveRule],
    arches: &[crate::Arch],
) -> Option<(crate::Arch, usize)> {
    // Each rule gives at most two constants (its number and its first compared value): with
    // this few rules the bound cannot pass the limit, and counting would only cost time.
    if rules.len() * 2 <= MAX_INSNS {
        return None;
    }
    let unconditional: HashSet<&str> = rules
        .iter()
        .filter(|r| r.args.is_empty())
        .map(|r| r.syscall.as_str())
        .collect();
    let mut numbers: HashMap<&str, Vec<Option<u32>>> = HashMap::new();
    arches
        .iter()
        .map(|a| {
            let mut constants: HashSet<u32> = HashSet::new();
            for r in rules {
                let nr = numbers.entry(&r.syscall).or_insert_with(|| {
                    arches
                        .iter()
                        .map(|a| match syscalls::resolve(&r.syscall, *a) {
                            Resolution::Number(n) => Some(n),
                            _ => None,
                        })
                        .collect()
                });
                let Some(nr) = nr[arches.iter().position(|x| x == a).unwrap_or(0)] else {
                    continue;
                };
                constants.insert(nr);
                if unconditional.contains(r.syscall.as_str()) {
                    continue;
                }
                if let Some(first) = r.args.iter().min_by_key(|c| c.index) {
                    constants.insert(first.value as u32);
                }
            }
            (*a, constants.len())
        })
        .max_by_key(|(_, n)| *n)
}

/// The highest syscall number the linked libseccomp knows on `arch` (with the x32 bit on x32).
pub(crate) fn highest_known(arch: crate::Arch) -> u32 {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<crate::Arch, u32>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(n) = cache.lock().ok().and_then(|c| c.get(&arch).copied()) {
        return n;
    }
    let n = syscalls::names_of(arch)
        .iter()
        .filter_map(|name| match syscalls::resolve(name, arch) {
            Resolution::Number(n) => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    if let Ok(mut c) = cache.lock() {
        c.insert(arch, n);
    }
    n
}

/// True when `policy`'s ENOSYS stub applies (`unknown_syscalls: "enosys"` and a default action
/// that refuses: as in runc, not for allow, log or trace defaults).
pub(crate) fn stub_applies(policy: &Policy) -> bool {
    let default = policy.effective_default();
    policy.enosys_unknown && !default.lets_through() && !matches!(default, crate::Action::Trace(_))
}

/// The instructions put in front of libseccomp's program for `unknown_syscalls: "enosys"`:
/// for each of the policy's architectures, a number above the highest one libseccomp knows
/// there returns ERRNO(ENOSYS); everything else goes on to the program, which loads the
/// architecture again itself. x86_64 and x32 share an AUDIT_ARCH value and are told apart by
/// bit 30, as in runc's stub.
fn enosys_stub(policy: &Policy) -> Option<Vec<SockFilter>> {
    const LD_ABS: u16 = 0x20;
    const JEQ: u16 = 0x15;
    const JGT: u16 = 0x25;
    const JSET: u16 = 0x45;
    const JA: u16 = 0x05;
    const RET: u16 = 0x06;
    const NEVER: u32 = u32::MAX; // `nr > 0xffffffff` is never true
    if !stub_applies(policy) {
        return None;
    }
    let arches = policy.target_arches();
    let ins = |code, jt, jf, k| SockFilter { code, jt, jf, k };
    // Blocks with jumps to two labels resolved below: ENOSYS and CONTINUE (the program).
    enum J {
        Enosys,
        Continue,
        Rel(u8),
    }
    let mut blocks: Vec<Vec<(u16, J, J, u32)>> = Vec::new();
    let mut seen: Vec<u32> = Vec::new();
    for a in &arches {
        let audit = a.audit_arch();
        if seen.contains(&audit) {
            continue;
        }
        seen.push(audit);
        let x86_family = *a == crate::Arch::X86_64 || *a == crate::Arch::X32;
        let mut b = vec![(LD_ABS, J::Rel(0), J::Rel(0), 0)];
        if x86_family {
            let max = |arch: crate::Arch| {
                if arches.contains(&arch) {
                    highest_known(arch)
                } else {
                    NEVER
                }
            };
            b.push((JSET, J::Rel(1), J::Rel(0), crate::arch::X32_SYSCALL_BIT));
            b.push((JGT, J::Enosys, J::Continue, max(crate::Arch::X86_64)));
            b.push((JGT, J::Enosys, J::Continue, max(crate::Arch::X32)));
        } else {
            b.push((JGT, J::Enosys, J::Continue, highest_known(*a)));
        }
        // The arch test in front: skip the block when it is another architecture.
        let rest = b.len() as u8;
        b.insert(0, (JEQ, J::Rel(0), J::Rel(rest), audit));
        blocks.push(b);
    }
    // [ld arch] blocks... [ja +1] [ret ENOSYS] program
    let mut flat: Vec<(u16, J, J, u32)> = vec![(LD_ABS, J::Rel(0), J::Rel(0), 4)];
    for b in blocks {
        flat.extend(b);
    }
    let enosys = flat.len() + 1;
    let cont = enosys + 1;
    let mut out = Vec::new();
    for (i, (code, jt, jf, k)) in flat.into_iter().enumerate() {
        let off = |j: J| -> Option<u8> {
            match j {
                J::Rel(n) => Some(n),
                J::Enosys => u8::try_from(enosys - i - 1).ok(),
                J::Continue => u8::try_from(cont - i - 1).ok(),
            }
        };
        out.push(ins(code, off(jt)?, off(jf)?, k));
    }
    out.push(ins(JA, 0, 0, 1));
    out.push(ins(
        RET,
        0,
        0,
        crate::action::RET_ERRNO | libc::ENOSYS as u32,
    ));
    Some(out)
}

fn export_bpf(ctx: &ScmpFilterContext) -> Result<Vec<SockFilter>> {
    #[cfg(sysfence_bpf_mem)]
    let bytes = ctx.export_bpf_mem().map_err(scmp_err("export BPF"))?;
    #[cfg(not(sysfence_bpf_mem))]
    let bytes = {
        let mut file = memfd("sysfence-bpf")?;
        ctx.export_bpf(&file).map_err(scmp_err("export BPF"))?;
        read_all(&mut file)?
    };
    if bytes.len() % 8 != 0 {
        return Err(Error::Compile {
            message: format!(
                "libseccomp exported {} bytes, not whole instructions",
                bytes.len()
            ),
            errno: None,
        });
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| SockFilter {
            code: u16::from_ne_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect())
}

fn export_pfc(ctx: &ScmpFilterContext) -> Result<String> {
    let mut file = memfd("sysfence-pfc")?;
    ctx.export_pfc(&file).map_err(scmp_err("export PFC"))?;
    String::from_utf8(read_all(&mut file)?).map_err(|_| Error::Compile {
        message: "libseccomp exported PFC text that is not UTF-8".into(),
        errno: None,
    })
}

fn memfd(name: &str) -> Result<std::fs::File> {
    let cname = std::ffi::CString::new(name).expect("static name");
    // The raw syscall, not glibc's wrapper (glibc 2.27): the packages run on glibc 2.17.
    // SAFETY: memfd_create takes a valid C string and flags; the result is checked below.
    let fd = unsafe { libc::syscall(libc::SYS_memfd_create, cname.as_ptr(), libc::MFD_CLOEXEC) }
        as libc::c_int;
    if fd < 0 {
        return Err(Error::io("memfd_create", &std::io::Error::last_os_error()));
    }
    // SAFETY: fd is a fresh descriptor that nothing else owns.
    Ok(std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

fn read_all(file: &mut std::fs::File) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    file.rewind()
        .and_then(|_| file.read_to_end(&mut out))
        .map_err(|e| Error::io("memfd", &e))?;
    Ok(out)
}
