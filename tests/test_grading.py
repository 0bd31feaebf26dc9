"""The instructor's workflow on the demo class: parallel autograde, faults, cheats, feedback,
report, re-grading, serial equivalence, and the gradebook on a real PostgreSQL server."""

import csv
import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from grading import run
from grading.course import Course, environment
from grading.demo import STUDENTS, make_class
from grading.export import class_grades
from grading.flags import REVIEW
from grading.giveback import HandGradingOpen, refresh
from grading.report import summary

BIN = Path(sys.executable).parent
# one submission per fault or cheat, and a few ordinary ones: every case, in under a minute
JOBS = [
    ("ada", "04_accumulation"), ("cyd", "04_accumulation"), ("fay", "04_accumulation"),
    ("hal", "04_accumulation"), ("kim", "04_accumulation"), ("lou", "04_accumulation"),
    ("ned", "04_accumulation"), ("oz", "04_accumulation"), ("quin", "04_accumulation"),
    ("gus", "02_graph"), ("gus", "03_backward"), ("ivy", "02_graph"), ("jo", "01_requires_grad"),
    ("jo", "05_vector_jacobian"), ("jo", "06_stopping_gradients"), ("max", "01_requires_grad"),
    ("pia", "05_vector_jacobian"), ("ben", "04_accumulation"), ("dee", "04_accumulation"),
    ("eli", "04_accumulation"),
]  # every demo student at least once


def quiet(*args):
    pass


@pytest.fixture(scope="module")
def fresh_class(tmp_path_factory):
    """The demo course with its class, not graded yet (a pristine copy for other tests)."""
    root = tmp_path_factory.mktemp("pristine") / "course"
    os.environ.update(environment())
    course = Course.create_demo(root, timeout=10)
    make_class(course, log=quiet)
    return course


@pytest.fixture(scope="module")
def graded(fresh_class, tmp_path_factory):
    course = fresh_class.copy(tmp_path_factory.mktemp("graded") / "course")
    outcomes = run.grade(course, JOBS, workers=2, log=quiet)
    rows = run.report(course, log=quiet)
    return course, {(o.student, o.assignment): o for o in outcomes}, rows


def scores(rows, student, lesson):
    return {r.exercise: (r.score, r.max_score, r.status) for r in rows
            if r.student == student and r.lesson == lesson and not r.written}


def full(rows, student, lesson, but=()):
    """Every autograded exercise at full points, except those in `but` (which score 0)."""
    got = scores(rows, student, lesson)
    assert got, f"no grades for {student}/{lesson}"
    for exercise, (score, max_score, status) in got.items():
        expected = 0 if exercise in but else max_score
        assert score == expected, f"{student}/{exercise}: {score} ({status})"


def test_right_wrong_and_blank_answers(graded):
    _, _, rows = graded
    full(rows, "ada", "04_accumulation")
    full(rows, "cyd", "04_accumulation", but={"l04_three", "l04_seed", "l04_separate",
                                              "l04_average", "l04_retain"})
    full(rows, "fay", "04_accumulation", but={"l04_three", "l04_seed", "l04_separate",
                                              "l04_average", "l04_retain"})
    cyd = {r.exercise: r.diagnosis for r in rows if r.student == "cyd"}
    assert cyd["l04_three"] == "each backward() replaces .grad"  # the check's diagnosis, recorded


def test_a_dying_kernel_leaves_what_it_never_reached_to_a_person(graded):
    """hal's kernel dies in Exercise 2's answer (os._exit(1)): Exercise 1 is scored, the rest
    waits for a person, and the flag says where and how -- on Exercise 2, not the first."""
    course, outcomes, rows = graded
    hal = outcomes["hal", "04_accumulation"]
    assert hal.graded and hal.limits_hit == ["kernel died"]
    (stop,) = hal.stops
    assert (stop.problem, stop.how) == ("kernel died", "exited with status 1")
    assert hal.by_hand == ["l04_seed", "l04_separate", "l04_average", "l04_retain"]
    got = {r.exercise: (r.score, r.status, r.decided_by) for r in rows if r.student == "hal"}
    assert got["l04_three"] == (1.0, "graded", "autograder")
    assert {got[e][1] for e in hal.by_hand} == {"to grade by hand"}
    with course.gradebook() as gradebook:
        notebook = gradebook.find_submission_notebook("04_accumulation", "04_accumulation", "hal")
        comments = {c.name: c.manual_comment for c in notebook.comments if c.manual_comment}
        assert notebook.flagged
    assert list(comments) == ["l04_seed_answer"]
    assert "the kernel exited with status 1 while running cell 21 (the answer to Exercise 2)" \
        in comments["l04_seed_answer"]
    hal_line = next(line for line in summary(course, rows).splitlines() if line.startswith("hal "))
    assert "1*?" in hal_line.split()  # lesson 04's 1 point: waits for a person, and flagged


