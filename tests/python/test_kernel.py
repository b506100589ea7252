# SPDX-License-Identifier: MIT OR Apache-2.0
"""What the kernel does once a filter is loaded. Every filter is loaded in a child process."""

import errno
import json
import os
import platform
import signal
from pathlib import Path

import sysfence

import childproc


def test_no_exec_refuses_exec_from_subprocess_os_system_and_os_execv(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    out = childproc.result(
        f"""
        marker = {str(marker)!r}
        seen = {{}}
        # Before: every way of running a program works (so the test below can fail).
        seen["before"] = subprocess.run(["/bin/true"]).returncode
        report = sysfence.apply_policy("no-exec")
        seen["report"] = report
        try:
            subprocess.run(["/bin/true"])
            seen["subprocess"] = "ran"
        except PermissionError as e:
            seen["subprocess"] = e.errno
        # os.system cannot raise: the shell never starts, so it reports exit status 127.
        status = os.system("touch " + marker)
        seen["system"] = os.waitstatus_to_exitcode(status)
        seen["marker"] = os.path.exists(marker)
        try:
            os.execv("/bin/false", ["false"])
        except PermissionError as e:
            seen["execv"] = e.errno
        seen["status"] = sysfence.status()
        print(json.dumps(seen))
        """
    )
    assert out["before"] == 0
    assert out["subprocess"] == errno.EACCES
    assert out["system"] == 127
    assert out["marker"] is False
    assert out["execv"] == errno.EACCES
    assert out["report"]["mode"] == "enforce"
    assert out["report"]["instructions"] == len(sysfence.compile_policy("no-exec"))
    assert out["report"]["architectures"] == sysfence.compile_policy("no-exec").architectures
    assert out["status"]["mode"] == "filter"
    assert out["status"]["no_new_privs"] is True


def test_threads_that_were_already_running_are_covered() -> None:
    out = childproc.result(
        """
        started, go, done = threading.Event(), threading.Event(), threading.Event()
        seen = {}
        def worker():
            started.set()
            go.wait()
            seen["worker_after"] = sysfence.status()["mode"]
            try:
                os.execv("/bin/false", ["false"])
            except PermissionError as e:
                seen["worker_execv"] = e.errno
            try:
                subprocess.run(["/bin/true"])
            except PermissionError as e:
                seen["worker_subprocess"] = e.errno
            done.set()
        t = threading.Thread(target=worker)
        t.start()
        started.wait(30)  # the thread runs before the filter is loaded
        sysfence.apply_policy("no-exec")
        go.set()
        done.wait(30)
        t.join()
        print(json.dumps(seen))
        """
    )
    assert out["worker_after"] == "filter"
    assert out["worker_execv"] == errno.EACCES
    assert out["worker_subprocess"] == errno.EACCES


def test_apply_policy_takes_a_dict_a_policy_or_a_preset() -> None:
    out = childproc.result(
        """
        rule = {"action": "errno:EACCES", "syscalls": ["@exec"]}
        policies = {
            "dict": {"default_action": "allow", "rules": [rule]},
            "policy": sysfence.Policy({"default_action": "allow", "rules": [rule]}),
            "preset": "no-exec",
        }
        errnos = {}
        for name, policy in policies.items():
            pid = os.fork()
            if pid == 0:
                sysfence.apply_policy(policy)
                try:
                    os.execv("/bin/false", ["false"])
                except PermissionError as e:
                    os._exit(e.errno)
                os._exit(0)
            errnos[name] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        print(json.dumps(errnos))
        """
    )
    assert out == {"dict": errno.EACCES, "policy": errno.EACCES, "preset": errno.EACCES}


def test_apply_policy_takes_the_mode_as_an_argument() -> None:
    out = childproc.result(
        """
        seen = {}
        try:
            sysfence.apply_policy("no-exec", mode="lgo")
        except sysfence.InvalidArgumentError as e:
            seen["bad"] = [isinstance(e, ValueError), str(e), sysfence.status()["mode"]]
        seen["report"] = sysfence.apply_policy("no-exec", mode="log")["mode"]
        seen["exec"] = subprocess.run(["/bin/true"]).returncode
        logged = {"default_action": "allow", "mode": "log", "extends": ["no-exec"]}
        sysfence.apply_policy(logged, mode="enforce")
        try:
            subprocess.run(["/bin/true"])
            seen["enforced"] = 0
        except PermissionError as e:
            seen["enforced"] = e.errno
        print(json.dumps(seen))
        """
    )
    assert out["bad"][0] is True and '"log"' in out["bad"][1], out
    assert out["bad"][2] == "disabled"
    assert out["report"] == "log"
    assert out["exec"] == 0
    assert out["enforced"] == errno.EACCES


def test_errno_and_kill_actions() -> None:
    deny = childproc.result(
        """
        sysfence.apply_policy({"default_action": "allow",
                               "rules": [{"action": "errno:EACCES", "syscalls": ["getppid"]}]})
        print(json.dumps(os.getppid()))
        """
    )
    # getppid() cannot fail, so glibc hands back the kernel's raw result: -errno.
    assert deny == -errno.EACCES
    killed = childproc.run(
        """
        sysfence.apply_policy({"default_action": "allow",
                               "rules": [{"action": "kill_process", "syscalls": ["getppid"]}]})
        os.getppid()
        print("still alive")
        """
    )
    assert killed.returncode == -signal.SIGSYS
    assert "still alive" not in killed.stdout


def test_argument_rules() -> None:
    out = childproc.result(
        """
        import socket
        sysfence.apply_policy({"default_action": "allow", "rules": [
            {"action": "errno:EACCES", "syscalls": ["socket"],
             "args": [{"index": 0, "op": "eq", "value": socket.AF_INET}]},
            # A full 64-bit compare: refuses offset 2**32 but not 0, which shares its low half.
            {"action": "errno:EPERM", "syscalls": ["lseek"],
             "args": [{"index": 1, "op": "eq", "value": 2**32}]},
        ]})
        seen = {}
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            seen["inet"] = 0
        except PermissionError as e:
            seen["inet"] = e.errno
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
        seen["unix"] = 0
        fd = os.open("/dev/null", os.O_RDONLY)
        seen["lseek0"] = os.lseek(fd, 0, os.SEEK_SET)
        try:
            os.lseek(fd, 2**32, os.SEEK_SET)
            seen["lseek32"] = 0
        except PermissionError as e:
            seen["lseek32"] = e.errno
        print(json.dumps(seen))
        """
    )
    assert out == {"inet": errno.EACCES, "unix": 0, "lseek0": 0, "lseek32": errno.EPERM}


def seccomp_nr() -> int:
    return {"x86_64": 317, "aarch64": 277}[platform.machine()]


def test_load_refused_with_eperm_is_a_permission_error() -> None:
    out = childproc.result(
        """
        sysfence.apply_policy({"default_action": "allow",
                               "rules": [{"action": "errno:EPERM", "syscalls": ["seccomp"]}]})
        filters = sysfence.status()["filters"]
        seen = {}
        try:
            sysfence.apply_policy("no-exec")
        except sysfence.LoadError as e:
            seen = {"class": type(e).__name__, "errno": e.errno, "code": e.code,
                    "permission": isinstance(e, PermissionError), "tid": e.tid}
        # Nothing was loaded: exec still works and the filter count is unchanged.
        seen["exec_after"] = subprocess.run(["/bin/true"]).returncode
        seen["filters_unchanged"] = sysfence.status()["filters"] == filters
        print(json.dumps(seen))
        """
    )
    assert out == {
        "class": "LoadPermissionError",
        "errno": errno.EPERM,
        "code": "load",
        "permission": True,
        "tid": None,
        "exec_after": 0,
        "filters_unchanged": True,
    }


def test_load_refused_with_another_errno_is_a_load_error() -> None:
    out = childproc.result(
        """
        sysfence.apply_policy({"default_action": "allow",
                               "rules": [{"action": "errno:EINVAL", "syscalls": ["seccomp"]}]})
        try:
            sysfence.compile_policy("no-exec").load()
        except sysfence.LoadError as e:
            print(json.dumps({"errno": e.errno, "permission": isinstance(e, PermissionError)}))
        """
    )
    assert out == {"errno": errno.EINVAL, "permission": False}


def test_tsync_conflict_names_the_thread() -> None:
    out = childproc.result(
        f"""
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        own = sysfence.compile_policy({{"default_action": "allow",
                                        "rules": [{{"action": "errno:EPERM", "syscalls": ["ptrace"]}}]}})
        program = ctypes.create_string_buffer(own.bpf(), len(own.bpf()))
        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
        prog = SockFprog(len(own), ctypes.cast(program, ctypes.c_void_p))
        ready, done = threading.Event(), threading.Event()
        seen = {{}}
        def worker():
            # This thread alone gets a filter (no TSYNC), so its filter chain differs.
            libc.prctl(ctypes.c_int(38), ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
            rc = libc.syscall(ctypes.c_long({seccomp_nr()}), ctypes.c_long(1), ctypes.c_long(0), ctypes.byref(prog))
            seen["thread_load"] = rc
            seen["tid"] = threading.get_native_id()
            ready.set()
            done.wait(30)
        t = threading.Thread(target=worker)
        t.start()
        ready.wait(30)
        try:
            sysfence.apply_policy("no-exec")
            seen["error"] = None
        except sysfence.LoadError as e:
            seen["error"] = {{"tid": e.tid, "errno": e.errno, "permission": isinstance(e, PermissionError)}}
        seen["exec_after"] = subprocess.run(["/bin/true"]).returncode
        done.set()
        t.join()
        print(json.dumps(seen))
        """
    )
    assert out["thread_load"] == 0
    assert out["error"] == {"tid": out["tid"], "errno": None, "permission": False}
    assert out["exec_after"] == 0  # nothing was loaded


def test_preexec_fn_confines_only_the_child() -> None:
    out = childproc.result(
        """
        no_network = sysfence.compile_policy({"default_action": "allow", "rules": [
            {"action": "errno:EACCES", "syscalls": ["socket"], "args": [{"index": 0, "op": "ne", "value": 1}]}]})
        probe = [sys.executable, "-c",
                 "import socket, sys\\n"
                 "try:\\n"
                 "    socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\\n"
                 "except PermissionError as e:\\n"
                 "    sys.exit(e.errno)\\n"
                 "sys.exit(0)\\n"]
        seen = {"confined": subprocess.run(probe, preexec_fn=no_network.load).returncode,
                "unconfined": subprocess.run(probe).returncode,
                "parent": sysfence.status()}
        # A filter that refuses execve refuses the command itself: nothing runs.
        try:
            subprocess.run(["/bin/true"], preexec_fn=sysfence.compile_policy("no-exec").load)
            seen["no_exec_child"] = "ran"
        except PermissionError as e:
            seen["no_exec_child"] = e.errno
        print(json.dumps(seen))
        """
    )
    assert out["confined"] == errno.EACCES
    assert out["unconfined"] == 0
    assert out["parent"]["no_new_privs"] is False
    assert out["no_exec_child"] == errno.EACCES


def test_status_counts_filters() -> None:
    out = childproc.result(
        """
        before = sysfence.status()
        sysfence.apply_policy("no-exec")
        sysfence.apply_policy({"default_action": "allow", "rules": [{"action": "errno", "syscalls": ["ptrace"]}]})
        print(json.dumps({"before": before, "after": sysfence.status()}))
        """
    )
    before, after = out["before"], out["after"]
    assert after["mode"] == "filter" and after["no_new_privs"] is True
    if before["filters"] is not None:  # kernels since 5.9 count filters
        assert after["filters"] == before["filters"] + 2
