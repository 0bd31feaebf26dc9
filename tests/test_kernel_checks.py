"""The checks in a real kernel, as a student meets them: a check judges what is on the page, never
hangs, says "not answered yet" in one line, shows its verdict once, and nbgrader's Validate says
what the check said."""

import os
import re
import shutil
import time
from pathlib import Path
from queue import Empty

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbgrader.validator import Validator

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SETUP = ("import torch\nfrom graders.lesson04_accumulation import check_seed_002, "
         "check_separate_grads, check_three_backwards")


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """A fresh IPython kernel, with its own IPython and Jupyter folders."""
    for name in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code, interrupt_after=None, manager=None):
    """Execute code; return its outputs as (kind, text) pairs, text without ANSI colours."""
    msg_id = client.execute(code)
    outputs, start = [], time.monotonic()
    while True:
        if interrupt_after is not None and time.monotonic() - start > interrupt_after:
            manager.interrupt_kernel()
            interrupt_after = None
        try:
            msg = client.get_iopub_msg(timeout=0.2)
        except Empty:
            assert time.monotonic() - start < 120, "the kernel did not answer"
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            return outputs
        if kind == "stream":
            outputs.append(("stream", content["text"]))
        elif kind == "error":
            outputs.append(("error", ANSI.sub("", "\n".join(content["traceback"]))))
        elif kind in ("display_data", "execute_result"):
            outputs.append((kind, content["data"].get("text/plain", "")))


def test_a_stale_right_answer_never_passes(kernel):
    run(kernel, SETUP)
    run(kernel, "answer_seed = torch.full((2, 2), 5.0)")
    assert run(kernel, "check_seed_002(answer_seed)")[0][1].startswith("✓ Exercise 2: right")
    (broken,) = run(kernel, "answer_seed = torch.full((2, 2), 5.0) * undefined_factor")
    assert broken[0] == "error" and "NameError" in broken[1]
    (verdict,) = run(kernel, "check_seed_002(answer_seed)")
    assert verdict[0] == "error" and "fix the answer cell first" in verdict[1]
    assert "raised NameError" in verdict[1] and "✓" not in verdict[1]
    run(kernel, "answer_seed = torch.full((2, 2), 5.0)")
    assert run(kernel, "check_seed_002(answer_seed)")[0][1].startswith("✓")


def test_an_answer_never_defined_is_one_line(kernel):
    run(kernel, SETUP)
    (verdict,) = run(kernel, "check_seed_002(answer_seed)")
    assert verdict[0] == "error"
    assert verdict[1] == ("✗ Exercise 2: not answered yet — assign your answer to `answer_seed` "
                          "above and run that cell first.")
    (other,) = run(kernel, "print(undefined_name)")  # any other NameError is as usual
    assert "NameError" in other[1] and "undefined_name" in other[1]


def test_the_released_stub_is_not_answered_yet(kernel):
    run(kernel, SETUP)
    run(kernel, "def separate_grads(w, losses):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    (verdict,) = run(kernel, "check_separate_grads(separate_grads)")
    assert verdict[1].startswith("✗ Exercise 3: not answered yet — write the body of")
    run(kernel, "# YOUR CODE HERE\nraise NotImplementedError()")  # a predict answer's stub
    (verdict,) = run(kernel, "check_three_backwards(answer_three)")
    assert "not answered yet" in verdict[1] and "Traceback" not in verdict[1]


def test_a_wrong_answer_is_shown_once_with_its_diagnosis(kernel):
    run(kernel, SETUP)
    run(kernel, "answer_three = torch.ones(4)")
    outputs = run(kernel, "check_three_backwards(answer_three)")
    assert len(outputs) == 1 and outputs[0][0] == "error", outputs
    text = outputs[0][1]
    assert text.startswith("✗ Exercise 1: not yet")
    assert "This looks like: each backward() replaces .grad." in text
    assert "*" not in text and "File " not in text and "Traceback" not in text


def test_a_function_that_never_returns_is_stopped_with_its_own_frames(kernel):
    run(kernel, SETUP)
    run(kernel, "def separate_grads(w, losses):\n    while True:\n        pass")
    start = time.monotonic()
    (verdict,) = run(kernel, "check_separate_grads(separate_grads)")
    assert time.monotonic() - start < 30
    assert "did not return within" in verdict[1] and "while True" in verdict[1]
    assert "graders" not in verdict[1].replace("graders/answer_key", "")


def test_an_interrupt_shows_the_students_frames_not_the_graders(tmp_path, monkeypatch):
    for name in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        run(client, SETUP)
        run(client, "import time\ndef separate_grads(w, losses):\n    time.sleep(4)\n"
                    "    return []")
        outputs = run(client, "check_separate_grads(separate_grads)", interrupt_after=1,
                      manager=manager)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    text = "\n".join(t for _, t in outputs)
    assert "KeyboardInterrupt" in text and "separate_grads" in text
    assert "graders/" not in text, text


def test_validate_says_what_the_check_said(tmp_path):
    shutil.copytree(ROOT / "course" / "04_accumulation", tmp_path / "04_accumulation")
    path = tmp_path / "04_accumulation" / "04_accumulation.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "l04_three_answer":
            cell.source = "answer_three = torch.ones(4)"
    nbformat.write(nb, path)
    os.environ.setdefault("IPYTHONDIR", str(tmp_path / "ipython"))
    failed = Validator().validate(str(path))["failed"]
    errors = {cell["source"].splitlines()[-1]: cell["raw_error"] for cell in failed}
    three = ANSI.sub("", errors["check_three_backwards(answer_three)"])
    assert "This looks like: each backward() replaces .grad." in three
    assert "backward() adds its gradient into .grad" in three
    seed = ANSI.sub("", errors["check_seed_002(answer_seed)"])
    assert seed.startswith("✗ Exercise 2: not answered yet") and "Traceback" not in seed
