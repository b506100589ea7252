# SPDX-License-Identifier: MIT OR Apache-2.0
"""The API without loading anything: policies, compiling, simulating, checking, errors."""

import errno
import json
import math
import struct
from pathlib import Path
from typing import Any, Dict

import pytest

import sysfence

DENY_PTRACE: Dict[str, Any] = {
    "default_action": "allow",
    "rules": [{"action": "errno:EPERM", "syscalls": ["ptrace"]}],
}


def test_exports_match_all() -> None:
    for name in sysfence.__all__:
        assert hasattr(sysfence, name), name
    assert sysfence.__version__
    assert "no-exec" in sysfence.PRESETS


def test_policy_constructors_agree() -> None:
    from_dict = sysfence.Policy(DENY_PTRACE)
    from_json = sysfence.Policy.from_json(json.dumps(DENY_PTRACE))
    assert from_dict == from_json
    assert from_dict != sysfence.Policy.preset("no-exec")
    assert from_dict != "not a policy"
    # Canonical form: every field spelt out, and it validates back to the same policy.
    canonical = from_dict.to_dict()
    assert canonical["mode"] == "enforce"
    assert canonical["log_denied"] is True
    assert canonical["rules"] == DENY_PTRACE["rules"]
    assert sysfence.Policy(canonical) == from_dict
    assert sysfence.Policy.from_json(from_dict.to_json()) == from_dict
    assert repr(from_dict).startswith("Policy({")


def test_policy_from_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(DENY_PTRACE))
    assert sysfence.Policy.from_file(path) == sysfence.Policy(DENY_PTRACE)
    assert sysfence.Policy.from_file(str(path)) == sysfence.Policy(DENY_PTRACE)


def test_policy_from_file_errors_are_os_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(FileNotFoundError) as info:
        sysfence.Policy.from_file(missing)
    assert info.value.errno == errno.ENOENT
    assert info.value.filename == str(missing)
    with pytest.raises(IsADirectoryError):
        sysfence.Policy.from_file(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"default_action": "allow", "rules": [{"action": "allow", "syscalls": ["redd"]}]}')
    with pytest.raises(sysfence.PolicyError) as perr:
        sysfence.Policy.from_file(bad)
    assert perr.value.path == "rules[0].syscalls[0]"


def test_preset_and_its_suggestion() -> None:
    assert sysfence.Policy.preset("no-exec").to_dict()["rules"][0]["action"] == "errno:EACCES"
    with pytest.raises(sysfence.PolicyError) as info:
        sysfence.Policy.preset("no-exce")
    assert info.value.path == "$"
    assert info.value.code == "policy"
    assert '"no-exec"' in info.value.diagnostics[0]["message"]  # the "did you mean" suggestion


def test_compile_and_filter_exports() -> None:
    for policy in (DENY_PTRACE, sysfence.Policy(DENY_PTRACE)):
        f = sysfence.compile_policy(policy)
        assert len(f) > 0
        program = f.bpf()
        assert isinstance(program, bytes) and len(program) == 8 * len(f)
        # struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: the last instruction returns.
        code, _, _, _ = struct.unpack("=HBBI", program[-8:])
        assert code & 0x07 == 0x06  # BPF_RET
        assert "ptrace" in f.pfc()
        assert f.architectures == [sysfence.compile_policy("no-exec").architectures[0]]
        assert f.mode == "enforce" and f.log_denied is True
        assert "instructions" in repr(f)
    assert sysfence.Policy(DENY_PTRACE).compile().bpf() == sysfence.compile_policy(DENY_PTRACE).bpf()


