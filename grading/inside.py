"""Inside the grading sandbox: a warm parent that forks one sealed child per submission.

    python inside.py LIMITS_JSON        stdin: a job's name per line; stdout: a JSON line per job

The parent imports what the lessons import (torch, matplotlib, the graders, the kernel) once,
then waits. For each job it forks a *keeper*, which enters namespaces of its own -- user, mount,
pid, network, IPC -- with no user namespace allowed below it; mounts a fresh /tmp, a fresh home
holding a copy of the job and a /dev of its own, all tmpfs of bounded size; hides every job
directory; and forks the submission's *init*: pid 1 of a new pid namespace. The init drops every
capability, sets the per-process limits and forks the *runner*, which forks the kernel
(ipykernel started in-process: no exec, no imports), executes the notebook with nbclient over
Unix sockets, and sends it to the keeper down a pipe. When the runner is done, the init exits
and the kernel ends; so does every process the student started, with their pid namespace.

So a submission starts in a fraction of a second, and sees no more than a fresh sandbox would:
not another job, not what an earlier job left, and of the parent and the keeper, which run no
student code, only that they exist: a process in a child user namespace cannot read or trace
one in its parent's, and both are not dumpable besides.

The keeper watches, from outside the student's pid namespace, the number of the student's
processes and their memory all together, memory-only files included (RLIMIT_NPROC counts a
user's processes machine-wide, and RLIMIT_AS bounds each process alone); over a limit, it kills
them. The runner caps the output it keeps; what went wrong is said in the notebook's metadata
("sandbox") and in the job's line on stdout. The trusted side reads both as data.

This file is the only grading code the sandbox sees (bound read-only, alone).
"""

import ctypes
import errno
import gc
import json
import os
import random
import re
import resource
import select
import shutil
import signal
import sys
import time
import traceback

NOTEBOOK, EXECUTED = "notebook.ipynb", "executed.ipynb"  # a job's, in and out
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 4, 24, 38
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
LIBC = ctypes.CDLL(None, use_errno=True)
PAGE = os.sysconf("SC_PAGE_SIZE")
GIB = 1 << 30
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")  # what a job's /dev holds
PTYS = 16  # pseudo-terminals a job may open (its own devpts instance)
FILES_EACH = 1024  # open files per process (RLIMIT_NOFILE, soft and hard: not raised again)

# imported once, in the parent: every kernel forked from it starts with them -- and with what
# torch, matplotlib and ipykernel import late, the first time a lesson's code needs it (a first
# backward(gradient) imports sympy: 0.4 s; an optimizer's first step, torch._dynamo: 0.7 s)
WARM = ("torch", "torch.fx.experimental.symbolic_shapes", "torch._subclasses.schema_check_mode",
        "torch._dynamo", "torch.profiler._cupti_monitor", "torch._decomp.decompositions_for_jvp",
        "numpy", "matplotlib.pyplot", "matplotlib.backends.backend_agg", "PIL.features",
        "autograd_core", "graders.checks", "graders.pictures", "graders.lessons",
        "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
        "nbclient", "nbformat")


def _libc(name, *args):
    if getattr(LIBC, name)(*args) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{name}: {os.strerror(error)}")


def _mount(source, target, fstype, flags, data=None):
    _libc("mount", source and source.encode(), target.encode(), fstype and fstype.encode(),
          ctypes.c_ulong(flags), data and data.encode())


def _dumpable(on):
    """Whether processes of the same user may read or trace this one (and its children)."""
    _libc("prctl", PR_SET_DUMPABLE, int(on), 0, 0, 0)


def _fresh_tmpfs(target, options, flags=MS_NOSUID | MS_NODEV, keep=()):
    """A new tmpfs over `target`, the paths in `keep` (under it) bound back on top as they were:
    the venv of a clone under /tmp, the devices of /dev."""
    held = [(path, os.open(path, os.O_PATH)) for path in keep]
    _mount("tmpfs", target, "tmpfs", flags, options)
    for path, fd in held:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            open(path, "w").close()  # a file to bind the device onto
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)


