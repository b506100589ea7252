# SPDX-License-Identifier: MIT OR Apache-2.0
"""sysfence: declarative seccomp-bpf policies, applied to the whole process in one call.

>>> import sysfence
>>> sysfence.apply_policy("no-exec")  # doctest: +SKIP
{'architectures': ['x86_64'], 'instructions': 13, 'log_denied': True, 'mode': 'enforce'}

The native module ``sysfence._sysfence`` does the work (a Rust core over a statically linked
libseccomp); this package only re-exports it. See docs/python.md.
"""

from ._sysfence import (
    LIBSECCOMP_VERSION,
    PRESETS,
    CompileError,
    Filter,
    InternalError,
    InvalidArgumentError,
    LoadError,
    LoadPermissionError,
    Policy,
    PolicyError,
    SeccompError,
    UnsupportedError,
    __version__,
    apply_policy,
    check_policy,
    check_policy_json,
    compile_policy,
    parse_audit_line,
    status,
)
from ._types import (
    CheckReport,
    Diagnostic,
    Explanation,
    MultiplexedVerdict,
    PolicyDict,
    Report,
    Status,
)

__all__ = [
    "LIBSECCOMP_VERSION",
    "PRESETS",
    "CheckReport",
    "CompileError",
    "Diagnostic",
    "Explanation",
    "Filter",
    "InternalError",
    "InvalidArgumentError",
    "LoadError",
    "LoadPermissionError",
    "MultiplexedVerdict",
    "Policy",
    "PolicyDict",
    "PolicyError",
    "Report",
    "SeccompError",
    "Status",
    "UnsupportedError",
    "__version__",
    "apply_policy",
    "check_policy",
    "check_policy_json",
    "compile_policy",
    "parse_audit_line",
    "status",
]
