"""The instructor's loop end to end: hand out, collect, grade, grade by hand, give back, export.

Two ways in: an LMS's zip of a few demo students' notebooks (collected through nbgrader's
zip_collect, graded, a written answer given points in formgrader in Debian's chromium, feedback
zipped for the LMS, grades by student exported), and nbgrader's exchange on one machine (release,
fetch, submit, collect, grade, release feedback, fetch feedback). Bad input gets a clear error and
loses nothing. Screenshots go to test-artifacts/instructor/.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading.__main__ import main
from grading.collect import PATTERNS, Collected, Skipped, pattern_of, plan
from grading.course import DEMO_COURSE_ID, Course, environment
from grading.demo import fill, make_class
from grading.export import class_grades
from grading.flags import MARK, REVIEW, write_flags
from grading.sandbox import Stop
from grading.worker import Outcome, recorded

from .jupyter_lab import ARTIFACTS, PATIENCE, chromium, new_page, serving

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCREENSHOTS = ARTIFACTS / "instructor"
TOKEN = "course-instructor-test"
# who hands in what through the LMS, under which Canvas user id and name
CLASS = {"ada": (1001, "lovelaceada", "04_accumulation"),  # full marks and a written answer
         "cyd": (1003, "curiecyd", "04_accumulation"),  # collected, left ungraded here
         "ned": (1014, "noetherned", "04_accumulation"),  # an object equal to everything
         "oz": (1015, "ohmoz", "04_accumulation"),  # reaches into the graders: flagged for review
         "gus": (1007, "gaussgus", "03_backward")}  # a notebook cut off mid-file


def ids(student):
    return str(CLASS[student][0])


def quiet(*args):
    pass


def grading(*args, check=True):
    result = subprocess.run([sys.executable, "-m", "grading", *map(str, args)],
                            capture_output=True, text=True, env=environment(), timeout=900)
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def in_process(capsys, *args):
    """The same command without a new interpreter: (exit status, stdout, stderr)."""
    try:
        status = main([str(a) for a in args])
    except SystemExit as exit:
        status = exit.code
    out, err = capsys.readouterr()
    return status, out, err


def canvas_name(student, lesson=None):
    number, name, handed_in = CLASS[student]
    return f"{name}_{number}_{70000 + number}_{lesson or handed_in}.ipynb"


@pytest.fixture(scope="module")
def lms(tmp_path_factory):
    """A demo course with nothing collected yet, and the LMS's zip of the class's notebooks."""
    base = tmp_path_factory.mktemp("lms")
    os.environ.update(environment())
    course = Course.create_demo(base / "course", timeout=10)
    make_class(course, log=quiet)
    own = base / "students"  # what the students handed in, as they keep it
    shutil.move(course.directory("submitted"), own)
    download = base / "submissions.zip"
    with zipfile.ZipFile(download, "w") as archive:
        for student, (_, _, lesson) in CLASS.items():
            archive.write(own / student / lesson / f"{lesson}.ipynb", canvas_name(student))
        archive.writestr("lovelaceada_1001_71001_homework.ipynb", "{}")  # renamed by the student
        archive.writestr("grading-notes.txt", "not a notebook")
        archive.writestr("__MACOSX/._lovelaceada_1001_71001_04_accumulation.ipynb", "")
    return course, download, own


@pytest.fixture(scope="module")
def collected(lms):
    course, download, _ = lms
    result = grading("collect", "--root", course.root, "--zip", download, check=False)
    return course, result


@pytest.fixture(scope="module")
def graded(collected):
    course, _ = collected
    # cyd's notebook stays collected, not graded: two kernels are enough here
    grading("grade", "--root", course.root, "--lessons", "04_accumulation", "03_backward",
            "--students", *(ids(s) for s in ("ada", "ned", "oz", "gus")), "--workers", "2")
    return course


def test_an_lms_zip_is_collected_and_unmatched_files_are_named(collected, lms):
    course, result = collected
    _, _, own = lms
    assert result.returncode == 1, result.stderr  # some files matched no one: said, not hidden
    out = result.stdout
    assert "collected 5 notebooks" in out
    assert "lovelaceada_1001_71001_homework.ipynb: homework.ipynb is no lesson's notebook" in out
    assert "grading-notes.txt: not a notebook" in out
    assert f"{ids('gus')}/03_backward: not a valid notebook" in out  # kept, flagged when graded
    assert "__MACOSX" not in out
    for student, (_, _, lesson) in CLASS.items():
        mine = course.directory("submitted") / ids(student) / lesson / f"{lesson}.ipynb"
        assert mine.read_bytes() == (own / student / lesson / f"{lesson}.ipynb").read_bytes()
    assert (course.root / "downloaded" / "04_accumulation" / "archive" / "submissions.zip").exists()
    with course.gradebook() as gradebook:
        assert gradebook.find_student(ids("ada")).last_name == "lovelaceada"


def test_collecting_the_same_zip_again_changes_nothing(collected, lms, capsys):
    course, _ = collected
    _, download, _ = lms
    status, out, _ = in_process(capsys, "collect", "--root", course.root, "--zip", download)
    assert status == 1 and "collected 0 notebooks (5 more unchanged" in out, out


def test_a_new_upload_replaces_only_when_asked_and_the_old_one_is_kept(collected, lms, tmp_path,
                                                                     capsys):
    course = collected[0].copy(tmp_path / "course")
    _, _, own = lms
    newer = tmp_path / "newer.zip"
    nb = nbformat.read(own / "cyd" / "04_accumulation" / "04_accumulation.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("one more thought"))
    with zipfile.ZipFile(newer, "w") as archive:
        archive.writestr(canvas_name("cyd"), nbformat.writes(nb))
    mine = course.directory("submitted") / ids("cyd") / "04_accumulation" / "04_accumulation.ipynb"
    before = mine.read_bytes()
    status, _, err = in_process(capsys, "collect", "--root", course.root, "--zip", newer)
    assert status == 2 and "already collected" in err, err
    assert f"{ids('cyd')}/04_accumulation" in err and mine.read_bytes() == before
    assert in_process(capsys, "collect", "--root", course.root, "--zip", newer, "--replace")[0] == 0
    assert "one more thought" in mine.read_text()
    (kept,) = (course.root / "downloaded" / "04_accumulation" / "replaced").iterdir()
    assert (kept / "04_accumulation.ipynb").read_bytes() == before


@pytest.mark.parametrize("name, pattern, student, lesson", [
    ("lovelaceada_1001_71001_04_accumulation.ipynb", "canvas", "1001", "04_accumulation"),
    ("lovelaceada_late_1001_71001_04_accumulation-1.ipynb", "canvas", "1001", "04_accumulation"),
    ("lovelaceada_1001_71001_04_accumulation (1).ipynb", "canvas", "1001", "04_accumulation"),
    ("Ada Lovelace_1001_assignsubmission_file_02_graph-2.ipynb", "moodle", "1001", "02_graph"),
    ("Ada Lovelace_1001_assignsubmission_file_02_graph.ipynb", "moodle", "1001", "02_graph"),
    ("Ada Lovelace_1001_assignsubmission_file/02_graph.ipynb", "moodle", "1001", "02_graph"),
    ("Lesson 4_ada_attempt_2026-11-20-12-00-00_04_accumulation.ipynb", "blackboard", "ada",
     "04_accumulation"),
    ("04_accumulation/ada.ipynb", r"(?P<file_id>[^/]+)/(?P<student_id>\w+)\.ipynb", "ada",
     "04_accumulation"),  # an instructor's own pattern: a folder per lesson
])
def test_lms_name_patterns(lms, tmp_path, name, pattern, student, lesson):
    course, _, _ = lms
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr(name, "{}")
    handed, skipped = plan(course, download, pattern_of(pattern))
    assert [(h.student, h.assignment) for h in handed] == [(student, lesson)], skipped
    if pattern == "blackboard":
        assert handed[0].timestamp == "2026-11-20 12:00:00"
    if pattern == "moodle":
        assert (handed[0].first_name, handed[0].last_name) == ("Ada", "Lovelace")


def test_two_undated_uploads_of_one_notebook_are_both_left_for_the_instructor(lms, tmp_path):
    course, _, _ = lms
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr(canvas_name("ada"), "{}")
        archive.writestr(canvas_name("ada").replace(".ipynb", "-1.ipynb"), "{}")
    handed, skipped = plan(course, download, pattern_of("canvas"))
    assert handed == [] and len(skipped) == 2 and "none dated" in skipped[0].reason
    said = Collected(skipped=[*skipped, Skipped("notes.txt", "not a notebook")]).summary()
    assert "NOT collected: 2 files handed in twice for one student's notebook" in said
    assert "NOT collected: 1 files matched to no student or lesson" in said


def test_a_zip_for_one_lesson_names_notebooks_of_another(lms):
    course, download, _ = lms
    handed, skipped = plan(course, download, pattern_of("canvas"), lesson="03_backward")
    assert [h.student for h in handed] == [ids("gus")]
    assert {s.member: s.reason for s in skipped}[canvas_name("ada")] == \
        "belongs to 04_accumulation, not 03_backward"


def test_a_path_out_of_the_zip_is_never_extracted(lms, tmp_path):
    course, _, _ = lms
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("../" + canvas_name("ada"), "{}")
    pattern = pattern_of(r".*?_(?P<student_id>\d+)_\d+_(?P<file_id>[^/]+)\.ipynb")
    handed, skipped = plan(course, download, pattern)
    assert handed == [] and "outside the zip" in skipped[0].reason


def test_a_lesson_not_generated_yet_cannot_be_collected(lms, tmp_path, capsys):
    _, download, _ = lms
    course = Course.create_demo(tmp_path / "course")
    status, _, err = in_process(capsys, "collect", "--root", course.root, "--zip", download)
    assert status == 2 and "not generated yet" in err, err
    assert not course.directory("submitted").exists()


def _zip_damaged_in_the_middle(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(canvas_name("ada"), "x" * 5000)
    data = bytearray(path.read_bytes())
    data[100:110] = b"\0" * 10  # the stored notebook's bytes, changed: its CRC no longer holds
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("make, args, says", [
    (lambda p: p.write_text("not a zip"), [], "is not a zip file"),
    (_zip_damaged_in_the_middle, [], "is damaged"),
    (lambda p: zipfile.ZipFile(p, "w").close(), ["99_nothing"], "no lesson '99_nothing'"),
    (lambda p: zipfile.ZipFile(p, "w").close(), ["--pattern", "(?P<sid>.*)"],
     "needs the named groups"),
    (lambda p: zipfile.ZipFile(p, "w").close(), ["--pattern", "(unclosed"],
     "neither one of canvas"),
])
def test_bad_input_gets_a_clear_error_and_changes_nothing(lms, tmp_path, capsys, make, args,
                                                         says):
    course, _, _ = lms
    download = tmp_path / "download.zip"
    make(download)
    before = sorted(p.relative_to(course.root) for p in course.root.rglob("*"))
    status, _, err = in_process(capsys, "collect", "--root", course.root, "--zip", download, *args)
    assert status == 2 and says in err, err[-1000:]
    assert sorted(p.relative_to(course.root) for p in course.root.rglob("*")) == before


def test_every_named_pattern_compiles_with_its_groups():
    for name in PATTERNS:
        assert {"student_id", "file_id"} <= set(pattern_of(name).groupindex)


def test_a_written_answer_waits_for_the_instructor(graded):
    _, grades = class_grades(graded)
    students = {g.student: g for g in grades}
    ada, ned = students[ids("ada")], students[ids("ned")]
    assert ada.points["04_accumulation"] == 7.0 and ada.to_grade_by_hand == ["04_accumulation"]
    assert ned.to_grade_by_hand == []  # nothing written: nbgrader scores "No response" 0


# -- grading by hand in formgrader, in Debian's chromium ------------------------------------
_HOMES = {}  # a served lab's URL: its home (its server.log)


def instructor_lab_home(url):
    return _HOMES[url]


@pytest.fixture(scope="module")
def instructor_lab(graded, tmp_path_factory):
    """`make instructor`'s JupyterLab (binder/instructor-mode.sh) on the graded course."""
    command = ["bash", ROOT / "binder" / "instructor-mode.sh", graded.root, "--no-browser",
               "--allow-root", f"--IdentityProvider.token={TOKEN}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    home = tmp_path_factory.mktemp("instructor-lab")
    with serving(command, home, TOKEN, env=environment()) as url:
        _HOMES[url] = home
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


# formgrader binds its score and comment inputs once it has fetched the submission's grades and
# comments: a score typed before that is overwritten by the one fetched, and never saved
FORMGRADER_READY = "window.formgrader && formgrader.grades.loaded && formgrader.comments.loaded"


def submission_page(browser, course, lab, student, lesson):
    """formgrader's page of a student's notebook, once formgrader is ready to grade it."""
    with course.gradebook() as gradebook:
        notebook = gradebook.find_submission_notebook(lesson, lesson, ids(student))
    # the token in a header: formgrader's own API calls carry no token of their own
    page = new_page(browser, viewport={"width": 1400, "height": 1000},
                    extra_http_headers={"Authorization": f"token {TOKEN}"})
    page.goto(f"{lab}/formgrader/submissions/{notebook.id}/?token={TOKEN}")
    page.wait_for_function(FORMGRADER_READY)
    return page


@pytest.fixture(scope="module")
def hand_graded(graded, instructor_lab, browser):
    """The instructor gives ada's written answer (l04_why) 2 points in formgrader."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def written_answer():
        with graded.gradebook() as gradebook:
            grade = gradebook.find_grade("l04_why", "04_accumulation", "04_accumulation", ids("ada"))
            return grade.id, grade.manual_score

    grade_id, _ = written_answer()
    page = submission_page(browser, graded, instructor_lab, "ada", "04_accumulation")
    score = page.locator("input.score#l04_why")
    # formgrader saves a score when it loses focus; the grade is saved once the server answers
    with page.expect_response(lambda r: r.url.endswith(f"/formgrader/api/grade/{grade_id}")
                              and r.request.method == "PUT") as saved:
        score.fill("2")
        score.press("Tab")
    page.screenshot(path=SCREENSHOTS / "1-written-answer-graded.png")
    assert saved.value.ok, saved.value.status
    assert written_answer() == (grade_id, 2)
    page.close()
    return graded


def test_formgrader_shows_why_a_submission_was_flagged(graded, instructor_lab, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = submission_page(browser, graded, instructor_lab, "oz", "04_accumulation")
    page.screenshot(path=SCREENSHOTS / "2-flagged-submission.png")
    comment = page.locator("textarea#l04_three_answer-comment")
    assert comment.input_value().startswith(
        REVIEW + "the code in cell 18 (the answer to Exercise 1) changes the graders: `")
    page.close()


def formgrader_page(browser, lab, path):
    page = new_page(browser, viewport={"width": 1400, "height": 900},
                    extra_http_headers={"Authorization": f"token {TOKEN}"})
    page.goto(f"{lab}/formgrader/{path}?token={TOKEN}")
    return page


def test_formgrader_lists_flagged_submissions_and_its_links_open(graded, instructor_lab, browser):
    """The gradebook's Flagged column, set by the grading run; Manage Assignments lists the
    lessons alone, and an assignment's name opens its source folder (nothing outside the
    server's root); its Edit pencil opens the assignment's form."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = formgrader_page(browser, instructor_lab, "gradebook/04_accumulation/04_accumulation")
    flagged = page.locator("tr:has(td.flagged span.glyphicon-flag)")
    flagged.first.wait_for()
    page.screenshot(path=SCREENSHOTS / "3-flagged-column.png")
    with graded.gradebook() as gradebook:
        notebook = gradebook.find_notebook("04_accumulation", "04_accumulation")
        expected = [s.student.id for s in notebook.submissions if s.flagged]
    assert expected == [ids("oz")] and flagged.count() == 1  # oz's reach into the graders
    page.close()

    page = formgrader_page(browser, instructor_lab, "manage_assignments")
    page.locator("td.name a").first.wait_for()
    assignments = page.locator("td.name a").all_inner_texts()
    assert "00_index" not in assignments and "04_accumulation" in assignments
    with page.context.expect_page() as opened:
        page.locator("td.name a", has_text="04_accumulation").click()
    folder = opened.value
    folder.wait_for_load_state()
    assert "/tree/source/04_accumulation" in folder.url
    folder.get_by_text("04_accumulation.ipynb").first.wait_for()
    folder.screenshot(path=SCREENSHOTS / "4-assignment-folder-opens.png")
    folder.close()
    page.locator("tr:has(td.name a:text-is('04_accumulation')) td.edit a").click()
    page.get_by_text("Editing 04_accumulation").wait_for()
    page.wait_for_function(  # bootstrap's modal slid in: its dialog no longer moves
        "(m => m && getComputedStyle(m).transform === 'matrix(1, 0, 0, 1, 0, 0)')"
        "(document.querySelector('.modal.in .modal-dialog'))")
    page.screenshot(path=SCREENSHOTS / "5-edit-assignment.png")
    page.close()
    # the students' Assignments tab, in instructor mode too: the course's exchange exists
    request = urllib.request.Request(f"{instructor_lab}/assignments?course_id={DEMO_COURSE_ID}",
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=PATIENCE) as response:
        listed = json.loads(response.read())
    assert listed["success"] is True, listed
    log = (instructor_lab_home(instructor_lab) / "server.log").read_text()
    assert "Unwritable directory" not in log and "does not exist" not in log


def test_written_points_land_in_the_report_and_the_csvs(hand_graded):
    course = hand_graded
    grading("report", "--root", course.root)  # the instructor's next step after formgrader
    with open(course.root / "report" / "grades.csv") as f:
        why = [r for r in csv.DictReader(f) if r["exercise"] == "l04_why"]
    assert {r["student"]: r["score"] for r in why}[ids("ada")] == "2.0"
    grading("export", "--root", course.root, "--out", course.root / "by-student.csv")
    for path in (course.root / "by-student.csv", course.root / "report" / "grades-by-student.csv"):
        with open(path) as f:
            rows = list(csv.DictReader(f))
        possible, students = rows[0], {r["student"]: r for r in rows[1:]}
        assert possible["student"] == "Points Possible" and possible["04_accumulation"] == "9.0"
        ada, cyd, ned, gus = (students[ids(s)] for s in ("ada", "cyd", "ned", "gus"))
        assert ada["04_accumulation"] == "9.0" and ada["total"] == "9.0"  # 7 autograded + 2 by hand
        assert ada["to_grade_by_hand"] == "" and ada["last_name"] == "lovelaceada"
        assert cyd["04_accumulation"] == "" and cyd["not_graded"] == "04_accumulation"
        assert ned["04_accumulation"] == "4.0"  # 2 + 2: its answers "equal to everything" are wrong
        assert gus["03_backward"] == "" and gus["not_graded"] == "03_backward"


def test_feedback_zip_for_the_lms_has_one_file_per_student(hand_graded, tmp_path):
    course = hand_graded
    target = tmp_path / "feedback.zip"
    result = grading("giveback", "04_accumulation", "--root", course.root, "--zip", target)
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
        ada = archive.read(f"{ids('ada')}_04_accumulation.html").decode()
    assert names == sorted(f"{ids(s)}_04_accumulation.html" for s in ("ada", "ned", "oz"))
    assert "Score: 9.0 / 9.0" in ada  # the points given by hand are in the feedback
    assert "HIDDEN TESTS" not in ada
    assert "feedback for 3 students" in result.stdout
    assert f"no feedback for {ids('cyd')}: handed in, not graded yet" in result.stdout


# -- formgrader's own buttons, through its API as the page calls it ----------------------
MAL = "1099"  # a student whose first answer cell reaches for the host
ESCAPE = """\
import os
open({marker!r}, 'w').write('written by a submission')  # the host's temp folder?
try:
    open({gradebook!r}, 'r+b')  # the course's gradebook, for writing?
    print('GRADEBOOK OPENED')
except OSError as error:
    print('no gradebook:', type(error).__name__)
import graders.lesson04_accumulation as L
L.check_seed_002 = print
"""


def formgrader_post(lab, path):
    """What formgrader's buttons send: a POST to its API (the token stands for the cookie)."""
    request = urllib.request.Request(f"{lab}/formgrader/api/{path}", data=b"", method="POST",
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=PATIENCE) as response:
        return json.loads(response.read())


def test_formgraders_autograde_is_the_grading_run(graded, instructor_lab):
    """Autograde pressed in formgrader (nbgrader's API under the instructor config): the
    student's code runs in the sandbox, the verdicts are reached outside it, the code that
    reaches into the graders is flagged, and the outcome is recorded as the run records it."""
    lesson, marker = "04_accumulation", Path(f"/tmp/formgrader-escape-{os.getpid()}")
    release = graded.directory("release") / lesson / f"{lesson}.ipynb"
    nb = fill(nbformat.read(release, as_version=4), "l04", "ada")
    answer = next(c for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id") == "l04_three_answer")
    answer.source += "\n" + ESCAPE.format(marker=str(marker),
                                          gradebook=str(graded.root / "gradebook.db"))
    handed = graded.directory("submitted") / MAL / lesson / f"{lesson}.ipynb"
    handed.parent.mkdir(parents=True)
    nbformat.write(nb, handed)
    result = formgrader_post(instructor_lab, f"submission/{lesson}/{MAL}/autograde")
    assert result["success"], result.get("error", "")[-2000:]
    assert not marker.exists()
    ran = nbformat.read(graded.directory("autograded") / MAL / lesson / f"{lesson}.ipynb", 4)
    printed = "".join(o.get("text", "") for c in ran.cells for o in c.get("outputs", []))
    assert "no gradebook: FileNotFoundError" in printed and "GRADEBOOK OPENED" not in printed
    outcome = recorded(graded, MAL, lesson)
    assert outcome.graded and outcome.sandboxed and outcome.fingerprint == ""
    assert [f.reason for f in outcome.findings] == ["changes the graders"]
    with graded.gradebook() as gradebook:
        notebook = gradebook.find_submission_notebook(lesson, lesson, MAL)
        grades = {g.name: g.score for g in notebook.grades}
        comment = gradebook.find_comment("l04_three_answer", lesson, lesson, MAL).manual_comment
        assert notebook.flagged
    assert comment.startswith(REVIEW + "the code in cell 18 (the answer to Exercise 1) changes")
    del grades["l04_why"]  # not written: 0, and no one's to grade
    assert sum(grades.values()) == 7  # right answers: the flag changed no score


def test_formgraders_generate_feedback_writes_no_hidden_test(hand_graded, instructor_lab):
    lesson = "04_accumulation"
    result = formgrader_post(instructor_lab, f"assignment/{lesson}/{ids('ada')}/generate_feedback")
    assert result["success"], result.get("error", "")[-2000:]
    page = (hand_graded.directory("feedback") / ids("ada") / lesson / f"{lesson}.html").read_text()
    assert "Score: 9.0 / 9.0" in page
    for hidden in ("HIDDEN TESTS", "hidden=True", "BEGIN SOLUTION", "<script src="):
        assert hidden not in page
    assert "<math" in page  # its maths rendered beforehand: nothing from a CDN


def test_a_students_markdown_is_sanitized_and_the_lessons_left_as_written(tmp_path, monkeypatch):
    """Sanitize (both pipelines): a markdown cell as the lesson released it is the instructor's
    text, its code's `>` kept; a written answer or a cell the student added or changed loses
    its HTML's power."""
    from grading.pipeline import Sanitize

    lesson = "```python\nif x > 0:\n    y = x\n```\n$x > 0$ <b>bold</b>"
    released = tmp_path / "release" / "L" / "L.ipynb"
    released.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(lesson)]),
                   released)
    (tmp_path / "nbgrader_config.py").write_text("")
    monkeypatch.chdir(tmp_path)  # nbgrader converts in the course's root
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in (
        lesson, lesson + hostile, hostile)])
    done, _ = Sanitize().preprocess(nb, {"nbgrader": {"assignment": "L", "notebook": "L"}})
    kept, changed, added = (c.source for c in done.cells)
    assert kept == lesson
    for cell in (changed, added):
        assert "<script" not in cell and "<img" not in cell and "&lt;script&gt;" in cell


