// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence profile --args`: argument conditions for a few calls, where the value is in a
//! register (a filter cannot read memory), means the same on every call, and every call seen
//! agrees. Each becomes a set of conditional `allow` rules (one per value: the rules are a
//! disjunction); a call whose values do not fit stays unconditional.
//!
//! | call | argument | condition |
//! |---|---|---|
//! | `socket` | 0, the address family | `eq` per family seen |
//! | `personality` | 0 | `eq` per value seen |
//! | `clone` | 0, the flags | no namespace flag (`masked_eq` 0x7E020000 = 0), if none was seen |
//! | `ioctl` | 1, the request | `masked_eq` 0xffffffff per request, up to 16 |
//! | `mmap`, `mprotect`, `pkey_mprotect` | 2, the protection | never writable and executable at once, if never seen |
//!
//! Only for a policy with one ABI, the native one: on i386 `socket` may come through
//! `socketcall` with its arguments in memory and `mmap` is `old_mmap`, whose arguments are too.

use crate::profile::{Merged, OutRule};
use std::collections::{BTreeMap, BTreeSet};
use sysfence::syscalls::{self, Resolution};
use sysfence::{Arch, ArgCondition, CmpOp};

/// The namespace flags of clone (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID,
/// NEWNET), as moby's default profile tests them.
const CLONE_NEW_MASK: u64 = 0x7E02_0000;
/// PROT_WRITE | PROT_EXEC.
const WX: u64 = (libc::PROT_WRITE | libc::PROT_EXEC) as u64;
/// More ioctl requests than this: no condition.
const MAX_IOCTLS: usize = 16;

/// The kind of condition a call gets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// `eq` per value of this argument.
    Values(u8),
    /// `masked_eq` 0xffffffff per value of this argument (a 32-bit request).
    Low32(u8),
    /// No namespace flag in argument 0.
    CloneFlags,
    /// Argument 2 never has PROT_WRITE and PROT_EXEC together.
    NoWriteExec,
}

const CALLS: &[(&str, Kind, &str)] = &[
    ("socket", Kind::Values(0), "address families seen"),
    ("personality", Kind::Values(0), "personalities seen"),
    (
        "clone",
        Kind::CloneFlags,
        "no new namespaces (none was seen)",
    ),
    ("ioctl", Kind::Low32(1), "ioctl requests seen"),
    (
        "mmap",
        Kind::NoWriteExec,
        "never writable and executable at once (never seen)",
    ),
    (
        "mprotect",
        Kind::NoWriteExec,
        "never writable and executable at once (never seen)",
    ),
    (
        "pkey_mprotect",
        Kind::NoWriteExec,
        "never writable and executable at once (never seen)",
    ),
];

/// Arguments seen so far, for the calls above, on the native ABI.
pub struct ArgsSeen {
    /// (audit arch, nr) -> index in CALLS.
    numbers: Vec<((u32, i32), usize)>,
    /// index in CALLS -> values of the argument tested.
    values: BTreeMap<usize, BTreeSet<u64>>,
}

impl Default for ArgsSeen {
    fn default() -> Self {
        let native = Arch::native();
        let numbers = CALLS
            .iter()
            .enumerate()
            .filter_map(|(i, (name, _, _))| match syscalls::resolve(name, native) {
                Resolution::Number(nr) => Some(((native.audit_arch(), nr as i32), i)),
                _ => None,
            })
            .collect();
        ArgsSeen {
            numbers,
            values: BTreeMap::new(),
        }
    }
}

impl ArgsSeen {
    /// Notes the tested argument of one call.
    pub fn record(&mut self, arch: u32, nr: i32, args: &[u64; 6]) {
        let Some(&(_, i)) = self.numbers.iter().find(|(key, _)| *key == (arch, nr)) else {
            return;
        };
        let value = match CALLS[i].1 {
            Kind::Values(a) => args[usize::from(a)],
            Kind::Low32(a) => args[usize::from(a)] & u64::from(u32::MAX),
            Kind::CloneFlags => args[0] & CLONE_NEW_MASK,
            Kind::NoWriteExec => args[2] & WX,
        };
        self.values.entry(i).or_default().insert(value);
    }

    /// What was seen, by syscall name.
    pub fn finish(self) -> ArgRules {
        ArgRules {
            seen: self
                .values
                .into_iter()
                .map(|(i, v)| (CALLS[i].0.to_string(), v))
                .collect(),
            skipped: Vec::new(),
        }
    }
}

/// The values seen per call, turned into rules at the end.
pub struct ArgRules {
    seen: BTreeMap<String, BTreeSet<u64>>,
    skipped: Vec<String>,
}

fn kind_of(name: &str) -> Option<(Kind, &'static str)> {
    CALLS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, k, why)| (*k, *why))
}

