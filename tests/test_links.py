"""Every link inside a lesson lands on its heading: clicked in Debian's chromium, in JupyterLab as
`make lab` serves the course (Binder serves the same), and in nbconvert's renderings, the lab
and the classic template (nbviewer's, and the feedback's).

A link lands when, after the click, the heading it names is at the top of what the page shows.
Screenshots of the last click of each lesson go to test-artifacts/links/.
"""

from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

from graders.lessons import LESSONS

from .jupyter_lab import ARTIFACTS, CHROMIUM, chromium, make_lab, new_page, student_copy

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ARTIFACTS / "links"
TOKEN = "course-links-test"
NAMES = [lesson.name for lesson in LESSONS]

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (make test installs it as root)")

# the internal links of the rendered page, and where each one's heading is after its click
LINKS = "els => els.map(a => a.getAttribute('href'))"
LANDED = """([href, view]) => {
    const id = decodeURIComponent(href.slice(1));
    const heading = document.querySelector(`[data-jupyter-id="${CSS.escape(id)}"]`)
                 || document.getElementById(id);
    if (!heading) return null;
    const top = heading.getBoundingClientRect().top;
    const frame = view ? document.querySelector(view).getBoundingClientRect() : {top: 0};
    return top - frame.top;
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab in student mode, as `make lab` runs it, on a scratch copy of course/."""
    root = student_copy(tmp_path_factory.mktemp("links"))
    with make_lab(root, tmp_path_factory.mktemp("links-lab"), TOKEN) as url:
        yield url


def click_each(page, links, view, where, scope=""):
    """Click every link; each must bring its heading to the top of the view."""
    assert links, f"{where}: no internal links found"
    for href in links:
        page.locator(f'{scope} a[href="{href}"]').last.click()
        page.wait_for_timeout(300)  # a smooth scroll, if any, ends
        offset = page.evaluate(LANDED, [href, view])
        assert offset is not None, f"{where}: {href} names no heading on the page"
        assert -5 <= offset <= 80, \
            f"{where}: after clicking {href}, its heading is {offset:.0f} px from the top"


@pytest.mark.parametrize("name", NAMES)
def test_links_land_in_jupyterlab(lab, browser, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page(browser, viewport={"width": 1200, "height": 900})
    try:
        # a workspace of its own: nothing another test opened is restored beside the lesson
        page.goto(f"{lab}/lab/workspaces/links-{name}/tree/course/{name}/{name}.ipynb?reset&token={TOKEN}")
        panel = "#" + page.wait_for_function(
            "window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.node.querySelector('.jp-RenderedMarkdown h2')"
            " && window.jupyterapp.shell.currentWidget.id").json_value()
        markdown = page.locator(f"{panel} .jp-RenderedMarkdown a[href^='#']:not(.jp-InternalAnchorLink)")
        markdown.first.wait_for(state="attached")
        links = sorted(set(markdown.evaluate_all(LINKS)))
        click_each(page, links, f"{panel} .jp-WindowedPanel-outer", f"JupyterLab, {name}", panel)
        page.screenshot(path=SCREENSHOTS / f"jupyterlab-{name}.png")
    finally:
        page.close()


@pytest.mark.parametrize("template", ["lab", "classic"])
@pytest.mark.parametrize("name", NAMES)
def test_links_land_in_nbconvert(browser, tmp_path, name, template):
    nb = nbformat.read(ROOT / "course" / name / f"{name}.ipynb", as_version=4)
    html, _ = HTMLExporter(template_name=template).from_notebook_node(nb)
    path = tmp_path / f"{name}.html"
    path.write_text(html)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else route.abort())  # no CDN: the page must work offline
        page.goto(path.as_uri())
        anchors = page.locator("a[href^='#']:not(.anchor-link)")
        links = sorted(set(anchors.evaluate_all(LINKS)))
        click_each(page, links, None, f"nbconvert {template}, {name}")
        if template == "lab":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"nbconvert-{name}.png")
    finally:
        page.close()
