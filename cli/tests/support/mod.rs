// SPDX-License-Identifier: MIT OR Apache-2.0
//! What several CLI test files need: the `sysfence` command as the tests run it, and tiny
//! static programs written byte by byte (no compiler needed).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// `sysfence ARGS`. The notify guard refuses a command that would hold CAP_SYS_PTRACE (the tests
/// run as root): with it, sysfence runs as its docs say, under setpriv with that capability
/// dropped.
pub fn sysfence_command(args: &[&str]) -> Command {
    let mut cmd = if args.windows(2).any(|w| w == ["--exec-guard", "notify"]) {
        let mut c = Command::new("setpriv");
        c.args(["--bounding-set=-sys_ptrace", env!("CARGO_BIN_EXE_sysfence")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_sysfence"))
    };
    cmd.args(args);
    cmd
}

/// `run --preset PRESET --exec-guard GUARD -- COMMAND...`, as arguments for [`sysfence`].
pub fn run_args<'a>(preset: &'a str, guard: &'a str, command: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "--preset", preset, "--exec-guard", guard, "--"];
    args.extend_from_slice(command);
    args
}

/// Runs `sysfence ARGS` (see [`sysfence_command`]) to the end.
pub fn sysfence(args: &[&str]) -> Output {
    sysfence_command(args).output().expect("run sysfence")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Writes `json` to `name` in this test process's scratch directory; returns its path.
pub fn temp_policy(name: &str, json: &str) -> String {
    let dir = std::env::temp_dir().join(format!("sysfence-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, json).unwrap();
    path.to_string_lossy().to_string()
}

/// Writes an executable. The bytes go to a scratch file and `cp` makes the program: a file this
/// (multi-threaded) test process had open for writing could still be open in a child another
/// test forked meanwhile, and exec'ing it would fail with ETXTBSY.
fn write_program(path: &Path, elf: &[u8]) -> String {
    let scratch = path.with_extension("bytes");
    std::fs::write(&scratch, elf).unwrap();
    let _ = std::fs::remove_file(path);
    let copied = Command::new("cp").arg(&scratch).arg(path).status().unwrap();
    assert!(copied.success());
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path.to_string_lossy().to_string()
}

/// A static i386 program at `path` running `code` (machine code, `int 0x80` calls) from its
/// entry point; returns the path.
pub fn i386_program(path: &Path, code: &[u8]) -> String {
    let mut elf: Vec<u8> = vec![0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let base = 0x0804_8000u32;
    let size = 52 + 32 + code.len() as u32;
    for v in [2u16, 3] {
        elf.extend(v.to_le_bytes()); // ET_EXEC, EM_386
    }
    for v in [1, base + 84, 52, 0, 0] {
        elf.extend(v.to_le_bytes()); // version, entry, phoff, shoff, flags
    }
    for v in [52u16, 32, 1, 0, 0, 0] {
        elf.extend(v.to_le_bytes());
    }
    for v in [1, 0, base, base, size, size, 5, 0x1000] {
        elf.extend(v.to_le_bytes()); // PT_LOAD, R+X
    }
    elf.extend(code);
    write_program(path, &elf)
}

/// A static x86_64 program at `path` running `code` from its entry point; returns the path.
pub fn x86_64_program(path: &Path, code: &[u8]) -> String {
    let mut elf: Vec<u8> = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let base = 0x40_0000u64;
    let size = 64 + 56 + code.len() as u64;
    for v in [2u16, 62] {
        elf.extend(v.to_le_bytes()); // ET_EXEC, EM_X86_64
    }
    elf.extend(1u32.to_le_bytes());
    for v in [base + 120, 64, 0] {
        elf.extend(v.to_le_bytes()); // entry, phoff, shoff
    }
    elf.extend(0u32.to_le_bytes()); // flags
    for v in [64u16, 56, 1, 0, 0, 0] {
        elf.extend(v.to_le_bytes());
    }
    for v in [1u32, 5] {
        elf.extend(v.to_le_bytes()); // PT_LOAD, R+X
    }
    for v in [0u64, base, base, size, size, 0x1000] {
        elf.extend(v.to_le_bytes());
    }
    elf.extend(code);
    write_program(path, &elf)
}
