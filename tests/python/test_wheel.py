# SPDX-License-Identifier: MIT OR Apache-2.0
"""The wheel itself: abi3, manylinux2014, self-contained, installed (not the source tree)."""

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import sysfence
import sysfence._sysfence as native

REPO = Path(__file__).resolve().parents[2]


def wheel_path() -> Path:
    path = os.environ.get("SYSFENCE_WHEEL", "")
    assert path, "SYSFENCE_WHEEL must name the wheel under test (make test-python sets it)"
    return Path(path)


def test_wheel_is_abi3_manylinux2014() -> None:
    wheel = wheel_path()
    # name-version-python-abi-platform.whl
    _, _, python_tag, abi_tag, platform_tag = wheel.name[: -len(".whl")].split("-")
    assert (python_tag, abi_tag) == ("cp39", "abi3")
    assert "manylinux2014_x86_64" in platform_tag.split(".") or "manylinux2014_aarch64" in platform_tag.split(".")
    with zipfile.ZipFile(wheel) as zf:
        wheel_meta = next(n for n in zf.namelist() if n.endswith(".dist-info/WHEEL"))
        tags = [
            line.split(":", 1)[1].strip()
            for line in zf.read(wheel_meta).decode().splitlines()
            if line.startswith("Tag:")
        ]
        names = zf.namelist()
    assert any(re.fullmatch(r"cp39-abi3-manylinux2014_\w+", t) for t in tags), tags
    assert "sysfence/py.typed" in names
    assert "sysfence/_sysfence.pyi" in names
    assert any(re.fullmatch(r"sysfence/_sysfence\.abi3\.so", n) for n in names), names


def test_imported_from_the_installed_wheel_not_the_source_tree() -> None:
    installed = Path(sysfence.__file__).resolve()
    assert Path(sys.prefix).resolve() in installed.parents, installed
    assert REPO / "bindings-python" not in installed.parents
    assert Path(native.__file__).name == "_sysfence.abi3.so"


def test_extension_needs_no_libseccomp_and_no_glibc_newer_than_2_17() -> None:
    so = native.__file__
    ldd = subprocess.run(["ldd", so], capture_output=True, text=True, check=True).stdout
    print(ldd)
    assert "seccomp" not in ldd
    assert "libpython" not in ldd
    # Every versioned glibc symbol the extension needs must exist in glibc 2.17.
    dynsyms = subprocess.run(["objdump", "-T", so], capture_output=True, text=True, check=True).stdout
    versions = {tuple(int(p) for p in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)", dynsyms)}
    assert versions, "no glibc symbol versions found"
    assert max(versions) <= (2, 17), sorted(versions)[-3:]
    # libseccomp is inside, not exported: a process may load the system's libseccomp too.
    assert "seccomp_init" not in dynsyms
    assert re.search(r"\bPyInit__sysfence\b", dynsyms)


def test_linked_libseccomp_version() -> None:
    major, minor, micro = (int(p) for p in sysfence.LIBSECCOMP_VERSION.split("."))
    assert (major, minor, micro) >= (2, 6, 1)