def test_flag_reasons_reach_formgrader_without_replacing_the_instructors_words(graded, tmp_path):
    course = graded.copy(tmp_path / "course")
    student, lesson = ids("ada"), "04_accumulation"

    def state():
        with course.gradebook() as gradebook:
            notebook = gradebook.find_submission_notebook(lesson, lesson, student)
            return notebook.flagged, {c.name: c.manual_comment for c in notebook.comments
                                      if c.manual_comment}

    timed_out = Outcome(student, lesson, True, 1.0, stops=[Stop("cell timeout", 20)])
    write_flags(course, timed_out)
    timed_out.record(course)
    assert state() == (True, {"l04_seed_answer": MARK + "cell 21 (the answer to Exercise 2) ran "
                                                         "out of time and was stopped; the rest ran on."})
    with course.gradebook() as gradebook:  # the instructor answers, and clears the flag
        gradebook.find_comment("l04_seed_answer", lesson, lesson, student).manual_comment = "Mine."
        gradebook.find_submission_notebook(lesson, lesson, student).flagged = False
        gradebook.db.commit()
    write_flags(course, timed_out)  # the same reasons again: the instructor's word stands
    assert state() == (False, {"l04_seed_answer": "Mine."})
    write_flags(course, Outcome(student, lesson, True, 1.0))  # no reason any more
    assert state() == (False, {"l04_seed_answer": "Mine."})


