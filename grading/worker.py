"""One worker, one submission, start to end: take in its own files, execute (sandboxed),
verdicts, review scan, record. It returns an `Outcome` -- fields, read as fields by the run and the
report.

nbgrader grades a copy of the submission holding only the student's own files (grading/files.py),
made within the submission's wall limit: never the submitted folder itself, whose links nbgrader
would follow into autograded/ and the sandbox.

Feedback is not written here: it is written when it is given back (grading/giveback.py), after
formgrader's points and comments, which it must show, exist.

A worker (a Dask worker, set up by grading.autograde.GradingPlugin) holds one Course (and
nbgrader's API) and grades the submissions it is given one after another; `grade_one` never
raises for anything a student did.
"""

import dataclasses
import functools
import json
import os
import stat
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .course import Course, environment, read_notebook
from .files import FILE, Dropped, Refused, SubmissionFiles, copy_own, describe
from .integrity import Finding, scan
from .sandbox import Stop
from .verdicts import CellVerdict

SANDBOX_FAILED = {"the sandbox failed", "the sandbox did not start"}


@dataclass
class Outcome:
    student: str
    assignment: str
    graded: bool                 # scores are in the gradebook
    seconds: float
    problem: str = ""            # why not graded: "malformed notebook", "grader error", ...
    detail: str = ""             # its evidence, for the instructor
    sandboxed: bool = True       # False: graded with --unsafe
    limits_hit: list[str] = field(default_factory=list)   # "wall time", "output limit", ...
    verdicts: list[CellVerdict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # code to review: a flag, no score
    dropped: list[Dropped] = field(default_factory=list)  # files not taken in, and why
    stops: list[Stop] = field(default_factory=list)  # where the notebook was stopped, and how
    fingerprint: str = ""  # of the files graded and the lesson's tests: unchanged, not re-graded

    @property
    def status(self):
        """One short label for people (progress lines, the CSV): never parsed back."""
        if not self.graded:
            return self.problem
        notes = self.limits_hit + (["files left out"] if self.dropped else []) + (
            ["code to review"] if self.findings else [])
        return "graded" + (f" ({', '.join(notes)})" if notes else "")

    def to_json(self):
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text):
        record = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        record = {key: value for key, value in record.items() if key in known}  # older runs'
        record["verdicts"] = [CellVerdict(**v) for v in record.get("verdicts", [])]
        record["findings"] = [Finding(**f) for f in record.get("findings", [])]
        record["dropped"] = [Dropped(**d) for d in record.get("dropped", [])]
        record["stops"] = [Stop(**s) for s in record.get("stops", [])]
        return cls(**record)

    def record(self, course):
        """Kept in grading-status/, where the report and give-back read it (see `recorded`):
        replaced whole, so a worker lost while writing it leaves the one before, never half."""
        status = course.root / "grading-status"
        status.mkdir(exist_ok=True)
        path = status / f"{self.student}__{self.assignment}.json"
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(self.to_json())
        os.replace(partial, path)

    @property
    def by_hand(self):
        """The exercises this run left to a person (the notebook stopped before them)."""
        return [v.grade_id for v in self.verdicts if v.by_hand]


_WORKER = None  # (course, sandboxed) per worker process


def init(root, db_url, timeout, sandboxed, limits=None):
    """In each worker process: nbgrader's environment, its chatter to grading.log, one Course."""
    global _WORKER
    os.environ.update(environment())
    warnings.simplefilter("ignore")  # SQLAlchemy's and nbgrader's chatter
    log = open(Path(root) / "grading.log", "a")  # kernels' stderr too: inherited from here
    os.dup2(log.fileno(), 2)
    _one_engine_per_database()
    course = Course(root, db_url=db_url, timeout=timeout)
    for name, value in (limits or {}).items():  # "SandboxedExecute.wall_limit": 60, ...
        if value is not None:
            section, _, trait = name.rpartition(".")
            course.config[section or "SandboxedExecute"][trait] = value
    _WORKER = (course, sandboxed)


def _one_engine_per_database():
    """nbgrader makes a new SQLAlchemy engine for every Gradebook it opens, a dozen per
    submission, and each new engine compiles every statement again (0.1 s of a submission's
    0.6). A worker keeps one engine per database for its life: Gradebook.close() still returns
    its connections, and the compiled statements stay."""
    import nbgrader.api

    if not hasattr(nbgrader.api.create_engine, "cache_info"):
        nbgrader.api.create_engine = functools.cache(nbgrader.api.create_engine)


