"""The student's flow in a real browser: JupyterLab on 127.0.0.1, Debian's chromium via Playwright.

Opens lesson 04 (unmodified, no empty menu), runs it, gives a wrong answer and reads the check's
diagnosis, corrects it and sees the check pass, presses nbgrader's Validate and reads the
verdict, then closes the lesson and sees its kernel go. Everything is found in
the lesson's own panel, and the session shows nothing but what the test opened: no tab, theme or
shortcut of the person's. Screenshots go to test-artifacts/browser/.
"""

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .jupyter_lab import (
    ARTIFACTS,
    CHROMIUM,
    DIRTY,
    OPEN_IN_MAIN,
    PANEL_READY,
    chromium,
    make_lab,
    new_page,
    student_copy,
    type_into,
)

SCREENSHOTS = ARTIFACTS / "browser"
TOKEN = "course-browser-test"
LESSON = "course/04_accumulation/04_accumulation.ipynb"

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (make test installs it as root)")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab in student mode, as `make lab` runs it, on a scratch copy of course/."""
    root = student_copy(tmp_path_factory.mktemp("student"))
    with make_lab(root, tmp_path_factory.mktemp("student-lab"), TOKEN) as url:
        yield url, root


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def open_notebook(page, url, path):
    """Open the notebook at path; its panel, once it is current and its kernel idle."""
    page.goto(f"{url}/lab/tree/{path}?token={TOKEN}")
    panel_id = page.wait_for_function(PANEL_READY, arg=path).json_value()
    return page.locator(f"[id='{panel_id}']")


def cell_with(panel, text):
    """The panel's first code cell showing text, pinned by position (its text will change)."""
    cells = panel.locator(".jp-Notebook .jp-Cell")
    texts = cells.evaluate_all("cells => cells.map(c => c.classList.contains('jp-CodeCell')"
                               " ? c.innerText : '')")
    return cells.nth(next(i for i, t in enumerate(texts) if text in t))


def run_cell_and_next(page, cell, expect):
    """Run the cell, then the check cell below it; wait for the check's output."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    check = cell.locator("xpath=following-sibling::div[contains(@class,'jp-Cell')][1]")
    check.locator(".jp-OutputArea-output", has_text=expect).first.wait_for()
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
    url, _ = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    panel = open_notebook(page, url, LESSON)
    # the session is the test's own: no tab restored, JupyterLab's default theme
    assert page.evaluate(OPEN_IN_MAIN) == [LESSON]
    assert page.evaluate("document.body.dataset.jpThemeName") == "JupyterLab Light"
    # student mode is clean: the lesson opens unmodified, and no menu is left empty
    assert page.evaluate(DIRTY, LESSON) is False
    assert "Nbgrader" not in page.locator(".lm-MenuBar-itemLabel").all_inner_texts()

    # run the lesson (the current notebook: this panel): it stops at the first unanswered exercise
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    cell_with(panel, "raise NotImplementedError").locator(
        ".jp-OutputArea-output", has_text="NotImplementedError").wait_for()
    page.screenshot(path=SCREENSHOTS / "1-run-all.png")

    # a wrong answer: the check names the mistake
    answer = cell_with(panel, "raise NotImplementedError")
    type_into(page, answer, "answer_three = torch.tensor([2.0, 2.0, 2.0, 2.0])")
    check = run_cell_and_next(page, answer, "not yet")
    message = check.locator(".jp-OutputArea-output").all_inner_texts()
    assert any("each backward() replaces .grad" in m for m in message), message
    check.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "2-wrong-answer.png")

    # the right answer: the check passes
    type_into(page, answer, "answer_three = torch.tensor([6.0, 6.0, 6.0, 6.0])")
    check = run_cell_and_next(page, answer, "✓")
    assert "not yet" not in " ".join(check.locator(".jp-OutputArea-output").all_inner_texts())
    page.screenshot(path=SCREENSHOTS / "3-right-answer.png")

    # nbgrader's Validate (it saves the notebook first): exercise 1 passes now, the unanswered
    # ones do not
    panel.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.get_by_text("Validation Results").wait_for()
    finally:
        page.screenshot(path=SCREENSHOTS / "4-validate.png")
    verdict = dialog.inner_text()
    assert "failed" in verdict and "check_zero_between" in verdict, verdict
    assert "Exercise 2: not answered yet" in verdict and "Traceback" not in verdict, verdict
    assert "check_three_backwards" not in verdict, verdict

    # the lesson closed, its kernel goes: a session on Binder keeps only the lessons open
    page.keyboard.press("Escape")
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.evaluate("window.jupyterapp.commands.execute('application:close')")
    page.wait_for_function(f"fetch('/api/kernels?token={TOKEN}').then(r => r.json())"
                           ".then(kernels => kernels.length === 0)", polling=500)
