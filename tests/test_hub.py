"""A whole class on a real JupyterHub (`make hub`), in Debian's chromium.

The hub runs on 127.0.0.1 with an instructor and three students, real local users made for the
test. The instructor releases lesson 04 in formgrader; two students log in, fetch it in their
Assignments tab, answer (ada right, bob with a catalogued mistake), press Validate and submit; the
instructor collects in formgrader, grades in a terminal of their JupyterLab (`python -m grading
grade`: sandboxed, on Dask), grades each written answer by hand in formgrader with points and a
comment, and gives feedback back; each student fetches their feedback and reads their points and
the comment. Screenshots of each step go to test-artifacts/hub/. Afterwards every process of the
hub and its users is gone, and so are the users.
"""

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from graders.answer_key.catalogue import EXERCISES
from grading.course import Course, environment
from grading.hub import PROXY, Class, free_port

from .jupyter_lab import ARTIFACTS, DIRTY, PANEL_READY, PATIENCE, chromium, new_page, type_into

SCREENSHOTS = ARTIFACTS / "hub"
LESSON = "04_accumulation"
NOTEBOOK = f"{LESSON}/{LESSON}.ipynb"  # where a student's fetch puts it, in their home
MISTAKE = "each backward() replaces .grad"  # bob's, on exercise 1 (graders' catalogue)
WRITTEN = {"ada": "Gradients from several backward() calls add up in .grad; a loop without "
                  "zero_() steps along the sum of every past gradient.",
           "bob": "PyTorch adds so that several losses can share one backward."}
HAND = {"ada": (2, "Both halves, clearly: the sum, and what it does to training."),
        "bob": (1, "Why it adds, yes; what a missing zero_() does to training is missing.")}


def answers(student):
    """{grade_id of an answer cell: its source}: the catalogue's right answers, bob's mistake."""
    chosen = {f"{gid}_answer": exercise.right for gid, exercise in EXERCISES.items()
              if gid.startswith("l04_")}
    if student == "bob":
        chosen["l04_three_answer"] = EXERCISES["l04_three"].mistakes[MISTAKE]
    return {**chosen, "l04_why": WRITTEN[student]}


