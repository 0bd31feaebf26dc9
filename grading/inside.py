"""Run one notebook inside the grading sandbox: python inside.py LIMITS_JSON < NOTEBOOK_PATH.

It starts the kernel and does the lessons' imports first, then waits for the notebook's path on
stdin: a sandbox can be made ready before its submission arrives.

The only grading code the sandbox sees (bound read-only, alone). It sets the per-process limits
(address space, file size, no core dumps), watches the number of processes in the sandbox's pid
namespace (RLIMIT_NPROC counts a user's processes everywhere, and not at all for root) and their
memory all together (RLIMIT_AS bounds each process alone), caps the output it keeps, and writes
the executed notebook back over NOTEBOOK. What went wrong is said in the notebook's metadata,
under "sandbox": the trusted side reads it as data.
"""

import json
import os
import resource
import signal
import sys
import threading
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError


class Limited(NotebookClient):
    """nbclient keeping at most `output_limit` bytes of outputs; the kernel ends at the limit."""

    def __init__(self, nb, output_limit, **kwargs):
        super().__init__(nb, **kwargs)
        self.output_limit, self.output_bytes, self.problems = output_limit, 0, []

    def output(self, outs, msg, display_id, cell_index):
        self.output_bytes += len(json.dumps(msg.get("content", {})))
        if self.output_bytes > self.output_limit:
            if "output limit" not in self.problems:
                self.problems.append("output limit")
                outs.append(nbformat.v4.new_output(
                    "error", ename="OutputLimit", evalue="", traceback=[
                        f"OutputLimit: more than {self.output_limit} bytes of output"]))
                _kill_everyone()
            return None
        return super().output(outs, msg, display_id, cell_index)


def _kill_everyone():
    """Every process in this pid namespace but this one (and the namespace's init)."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _watch(limits, problems):
    """Count the sandbox's processes and add up their memory, every 20 ms: over a limit, every
    process but this one ends (rlimits bound each process alone, not all of them together)."""
    me = os.getpid()
    while True:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
        if len(pids) > limits["processes"] + 2:  # bwrap's init and this runner are not the student's
            problems.append("process limit")
            _kill_everyone()
        elif _over(limits["memory"], [pid for pid in pids if pid not in (1, me)]):
            problems.append("memory limit")
            _kill_everyone()
        time.sleep(0.02)


def _over(limit, pids):
    """Whether the processes hold more than `limit` bytes: resident memory is cheap to read but
    counts shared pages once per process, so a sum over the limit is confirmed with Pss."""
    return sum(map(_rss, pids)) > limit and sum(map(_pss, pids)) > limit


def _rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid):
    """Bytes of memory a process holds, its share of shared pages included; 0 once it ended."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# imported before the submission arrives, without binding a name in the student's namespace
WARM_UP = ("[__import__(m) for m in ('torch', 'numpy', 'matplotlib.pyplot', 'autograd_core', "
           "'graders.checking', 'graders.pictures')]")


def main(limits):
    """Start the kernel and import what lessons import; then run the notebook named on stdin."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file"], limits["file"]))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
    client = Limited(nbformat.v4.new_notebook(), limits["output"],
                     timeout=limits["cell_timeout"], startup_timeout=120, allow_errors=True,
                     kernel_name="python3", interrupt_on_timeout=True,
                     resources={"metadata": {"path": os.getcwd()}},
                     extra_arguments=["--HistoryManager.hist_file=:memory:"],
                     error_on_timeout={"ename": "CellTimeoutError", "evalue": "", "traceback": [
                         "CellTimeoutError: No reply from kernel before timeout"]})
    client.km = client.create_kernel_manager()
    client.start_new_kernel(cwd=os.getcwd())
    client.start_new_kernel_client()
    client.wait_for_reply(client.kc.execute(WARM_UP, silent=True, store_history=False))
    path = sys.stdin.readline().strip()  # the submission is in place
    if not path:
        return  # not needed after all
    threading.Thread(target=_watch, args=(limits, client.problems), daemon=True).start()
    client.nb = nb = nbformat.read(path, as_version=4)
    try:
        client.execute()
    except DeadKernelError:
        client.problems.append("kernel died")
    except Exception as error:  # noqa: BLE001 -- what happened is reported, never raised
        client.problems.append(f"{type(error).__name__}: {str(error)[:200]}")
    if any(o.get("ename") == "CellTimeoutError" for c in nb.cells for o in c.get("outputs", [])):
        client.problems.append("cell timeout")
    nb.metadata["sandbox"] = {"problems": sorted(set(client.problems))}
    nbformat.write(nb, path)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
