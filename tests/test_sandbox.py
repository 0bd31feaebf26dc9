"""The grading sandbox against a class of hostile students, graded in one run beside honest ones,
on a Dask cluster through its scheduler's address (`grade --scheduler`).

Each cheat hands in lesson 04 with a wrong answer to its first exercise and one trick in that
answer cell; the rest of the notebook is right. The tricks know the machine: absolute paths of the
repository, the solutions, the gradebook and the other students' files, and a port the test
listens on. Every trick is bounded, so a broken sandbox fails this test without harming the
machine (a few hundred sleeping processes for half a minute at most, 4 GiB at most).
"""

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import nbformat
import pytest

import graders
from grading import run
from grading.course import REPO, Course, environment
from grading.demo import fill
from grading.sandbox import Unavailable, require

from .dask_cluster import dask_cluster

LESSON = "04_accumulation"
MARKER = f"sandbox-test-{uuid.uuid4().hex}"
SITE = Path(nbformat.__file__).resolve().parents[1]  # the venv's site-packages
WRONG = "answer_three = torch.zeros(4)\n"
NO_CHECK = "lambda *args, **kwargs: None"
HANDOVER = "application/x-grading-handover+json"


def cheats(root, port):
    """{student: the trick, written into the first answer cell after a wrong answer}."""
    gradebook, other = root / "gradebook.db", root / "submitted" / "ctrl1" / LESSON / f"{LESSON}.ipynb"
    solutions = [REPO / "solutions" / LESSON / f"{LESSON}.ipynb",
                 Path(graders.__file__).parents[1] / "solutions" / LESSON / f"{LESSON}.ipynb"]
    return {
        # first, so that most submissions are graded after it, in both workers: a poisoned
        # kernel (backward a no-op) would cost them l04_seed, and the honest ctrl3 its marks
        "poison_next": "import os\n"
                       "startup = os.path.join(os.environ.get('IPYTHONDIR', os.path.expanduser("
                       "'~/.ipython')), 'profile_default', 'startup')\n"
                       "os.makedirs(startup, exist_ok=True)\n"
                       "open(os.path.join(startup, '00-poison.py'), 'w').write(\n"
                       "    'import torch\\ntorch.Tensor.backward = lambda *a, **k: None\\n')",
        # the warm parent and the keeper, seen in /proc: not readable, not traceable
        "parent": "import os\n"
                  "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
                  "    try:\n"
                  "        ns = [l for l in open(f'/proc/{pid}/status') if l.startswith('NSpid')]\n"
                  "    except OSError:\n        continue\n"
                  "    if ns and len(ns[0].split()) == 2:  # outside this submission's pid namespace\n"
                  "        for what in ('environ', 'mem', 'fd/0', 'fd/1', 'root/etc'):\n"
                  "            try:\n"
                  "                os.close(os.open(f'/proc/{pid}/{what}', os.O_RDONLY | os.O_NONBLOCK))\n"
                  "                print('PARENT-HIT', pid, what)\n"
                  "            except OSError:\n                pass",
        "globals": f'globals()["check_three_backwards"] = {NO_CHECK}',
        "exec": f'exec("check_three_backwards = {NO_CHECK}")',
        "frame": f'import sys\nsys._getframe().f_globals["check_three_backwards"] = {NO_CHECK}',
        "closure": f"check_three_backwards.__closure__[0].cell_contents = {NO_CHECK}",
        "transformer": "get_ipython().input_transformers_post.append(\n"
                       "    lambda lines: [] if any('check_three' in l for l in lines) else lines)",
        "forged": "from IPython.display import display\n"
                  "def forged(*args, **kwargs):\n"
                  f"    display({{'{HANDOVER}': {{'check': 'check_three_backwards', 'passed': True,"
                  " 'verdict': 'right'}}, raw=True)\n"
                  'globals()["check_three_backwards"] = forged',
        "key_import": "try:\n    import graders.answer_key.lesson04_accumulation as K\n"
                      "    answer_three = K.THREE.scenario(torch)\n    print('FOUND-KEY')\n"
                      "except Exception:\n    pass",
        "key_files": "import os, graders\nroot = os.path.dirname(graders.__file__)\n"
                     f"for top in (root, {str(REPO / 'graders')!r}):\n"
                     "    for folder, _, files in os.walk(top):\n"
                     "        for name in files:\n"
                     "            try:\n"
                     "                text = open(os.path.join(folder, name), 'rb').read()\n"
                     "            except OSError:\n                continue\n"
                     "            if b'_backward_k_times' in text or b'EXERCISES' in text:\n"
                     "                print('FOUND-KEY', name)",
        "key_in_memory": "import gc, sys\n"
                         "found = [m for m in sys.modules if 'answer_key' in m or 'catalogue' in m]\n"
                         "found += [o for o in gc.get_objects() if callable(o) and\n"
                         "          getattr(o, '__module__', '') and 'answer_key' in o.__module__]\n"
                         "for check in (check_three_backwards,):\n"
                         "    g = check.collect.__globals__\n"
                         "    found += [k for k in g if k in ('oracle', 'THREE', 'KEY', 'judge')]\n"
                         "if found:\n    print('FOUND-KEY', found[:3])",
        "verdict_forge": "import graders.checks as C\n"
                         "C.show = lambda verdict: None\n"
                         "import graders.handover as H\n"
                         "real = H.hand_over\n"
                         "H.hand_over = lambda record: real({**record, 'passed': True})",
        "solutions": "import json\n"
                     f"for path in {[str(p) for p in solutions]!r}:\n"
                     "    try:\n        cells = json.load(open(path))['cells']\n"
                     "    except OSError:\n        continue\n"
                     "    print('FOUND-SOLUTIONS')\n"
                     "    for cell in cells:\n"
                     "        if 'answer_three =' in ''.join(cell['source']):\n"
                     "            exec(''.join(cell['source']))",
        "write_repo": "import os, graders.lesson04_accumulation as L\n"
                      f"for path in [L.__file__ + '.pwned', {str(SITE / 'pwned.pth')!r},"
                      f" {str(REPO / 'pwned.txt')!r}]:\n"
                      "    try:\n        open(path, 'w').write('import os')\n"
                      "        print('WROTE', path)\n"
                      "    except OSError:\n        pass",
        "gradebook": "import os\n"
                     f"for attack in (lambda: open({str(gradebook)!r}, 'r+b').write(b'0' * 4096),\n"
                     f"               lambda: os.remove({str(gradebook)!r})):\n"
                     "    try:\n        attack(); print('GRADEBOOK-HIT')\n"
                     "    except OSError:\n        pass",
        "other_student": f"try:\n    print('READ-OTHER', len(open({str(other)!r}).read()))\n"
                         f"    open({str(other)!r}, 'w').write('{{}}')\n"
                         "except OSError:\n    pass",
        "process": "import subprocess, sys\n"
                   f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', "
                   f"'{MARKER}'], start_new_session=True)",
        "network": "import socket\ntry:\n"
                   f"    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'x')\n"
                   "    print('CONNECTED')\nexcept OSError:\n    pass",
        "memory": "try:\n    hog = bytearray(6 << 30)\nexcept MemoryError:\n"
                  "    print('MEMORY-LIMIT')",
        "memory_forks": "import os, time\nfor _ in range(8):\n    if os.fork() == 0:\n"
                        "        try:\n            hog = bytearray(384 << 20)\n"
                        "            time.sleep(30)\n        finally:\n            os._exit(0)\n"
                        "time.sleep(10)",
        "output": "while True:\n    print('x' * 1000)",
        "disk": "import errno\ntry:\n    for k in range(24):  # 1.2 GB, were there no bound\n"
                "        with open(f'filler{k}', 'wb') as f:\n"
                "            f.write(bytes(50 << 20))\n"
                "except OSError as error:\n"
                "    if error.errno == errno.ENOSPC:\n        print('DISK-LIMIT')",
        "fifo": "import os\nfor name in ('executed.ipynb', 'notebook.ipynb'):\n"
                "    if os.path.exists(name):\n        os.remove(name)\n    os.mkfifo(name)",
        # memory files in no process's size; sent down a socket and closed, in no open files
        "memfd": "import os\ntry:\n    os.memfd_create('hoard')\nexcept PermissionError:\n"
                 "    print('MEMFD-REFUSED')",
        # a process made not dumpable hides its memory and open files from a keeper without
        # capabilities where its memory was made
        "hidden": "import ctypes, os, time\nctypes.CDLL(None).prctl(4, 0, 0, 0, 0)\n"
                  "for _ in range(5):  # 3.2 GiB in all\n    if os.fork() == 0:\n"
                  "        hog = bytearray(640 << 20)\n        time.sleep(30)\n        os._exit(0)\n"
                  "time.sleep(10)",
        # the same memory in processes whose first thread ended: their own /proc shows none
        "leaderless": "import subprocess, sys, time\n"
                      "HOLD = '''import ctypes, os, threading, time\n"
                      "def hold():\n    time.sleep(1)  # the first thread gone by then\n"
                      "    hog = bytearray(640 << 20)\n    time.sleep(30)\n"
                      "threading.Thread(target=hold).start()\n"
                      "exit_ = {'x86_64': 60, 'aarch64': 93}[os.uname().machine]\n"
                      "ctypes.CDLL(None).syscall(exit_, 0)  # SYS_exit: this thread alone'''\n"
                      "for _ in range(5):  # 3.2 GiB in all\n"
                      "    subprocess.Popen([sys.executable, '-c', HOLD])\n"
                      "time.sleep(10)",
        "fork_bomb": "import os, time\nfor _ in range(300):\n    if os.fork() == 0:\n"
                     "        time.sleep(30)\n        os._exit(0)",
        "thread_bomb": "import threading, time\nthreading.stack_size(1 << 16)\n"
                       "for _ in range(5000):  # each costs the kernel's memory, in no size\n"
                       "    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()",
        # under the output limit in bytes, but minutes of nbgrader's time in JSON objects
        "json_bomb": "from IPython.display import display\n"
                     "display({'application/json': [[] for _ in range(1_900_000)]}, raw=True)",
        "socket_hoard": "import os, resource, socket, time\ntry:\n"
                        "    resource.setrlimit(resource.RLIMIT_NOFILE, (1 << 20, 1 << 20))\n"
                        "    print('RAISED-NOFILE')\nexcept (ValueError, OSError):\n    pass\n"
                        "for _ in range(8):  # kernel buffers behind every socket\n"
                        "    if os.fork() == 0:\n        held = []\n        try:\n"
                        "            while True:\n                held.extend(socket.socketpair())\n"
                        "        except OSError:\n            time.sleep(30)\n"
                        "        os._exit(0)\ntime.sleep(10)",
    }


