"""The instructor's loop walked as a new instructor walks it, with screenshots: the README's
commands on a fresh demo class, a student handing in through the course's exchange, an LMS's
zip, formgrader in Debian's chromium (its own Autograde button, the Flagged column, a crashed
notebook graded by hand, written answers), a forced re-grade, the report, give-back and export.

    python -m tests.walk_instructor [COURSE_DIR]      (as root: the student is an OS user)

Not a test (it takes minutes and a user account): run it to look at the loop. It writes
test-artifacts/instructor/walk/ -- the screenshots, and each command's output (commands.txt) --
and ends with one table: every student's lesson-04 score as the report, the export, the
gradebook and formgrader's own API give it, which must agree.
"""

import csv
import json
import os
import pwd
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import nbformat

from grading.course import DEMO_COURSE_ID, Course, environment
from grading.demo import fill

from .jupyter_lab import ARTIFACTS, chromium, new_page, serving

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHOTS = ARTIFACTS / "instructor" / "walk"
LESSON = "04_accumulation"
STUDENT = "zed"  # an OS user of this machine: the exchange knows students by their user
TOKEN = "walk-the-loop"
READY = "window.formgrader && formgrader.grades.loaded && formgrader.comments.loaded"
LOG = []


def say(text):
    print(text, flush=True)
    LOG.append(text)


def run(*args, check=True, student=None):
    """A command as the README writes it (the venv's bin first on PATH: it was activated)."""
    env = {**environment(), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    cwd = ROOT
    if student:  # in the student's own home
        cwd = Path(f"/tmp/walk-{student}")
        cwd.mkdir(exist_ok=True)
        env = {**env, "HOME": str(cwd), "JUPYTER_CONFIG_DIR": f"{cwd}/.jupyter",
               "JUPYTER_DATA_DIR": f"{cwd}/.local/share/jupyter"}
        args = (*args, f"--student={student}")
    say(f"\n$ {' '.join(str(a) for a in args)}" + (f"   (in {student}'s home)" if student else ""))
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env,
                            cwd=cwd)
    say((result.stdout + result.stderr).rstrip() + f"\n[exit status {result.returncode}]")
    if check and result.returncode:
        raise SystemExit(f"stopped: {' '.join(map(str, args))} failed")
    return result


def shot(page, name, full=False):
    page.screenshot(path=SHOTS / name, full_page=full)
    say(f"[screenshot {SHOTS / name}]")


def student_hands_in(course):
    """zed fetches lesson 04 from the exchange, answers it, and submits it.

    Run by this script's user standing in for zed (zed cannot run a Python kept under /root);
    the folder handed in is then zed's, as zed's own submit makes it, so collect's owner check
    (grading.collect.OwnCollect) sees what it sees on a hub."""
    exchange = [f"--Exchange.root={course.root / 'exchange'}", f"--course={DEMO_COURSE_ID}"]
    run("nbgrader", "fetch_assignment", LESSON, *exchange, student=STUDENT)
    path = Path(f"/tmp/walk-{STUDENT}") / LESSON / f"{LESSON}.ipynb"
    nb = fill(nbformat.read(path, as_version=4), "l04", "ada")  # right answers, written one too
    nbformat.write(nb, path)
    run("nbgrader", "submit", LESSON, *exchange, student=STUDENT)
    for handed in (course.root / "exchange" / DEMO_COURSE_ID / "inbound").glob(f"{STUDENT}+*"):
        for path in (handed, *handed.rglob("*")):
            shutil.chown(path, STUDENT, STUDENT)


def canvas_zip(course, target):
    """An LMS's download: one new student, a second upload named as Canvas names it, a renamed
    file, and a stray one."""
    release = nbformat.read(course.directory("release") / LESSON / f"{LESSON}.ipynb", 4)
    right = nbformat.writes(fill(nbformat.reads(nbformat.writes(release), 4), "l04", "ben"))
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(f"turingalan_2001_72001_{LESSON} (1).ipynb", right)  # a browser's 2nd
        archive.writestr(f"noetheremmy_2003_72003_{LESSON}.ipynb", right)
        archive.writestr(f"noetheremmy_2003_72003_{LESSON}-1.ipynb", right)  # two, undated
        archive.writestr(f"hopper_grace_2002_72002_{LESSON}.ipynb", right)  # not Canvas's name
        archive.writestr("readme.txt", "not a notebook")


def submission(page, course, lab, student):
    with course.gradebook() as gradebook:
        notebook = gradebook.find_submission_notebook(LESSON, LESSON, student)
    page.goto(f"{lab}/formgrader/submissions/{notebook.id}/?token={TOKEN}")
    page.wait_for_function(READY)


