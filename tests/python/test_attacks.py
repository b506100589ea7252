# SPDX-License-Identifier: MIT OR Apache-2.0
"""Attacks on the conversion of Python values into a policy (issue 9, the audit of the Node
binding's items 7 and 8 applied to Python): lengths that lie, containers that override how they
are read, keys that compare equal, sizes without bound. Each must read the stored data once, or
fail with a coded error naming the path; never abort the interpreter or read twice. What could
abort runs in a child process, so an abort fails the test instead of killing pytest."""

import collections.abc
import sys
import time
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import sysfence
from childproc import result

NO_EXEC: Dict[str, Any] = {"default_action": "allow", "extends": ["no-exec"]}


def policy_error(policy: Any, path: str, text: str) -> sysfence.PolicyError:
    """The PolicyError `Policy(policy)` raises, at `path`, its message containing `text`; and
    check_policy reports the same without raising."""
    with pytest.raises(sysfence.PolicyError) as info:
        sysfence.Policy(policy)
    assert info.value.path == path, info.value
    assert text in str(info.value), info.value
    assert [d["path"] for d in sysfence.check_policy(policy)["diagnostics"] if d["severity"] == "error"] == [path]
    return info.value


def test_simulate_never_preallocates_from_len() -> None:
    # range(2**40) is a Sequence whose len is 2**40: Vec<u64> extraction reserved 8 TiB and
    # aborted. A class whose __len__ says sys.maxsize made a capacity-overflow panic.
    got = result(
        """
        import time

        class Lying:
            def __len__(self): return sys.maxsize
            def __getitem__(self, i):
                if i < 3: return i
                raise IndexError(i)
        f = sysfence.compile_policy("no-exec")
        out = {}
        for name, args in (("range", range(2**40)), ("lying", Lying()), ("long", [0] * 10**7)):
            start = time.monotonic()
            try:
                out[name] = [f.simulate("read", args)]
            except Exception as e:
                out[name] = [type(e).__name__, str(e)]
            out[name].append(time.monotonic() - start)
        print(json.dumps(out))
        """,
        timeout=30,
    )
    for name in ("range", "long"):
        kind, message, seconds = got[name]
        assert kind == "InvalidArgumentError", got
        assert "more than 16 arguments" in message
        assert seconds < 1
    # __len__ is never asked: the three items it yields are read.
    assert got["lying"][0] == "allow", got


def test_simulate_arguments_are_read_once() -> None:
    class Counted(int):
        reads = 0

        def __index__(self) -> int:
            Counted.reads += 1
            return 0

    calls: List[int] = []

    def generate() -> Iterator[int]:
        calls.append(1)
        yield 1

    f = sysfence.compile_policy("no-exec")
    assert f.simulate("read", [Counted(5), 2]) == "allow"
    assert Counted.reads == 0  # an int subclass is read by its value
    with pytest.raises(TypeError):
        f.simulate("read", generate())  # type: ignore[arg-type]  # not a sequence
    assert calls == []
    assert f.simulate("read", None) == "allow"


def test_dict_subclasses_are_read_by_their_contents() -> None:
    class Lying(Dict[str, Any]):
        def items(self) -> Any:
            return [("mode", "log")]

        def keys(self) -> Any:
            return ["mode"]

        def __getitem__(self, key: str) -> Any:
            return "log"

        def __iter__(self) -> Iterator[str]:
            return iter(["mode"])

        def __len__(self) -> int:
            return 10**9

    policy = sysfence.Policy(Lying(NO_EXEC))
    assert policy.to_dict()["mode"] == "enforce"
    assert policy == sysfence.Policy(NO_EXEC)


def test_list_and_scalar_subclasses_are_read_by_their_values() -> None:
    reads: List[str] = []

    class Rules(List[Any]):
        def __iter__(self) -> Iterator[Any]:
            reads.append("iter")
            return iter([])

        def __len__(self) -> int:
            reads.append("len")
            return 2**62

        def __getitem__(self, i: Any) -> Any:
            reads.append("getitem")
            return {}

    class Name(str):
        def __str__(self) -> str:
            reads.append("str")
            return "allow"

    class Value(int):
        def __index__(self) -> int:
            reads.append("index")
            return 0

        def __int__(self) -> int:
            reads.append("int")
            return 0

        def __float__(self) -> float:
            reads.append("float")
            return 0.0

    rules = Rules([{"action": Name("errno"), "syscalls": ["dup"], "args": [{"index": 0, "op": "eq", "value": Value(7)}]}])
    f = sysfence.compile_policy({"default_action": "allow", "rules": rules})
    assert f.simulate("dup", (7,)) == "errno:EPERM"
    assert f.simulate("dup", (0,)) == "allow"
    # A value that does not fit 64 bits is read by value too, and out of range.
    policy_error({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["dup"], "args": [{"index": 0, "op": "eq", "value": Value(2**70)}]}]}, "rules[0].args[0].value", "")
    assert reads == []