def seal(job, limits):
    """In the keeper: namespaces of its own; a fresh /tmp and a fresh home holding a copy of the
    job's files, both tmpfs of bounded size (what the student writes fills memory it is given,
    not the host's disk); no job directory visible. Returns the job directory's fd, where the
    keeper alone writes the executed notebook."""
    uid, gid = os.getuid(), os.getgid()
    # two user namespaces: in the outer one the keeper is its root, whom the kernel lets set the
    # IPC namespace's limits (whoever grades: root, or an instructor on a hub); in the inner one
    # it is the sandbox's user again, as the student will be
    _own_user_namespace(f"0 {uid} 1", f"0 {gid} 1")
    _libc("unshare", CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC)
    with open("/proc/sys/kernel/shmall", "w") as f:  # SysV shared memory bounded too
        f.write(str(limits["shm"] // PAGE))
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    fresh_dev(limits["shm"])
    # the venv and packages of a clone under /tmp are bound there: kept, read-only as bound
    in_tmp = [path for path in limits["read_only"] if path.startswith("/tmp/")]
    _fresh_tmpfs("/tmp", f"size={limits['tmp']},mode=1777", keep=in_tmp)
    for path in in_tmp:
        if not os.statvfs(path).f_flag & os.ST_RDONLY:
            raise PermissionError(f"{path} came back writable")
    job_dir = os.open(f"/jobs/{job}", os.O_RDONLY | os.O_DIRECTORY)  # for the keeper alone
    _fresh_tmpfs("/home/student", f"size={limits['tmp']}")
    shutil.copytree(f"/jobs/{job}", "/home/student", symlinks=True, dirs_exist_ok=True)
    _fresh_tmpfs("/jobs", "size=4k", MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir("/home/student")
    _own_user_namespace(f"{uid} 0 1", f"{gid} 0 1")  # no mount is the keeper's after this
    # no user namespace below this one: no mounts of the student's own (a tmpfs is memory no
    # limit sees), no pid namespaces hiding processes
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    return job_dir


def _own_user_namespace(uid_map, gid_map):
    """A new user namespace for this process, its one uid and gid mapped as told."""
    _libc("unshare", CLONE_NEWUSER)
    _dumpable(True)  # one that is not cannot write its own maps; no student process exists yet
    for name, text in (("setgroups", "deny"), ("uid_map", uid_map), ("gid_map", gid_map)):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    _dumpable(False)


def fresh_dev(shm_size):
    """A /dev of this job's own, read-only but for a bounded /dev/shm (bwrap's /dev is shared
    by every job of the sandbox, and writable)."""
    _fresh_tmpfs("/dev", "size=64k,mode=755", MS_NOSUID, keep=[f"/dev/{n}" for n in DEVICES])
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"/dev/{name}")
    os.mkdir("/dev/shm")
    _fresh_tmpfs("/dev/shm", f"size={shm_size},mode=1777")
    # terminals of its own, a few: IPython runs `!shell` lines in one
    os.mkdir("/dev/pts")
    _mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
           f"newinstance,ptmxmode=0666,mode=0620,max={PTYS}")
    os.symlink("pts/ptmx", "/dev/ptmx")
    _mount(None, "/dev", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID, "size=64k,mode=755")


def drop_privileges():
    """Every capability the new user namespace gave, gone for good (as bwrap --cap-drop ALL)."""
    for cap in range(64):
        if LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    _libc("capset", header, (ctypes.c_uint32 * 6)())  # effective, permitted, inheritable: none
    _libc("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    _dumpable(True)  # the student's own processes, as usual


# memfd_create, by architecture (audit arch: syscall number): a memory-only file sent down a
# Unix socket and closed is in no process's open files, so no count here could see its memory
NO_MEMFD = {"x86_64": (0xC000003E, 319), "aarch64": (0xC00000B7, 279)}


def refuse_memfd():
    """A seccomp filter: memfd_create fails with EPERM for the submission (and x32's number
    too); anything else runs as before. Needs no_new_privs, set by drop_privileges."""
    import platform

    arch, number = NO_MEMFD.get(platform.machine(), (None, None))
    if arch is None:
        return False  # elsewhere memfd_create stays, and only open memory files are counted
    ld, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_RET|K
    allow, eperm = 0x7FFF0000, 0x00050000 | errno.EPERM
    program = [(ld, 0, 0, 4), (jeq, 0, 3, arch),  # seccomp_data.arch; another: allow
               (ld, 0, 0, 0), (jeq, 2, 0, number), (jeq, 1, 0, number | 0x40000000),  # .nr
               (ret, 0, 0, allow), (ret, 0, 0, eperm)]

    class Instruction(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                    ("k", ctypes.c_uint32)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Instruction))]

    instructions = (Instruction * len(program))(*program)
    _libc("prctl", PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(
        Program(len(program), instructions)), 0, 0)
    return True