def _processes_of(uids):
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid = next(int(line.split()[1]) for line in status.read_text().splitlines()
                       if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if uid in uids:
            found.append(int(status.parent.name))
    return found


@pytest.fixture(scope="module")
def hub():
    """`make hub`'s hub (python -m grading.hub) on a free port of 127.0.0.1, its class made for
    the test under names of its own; stopped, and its users removed, afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the hub makes its class's local users and runs their servers as them: "
                    "it needs root (CI runs the tests as root)")
    if not shutil.which("npm") and not PROXY.exists():
        pytest.skip("npm is not installed: no configurable-http-proxy for the hub (make test "
                    "installs both as root)")
    assert PROXY.exists(), f"{PROXY} missing: `npm ci --prefix hub` installs it (make test does)"
    suffix = secrets.token_hex(2)  # never a user of this machine, nor of another run's class
    # not under pytest's private tmp: the class's users must reach their homes
    folder = Path(tempfile.mkdtemp(prefix="hub-class-"))
    folder.chmod(0o755)
    klass = Class(folder / "class", free_port(), f"prof{suffix}",
                  [f"{name}{suffix}" for name in ("ada", "bob", "cyd")])
    log = folder / "hub.log"
    try:
        for attempt in range(3):  # a free port picked can be taken before the hub binds it
            if attempt:
                klass.port = free_port()
            args = [sys.executable, "-m", "grading.hub", "--root", klass.root,
                    "--port", str(klass.port), "--instructor", klass.instructor,
                    "--students", *klass.students,
                    "--server-arg=--LabApp.expose_app_in_browser=True",
                    "--server-arg=--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
            with open(log, "w") as out:
                process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                           env=environment(), start_new_session=True)
            if _comes_up(klass, process, log):
                break
        else:
            pytest.fail("the hub lost its ports three times:\n" + log.read_text()[-5000:])
        yield klass, log
    finally:
        uids = {pwd.getpwnam(user).pw_uid for user in klass.users if _exists(user)}
        _stop(process)
        deadline = time.monotonic() + 60
        while (left := _processes_of(uids)) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        subprocess.run([sys.executable, "-m", "grading.hub", "--root", klass.root, "--clean",
                        "--instructor", klass.instructor, "--students", *klass.students],
                       env=environment(), capture_output=True, timeout=120)
        gone = not any(_exists(user) for user in klass.users)
        shutil.rmtree(folder, ignore_errors=True)
        assert left == [], f"the hub's users' processes outlived it: {left}"
        assert gone, "the class's users were not removed"


def _stop(process):
    process.send_signal(signal.SIGTERM)  # as Ctrl-C: the hub stops its proxy and users' servers
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _comes_up(klass, process, log):
    """Whether the hub answered; False, the hub stopped, if a port it was given was taken
    meanwhile (grading.hub refuses, or the hub or its proxy -- which runs on -- says so in the
    log); fails the test if the hub stopped for anything else or never answered."""
    deadline = time.monotonic() + PATIENCE
    while not _answers(f"{klass.url()}/hub/api"):
        said = log.read_text()
        if "already in use" in said.lower():
            _stop(process)
            return False
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the hub did not come up:\n" + said[-5000:])
        time.sleep(0.2)
    return True


def _answers(url):
    try:
        urllib.request.urlopen(url, timeout=10)
        return True
    except OSError:
        return False


def _exists(user):
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


class Steps:
    """The test's screenshots, numbered in the order taken: test-artifacts/hub/NN-what.png."""

    def __init__(self):
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        SCREENSHOTS.mkdir(parents=True)
        self.taken = []

    def shot(self, page, what):
        path = SCREENSHOTS / f"{len(self.taken) + 1:02d}-{what.replace(' ', '-')}.png"
        page.screenshot(path=path)
        self.taken.append(path)


def log_in(browser, klass, user, steps):
    """The user's JupyterLab on the hub, logged in through the hub's login page."""
    password = klass.passwords()["instructor" if user == klass.instructor else "students"]
    page = new_page(browser, viewport={"width": 1400, "height": 900})
    page.goto(f"{klass.url()}/hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(password)
    steps.shot(page, f"{user} logs in")
    page.locator("#login_submit").click()
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-LabShell')")
    assert page.url.startswith(f"{klass.url()}/user/{user}/lab"), page.url
    return page


def press_in_row(page, column):
    """Press formgrader's button in lesson 04's row; wait for its dialog to say it succeeded."""
    page.locator("tr", has_text=LESSON).locator(f"td.{column} a").click()
    dialog = page.locator(".modal-dialog", has_text="Success")
    dialog.wait_for()
    dialog.locator(".modal-footer button").click()
    dialog.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")  # the page shows again


def assignments(page):
    """The student's Assignments tab (Nbgrader > Assignment List), its lists loaded."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    tab = page.locator("#assignments")
    tab.locator("#released_assignments_list_loading").wait_for(state="hidden")
    return tab


# the answers written into a notebook's cells, by the nbgrader grade_id of each cell
WRITE_ANSWERS = """([path, chosen]) => {
    const panel = [...window.jupyterapp.shell.widgets('main')]
        .find(w => w.context && w.context.path === path);
    const cells = panel.content.model.cells;
    for (let i = 0; i < cells.length; i++) {
        const id = (cells.get(i).getMetadata('nbgrader') || {}).grade_id;
        if (id in chosen) cells.get(i).sharedModel.setSource(chosen[id]);
    }
}"""


def answer_and_submit(browser, klass, user, name, steps):
    """A student logs in, fetches lesson 04 in the Assignments tab, answers, presses Validate and
    submits; returns their page and what Validate said."""
    page = log_in(browser, klass, user, steps)
    tab = assignments(page)
    tab.locator("#released_assignments_list .list_item", has_text=LESSON) \
        .get_by_role("button", name="Fetch").click()
    fetched = tab.locator("#fetched_assignments_list > .list_item", has_text=LESSON)
    fetched.locator(".assignment-notebooks-link").click()  # its notebooks, listed
    fetched.locator(".nested_list_item a", has_text=LESSON).wait_for()
    steps.shot(page, f"{name} fetched lesson 04")
    fetched.locator(".nested_list_item a", has_text=LESSON).click()
    panel_id = page.wait_for_function(PANEL_READY, arg=NOTEBOOK).json_value()
    panel = page.locator(f"[id='{panel_id}']")
    # exercise 1 typed, as a student does; the other answers written into their cells
    chosen = answers(name)
    type_into(page, panel.locator(".jp-CodeCell", has_text="raise NotImplementedError").first,
              chosen.pop("l04_three_answer"))
    page.evaluate(WRITE_ANSWERS, [NOTEBOOK, chosen])
    panel.get_by_role("button", name="Validate").click()  # it saves the notebook first
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for()
    steps.shot(page, f"{name} validated")
    verdict = dialog.inner_text()
    page.keyboard.press("Escape")
    assert page.evaluate(DIRTY, NOTEBOOK) is False
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    fetched.get_by_role("button", name="Submit").first.click()
    tab.locator("#submitted_assignments_list .list_item", has_text=LESSON).first.wait_for()
    steps.shot(page, f"{name} submitted")
    return page, verdict


# a new terminal in the main area, once the workspace is restored: its id
NEW_TERMINAL = """async () => {
    await window.jupyterapp.restored;
    return (await window.jupyterapp.commands.execute('terminal:create-new')).id;
}"""
# the terminal shown (a restored workspace may bring older ones), its shell connected
CONNECTED = """id => {
    const app = window.jupyterapp;
    const terminal = [...app.shell.widgets('main')].find(w => w.id === id);
    if (!terminal) return false;
    if (app.shell.currentWidget !== terminal) app.shell.activateById(id);
    return terminal.isVisible && terminal.content.session.connectionStatus === 'connected';
}"""


def in_terminal(page, klass, command):
    """Type `command` into a new terminal of the instructor's JupyterLab, as an instructor does;
    once it has ended, its exit status and what it printed."""
    page.wait_for_function("window.jupyterapp && "
                           "window.jupyterapp.commands.hasCommand('terminal:create-new')")
    terminal_id = page.evaluate(NEW_TERMINAL)
    page.wait_for_function(CONNECTED, arg=terminal_id)
    page.locator(f"[id='{terminal_id}'] .jp-Terminal-body").click()
    # what it printed and its status, kept in the instructor's home (theirs to write)
    out, status = klass.course / ".terminal-out", klass.course / ".terminal-status"
    status.unlink(missing_ok=True)
    page.keyboard.type(f"{command} 2>&1 | tee {out.name}; echo ${{PIPESTATUS[0]}} > {status.name}\n")
    deadline = time.monotonic() + PATIENCE
    while not status.exists() or not status.read_text().strip():
        assert time.monotonic() < deadline, f"{command}: not done in {PATIENCE} s"
        time.sleep(0.5)
    return int(status.read_text()), out.read_text()


def grade_by_hand(page, klass, course, user, name, steps):
    """The instructor gives a written answer points and a comment in formgrader."""
    with course.gradebook() as gradebook:
        notebook = gradebook.find_submission_notebook(LESSON, LESSON, user)
        grade_id = gradebook.find_grade("l04_why", LESSON, LESSON, user).id
        comment_id = gradebook.find_comment("l04_why", LESSON, LESSON, user).id
    page.goto(f"{klass.url()}/user/{klass.instructor}/formgrader/submissions/{notebook.id}/")
    page.wait_for_function("window.formgrader && formgrader.grades.loaded && "
                           "formgrader.comments.loaded")
    points, comment = HAND[name]
    for field, value, api in ((page.locator("input.score#l04_why"), str(points),
                               f"/api/grade/{grade_id}"),
                              (page.locator("textarea#l04_why-comment"), comment,
                               f"/api/comment/{comment_id}")):
        # formgrader saves a field when it loses focus, once the server answers
        with page.expect_response(lambda r, api=api: r.url.endswith(api)
                                  and r.request.method == "PUT") as saved:
            field.fill(value)
            field.evaluate("e => e.blur()")
        assert saved.value.ok, saved.value.status
    # the answer, its points and comment in view, once formgrader's own scrolling has ended
    page.wait_for_function("!window.jQuery || jQuery(':animated').length === 0")
    page.locator("textarea#l04_why-comment").evaluate("e => e.scrollIntoView({block: 'center'})")
    steps.shot(page, f"instructor grades {name}'s written answer")


def fetch_feedback(page, name, steps):
    """The student fetches their feedback in the Assignments tab and opens it, at the comment on
    their written answer: the feedback's text."""
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    tab = page.locator("#assignments")
    tab.locator("#refresh_assignments_list").click()
    submitted = tab.locator("#submitted_assignments_list", has_text=LESSON)
    submitted.get_by_role("button", name="Fetch Feedback").click()
    submitted.get_by_text("(view feedback)").click()  # the file browser, at the feedback
    page.locator(".jp-DirListing-item", has_text=f"{LESSON}.html").dblclick()
    viewer = page.frame_locator(".jp-HTMLViewer iframe").last
    viewer.get_by_text(HAND[name][1]).scroll_into_view_if_needed()  # the instructor's comment
    steps.shot(page, f"{name} reads the feedback")
    return viewer.locator("body").inner_text()


def test_a_class_on_the_hub(hub, browser):
    klass, log = hub
    steps = Steps()
    ada, bob = klass.students[:2]
    course = Course(klass.course)

    # the instructor generates and releases lesson 04 in formgrader
    prof = log_in(browser, klass, klass.instructor, steps)
    prof.goto(f"{klass.url()}/user/{klass.instructor}/formgrader/")
    press_in_row(prof, "assign")
    press_in_row(prof, "release")
    steps.shot(prof, "instructor released lesson 04")
    assert (klass.exchange / "autograd" / "outbound" / LESSON / f"{LESSON}.ipynb").exists()

    # two students fetch it, answer, validate and submit
    ada_page, verdict = answer_and_submit(browser, klass, ada, "ada", steps)
    assert "Success! Your notebook passes all the tests." in verdict, verdict
    bob_page, verdict = answer_and_submit(browser, klass, bob, "bob", steps)
    assert MISTAKE in verdict and "Traceback" not in verdict, verdict
    # by role: a student's server has no formgrader, nor its menu; the instructor's has both
    assert bob_page.request.get(f"{klass.url()}/user/{bob}/formgrader/").status == 404
    assert prof.request.get(f"{klass.url()}/user/{klass.instructor}/formgrader/").ok
    assert not bob_page.evaluate("window.jupyterapp.commands.hasCommand('nbgrader:open-formgrader')")
    assert bob_page.evaluate("window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')")

    # the instructor collects in formgrader, then grades in a terminal: sandboxed, on Dask
    prof.goto(f"{klass.url()}/user/{klass.instructor}/formgrader/")
    press_in_row(prof, "collect")
    prof.locator("tr", has_text=LESSON).locator("td.num-submissions", has_text="2").wait_for()
    steps.shot(prof, "instructor collected")
    assert course.students() == sorted([ada, bob])
    prof.goto(f"{klass.url()}/user/{klass.instructor}/lab")
    report = course.root / "report" / "grades.csv"
    status, out = in_terminal(prof, klass, f"python -m grading grade --root . --lessons {LESSON}")
    assert status == 0, out
    assert report.exists()
    steps.shot(prof, "instructor graded in a terminal")
    for user in (ada, bob):
        outcome = json.loads((course.root / "grading-status" / f"{user}__{LESSON}.json")
                             .read_text())
        assert outcome["graded"] and outcome["sandboxed"], outcome
        assert outcome["limits_hit"] == [], outcome  # graded by a user who is not root
    scores = course.auto_scores([(ada, LESSON), (bob, LESSON)])
    with course.gradebook() as gradebook:
        tops = {g.name: g.max_score for g in gradebook.find_notebook(LESSON, LESSON).grade_cells}
    assert {g: s for (u, _, g), s in scores.items() if u == ada and g != "l04_why"} == \
        {g: top for g, top in tops.items() if g != "l04_why"}
    assert scores[bob, LESSON, "l04_three"] == 0 and scores[bob, LESSON, "l04_seed"] == 1

    # each written answer, by hand in formgrader: points and a comment
    for user, name in ((ada, "ada"), (bob, "bob")):
        grade_by_hand(prof, klass, course, user, name, steps)

    # feedback back, from a terminal's command line
    prof.goto(f"{klass.url()}/user/{klass.instructor}/lab")
    feedback = klass.exchange / "autograd" / "feedback"
    status, out = in_terminal(prof, klass, f"python -m grading giveback {LESSON} --root .")
    assert status == 0, out
    assert len(list(feedback.glob("*.html"))) == 2
    steps.shot(prof, "instructor gave feedback back")

    # each student fetches their feedback and reads their points and the comment
    for page, name in ((ada_page, "ada"), (bob_page, "bob")):
        text = fetch_feedback(page, name, steps)
        points, comment = HAND[name]
        assert comment in text, text[-2000:]
        assert f"{float(points)} / 2.0" in text, text[-2000:]
        assert "HIDDEN TESTS" not in text
    assert MISTAKE in text  # bob's: what his exercise 1 points to


def test_a_hub_refuses_a_port_already_in_use(tmp_path, capsys, monkeypatch):
    """JupyterHub's proxy only logs that it could not listen, and the hub says it runs: on a
    port something else holds, `make hub` refuses before it makes anyone, and says what to do."""
    from grading import hub

    def set_up(klass):
        raise AssertionError("the class was being set up on a port already in use")

    monkeypatch.setattr(hub, "set_up", set_up)  # never users made, nor a hub started, here
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as stopped:
            hub.main(["--root", str(tmp_path / "class"), "--port", str(port)])
    assert stopped.value.code == 2
    assert f"127.0.0.1:{port} is already in use" in capsys.readouterr().err
    assert not (tmp_path / "class").exists()  # nothing set up
