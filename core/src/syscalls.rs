// SPDX-License-Identifier: MIT OR Apache-2.0
//! Syscall names and numbers, per architecture, through libseccomp's tables.

use crate::arch::{Arch, X32_SYSCALL_BIT};
use libseccomp::ScmpSyscall;
use std::sync::{Mutex, OnceLock};

/// How libseccomp knows a syscall name on one architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// A real syscall with this number on the architecture.
    Number(u32),
    /// A socket or SysV IPC call that this ABI multiplexes (i386, ppc, s390, mips o32, m68k,
    /// sh): it can be made as a sub-call of `socketcall(2)` or `ipc(2)`, and also directly when
    /// [`direct_number`] finds a number. A rule for it covers both forms.
    Multiplexed(Multiplexed),
    /// libseccomp knows the name, but the architecture has no such syscall.
    NotOnArch,
    /// libseccomp does not know the name at all.
    Unknown,
}

/// The two ways to make a multiplexed call on one architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Multiplexed {
    /// `socketcall` or `ipc`.
    pub multiplexer: &'static str,
    /// The multiplexer's syscall number (i386 `socketcall` = 102).
    pub multiplexer_nr: u32,
    /// The sub-call number passed as its first argument (`SYS_SOCKET` = 1, `SHMGET` = 23).
    pub call: u32,
}

impl Resolution {
    /// True when a rule for the name can match on the architecture (directly or multiplexed).
    pub fn exists(self) -> bool {
        matches!(self, Resolution::Number(_) | Resolution::Multiplexed(_))
    }
}

/// Resolves `name` on `arch`.
pub fn resolve(name: &str, arch: Arch) -> Resolution {
    if name.is_empty() || name.contains('\0') {
        return Resolution::Unknown;
    }
    match ScmpSyscall::from_name_by_arch(name, arch.scmp()) {
        Ok(sc) => {
            let nr = i32::from(sc);
            if nr >= 0 {
                Resolution::Number(nr as u32)
            } else if let Some(m) = multiplexed(nr, arch) {
                Resolution::Multiplexed(m)
            } else if is_known(name) {
                Resolution::NotOnArch
            } else {
                Resolution::Unknown
            }
        }
        Err(_) if is_known(name) => Resolution::NotOnArch,
        Err(_) => Resolution::Unknown,
    }
}

/// libseccomp's pseudo numbers for multiplexed calls: -101..=-120 go through `socketcall`
/// (sub-call = -nr % 100), -201..=-224 through `ipc` (sub-call = -nr % 200).
fn multiplexed(pseudo: i32, arch: Arch) -> Option<Multiplexed> {
    let (multiplexer, call) = match pseudo {
        -120..=-101 => ("socketcall", (-pseudo) % 100),
        -224..=-201 => ("ipc", (-pseudo) % 200),
        _ => return None,
    };
    // Only ABIs that have the multiplexer use these numbers as such (x86_64 has no `send`,
    // and no socketcall either).
    let Resolution::Number(multiplexer_nr) = resolve(multiplexer, arch) else {
        return None;
    };
    Some(Multiplexed {
        multiplexer,
        multiplexer_nr,
        call: call as u32,
    })
}

/// The direct syscall number of a multiplexed name, when the architecture has one (i386
/// `socket` = 359), found by reading the number -> name table once per architecture
/// (libseccomp resolves names to the pseudo number only). Asked only when a call is
/// simulated: building the table is most of what resolving names would otherwise cost.
pub fn direct_number(name: &str, arch: Arch) -> Option<u32> {
    // Sorted vectors rather than hash maps: a hash table's pointer points into its allocation,
    // which valgrind reports as "possibly lost" for what is a cache that lives forever.
    type Table = Vec<(String, u32)>;
    static CACHE: OnceLock<Mutex<Vec<(&'static str, &'static Table)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
    let table: &'static Table = match guard.iter().find(|(a, _)| *a == arch.name()) {
        Some((_, t)) => t,
        None => {
            let mut table: Table = NUMBER_RANGES
                .into_iter()
                .flatten()
                .filter_map(|nr| name_of(nr, arch).map(|n| (n, nr)))
                .filter(|(n, _)| MULTIPLEXED_NAMES.contains(&n.as_str()))
                .collect();
            table.sort();
            let table: &'static Table = Box::leak(Box::new(table));
            guard.push((arch.name(), table));
            table
        }
    };
    table
        .binary_search_by(|(n, _)| n.as_str().cmp(name))
        .ok()
        .map(|i| table[i].1)
}

