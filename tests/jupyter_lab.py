"""JupyterLab on 127.0.0.1 and Debian's chromium, for the tests that drive a real browser."""

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# no background traffic: this machine's network is closed, and chromium retries forever
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(command, log_path, token, **popen):
    """Run a JupyterLab command (it gets --port and --ip appended); yield its URL once it answers."""
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen([*command, f"--port={port}", "--ip=127.0.0.1"],
                                  stdout=log, stderr=subprocess.STDOUT, **popen)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if server.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start:\n" + Path(log_path).read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


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