HONEST = ["ctrl1", "ctrl2", "ctrl3"]  # ctrl3 is graded last, after every cheat
# honest students: every answer right, and one ordinary line more each (issue 19's and others)
EXTRAS = {
    "own_check": "check_total = float(answer_three.sum())\ndef check_mine(a):\n    return a.shape",
    "backend_flag": "torch.backends.cudnn.deterministic = True\ntorch.manual_seed(0)",
    "plot_settings": "import matplotlib as mpl\nmpl.rcParams['figure.dpi'] = 80",
    "eq_class": "class Pair:\n    def __init__(self, a):\n        self.a = a\n"
                "    def __eq__(self, other):\n        return self.a == other.a\n"
                "assert Pair(1) == Pair(1)",
    "line_magic": "%time _ = answer_three.sum()",
    "shell_line": "!echo checking",
    "print_options": "torch.set_printoptions(precision=2)\nprint(answer_three)",
    "warnings_off": "import warnings\nwarnings.filterwarnings('ignore')",
    "own_globals": "seen = dict(globals())\nnames = sorted(seen)[:3]",
    "pictures": "from graders.pictures import draw_graph\nimport matplotlib.pyplot as plt\nplt.close('all')",
    # a learner trying something big: 1 GB at its peak, as it runs in JupyterLab
    "big_tensor": "big = torch.randn(8000, 8000, requires_grad=True)\n(big * big).sum().backward()\n"
                  "del big",
    # HTML of the student's own, shown in formgrader to the instructor, logged in, and in feedback
    "html_output": "from IPython.display import HTML, display\n"
                   "display(HTML('<b>mine</b><img src=x onerror=alert(1)><script>alert(2)</script>'))",
    # d2l's live progress inside the function a check calls: it clears the check cell's outputs
    "live_plot": ("l04_separate_answer", """def separate_grads(w, losses):
    from IPython.display import clear_output
    grads = []
    for loss in losses:
        grads.append(torch.autograd.grad(loss(w), w)[0])
        clear_output(wait=True)
        print(f"{len(grads)} of {len(losses)} losses")
    return grads"""),
}
# students who asked to see an answer, their right answers kept: that exercise scores 0
REVEALS = {"capture_reveal": "%%capture shown\ncheck_three_backwards.reveal()"}
# a limit that ends the notebook there: the exercises after it score 0 too
KILLS_THE_KERNEL = {"output", "fork_bomb", "memory_forks", "hidden", "leaderless",
                    "thread_bomb", "socket_hoard"}