def give(page, grade_id, points=None, comment=None):
    """A score and a comment typed into formgrader, each saved when the field loses focus."""
    for field, value, api in ((f"input.score#{grade_id}", points, "grade"),
                              (f"textarea#{grade_id}-comment", comment, "comment")):
        box = page.locator(field)
        if value is None or box.input_value() == str(value):
            continue
        with page.expect_response(lambda r: f"/formgrader/api/{api}/" in r.url  # noqa: B023
                                  and r.request.method == "PUT") as saved:
            box.fill(str(value))
            box.press("Tab")
        assert saved.value.ok, saved.value.status


def formgrader(course, lab, browser):
    page = new_page(browser, viewport={"width": 1400, "height": 950},
                    extra_http_headers={"Authorization": f"token {TOKEN}"})
    page.goto(f"{lab}/formgrader/manage_assignments?token={TOKEN}")
    page.locator("td.name a").first.wait_for()
    shot(page, "01-manage-assignments.png")
    page.locator(f"tr:has(td.name a:text-is('{LESSON}')) td.edit a").click()
    page.get_by_text(f"Editing {LESSON}").wait_for()
    page.wait_for_function(  # bootstrap's modal slid in: its dialog no longer moved
        "(m => m && getComputedStyle(m).transform === 'matrix(1, 0, 0, 1, 0, 0)')"
        "(document.querySelector('.modal.in .modal-dialog'))")
    shot(page, "02-edit-pencil.png")

    page.goto(f"{lab}/formgrader/manage_submissions/{LESSON}?token={TOKEN}")
    row = page.locator("tr", has=page.locator("td.student-id", has_text=STUDENT))
    row.locator("td.autograde a").wait_for()
    row.locator("td.autograde a").click()  # formgrader's own Autograde, on zed's submission
    page.get_by_text("Successfully autograded").or_(
        page.get_by_text("Error")).first.wait_for()
    shot(page, "03-autograde-button.png")

    page.goto(f"{lab}/formgrader/gradebook/{LESSON}/{LESSON}?token={TOKEN}")
    page.locator("td.flagged span.glyphicon-flag").first.wait_for()
    page.get_by_text("Show All Names").click()
    shot(page, "04-manual-grading-flagged-column.png", full=True)

    submission(page, course, lab, "hal")  # the kernel died in exercise 2
    page.locator("textarea#l04_seed_answer-comment").scroll_into_view_if_needed()
    shot(page, "05-hal-stopped-at-exercise-2.png")
    for grade_id, points in (("l04_seed", 1), ("l04_separate", 2), ("l04_average", 2),
                             ("l04_retain", 1)):
        give(page, grade_id, points)
    give(page, "l04_seed_answer", comment="Your kernel stopped here (os._exit); I read the rest "
                                          "and graded it by hand.")
    page.locator("input.score#l04_retain").scroll_into_view_if_needed()
    shot(page, "06-hal-graded-by-hand.png")

    for student, points, comment in (("ada", 2, "Right: each call adds to .grad."),
                                     (STUDENT, 1.5, "Half: say why a sum is what you want.")):
        submission(page, course, lab, student)
        give(page, "l04_why", points, comment)
        page.locator("input.score#l04_why").scroll_into_view_if_needed()
        shot(page, f"07-{student}-written-answer.png")

    submission(page, course, lab, "oz")
    page.locator("textarea#l04_three_answer-comment").scroll_into_view_if_needed()
    shot(page, "08-oz-flagged-for-review.png")
    page.close()


