//! Syscall names and numbers, per architecture, through libseccomp's tables.

use crate::arch::{Arch, X32_SYSCALL_BIT};
use libseccomp::ScmpSyscall;

/// How libseccomp knows a syscall name on one architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// A real syscall with this number on the architecture.
    Number(u32),
    /// libseccomp knows the name, but the architecture has no such syscall.
    NotOnArch,
    /// libseccomp does not know the name at all.
    Unknown,
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
    // The first 1024 numbers hold the generic tables; mips and a few others start at an
    // offset, which the extra ranges cover.
    let ranges = [0..1024u32, 4000..5500, 6000..6500];
    let mut names: Vec<String> = ranges
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
    fn knows_the_newer_syscalls_of_libseccomp_2_6() {
        // Only true with libseccomp >= 2.6, which the build links.
        assert!(is_known("mseal"), "linked libseccomp is older than 2.6");
        assert!(is_known("listmount"));
    }
}