/// The condition lists (one per rule) for `values` of a call of this kind; `None` when the
/// call must stay unconditional.
fn conditions(kind: Kind, values: &BTreeSet<u64>) -> Option<Vec<Vec<ArgCondition>>> {
    let cond = |index: u8, op: CmpOp, value: u64| ArgCondition { index, op, value };
    match kind {
        Kind::Values(a) => Some(
            values
                .iter()
                .map(|v| vec![cond(a, CmpOp::Eq, *v)])
                .collect(),
        ),
        Kind::Low32(_) if values.len() > MAX_IOCTLS => None,
        Kind::Low32(a) => Some(
            values
                .iter()
                .map(|v| vec![cond(a, CmpOp::MaskedEq(u64::from(u32::MAX)), *v)])
                .collect(),
        ),
        Kind::CloneFlags if values.iter().any(|v| *v != 0) => None,
        Kind::CloneFlags => Some(vec![vec![cond(0, CmpOp::MaskedEq(CLONE_NEW_MASK), 0)]]),
        Kind::NoWriteExec if values.contains(&WX) => None,
        Kind::NoWriteExec => Some(
            [0, libc::PROT_WRITE as u64, libc::PROT_EXEC as u64]
                .iter()
                .map(|v| vec![cond(2, CmpOp::MaskedEq(WX), *v)])
                .collect(),
        ),
    }
}

impl ArgRules {
    /// The conditional rules, taking their calls out of `names` (the unconditional allows).
    /// A merged profile's conditional rules for a call are kept beside the new ones (the
    /// union); an unconditional allow of the call, recorded or merged, wins over both.
    pub fn rules(
        &mut self,
        names: &mut BTreeSet<String>,
        merged: &Merged,
        arches: &[Arch],
    ) -> Vec<OutRule> {
        let mut out = Vec::new();
        let calls: BTreeSet<String> = self
            .seen
            .keys()
            .chain(merged.conditions.keys())
            .cloned()
            .collect();
        if arches != [Arch::native()] {
            if !calls.is_empty() {
                self.skipped.push(format!(
                    "--args: no conditions, the policy lists several ABIs ({}) where these \
                     arguments may be in memory or mean something else",
                    arches
                        .iter()
                        .map(|a| a.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            names.extend(merged.conditions.keys().cloned());
            return out;
        }
        for name in calls {
            let merged_unconditional = merged.names.contains(&name);
            let mut lists: Vec<Vec<ArgCondition>> = Vec::new();
            let mut unconditional = merged_unconditional;
            let mut why = "merged";
            if let (Some(values), Some((kind, reason))) = (self.seen.get(&name), kind_of(&name)) {
                why = reason;
                match conditions(kind, values) {
                    Some(l) => lists.extend(l),
                    None => {
                        unconditional = true;
                        self.skipped.push(format!(
                            "--args: {name} stays unconditional ({} values seen, or one that \
                             cannot be narrowed)",
                            values.len()
                        ));
                    }
                }
            }
            if let Some(more) = merged.conditions.get(&name) {
                lists.extend(more.iter().cloned());
            }
            if unconditional {
                names.insert(name);
                continue;
            }
            names.remove(&name);
            let mut unique: Vec<Vec<ArgCondition>> = Vec::new();
            for l in lists {
                if !unique.contains(&l) {
                    unique.push(l);
                }
            }
            unique.sort_by_key(|l| {
                l.iter()
                    .map(|c| (c.index, c.op.mask(), c.value))
                    .collect::<Vec<_>>()
            });
            for args in unique {
                out.push(OutRule {
                    comment: format!("recorded with --args: {name}, {why}"),
                    syscalls: vec![name.clone()],
                    args,
                });
            }
        }
        out
    }

    /// Lines for the summary.
    pub fn summary(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .seen
            .iter()
            .map(|(name, values)| {
                let shown: Vec<String> = values.iter().map(|v| format!("{v:#x}")).collect();
                format!("--args: {name}: {}", shown.join(" "))
            })
            .collect();
        lines.extend(self.skipped.iter().cloned());
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_only_where_every_call_agrees() {
        let set = |v: &[u64]| v.iter().copied().collect::<BTreeSet<u64>>();
        assert_eq!(
            conditions(Kind::Values(0), &set(&[1, 10])).unwrap().len(),
            2
        );
        assert!(conditions(Kind::CloneFlags, &set(&[0, 0x1000_0000])).is_none());
        assert_eq!(
            conditions(Kind::CloneFlags, &set(&[0])).unwrap()[0][0]
                .op
                .mask(),
            Some(CLONE_NEW_MASK)
        );
        assert!(conditions(Kind::NoWriteExec, &set(&[0, 2, 6])).is_none());
        assert_eq!(
            conditions(Kind::NoWriteExec, &set(&[2, 4])).unwrap().len(),
            3
        );
        let many: Vec<u64> = (0..=MAX_IOCTLS as u64).collect();
        assert!(conditions(Kind::Low32(1), &set(&many)).is_none());
    }
}
