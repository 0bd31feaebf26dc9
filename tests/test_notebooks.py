"""The course: every solutions/ notebook runs and passes; every course/ notebook is fresh,
clean, and fails its checks until the answers are written."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.validator import Validator

from graders.lessons import LESSONS as LESSON_OBJECTS
from graders.lessons import lesson_of

from .lesson_runs import run

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
EXERCISE_LESSONS = [lesson.name for lesson in LESSON_OBJECTS]


def notebook(kind, name):
    return ROOT / kind / name / f"{name}.ipynb"


def grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_every_lesson_folder_has_its_checks():
    assert LESSONS == ["00_index", *EXERCISE_LESSONS]


@pytest.mark.parametrize("name", LESSONS)
def test_solution_runs_and_passes_every_test(name):
    results = Validator(validate_all=True).validate(str(notebook("solutions", name)))
    assert results == {}, results.get("failed", results)


@pytest.mark.parametrize("name", EXERCISE_LESSONS)
def test_lesson_has_checked_exercises(name):
    nb = nbformat.read(notebook("solutions", name), as_version=4)
    lesson = lesson_of(name)
    module = lesson.module
    assert any(module in c.source for c in nb.cells if c.cell_type == "code"), module
    tests = [c for c in grade_cells(nb) if c.cell_type == "code"]
    assert len(tests) >= 4
    for cell in tests:
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0].strip().splitlines()
        assert visible[0].startswith('"""') and re.match(r"check_\w+\(", visible[-1]), cell.source
        assert cell.metadata.nbgrader["points"] > 0 and cell.metadata.nbgrader["locked"]
        assert cell.metadata.nbgrader["grade_id"].startswith(f"{lesson.grade_prefix}_")
    pictures = ("draw_graph(", "plot_with_gradient(", "plt.")
    assert any(p in c.source for c in nb.cells if c.cell_type == "code" for p in pictures)


@pytest.mark.parametrize("name", EXERCISE_LESSONS)
def test_course_notebook_fails_before_answers(name):
    path = notebook("course", name)
    nb = nbformat.read(path, as_version=4)
    results = Validator().validate(str(path))
    assert len(results.get("failed", [])) == len(grade_cells(nb))  # tests, and unanswered prose


@pytest.mark.parametrize("name", LESSONS)
def test_course_notebook_is_clean(name):
    nb = nbformat.read(notebook("course", name), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert "BEGIN SOLUTION" not in cell.source and "HIDDEN TESTS" not in cell.source


def test_course_is_generated_from_solutions(tmp_path):
    """course/ must be what `make course` makes from solutions/ today."""
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    bin_dir = Path(sys.executable).parent
    for name in LESSONS:
        subprocess.run([bin_dir / "nbgrader", "generate_assignment", name, "--no-db", "--force",
                        "--log-level=ERROR"], cwd=tmp_path, check=True)
    for name in LESSONS:
        fresh = nbformat.read(tmp_path / "course" / name / f"{name}.ipynb", as_version=4)
        committed = nbformat.read(notebook("course", name), as_version=4)
        assert [(c.cell_type, c.source, c.metadata) for c in committed.cells] == [
            (c.cell_type, c.source, c.metadata) for c in fresh.cells
        ], f"course/{name} is stale: run `make course`"


def test_index_links_every_lesson():
    index = nbformat.read(notebook("course", "00_index"), as_version=4)
    text = "\n".join(c.source for c in index.cells if c.cell_type == "markdown")
    for name in EXERCISE_LESSONS:
        link = f"../{name}/{name}.ipynb"
        assert link in text and (ROOT / "course" / name / f"{name}.ipynb").exists()


BINDER_MB = 2048  # what Binder gives a session
SERVER_MB = 150  # JupyterLab's server in student mode, measured with a lesson open (140 MB)


def test_the_course_fits_binder_as_the_readme_says():
    """Every lesson's kernel, once the lesson has run, within the README's figure; and that many
    kernels at once, with the server and the code they share, within Binder's 2 GB."""
    readme = (ROOT / "README.md").read_text()
    own = int(re.search(r"at most (\d+) MB of its own", readme)[1])
    at_once = int(re.search(r"holds (\d+) lessons' kernels at once", readme)[1])
    runs = {name: run(name) for name in EXERCISE_LESSONS}
    biggest = max(runs.values(), key=lambda r: r.own_mb)
    assert biggest.own_mb <= own, {name: round(r.own_mb) for name, r in runs.items()}
    shared = max(r.shared_mb for r in runs.values())
    assert SERVER_MB + shared + at_once * own <= BINDER_MB