/// The names libseccomp multiplexes on ABIs that have `socketcall` and `ipc`.
pub const MULTIPLEXED_NAMES: &[&str] = &[
    "socket",
    "bind",
    "connect",
    "listen",
    "accept",
    "getsockname",
    "getpeername",
    "socketpair",
    "send",
    "recv",
    "sendto",
    "recvfrom",
    "shutdown",
    "setsockopt",
    "getsockopt",
    "sendmsg",
    "recvmsg",
    "accept4",
    "recvmmsg",
    "sendmmsg",
    "semop",
    "semget",
    "semctl",
    "semtimedop",
    "msgsnd",
    "msgrcv",
    "msgget",
    "msgctl",
    "shmat",
    "shmdt",
    "shmget",
    "shmctl",
];

/// The multiplexed call that `multiplexer(call, ...)` makes on `arch`, if any: the name whose
/// sub-call number is `call` (`ipc` ignores the version in the upper 16 bits of `call`).
pub fn demultiplex(
    multiplexer_nr: u32,
    call: u64,
    arch: Arch,
) -> Option<(&'static str, Multiplexed)> {
    MULTIPLEXED_NAMES
        .iter()
        .find_map(|name| match resolve(name, arch) {
            Resolution::Multiplexed(m) if m.multiplexer_nr == multiplexer_nr => {
                let call = if m.multiplexer == "ipc" {
                    call & 0xffff
                } else {
                    call & 0xffff_ffff
                };
                (u64::from(m.call) == call).then_some((*name, m))
            }
            _ => None,
        })
}

// The first 1024 numbers hold the generic tables; mips and a few others start at an offset,
// which the extra ranges cover.
const NUMBER_RANGES: [std::ops::Range<u32>; 3] = [0..1024u32, 4000..5500, 6000..6500];

/// True when libseccomp knows `name` on any architecture.
pub fn is_known(name: &str) -> bool {
    !name.is_empty() && !name.contains('\0') && ScmpSyscall::from_name(name).is_ok()
}

/// The name of syscall number `nr` on `arch` (x32 numbers carry the x32 bit).
pub fn name_of(nr: u32, arch: Arch) -> Option<String> {
    let nr = i32::try_from(nr).ok()?;
    ScmpSyscall::from(nr).get_name_by_arch(arch.scmp()).ok()
}

/// Every syscall name of `arch`, for suggestions and listings.
pub fn names_of(arch: Arch) -> Vec<String> {
    let base = if arch == Arch::X32 {
        X32_SYSCALL_BIT
    } else {
        0
    };
    let mut names: Vec<String> = NUMBER_RANGES
        .into_iter()
        .flatten()
        .filter_map(|nr| name_of(base + nr, arch))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_on_x86_family() {
        assert_eq!(resolve("execve", Arch::X86_64), Resolution::Number(59));
        assert_eq!(resolve("execve", Arch::X86), Resolution::Number(11));
        assert_eq!(
            resolve("execve", Arch::X32),
            Resolution::Number(X32_SYSCALL_BIT + 520)
        );
        assert_eq!(resolve("socketcall", Arch::X86_64), Resolution::NotOnArch);
        assert_eq!(resolve("exceve", Arch::X86_64), Resolution::Unknown);
        assert_eq!(name_of(59, Arch::X86_64).as_deref(), Some("execve"));
    }

    #[test]
    fn socket_and_ipc_calls_are_multiplexed_on_i386() {
        let mux = |direct, multiplexer, multiplexer_nr, call| {
            (
                Resolution::Multiplexed(Multiplexed {
                    multiplexer,
                    multiplexer_nr,
                    call,
                }),
                direct,
            )
        };
        let with_direct = |name| (resolve(name, Arch::X86), direct_number(name, Arch::X86));
        assert_eq!(with_direct("socket"), mux(Some(359), "socketcall", 102, 1));
        assert_eq!(with_direct("send"), mux(None, "socketcall", 102, 9));
        assert_eq!(with_direct("shmget"), mux(Some(395), "ipc", 117, 23));
        assert_eq!(resolve("socket", Arch::X86_64), Resolution::Number(41));
        assert_eq!(resolve("send", Arch::X86_64), Resolution::NotOnArch);
        assert_eq!(resolve("socketcall", Arch::X86), Resolution::Number(102));
        assert_eq!(
            demultiplex(102, 1, Arch::X86).map(|(n, _)| n),
            Some("socket")
        );
        assert_eq!(
            demultiplex(117, 0x1_0017, Arch::X86).map(|(n, _)| n),
            Some("shmget")
        );
        assert_eq!(demultiplex(102, 99, Arch::X86), None);
    }

    #[test]
    fn knows_the_newer_syscalls_of_libseccomp_2_6() {
        // Only true with libseccomp >= 2.6, which the build links.
        assert!(is_known("mseal"), "linked libseccomp is older than 2.6");
        assert!(is_known("listmount"));
    }
}
