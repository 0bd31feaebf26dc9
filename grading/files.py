"""A submission's files come from a stranger: which of them are the student's own, and copying
just those.

The student's own files are the regular files inside the submission's folder, reached through
its folders: never a link (relative or absolute, to a file or a folder, dangling or not), never a
FIFO, socket or device. `copy_own` copies them, and only them, wherever grading takes files in:
collecting from the exchange (grading/collect.py), the copy nbgrader grades and copies into
autograded/ (grading/worker.py), and the sandbox's work folder (grading/sandbox.py). It walks by
open folder -- each step an openat(O_NOFOLLOW) from the folder before, so a link swapped in after
a look is not followed either -- opens a file only once it was seen to be a regular one, then
with O_NOFOLLOW | O_NONBLOCK, and checks what it opened (fstat). It reads no byte past the limits,
and stops at the deadline. What it leaves out it names, as data: a `Dropped` each, with why. The
grading run keeps them in its outcome; the report and formgrader flag them; the student's
feedback says so.

Limits per submission (`SubmissionFiles` in nbgrader_config.py): each notebook's size, and the
number and total size of the files beside the notebooks. Past either of the last two, nothing
beside the notebooks is taken: the submission is graded on its notebooks alone.
"""

import errno
import fnmatch
import os
import pwd
import shutil
import stat
import time
from dataclasses import dataclass

from traitlets import Integer
from traitlets.config import Configurable

MB = 1_000_000
# nbgrader's own record of a submission, kept with its notebooks whatever else is left out
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")
NBGRADER_FILE_LIMIT = 4096  # bytes: a time or a secret
MAX_PATH = 1024  # bytes of a path inside a submission: grading's own paths stay far from PATH_MAX
MAX_DEPTH = 32  # folders in folders: each level holds a descriptor open while it is copied
CHUNK = 1 << 20
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
BESIDE = "(everything beside the notebook)"  # the path named when all of it is left out


@dataclass(frozen=True)
class Limits:
    notebook: int = 20 * MB  # bytes of each notebook
    files: int = 1000  # files and folders beside the notebooks
    size: int = 50 * MB  # bytes of the files beside the notebooks, all together


class SubmissionFiles(Configurable):
    """What one submission may hand in (set in nbgrader_config.py, beside SandboxedExecute's)."""

    notebook_limit = Integer(Limits.notebook, help="bytes of each notebook").tag(config=True)
    files_limit = Integer(Limits.files, help="files and folders beside the notebooks, all "
                          "together; past it, graded on the notebooks alone").tag(config=True)
    size_limit = Integer(Limits.size, help="bytes of the files beside the notebooks, all "
                         "together; past it, graded on the notebooks alone").tag(config=True)

    def limits(self):
        return Limits(self.notebook_limit, self.files_limit, self.size_limit)


@dataclass(frozen=True)
class Dropped:
    """A file of the submission that was left out, and why."""
    path: str  # inside the submission, printable (odd bytes and control characters escaped)
    reason: str  # "a link, not a file", "a notebook over the 20 MB limit", ...


class Refused(Exception):
    """Nothing of this submission is taken: its folder is a link, not a folder, or someone
    else's."""


class _Over(Exception):
    """The files beside the notebooks are past a limit (the reason)."""


def copy_own(source, target, limits=None, owner=None, skip=(), deadline=None, within=None):
    """Copy the student's own files in folder `source` into `target` (made here); returns what
    was left out, [Dropped].

    `limits`: Limits, or None for none (what the grader itself put there); `owner`: the uid that
    must own the folder (else Refused) and each file taken (else it is left out); `skip`: name
    patterns passed over in silence; `deadline`: time.monotonic() past which it stops
    (TimeoutError), and `target` is removed; `within`: a folder of the course that `source` is
    in, from which no folder on the way to it may be a link either (submitted/: STUDENT/LESSON).
    """
    copier = _Copier(limits, owner, skip, deadline)
    src = _open_folder(source, within)
    try:
        stranger = copier.stranger(os.fstat(src))
        if stranger:
            raise Refused(f"the submission is owned by {stranger}")
        os.mkdir(target, 0o755)
        dst = os.open(target, FOLDER)
        try:
            copier.top(src, dst, target)
        except TimeoutError:
            shutil.rmtree(target, ignore_errors=True)
            raise
        finally:
            os.close(dst)
    finally:
        os.close(src)
    return copier.dropped


