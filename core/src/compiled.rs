// SPDX-License-Identifier: MIT OR Apache-2.0
//! Precompiled filters: the `sfb` container that `sysfence compile --format sfb` writes, and
//! raw BPF made by other tools. Both are decoded and checked here, so that a
//! [`Filter`](crate::Filter) made from bytes is refused before the kernel sees a malformed,
//! corrupt or foreign program, and loading one needs no libseccomp work.
//!
//! The container, all integers little-endian:
//!
//! ```text
//! offset  size  field
//! 0       8     magic "\x89SFB\r\n\x1a\n"
//! 8       2     format version (1)
//! 10      1     mode (0 enforce, 1 log)
//! 11      1     options (bit 0: log_denied)
//! 12      4     seccomp() flags for loading (SECCOMP_FILTER_FLAG_*)
//! 16      32    SHA-256 of the policy's canonical JSON
//! 48      1     number of architectures, then for each: 1 length byte and the name (`x86_64`)
//! .       1+n   sysfence version that compiled it (length byte, text)
//! .       1+n   libseccomp version that compiled it (length byte, text)
//! .       4     instruction count (1 to 4096)
//! .       8*n   instructions: code u16, jt u8, jf u8, k u32
//! end-32  32    SHA-256 of every byte before it
//! ```

use crate::arch::Arch;
use crate::bpf::{SockFilter, MAX_INSNS};
use crate::error::{Error, Result};
use crate::load::{FLAG_LOG, FLAG_SPEC_ALLOW, FLAG_TSYNC};
use crate::policy::Mode;
use crate::sha256;

/// The first bytes of every `sfb` file.
pub const MAGIC: &[u8; 8] = b"\x89SFB\r\n\x1a\n";
/// The container format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// The `seccomp()` flags a precompiled filter may ask for.
pub const ALLOWED_FLAGS: u32 = FLAG_TSYNC | FLAG_LOG | FLAG_SPEC_ALLOW;

/// Where a filter's program came from, when it was not compiled in this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The container format version (0 for raw BPF).
    pub format_version: u16,
    /// SHA-256 of the policy's canonical JSON, hex (empty for raw BPF).
    pub policy_digest: String,
    /// The sysfence version that compiled it (empty for raw BPF).
    pub sysfence_version: String,
    /// The libseccomp version that compiled it (empty for raw BPF).
    pub libseccomp_version: String,
}

/// A decoded container.
pub(crate) struct Decoded {
    pub program: Vec<SockFilter>,
    pub architectures: Vec<Arch>,
    pub mode: Mode,
    pub log_denied: bool,
    pub flags: u32,
    pub provenance: Provenance,
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("precompiled filter: {what}"))
}

/// Encodes a compiled filter's program and what loading needs.
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode(
    program: &[SockFilter],
    architectures: &[Arch],
    mode: Mode,
    log_denied: bool,
    flags: u32,
    policy_json: &str,
    libseccomp_version: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(96 + program.len() * 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(match mode {
        Mode::Enforce => 0,
        Mode::Log => 1,
    });
    out.push(u8::from(log_denied));
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&sha256::digest(policy_json.as_bytes()));
    out.push(architectures.len() as u8);
    for a in architectures {
        short_text(&mut out, a.name());
    }
    short_text(&mut out, crate::VERSION);
    short_text(&mut out, libseccomp_version);
    out.extend_from_slice(&(program.len() as u32).to_le_bytes());
    for i in program {
        out.extend_from_slice(&i.code.to_le_bytes());
        out.push(i.jt);
        out.push(i.jf);
        out.extend_from_slice(&i.k.to_le_bytes());
    }
    let sum = sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

fn short_text(out: &mut Vec<u8>, s: &str) {
    let b = &s.as_bytes()[..s.len().min(255)];
    out.push(b.len() as u8);
    out.extend_from_slice(b);
}

/// A cursor that names the field it could not read.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(bad(format_args!(
                "truncated: {field} needs {n} bytes at offset {}, {} left",
                self.at,
                self.bytes.len() - self.at
            )));
        };
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self, field: &str) -> Result<u8> {
        Ok(self.take(1, field)?[0])
    }
    fn u16(&mut self, field: &str) -> Result<u16> {
        let b = self.take(2, field)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, field: &str) -> Result<u32> {
        let b = self.take(4, field)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn text(&mut self, field: &str) -> Result<&'a str> {
        let n = usize::from(self.u8(field)?);
        std::str::from_utf8(self.take(n, field)?)
            .map_err(|_| bad(format_args!("{field} is not UTF-8")))
    }
}

