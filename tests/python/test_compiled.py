# SPDX-License-Identifier: MIT OR Apache-2.0
"""Precompiled filters: loaded from bytes in a child, and the shared malformed inputs refused."""

import errno
import json
from pathlib import Path

import pytest

import sysfence

import childproc

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "compiled"


def test_precompiled_no_exec_refuses_exec_in_a_child() -> None:
    data = sysfence.compile_policy("no-exec").to_bytes()
    out = childproc.result(
        f"""
        f = sysfence.Filter.from_bytes({data!r})
        seen = {{"before": subprocess.run(["/bin/true"]).returncode}}
        f.load()
        try:
            subprocess.run(["/bin/true"])
            seen["after"] = "ran"
        except PermissionError as e:
            seen["after"] = e.errno
        print(json.dumps(seen))
        """
    )
    assert out == {"before": 0, "after": errno.EACCES}


def test_raw_bpf_loads_with_explicit_flags_in_a_child() -> None:
    bpf = sysfence.compile_policy("no-exec").bpf()
    out = childproc.result(
        f"""
        f = sysfence.Filter.from_raw_bpf({bpf!r}, flags=1)
        f.load()
        try:
            subprocess.run(["/bin/true"])
            print(json.dumps("ran"))
        except PermissionError as e:
            print(json.dumps(e.errno))
        """
    )
    assert out == errno.EACCES


def test_round_trip_keeps_program_flags_and_digest() -> None:
    f = sysfence.compile_policy({"default_action": "allow", "log_denied": True, "extends": ["no-exec"]})
    g = sysfence.Filter.from_bytes(f.to_bytes())
    assert g.bpf() == f.bpf()
    assert g.log_denied and g.architectures == f.architectures and g.mode == f.mode
    assert g.policy_digest == f.policy_digest and len(g.policy_digest) == 64
    assert g.simulate("execve") == "errno:EACCES"


def test_shared_malformed_inputs_are_refused() -> None:
    cases = json.loads((FIXTURES / "expected.json").read_text())
    assert len(cases) >= 15
    for name, case in cases.items():
        data = (FIXTURES / name).read_bytes()
        with pytest.raises(sysfence.InvalidArgumentError) as info:
            if case["kind"] == "sfb":
                sysfence.Filter.from_bytes(data)
            else:
                sysfence.Filter.from_raw_bpf(data)
        assert case["error"] in str(info.value), name
    with pytest.raises(sysfence.InvalidArgumentError, match="x86_65"):
        sysfence.Filter.from_raw_bpf(b"\6\0\0\0\0\0\377\177", arches=["x86_65"])