# every later hand-over is malformed; json_bomb: no output kept at all
BREAKS_LATER_CHECKS = KILLS_THE_KERNEL | {"verdict_forge", "json_bomb"}


def sandbox_or_skip():
    """Skip where the machine lacks a layer; where it has user namespaces, sealing must work."""
    try:
        require()
    except Unavailable as error:
        if error.missing == "nested user namespaces":
            raise
        pytest.skip(f"no sandbox on this machine: {error}")


def digest(*folders):
    """{path: sha256} of every file under the folders."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def survivors():
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if MARKER.encode() in (proc / "cmdline").read_bytes():
                found.append(proc.name)
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    sandbox_or_skip()
    os.environ.update(environment())
    root = tmp_path_factory.mktemp("hostile") / "course"
    course = Course.create_demo(root, timeout=30)
    if not course.api().generate_assignment(LESSON)["success"]:
        raise RuntimeError(f"generate_assignment {LESSON} failed")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    tricks = cheats(course.root, listener.getsockname()[1])
    release = course.directory("release") / LESSON / f"{LESSON}.ipynb"
    students = HONEST[:2] + list(tricks) + list(EXTRAS) + list(REVEALS) + HONEST[2:]
    for student in students:
        nb = fill(nbformat.read(release, as_version=4), "l04", "ada")
        cell = next(c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "l04_three_answer")
        if student in tricks:
            cell.source = WRONG + tricks[student]
        elif isinstance(EXTRAS.get(student), tuple):
            grade_id, source = EXTRAS[student]
            next(c for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id).source = source
        elif student in EXTRAS:
            cell.source += "\n" + EXTRAS[student]
        elif student in REVEALS:
            nb.cells.insert(nb.cells.index(cell), nbformat.v4.new_code_cell(REVEALS[student]))
        target = course.directory("submitted") / student / LESSON / release.name
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    watched = [REPO / "graders", REPO / "autograd_core", REPO / "solutions", REPO / "course",
               course.directory("submitted"), course.directory("release")]
    before = digest(*watched)
    limits = {"process_limit": 32, "output_limit": 1 << 20}
    # through --scheduler: a real `dask scheduler` and two `dask worker` processes, as on an
    # instructor's machines (the LocalCluster's own path is every other grading test's)
    with dask_cluster(tmp_path_factory.mktemp("cluster"), n_workers=2,
                      env=environment()) as cluster:
        outcomes = run.grade(course, [(s, LESSON) for s in students], scheduler=cluster.address,
                             log=lambda *a: None, limits=limits)
    after = digest(*watched)
    try:
        connection = listener.accept()[0]
        connection.close()
        connected = True
    except BlockingIOError:
        connected = False
    listener.close()
    yield course, {o.student: o for o in outcomes}, tricks, before, after, connected
    for path in (REPO / "pwned.txt", SITE / "pwned.pth",
                 Path(graders.__file__).parent / "lesson04_accumulation.py.pwned"):
        path.unlink(missing_ok=True)  # only if the sandbox failed


def scores(course, student):
    with course.gradebook() as gradebook:
        notebook = gradebook.find_submission(LESSON, student).notebooks[0]
        return {g.name: (g.score, g.max_score) for g in notebook.grades if g.cell.cell_type == "code"}


def outputs(course, student):
    path = course.directory("autograded") / student / LESSON / f"{LESSON}.ipynb"
    return "\n".join(str(o) for cell in nbformat.read(path, as_version=4).cells
                     for o in cell.get("outputs", []))


def test_honest_controls_keep_full_marks(attacked):
    course, outcomes, *_ = attacked
    for student in HONEST + list(EXTRAS):
        assert outcomes[student].graded and outcomes[student].sandboxed
        assert all(score == top for score, top in scores(course, student).values()), student
        assert all(v.passed for v in outcomes[student].verdicts), student
        assert outcomes[student].findings == [], (student, outcomes[student].findings)


@pytest.mark.parametrize("trick", list(cheats(Path("/x"), 1)))
def test_every_cheat_scores_zero_on_what_it_attacked(attacked, trick):
    course, outcomes, *_ = attacked
    outcome = outcomes[trick]
    assert outcome.graded, f"{trick}: {outcome.problem} {outcome.detail}"
    got = scores(course, trick)
    assert got["l04_three"][0] == 0, f"{trick} earned points with a wrong answer"
    if trick not in BREAKS_LATER_CHECKS:  # grading went on after the trick: right answers count
        assert got["l04_seed"] == (1, 1), trick
    assert not next(v for v in outcome.verdicts if v.grade_id == "l04_three").passed


def test_a_students_html_cannot_act_in_formgrader_or_feedback(attacked):
    """nbconvert's SanitizeHTML in the configured pipelines: what formgrader shows (the
    autograded notebook) and the feedback keep the student's HTML as text, never as code."""
    from grading.feedback import generate

    course, *_ = attacked
    shown = outputs(course, "html_output")
    assert "<b>mine</b>" in shown  # harmless markup stays
    assert "<script" not in shown and "<img" not in shown
    assert generate(course, LESSON, "html_output")["success"]
    page = (course.directory("feedback") / "html_output" / LESSON / f"{LESSON}.html").read_text()
    assert "mine" in page and "<script>alert" not in page and "<img src=x" not in page


