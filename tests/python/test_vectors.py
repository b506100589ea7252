# SPDX-License-Identifier: MIT OR Apache-2.0
"""Every case in tests/vectors/ (the cases the core and every binding run), through the wheel."""

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import sysfence

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CASES = sorted(VECTORS.glob("*.json"))


def test_the_vectors_are_there() -> None:
    assert len(CASES) >= 10, f"vectors missing in {VECTORS}"


def load(path: Path) -> Dict[str, Any]:
    case: Dict[str, Any] = json.loads(path.read_text())
    return case


def check(case: Dict[str, Any]) -> sysfence.CheckReport:
    if "argument" in case:  # a str policy argument: JSON text or a preset name
        return sysfence.check_policy(case["argument"])
    if "policy_text" in case:
        return sysfence.check_policy_json(case["policy_text"])
    if isinstance(case["policy"], str):  # a JSON string, not a policy argument
        return sysfence.check_policy_json(json.dumps(case["policy"]))
    return sysfence.check_policy(case["policy"])


def build(case: Dict[str, Any]) -> sysfence.Filter:
    if "argument" in case:
        return sysfence.compile_policy(case["argument"])
    if "policy_text" in case:
        return sysfence.Policy.from_json(case["policy_text"]).compile()
    if isinstance(case["policy"], str):
        return sysfence.Policy.from_json(json.dumps(case["policy"])).compile()
    return sysfence.compile_policy(case["policy"])


def pairs(diagnostics: List[Any]) -> List[Tuple[str, str]]:
    return [(d["path"], d["kind"]) for d in diagnostics]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_vector(path: Path) -> None:
    case = load(path)
    report = check(case)
    diags = report["diagnostics"]
    errors = [d for d in diags if d["severity"] == "error"]
    assert report["ok"] == (not errors)
    assert (report["errors"], report["warnings"]) == (len(errors), len(diags) - len(errors))
    if "errors" in case:
        assert pairs(errors) == pairs(case["errors"]), diags
        for path_, suggestion in case.get("suggestions", {}).items():
            assert [d["suggestion"] for d in errors if d["path"] == path_] == [suggestion]
        with pytest.raises(sysfence.PolicyError) as info:
            build(case)
        assert info.value.code == "policy"
        assert info.value.path == case["errors"][0]["path"]
        assert pairs(info.value.diagnostics)[0] == pairs(case["errors"])[0]
        return

    assert pairs(diags) == pairs(case["warnings"]), diags
    if "policy" in case and not isinstance(case["policy"], str):
        policy = sysfence.Policy(case["policy"])
        assert sysfence.Policy(policy.to_dict()) == policy  # the canonical form reads back
    f = build(case)
    for sim in case.get("simulate", []):
        action = f.simulate(sim["syscall"], sim.get("args", ()), sim.get("arch"))
        assert action == sim["action"], sim
        if "decided_by" in sim:
            e = f.explain(sim["syscall"], sim.get("args", ()), sim.get("arch"))
            assert (e["action"], e["decided_by"]) == (sim["action"], sim["decided_by"]), sim