def test_the_same_key_twice_is_an_error() -> None:
    # A str subclass can keep two equal keys apart in one dict.
    class Key(str):
        def __hash__(self) -> int:
            return id(self)

        def __eq__(self, other: object) -> bool:
            return self is other

    twice = {"default_action": "allow", "extends": ["no-exec"], Key("mode"): "enforce", Key("mode"): "log"}
    assert len(twice) == 4
    policy_error(twice, "mode", "the same key appears twice")

    # A mapping's items() can list a key twice.
    class Pairs(collections.abc.Mapping):  # type: ignore[type-arg]
        def __init__(self, pairs: List[Tuple[str, Any]]) -> None:
            self.pairs = pairs

        def items(self) -> Any:
            return self.pairs

        def __getitem__(self, key: str) -> Any:
            raise KeyError(key)

        def __iter__(self) -> Iterator[str]:
            return iter(k for k, _ in self.pairs)

        def __len__(self) -> int:
            return len(self.pairs)

    pairs = Pairs([("default_action", "allow"), ("mode", "enforce"), ("mode", "log"), ("extends", ["no-exec"])])
    policy_error(pairs, "mode", "the same key appears twice")
    policy_error({"default_action": "allow", "rules": [Pairs([("action", "allow"), ("action", "errno")])]}, "rules[0].action", "twice")


def test_mappings_are_read_once_and_their_errors_have_a_path() -> None:
    calls: List[str] = []

    class Once(collections.abc.Mapping):  # type: ignore[type-arg]
        def __init__(self, data: Dict[str, Any]) -> None:
            self.data = data

        def items(self) -> Any:
            calls.append("items")
            return list(self.data.items())

        def __getitem__(self, key: str) -> Any:
            calls.append("getitem")
            return self.data[key]

        def __iter__(self) -> Iterator[str]:
            calls.append("iter")
            return iter(self.data)

        def __len__(self) -> int:
            calls.append("len")
            return len(self.data)

    assert sysfence.Policy(Once(NO_EXEC)) == sysfence.Policy(NO_EXEC)
    assert calls == ["items"]

    class Broken(Once):
        def items(self) -> Any:
            raise RuntimeError("boom")

    policy_error({"default_action": "allow", "rules": [Broken({})]}, "rules[0]", "reading the mapping failed")

    class Huge(Once):
        def items(self) -> Any:
            return [(f"k{i}", i) for i in range(70000)]

    policy_error({"default_action": "allow", "description": Huge({})}, "description", "a mapping of 70000 items")


def test_keys_that_are_not_strings_run_no_repr() -> None:
    reprs: List[int] = []

    class Key:
        def __repr__(self) -> str:
            reprs.append(1)
            raise RuntimeError("repr")

        def __hash__(self) -> int:
            return 1

    policy_error({"default_action": "allow", Key(): 1}, "$", "keys must be strings, found Key")
    policy_error({"default_action": "allow", 7: 1}, "$", "keys must be strings, found int 7")
    assert reprs == []


def test_sizes_are_bounded() -> None:
    start = time.monotonic()
    policy_error({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["dup"] * 65537}]}, "rules[0].syscalls", "a list of 65537 items; at most 65536")
    policy_error({"default_action": "allow", "extends": ("no-exec",) * 10**6}, "extends", "a tuple of 1000000 items")
    policy_error({"default_action": "allow", "description": "x" * (5 << 20)}, "description", "larger than 4 MiB")
    wide = {f"k{i}": i for i in range(65537)}
    policy_error({"default_action": "allow", "description": wide}, "description", "a dict of 65537 items")
    # Many small values count too; the walk stops at the first error, with one diagnostic.
    rules = [{"action": "errno", "syscalls": ["dup"], "comment": "x" * 100} for _ in range(65536)]
    with pytest.raises(sysfence.PolicyError) as info:
        sysfence.Policy({"default_action": "allow", "rules": rules})
    assert info.value.path.startswith("rules["), info.value
    assert "larger than 4 MiB" in str(info.value)
    assert len(info.value.diagnostics) == 1
    assert time.monotonic() - start < 10
    # Within the bounds, everything still works.
    found = sysfence.check_policy({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["dup"] * 1000}]})
    assert found["errors"] == 0


def test_deep_nesting_stops_without_a_recursion_error() -> None:
    deep: List[Any] = []
    top = deep
    for _ in range(100000):
        deep.append([])
        deep = deep[0]
    error = policy_error({"default_action": "allow", "rules": top}, "rules" + "[0]" * 128, "nested more than 128 levels")
    assert len(error.diagnostics) == 1
    assert sys.getrecursionlimit() < 100000  # the walk is not Python recursion


def test_a_panic_is_an_internal_error_that_except_exception_catches() -> None:
    # pyo3 raises a caught panic as PanicException, a BaseException: `except Exception` in the
    # user's start-up code would not catch it. Every entry point runs under the boundary that
    # turns it into sysfence.InternalError instead.
    from sysfence import _sysfence

    try:
        _sysfence._panic_for_tests()
    except Exception as e:  # noqa: BLE001 - the point of the test
        caught: BaseException = e
    assert isinstance(caught, sysfence.InternalError), type(caught)
    assert isinstance(caught, sysfence.SeccompError)
    assert caught.code == "internal"
    assert "raised on purpose" in str(caught)