def grade_one(student, assignment, fingerprint=""):
    """Grade one submission in this worker process, start to end; never raises.
    `fingerprint`: of what it was graded on (see `fingerprint`), recorded with the outcome."""
    course, sandboxed = _WORKER
    start = time.perf_counter()
    outcome = Outcome(student, assignment, graded=False, seconds=0.0, sandboxed=sandboxed,
                      fingerprint=fingerprint)
    try:
        _grade(course, outcome)
    except Exception:  # noqa: BLE001 -- one submission must not stop the class
        outcome.graded, outcome.problem = False, "grader error"
        outcome.detail = traceback.format_exc(limit=3)
    outcome.seconds = time.perf_counter() - start
    outcome.record(course)
    return outcome


def _grade(course, outcome):
    from .sandbox import SandboxedExecute

    deadline = time.monotonic() + SandboxedExecute(config=course.config).wall_limit
    with tempfile.TemporaryDirectory(prefix="grading-own-") as own:
        if _take_in(course, outcome, Path(own), deadline):
            _grade_own(course, outcome, Path(own), deadline)


def _take_in(course, outcome, own, deadline):
    """The student's own files of the submission, copied to own/STUDENT/LESSON; whether there
    is a notebook to grade (if not, the outcome says why)."""
    from .collect import left_out

    target = own / outcome.student / outcome.assignment
    target.parent.mkdir()
    limits = SubmissionFiles(config=course.config).limits()
    try:
        submitted = course.directory("submitted")
        dropped = copy_own(submitted / outcome.student / outcome.assignment, target, limits,
                           deadline=deadline, within=submitted)
    except Refused as error:  # e.g. the folder is a link to a classmate's
        outcome.problem, outcome.detail = f"submission folder refused: {error}", ""
        return False
    except TimeoutError as error:
        outcome.problem, outcome.detail = "wall time", str(error)
        return False
    outcome.dropped = left_out(course, outcome.student, outcome.assignment) + dropped
    lost = lost_notebooks(course, outcome)
    if lost:  # e.g. a link to a classmate's notebook: nothing of the student's to grade
        outcome.problem, outcome.detail = f"handed in {lost[0].reason}", describe(lost)
        return False
    return True


def _grade_own(course, outcome, own, deadline):
    """nbgrader's autograde on the copy in `own` (as its submitted/), sandboxed by default."""
    handed = own / outcome.student / outcome.assignment
    try:
        for name in course.notebooks(outcome.assignment):
            if (handed / name).exists():  # nbgrader grades these, and skips any other
                read_notebook(handed / name)
    except ValueError as error:  # malformed: this student's problem, said clearly
        outcome.problem, outcome.detail = "malformed notebook", str(error)
        return
    api = course.api(sandboxed=outcome.sandboxed, **{
        "CourseDirectory.submitted_directory": str(own), "SandboxedExecute.deadline": deadline,
        # the hooks are for an autograde outside the run: here the files are taken in above,
        # and the outcome is recorded by grade_one
        "Autograde.pre_convert_hook": None, "Autograde.post_convert_hook": None})
    finish(course, outcome, api.autograde(outcome.assignment, outcome.student, force=True,
                                          create=True))


def finish(course, outcome, result):
    """The outcome of nbgrader's autograde `result` (its API's dict), read back from the
    autograded notebooks as data; its flags written into the gradebook (grading/flags.py)."""
    from .flags import write_flags

    if not result["success"]:
        outcome.problem, outcome.detail = "grader error", failure(result)
        return
    for path in sorted((course.directory("autograded") / outcome.student / outcome.assignment)
                       .glob("*.ipynb")):
        grading = read_notebook(path).metadata.get("grading", {})
        outcome.limits_hit += grading.get("limits_hit", [])
        outcome.verdicts += [CellVerdict(**v) for v in grading.get("verdicts", [])]
        outcome.stops += [Stop(**s) for s in grading.get("stops", [])]
        outcome.findings += [f for f in scan(path)]
    log = result.get("log") or ""
    if not outcome.sandboxed and ("DeadKernelError" in log or "ernel died" in log):
        outcome.limits_hit.append("kernel died")
    if not outcome.sandboxed and ("CellTimeoutError" in log or "Timeout waiting for" in log):
        outcome.limits_hit.append("cell timeout")
    outcome.limits_hit = sorted(set(outcome.limits_hit))
    failed = set(outcome.limits_hit) & SANDBOX_FAILED
    if failed:  # not the student's doing: its exercises wait for a person, or a re-grade
        outcome.problem, outcome.detail = "sandbox failed", ", ".join(sorted(failed))
    else:
        outcome.graded = True
    write_flags(course, outcome)


