"""nbgrader in instructor mode (`make instructor`, binder/instructor-mode.sh, a hub's instructor
image): formgrader's Autograde and Generate Feedback, and `nbgrader autograde` in its terminal, do
what the grading commands do -- the sandbox, the verdicts reached outside it, grades a person set
kept, flags, the outcome recorded; feedback without hidden tests (grading/pipeline.py).

The course's own nbgrader_config.py (in the folder JupyterLab was started in) is read after this
file and can change any of it.
"""

from pathlib import Path

from grading.course import exchange_root
from grading.pipeline import configure

c = get_config()  # noqa: F821  (nbgrader provides it)
configure(c)
if (Path.cwd() / "nbgrader_config.py").exists():  # started in a course (instructor-mode.sh)
    # the exchange its config names, or one a hub's config names, else its own exchange/
    c.Exchange.root = exchange_root(Path.cwd())