def formgrader_scores(lab):
    """{student: score} of lesson 04 as formgrader's Manage Submissions lists it (its API)."""
    request = urllib.request.Request(f"{lab}/formgrader/api/submissions/{LESSON}",
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return {s["student"]: s for s in json.loads(response.read())}


def agree(course, listed):
    """Every student's lesson-04 score and status: report, export, gradebook, formgrader."""
    report = course.root / "report"
    with open(report / "grades-by-student.csv") as f:
        by_student = {r["student"]: r for r in csv.DictReader(f)}
    exported = course.root / "export.csv"
    with open(exported) as f:
        export = {r["student"]: r for r in csv.DictReader(f)}
    with open(report / "grades.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["lesson"] == LESSON]
    cells = {}
    for r in rows:
        cells.setdefault(r["student"], []).append(
            "NOT GRADED" if r["status"].startswith("not graded") else r["score"])
    with course.gradebook() as gradebook:
        book = {s.student.id: (s.score, s.needs_manual_grade, any(n.flagged for n in s.notebooks))
                for s in gradebook.find_assignment(LESSON).submissions}
    say(f"\n{'student':<8} {'report':>8} {'export':>8} {'grades.csv':>10} {'gradebook':>10} "
        f"{'formgrader':>10}  status")
    disagree = []
    for student in sorted(set(book) | set(listed)):
        csv_sum = ("NOT GRADED" if any(s == "NOT GRADED" for s in cells.get(student, []))
                   else f"{sum(float(s) for s in cells.get(student, []) if s):g}")
        fg = listed.get(student, {})
        score, open_, flagged = book.get(student, (None, None, None))
        seen = (by_student.get(student, {}).get(LESSON, ""), export.get(student, {}).get(LESSON, ""),
                csv_sum, f"{score:g}" if score is not None else "",
                f"{fg['score']:g}" if fg.get("autograded") and fg.get("score") is not None else "")
        numbers = {float(x) for x in seen if x not in ("", "NOT GRADED")}
        status = ", ".join(w for w, on in (("to grade by hand", open_), ("flagged", flagged),
                                           ("not graded", student in by_student and
                                            LESSON in by_student[student]["not_graded"]))
                           if on)
        say(f"{student:<8} {seen[0]:>8} {seen[1]:>8} {seen[2]:>10} {seen[3]:>10} {seen[4]:>10}  "
            f"{status}")
        if len(numbers) > 1:
            disagree.append(student)
    say(f"disagreeing: {disagree or 'none'}")
    return disagree


def pages(browser, course):
    page = new_page(browser, viewport={"width": 1400, "height": 950})
    page.route("file://**", lambda route: route.continue_())
    page.goto(f"file://{course.root / 'report' / 'report.html'}")
    shot(page, "10-report-top.png")
    shot(page, "11-report-full.png", full=True)
    fetched = sorted(Path(f"/tmp/walk-{STUDENT}").glob(f"{LESSON}/feedback/*/*.html"))
    if fetched:
        page.goto(f"file://{fetched[-1]}")
        shot(page, f"12-{STUDENT}-fetched-feedback.png")
    hal = course.directory("feedback") / "hal" / LESSON / f"{LESSON}.html"
    page.goto(f"file://{hal}")
    shot(page, "13-hal-feedback-top.png")
    page.get_by_text("could not be checked").first.scroll_into_view_if_needed()
    shot(page, "14-hal-feedback-where-it-stopped.png")
    page.get_by_text("Summary").first.scroll_into_view_if_needed()
    shot(page, "15-feedback-maths-offline.png")
    page.close()


def main(root):
    try:
        pwd.getpwnam(STUDENT)
    except KeyError:
        raise SystemExit(f"needs an OS user {STUDENT!r} (as root: useradd {STUDENT})") from None
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    if root.exists():
        shutil.rmtree(root)
    os.environ.update(environment())
    at = ("--root", root)
    run("grading", "demo", *at)
    run("grading", "grade", *at)
    run("grading", "release", LESSON, *at)
    course = Course(root)
    student_hands_in(course)
    run("grading", "collect", LESSON, *at)
    canvas_zip(course, root.parent / "canvas-download.zip")
    run("grading", "collect", "--zip", root.parent / "canvas-download.zip", *at, check=False)
    run("grading", "grade", *at)  # only what is new
    run("grading", "giveback", LESSON, *at, check=False)  # refused: written answers wait
    command = ["bash", ROOT / "binder" / "instructor-mode.sh", root, "--no-browser",
               "--allow-root", f"--IdentityProvider.token={TOKEN}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    home = root.parent / "instructor-home"
    with serving(command, home, TOKEN, env=environment()) as lab, chromium() as browser:
        formgrader(course, lab, browser)
        run("grading", "grade", "--force", "--lessons", LESSON, *at)  # people's grades stay
        run("grading", "giveback", LESSON, *at, check=False)  # what formgrader left open
        run("grading", "giveback", LESSON, "--partial", *at)
        run("grading", "giveback", LESSON, "--zip", root.parent / "feedback.zip", "--partial", *at)
        run("nbgrader", "fetch_feedback", LESSON, f"--Exchange.root={root / 'exchange'}",
            f"--course={DEMO_COURSE_ID}", student=STUDENT)
        run("grading", "export", "--out", root / "export.csv", *at)
        disagree = agree(course, formgrader_scores(lab))
        pages(browser, course)
        log = (home / "server.log").read_text()
        say(f"\nserver log: {log.count('Unwritable directory')} 'Unwritable directory', "
            f"{log.count('does not exist')} 'does not exist'")
    (SHOTS / "commands.txt").write_text("\n".join(LOG) + "\n")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "walk" / "course")
                  .resolve()))
