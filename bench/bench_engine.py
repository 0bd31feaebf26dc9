"""autograd_core against torch, in one run: time ratios on the lesson steps and deep chains,
and peak memory of a 100,000-deep chain (each engine in a fresh process). Also against the
engine as it was at a git revision (BASELINE, or --against REV), imported beside today's: a
change's speed is a ratio measured in one run, not two figures from two runs on a noisy machine.

    make bench          (or: .venv/bin/python bench/bench_engine.py [--against REV])

A ratio below 1 means autograd_core is faster (or smaller). Goals: <= 1 on the chains and on
memory; lesson steps no slower than the baseline. Times are medians with the garbage collector
on, as in a notebook: a deep graph's cost includes the collections its objects trigger.
"""

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import timeit
from pathlib import Path

import torch

import autograd_core

ROOT = Path(__file__).resolve().parents[1]
# the engine when issue 10 asked for lesson steps "no slower than today"
BASELINE = "91444d0"
ENGINES = {"torch": torch, "autograd_core": autograd_core}


def blitz(T):
    x = T.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    return x.grad


def d2l(T):
    x = T.arange(4.0)
    x.requires_grad_(True)
    y = 2 * T.dot(x, x)
    y.backward()
    x.grad.zero_()
    y = x.sum()
    y.backward()
    x.grad.zero_()
    y = x * x
    y.sum().backward()
    x.grad.zero_()
    u = (x * x).detach()
    (u * x).sum().backward()
    return x.grad


def control_flow(T):
    a = T.tensor(0.37, requires_grad=True)
    b = a * 2
    while b.norm() < 100:
        b = b * 2
    c = b if b.sum() > 0 else 100 * b
    c.backward()
    return a.grad


def chain(depth):
    def run(T):
        x = T.ones(3, requires_grad=True)
        y = x
        for _ in range(depth):
            y = y * 1.0
        y.sum().backward()
        return x.grad

    run.__name__ = f"chain_{depth // 1000}k"
    return run


LESSON_STEPS = [blitz, d2l, control_flow]
CHAINS = [chain(10_000), chain(100_000)]


def median_times(fn, number, repeat):
    """Per-call time of fn under each engine: the median over repeats, the engines taking turns
    within each repeat (so a busy machine slows both alike), with the garbage collector on as
    in a notebook (timeit switches it off, which hides the cost of collecting a deep graph)."""
    times = {name: [] for name in ENGINES}
    for _ in range(repeat):
        for name, engine in ENGINES.items():
            times[name] += timeit.repeat(lambda e=engine: fn(e), setup="import gc; gc.enable()",
                                         number=number, repeat=1)
    return {name: statistics.median(ts) / number for name, ts in times.items()}


MEMORY_PROBE = """
import os
import {module} as T

def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

x = T.ones(3, requires_grad=True)
(x * 1.0).sum().backward()  # warm up: first-call allocations are not the graph's
before = rss_kib()
y = x
for _ in range(100_000):
    y = y * 1.0
held = rss_kib() - before  # what the graph of a 100,000-step chain holds
y.sum().backward()
print(max(held, rss_kib() - before))
"""


def peak_memory_kib(module):
    """Resident memory a 100,000-deep chain adds, in a fresh process per engine."""
    code = MEMORY_PROBE.format(module=module)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


def engine_at(revision, into=None):
    """autograd_core as committed at `revision`, imported as its own package beside today's
    (None, with the reason printed, where git or the revision is not there)."""
    archive = subprocess.run(["git", "archive", revision, "autograd_core"], cwd=ROOT,
                             capture_output=True)
    if archive.returncode:
        print(f"no baseline: git archive {revision} failed: {archive.stderr.decode().strip()}")
        return None
    name = f"autograd_core_{revision}"
    into = Path(into or tempfile.mkdtemp())
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        for member in tar.getmembers():
            member.name = member.name.replace("autograd_core", name, 1)
            tar.extract(member, into, filter="data")
    sys.path.insert(0, str(into))
    return importlib.import_module(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default=BASELINE, metavar="REV",
                        help=f"the git revision to compare the engine with (default {BASELINE})")
    baseline = engine_at(parser.parse_args().against)
    if baseline is not None:
        ENGINES["baseline"] = baseline
    torch.set_num_threads(1)  # the lesson's tensors are tiny: threads only add overhead
    rows = []
    for fn in LESSON_STEPS + CHAINS:
        number = 200 if fn in LESSON_STEPS else 1
        rows.append((fn.__name__, median_times(fn, number, repeat=7 if number > 1 else 3)))
    memory = {name: peak_memory_kib(name) for name in ("torch", "autograd_core")}
    against = f"vs {parser.parse_args().against}" if baseline else ""
    print(f"{'step':<16}{'torch':>12}{'autograd_core':>16}{'ratio':>9}{against:>14}")
    for name, times in rows:
        t_torch, t_core = times["torch"], times["autograd_core"]
        line = f"{name:<16}{t_torch * 1e6:>10.1f}us{t_core * 1e6:>14.1f}us{t_core / t_torch:>9.2f}"
        if baseline:
            line += f"{t_core / times['baseline']:>14.2f}"
        print(line)
    print(f"{'peak memory':<16}{memory['torch']:>10}KiB{memory['autograd_core']:>12}KiB"
          f"{memory['autograd_core'] / max(memory['torch'], 1):>9.2f}")
    print("(ratio = autograd_core / torch, goal <= 1.00 on chains and memory; "
          f"{against or 'vs baseline'} = autograd_core / the baseline engine, goal <= 1.00 on lesson steps)")


if __name__ == "__main__":
    main()
