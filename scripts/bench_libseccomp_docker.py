#!/usr/bin/python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Baseline rows of `make bench`'s table: Docker's default profile built by libseccomp's own
Python bindings (Debian's python3-seccomp, over Debian's libseccomp), from the flattened sysfence
policy that `sysfence convert --to sysfence` writes for the profile (same rules, same
architectures, same actions), at a libseccomp optimisation level (1: linear, 2: binary tree).

Usage:
  bench_libseccomp_docker.py POLICY.json export LEVEL OUT.bpf   write the raw BPF
  bench_libseccomp_docker.py POLICY.json apply LEVEL            build + load in this process
                                                                 (TSYNC); prints the ns taken
Run `apply` in a fresh process: it loads the filter into itself.
"""
import errno
import json
import sys
import time

import seccomp

OPS = {"eq": seccomp.EQ, "ne": seccomp.NE, "lt": seccomp.LT, "le": seccomp.LE,
       "gt": seccomp.GT, "ge": seccomp.GE}
ARCHES = {"x86_64": seccomp.Arch.X86_64, "x86": seccomp.Arch.X86, "x32": seccomp.Arch.X32}


def action(text):
    if text == "allow":
        return seccomp.ALLOW
    if text == "kill_process":
        return seccomp.KILL_PROCESS
    if text in ("kill_thread", "kill"):
        return seccomp.KILL
    if text.startswith("errno"):
        name = text.partition(":")[2] or "EPERM"
        return seccomp.ERRNO(int(name) if name.isdigit() else getattr(errno, name))
    raise ValueError(f"no libseccomp action for {text!r} in this baseline")


def arg(a):
    if a["op"] == "masked_eq":
        return seccomp.Arg(a["index"], seccomp.MASKED_EQ, int(str(a["mask"]), 0), int(str(a["value"]), 0))
    return seccomp.Arg(a["index"], OPS[a["op"]], int(str(a["value"]), 0))


def build(policy, level):
    f = seccomp.SyscallFilter(action(policy["default_action"]))
    f.set_attr(seccomp.Attr.CTL_OPTIMIZE, level)
    f.set_attr(seccomp.Attr.CTL_TSYNC, 1)
    f.set_attr(seccomp.Attr.ACT_BADARCH, action(policy["bad_arch_action"]))
    for name in policy["architectures"]:
        if not f.exist_arch(ARCHES[name]):
            f.add_arch(ARCHES[name])
    unknown = []
    for rule in policy["rules"]:
        args = [arg(a) for a in rule.get("args", [])]
        for name in rule["syscalls"]:
            try:
                f.add_rule(action(rule["action"]), name, *args)
            except RuntimeError:
                # Newer than this libseccomp (Debian 12's 2.5.4 lacks mseal, listmount, ...):
                # left to the default action in the baseline's filter.
                unknown.append(name)
    if unknown:
        print(f"this libseccomp does not know "
              f"{len(unknown)} names: {', '.join(unknown)} (left out)", file=sys.stderr)
    return f


def main():
    policy = json.load(open(sys.argv[1]))
    what, level = sys.argv[2], int(sys.argv[3])
    if what == "export":
        with open(sys.argv[4], "wb") as out:
            build(policy, level).export_bpf(out)
    elif what == "apply":
        t = time.perf_counter_ns()
        build(policy, level).load()
        print(time.perf_counter_ns() - t)
    else:
        sys.exit(__doc__)


main()