def _open_folder(path, within=None):
    """An open folder, reached without following a link (from `within`, if given, at each step);
    Refused (why) if it cannot be."""
    path = os.fspath(path)
    steps = os.path.relpath(path, within).split(os.sep) if within is not None else [path]
    fd = os.open(within, FOLDER) if within is not None else None
    try:
        for step in steps:
            try:
                inner = os.open(step, FOLDER, dir_fd=fd)
            except OSError as error:
                raise Refused(_unopened(error, step, "folder", fd)) from None
            if fd is not None:
                os.close(fd)
            fd = inner
    except Refused:
        if fd is not None:
            os.close(fd)
        raise
    return fd


def read_own(path, limit):
    """The bytes of one regular file, not a link; ValueError (why) if it is none or too big."""
    try:
        fd = os.open(path, FILE)
    except OSError as error:
        raise ValueError(_unopened(error, path, "file")) from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{_kind(info.st_mode)}, not a file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"over {size_text(limit)}")
    return data


def describe(dropped):
    """What was left out, for people: "data.bin: a link, not a file; ..." """
    return "; ".join(f"{d.path}: {d.reason}" for d in dropped)


def shown(name):
    """A path as it can be printed: bytes that are not UTF-8 and control characters escaped,
    and shortened if very long."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    return text if len(text) <= 120 else text[:80] + "…" + text[-39:]


class _Copier:
    def __init__(self, limits, owner, skip, deadline):
        self.limits, self.owner, self.skip, self.deadline = limits, owner, skip, deadline
        self.dropped, self.files, self.size = [], 0, 0

    def top(self, src, dst, target):
        """The submission's folder: its notebooks (and nbgrader's record) first, then the rest,
        all of which is left out past a limit."""
        extras, over = [], None
        for name, info in self.entries(src):
            if name.endswith(".ipynb"):
                self.entry(src, dst, name, name, info, "notebook",
                           self.limits.notebook if self.limits else None)
            elif name in NBGRADER_FILES:
                self.entry(src, dst, name, name, info, "file", NBGRADER_FILE_LIMIT)
            elif over is None:
                extras.append((name, info))
                if self.limits and len(extras) > self.limits.files:
                    over = _too_many(self.limits)
        try:
            if over:
                raise _Over(over)
            for name, info in sorted(extras):
                self.entry(src, dst, name, name, info)
        except _Over as reason:
            for name, _ in extras:
                _remove(os.path.join(target, name))
            self.dropped.append(Dropped(BESIDE, f"{reason}: graded on the notebook alone"))

    def entries(self, folder):
        """(name, lstat) of each entry of an open folder, but those passed over."""
        with os.scandir(folder) as found:
            for entry in found:
                self.in_time()
                if any(fnmatch.fnmatch(entry.name, p) for p in self.skip):
                    continue
                try:
                    yield entry.name, entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # gone since listed
                    continue

    def entry(self, src, dst, name, path, info, what="file", limit=None, depth=1):
        """One entry: a folder (beside the notebooks) walked, a regular file copied, the rest
        left out. `limit`: a notebook's or nbgrader's file's own; None for a file beside the
        notebooks, which counts towards the submission's limits."""
        beside = what == "file" and limit is None
        if not _utf8(name):
            return self.drop(path, "its name is not UTF-8 (rename it)")
        if len(os.fsencode(path)) > MAX_PATH:
            return self.drop(path, f"its path is longer than {MAX_PATH} bytes")
        if stat.S_ISLNK(info.st_mode):
            return self.drop(path, f"a link, not a {what}")
        if stat.S_ISDIR(info.st_mode) and beside:
            return self.folder(src, dst, name, path, depth)
        if not stat.S_ISREG(info.st_mode):
            return self.drop(path, f"{_kind(info.st_mode)}, not a {what}")
        self.file(src, dst, name, path, what, limit, beside)

    def folder(self, src, dst, name, path, depth):
        if depth >= MAX_DEPTH:
            return self.drop(path, f"a folder nested more than {MAX_DEPTH} deep")
        self.count()
        try:
            fd = os.open(name, FOLDER, dir_fd=src)
        except OSError as error:  # replaced since it was looked at
            return self.drop(path, _unopened(error, name, "folder", src))
        try:
            stranger = self.stranger(os.fstat(fd))
            if stranger:
                return self.drop(path, f"a folder owned by {stranger}")
            os.mkdir(name, 0o755, dir_fd=dst)
            inner = os.open(name, FOLDER, dir_fd=dst)
            try:
                for child, info in sorted(self.entries(fd)):
                    self.entry(fd, inner, child, f"{path}/{child}", info, depth=depth + 1)
            finally:
                os.close(inner)
        finally:
            os.close(fd)

    def file(self, src, dst, name, path, what, limit, beside):
        """Copy one file, checked once open: a regular file, the student's, within its limit."""
        try:
            fd = os.open(name, FILE, dir_fd=src)
        except OSError as error:
            return self.drop(path, _unopened(error, name, what, src))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return self.drop(path, f"{_kind(info.st_mode)}, not a {what}")
            stranger = self.stranger(info)
            if stranger:
                return self.drop(path, f"a {what} owned by {stranger}")
            if beside:
                self.count()
                limit = self.limits.size - self.size if self.limits else None
            if limit is not None and info.st_size > limit:
                return self.over(path, what, beside, info.st_size)
            copied = self.write(fd, dst, name, limit)
            if copied is None:  # it grew while it was read
                os.unlink(name, dir_fd=dst)
                return self.over(path, what, beside, os.fstat(fd).st_size)
            if beside:
                self.size += copied
        finally:
            os.close(fd)

    def write(self, fd, dst, name, limit):
        """Bytes copied from fd to a new file `name`, or None past the limit."""
        copied = 0
        out = os.open(name, NEW, 0o644, dir_fd=dst)
        with os.fdopen(out, "wb") as f:
            while chunk := os.read(fd, CHUNK if limit is None else min(CHUNK, limit - copied + 1)):
                copied += len(chunk)
                if limit is not None and copied > limit:
                    return None
                f.write(chunk)
                self.in_time()
        return copied

    def over(self, path, what, beside, size):
        if beside:
            raise _Over(f"more than {size_text(self.limits.size)} beside the notebook (at "
                        f"{shown(path)}, {size_text(size)})")
        if what == "notebook":
            return self.drop(path, f"a notebook over the {size_text(self.limits.notebook)} "
                                   "limit")
        self.drop(path, f"over {size_text(NBGRADER_FILE_LIMIT)}, too big for nbgrader's record")

    def count(self):
        self.files += 1
        if self.limits and self.files > self.limits.files:
            raise _Over(_too_many(self.limits))

    def stranger(self, info):
        """Whose it is, if not the student's ("mal, not by ada"), else ""."""
        if self.owner is None or info.st_uid == self.owner:
            return ""
        return f"{user_name(info.st_uid)}, not by {user_name(self.owner)}"

    def drop(self, path, reason):
        self.dropped.append(Dropped(shown(path), reason))

    def in_time(self):
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeoutError("its files were not copied within the wall limit")


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"user id {uid}"


def _utf8(name):
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os gave its bytes back as surrogates
        return False
    return True


def _kind(mode):
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _unopened(error, path, what, folder=None):
    """Why `path` (in the open `folder`) could not be opened as a `what` (a folder, a file, a
    notebook): what it is instead, looked at without following it."""
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        try:
            return f"{_kind(os.stat(path, dir_fd=folder, follow_symlinks=False).st_mode)}, " \
                   f"not a {what}"
        except OSError:
            pass
    return f"cannot be read ({error.strerror})"


def _too_many(limits):
    return f"more than {limits.files:,} files beside the notebook"


def size_text(n):
    """Bytes for people: 20 MB, 3,221.2 MB, 4,096 bytes."""
    return f"{round(n / MB, 1):,g} MB" if n >= MB else f"{n:,} bytes"


def _remove(path):
    """Something this copy made (so no link): gone."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