def test_a_revealed_answer_scores_0_however_its_reveal_was_wrapped(attacked):
    course, outcomes, *_ = attacked
    for student in REVEALS:
        got = scores(course, student)
        assert got["l04_three"][0] == 0 and got["l04_seed"] == (1, 1), (student, got)
        verdict = next(v for v in outcomes[student].verdicts if v.grade_id == "l04_three")
        assert verdict.outcome == "revealed"


def _outside_private_tmp(text):
    """The output without writes that landed in the sandbox's own /tmp: a clone under /tmp has
    its path there, as scratch on the sandbox's private tmpfs (the host checks above see it)."""
    return re.sub(r"WROTE /tmp/[^\s'\\]*", "", text)


def test_nothing_outside_the_submission_was_seen_or_changed(attacked):
    course, outcomes, tricks, before, after, connected = attacked
    assert before == after, [p for p in before if before[p] != after.get(p)]
    assert not (REPO / "pwned.txt").exists() and not (SITE / "pwned.pth").exists()
    assert (course.root / "gradebook.db").exists()
    seen = {student: outputs(course, student) for student in tricks}
    for student, text in seen.items():
        for leak in ("FOUND-SOLUTIONS", "FOUND-KEY", "WROTE", "GRADEBOOK-HIT", "READ-OTHER",
                     "CONNECTED", "PARENT-HIT", "RAISED-NOFILE"):
            assert leak not in _outside_private_tmp(text), f"{student}: {leak}"
    assert not connected, "a submission connected to the host's loopback"
    assert "MEMORY-LIMIT" in seen["memory"]
    assert "DISK-LIMIT" in seen["disk"]
    assert "MEMFD-REFUSED" in seen["memfd"]