# -- nbgrader's exchange on one machine ------------------------------------------------------
def test_the_exchange_from_release_to_feedback(tmp_path, capsys):
    os.environ.update(environment())
    course = Course.create_demo(tmp_path / "course", timeout=10)
    with open(course.root / "nbgrader_config.py", "a") as f:  # every student here is this test's
        f.write("c.ExchangeCollect.check_owner = False\n")  # user (tests/test_files.py: owners)
    course = Course(course.root)
    lesson = "01_requires_grad"
    assert course.api().generate_assignment(lesson)["success"]
    exchange, cache = tmp_path / "exchange", tmp_path / "cache"
    exchange.mkdir(mode=0o777)
    assert in_process(capsys, "release", lesson, "--root", course.root, "--exchange",
                      exchange)[0] == 0

    def student(name, *command):
        home = tmp_path / "home" / name
        home.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([BIN / "nbgrader", *command, lesson, f"--course={DEMO_COURSE_ID}",
                                 f"--Exchange.root={exchange}", f"--Exchange.cache={cache}",
                                 f"--student={name}"], cwd=home, capture_output=True, text=True,
                                env=environment(), timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        return home

    for name in ("ada", "ben"):
        home = student(name, "fetch_assignment")
        mine = home / lesson / f"{lesson}.ipynb"
        nbformat.write(fill(nbformat.read(mine, as_version=4), "l01", name), mine)
        student(name, "submit")
    assert in_process(capsys, "collect", lesson, "--root", course.root, "--exchange",
                      exchange)[0] == 0
    assert sorted(course.students()) == ["ada", "ben"]
    assert (course.directory("submitted") / "ada" / lesson / "submission_secret.txt").exists()
    # cyd handed in another way (an LMS's zip): the exchange has no way back to her
    shutil.copytree(course.directory("submitted") / "ada", course.directory("submitted") / "cyd",
                    ignore=shutil.ignore_patterns("submission_secret.txt"))

    graded = in_process(capsys, "grade", "--root", course.root, "--lessons", lesson, "--students",
                        "ada", "cyd", "--workers", "1")
    assert graded[0] == 0, graded
    # lesson 01's written reasons wait for a person: given back as they stand, said so
    status, out, err = in_process(capsys, "giveback", lesson, "--root", course.root, "--exchange",
                                  exchange, "--partial")
    assert status == 0 and "feedback for 1 students released" in out, (out, err)
    assert "no feedback for ben: handed in, not graded yet" in out
    assert "not through the exchange for 1 students who did not hand in through it (give " \
           "theirs back with --zip): cyd" in out
    home = student("ada", "fetch_feedback")
    (page,) = (home / lesson / "feedback").glob(f"*/{lesson}.html")
    text = page.read_text()  # every autograded point; the 2 of the written reasons to come
    assert "Score: 5.0 / 7.0" in text and "Not final yet." in text


# -- student and instructor modes --------------------------------------------------------------
@pytest.mark.parametrize("args, lists_kept", [([], False), (["--exchange"], True)])
def test_student_mode_in_an_environment_is_what_the_student_config_says(tmp_path, args,
                                                                         lists_kept):
    """binder/student-mode.sh (Binder, a hub's image), with a `jupyter` that records its calls."""
    stub = tmp_path / "bin" / "jupyter"
    stub.parent.mkdir()
    stub.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "calls"}\n')
    stub.chmod(0o755)
    env = {**environment(), "PATH": f"{stub.parent}{os.pathsep}{environment()['PATH']}",
           "STUDENT_MODE_PREFIX": str(tmp_path / "prefix")}
    for _ in range(2):  # twice: the server's settings are loaded once all the same
        subprocess.run(["bash", ROOT / "binder" / "student-mode.sh", *args], env=env, check=True)
    config = (tmp_path / "prefix" / "etc" / "jupyter" / "jupyter_server_config.py").read_text()
    assert config == f"load_subconfig('{ROOT / 'binder' / 'jupyter' / 'student'}/jupyter_server_config.py')\n"
    calls = [line.split() for line in (tmp_path / "calls").read_text().splitlines()]
    mode = ROOT / "binder" / "jupyter" / "student"
    lab = json.loads((mode / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    server = json.loads((mode / "jupyter_server_config.json").read_text())
    server = server["ServerApp"]["jpserver_extensions"]
    assert calls[0] == ["labextension", "disable", "--level=sys_prefix",
                        *(name for name, off in lab.items() if off)]
    assert calls[1] == ["server", "extension", "disable", "--sys-prefix",
                        *(name for name, on in server.items() if not on)]
    assert "@jupyter/nbgrader:formgrader" in calls[0]
    enabled = [name for call in calls[2:4] if "enable" in call for name in call]
    assert ("@jupyter/nbgrader:assignment-list" in enabled) == lists_kept
    assert ("nbgrader.server_extensions.assignment_list" in enabled) == lists_kept


def test_instructor_mode_needs_a_course(tmp_path):
    result = subprocess.run(["bash", ROOT / "binder" / "instructor-mode.sh", tmp_path],
                            capture_output=True, text=True, env=environment())
    assert result.returncode == 2 and "not an nbgrader course" in result.stderr
