# SPDX-License-Identifier: MIT OR Apache-2.0
"""The shapes of the dicts sysfence returns, for type checkers (``typing.TypedDict``)."""

from typing import Any, List, Literal, Mapping, Optional, TypedDict

__all__ = [
    "CheckReport",
    "Diagnostic",
    "Explanation",
    "MultiplexedVerdict",
    "PolicyDict",
    "Report",
    "Status",
]


class Diagnostic(TypedDict):
    """One finding of ``check_policy``, or one entry of ``PolicyError.diagnostics``.

    ``kind`` is a stable machine-readable name (``unknown_syscall``, ``conflict``, ...; the
    list is in docs/policy.md), ``path`` the JSON path of the problem
    (``rules[0].syscalls[1]``; ``$`` for the whole policy), ``suggestion`` the value probably
    meant, or None.
    """

    severity: Literal["error", "warning"]
    kind: str
    path: str
    message: str
    suggestion: Optional[str]


class CheckReport(TypedDict):
    """What ``check_policy`` returns, the same in every language.

    ``ok`` is True when there is no error (warnings may remain); ``errors`` and ``warnings``
    count the diagnostics of each severity.
    """

    ok: bool
    errors: int
    warnings: int
    diagnostics: List[Diagnostic]


class Report(TypedDict):
    """What ``apply_policy`` loaded."""

    instructions: int
    architectures: List[str]
    mode: Literal["enforce", "log"]
    log_denied: bool


class Status(TypedDict):
    """The seccomp state of the calling thread, from ``status()``.

    ``filters`` is None on kernels before 5.9, which do not report it.
    """

    mode: Literal["disabled", "strict", "filter"]
    filters: Optional[int]
    no_new_privs: bool


class MultiplexedVerdict(TypedDict):
    """What a filter does with the multiplexed form of a call (``socketcall(SYS_SOCKET, ...)``).

    ``multiplexer`` is ``socketcall`` or ``ipc``, ``nr`` its number, ``call`` the sub-call
    number (its first argument).
    """

    multiplexer: Literal["socketcall", "ipc"]
    nr: int
    call: int
    action: str
    instructions: int


class _ExplanationBase(TypedDict):
    syscall: str
    action: str
    instructions: int
    arch: str
    nr: int
    decided_by: str


class Explanation(_ExplanationBase, total=False):
    """What ``Filter.explain`` returns, the same in every language.

    ``decided_by`` names what gave the verdict: a rule's path and action
    (``rules[0].syscalls[0] (errno:EACCES)``), ``default_action``, or ``bad_arch_action`` and
    why. ``arguments``, present when there are any, lists the conditions that decided, each
    with the call's value. A call that ``arch`` multiplexes (i386 ``socketcall``/``ipc``) adds
    ``multiplexed`` and ``multiplexed_decided_by``.
    """

    arguments: List[str]
    multiplexed: MultiplexedVerdict
    multiplexed_decided_by: str


#: A policy in the JSON format as a dict (``{"default_action": "allow", "rules": [...]}``).
PolicyDict = Mapping[str, Any]
