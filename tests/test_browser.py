"""The student's flow in a real browser: JupyterLab on 127.0.0.1, Debian's chromium via Playwright.

Opens lesson 04, runs it, gives a wrong answer and reads the check's diagnosis, corrects it and
sees the check pass, then presses nbgrader's Validate and reads the verdict. Screenshots go to
test-artifacts/browser/.
"""

import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .jupyter_lab import CHROMIUM, chromium, serving

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
TOKEN = "course-browser-test"
STUDENT_MODE = ROOT / "binder" / "jupyter" / "student"

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (make test installs it as root)")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a scratch copy of course/: the committed notebooks stay untouched."""
    root = tmp_path_factory.mktemp("student")
    shutil.copytree(ROOT / "course", root / "course")
    command = [Path(sys.executable).parent / "jupyter", "lab", "--no-browser", "--allow-root",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
               "--expose-app-in-browser",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    env = {**os.environ, "JUPYTER_NO_CONFIG": "",
           "JUPYTER_CONFIG_PATH": str(STUDENT_MODE)}  # as `make lab` runs it
    with serving(command, root / "lab.log", TOKEN, cwd=root, env=env) as url:
        yield url, root


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def cell_with(page, text):
    """The first code cell showing text, pinned by position (its text will change)."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    texts = cells.evaluate_all("cells => cells.map(c => c.classList.contains('jp-CodeCell')"
                               " ? c.innerText : '')")
    return cells.nth(next(i for i, t in enumerate(texts) if text in t))


def type_into(page, cell, source):
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(source)


def run_cell_and_next(page, cell, expect):
    """Run the cell, then the check cell below it; wait for the check's output."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    check = cell.locator("xpath=following-sibling::div[contains(@class,'jp-Cell')][1]")
    check.locator(".jp-OutputArea-output", has_text=expect).first.wait_for(timeout=30_000)
    return check


def test_student_mode_has_no_formgrader(lab):
    url, _ = lab
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{url}/formgrader?token={TOKEN}", timeout=30)
    assert error.value.code == 404
    page = urllib.request.urlopen(f"{url}/lab?token={TOKEN}", timeout=30).read().decode()
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1])
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:assignment-list"} <= set(
        config["disabledExtensions"])


def test_student_flow_in_lesson_04(lab, browser):
    url, root = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/course/04_accumulation/04_accumulation.ipynb?token={TOKEN}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session",
                           timeout=60_000)
    page.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session"
                           ".kernel.status === 'idle'", timeout=60_000)

    # run the lesson: it stops at the first unanswered exercise
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    cell_with(page, "raise NotImplementedError").locator(
        ".jp-OutputArea-output", has_text="NotImplementedError").wait_for(timeout=60_000)
    page.screenshot(path=ARTIFACTS / "1-run-all.png")

    # a wrong answer: the check names the mistake
    answer = cell_with(page, "raise NotImplementedError")
    type_into(page, answer, "answer_three = torch.tensor([2.0, 2.0, 2.0, 2.0])")
    check = run_cell_and_next(page, answer, "not yet")
    message = check.locator(".jp-OutputArea-output").all_inner_texts()
    assert any("each backward() replaces .grad" in m for m in message), message
    check.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "2-wrong-answer.png")

    # the right answer: the check passes
    type_into(page, answer, "answer_three = torch.tensor([6.0, 6.0, 6.0, 6.0])")
    check = run_cell_and_next(page, answer, "✓")
    assert "not yet" not in " ".join(check.locator(".jp-OutputArea-output").all_inner_texts())
    page.screenshot(path=ARTIFACTS / "3-right-answer.png")

    # nbgrader's Validate: exercise 1 passes now, the unanswered ones do not
    page.keyboard.press("Control+S")
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.get_by_text("Validation Results").wait_for(timeout=90_000)
    finally:
        page.screenshot(path=ARTIFACTS / "4-validate.png")
    verdict = dialog.inner_text()
    page.screenshot(path=ARTIFACTS / "4-validate.png")
    assert "failed" in verdict and "check_zero_between" in verdict, verdict
    assert "check_three_backwards" not in verdict, verdict