def test_a_malformed_notebook_gets_a_clear_error_and_the_rest_is_graded(graded):
    _, outcomes, rows = graded
    outcome = outcomes["gus", "03_backward"]
    assert outcome.status == "malformed notebook" and "not a valid notebook" in outcome.detail
    full(rows, "gus", "02_graph", but={"l02_name"})  # a syntax error costs that exercise only


def test_an_endless_loop_times_out_and_the_rest_is_graded(graded):
    _, outcomes, rows = graded
    assert outcomes["ivy", "02_graph"].graded
    assert outcomes["ivy", "02_graph"].limits_hit == ["cell timeout"]
    full(rows, "ivy", "02_graph", but={"l02_count_nodes"})


def test_deleted_split_duplicated_and_retyped_cells(graded):
    course, _, rows = graded
    deleted = scores(rows, "jo", "01_requires_grad")
    assert deleted["l01_flags"][2] == "to grade by hand"  # nbgrader hands it to a human
    full(rows, "jo", "05_vector_jacobian")  # the duplicated test cell counts once
    full(rows, "jo", "06_stopping_gradients")  # the retyped test cell is restored
    handed = course.submission("jo", "05_vector_jacobian")[0]  # graded as a copy: kept as it was
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nbformat.read(handed, 4).cells]
    assert len([i for i in ids if i]) > len({i for i in ids if i})


def test_tampered_test_cells_are_restored(graded):
    _, _, rows = graded
    full(rows, "kim", "04_accumulation", but={"l04_three", "l04_seed"})


def test_stderr_and_huge_outputs_cost_nothing(graded):
    _, _, rows = graded
    full(rows, "lou", "04_accumulation")
    full(rows, "max", "01_requires_grad")


def test_cheats_earn_nothing_and_only_a_reach_into_the_graders_is_flagged(graded):
    _, _, rows = graded
    full(rows, "ned", "04_accumulation", but={"l04_three", "l04_seed", "l04_retain"})
    full(rows, "oz", "04_accumulation", but={"l04_three"})
    full(rows, "pia", "05_vector_jacobian", but={"l05_ones"})
    full(rows, "quin", "04_accumulation", but={"l04_average"})
    review = {(r.student, r.exercise): r.flag for r in rows if REVIEW in r.flag}
    assert review[("oz", "l04_three")].startswith(
        REVIEW + "the code in cell 18 (the answer to Exercise 1) changes the graders: ")
    assert {student for student, _ in review} == {"oz"}  # the flag changed no score: see above


def test_feedback_shows_diagnoses_never_hidden_tests(graded):
    course, _, _ = graded
    assert refresh(course, "04_accumulation", ["cyd"]).students == ["cyd"]
    page = (course.directory("feedback") / "cyd" / "04_accumulation" /
            "04_accumulation.html").read_text()
    assert "This looks like" in page
    assert "HIDDEN TESTS" not in page and "hidden=True" not in page
    assert "Picture:</em> every path from out" in page  # a picture, by its words


def test_grading_draws_no_picture_and_keeps_its_words(graded):
    course, _, _ = graded
    path = course.directory("autograded") / "ada" / "04_accumulation" / "04_accumulation.ipynb"
    outputs = [o for c in nbformat.read(path, as_version=4).cells for o in c.get("outputs", [])]
    shown = [o.get("data", {}) for o in outputs]
    assert [d for d in shown if d.get("text/markdown", "").startswith("*Picture:* ")]
    assert not [d for d in shown if "image/png" in d]


