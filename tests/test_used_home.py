"""`make lab`, then `make test`: the suite passes on a machine where JupyterLab has been used, and
leaves the person's state as it found it (issue 29).

A used home is planted as `make lab` leaves one: JupyterLab's default workspace with every lesson
open in a tab (~/.jupyter/lab/workspaces/), user settings that would disturb a test (the dark
theme, Shift+Enter switched off, no autosave), and config files that Jupyter, nbgrader and IPython
would run, each leaving a file behind if it ever ran. `make lab`'s JupyterLab restores all of it;
the suite's flows, run from a shell whose home it is, read none of it and change nothing there.
"""

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import pytest
from jupyterlab_server.workspaces_handler import WorkspacesManager

from .hermetic import own_state, snapshot
from .jupyter_lab import ARTIFACTS, CHROMIUM, ROOT, make_lab, student_copy

TOKEN = "course-used-home-test"
LESSONS = sorted(f"course/{p.name}/{p.name}.ipynb" for p in (ROOT / "course").iterdir() if p.is_dir())
# the student's flow and the instructor's (graded by hand in formgrader), as `make test` runs them
FLOWS = {"tests/test_browser.py": "test_student_flow_in_lesson_04",
         "tests/test_instructor.py": "test_written_points_land_in_the_report_and_the_csvs"}
RAN = ".ran"  # what a planted config file leaves beside itself when something runs it


def workspace(paths):
    """JupyterLab 4's workspace with these notebooks open in tabs, the last one current (the
    shape it saves: layout-restorer's dock, one entry per open document)."""
    notebooks = [f"notebook:{path}" for path in paths]
    layout = {"main": {"dock": {"type": "tab-area", "currentIndex": len(paths) - 1,
                                "widgets": notebooks},
                       "current": notebooks[-1]}}
    return {"data": {"layout-restorer:data": layout,
                     **{f"notebook:{path}": {"data": {"path": path, "factory": "Notebook"}}
                        for path in paths}},
            "metadata": {"id": "default"}}


# user settings: plugin -> values
SETTINGS = {
    "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/shortcuts-extension:shortcuts": {"shortcuts": [
        {"command": "notebook:run-cell-and-select-next", "keys": ["Shift Enter"],
         "selector": selector, "disabled": True}
        for selector in (".jp-Notebook.jp-mod-editMode", ".jp-Notebook:focus")]},
}
# config files that run as Python when read, by who reads them
RUNS = {".jupyter/jupyter_server_config.py": "jupyter_server (JupyterLab, formgrader)",
        ".jupyter/nbgrader_config.py": "nbgrader's apps and formgrader",
        ".ipython/profile_default/ipython_kernel_config.py": "every IPython kernel",
        ".ipython/profile_default/startup/00-mine.py": "every IPython kernel"}


def plant(home):
    """A home where `make lab` was used with every lesson open."""
    config = home / ".jupyter"
    WorkspacesManager(config / "lab" / "workspaces").save("default", json.dumps(workspace(LESSONS)))
    for plugin, values in SETTINGS.items():
        package, name = plugin.split(":")
        path = config / "lab" / "user-settings" / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))
    for name in RUNS:
        path = home / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"open(__file__ + {RAN!r}, 'w').close()\n")  # as traitlets and IPython run it
    return home


def person_environment(home):
    """The environment of a person's shell whose home is `home`: none of the run's own folders."""
    return {**{name: value for name, value in os.environ.items() if name not in own_state(home)},
            "HOME": str(home)}


def ran(home):
    return sorted(str(path.relative_to(home)) for path in home.rglob(f"*{RAN}"))


def api(url, path):
    with urllib.request.urlopen(f"{url}{path}?token={TOKEN}", timeout=60) as answer:
        return json.load(answer)


def open_tabs(space):
    return space["data"]["layout-restorer:data"]["main"]["dock"]["widgets"]


@pytest.fixture(scope="module")
def used_home(tmp_path_factory):
    home = plant(tmp_path_factory.mktemp("used") / "home")
    return home, snapshot(home)


def test_make_labs_jupyterlab_restores_the_used_home(used_home, tmp_path):
    """The planted home is live: JupyterLab as `make lab` starts it, in the person's shell, reopens
    every lesson, in the dark theme, and runs their server config (on a copy of the home)."""
    home = tmp_path / "home"
    shutil.copytree(used_home[0], home)
    root = student_copy(tmp_path / "root")
    with make_lab(root, home, TOKEN, env=person_environment(home)) as url:
        space = api(url, "/lab/api/workspaces/default")
        theme = api(url, "/lab/api/settings/@jupyterlab/apputils-extension:themes")
    assert open_tabs(space) == [f"notebook:{path}" for path in LESSONS]
    assert theme["settings"]["theme"] == "JupyterLab Dark"
    assert ran(home) == [".jupyter/jupyter_server_config.py" + RAN]


def test_a_jupyterlab_of_the_suite_keeps_to_its_own_folders(used_home, tmp_path):
    """Even in a shell whose every Jupyter, IPython and matplotlib variable points at the used home,
    a server the suite starts restores no tab and reads no setting nor config there."""
    home, before = used_home
    root = student_copy(tmp_path / "root")
    env = {**os.environ, **own_state(home)}
    with make_lab(root, tmp_path / "server", TOKEN, env=env) as url:
        spaces = api(url, "/lab/api/workspaces")["workspaces"]
        theme = api(url, "/lab/api/settings/@jupyterlab/apputils-extension:themes")
    assert spaces == {"ids": [], "values": []}, spaces
    assert theme["raw"] == "{}" and theme["settings"] == {}, theme
    assert ran(home) == []
    assert snapshot(home) == before


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason="Debian's chromium is not installed (make test installs it as root)")
def test_make_test_passes_in_a_used_home(used_home, tmp_path):
    """The suite's flows, run as `make test` runs them from the person's shell: they pass, no
    planted file ran, and the home is byte for byte and time for time as it was."""
    home, before = used_home
    report = tmp_path / "flows.xml"
    env = {**person_environment(home), "COURSE_TEST_ARTIFACTS": str(ARTIFACTS / "used-home")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                          f"--junitxml={report}", *(f"{f}::{t}" for f, t in FLOWS.items())],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    problems = {case.get("name"): [child.tag for child in case
                                   if child.tag in ("failure", "error", "skipped")]
                for case in ElementTree.parse(report).iter("testcase")}
    assert problems == {name: [] for name in FLOWS.values()}, run.stdout[-5000:]
    assert ran(home) == []
    assert snapshot(home) == before