def init(limits, way_out):
    """pid 1 of the submission: limits, the runner, and reaping whatever the student orphans."""
    drop_privileges()
    refuse_memfd()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file"], limits["file"]))
    space = _address_space(limits["memory"])
    resource.setrlimit(resource.RLIMIT_AS, (space, space))
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES_EACH, FILES_EACH))
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):  # the parent's protocol pipes stay out of the student's reach
        os.dup2(devnull, fd)
    os.closerange(3, way_out)
    os.closerange(way_out + 1, 1 << 16)
    runner = os.fork()
    if runner == 0:
        _exit_after(run_notebook, limits, way_out)
    os.close(way_out)
    while os.waitpid(-1, 0)[0] != runner:
        pass


def _address_space(memory):
    """Each process's address space: what the warm imports hold already (about 1.3 GiB of it
    reserved, a quarter used), the memory limit, and 1 GiB for what threads reserve and never
    use (stacks, malloc's arenas). The memory itself is the keeper's to count, all processes'
    together; this bound only makes one huge allocation fail as a MemoryError in its cell."""
    with open("/proc/self/status") as f:
        held = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    return held + memory + GIB


def run_notebook(limits, way_out):
    """The runner: a kernel forked from the warm imports, the notebook executed in it and sent
    to the keeper down `way_out`, a pipe -- never through the student's files, which the student
    may have filled, or replaced by a fifo. Not dumpable: the student's processes cannot reach
    the pipe through /proc."""
    import nbformat
    from nbclient.exceptions import DeadKernelError

    connection = "/tmp/kernel.json"
    manager = ForkedKernel(connection_file=connection, transport="ipc", ip="/tmp/kernel")
    manager.write_connection_file()
    manager.pid = os.fork()  # while this runner is dumpable: a kernel born not dumpable would
    if manager.pid == 0:     # be hidden from the keeper until it said otherwise
        os.close(way_out)
        _exit_after(kernel, connection)
    _dumpable(False)  # before the kernel is sent any of the student's code
    client = Limited(nbformat.read(NOTEBOOK, as_version=4), limits["output"], km=manager,
                     timeout=limits["cell_timeout"], startup_timeout=60, allow_errors=True,
                     interrupt_on_timeout=True, resources={"metadata": {"path": os.getcwd()}},
                     error_on_timeout={"ename": "CellTimeoutError", "evalue": "", "traceback": [
                         "CellTimeoutError: No reply from kernel before timeout"]})
    nb = client.nb
    try:
        client.execute()
    except DeadKernelError:
        client.problems.append("kernel died")
        client.stop("kernel died", client.running, manager.ended())
    except Exception as error:  # noqa: BLE001 -- what happened is reported, never raised
        client.problems.append(f"{type(error).__name__}: {str(error)[:200]}")
    nb.metadata["sandbox"] = {"problems": sorted(set(client.problems)), "stops": client.stops,
                              "handed_over": client.handed_over}
    with os.fdopen(way_out, "wb") as pipe:
        pipe.write(nbformat.writes(nb).encode())


def kernel(connection):
    """The student's kernel, as `python -m ipykernel_launcher -f CONNECTION` would start it."""
    import numpy
    from ipykernel.kernelapp import IPKernelApp

    random.seed()  # a new process's seeds, not the parent's
    numpy.random.seed()
    sys.argv = ["ipykernel_launcher", "-f", connection]
    app = IPKernelApp.instance()
    app.initialize(["-f", connection, "--HistoryManager.hist_file=:memory:"])
    sys.modules["graders.checks"].watch(app.shell)  # imported before there was a shell
    app.start()