def test_the_report_and_csv(graded):
    course, _, rows = graded
    folder = course.root / "report"
    for name in ("grades.csv", "report.html", "scores.png", "pass_rate.png",
                 "misconceptions-04_accumulation.png"):
        assert (folder / name).stat().st_size > 0
    with open(folder / "grades.csv") as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(rows)
    assert any(r["status"] == "not graded: malformed notebook" for r in table)
    page = (folder / "report.html").read_text()
    assert "the kernel exited with status 1 while running cell 21" in page
    assert "Exercise 1: x.grad after three backward calls" in page  # titles, not grade ids


def test_a_regrade_keeps_what_people_decided_and_grades_only_what_changed(graded):
    course, _, rows = graded
    lesson = "04_accumulation"
    with course.gradebook() as gradebook:  # as formgrader's grade and comment handlers save them
        for student, exercise, points in (("ada", "l04_why", 1.5), ("oz", "l04_three", 0),
                                          ("hal", "l04_seed", 1)):
            grade = gradebook.find_grade(exercise, lesson, lesson, student)
            grade.manual_score, grade.needs_manual_grade = points, False
        gradebook.find_comment("l04_why", lesson, lesson, "ada").manual_comment = "Say why."
        gradebook.db.commit()
    again = [("ada", lesson), ("oz", lesson), ("hal", lesson)]
    lines = []
    assert run.grade(course, again, workers=2, log=lines.append) == []
    assert lines[0].startswith("3 of 3 submissions unchanged since they were graded")
    run.grade(course, again, workers=2, log=quiet, force=True)
    rows_again = run.report(course, log=quiet)
    after = {(r.student, r.exercise): (r.score, r.status, r.decided_by) for r in rows_again}
    assert after["ada", "l04_why"] == (1.5, "graded", "instructor")
    assert after["oz", "l04_three"] == (0, "graded", "instructor")
    assert after["hal", "l04_seed"] == (1, "graded", "instructor")
    assert after["hal", "l04_separate"][1] == "to grade by hand"  # still waits: not decided
    decided = {("ada", "l04_why"), ("oz", "l04_three"), ("hal", "l04_seed")}
    before = {(r.student, r.exercise): (r.score, r.status, r.decided_by) for r in rows}
    assert {k: v for k, v in after.items() if k not in decided} == \
        {k: v for k, v in before.items() if k not in decided}
    with course.gradebook() as gradebook:
        assert gradebook.find_comment("l04_why", lesson, lesson, "ada").manual_comment == "Say why."
        oz = gradebook.find_submission_notebook(lesson, lesson, "oz")
        assert oz.flagged  # the flag still holds: the code is still there
        assert gradebook.find_comment("l04_three_answer", lesson, lesson, "oz").manual_comment \
            .startswith(REVIEW)

    handed = course.submission("ada", lesson)[0]  # a new upload of ada's: graded, alone
    nb = nbformat.read(handed, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("one more thought"))
    nbformat.write(nb, handed)
    assert [o.student for o in run.grade(course, again, workers=1, log=quiet)] == ["ada"]
    rows_last = run.report(course, log=quiet)
    assert [(r.score, r.decided_by) for r in rows_last
            if (r.student, r.exercise) == ("ada", "l04_why")] == [(1.5, "instructor")]


