# SPDX-License-Identifier: MIT OR Apache-2.0
"""Log mode against the kernel's audit log, and parsing its records (parse_audit_line).

This file runs before the other kernel tests: the kernel prints at most 10 audit lines per 5 s,
and the filters loaded by the other tests write such lines too.
"""

import errno
import json
import os
import platform
import time
from typing import List, Optional

import sysfence

import childproc


class Kmsg:
    """Reads /dev/kmsg records written after it was opened (the kernel's seccomp log lines)."""

    def __init__(self) -> None:
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)

    def find(self, needles: List[str], timeout: float = 2.0) -> Optional[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                record = os.read(self.fd, 8192).decode(errors="replace")
            except BlockingIOError:
                time.sleep(0.05)
                continue
            except BrokenPipeError:  # records were overwritten: go on reading
                continue
            line = record.split(";", 1)[-1].split("\n", 1)[0].strip()
            if all(n in record for n in needles):
                return line
        return None

    def close(self) -> None:
        os.close(self.fd)


def test_log_mode_lets_the_call_through_and_the_kernel_logs_it() -> None:
    script = """
        sysfence.apply_policy({"default_action": "allow", "mode": sys.argv[1],
                               "rules": [{"action": "errno:EACCES", "syscalls": ["getppid"]},
                                         {"action": "errno:EACCES", "syscalls": ["@exec"]}]})
        seen = {"pid": os.getpid(), "getppid": os.getppid()}
        try:
            seen["true"] = subprocess.run(["/bin/true"]).returncode
        except PermissionError as e:
            seen["true"] = -e.errno
        print(json.dumps(seen))
        """
    # The kernel rate-limits the audit lines it prints (10 per 5 s, shared with every other
    # process on the machine): retry after the window.
    line = None
    for _ in range(4):
        kmsg = Kmsg()
        try:
            proc = childproc.run(script, args=["log"])
            assert proc.returncode == 0, proc.stderr
            seen = json.loads(proc.stdout)
            assert seen["getppid"] == os.getpid()  # the refused call ran
            assert seen["true"] == 0
            line = kmsg.find(["type=1326", f" pid={seen['pid']} ", f" syscall={getppid_nr()} "])
        finally:
            kmsg.close()
        if line:
            break
        time.sleep(5.5)
    assert line, "no seccomp log record for the log-mode call"
    # The same policy enforced refuses both calls (so the checks above can fail).
    enforce = json.loads(childproc.run(script, args=["enforce"]).stdout)
    assert enforce["getppid"] == -errno.EACCES
    assert enforce["true"] == -errno.EACCES
    doc = sysfence.parse_audit_line(line)
    assert doc is not None
    assert doc["process"]["pid"] == seen["pid"]
    assert doc["seccomp"]["syscall"]["name"] == "getppid"
    assert doc["seccomp"]["action"] == "log"


def getppid_nr() -> int:
    return {"x86_64": 110, "aarch64": 173}[platform.machine()]


def test_parse_audit_line() -> None:
    line = (
        'audit: type=1326 audit(1603120490.865:8): auid=1000 uid=0 gid=0 ses=3 pid=1376 comm="nc" '
        'exe="/usr/bin/nc.traditional" sig=31 arch=c000003e syscall=49 compat=0 ip=0x7f9ad10d7497 code=0x0'
    )
    doc = sysfence.parse_audit_line(line)
    assert doc is not None
    assert doc["event"]["action"] == "violated-seccomp-policy"
    assert doc["process"]["pid"] == 1376
    assert doc["seccomp"]["syscall"]["name"] == "bind"
    assert doc["seccomp"]["action"] == "kill_thread"
    assert sysfence.parse_audit_line("kernel: eth0: link up") is None
    assert sysfence.parse_audit_line("") is None