def _kernel_classes():
    """nbclient's pieces, adapted: defined once the parent has imported them."""
    global ForkedKernel, Limited
    from queue import Empty

    import nbformat
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    from graders.handover import MIMETYPE

    class ReadyClient(AsyncKernelClient):
        """Ready once the kernel answers and its output channel is live -- without the 0.2 s
        jupyter_client waits after that to drop stale output (nbclient ignores it anyway)."""

        async def _async_wait_for_ready(self, timeout=None):
            deadline = time.monotonic() + (timeout or 60)
            while time.monotonic() < deadline:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                    if reply["msg_type"] == "kernel_info_reply":
                        await self.iopub_channel.get_msg(timeout=0.2)  # a status: it is live
                        return
                except Empty:
                    continue
            raise RuntimeError("the kernel did not start")

        wait_for_ready = _async_wait_for_ready

    class ForkedKernel(AsyncKernelManager):
        """A kernel this process forked (see `kernel`): alive, interrupted and ended by its pid."""

        pid = None
        status = None  # how the kernel ended (os.waitpid's), once it has
        has_kernel = True
        client_factory = ReadyClient

        async def _async_is_alive(self):
            if self.status is not None:
                return False
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return False
            if pid:
                self.status = status
            return not pid

        def ended(self):
            """How the kernel ended, for people: "exited with status 1", "was killed by SIGKILL"."""
            if self.status is None:
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                    self.status = status if pid else None
                except ChildProcessError:
                    pass
            if self.status is None:
                return "stopped answering"
            if os.WIFSIGNALED(self.status):
                return f"was killed by {signal.Signals(os.WTERMSIG(self.status)).name}"
            return f"exited with status {os.WEXITSTATUS(self.status)}"

        async def _async_interrupt_kernel(self):
            os.kill(self.pid, signal.SIGINT)

        async def _async_shutdown_kernel(self, now=False, restart=False):
            os.kill(self.pid, signal.SIGKILL)

        async def _async_cleanup_resources(self, restart=False):
            pass

        is_alive, interrupt_kernel = _async_is_alive, _async_interrupt_kernel
        shutdown_kernel, cleanup_resources = _async_shutdown_kernel, _async_cleanup_resources

    class Limited(NotebookClient):
        """nbclient keeping at most `output_limit` bytes of what the kernel sends (every kind
        of message counts, updates of a display too); the kernel ends at the limit. What the
        checks hand over (HANDED) is kept apart as it arrives, by cell: no clear_output of the
        student's reaches it. Where a cell stopped the notebook (a limit, a timeout, the
        kernel's end) is kept as data: `stops`, [{"problem", "cell": its index, "how"}]."""

        def __init__(self, nb, output_limit, **kwargs):
            super().__init__(nb, **kwargs)
            self.output_limit, self.output_bytes, self.problems = output_limit, 0, []
            self.handed_over = {}  # cell index -> the records its checks handed over
            self.running, self.stops = -1, []

        def stop(self, problem, cell, how=""):
            self.stops.append({"problem": problem, "cell": cell, "how": how})

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            self.running = cell_index
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

        def process_message(self, msg, cell, cell_index):
            self.output_bytes += len(json.dumps(msg.get("content", {})))
            if self.output_bytes > self.output_limit:
                if "output limit" not in self.problems:
                    self.problems.append("output limit")
                    self.stop("output limit", cell_index)
                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename="OutputLimit", evalue="", traceback=[
                            f"OutputLimit: more than {self.output_limit} bytes of output"]))
                    _kill_the_students()
                if msg.get("msg_type") not in ("status", "execute_reply"):
                    return None  # the rest is dropped; the cell still completes
            return super().process_message(msg, cell, cell_index)

        def output(self, outs, msg, display_id, cell_index):
            data = msg.get("content", {}).get("data")
            if isinstance(data, dict) and MIMETYPE in data:
                self.handed_over.setdefault(str(cell_index), []).append(data[MIMETYPE])
                return None
            return super().output(outs, msg, display_id, cell_index)

        async def _async_handle_timeout(self, timeout, cell=None):
            self.problems.append("cell timeout")  # the kernel is interrupted; the cell fails
            self.stop("cell timeout", self.running)
            return await super()._async_handle_timeout(timeout, cell)