GENERIC = ("There was an error processing assignment", "Please see the")  # nbgrader's wrapping


def failure(result):
    """What stopped nbgrader, for people: the errors it logged -- a traceback by its last line,
    the exception and its message -- without its generic wrapping, and not the line it logged
    last."""
    entries, said = [], []
    for line in (result.get("log") or "").splitlines():
        if line.startswith("[") and "] " in line[:12]:
            entries.append([line])
        elif entries:
            entries[-1].append(line)
    for entry in entries:
        level, _, first = entry[0].partition("] ")
        if level not in ("[ERROR", "[CRITICAL") or first.startswith(GENERIC):
            continue
        lines = [line.strip() for line in (first, *entry[1:]) if line.strip()]
        text = lines[-1] if first.startswith("Traceback") else " ".join(lines)
        if text and text not in said:
            said.append(text)
    if not said:
        said = (result.get("error") or "").strip().splitlines()[-1:]
    return "; ".join(said) or "nbgrader's autograde failed, and said nothing"


def lost_notebooks(course, outcome):
    """The lesson's notebooks left out of the submission (a link, a FIFO, over the limit):
    then it had nothing of the student's own to grade."""
    return [d for d in outcome.dropped if d.path in course.notebooks(outcome.assignment)]


RETRIED = ("grader error", "sandbox failed")  # not the submission's doing: graded again


def unchanged(course, student, assignment, print_):
    """Whether the submission was graded on exactly this (its fingerprint) and needs no re-grade."""
    outcome = recorded(course, student, assignment)
    return (outcome is not None and outcome.fingerprint == print_
            and outcome.problem not in RETRIED)


def fingerprint(course, student, assignment, sandboxed=True):
    """What a grade depends on, hashed: the files handed in (links and other non-files by kind
    only: they are never read), the lesson's tests as the gradebook holds them, the graders'
    checks and answer key behind them, and whether the sandbox ran it."""
    import hashlib

    digest = hashlib.sha256(f"sandboxed={sandboxed}\n".encode())
    folder = course.directory("submitted") / student / assignment
    for top, dirs, files in os.walk(folder):  # never into a linked folder
        dirs.sort()
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(top, d))]):
            path = os.path.join(top, name)
            info = os.lstat(path)
            digest.update(f"{os.path.relpath(path, folder)}\0{info.st_mode}\0{info.st_size}\n"
                          .encode(errors="surrogateescape"))
            if stat.S_ISREG(info.st_mode):
                with os.fdopen(os.open(path, FILE), "rb") as f:  # no link, no FIFO: as copy_own
                    if stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                        for chunk in iter(lambda: f.read(1 << 20), b""):
                            digest.update(chunk)
    from nbgrader.api import MissingEntry

    with course.gradebook() as gradebook:
        try:
            notebooks = gradebook.find_assignment(assignment).notebooks
        except MissingEntry:  # not generated yet: grading it will say so
            notebooks = []
        for notebook in sorted(notebooks, key=lambda n: n.name):
            for cell in sorted(notebook.source_cells, key=lambda c: c.name):
                digest.update(f"{notebook.name}/{cell.name}\0{cell.checksum}\n".encode())
            for cell in sorted(notebook.grade_cells, key=lambda c: c.name):
                digest.update(f"{cell.name}\0{cell.max_score}\n".encode())
    digest.update(_graders_of(assignment))
    return digest.hexdigest()


_GRADERS = {}  # assignment: the bytes of its graders, read once per process


def _graders_of(assignment):
    """The bytes of the graders a lesson's checks run: its own modules and the shared ones
    (never another lesson's)."""
    _cache = _GRADERS
    if assignment not in _cache:
        import importlib.util

        graders = Path(importlib.util.find_spec("graders").origin).parent
        found = []
        for path in sorted([*graders.glob("*.py"), *(graders / "answer_key").glob("*.py")]):
            if path.name.startswith("lesson") and assignment not in path.name:
                continue
            if path.name != "pictures.py":
                found.append(path.read_bytes())
        _cache[assignment] = b"".join(found)
    return _cache[assignment]


def recorded(course, student, assignment):
    """The last grading run's Outcome for this submission, or None."""
    path = course.root / "grading-status" / f"{student}__{assignment}.json"
    return Outcome.from_json(path.read_text()) if path.exists() else None


