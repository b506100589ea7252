// SPDX-License-Identifier: MIT OR Apache-2.0
//! Classic BPF as seccomp runs it: the instruction layout and an interpreter that evaluates a
//! filter's own bytes on a `seccomp_data`, the way the kernel does.

use crate::error::{Error, Result};

/// One BPF instruction, laid out as the kernel's `struct sock_filter`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SockFilter {
    /// Opcode.
    pub code: u16,
    /// Jump offset when true.
    pub jt: u8,
    /// Jump offset when false.
    pub jf: u8,
    /// Constant operand.
    pub k: u32,
}

/// The input a seccomp filter sees: the kernel's `struct seccomp_data`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeccompData {
    /// Syscall number.
    pub nr: i32,
    /// `AUDIT_ARCH_*` value.
    pub arch: u32,
    /// Instruction pointer at the syscall.
    pub instruction_pointer: u64,
    /// The six syscall arguments.
    pub args: [u64; 6],
}

/// The kernel's limit on instructions in one filter (`BPF_MAXINSNS`).
pub const MAX_INSNS: usize = 4096;

// Opcode fields (linux/bpf_common.h).
const fn class(code: u16) -> u16 {
    code & 0x07
}
const LD: u16 = 0x00;
const LDX: u16 = 0x01;
const ST: u16 = 0x02;
const STX: u16 = 0x03;
const ALU: u16 = 0x04;
const JMP: u16 = 0x05;
const RET: u16 = 0x06;
const MISC: u16 = 0x07;
const SRC_X: u16 = 0x08;

impl SeccompData {
    fn word(&self, offset: u32) -> Option<u32> {
        if offset % 4 != 0 || offset >= 64 {
            return None;
        }
        let mut bytes = [0u8; 64];
        bytes[0..4].copy_from_slice(&self.nr.to_ne_bytes());
        bytes[4..8].copy_from_slice(&self.arch.to_ne_bytes());
        bytes[8..16].copy_from_slice(&self.instruction_pointer.to_ne_bytes());
        for (i, a) in self.args.iter().enumerate() {
            bytes[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_ne_bytes());
        }
        let o = offset as usize;
        Some(u32::from_ne_bytes(
            bytes[o..o + 4].try_into().expect("4 bytes"),
        ))
    }
}

fn bad(pc: usize, what: &str) -> Error {
    Error::InvalidArgument(format!("BPF instruction {pc}: {what}"))
}

/// Runs `program` on `data`. Returns the filter's 32-bit return value and the number of
/// instructions executed on the way.
pub fn run(program: &[SockFilter], data: &SeccompData) -> Result<(u32, usize)> {
    let (mut a, mut x) = (0u32, 0u32);
    let mut mem = [0u32; 16];
    let mut pc = 0usize;
    let mut steps = 0usize;
    while let Some(ins) = program.get(pc) {
        steps += 1;
        let k = ins.k;
        let src = if ins.code & SRC_X != 0 { x } else { k };
        match class(ins.code) {
            LD | LDX => {
                let mode = ins.code & 0xe0;
                let v = match mode {
                    0x20 => data
                        .word(k)
                        .ok_or_else(|| bad(pc, "load outside seccomp_data"))?, // ABS
                    0x80 => 64, // LEN
                    0x00 => k,  // IMM
                    0x60 => *mem
                        .get(k as usize)
                        .ok_or_else(|| bad(pc, "bad scratch slot"))?, // MEM
                    _ => return Err(bad(pc, "load mode seccomp does not allow")),
                };
                if class(ins.code) == LD {
                    a = v;
                } else {
                    x = v;
                }
            }
            ST | STX => {
                let slot = mem
                    .get_mut(k as usize)
                    .ok_or_else(|| bad(pc, "bad scratch slot"))?;
                *slot = if class(ins.code) == ST { a } else { x };
            }
            ALU => {
                a = match ins.code & 0xf0 {
                    0x00 => a.wrapping_add(src),
                    0x10 => a.wrapping_sub(src),
                    0x20 => a.wrapping_mul(src),
                    0x30 => a
                        .checked_div(src)
                        .ok_or_else(|| bad(pc, "division by zero"))?,
                    0x40 => a | src,
                    0x50 => a & src,
                    0x60 => a.checked_shl(src).unwrap_or(0),
                    0x70 => a.checked_shr(src).unwrap_or(0),
                    0x80 => a.wrapping_neg(),
                    0x90 => a
                        .checked_rem(src)
                        .ok_or_else(|| bad(pc, "division by zero"))?,
                    0xa0 => a ^ src,
                    _ => return Err(bad(pc, "unknown ALU operation")),
                };
            }
            JMP => {
                let op = ins.code & 0xf0;
                let next = if op == 0x00 {
                    pc + 1 + k as usize // JA
                } else {
                    let taken = match op {
                        0x10 => a == src,     // JEQ
                        0x20 => a > src,      // JGT
                        0x30 => a >= src,     // JGE
                        0x40 => a & src != 0, // JSET
                        _ => return Err(bad(pc, "unknown jump")),
                    };
                    pc + 1 + usize::from(if taken { ins.jt } else { ins.jf })
                };
                pc = next;
                continue;
            }
            RET => {
                let v = match ins.code & 0x18 {
                    0x00 => k, // K
                    0x10 => a, // A
                    _ => return Err(bad(pc, "return of X is not allowed")),
                };
                return Ok((v, steps));
            }
            MISC => {
                if ins.code & 0xf8 == 0x00 {
                    x = a; // TAX
                } else {
                    a = x; // TXA
                }
            }
            _ => unreachable!("class() is three bits"),
        }
        pc += 1;
    }
    Err(bad(pc, "the program runs off its end without a return"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(code: u16, k: u32) -> SockFilter {
        SockFilter {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    #[test]
    fn loads_compares_and_returns() {
        // A = nr; if A == 59 return 0x50001 else return ALLOW
        let prog = [
            stmt(0x20, 0),
            SockFilter {
                code: 0x15,
                jt: 0,
                jf: 1,
                k: 59,
            },
            stmt(0x06, 0x0005_0001),
            stmt(0x06, 0x7fff_0000),
        ];
        let mut d = SeccompData {
            nr: 59,
            ..Default::default()
        };
        assert_eq!(run(&prog, &d).unwrap(), (0x0005_0001, 3));
        d.nr = 0;
        assert_eq!(run(&prog, &d).unwrap(), (0x7fff_0000, 3));
    }

    #[test]
    fn rejects_what_the_kernel_would() {
        assert!(run(&[stmt(0x20, 3)], &SeccompData::default()).is_err());
        assert!(run(&[stmt(0x20, 0)], &SeccompData::default()).is_err());
    }
}