def test_no_process_survives_its_grading(attacked):
    assert survivors() == []


def test_the_limits_hit_are_fields_of_the_outcome(attacked):
    _, outcomes, *_ = attacked
    assert "output limit" in outcomes["output"].limits_hit
    assert "process limit" in outcomes["fork_bomb"].limits_hit
    assert "memory limit" in outcomes["memory_forks"].limits_hit
    assert "a process hid from the limits" in outcomes["hidden"].limits_hit
    assert "memory limit" in outcomes["leaderless"].limits_hit
    assert "thread limit" in outcomes["thread_bomb"].limits_hit
    assert "open file limit" in outcomes["socket_hoard"].limits_hit
    assert "output limit" in outcomes["json_bomb"].limits_hit
    assert outcomes["ctrl1"].limits_hit == []


def test_a_machine_without_bwrap_is_refused_clearly(monkeypatch):
    from grading import sandbox

    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    with pytest.raises(Unavailable, match="bubblewrap"):
        sandbox.require()


def test_a_machine_that_cannot_nest_namespaces_is_refused_clearly(monkeypatch):
    from grading import sandbox

    sandbox_or_skip()
    monkeypatch.setattr(sandbox, "_sealable", set())
    monkeypatch.setattr(sandbox, "_seals", lambda path: (False, "mount: Operation not permitted"))
    with pytest.raises(Unavailable, match="nested.*--unsafe") as refused:
        sandbox.require()
    assert refused.value.missing == "nested user namespaces"