def test_report_export_formgrader_and_feedback_agree_on_every_student(graded):
    """One truth per submission, every demo student (hal's crash and gus's broken notebook
    included): the report's rows, the export, formgrader's lists and the feedback."""
    course, outcomes, _ = graded
    rows = run.report(course, log=quiet)
    lessons, grades = class_grades(course)
    assert {g.student for g in grades} == set(STUDENTS)
    for g in grades:
        for lesson in lessons:
            mine = [r for r in rows if (r.student, r.lesson) == (g.student, lesson)]
            if not mine or mine[0].exercise == "(all)":  # not graded (or never tried here)
                assert g.points[lesson] is None and (not mine or lesson in g.not_graded)
                continue
            assert round(sum(r.score for r in mine), 2) == g.points[lesson], (g.student, lesson)
            assert (lesson in g.to_grade_by_hand) == any(r.status == "to grade by hand" for r in mine)
    api = course.api()
    for lesson in sorted({a for _, a in JOBS}):
        shown = {s["student"]: s for s in api.get_submissions(lesson)}  # formgrader's list
        for g in grades:
            if g.points[lesson] is not None:
                assert round(shown[g.student]["score"], 2) == g.points[lesson]
                assert shown[g.student]["needs_manual_grade"] == (lesson in g.to_grade_by_hand)
        flagged = {s["student"] for s in api.get_notebook_submissions(lesson, lesson) if s["flagged"]}
        assert flagged == {r.student for r in rows if r.lesson == lesson and r.flag}, lesson
    assert outcomes["gus", "03_backward"].problem == "malformed notebook"
    result = refresh(course, "04_accumulation", partial=True)  # give-back's feedback
    scores = {g.student: g.points["04_accumulation"] for g in grades}
    for student in result.students:
        page = (course.directory("feedback") / student / "04_accumulation" /
                "04_accumulation.html").read_text()
        possible = lessons["04_accumulation"]
        assert f"Score: {scores[student]:.1f} / {possible:.1f}" in page, student


def test_give_back_waits_for_hand_grading(graded):
    course, _, _ = graded
    with course.gradebook() as gradebook:  # a person's points on a check hal's crash left unrun
        grade = gradebook.find_grade("l04_seed", "04_accumulation", "04_accumulation", "hal")
        grade.manual_score, grade.needs_manual_grade = 1, False
        gradebook.db.commit()
    feedback = course.directory("feedback") / "hal" / "04_accumulation"
    before = sorted(feedback.rglob("*")) if feedback.exists() else []
    with pytest.raises(HandGradingOpen) as refused:
        refresh(course, "04_accumulation", ["hal", "cyd"])
    assert list(refused.value.open) == ["hal"]  # cyd's are all graded
    assert {"Exercise 3: one gradient per loss", "Exercise 4: averaging gradients over batches",
            "Exercise 6: two backward calls through a retained graph"} <= set(refused.value.open["hal"])
    assert "--partial" in str(refused.value) and "hal: Exercise" in str(refused.value)
    assert (sorted(feedback.rglob("*")) if feedback.exists() else []) == before
    given = refresh(course, "04_accumulation", ["hal", "cyd"], partial=True)
    assert given.students == ["cyd", "hal"] and list(given.not_final) == ["hal"]
    page = (feedback / "04_accumulation.html").read_text()
    assert "Not final yet." in page and "this cell did not run" in page
    # the person's points stand under the check the crash left unrun, and say they replace it
    assert re.search(r"Graded by your instructor: 1 of \d+ points?\.</strong> These points "
                     r"replace the check.s verdict above", page)
    for word in ("hand-over", "handover", "tape", "Handle", "HIDDEN TESTS", "hidden=True"):
        assert word not in page
    cyd = (course.directory("feedback") / "cyd" / "04_accumulation" / "04_accumulation.html")
    assert "Not final" not in cyd.read_text() and "Graded by your instructor" not in cyd.read_text()


def test_parallel_grades_equal_serial_nbgrader(graded, fresh_class, tmp_path):
    """The same submissions through plain `nbgrader autograde`, one at a time."""
    course, _, _ = graded
    serial = fresh_class.copy(tmp_path / "serial")
    pairs = [("ada", "04_accumulation"), ("cyd", "04_accumulation"), ("kim", "04_accumulation"),
             ("quin", "04_accumulation")]
    for student, assignment in pairs:
        subprocess.run([BIN / "nbgrader", "autograde", assignment, f"--student={student}",
                        "--log-level=ERROR"], cwd=serial.root, env=environment(), check=True,
                       capture_output=True)
    assert serial.auto_scores(pairs) == course.auto_scores(pairs)


