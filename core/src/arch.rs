// SPDX-License-Identifier: MIT OR Apache-2.0
//! Architectures: the names a policy uses, libseccomp's tokens and the kernel's `AUDIT_ARCH_*`
//! values that a filter sees in `seccomp_data.arch` and the audit log prints.

use libseccomp::ScmpArch;
use std::fmt;
use std::str::FromStr;

/// A CPU architecture (syscall ABI) that a filter can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arch(ScmpArch);

/// `__X32_SYSCALL_BIT`: x32 syscalls arrive as x86_64 with this bit set in the number.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// (canonical name, libseccomp arch, AUDIT_ARCH value, extra accepted names)
const TABLE: &[(&str, ScmpArch, u32, &[&str])] = &[
    ("x86_64", ScmpArch::X8664, 0xC000_003E, &["amd64"]),
    ("x86", ScmpArch::X86, 0x4000_0003, &["i386", "i686"]),
    ("x32", ScmpArch::X32, 0xC000_003E, &[]),
    ("aarch64", ScmpArch::Aarch64, 0xC000_00B7, &["arm64"]),
    ("arm", ScmpArch::Arm, 0x4000_0028, &[]),
    ("riscv64", ScmpArch::Riscv64, 0xC000_00F3, &[]),
    ("loongarch64", ScmpArch::Loongarch64, 0xC000_0102, &[]),
    ("ppc64le", ScmpArch::Ppc64Le, 0xC000_0015, &[]),
    ("ppc64", ScmpArch::Ppc64, 0x8000_0015, &[]),
    ("ppc", ScmpArch::Ppc, 0x0000_0014, &[]),
    ("s390x", ScmpArch::S390X, 0x8000_0016, &[]),
    ("s390", ScmpArch::S390, 0x0000_0016, &[]),
    ("mips", ScmpArch::Mips, 0x0000_0008, &[]),
    ("mipsel", ScmpArch::Mipsel, 0x4000_0008, &[]),
    ("mips64", ScmpArch::Mips64, 0x8000_0008, &[]),
    ("mipsel64", ScmpArch::Mipsel64, 0xC000_0008, &[]),
    ("mips64n32", ScmpArch::Mips64N32, 0xA000_0008, &[]),
    ("mipsel64n32", ScmpArch::Mipsel64N32, 0xE000_0008, &[]),
    ("parisc", ScmpArch::Parisc, 0x0000_000F, &[]),
    ("parisc64", ScmpArch::Parisc64, 0x8000_000F, &[]),
    ("m68k", ScmpArch::M68k, 0x0000_0004, &[]),
    ("sh", ScmpArch::Sh, 0x4000_002A, &[]),
    ("sheb", ScmpArch::Sheb, 0x0000_002A, &[]),
];

impl Arch {
    /// x86_64.
    pub const X86_64: Arch = Arch(ScmpArch::X8664);
    /// 32-bit x86 (`int 0x80` on an x86_64 kernel).
    pub const X86: Arch = Arch(ScmpArch::X86);
    /// x32 (x86_64 registers, 32-bit pointers; syscall numbers carry bit 30).
    pub const X32: Arch = Arch(ScmpArch::X32);

    /// The architecture this library was built for.
    pub fn native() -> Arch {
        Arch(ScmpArch::native())
    }

    /// Every architecture sysfence knows, in the table's order (x86_64 first, whatever is native).
    pub fn all() -> impl Iterator<Item = Arch> {
        TABLE.iter().map(|row| Arch(row.1))
    }

    fn row(self) -> &'static (&'static str, ScmpArch, u32, &'static [&'static str]) {
        TABLE
            .iter()
            .find(|row| row.1 == self.0)
            .expect("every Arch is built from the table")
    }

    /// The canonical name (`x86_64`, `x86`, `aarch64`, ...).
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// libseccomp's value.
    pub fn scmp(self) -> ScmpArch {
        self.0
    }

    /// True for ABIs whose filters compare only the low 32 bits of each argument: libseccomp
    /// treats them as 32-bit (x86, x32, arm, ppc, s390, mips o32 and n32, parisc, m68k, sh).
    pub fn is_32bit(self) -> bool {
        matches!(
            self.0,
            ScmpArch::X86
                | ScmpArch::X32
                | ScmpArch::Arm
                | ScmpArch::Ppc
                | ScmpArch::S390
                | ScmpArch::Mips
                | ScmpArch::Mipsel
                | ScmpArch::Mips64N32
                | ScmpArch::Mipsel64N32
                | ScmpArch::Parisc
                | ScmpArch::M68k
                | ScmpArch::Sh
                | ScmpArch::Sheb
        )
    }

    /// The `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch` (x32 shares x86_64's).
    pub fn audit_arch(self) -> u32 {
        self.row().2
    }

    /// True for little-endian ABIs (`__AUDIT_ARCH_LE`). libseccomp builds one filter for
    /// architectures of one byte order only.
    pub fn little_endian(self) -> bool {
        self.audit_arch() & 0x4000_0000 != 0
    }

    /// The architecture of an `AUDIT_ARCH_*` value, as audit records print it (`c000003e`).
    /// x86_64 and x32 share a value; `x32` is chosen when `syscall_nr` carries the x32 bit.
    pub fn from_audit_arch(value: u32, syscall_nr: Option<u32>) -> Option<Arch> {
        if value == Arch::X86_64.audit_arch() {
            return Some(match syscall_nr {
                Some(nr) if nr & X32_SYSCALL_BIT != 0 => Arch::X32,
                _ => Arch::X86_64,
            });
        }
        TABLE
            .iter()
            .find(|row| row.2 == value)
            .map(|row| Arch(row.1))
    }

    /// Every name accepted by [`Arch::from_str`], for messages and suggestions.
    pub fn names() -> Vec<&'static str> {
        TABLE.iter().map(|row| row.0).collect()
    }
}

impl FromStr for Arch {
    type Err = String;

    /// Parses a canonical name or alias (`amd64`, `i386`, `arm64`), or `native`.
    fn from_str(text: &str) -> Result<Self, String> {
        if text == "native" {
            return Ok(Arch::native());
        }
        TABLE
            .iter()
            .find(|row| row.0 == text || row.3.contains(&text))
            .map(|row| Arch(row.1))
            .ok_or_else(|| {
                let mut msg = format!("unknown architecture {text:?}");
                if let Some(s) = crate::suggest::nearest(text, Arch::names()) {
                    msg.push_str(&format!(" (did you mean {s:?}?)"));
                }
                msg
            })
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
