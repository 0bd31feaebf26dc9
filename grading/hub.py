"""A class on a real JupyterHub, on this machine and 127.0.0.1 only: `make hub`.

    python -m grading.hub [--root build/hub] [--port 8000]   set the class up, start the hub
    python -m grading.hub --clean [--root build/hub]          remove its users and all it made

The class: an instructor and three students, real local users of this machine, made here with
useradd (their passwords locked: they reach the machine through the hub only). Each user's server
runs as that user, so a student's code cannot touch a classmate's files or the course, and
nbgrader's exchange takes a submission only from the user whose name it carries
(grading.collect.OwnCollect). They log in with the class's two passwords, printed at start
(JupyterHub's SharedPasswordAuthenticator: one for the students, one for the instructor).

Each user's server is configured by role (hub/jupyterhub_config.py): the students get student
mode with the Assignments tab back (hub/student over binder/jupyter/student): fetch, Validate,
submit, fetch feedback, no formgrader. The instructor gets instructor mode
(binder/jupyter/instructor) in a home that is the course, as `make instructor` runs in one:
formgrader on it. The exchange, ROOT/exchange, is shared by all.

The hub runs in the foreground: Ctrl-C (or SIGTERM) stops it, its proxy and every user's server.
The users, their work and the course stay for the next start; --clean removes them. Only users
made here are ever reused or removed: their GECOS field says so, with the class's folder.
"""

import argparse
import ctypes
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .course import REPO, Course, environment

MARK = "autograd-course hub"  # the GECOS field of the users made here, with the class's folder
PROXY = REPO / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"  # npm ci in hub/
COURSE_ID = "autograd"
HUB_CONFIG = REPO / "hub" / "jupyterhub_config.py"


class Refused(RuntimeError):
    """The class cannot be set up here: the message says why, and what to do."""


@dataclass
class Class:
    """Who is in the class and where it lives: ROOT/state (the hub's), ROOT/exchange, and the
    users' homes in ROOT/home (the instructor's is the course)."""

    root: Path
    port: int = 8000
    instructor: str = "instructor"
    students: list[str] = field(default_factory=lambda: ["ada", "bob", "cyd"])
    server_args: list[str] = field(default_factory=list)  # for every user's server (tests)

    def __post_init__(self):
        self.root = Path(self.root).resolve()

    @property
    def users(self):
        return [self.instructor, *self.students]

    @property
    def state(self):
        return self.root / "state"

    @property
    def exchange(self):
        return self.root / "exchange"

    @property
    def course(self):
        return self.home(self.instructor)

    def home(self, user):
        return self.root / "home" / user

    def mark(self):
        return f"{MARK} {self.root}"

    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def passwords(self):
        """{"students": ..., "instructor": ...}: made once, kept in ROOT/state (root's only)."""
        path = self.state / "passwords.json"
        if not path.exists():
            path.touch(mode=0o600)
            # the admin's must be 32 characters or more (SharedPasswordAuthenticator)
            path.write_text(json.dumps({"students": secrets.token_urlsafe(9),
                                        "instructor": secrets.token_urlsafe(24)}))
        return json.loads(path.read_text())


def set_up(klass):
    """Everything the class needs before the hub starts; Refused says what stands in the way."""
    if os.geteuid() != 0:
        raise Refused("the hub needs root: it makes the class's local users (useradd) and runs "
                      "each user's server as that user (sudo make hub)")
    proxy = PROXY if PROXY.exists() else shutil.which("configurable-http-proxy")
    if not proxy:
        raise Refused(f"JupyterHub's proxy is not installed: npm ci --prefix {REPO / 'hub'} "
                      "(make hub does)")
    for user in klass.users:
        _not_someone_elses(klass, user)
    for folder, mode in ((klass.root, 0o755), (klass.state, 0o700), (klass.root / "home", 0o755),
                         (klass.exchange, 0o1777)):  # nbgrader's exchange: anyone may write
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(mode)
    _course(klass)
    for user in klass.users:
        _user(klass, user)
    klass.passwords()
    where = {**asdict(klass), "root": str(klass.root), "state": str(klass.state),
             "exchange": str(klass.exchange), "course_id": COURSE_ID, "proxy": str(proxy),
             "hub_port": free_port(), "proxy_api_port": free_port()}
    (klass.state / "class.json").write_text(json.dumps(where, indent=1))
    return klass.state / "class.json"


def _not_someone_elses(klass, user):
    """A user of that name exists already only if this class made it."""
    try:
        gecos = pwd.getpwnam(user).pw_gecos
    except KeyError:
        return
    if gecos != klass.mark():
        raise Refused(f"a user named {user} exists on this machine and was not made for this "
                      f"class ({klass.root}): name the class's users otherwise "
                      "(--instructor, --students)")


def _course(klass):
    """The instructor's course, made once: the lessons as nbgrader assignments, its exchange the
    class's."""
    if (klass.course / "nbgrader_config.py").exists():
        return
    course = Course.create_demo(klass.course)
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(f"# on the class's hub (grading/hub.py): the exchange every user shares\n"
                     f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
                     f"c.Exchange.root = {str(klass.exchange)!r}\n")


def _user(klass, user):
    """The local user, made if need be: a student's home made by useradd, the instructor's the
    course (theirs, whole)."""
    try:
        pwd.getpwnam(user)
    except KeyError:
        home = ["--no-create-home", "--home-dir", klass.course] if user == klass.instructor \
            else ["--create-home", "--home-dir", klass.home(user)]
        subprocess.run(["useradd", *home, "--shell", "/bin/bash", "--comment", klass.mark(),
                        "--user-group", user], check=True, capture_output=True, text=True)
    if user == klass.instructor:
        entry = pwd.getpwnam(user)
        for path in [klass.course, *klass.course.rglob("*")]:
            os.lchown(path, entry.pw_uid, entry.pw_gid)


