# SPDX-License-Identifier: MIT OR Apache-2.0
"""The shapes of the dicts sysfence returns, for type checkers (``typing.TypedDict``)."""

from typing import Any, List, Literal, Mapping, Optional, TypedDict

__all__ = ["CheckReport", "Diagnostic", "PolicyDict", "Report", "Status"]


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


#: A policy in the JSON format as a dict (``{"default_action": "allow", "rules": [...]}``).
PolicyDict = Mapping[str, Any]
