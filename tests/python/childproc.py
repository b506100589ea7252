# SPDX-License-Identifier: MIT OR Apache-2.0
"""Running a small script in a child process, where a filter may be loaded safely.

The child is the same interpreter as the suite (the fresh venv's python), so it imports the
installed wheel. A script reports what it saw by printing one JSON value as its last line.
"""

import json
import subprocess
import sys
import textwrap
from typing import Any, List, Optional

PRELUDE = "import errno, json, os, subprocess, sys, threading\nimport sysfence\n"


def run(code: str, timeout: float = 60, args: Optional[List[str]] = None) -> "subprocess.CompletedProcess[str]":
    """Runs `code` (dedented, after PRELUDE) in a child python; returns the finished process."""
    script = PRELUDE + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script, *(args or [])],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def result(code: str, timeout: float = 60) -> Any:
    """Runs `code` in a child that must exit 0, and returns the JSON value of its last line."""
    proc = run(code, timeout)
    assert proc.returncode == 0, f"child exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    lines = proc.stdout.strip().splitlines()
    assert lines, f"child printed nothing\n{proc.stderr}"
    return json.loads(lines[-1])
