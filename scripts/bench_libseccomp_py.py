#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Baseline for `make bench`: libseccomp's own Python bindings (Debian's python3-seccomp)
compiling and loading the same policy that sysfence's bench generated.

Usage: bench_libseccomp_py.py POLICY.json ITERATIONS -> one JSON line with mean times in ns.
compile = build the filter context, add every rule, generate the BPF (export to /dev/null);
load    = SyscallFilter.load() in a forked child (libseccomp generates the BPF again and loads
          it), timed inside the child.
"""
import json
import os
import struct
import sys
import time

import seccomp

policy = json.load(open(sys.argv[1]))
iterations = int(sys.argv[2])
OPS = {"eq": seccomp.EQ, "ne": seccomp.NE, "lt": seccomp.LT, "le": seccomp.LE, "gt": seccomp.GT, "ge": seccomp.GE}


def action(text):
    if text == "allow":
        return seccomp.ALLOW
    if text == "kill_process":
        return seccomp.KILL_PROCESS
    if text.startswith("errno"):
        return seccomp.ERRNO(1)
    raise ValueError(text)


def build():
    f = seccomp.SyscallFilter(action(policy["default_action"]))
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)
    for rule in policy["rules"]:
        args = [seccomp.Arg(a["index"], OPS[a["op"]], a["value"]) for a in rule.get("args", [])]
        for name in rule["syscalls"]:
            f.add_rule(action(rule["action"]), name, *args)
    return f


devnull = open(os.devnull, "wb")
start = time.perf_counter_ns()
for _ in range(iterations):
    build().export_bpf(devnull)
compile_ns = (time.perf_counter_ns() - start) / iterations

load_total = 0
for _ in range(iterations):
    f = build()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        t0 = time.perf_counter_ns()
        f.load()
        t1 = time.perf_counter_ns()
        os.write(w, struct.pack("q", t1 - t0))
        os._exit(0)
    os.close(w)
    load_total += struct.unpack("q", os.read(r, 8))[0]
    os.close(r)
    os.waitpid(pid, 0)
print(json.dumps({"compile_ns": compile_ns, "load_ns": load_total / iterations}))
