"""Launching the course: Binder's configuration, and the README's links."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def pins(lines):
    return dict(re.match(r"([\w.-]+)==([\w.+-]+)", line.split("#")[0].strip()).groups()
                for line in lines if re.match(r"\s*[\w.-]+==", line))


def test_binder_pins_match_the_project():
    project = pins(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    binder = pins((ROOT / "binder" / "requirements.txt").read_text().splitlines())
    assert binder.pop("torch") == project.pop("torch") + "+cpu"  # the CPU-only build
    assert binder == project


def test_binder_pins_python_and_installs_the_project():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "set -e" in post_build and "pip install" in post_build and "-e ." in post_build
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111


def test_repo2docker_accepts_binder():
    """repo2docker without Docker: --no-build only writes the Dockerfile it would build."""
    run = subprocess.run([Path(sys.executable).parent / "repo2docker", "--no-build", "--debug",
                          "--no-run", str(ROOT)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    dockerfile = run.stdout + run.stderr
    assert "python=3.11" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile


def links():
    return re.findall(r"\]\((?!#)([^)\s]+)\)", README)


def test_readme_links_exist():
    for target in links():
        url = urlparse(target)
        if url.scheme:
            continue
        assert (ROOT / url.path).exists(), target


def test_binder_badge_opens_the_course_index():
    binder = [t for t in links() if "mybinder.org/v2/" in t]
    assert binder, "no Binder link in the README"
    for target in binder:
        urlpath = parse_qs(urlparse(target).query)["urlpath"][0]
        assert urlpath == "lab/tree/course/00_index/00_index.ipynb"
        assert (ROOT / urlpath.removeprefix("lab/tree/")).exists()


def test_readme_shows_the_two_commands_first():
    commands = re.findall(r"^make (\w+)", README, flags=re.M)
    assert commands[:2] == ["lab", "test"]


def test_readme_engine_example_prints_what_it_says(capsys):
    """The README's example runs, and prints the text in its comments."""
    block = re.search(r"```python\n(.*?)```", README, flags=re.S).group(1)
    code = "\n".join(line.split("#")[0] for line in block.splitlines() if "help(" not in line)
    exec(code, {})
    printed = capsys.readouterr().out.splitlines()
    promised = [line.split("# ", 1)[1] for line in block.splitlines()
                if "# " in line and "help(" not in line]
    assert len(printed) == len(promised)
    for got, said in zip(printed, promised):
        assert re.fullmatch(re.escape(said.strip()).replace(r"0x\.\.\.", "0x[0-9a-f]+"), got.strip())