# -- a cluster of machines: Dask workers and a PostgreSQL gradebook -----------------------
def postgres_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="module")
def postgres():
    """A real PostgreSQL server on 127.0.0.1, started and stopped here."""
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("Debian's postgresql is not installed (make test installs it as root)")
    # not under pytest's private tmp: the server's own user must be able to reach it
    data = Path(tempfile.mkdtemp(prefix="gradebook-pg-")) / "data"
    as_postgres = []
    if getpass.getuser() == "root":  # the server refuses to run as root
        shutil.chown(data.parent, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(as_postgres + [bindir / "initdb", "-D", data, "-U", "grader", "--auth=trust"],
                   check=True, capture_output=True)
    subprocess.run(as_postgres + [bindir / "pg_ctl", "-D", data, "-l", data.parent / "log",
                                  "-o", f"-p {port} -k {data.parent} -h 127.0.0.1", "-w",
                                  "start"], check=True, capture_output=True)
    try:
        subprocess.run([bindir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "grader",
                        "gradebook"], check=True, capture_output=True)
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(as_postgres + [bindir / "pg_ctl", "-D", data, "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(data.parent, ignore_errors=True)


def executing(client):
    """{worker name: the grading tasks it is running now}."""
    running = client.run(lambda dask_worker: (dask_worker.name,
                                              [str(key) for key in dask_worker.state.executing]))
    return {name: keys for name, keys in running.values() if keys}


def process_tree(pid):
    """pid and every process descended from it (bwrap's sandbox included)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def test_a_cluster_grades_each_submission_once_when_a_worker_is_lost(postgres, graded,
                                                                     fresh_class, tmp_path):
    """A real `dask scheduler` and two `dask worker` processes grade through --scheduler into a
    PostgreSQL gradebook; one worker is killed whole while it grades a submission."""
    from .dask_cluster import PATIENCE, dask_cluster

    course, _, _ = graded
    shared = fresh_class.copy(tmp_path / "course")
    config = shared.root / "nbgrader_config.py"
    config.write_text(config.read_text().replace(shared.db_url, postgres))
    (shared.root / "gradebook.db").unlink()  # the copy's: this course's is on PostgreSQL
    shared = Course(shared.root)
    assert shared.api().generate_assignment("04_accumulation", force=True)["success"]
    students = ["ada", "cyd", "fay", "kim", "lou", "quin"]
    with dask_cluster(tmp_path / "cluster", n_workers=2, env=environment()) as cluster:
        grading = subprocess.Popen(
            [sys.executable, "-m", "grading", "grade", "--root", shared.root, "--scheduler",
             cluster.address, "--students", *students, "--lessons", "04_accumulation",
             "--no-report"], env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        with cluster.client() as observer:
            deadline = time.monotonic() + PATIENCE
            while not (busy := executing(observer)):  # the first submission started
                assert grading.poll() is None and time.monotonic() < deadline, \
                    grading.communicate()[0].decode()[-2000:]
                time.sleep(0.2)
            lost, (task,) = sorted(busy.items())[0]
            tree = process_tree(cluster.workers[lost].pid)
            cluster.kill(lost)  # mid-submission: its nanny, worker and sandbox at once
        out, _ = grading.communicate(timeout=PATIENCE)
        out = out.decode()
        assert grading.returncode == 0, out[-3000:]
        alive = [pid for pid in tree if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]
        assert alive == [], f"processes of the lost worker live on: {alive}"
    progress = re.findall(r"\] (.) (\S+) +04_accumulation", out)
    assert sorted(student for _, student in progress) == students, out  # each once
    assert {mark for mark, _ in progress} == {"✓"}, out
    assert sorted(p.name for p in (shared.root / "grading-status").iterdir()) == \
        [f"{s}__04_accumulation.json" for s in students]  # no half-written record left
    pairs = [(s, "04_accumulation") for s in students]
    with shared.gradebook() as gradebook:
        assert sorted(s.student.id for s in gradebook.assignment_submissions("04_accumulation")) \
            == students
    assert shared.auto_scores(pairs) == course.auto_scores(pairs)  # as the LocalCluster graded
    assert "gradebook.db" not in {p.name for p in shared.root.iterdir()}  # it used PostgreSQL
    scheduler = (tmp_path / "cluster" / "scheduler.log").read_text()
    assert re.search(rf"Remove worker addr: \S+ name: {lost}\b", scheduler)  # lost, mid-task
    assert task.split("-", 2)[2].split("/")[0] in students  # grade-RANDOM-student/lesson


def test_grading_a_directory_that_is_no_course_says_so(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grading", "grade", "--root", tmp_path],
                            capture_output=True, text=True, env=environment())
    assert result.returncode != 0 and "not an nbgrader course" in result.stderr


@pytest.mark.parametrize("args, says", [
    (["--workers", "0"], "at least 1"), (["--workers", "2", "--scheduler", "tcp://x:1"],
                                         "its own workers"),
    (["--lessons", "99_nothing"], "not in"), (["--students", "nobody"], "not in")])
def test_bad_arguments_get_a_clear_error(fresh_class, args, says):
    result = subprocess.run([sys.executable, "-m", "grading", "grade", "--root",
                             fresh_class.root, *args], capture_output=True, text=True,
                            env=environment())
    assert result.returncode == 2 and says in result.stderr, result.stderr[-500:]


def test_the_demo_never_overwrites_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "precious.ipynb").write_text("{}")
    result = subprocess.run([sys.executable, "-m", "grading", "demo", "--root", tmp_path],
                            capture_output=True, text=True, env=environment())
    assert result.returncode != 0 and "refusing to overwrite" in result.stderr
    assert (tmp_path / "precious.ipynb").read_text() == "{}"


def test_the_demo_is_never_remade_over_collected_work_or_hand_grades(graded, tmp_path):
    """`make grade` makes the demo class once; `grading demo` refuses to replace a course
    holding work collected into it or grades given by hand, and says how to start afresh."""
    course = graded[0].copy(tmp_path / "course")
    with course.gradebook() as gradebook:
        grade = gradebook.find_grade("l04_why", "04_accumulation", "04_accumulation", "cyd")
        grade.manual_score, grade.needs_manual_grade = 1, False
        gradebook.db.commit()
    (course.directory("submitted") / "zed" / "04_accumulation").mkdir(parents=True)
    before = sorted(p.relative_to(course.root) for p in course.root.rglob("*"))
    result = subprocess.run([sys.executable, "-m", "grading", "demo", "--root", course.root],
                            capture_output=True, text=True, env=environment())
    assert result.returncode == 2, result.stderr
    assert "collected work (zed)" in result.stderr and "given by hand" in result.stderr
    assert f"rm -rf {course.root}" in result.stderr
    assert sorted(p.relative_to(course.root) for p in course.root.rglob("*")) == before


def test_the_demo_class_is_big_enough(fresh_class):
    students = fresh_class.students()
    assert len(students) >= 12
    nb = nbformat.read(fresh_class.submission("ada", "04_accumulation")[0], as_version=4)
    assert not any("raise NotImplementedError" in c.source for c in nb.cells
                   if c.metadata.get("nbgrader", {}).get("solution"))


def test_a_test_cell_copied_above_its_answer_is_graded_where_the_answer_exists(tmp_path,
                                                                              monkeypatch):
    """A student who copied a check's cell to run it early keeps the copy after the answer;
    a graded cell the lesson does not have grades nothing."""
    from grading.pipeline import OneCellPerId

    def cell(source, grade_id, solution):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
            "grade": not solution, "solution": solution, "grade_id": grade_id,
            "locked": not solution, "points": 0 if solution else 1, "schema_version": 3}})

    def test():
        return cell("check_three_backwards(answer_three)", "l04_three", solution=False)

    nb = nbformat.v4.new_notebook(cells=[
        test(), cell("answer_three = None", "l04_three_answer", solution=True),
        cell("answer_three = 1", "l04_three_answer", solution=True), test(), test(),
        cell("bonus = 1", "l04_bonus", solution=False)])  # an exercise of the student's making
    released = tmp_path / "release" / "04_accumulation" / "04_accumulation.ipynb"
    released.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nb.cells[1], nb.cells[0]]), released)
    monkeypatch.chdir(tmp_path)  # as nbgrader converts: in the course's root
    nb, _ = OneCellPerId().preprocess(nb, {"nbgrader": {"assignment": "04_accumulation",
                                                        "notebook": "04_accumulation"}})
    graded = [(k, c.metadata["nbgrader"]["grade_id"]) for k, c in
              enumerate(nb.cells) if "nbgrader" in c.metadata]
    assert graded == [(1, "l04_three_answer"), (3, "l04_three")]