def test_simulate() -> None:
    f = sysfence.compile_policy("no-exec")
    assert f.simulate("execve") == "errno:EACCES"
    assert f.simulate("getpid") == "allow"
    assert f.simulate("openat", (0, 0, 0)) == "allow"
    assert f.simulate("openat", args=[0, 2**64 - 1]) == "allow"
    # The i386 and x32 ABIs meet the bad-arch action unless the policy lists them.
    assert f.simulate("execve", arch="x86") == "kill_process"
    assert f.simulate("execve", arch="x32") == "kill_process"
    args = sysfence.compile_policy(
        {
            "default_action": "allow",
            "rules": [
                {
                    "action": "errno:EACCES",
                    "syscalls": ["lseek"],
                    "args": [{"index": 1, "op": "eq", "value": 2**32}],
                }
            ],
        }
    )
    assert args.simulate("lseek", (3, 2**32, 0)) == "errno:EACCES"
    assert args.simulate("lseek", (3, 0, 0)) == "allow"


def test_simulate_argument_errors() -> None:
    f = sysfence.compile_policy("no-exec")
    with pytest.raises(sysfence.InvalidArgumentError) as info:
        f.simulate("exceve")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, sysfence.SeccompError)
    assert info.value.code == "invalid_argument"
    assert '"execve"' in str(info.value)  # the "did you mean" suggestion
    with pytest.raises(sysfence.InvalidArgumentError):
        f.simulate("execve", arch="armv9")
    with pytest.raises(sysfence.InvalidArgumentError):
        f.simulate("execve", tuple(range(7)))
    with pytest.raises(OverflowError):
        f.simulate("execve", (-1,))
    with pytest.raises(TypeError):
        f.simulate("execve", "abc")  # type: ignore[arg-type]


def test_explain_names_what_decided() -> None:
    f = sysfence.compile_policy(
        {
            "default_action": "allow",
            "rules": [
                {
                    "action": "errno:EAFNOSUPPORT",
                    "syscalls": ["socket"],
                    "args": [{"index": 0, "op": "eq", "value": 2}],
                }
            ],
        }
    )
    e: sysfence.Explanation = f.explain("socket", (2, 1, 0))
    assert (e["syscall"], e["action"]) == ("socket", "errno:EAFNOSUPPORT")
    assert e["decided_by"] == "rules[0].syscalls[0] (errno:EAFNOSUPPORT)"
    assert len(e["arguments"]) == 1
    assert e["instructions"] > 0 and e["arch"] == "x86_64" and e["nr"] == 41
    read = f.explain("read")
    assert (read["action"], read["decided_by"]) == ("allow", "default_action")
    assert "arguments" not in read and "multiplexed" not in read
    assert f.explain("read", arch="x86")["decided_by"].startswith("bad_arch_action ")


def test_explain_multiplexed_call() -> None:
    f = sysfence.compile_policy(
        {
            "default_action": "allow",
            "architectures": ["x86_64", "x86"],
            "rules": [{"action": "errno:EPERM", "syscalls": ["@network"]}],
        }
    )
    e = f.explain("socket", (2, 1, 0), arch="x86")
    assert (e["syscall"], e["arch"], e["nr"], e["action"]) == ("socket", "x86", 359, "errno:EPERM")
    m = e["multiplexed"]
    assert (m["multiplexer"], m["nr"], m["call"], m["action"]) == ("socketcall", 102, 1, "errno:EPERM")
    assert e["multiplexed_decided_by"] == "rules[0].syscalls[0] (errno:EPERM)"


def test_explain_argument_errors() -> None:
    f = sysfence.compile_policy("no-exec")
    with pytest.raises(sysfence.InvalidArgumentError) as info:
        f.explain("exceve")
    assert info.value.code == "invalid_argument"
    assert '"execve"' in str(info.value)
    with pytest.raises(sysfence.InvalidArgumentError):
        f.explain("execve", arch="armv9")
    with pytest.raises(sysfence.InvalidArgumentError):
        f.explain("execve", tuple(range(7)))
    with pytest.raises(OverflowError):
        f.explain("execve", (-1,))