/// Decodes and checks an `sfb` container. The program must cover the running architecture.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        let hint = if bytes.len() >= 8 && bytes.len() % 8 == 0 {
            " (raw BPF? load it with from_raw_bpf and explicit architectures and flags)"
        } else {
            ""
        };
        return Err(bad(format_args!(
            "not a sysfence compiled filter: the magic bytes \\x89SFB\\r\\n\\x1a\\n are missing{hint}"
        )));
    }
    let mut r = Reader {
        bytes,
        at: MAGIC.len(),
    };
    let version = r.u16("format version")?;
    if version != FORMAT_VERSION {
        return Err(bad(format_args!(
            "format version {version} is not supported (this sysfence {} reads version {FORMAT_VERSION}); recompile the policy",
            crate::VERSION
        )));
    }
    if bytes.len() < 32 + r.at {
        return Err(bad("truncated: no room for the checksum"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if sha256::digest(body) != sum {
        return Err(bad(
            "checksum mismatch: the file is corrupt or truncated (SHA-256 of its contents differs from the one it carries)",
        ));
    }
    let mut r = Reader {
        bytes: body,
        at: r.at,
    };
    let mode = match r.u8("mode")? {
        0 => Mode::Enforce,
        1 => Mode::Log,
        m => return Err(bad(format_args!("mode {m} is unknown (0 enforce, 1 log)"))),
    };
    let options = r.u8("options")?;
    if options & !1 != 0 {
        return Err(bad(format_args!("options {options:#x} has unknown bits")));
    }
    let log_denied = options & 1 != 0;
    let flags = r.u32("flags")?;
    check_flags(flags)?;
    let digest = sha256::hex(r.take(32, "policy digest")?);
    let count = r.u8("architecture count")?;
    let mut architectures = Vec::with_capacity(usize::from(count));
    for i in 0..count {
        let name = r.text(&format!("architectures[{i}]"))?;
        let arch = name
            .parse::<Arch>()
            .map_err(|_| bad(format_args!("architectures[{i}] {name:?} is unknown")))?;
        architectures.push(arch);
    }
    let sysfence_version = r.text("sysfence version")?.to_string();
    let libseccomp_version = r.text("libseccomp version")?.to_string();
    let n = r.u32("instruction count")? as usize;
    check_count(n)?;
    let raw = r.take(n * 8, "instructions")?;
    if r.at != body.len() {
        return Err(bad(format_args!(
            "{} bytes after the instructions",
            body.len() - r.at
        )));
    }
    let program = raw
        .chunks_exact(8)
        .map(|c| SockFilter {
            code: u16::from_le_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect::<Vec<_>>();
    check_arches(&architectures)?;
    check_program(&program)?;
    Ok(Decoded {
        program,
        architectures,
        mode,
        log_denied,
        flags,
        provenance: Provenance {
            format_version: version,
            policy_digest: digest,
            sysfence_version,
            libseccomp_version,
        },
    })
}

/// Decodes raw `struct sock_filter` records (native endian) and checks them.
pub(crate) fn decode_raw(
    bytes: &[u8],
    architectures: &[Arch],
    flags: u32,
) -> Result<Vec<SockFilter>> {
    if bytes.len() % 8 != 0 {
        return Err(bad(format_args!(
            "raw BPF of {} bytes: not a whole number of 8-byte instructions",
            bytes.len()
        )));
    }
    check_count(bytes.len() / 8)?;
    check_flags(flags)?;
    check_arches(architectures)?;
    let program = bytes
        .chunks_exact(8)
        .map(|c| SockFilter {
            code: u16::from_ne_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect::<Vec<_>>();
    check_program(&program)?;
    Ok(program)
}

fn check_count(n: usize) -> Result<()> {
    if n == 0 || n > MAX_INSNS {
        return Err(bad(format_args!(
            "{n} instructions; the kernel accepts 1 to {MAX_INSNS}"
        )));
    }
    Ok(())
}

fn check_flags(flags: u32) -> Result<()> {
    if flags & !ALLOWED_FLAGS != 0 {
        return Err(bad(format_args!(
            "seccomp flags {flags:#x}: only TSYNC (1), LOG (2) and SPEC_ALLOW (4) are accepted"
        )));
    }
    Ok(())
}

fn check_arches(architectures: &[Arch]) -> Result<()> {
    let native = Arch::native();
    if architectures.is_empty() {
        return Err(bad("no architectures"));
    }
    if !architectures.contains(&native) {
        let names = architectures
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(bad(format_args!(
            "the program is for {names}, not for this machine's {native}"
        )));
    }
    Ok(())
}

/// The checks the kernel makes before running a seccomp filter (`bpf_check_classic`,
/// `seccomp_check_filter`) that a program from a file can fail: only the instructions seccomp
/// allows, loads aligned inside `struct seccomp_data`, scratch slots 0 to 15, no division by
/// a constant 0 or shift by 32 or more, every jump inside the program, and a return last.
pub(crate) fn check_program(program: &[SockFilter]) -> Result<()> {
    let len = program.len();
    check_count(len)?;
    for (pc, i) in program.iter().enumerate() {
        let fail = |what: &str| {
            Err(bad(format_args!(
                "instruction {pc} (code {:#06x}, k {:#x}): {what}",
                i.code, i.k
            )))
        };
        let target = |off: usize| pc + 1 + off < len;
        match i.code {
            // LD W ABS
            0x20 => {
                if i.k % 4 != 0 || i.k >= 64 {
                    return fail("load outside struct seccomp_data or not 4-byte aligned");
                }
            }
            // LD/LDX W LEN, LD/LDX IMM, ST, STX, TAX, TXA, RET A
            0x80 | 0x81 | 0x00 | 0x01 | 0x07 | 0x87 | 0x16 => {}
            // LD/LDX MEM, ST, STX
            0x60 | 0x61 | 0x02 | 0x03 => {
                if i.k >= 16 {
                    return fail("scratch memory slot above 15");
                }
            }
            // ALU K
            0x04 | 0x14 | 0x24 | 0x44 | 0x54 | 0xa4 => {}
            0x34 | 0x94 => {
                if i.k == 0 {
                    return fail("division by a constant 0");
                }
            }
            0x64 | 0x74 => {
                if i.k >= 32 {
                    return fail("shift by 32 or more");
                }
            }
            0x84 => {}
            // ALU X
            0x0c | 0x1c | 0x2c | 0x3c | 0x4c | 0x5c | 0x6c | 0x7c | 0x9c | 0xac => {}
            // JA
            0x05 => {
                if !target(i.k as usize) {
                    return fail("jump past the end of the program");
                }
            }
            // JEQ, JGT, JGE, JSET, K and X
            0x15 | 0x25 | 0x35 | 0x45 | 0x1d | 0x2d | 0x3d | 0x4d => {
                if !target(usize::from(i.jt)) || !target(usize::from(i.jf)) {
                    return fail("jump past the end of the program");
                }
            }
            // RET K
            0x06 => {}
            _ => return fail("an opcode seccomp does not accept"),
        }
    }
    let last = program[len - 1];
    if last.code != 0x06 && last.code != 0x16 {
        return Err(bad(format_args!(
            "instruction {} (the last) is not a return",
            len - 1
        )));
    }
    Ok(())
}