def _kill_the_students():
    """Every process in this pid namespace but its init and the caller (the runner)."""
    _kill(-1)


def _exit_after(function, *args):
    """Run function in a forked child, then end the child without running the parent's exits."""
    code = 1
    try:
        function(*args)
        code = 0
    except BaseException:  # noqa: BLE001 -- said on stderr (the grading log), then the exit code
        traceback.print_exc()
    finally:
        os._exit(code)


def keep(job, limits, results):
    """The keeper: seal, fork the submission's init, watch it, and say how it ended."""
    job_dir = seal(job, limits)
    way_in, way_out = os.pipe()
    init_pid = os.fork()
    if init_pid == 0:
        os.close(way_in)
        _exit_after(init, limits, way_out)
    os.close(way_out)
    inbox = Inbox(way_in, limits["file"])
    problems = watch(init_pid, limits, inbox)  # then the student's processes are all gone
    executed = inbox.contents()
    if executed is None:
        problems.append("no notebook came back")
    else:
        out = os.open(EXECUTED, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=job_dir)
        with os.fdopen(out, "wb") as f:
            f.write(executed)
    results.write(json.dumps({"job": job, "problems": problems}) + "\n")
    results.flush()


class Inbox:
    """What the runner sends down its pipe, read as it comes (the keeper cannot start threads:
    it has a pid namespace for its children); at most `limit` bytes are kept."""

    def __init__(self, fd, limit):
        self.fd, self.limit, self.chunks, self.size, self.closed = fd, limit, [], 0, False
        os.set_blocking(fd, False)

    def wait(self, seconds):
        """Up to `seconds`, or until something arrives; then read it."""
        if self.closed:
            time.sleep(seconds)
        elif select.select([self.fd], [], [], seconds)[0]:
            self.read()

    def read(self):
        while not self.closed:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            self.closed = not chunk
            self.size += len(chunk)
            if self.size <= self.limit:
                self.chunks.append(chunk)

    def contents(self):
        """The bytes sent, once every writer is gone; None if nothing came, or too much."""
        os.set_blocking(self.fd, True)
        self.read()
        os.close(self.fd)
        return b"".join(self.chunks) if 0 < self.size <= self.limit else None


def watch(init_pid, limits, inbox):
    """Every 20 ms, count the student's processes and their threads and add up their memory;
    over a limit, they end. Meanwhile, receive the executed notebook. Returns the limits hit,
    once the submission's init has exited."""
    problems, tick, in_files, open_files = [], 0, 0, 0
    while os.waitpid(init_pid, os.WNOHANG) == (0, 0):
        students, threads, hidden = _students()
        tick += 1
        if tick % 10 == 1:  # every 200 ms: reading every open file costs more
            in_files, open_files = _open_files(students.values())
        if not problems and hidden:
            problems.append("a process hid from the limits")
        elif not problems and len(students) > limits["processes"]:
            problems.append("process limit")
        elif not problems and threads > limits["threads"]:
            problems.append("thread limit")
        elif not problems and open_files > limits["open_files"]:
            problems.append("open file limit")
        elif not problems and _over(limits["memory"] - in_files, students.values()):
            problems.append("memory limit")
        if problems:  # from then on, until the runner is done: a fork bomb forks on
            for pid in students:
                _kill(pid)
        inbox.wait(0.02)
    return problems


def _students():
    """The student's processes -- the kernel and what it started (pid >= 3 in their namespace;
    1 is the init and 2 the runner), in pid namespaces of their own making too -- as {pid: the
    /proc folder its memory and files are read through}, their threads in all, and whether one
    hid. /proc here is the parent's, so it shows them all. A process made not dumpable (prctl,
    or running an unreadable program) hides its memory and files from this keeper, which has no
    capability where the kernel's memory was made: that is enough to end the submission."""
    found, threads, hidden = {}, 0, False
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/status") as f:  # NSpid, VmSize, Threads: in this order
                    ns_pids = next(line for line in f if line.startswith("NSpid:")).split()[1:]
                    if len(ns_pids) < 2 or int(ns_pids[1]) < 3:
                        continue  # not the student's: the rest of its status is not read
                    rest = "\n" + f.read()
                count = int(rest.split("\nThreads:", 1)[1].split()[0])
            except (OSError, IndexError, ValueError):
                continue
            proc = f"/proc/{name}"
            if "\nVmSize:" not in rest and count > 1:
                proc = _live_thread(proc)  # its first thread ended and shows no memory
            found[int(name)] = proc
            threads += count
            hidden |= not _readable(proc)
    return found, threads, hidden


