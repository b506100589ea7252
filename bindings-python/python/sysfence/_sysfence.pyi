# SPDX-License-Identifier: MIT OR Apache-2.0
"""Type stub of the native module ``sysfence._sysfence`` (checked by ``mypy.stubtest``)."""

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union, final

from ._types import CheckReport, Diagnostic, Explanation, PolicyDict, Report, Status

__all__ = [
    "Policy",
    "Filter",
    "apply_policy",
    "compile_policy",
    "check_policy",
    "check_policy_json",
    "status",
    "parse_audit_line",
    "SeccompError",
    "PolicyError",
    "CompileError",
    "LoadError",
    "LoadPermissionError",
    "UnsupportedError",
    "InvalidArgumentError",
    "InternalError",
    "__version__",
    "LIBSECCOMP_VERSION",
    "PRESETS",
    # The test suite's panic (not API; `sysfence` does not re-export it).
    "_panic_for_tests",
]

__version__: str
#: The version of the libseccomp linked into the extension, such as ``"2.6.1"``.
LIBSECCOMP_VERSION: str
#: The preset names ``apply_policy``, ``compile_policy`` and ``Policy.preset`` accept.
PRESETS: Tuple[str, ...]

@final
class Policy:
    """A validated seccomp policy (format version 1).

    >>> p = Policy({"default_action": "allow",
    ...             "rules": [{"action": "errno:EACCES", "syscalls": ["@exec"]}]})
    >>> p.to_dict()["rules"]
    [{'action': 'errno:EACCES', 'syscalls': ['@exec']}]
    """

    def __new__(cls, policy: PolicyDict) -> "Policy": ...
    @staticmethod
    def from_json(text: str) -> "Policy":
        """Parses and validates JSON text; raises ``PolicyError``."""
    @staticmethod
    def from_file(path: Union[str, "os.PathLike[str]"]) -> "Policy":
        """Reads and validates a JSON policy file; ``OSError`` when it cannot be read."""
    @staticmethod
    def preset(name: str) -> "Policy":
        """A preset by name: ``no-exec``, ``no-spawn`` or ``hardened``."""
    @staticmethod
    def from_oci(
        profile: Union[Dict[str, Any], str],
        caps: Union[List[str], str, None] = None,
        arch: Optional[str] = None,
        kernel: Optional[str] = None,
    ) -> "Policy":
        """Imports a Docker/Podman profile, an OCI ``linux.seccomp`` object or a config.json."""
    def to_oci(self, to: str = "oci") -> Dict[str, Any]:
        """The policy as a container profile: ``oci``, ``docker`` or ``sysfence``."""
    def to_dict(self) -> Dict[str, Any]:
        """The policy as a dict in canonical form (every field present)."""
    def to_json(self) -> str:
        """The policy as pretty-printed JSON text in canonical form."""
    def compile(self) -> "Filter":
        """Compiles the policy into a ``Filter``."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class Filter:
    """A compiled seccomp filter: ``len(f)`` is its number of BPF instructions.

    >>> f = compile_policy("no-exec")
    >>> f.simulate("execve")
    'errno:EACCES'
    """

    def bpf(self) -> bytes:
        """The BPF program: 8-byte ``struct sock_filter`` records, native byte order."""
    @staticmethod
    def from_bytes(data: bytes) -> "Filter":
        """A precompiled filter (``sysfence compile --format sfb``), checked, no libseccomp work."""
    @staticmethod
    def from_raw_bpf(
        data: bytes, arches: Optional[Sequence[str]] = None, flags: int = 1
    ) -> "Filter":
        """Raw BPF from another tool, for ``arches`` (native by default), loaded with ``flags``."""
    def to_bytes(self) -> bytes:
        """The precompiled form that ``Filter.from_bytes`` reads."""
    @property
    def policy_digest(self) -> str:
        """SHA-256 (hex) of the policy's canonical JSON (empty for raw BPF)."""
    def pfc(self) -> str:
        """libseccomp's pseudo-filter-code: the filter as readable text."""
    def simulate(
        self, syscall: str, args: Optional[Sequence[int]] = None, arch: Optional[str] = None
    ) -> str:
        """The action the filter returns for ``syscall`` with ``args`` on ``arch``."""
    def explain(
        self, syscall: str, args: Optional[Sequence[int]] = None, arch: Optional[str] = None
    ) -> Explanation:
        """``simulate``, and what in the policy gave the verdict (``decided_by``)."""
    def load(self) -> None:
        """Loads the filter into this process, every thread (TSYNC); safe as preexec_fn."""
    @property
    def architectures(self) -> List[str]:
        """The architectures the filter covers."""
    @property
    def mode(self) -> str:
        """``enforce`` or ``log``."""
    @property
    def log_denied(self) -> bool:
        """Whether the kernel logs every action other than allow."""
    def __len__(self) -> int: ...

_PolicyLike = Union[Policy, PolicyDict, str]

def apply_policy(policy: _PolicyLike, *, mode: Optional[str] = None) -> Report:
    """Compiles ``policy`` and loads it into this process, all threads. All or nothing.

    ``mode`` (``"enforce"`` or ``"log"``), when given, replaces the policy's own ``mode``.

    >>> apply_policy("no-exec")  # doctest: +SKIP
    {'architectures': ['x86_64'], 'instructions': 13, 'log_denied': True, 'mode': 'enforce'}
    """

def compile_policy(policy: _PolicyLike) -> Filter:
    """Compiles ``policy`` (a dict, a ``Policy`` or a preset name) into a ``Filter``."""

def check_policy(policy: _PolicyLike) -> CheckReport:
    """Every error and warning about ``policy``, each with its kind and JSON path; never raises
    for the policy."""

def check_policy_json(text: str) -> CheckReport:
    """``check_policy`` for JSON text only."""

def status() -> Status:
    """The seccomp state of the calling thread."""

def _panic_for_tests() -> None:
    """Panics inside the boundary, on purpose, for the test suite: raises InternalError. Not API."""

def parse_audit_line(line: str) -> Optional[Dict[str, Any]]:
    """One seccomp audit record as an ECS document; None for any other line."""

class SeccompError(Exception):
    """Base class of every sysfence error."""

    code: str

class PolicyError(SeccompError):
    """The policy is invalid; nothing was compiled or loaded."""

    path: str
    diagnostics: List[Diagnostic]

class CompileError(SeccompError):
    """libseccomp refused to build the filter."""

    errno: Optional[int]

class LoadError(SeccompError):
    """The kernel refused the filter; nothing was loaded."""

    errno: Optional[int]
    tid: Optional[int]

class LoadPermissionError(LoadError, PermissionError):
    """The kernel refused the filter with EPERM or EACCES."""

    errno: int

class UnsupportedError(SeccompError):
    """The kernel or the library lacks a feature this request needs."""

class InternalError(SeccompError):
    """A bug in sysfence (a panic caught at the boundary); nothing was loaded."""

class InvalidArgumentError(SeccompError, ValueError):
    """An argument outside the policy is wrong (unknown syscall or architecture)."""