def test_check_policy_reports_errors_and_warnings_with_paths() -> None:
    report = sysfence.check_policy(
        {"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["exceve", "ptrace"]}]}
    )
    diags = report["diagnostics"]
    assert (report["ok"], report["errors"], report["warnings"]) == (False, 1, 0)
    assert [(d["severity"], d["kind"], d["path"], d["suggestion"]) for d in diags] == [
        ("error", "unknown_syscall", "rules[0].syscalls[0]", "execve")
    ]
    warnings = sysfence.check_policy(
        {"default_action": "errno", "mode": "log", "rules": [{"action": "allow", "syscalls": ["read"]}]}
    )["diagnostics"]
    assert ("warning", "log_mode", "mode") == (warnings[0]["severity"], warnings[0]["kind"], warnings[0]["path"])
    clean = {"ok": True, "errors": 0, "warnings": 0, "diagnostics": []}
    assert sysfence.check_policy("no-exec") == clean
    assert sysfence.check_policy(sysfence.Policy.preset("no-exec")) == clean
    # A str is JSON text or a preset name, as in every language.
    assert sysfence.check_policy(json.dumps(DENY_PTRACE)) == clean
    [unknown] = sysfence.check_policy("no-exce")["diagnostics"]
    assert (unknown["kind"], unknown["path"], unknown["suggestion"]) == ("unknown_preset", "$", "no-exec")
    assert [d["kind"] for d in sysfence.check_policy_json('{"default_action": ')["diagnostics"]] == ["invalid_json"]
    assert sysfence.check_policy_json(json.dumps(DENY_PTRACE)) == clean
    assert sysfence.compile_policy(json.dumps(DENY_PTRACE)).simulate("ptrace") == "errno:EPERM"


def test_policy_error_lists_every_problem() -> None:
    with pytest.raises(sysfence.PolicyError) as info:
        sysfence.compile_policy(
            {"default_action": "allow", "colour": 1, "rules": [{"action": "deny", "syscalls": ["read"]}]}
        )
    err = info.value
    assert isinstance(err, sysfence.SeccompError)
    assert err.code == "policy"
    assert err.path in {"colour", "rules[0].action"}
    assert sorted(d["path"] for d in err.diagnostics) == ["colour", "rules[0].action"]
    assert all(d["severity"] == "error" for d in err.diagnostics)


@pytest.mark.parametrize(
    "policy, path",
    [
        ({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["read"], "args": [{"index": 0, "op": "eq", "value": math.nan}]}]}, "rules[0].args[0].value"),
        ({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["read"], "args": [{"index": 0, "op": "eq", "value": math.inf}]}]}, "rules[0].args[0].value"),
        # Beyond 64 bits: out of range, exactly where it stands.
        ({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["read"], "args": [{"index": 0, "op": "eq", "value": 2**64}]}]}, "rules[0].args[0].value"),
        ({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["read"], "args": [{"index": 0, "op": "eq", "value": 10**400}]}]}, "rules[0].args[0].value"),
        ({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["read"], "args": [{"index": 0, "op": "eq", "value": -1}]}]}, "rules[0].args[0].value"),
        ({"default_action": "allow", "rules": [{1: "errno", "syscalls": ["read"]}]}, "rules[0]"),
        ({"default_action": "allow", "rules": [{"action": "errno", "syscalls": {"read"}}]}, "rules[0].syscalls"),
        ({"default_action": "allow", "rules": [{"action": b"errno", "syscalls": ["read"]}]}, "rules[0].action"),
        ({"default_action": "\ud800"}, "default_action"),  # a lone surrogate is no UTF-8
        ({"default_action": "allow", "\ud800": 1}, "$"),
        ("no-such-preset", "$"),
        (["execve"], "$"),
        (42, "$"),
        (None, "$"),
    ],
)
def test_values_json_cannot_hold_are_policy_errors(policy: Any, path: str) -> None:
    with pytest.raises(sysfence.PolicyError) as info:
        sysfence.compile_policy(policy)
    assert info.value.path == path
    assert info.value.code == "policy"
    errors = [d for d in sysfence.check_policy(policy)["diagnostics"] if d["severity"] == "error"]
    assert [d["path"] for d in errors] == [path]


