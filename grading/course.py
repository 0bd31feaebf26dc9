"""The nbgrader course being graded: a directory with nbgrader_config.py, source and submitted/."""

import copy
import json
import os
import re
import shutil
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[1]
DEMO_COURSE_ID = "autograd"  # the demo course's name: students fetch its lessons under it
# JSON objects and arrays in a notebook: a lesson's holds a few per cell; a 20 MB notebook of
# nothing but {} would take nbformat 3.7 GB to read
MAX_JSON_CONTAINERS = 500_000
JSON_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')

DEMO_CONFIG = """\
# The demo course: the lessons of {repo} as assignments (copied into source/), graded here.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}  # its name in the exchange and the gradebook
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}  # nbgrader's exchange, in the course (a hub shares one instead)
c.Execute.timeout = {timeout}  # seconds per cell: an endless loop fails its cell, not the class
c.Execute.startup_timeout = 120
# what one submission may cost when graded (grading/sandbox.py), and hand in (grading/files.py)
c.SandboxedExecute.wall_limit = 600  # seconds, its files' copying included
c.SandboxedExecute.memory_limit = 2 << 30  # bytes of memory, all its processes together
c.SubmissionFiles.notebook_limit = 20_000_000  # bytes of each notebook
c.SubmissionFiles.files_limit = 1000  # files beside the notebook; past it, the notebook alone
c.SubmissionFiles.size_limit = 50_000_000  # bytes beside the notebook; past it, likewise
# formgrader's collect takes, as `grading collect` does, only students' own files
c.ExchangeFactory.collect = "grading.collect.OwnCollect"
"""


class Course:
    """An nbgrader course directory, and how to talk to its gradebook."""

    def __init__(self, root, db_url=None, timeout=None):
        self.root = Path(root).resolve()
        self.config = Config()
        config_file = self.root / "nbgrader_config.py"
        if config_file.exists():
            self.config.merge(PyFileConfigLoader(config_file.name, str(self.root)).load_config())
        self.config.CourseDirectory.root = str(self.root)
        if not self.config.CourseDirectory.get("course_id"):
            # nbgrader's tables default to "default_course"; PostgreSQL enforces the link
            self.config.CourseDirectory.course_id = "default_course"
        if not self.config.Exchange.get("root"):
            self.config.Exchange.root = exchange_root(self.root)
        if db_url:
            self.config.CourseDirectory.db_url = db_url
        if timeout:
            self.config.Execute.timeout = timeout

    @classmethod
    def create_demo(cls, root, db_url=None, timeout=30):
        """A course whose assignments are this repository's lessons (solutions/, its graded
        lessons only, copied into source/), with its own exchange.

        A previous demo in `root` is replaced -- unless it holds work the demo did not make
        (collected submissions, grades or comments given by hand): then, as for any other
        non-empty directory, FileExistsError says what is there and how to start afresh.
        """
        root = Path(root).resolve()
        marker = root / ".grading-demo"
        if root.exists() and any(root.iterdir()):
            if not marker.exists():
                raise FileExistsError(f"{root} is not empty and holds no demo course: "
                                      "refusing to overwrite it (choose another --root)")
            kept = cls(root).not_the_demos()
            if kept:
                raise FileExistsError(
                    f"{root} holds {' and '.join(kept)}: refusing to replace it. To grade what "
                    f"is there: grading grade --root {root}. To start afresh with a new demo "
                    f"class, move it away or delete it first (rm -rf {root}).")
            shutil.rmtree(root)
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text("made by `grading demo`; safe to delete\n")
        for lesson in sorted((REPO / "solutions").iterdir()):
            if any(graded_cells(path) for path in lesson.glob("*.ipynb")):  # not the index
                shutil.copytree(lesson, root / "source" / lesson.name)
        (root / "exchange").mkdir()
        (root / "exchange").chmod(0o777)  # students hand in through it: nbgrader's is shared
        db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
        (root / "nbgrader_config.py").write_text(DEMO_CONFIG.format(
            repo=REPO, root=str(root), db_url=db_url, exchange=str(root / "exchange"),
            course_id=DEMO_COURSE_ID, timeout=timeout))
        return cls(root)

    def not_the_demos(self):
        """What in this demo course the demo did not make: ["collected work (...)", "3
        grades given by hand"], or []."""
        from .demo import STUDENTS

        found = []
        strangers = sorted({p.name for p in self.directory("submitted").glob("*")} - set(STUDENTS)) \
            if self.directory("submitted").is_dir() else []
        if strangers or (self.root / "downloaded").exists() or (self.root / "collect-status").exists():
            found.append("collected work" + (f" ({', '.join(strangers[:5])})" if strangers else ""))
        if (self.root / "gradebook.db").exists() or "sqlite" not in self.db_url:
            with self.gradebook() as gradebook:
                from .flags import MARK, REVIEW

                by_hand = sum(1 for a in gradebook.assignments for s in a.submissions
                              for n in s.notebooks for g in n.grades if g.manual_score is not None)
                by_hand += sum(1 for a in gradebook.assignments for s in a.submissions
                               for n in s.notebooks for c in n.comments if c.manual_comment
                               and not c.manual_comment.startswith((MARK, REVIEW)))
            if by_hand:
                found.append(f"{by_hand} grades or comments given by hand")
        return found

    @property
    def db_url(self):
        url = self.config.CourseDirectory.get("db_url")
        return url if isinstance(url, str) and url else f"sqlite:///{self.root / 'gradebook.db'}"

    def copy(self, target):
        """The same course in another directory (its config pointed there): a scratch copy."""
        target = Path(target)
        shutil.copytree(self.root, target)
        config = target / "nbgrader_config.py"
        config.write_text(config.read_text().replace(str(self.root), str(target)))
        return Course(target)

    def auto_scores(self, jobs):
        """{(student, assignment, grade_id): autograder's score} for the graded jobs."""
        with self.gradebook() as gradebook:
            return {(student, assignment, grade.name): grade.auto_score
                    for student, assignment in jobs
                    for notebook in gradebook.find_submission(assignment, student).notebooks
                    for grade in notebook.grades}

    def api(self, sandboxed=True, **config):
        """nbgrader's API on this course, its autograde and feedback the grading run's
        (grading/pipeline.py); imported late: workers import it themselves."""
        from nbgrader.apps import NbGraderAPI

        from .pipeline import configure

        merged = copy.deepcopy(self.config)  # its sections too: what is set here stays here
        configure(merged, sandboxed)
        merged.CourseDirectory.db_url = self.db_url
        for key, value in config.items():
            section, name = key.split(".")
            merged[section][name] = value
        return NbGraderAPI(config=merged)

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.config.CourseDirectory.course_id)

    def directory(self, name):
        configured = self.config.CourseDirectory.get(f"{name}_directory")
        path = Path(configured if isinstance(configured, str) else name)
        return path if path.is_absolute() else self.root / path

    def assignments(self):
        return sorted(p.name for p in self.directory("source").iterdir() if p.is_dir())

    def graded_assignments(self):
        """The assignments with at least one graded cell (a course index has none)."""
        return [a for a in self.assignments()
                if any(graded_cells(p) for p in (self.directory("source") / a).glob("*.ipynb"))]

    def students(self):
        submitted = self.directory("submitted")
        return sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.exists() else []

    def notebooks(self, assignment):
        """The names of the lesson's notebooks, e.g. ["04_accumulation.ipynb"]."""
        return sorted(p.name for p in (self.directory("source") / assignment).glob("*.ipynb"))

    def submission(self, student, assignment):
        """The notebooks a student handed in for an assignment."""
        return sorted((self.directory("submitted") / student / assignment).glob("*.ipynb"))


