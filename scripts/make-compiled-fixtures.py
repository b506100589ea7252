#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Writes tests/fixtures/compiled/: malformed precompiled filters that every binding must refuse,
and expected.json naming the error each must give. An independent writer of the sfb format
(core/src/compiled.rs documents it), so the fixtures do not depend on the code they test."""
import hashlib, json, os, struct, sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "compiled")
MAGIC = b"\x89SFB\r\n\x1a\n"
# Every architecture whose kernel tests could run, so program checks are reached on any host.
HOSTS = ["x86_64", "aarch64", "riscv64", "ppc64le", "s390x", "arm", "x86", "loongarch64"]
ALLOW, KILL = 0x7FFF0000, 0x80000000


def text(s):
    b = s.encode()
    return bytes([len(b)]) + b


def ins(code, k=0, jt=0, jf=0):
    return struct.pack("<HBBI", code, jt, jf, k)


def container(program, arches=HOSTS, version=1, flags=1, mode=0, options=0, count=None):
    body = MAGIC + struct.pack("<HBBI", version, mode, options, flags)
    body += hashlib.sha256(b"{}").digest()
    body += bytes([len(arches)]) + b"".join(text(a) for a in arches)
    body += text("0.0.0-fixture") + text("2.6.1")
    n = len(program) // 8 if count is None else count
    body += struct.pack("<I", n) + program
    return body + hashlib.sha256(body).digest()


def raw(program):
    # Raw BPF is native endian; the fixtures are written little-endian (every host above but s390x).
    return program


good = ins(0x20, 0) + ins(0x15, 59, 0, 1) + ins(0x06, KILL) + ins(0x06, ALLOW)
valid = container(good)
corrupt = bytearray(valid)
corrupt[len(valid) - 40] ^= 0x01  # inside the last instruction's k
files = {
    "truncated.sfb": ("sfb", valid[: len(valid) // 2], "checksum mismatch"),
    "corrupt.sfb": ("sfb", bytes(corrupt), "checksum mismatch"),
    "foreign.sfb": ("sfb", b"\x7fELF\x02\x01\x01\x00" + bytes(56), "magic bytes"),
    "empty-file.sfb": ("sfb", b"", "magic bytes"),
    "version-99.sfb": ("sfb", container(good, version=99), "format version 99"),
    "no-instructions.sfb": ("sfb", container(b""), "0 instructions"),
    "too-many-instructions.sfb": ("sfb", container(ins(0x06, ALLOW) * 4097), "4097 instructions"),
    "other-arch.sfb": ("sfb", container(good, arches=["mips"]), "not for this machine"),
    "bad-jump.sfb": ("sfb", container(ins(0x20, 0) + ins(0x15, 59, 5, 0) + ins(0x06, ALLOW)), "jump past the end"),
    "no-return.sfb": ("sfb", container(ins(0x20, 0) + ins(0x06, ALLOW) + ins(0x20, 0)), "not a return"),
    "unknown-flags.sfb": ("sfb", container(good, flags=8), "seccomp flags"),
    "raw-odd-length.bpf": ("raw", raw(good[:13]), "not a whole number"),
    "raw-bad-jump.bpf": ("raw", raw(ins(0x20, 0) + ins(0x15, 59, 0, 9) + ins(0x06, ALLOW)), "jump past the end"),
    "raw-misaligned-load.bpf": ("raw", raw(ins(0x20, 2) + ins(0x06, ALLOW)), "not 4-byte aligned"),
    "raw-no-return.bpf": ("raw", raw(ins(0x06, ALLOW) + ins(0x20, 0)), "not a return"),
    "raw-empty.bpf": ("raw", b"", "0 instructions"),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, (kind, data, error) in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        expected[name] = {"kind": kind, "error": error}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"{len(files)} fixtures in {os.path.relpath(OUT)}", file=sys.stderr)
