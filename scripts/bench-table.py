#!/usr/bin/env python3
"""`make bench`'s table: one run, every row measured in interleaved rounds on this machine,
printed as median [min-max] with the ratio to its baseline. No timed assertions.

Usage: bench-table.py SYSFENCE_BIN LIBSYSFENCE_STAGE PYTHON NODE_PROJECT [ROUNDS]
  SYSFENCE_BIN        the CLI (compiles the Docker profile with --format sfb)
  LIBSYSFENCE_STAGE   an installed tree of libsysfence (include/, lib/) for the C probe
  PYTHON              an interpreter with the sysfence wheel installed ('-' to skip)
  NODE_PROJECT        a directory whose node_modules holds the sysfence package ('-' to skip)
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
tmp = tempfile.mkdtemp(prefix="sysfence-bench-")
sfb = os.path.join(tmp, "docker.sfb")
subprocess.run([sysfence, "compile", "--preset", "docker-default", "--format", "sfb", "-o", sfb], check=True,
               stderr=subprocess.DEVNULL)
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
if node_dir != "-":
    probes["Node: precompiled load (Filter.fromBuffer + load)"] = lambda: float(
        out(["node", "-e", NODE_LOAD, sfb], cwd=node_dir)[0])
    probes["Node: compile + load (compilePolicy + load)"] = lambda: float(
        out(["node", "-e", NODE_COMPILE], cwd=node_dir)[0])
CALLS = 200000
samples = {k: [] for k in probes}
calls = {"none": [], "docker": []}
for _ in range(rounds):
    for name, fn in probes.items():
        samples[name].append(fn() / 1e6)
    for which, arg in (("none", "-"), ("docker", sfb)):
        calls[which].append([float(x) for x in out([probe, "calls", arg, str(CALLS)])])


def fmt(xs, unit):
    m = statistics.median(xs)
    return m, f"{m:8.3f} {unit} [{min(xs):.3f}-{max(xs):.3f}]"


print(f"sysfence bench: Docker's default profile (docker-default), {rounds} interleaved rounds, "
      f"median [min-max]; {os.uname().release}, {os.cpu_count()} CPUs")
print(f"{'row':66} {'median [spread]':>32}  ratio")
rows = []
for i, call in enumerate(["getpid (cached: allowed without arguments)", "personality(0xffffffff) (arg-checked)"]):
    base, text = fmt([c[i] for c in calls["none"]], "ns")
    print(f"{'syscall, no filter: ' + call:66} {text:>32}  1.00")
    m, text = fmt([c[i] for c in calls["docker"]], "ns")
    print(f"{'syscall, sysfence docker-default: ' + call:66} {text:>32}  {m / base:.2f}")
for name, xs in samples.items():
    m, text = fmt(xs, "ms")
    goal = "  (goal <= 0.5 ms)" if "precompiled" in name else ""
    print(f"{name:66} {text:>32}{goal}")
    if name.startswith("C:"):
        print(f"{'  of which decoding and checking the sfb bytes':66} {fmt(c_decode, 'ms')[1]:>32}")
json.dump({"samples_ms": samples, "calls_ns": calls}, open(os.path.join(tmp, "bench.json"), "w"))
print(f"raw samples: {tmp}/bench.json")
