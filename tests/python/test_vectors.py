"""Every case in tests/vectors/ (the cases the core and every binding run), through the wheel."""

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

import sysfence

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CASES = sorted(VECTORS.glob("*.json"))


def test_the_vectors_are_there() -> None:
    assert len(CASES) >= 10, f"vectors missing in {VECTORS}"


def load(path: Path) -> Dict[str, Any]:
    case: Dict[str, Any] = json.loads(path.read_text())
    return case


def check(case: Dict[str, Any]) -> List[sysfence.Diagnostic]:
    if "policy_text" in case:
        return sysfence.check_policy_json(case["policy_text"])
    if isinstance(case["policy"], str):  # a JSON string, not a preset name
        return sysfence.check_policy_json(json.dumps(case["policy"]))
    return sysfence.check_policy(case["policy"])


def build(case: Dict[str, Any]) -> sysfence.Policy:
    if "policy_text" in case:
        return sysfence.Policy.from_json(case["policy_text"])
    if isinstance(case["policy"], str):
        return sysfence.Policy.from_json(json.dumps(case["policy"]))
    return sysfence.Policy(case["policy"])


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_vector(path: Path) -> None:
    case = load(path)
    diags = check(case)
    errors = {d["path"] for d in diags if d["severity"] == "error"}
    if "errors" in case:
        expected = set(case["errors"])
        assert errors == expected, diags
        with pytest.raises(sysfence.PolicyError) as info:
            build(case)
        assert info.value.code == "policy"
        assert info.value.path in expected
        assert {d["path"] for d in info.value.diagnostics} == expected
        if "policy" in case:
            with pytest.raises(sysfence.PolicyError) as compile_info:
                sysfence.compile_policy(case["policy"])
            assert compile_info.value.path in expected
        for path_, needle in case.get("error_contains", {}).items():
            messages = [d["message"] for d in diags if d["path"] == path_]
            assert any(needle in m for m in messages), (path_, messages)
        return

    assert not errors, diags
    warnings = {d["path"] for d in diags}
    for w in case.get("warnings", []):
        assert w in warnings, (w, diags)
    policy = build(case)
    assert sysfence.Policy(policy.to_dict()) == policy  # the canonical form reads back
    f = sysfence.compile_policy(policy)
    assert len(f) > 0
    for sim in case.get("simulate", []):
        action = f.simulate(sim["syscall"], sim.get("args", ()), sim.get("arch"))
        assert action == sim["action"], sim