def open_to_all(klass):
    """Each user's server runs the project's Python, from the project's folder, and keeps its
    home in the class's folder: where a folder on the way to one of them is closed to others
    (pyenv's Python under /root, say), the hub gets a mount namespace of its own in which a tmpfs
    takes that folder's place, holding only what the class needs, bound back. Nothing on the
    machine changes, and nothing else of that folder is visible to the class."""
    needed = {Path(sys.base_prefix).resolve(): True, Path(sys.prefix).resolve(): True,
              REPO: True, klass.root: False}  # {path: read-only}
    needed = {path: ro for path, ro in sorted(needed.items()) if _closed(path)}
    if not needed:
        return
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source, target, fstype, flags, data=None):
        if libc.mount(*(str(a).encode() if a is not None else None
                        for a in (source, target, fstype)), flags, data) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"mount {source} on {target}: {os.strerror(error)}")

    if libc.unshare(CLONE_NEWNS) != 0:
        raise Refused(f"no mount namespace for the hub: {os.strerror(ctypes.get_errno())}")
    mount("none", "/", None, MS_REC | MS_PRIVATE)  # what is mounted here stays here
    stage = Path(tempfile.mkdtemp(prefix="hub-stage-"))
    held = {}
    for k, path in enumerate(needed):  # held aside while the closed folders are covered
        held[path] = stage / str(k)
        held[path].mkdir()
        mount(path, held[path], None, MS_BIND | MS_REC)
    for closed in sorted({_closed(path) for path in needed}):
        mount("tmpfs", closed, "tmpfs", 0, b"mode=755")
    for path, read_only in needed.items():
        for folder in reversed([path, *path.parents]):
            if not folder.exists():
                folder.mkdir()
                folder.chmod(0o755)
        mount(held[path], path, None, MS_MOVE)
        if read_only:
            mount("none", path, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        held[path].rmdir()
    stage.rmdir()


CLONE_NEWNS, MS_RDONLY, MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = (
    0x20000, 1, 32, 4096, 8192, 16384, 1 << 18)


def _closed(path):
    """The topmost folder on the way to `path` that other users cannot pass, or None."""
    for folder in reversed(path.parents):  # from / down
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def _reachable(klass):
    """Each user's server runs the project's Python: a student must be able to run it."""
    entry = pwd.getpwnam(klass.students[0])
    done = subprocess.run([sys.executable, "-c", "import grading, jupyterhub"], user=entry.pw_uid,
                          group=entry.pw_gid, extra_groups=[], capture_output=True, text=True,
                          cwd="/", env={"PATH": "/usr/bin:/bin", "HOME": entry.pw_dir})
    if done.returncode != 0:
        raise Refused(f"the class's users cannot run this project's Python ({sys.executable}): "
                      + (done.stderr.strip().splitlines() or ["?"])[-1])


def free_port():
    """A port of 127.0.0.1 free now (another process may take it before it is bound)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free(port):
    """Whether nothing listens on this port of 127.0.0.1 (a connection of an earlier hub still
    closing does not count: the proxy binds over it too)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start(klass):
    """Set the class up and run the hub in this process's place (Ctrl-C stops it all)."""
    if not _free(klass.port):  # the hub's proxy would say so only in its log, and run on
        raise Refused(f"127.0.0.1:{klass.port} is already in use (another hub, or another "
                      "server): give the hub another port with --port (make hub HUB_PORT=...)")
    where = set_up(klass)
    open_to_all(klass)
    _reachable(klass)
    passwords = klass.passwords()
    print(f"the class's hub: {klass.url()}  (127.0.0.1 only)\n"
          f"  instructor  {klass.instructor:<12} password {passwords['instructor']}\n"
          f"  students    {' '.join(klass.students):<12} password {passwords['students']}\n"
          f"  the course  {klass.course}\n  the exchange {klass.exchange}\n"
          "Ctrl-C stops the hub and every user's server.", flush=True)
    env = {**environment(), "HUB_CLASS": str(where)}
    hub = Path(sys.executable).parent / "jupyterhub"
    os.chdir(klass.state)
    os.execve(hub, [str(hub), "-f", str(HUB_CONFIG)], env)


def clean(klass):
    """Remove the class's users (their homes and the course with them) and its folder."""
    if _running(klass):
        raise Refused(f"the hub of {klass.root} is running: stop it first (Ctrl-C)")
    for user in klass.users:
        try:
            made_here = pwd.getpwnam(user).pw_gecos == klass.mark()
        except KeyError:
            continue
        if made_here:
            subprocess.run(["userdel", "--remove", user], capture_output=True)
    shutil.rmtree(klass.root, ignore_errors=True)


def _running(klass):
    try:
        os.kill(int((klass.state / "jupyterhub.pid").read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading.hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("build/hub"),
                        help="the class's folder (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="the hub's (default: %(default)s)")
    parser.add_argument("--instructor", default="instructor", help="the instructor's user name")
    parser.add_argument("--students", nargs="+", default=["ada", "bob", "cyd"],
                        help="the students' user names")
    parser.add_argument("--server-arg", action="append", default=[], dest="server_args",
                        help="an option for every user's server, e.g. "
                             "--server-arg=--LabApp.expose_app_in_browser=True")
    parser.add_argument("--clean", action="store_true", help="remove the class's users and folder")
    args = parser.parse_args(argv)
    klass = Class(args.root, args.port, args.instructor, args.students, args.server_args)
    try:
        if args.clean:
            clean(klass)
            return 0
        start(klass)
    except Refused as error:
        parser.exit(2, f"{parser.prog}: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