def test_integers_beyond_64_bits_are_reported_as_written() -> None:
    class Sneaky(int):
        def __str__(self) -> str:
            raise AssertionError("__str__ called")

        __repr__ = __str__

    for value in (2**64, Sneaky(2**64)):
        policy = {"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["read"], "args": [{"index": 0, "op": "eq", "value": value}]}]}
        with pytest.raises(sysfence.PolicyError) as info:
            sysfence.compile_policy(policy)
        assert "18446744073709551616" in str(info.value)
        assert "e19" not in str(info.value) and ".0" not in str(info.value)


def test_a_policy_that_contains_itself_is_a_policy_error() -> None:
    rule: Dict[str, Any] = {"action": "errno", "syscalls": ["read"]}
    rule["args"] = [rule]
    with pytest.raises(sysfence.PolicyError) as info:
        sysfence.Policy({"default_action": "allow", "rules": [rule]})
    assert info.value.path.startswith("rules[0].args[0].args[0]")


def test_tuples_and_mappings_are_accepted() -> None:
    from types import MappingProxyType

    policy = MappingProxyType({"default_action": "allow", "rules": ({"action": "errno:EPERM", "syscalls": ("ptrace",)},)})
    assert sysfence.Policy(policy) == sysfence.Policy(DENY_PTRACE)


def test_exception_hierarchy() -> None:
    for cls in (sysfence.PolicyError, sysfence.CompileError, sysfence.LoadError, sysfence.UnsupportedError, sysfence.InvalidArgumentError):
        assert issubclass(cls, sysfence.SeccompError), cls
        assert cls.__module__ == "sysfence"
    assert issubclass(sysfence.LoadPermissionError, sysfence.LoadError)
    assert issubclass(sysfence.LoadPermissionError, PermissionError)
    assert issubclass(sysfence.InvalidArgumentError, ValueError)
    assert not issubclass(sysfence.SeccompError, OSError)


DOCKER_PROFILE: Dict[str, Any] = {
    "defaultAction": "SCMP_ACT_ERRNO",
    "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["dup"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
         "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]},
    ],
}


def test_policy_from_oci_resolves_the_context_and_to_oci_round_trips() -> None:
    p = sysfence.Policy.from_oci(DOCKER_PROFILE, arch="x86_64", kernel="6.1")
    out = p.to_oci()
    names = [n for s in out["syscalls"] for n in s["names"]]
    assert "mount" not in names and "read" in names
    assert out["defaultErrnoRet"] == 1 and out["architectures"] == ["SCMP_ARCH_X86_64"]
    assert out["syscalls"][-1]["args"][0]["value"] == 2**64 - 1  # exact
    assert sysfence.Policy.from_oci(out) == p
    admin = sysfence.Policy.from_oci(json.dumps(DOCKER_PROFILE), caps="default,CAP_SYS_ADMIN")
    assert "mount" in [n for s in admin.to_oci("docker")["syscalls"] for n in s["names"]]
    assert sysfence.Policy.preset("docker-default").to_oci()["defaultAction"] == "SCMP_ACT_ERRNO"
    # A profile is accepted wherever a policy is (default context).
    assert sysfence.Policy(DOCKER_PROFILE).to_oci()["syscalls"] == sysfence.Policy.from_oci(DOCKER_PROFILE).to_oci()["syscalls"]


def test_policy_from_oci_errors_name_the_profile_path() -> None:
    with pytest.raises(sysfence.PolicyError) as e:
        sysfence.Policy.from_oci({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]})
    assert e.value.path == "syscalls[0].names"
    with pytest.raises(sysfence.InvalidArgumentError):
        sysfence.Policy.from_oci(DOCKER_PROFILE, caps=["CAP_FLY"])
