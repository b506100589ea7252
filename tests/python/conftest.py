# SPDX-License-Identifier: MIT OR Apache-2.0
"""Shared set-up of the Python suite.

The suite runs against the wheel installed into a fresh venv (make test-python), never against
the source tree: test_wheel.py checks where ``sysfence`` was imported from. Every seccomp filter
is loaded in a child process (see childproc.py), never in the pytest process.
"""

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A skipped test would hide missing work: the run fails instead.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0:
        print(f"\nsysfence: {len(skipped)} test(s) skipped; every test must run")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