def test_unsafe_grading_says_so_first(tmp_path):
    lines = []
    run.grade(Course(tmp_path), [], workers=1, log=lines.append, sandboxed=False)
    assert lines[0].startswith("UNSAFE")


def test_grade_refuses_without_the_sandbox_and_names_the_way_out(tmp_path):
    root = tmp_path / "course"
    Course.create_demo(root)
    (root / "submitted" / "ann" / LESSON).mkdir(parents=True)
    (root / "source" / LESSON).mkdir(parents=True, exist_ok=True)
    env = {**environment(), "PATH": str(Path(sys.executable).parent)}  # no bwrap on PATH
    if shutil.which("bwrap", path=env["PATH"]):
        pytest.skip("bwrap is in the venv's bin/")
    done = subprocess.run([sys.executable, "-m", "grading", "grade", "--root", str(root),
                           "--lessons", LESSON], capture_output=True, text=True, env=env,
                          cwd=REPO)
    assert done.returncode == 2 and "--unsafe" in done.stderr and "bwrap" in done.stderr


LEAVE = """\
import ctypes, os
left = []
for path in ('/dev/shm/left', '/dev/left', '/tmp/left', '/home/student/left'):
    try:
        open(path, 'w').write('poison')
        left.append(path)
    except OSError:
        pass
try:  # 128 MiB into /dev/shm: memory no process's size shows
    with open('/dev/shm/hog', 'wb') as f:
        f.write(bytes(128 << 20))
    left.append('128 MiB in /dev/shm')
except OSError:
    pass
if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) == 0:  # CLONE_NEWUSER
    left.append('a user namespace')
print(left)
"""
FIND = """\
import os
print([p for p in ('/dev/shm/left', '/dev/left', '/tmp/left', '/home/student/left')
       if os.path.exists(p)])
"""


