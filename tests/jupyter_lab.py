"""JupyterLab on 127.0.0.1 and Debian's chromium, for the tests that drive a real browser.

Each server keeps its state in a home of its own (hermetic.py), and the browser reaches nothing
beyond 127.0.0.1. Tests wait for conditions (a server answering, a panel's kernel idle, a grade
saved), each bounded by PATIENCE, never for a length of time.
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .hermetic import own_state

ROOT = Path(__file__).resolve().parents[1]
# screenshots; a run inside a run (test_used_home.py) puts its own elsewhere
ARTIFACTS = Path(os.environ.get("COURSE_TEST_ARTIFACTS") or ROOT / "test-artifacts")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# no background traffic: this machine's network is closed, and chromium retries forever
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STUDENT_MODE = ROOT / "binder" / "jupyter" / "student"
# a bound, not a wait: what a loaded 2-core machine may take to start a server or a kernel, run a
# lesson, validate it or save a grade (a quiet one takes seconds)
PATIENCE = 300  # seconds
# what the browser may reach: the test's own servers, so no answer from the network (formgrader's
# MathJax from a CDN, say) ever decides when a page is ready
OUTSIDE = re.compile(r"^(?!http://127\.0\.0\.1[:/])")


def make_lab(root, home, token, env=None):
    """JupyterLab on root as `make lab` runs it (student mode first on the config path), keeping
    its state in home (see serving); without a browser of its own, and the page exposes the app."""
    command = [Path(sys.executable).parent / "jupyter", "lab", "--no-browser", "--allow-root",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--expose-app-in-browser",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    env = {**(os.environ if env is None else env), "JUPYTER_CONFIG_PATH": str(STUDENT_MODE)}
    return serving(command, home, token, cwd=root, env=env)


def student_copy(folder):
    """A scratch copy of course/ in folder, to serve: the committed notebooks stay untouched."""
    shutil.copytree(ROOT / "course", Path(folder) / "course")
    return Path(folder)


@contextlib.contextmanager
def serving(command, home, token, **popen):
    """Run a JupyterLab command (it gets --port=0 and --ip appended) keeping its state in `home`
    (settings, workspaces, runtime files, its kernels' IPython and matplotlib folders); yield its
    URL once it answers. Its log is home/server.log."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    env = {**popen.pop("env", os.environ), **own_state(home)}
    log_path = home / "server.log"
    with open(log_path, "w") as log:
        # port 0: the server takes a free port itself and says which in its runtime folder
        server = subprocess.Popen([*command, "--port=0", "--ip=127.0.0.1"], stdout=log,
                                  stderr=subprocess.STDOUT, env=env, **popen)
    try:
        deadline = time.monotonic() + PATIENCE
        while (url := _answering(Path(env["JUPYTER_RUNTIME_DIR"]), token)) is None:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + log_path.read_text())
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def _answering(runtime, token):
    """The URL of the server whose runtime folder this is, once it answers; None before."""
    for info in runtime.glob("jpserver-*.json"):
        try:
            url = json.loads(info.read_text())["url"].rstrip("/")
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=10)
            return url
        except (OSError, ValueError, KeyError):
            pass  # written but not yet complete, or not serving yet
    return None


@contextlib.contextmanager
def chromium():
    """Debian's chromium, headless, through Playwright (which never downloads a browser here)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def new_page(browser, **options):
    """A page that reaches the test's servers and nothing else."""
    page = browser.new_page(**options)
    page.set_default_timeout(PATIENCE * 1000)
    page.route(OUTSIDE, lambda route: route.abort())
    return page


# the lesson's panel, once JupyterLab shows it and its kernel is idle: found by the path it holds,
# never as the first notebook on the page (a restored workspace may hold many, hidden in tabs)
PANEL_READY = """path => {
    const app = window.jupyterapp;
    if (!app) return false;
    const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    return app.shell.currentWidget === panel && kernel && kernel.status === 'idle'
        && document.body.dataset.jpThemeName && panel.id;
}"""
# whether the notebook at path holds changes not saved
DIRTY = """path => [...window.jupyterapp.shell.widgets('main')]
    .find(w => w.context && w.context.path === path).context.model.dirty"""
# what the main area holds, each by the path it shows (or its id)
OPEN_IN_MAIN = ("() => [...window.jupyterapp.shell.widgets('main')]"
                ".map(w => w.context ? w.context.path : w.id)")


def type_into(page, cell, source):
    """Type source into a notebook cell, in place of what it holds."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(source)
