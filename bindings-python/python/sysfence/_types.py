"""The shapes of the dicts sysfence returns, for type checkers (``typing.TypedDict``)."""

from typing import Any, List, Literal, Mapping, Optional, TypedDict

__all__ = ["Diagnostic", "PolicyDict", "Report", "Status"]


class Diagnostic(TypedDict):
    """One finding of ``check_policy``, or one entry of ``PolicyError.diagnostics``.

    ``path`` is the JSON path of the problem (``rules[0].syscalls[1]``; ``$`` for the whole
    policy).
    """

    severity: Literal["error", "warning"]
    path: str
    message: str


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