def test_a_job_finds_nothing_an_earlier_job_left():
    """Two jobs in one warm sandbox, one after the other: what the first leaves, the second does
    not find; the first could not make a user namespace, nor fill /dev/shm past its bound."""
    from grading.sandbox import Limits, Sandbox

    sandbox_or_skip()
    warm = Sandbox(Limits())
    try:
        outputs = []
        for source in (LEAVE, FIND):
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
            with_outputs, problems, _ = warm.run(nb, Path(__file__).parent)
            assert problems == [], problems
            outputs.append(with_outputs.cells[0].outputs[0]["text"].strip())
    finally:
        warm.close()
    left, found = outputs
    assert left == "['/dev/shm/left', '/tmp/left', '/home/student/left']"  # /dev is read-only
    assert found == "[]"


def test_test_cells_run_as_the_gradebook_holds_them(attacked, tmp_path):
    """Whatever source comes back with a test cell, the trusted side runs the gradebook's."""
    from grading.sandbox import Limits, Sandbox
    from grading.verdicts import TrustedVerdicts

    course, *_ = attacked
    graded = course.directory("autograded") / "ctrl1" / LESSON  # its test cells as restored
    warm = Sandbox(Limits())
    try:
        nb, problems, _ = warm.run(nbformat.read(graded / f"{LESSON}.ipynb", as_version=4), graded)
    finally:
        warm.close()
    assert problems == []
    marker = tmp_path / "ran-in-the-grader"
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = f"open({str(marker)!r}, 'w').close()\n" + cell.source
    resources = {"nbgrader": {"db_url": course.db_url, "notebook": LESSON, "assignment": LESSON},
                 "sandbox": {"handed_over": nb.metadata.pop("sandbox")["handed_over"]}}
    scored, _ = TrustedVerdicts().preprocess(nb, resources)
    assert not marker.exists()
    assert all(v["passed"] for v in scored.metadata["grading"]["verdicts"])


ENDING = """
import os, time
for _ in range(20):  # children that end, each a zombie for a while before it is reaped
    child = os.fork()
    if child == 0:
        os._exit(0)
    time.sleep(0.1)
    os.waitpid(child, 0)
print("REAPED")
"""

AS_A_USER = """
import json, os, sys
from pathlib import Path
import nbformat
from grading.hub import Class, open_to_all
from grading.sandbox import Limits, Sandbox

open_to_all(Class(sys.argv[2]))  # the project's Python reachable by others, as on the hub
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
warm = Sandbox(Limits())
try:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(sys.argv[1])])
    done, problems, _ = warm.run(nb, Path(sys.argv[2]))
    print(json.dumps({"problems": problems, "outputs": done.cells[0].outputs}))
finally:
    warm.close()
"""


def test_a_process_that_ends_hides_nothing_when_a_user_grades():
    """Graded by a user who is not root (an instructor on a hub, or on their own machine): a
    student's process that has ended and waits to be reaped has given its memory back, and its
    /proc files then belong to root, which such a keeper cannot read -- that is no process
    hiding from the limits, and the honest notebook runs to its end."""
    sandbox_or_skip()
    if os.geteuid() != 0:
        pytest.skip("the test grades as another user: it needs root (CI runs the tests as root)")
    folder = Path(tempfile.mkdtemp(prefix="sandbox-user-"))
    try:
        folder.chmod(0o755)
        done = subprocess.run([sys.executable, "-c", AS_A_USER, ENDING, str(folder)],
                              cwd=folder, env={**environment(), "HOME": str(folder)},
                              capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["problems"] == [], result
    assert "REAPED" in result["outputs"][0]["text"]
