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
import json
import os
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .course import Course, environment, read_notebook
from .files import Dropped, Refused, SubmissionFiles, copy_own, describe
from .integrity import Finding, scan
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

    @property
    def status(self):
        """One short label for people (progress lines, the CSV): never parsed back."""
        if not self.graded:
            return self.problem
        notes = self.limits_hit + (["files left out"] if self.dropped else [])
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


def autograde_preprocessors(sandboxed):
    """nbgrader's autograde pipeline, with its Execute sandboxed and the trusted verdicts added.

    The autograded notebook is what formgrader shows the instructor, logged in: its HTML and
    markdown are sanitized (nbconvert's SanitizeHTML: no script, no event handler, no SVG), so a
    student's output cannot act in the instructor's browser.
    """
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbconvert.preprocessors.sanitize import SanitizeHTML
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        Execute,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from .sandbox import SandboxedExecute
    from .verdicts import TrustedVerdicts

    if not sandboxed:
        return [Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SanitizeHTML,
                SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    return [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, TrustedVerdicts,
            LimitOutput, SanitizeHTML, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


_WORKER = None  # (course, sandboxed) per worker process


def init(root, db_url, timeout, sandboxed, limits=None):
    """In each worker process: nbgrader's environment, its chatter to grading.log, one Course."""
    global _WORKER
    os.environ.update(environment())
    warnings.simplefilter("ignore")  # SQLAlchemy's and nbgrader's chatter
    log = open(Path(root) / "grading.log", "a")  # kernels' stderr too: inherited from here
    os.dup2(log.fileno(), 2)
    course = Course(root, db_url=db_url, timeout=timeout)
    for name, value in (limits or {}).items():  # "SandboxedExecute.wall_limit": 60, ...
        if value is not None:
            section, _, trait = name.rpartition(".")
            course.config[section or "SandboxedExecute"][trait] = value
    _WORKER = (course, sandboxed)


def grade_one(student, assignment):
    """Grade one submission in this worker process, start to end; never raises."""
    course, sandboxed = _WORKER
    start = time.perf_counter()
    outcome = Outcome(student, assignment, graded=False, seconds=0.0, sandboxed=sandboxed)
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
    from .autograde import deduplicate

    handed = own / outcome.student / outcome.assignment
    paths = [handed / name for name in course.notebooks(outcome.assignment)
             if (handed / name).exists()]  # nbgrader grades these, and skips any other
    try:
        for path in paths:
            deduplicate(path, read_notebook(path))
    except ValueError as error:  # malformed: this student's problem, said clearly
        outcome.problem, outcome.detail = "malformed notebook", str(error)
        return
    api = course.api(**{"Autograde.autograde_preprocessors":
                        autograde_preprocessors(outcome.sandboxed),
                        "CourseDirectory.submitted_directory": str(own),
                        "SandboxedExecute.deadline": deadline})
    result = api.autograde(outcome.assignment, outcome.student, force=True, create=True)
    log = (result.get("log") or "") + (result.get("error") or "")
    if not result["success"]:
        outcome.problem, outcome.detail = "grader error", _last_lines(log)
        return
    for path in sorted((course.directory("autograded") / outcome.student / outcome.assignment)
                       .glob("*.ipynb")):
        grading = read_notebook(path).metadata.get("grading", {})
        outcome.limits_hit += grading.get("limits_hit", [])
        outcome.verdicts += [CellVerdict(**v) for v in grading.get("verdicts", [])]
    if not outcome.sandboxed and ("DeadKernelError" in log or "ernel died" in log):
        outcome.limits_hit.append("kernel died")
    if "CellTimeoutError" in log or "Timeout waiting for" in log:
        outcome.limits_hit.append("cell timeout")
    outcome.limits_hit = sorted(set(outcome.limits_hit))
    if outcome.limits_hit == ["kernel died"]:  # no limit explains it: maybe not the student's
        outcome.problem, outcome.detail = "kernel died", _last_lines(log)
        return
    failed = set(outcome.limits_hit) & SANDBOX_FAILED
    if failed:  # not the student's doing: not graded, said so (its reason is in grading.log)
        outcome.problem, outcome.detail = "sandbox failed", ", ".join(sorted(failed))
        return
    outcome.graded = True
    outcome.findings = [f for path in paths for f in scan(path)]


def lost_notebooks(course, outcome):
    """The lesson's notebooks left out of the submission (a link, a FIFO, over the limit):
    then it had nothing of the student's own to grade."""
    return [d for d in outcome.dropped if d.path in course.notebooks(outcome.assignment)]


def recorded(course, student, assignment):
    """The last grading run's Outcome for this submission, or None."""
    path = course.root / "grading-status" / f"{student}__{assignment}.json"
    return Outcome.from_json(path.read_text()) if path.exists() else None


def _last_lines(text, n=6):
    return "\n".join(text.strip().splitlines()[-n:])
