"""A real Dask cluster on 127.0.0.1 for the tests that grade through `--scheduler`: a `dask
scheduler` and `dask worker` processes, as an instructor starts them on their machines.

Each process runs in a session of its own, so a test can kill one worker whole (its nanny, the
worker, the worker's sandbox) as a machine is lost; everything started is ended afterwards. Waits
are conditions (a file written, workers registered), each bounded by PATIENCE.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DASK = Path(sys.executable).parent / "dask"
PATIENCE = 300  # seconds: what a loaded 2-core machine may take to start a worker


class Cluster:
    """The scheduler's address, and its workers' processes by name."""

    def __init__(self, address, workers, folder):
        self.address, self.workers, self.folder = address, workers, folder

    def client(self):
        from distributed import Client

        return Client(self.address, timeout="60s")

    def kill(self, name):
        """Lose the worker `name` as a machine is lost: its whole process group, at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.workers[name].pid, signal.SIGKILL)
        self.workers[name].wait(timeout=60)


def _log(folder, name):
    return open(folder / f"{name}.log", "w")


@contextlib.contextmanager
def dask_cluster(folder, n_workers=2, env=None):
    """A scheduler and `n_workers` workers (one thread each, as the README starts them) on
    127.0.0.1; their logs in `folder`. Yields a Cluster; ends every process it started."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    env = {**(os.environ if env is None else env)}
    started, info = [], folder / "scheduler.json"

    def start(name, *args):
        with _log(folder, name) as log:
            process = subprocess.Popen([DASK, *args], stdout=log, stderr=subprocess.STDOUT,
                                       env=env, cwd=folder, start_new_session=True)
        started.append(process)
        return process

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0",
              "--dashboard-address", "127.0.0.1:0", "--scheduler-file", info)
        deadline = time.monotonic() + PATIENCE
        while not _address(info):
            if started[0].poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Dask scheduler did not start:\n" +
                            (folder / "scheduler.log").read_text()[-3000:])
            time.sleep(0.1)
        workers = {f"w{k}": start(f"w{k}", "worker", "--scheduler-file", info, "--name", f"w{k}",
                                  "--nthreads", "1", "--host", "127.0.0.1",
                                  "--dashboard-address", "127.0.0.1:0",
                                  "--local-directory", folder / f"w{k}")
                   for k in range(1, n_workers + 1)}
        cluster = Cluster(_address(info), workers, folder)
        with cluster.client() as client:
            client.wait_for_workers(n_workers, timeout=PATIENCE)
        yield cluster
    finally:
        for process in reversed(started):  # the workers first, then the scheduler
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _address(info):
    try:
        return json.loads(info.read_text())["address"]
    except (OSError, ValueError, KeyError):
        return None  # not written yet, or not whole yet