def graded_cells(path):
    """The cells of a source notebook that carry points."""
    return [c for c in read_notebook(path).cells if c.metadata.get("nbgrader", {}).get("grade")]


def is_test_cell(cell):
    """A lesson's test cell: code that carries points and is not an answer."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


INSTRUCTOR_MODE = REPO / "binder" / "jupyter" / "instructor"


def exchange_root(root):
    """The nbgrader exchange a course uses: the one its config names, else one named by an
    nbgrader_config.py on Jupyter's config path (a hub's, the system's), else the course's own
    exchange/ -- made here, writable by all as nbgrader's exchange must be."""
    from jupyter_core.paths import jupyter_config_path

    root = Path(root)
    for folder in [root, *map(Path, jupyter_config_path())]:
        config_file = folder / "nbgrader_config.py"
        if folder.resolve() == INSTRUCTOR_MODE.resolve() or not config_file.is_file():
            continue
        configured = PyFileConfigLoader(config_file.name, str(folder)).load_config()
        if configured.Exchange.get("root"):
            return str(configured.Exchange.root)
    own = root / "exchange"
    if not own.exists() and (root / "nbgrader_config.py").exists():
        own.mkdir()
        own.chmod(0o777)  # students hand in through it: nbgrader's exchange is shared
    return str(own)


class NotANotebook(ValueError):
    """Bytes that are no notebook; `why` says what is wrong with them."""

    def __init__(self, name, why):
        super().__init__(f"{name} is not a valid notebook ({why})")
        self.why = why


def read_notebook(path):
    """A notebook, or a clear error (NotANotebook) saying why it cannot be read."""
    return parse_notebook(Path(path).read_bytes(), Path(path).name)


def parse_notebook(data, name="notebook.ipynb"):
    """A notebook from its bytes, in bounded memory (NotANotebook: why they are none)."""
    import nbformat

    if containers(data) > MAX_JSON_CONTAINERS:
        raise NotANotebook(name, f"more than {MAX_JSON_CONTAINERS:,} JSON objects and arrays")
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise NotANotebook(name, f"not JSON: {error}") from None
    except Exception as error:  # noqa: BLE001 -- nbformat raises many kinds
        raise NotANotebook(name, str(error) or type(error).__name__) from None


def containers(data):
    """How many JSON objects and arrays these bytes hold (braces outside strings), counted
    without parsing them."""
    bare = JSON_STRINGS.sub(b"", data)
    return bare.count(b"{") + bare.count(b"[")


def environment():
    """The environment for nbgrader: the venv's bin/ first (nbgrader shells out to alembic)."""
    import sys

    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env
