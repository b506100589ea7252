#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""`make bench`'s table: one run, every row measured in interleaved rounds on this machine,
printed as median [min-max] with the ratio to its baseline. No timed assertions.

Usage: bench-table.py SYSFENCE_BIN LIBSYSFENCE_STAGE PYTHON NODE_PROJECT [ROUNDS [AUDIT_LOG]]
  SYSFENCE_BIN        the CLI (compiles the Docker profile with --format sfb)
  LIBSYSFENCE_STAGE   an installed tree of libsysfence (include/, lib/) for the C probe
  PYTHON              an interpreter with the sysfence wheel installed ('-' to skip)
  NODE_PROJECT        a directory whose node_modules holds the sysfence package ('-' to skip)
  AUDIT_LOG           the 1,000,000-line audit.log `make bench-audit` writes (rows skipped
                      when absent)
Baselines: no filter; libseccomp's own output for the same profile at optimisation levels 1 and
2, and libseccomp's own Python bindings building and loading it (Debian's python3-seccomp, run
by /usr/bin/python3: scripts/bench_libseccomp_docker.py); `ausearch -i`; the profiled loop alone.
Every load runs in a fresh process (this one never loads a filter)."""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sysfence, stage, python, node_dir = sys.argv[1:5]
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 11
audit_log = sys.argv[6] if len(sys.argv) > 6 else ""
# Rows that take a second or more a round (audit, profiler) run fewer rounds.
heavy_rounds = min(rounds, 5)
tmp = tempfile.mkdtemp(prefix="sysfence-bench-")
sfb = os.path.join(tmp, "docker.sfb")
subprocess.run([sysfence, "compile", "--preset", "docker-default", "--format", "sfb", "-o", sfb], check=True,
               stderr=subprocess.DEVNULL)
# The same profile, flattened, for libseccomp's own bindings: its output at levels 1 and 2.
flat = os.path.join(tmp, "docker-flat.json")
subprocess.run([sysfence, "convert", "--to", "sysfence", "-o", flat,
                os.path.join(HERE, "..", "core", "src", "presets", "docker-default.json")],
               check=True, stderr=subprocess.DEVNULL)
LIBSECCOMP_PY = [os.path.join("/usr/bin", "python3"), os.path.join(HERE, "bench_libseccomp_docker.py"), flat]
for level in (1, 2):
    subprocess.run(LIBSECCOMP_PY + ["export", str(level), os.path.join(tmp, f"libseccomp-O{level}.bpf")],
                   check=True)
probe = os.path.join(tmp, "bench_load")
lib = os.path.join(stage, "lib")
subprocess.run(["cc", "-O2", "-std=c11", "-I" + os.path.join(stage, "include"), "-o", probe,
                os.path.join(HERE, "bench_load.c"), "-L" + lib, "-Wl,-rpath," + lib, "-lsysfence"], check=True)

PY_LOAD = """
import sys, time, sysfence
data = open(sys.argv[1], 'rb').read()
t = time.perf_counter_ns(); f = sysfence.Filter.from_bytes(data); f.load(); print(time.perf_counter_ns() - t)
"""
PY_COMPILE = """
import time, sysfence
t = time.perf_counter_ns(); f = sysfence.compile_policy('docker-default'); f.load(); print(time.perf_counter_ns() - t)
"""
# The baseline's own input: the flattened policy as a dict, read before the clock starts, as
# the baseline script reads it.
PY_COMPILE_FLAT = """
import json, sys, time, sysfence
policy = json.load(open(sys.argv[1]))
t = time.perf_counter_ns(); f = sysfence.compile_policy(policy); f.load(); print(time.perf_counter_ns() - t)
"""
NODE_LOAD = """
const fs = require('fs'); const { Filter } = require('sysfence')
const data = fs.readFileSync(process.argv[1])
const t = process.hrtime.bigint(); Filter.fromBuffer(data).load(); console.log(String(process.hrtime.bigint() - t))
"""
NODE_COMPILE = """
const { compilePolicy } = require('sysfence')
const t = process.hrtime.bigint(); compilePolicy('docker-default').load(); console.log(String(process.hrtime.bigint() - t))
"""


def out(cmd, cwd=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=cwd).stdout.split()


c_decode = []


def c_load():
    total, decode = (float(x) for x in out([probe, "load", sfb]))
    c_decode.append(decode / 1e6)
    return total


probes = {
    "C: precompiled load (sysfence_filter_from_bytes + load)": c_load,
}
if python != "-":
    probes["Python: precompiled load (Filter.from_bytes + load)"] = lambda: float(out([python, "-c", PY_LOAD, sfb])[0])
    probes["Python: compile + load (compile_policy + load)"] = lambda: float(out([python, "-c", PY_COMPILE])[0])
    probes["Python: the same from the flattened policy (compile_policy(dict) + load)"] = lambda: float(
        out([python, "-c", PY_COMPILE_FLAT, flat])[0])
probes["Python: libseccomp's bindings, build + load (optimize 2)"] = lambda: float(
    subprocess.run(LIBSECCOMP_PY + ["apply", "2"], check=True, capture_output=True, text=True).stdout)
if node_dir != "-":
    probes["Node: precompiled load (Filter.fromBuffer + load)"] = lambda: float(
        out(["node", "-e", NODE_LOAD, sfb], cwd=node_dir)[0])
    probes["Node: compile + load (compilePolicy + load)"] = lambda: float(
        out(["node", "-e", NODE_COMPILE], cwd=node_dir)[0])
CALLS = 200000
samples = {k: [] for k in probes}
FILTERS = (("no filter", "-"), ("sysfence docker-default", sfb),
           ("libseccomp -O1 (linear)", os.path.join(tmp, "libseccomp-O1.bpf")),
           ("libseccomp -O2 (binary tree)", os.path.join(tmp, "libseccomp-O2.bpf")))
calls = {which: [] for which, _ in FILTERS}
for _ in range(rounds):
    for name, fn in probes.items():
        samples[name].append(fn() / 1e6)
    for which, arg in FILTERS:
        calls[which].append([float(x) for x in out([probe, "calls", arg, str(CALLS)])])


def seconds(cmd):
    """Wall-clock seconds of one run of `cmd`, its output discarded."""
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


heavy = {}
if audit_log and os.path.exists(audit_log):
    heavy["audit: ausearch -i -if FILE -m SECCOMP (1,000,000 lines)"] = ["ausearch", "-i", "-if", audit_log, "-m", "SECCOMP"]
    heavy["audit: sysfence audit --format ecs FILE"] = [sysfence, "audit", "--format", "ecs", audit_log]
BLOCKS = 100000
LOOP = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", f"count={BLOCKS}", "status=none"]
heavy[f"profile: dd bs=1 count={BLOCKS} alone ({2 * BLOCKS} syscalls)"] = LOOP
for backend in ("notify", "ptrace"):
    heavy[f"profile: the same under sysfence profile --backend {backend}"] = [
        sysfence, "profile", "--backend", backend, "-o", os.path.join(tmp, "profile.json"), "--"] + LOOP
# The ptrace backend stops the command twice per call and wakes sysfence each time: on a VM
# whose idle vCPU halts, a wake-up across CPUs costs tens of microseconds. Both on one CPU
# shows the backend's own cost.
heavy["profile: the same, ptrace, sysfence and the command on one CPU (taskset -c 0)"] = [
    "taskset", "-c", "0"] + heavy["profile: the same under sysfence profile --backend ptrace"]
heavy_samples = {k: [] for k in heavy}
for _ in range(heavy_rounds):
    for name, cmd in heavy.items():
        heavy_samples[name].append(seconds(cmd))


def fmt(xs, unit):
    m = statistics.median(xs)
    return m, f"{m:8.3f} {unit} [{min(xs):.3f}-{max(xs):.3f}]"


print(f"sysfence bench: Docker's default profile (docker-default), {rounds} interleaved rounds, "
      f"median [min-max]; {os.uname().release}, {os.cpu_count()} CPUs")
print(f"{'row':78} {'median [spread]':>32}  ratio")
for i, call in enumerate(["getpid (cached: allowed without arguments)", "personality(0xffffffff) (arg-checked)"]):
    base, text = fmt([c[i] for c in calls["no filter"]], "ns")
    for which, _ in FILTERS:
        m, text = fmt([c[i] for c in calls[which]], "ns")
        print(f"{'syscall, ' + which + ': ' + call:78} {text:>32}  {m / base:.2f}")
baseline = "Python: libseccomp's bindings, build + load (optimize 2)"
for name, xs in samples.items():
    m, text = fmt(xs, "ms")
    ratio = ""
    if name.startswith("Python: the same from the flattened") and baseline in samples:
        ratio = f"  {m / statistics.median(samples[baseline]):.2f} (to libseccomp's bindings, same input; goal <= 1)"
    goal = "  (goal <= 0.5 ms)" if "precompiled" in name else ""
    print(f"{name:78} {text:>32}{goal}{ratio}")
    if name.startswith("C:"):
        print(f"{'  of which decoding and checking the sfb bytes':78} {fmt(c_decode, 'ms')[1]:>32}")
print(f"({heavy_rounds} rounds for the rows below)")
base = None
for name, xs in heavy_samples.items():
    m, text = fmt(xs, "s")
    if name.startswith("audit: ausearch") or "alone" in name:
        base, ratio = m, "1.00"
    elif name.startswith("audit:"):
        ratio = f"{base / m:.2f}x faster (goal >= 5x)"
    else:
        ratio = f"{m / base:.2f}x slower"
    print(f"{name:78} {text:>32}  {ratio}")
json.dump({"samples_ms": samples, "calls_ns": calls, "heavy_s": heavy_samples}, open(os.path.join(tmp, "bench.json"), "w"))
print(f"raw samples: {tmp}/bench.json")