def _live_thread(proc):
    """The /proc folder of a thread of the process that still has its memory (a process's own
    folder shows none once its first thread ended); the process's own if none has."""
    try:
        tids = os.listdir(f"{proc}/task")
    except OSError:
        return proc
    return next((f"{proc}/task/{tid}" for tid in tids if _has_memory(f"{proc}/task/{tid}")),
                proc)


def _readable(proc):
    """Whether this keeper may read the process's memory (the check behind smaps and fd/), or
    the process has none left to hide: one that has ended, not yet reaped, has given its memory
    back, and its /proc files belong to root until it is gone -- which a keeper that is not root
    (an instructor grading) cannot read either."""
    try:
        os.close(os.open(f"{proc}/auxv", os.O_RDONLY))
    except PermissionError:
        return not _has_memory(proc)
    except OSError:  # gone meanwhile
        pass
    return True


def _has_memory(proc):
    try:
        with open(f"{proc}/status") as f:  # readable by all; VmSize only while it has some
            return any(line.startswith("VmSize:") for line in f)
    except OSError:  # gone meanwhile
        return False


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _open_files(procs):
    """Bytes in memory-only files the processes hold open (memfd_create): no process's size
    shows them, and no file system bounds them (/tmp, home and /dev/shm are bounded tmpfs); and
    how many files they hold open in all (each socket or pipe has kernel buffers)."""
    sizes, count = {}, 0
    for proc in procs:
        try:
            fds = os.listdir(f"{proc}/fd")
        except OSError:
            continue
        count += len(fds)
        for fd in fds:
            path = f"{proc}/fd/{fd}"
            try:
                if os.readlink(path).startswith("/memfd:"):
                    info = os.stat(path)
                    sizes[info.st_dev, info.st_ino] = info.st_size
            except OSError:
                continue
    return sum(sizes.values()), count


def _over(limit, procs):
    """Whether the processes hold more than `limit` bytes: resident memory is cheap to read but
    counts shared pages (the warm imports) once per process, so a sum over the limit is
    confirmed with Pss."""
    return sum(map(_rss, procs)) > limit and sum(map(_pss, procs)) > limit


def _rss(proc):
    try:
        with open(f"{proc}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _pss(proc):
    """Bytes of memory a process holds, its share of shared pages included; 0 once it ended."""
    try:
        with open(f"{proc}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def main(limits):
    """Warm up, then serve jobs: one keeper at a time, each forked from this clean parent."""
    results = os.fdopen(os.dup(1), "w")  # the protocol; stray prints of libraries go nowhere
    os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
    _dumpable(False)  # no student process may read or trace this one
    if limits.get("probe"):  # can a job be sealed here? (grading.sandbox.require asks)
        pid = os.fork()
        if pid == 0:
            _exit_after(seal, "probe", limits)
        results.write(json.dumps({"sealed": os.waitpid(pid, 0)[1] == 0}) + "\n")
        return
    for module in WARM:
        __import__(module)
    for lesson in sys.modules["graders.lessons"].LESSONS:
        __import__(lesson.module)
    _kernel_classes()
    gc.collect()  # what the imports made is kept for good: no kernel's collection walks it,
    gc.freeze()   # nor copies its pages on write doing so (a kernel's first full pass: 0.3 s)
    for line in sys.stdin:
        job = line.strip()
        if not re.fullmatch(r"job-\d+", job):
            break
        keeper = os.fork()
        if keeper == 0:
            _exit_after(keep, job, limits, results)
        if os.waitpid(keeper, 0)[1] != 0:
            results.write(json.dumps({"job": job, "problems": ["the sandbox failed"]}) + "\n")
            results.flush()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
