"""A submission is files from a stranger: a hostile class of lesson 04 graded beside honest ones,
then collected from an LMS's zip and from nbgrader's exchange.

Each student of the class is one family of files a shared exchange or an upload lets a student
hand in: links (a notebook that is a link to a classmate's, links beside the notebook to the
classmate's notebook, the gradebook, submitted/ and the solutions by absolute path, a dangling
one, a submission folder that is a link), special files, a huge sparse file, 20,000 files, odd
names, a notebook over the size limit and one whose JSON would take gigabytes to read. Grading
must take only each student's own files, name what it left out (outcome, report, formgrader,
feedback), and cost no more than the honest submissions' time.
"""

import json
import os
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import nbformat
import pytest

from grading import run
from grading.collect import open_zip, pattern_of, plan
from grading.course import DEMO_COURSE_ID, REPO, Course, environment
from grading.demo import fill
from grading.files import BESIDE, Limits, copy_own
from grading.giveback import zip_feedback

from .test_instructor import in_process
from .test_sandbox import sandbox_or_skip

LESSON = "04_accumulation"
NOTEBOOK = f"{LESSON}.ipynb"
ANSWERS = ["l04_three_answer", "l04_seed_answer", "l04_separate_answer", "l04_average_answer",
           "l04_retain_answer"]
FULL = 7  # lesson 04's autograded points
BIN = Path(sys.executable).parent
ROOT = os.geteuid() == 0


def borrowing(sources):
    """Blank answers that run the answers of whatever notebook the sources reach."""
    helper = ("import json\n"
              "def borrow(gid):\n"
              f"    for source in {sources!r}:\n"
              "        try:\n"
              "            cells = json.load(open(source))['cells']\n"
              "        except Exception:\n"
              "            continue\n"
              "        print('REACHED', source)\n"
              "        return next(''.join(c['source']) for c in cells\n"
              "                    if c['metadata'].get('nbgrader', {}).get('grade_id') == gid)\n"
              "    return 'pass'\n"
              "try:\n"
              "    print('GRADEBOOK-READ', len(open('gradebook.db', 'rb').read()))\n"
              "except OSError:\n"
              "    pass\n")
    return {gid: (helper if k == 0 else "") + f"exec(borrow({gid!r}))"
            for k, gid in enumerate(ANSWERS)}


def notebook(release, student, answers=None, last=None):
    """Ada's right answers (or `answers` by grade id), and a last cell of `last`'s code."""
    nb = fill(nbformat.read(release, as_version=4), "l04", "ada")
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers and gid in answers:
            cell.source = answers[gid]
    if last:
        nb.cells.append(nbformat.v4.new_code_cell(last))
    return nb


LIST_HOME = "import os\nprint('HOME', sorted(os.listdir('.')))"


def make_class(course):
    """{student: what they handed in}, written into submitted/ as a hostile student would."""
    release = course.directory("release") / LESSON / NOTEBOOK
    submitted = course.directory("submitted")
    honest = submitted / "honest" / LESSON / NOTEBOOK
    gradebook = course.root / "gradebook.db"
    solutions = REPO / "solutions" / LESSON / NOTEBOOK

    def folder(student, nb=None):
        path = submitted / student / LESSON
        path.mkdir(parents=True)
        if nb is not None:
            nbformat.write(nb, path / NOTEBOOK)
        return path

    mine = folder("honest", notebook(release, "honest",
                                     last="print(open('notes/data.txt').read())"))
    (mine / "notes").mkdir()
    (mine / "notes" / "data.txt").write_text("HONEST-DATA")
    folder("honest2", notebook(release, "honest2"))

    # links: the notebook itself, relative and absolute; a whole submission folder
    os.symlink(os.path.relpath(honest, folder("link_notebook")), submitted / "link_notebook" /
               LESSON / NOTEBOOK)
    os.symlink(honest, folder("link_absolute") / NOTEBOOK)
    (submitted / "link_folder").mkdir()
    os.symlink(honest.parent, submitted / "link_folder" / LESSON)
    os.symlink(honest.parent.parent, submitted / "link_student")  # one folder up
    # links beside a blank notebook whose answers run what they reach
    links = folder("links", notebook(release, "links", borrowing(
        ["friend.json", f"everyone/honest/{LESSON}/{NOTEBOOK}", "solutions.json"])))
    os.symlink(os.path.relpath(honest, links), links / "friend.json")
    os.symlink(gradebook, links / "gradebook.db")
    os.symlink(submitted, links / "everyone")
    os.symlink(solutions, links / "solutions.json")
    os.symlink("nowhere/at/all", links / "dangling.txt")

    specials = folder("specials", notebook(release, "specials"))
    os.mkfifo(specials / "pipe")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(specials / "socket"))
    if ROOT:
        os.mknod(specials / "device", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null

    sparse = folder("sparse", notebook(release, "sparse", last=LIST_HOME))
    with open(sparse / "zeros.bin", "wb") as f:
        f.truncate(3 << 30)
    (sparse / "notes.txt").write_text("left out with the rest")

    many = folder("many", notebook(release, "many", last=LIST_HOME))
    for k in range(20_000):
        (many / f"f{k:05d}").write_bytes(b"x")

    odd = folder("odd_names", notebook(release, "odd_names", last=LIST_HOME))
    for name in ("new\nline.txt", "-rf", "x" * 255, "executed.ipynb", "gradebook.db"):
        (odd / name).write_text("mine")
    (odd / os.fsdecode(b"caf\xe9.txt")).write_text("latin-1")
    deep = odd / Path(*["d"] * 40)
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("deep")
    (odd / "sub").mkdir()
    (odd / "sub" / NOTEBOOK).write_text("{}")  # a notebook's name, one folder down

    big = notebook(release, "big_notebook")
    big.cells.append(nbformat.v4.new_markdown_cell("x" * 21_000_000))
    folder("big_notebook", big)
    bomb = notebook(release, "json_bomb")
    bomb.metadata["bomb"] = [{}] * 5_000_000  # 15 MB on disk, gigabytes in nbformat
    (folder("json_bomb") / NOTEBOOK).write_text(json.dumps(bomb, separators=(",", ":")))


HONEST = ["honest", "honest2"]
NOT_GRADED = {"link_notebook": "handed in a link, not a notebook",
              "link_absolute": "handed in a link, not a notebook",
              "link_folder": "submission folder refused: a link, not a folder",
              "link_student": "submission folder refused: a link, not a folder",
              "big_notebook": "handed in a notebook over the 20 MB limit",
              "json_bomb": "malformed notebook"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    sandbox_or_skip()
    os.environ.update(environment())
    course = Course.create_demo(tmp_path_factory.mktemp("files") / "course", timeout=30)
    if not course.api().generate_assignment(LESSON)["success"]:
        raise RuntimeError(f"generate_assignment {LESSON} failed")
    make_class(course)
    students = HONEST + [s.name for s in sorted(course.directory("submitted").iterdir())
                         if s.name not in HONEST]
    outcomes = run.grade(course, [(s, LESSON) for s in students], workers=2,
                         log=lambda *a: None)
    rows = run.report(course, log=lambda *a: None)
    feedback = tmp_path_factory.mktemp("giveback") / "feedback.zip"
    given = zip_feedback(course, LESSON, feedback, partial=True)  # written answers wait
    return course, {o.student: o for o in outcomes}, rows, feedback, given


def points(course, student):
    with course.gradebook() as gradebook:
        notebook = gradebook.find_submission(LESSON, student).notebooks[0]
        return sum(g.score for g in notebook.grades if g.cell.cell_type == "code")


def output(course, student):
    path = course.directory("autograded") / student / LESSON / NOTEBOOK
    return "\n".join(o.get("text", "") for cell in nbformat.read(path, as_version=4).cells
                     for o in cell.get("outputs", []))


def test_honest_students_keep_full_marks_and_their_own_files(hostile):
    course, outcomes, *_ = hostile
    for student in HONEST:
        assert outcomes[student].graded and outcomes[student].dropped == [], student
        assert points(course, student) == FULL
    assert "HONEST-DATA" in output(course, "honest")  # its own file beside the notebook came in


def test_a_notebook_or_folder_that_is_a_link_is_not_graded_and_says_so(hostile):
    course, outcomes, rows, *_ = hostile
    for student, problem in NOT_GRADED.items():
        outcome = outcomes[student]
        assert not outcome.graded and outcome.problem == problem, (student, outcome)
        assert not (course.directory("autograded") / student).exists(), student
        (row,) = [r for r in rows if r.student == student]
        assert row.score is None and row.status == f"not graded: {problem}"
    assert "more than 500,000 JSON objects" in outcomes["json_bomb"].detail


def test_links_beside_the_notebook_reach_nothing_and_earn_nothing(hostile):
    course, outcomes, *_ = hostile
    outcome = outcomes["links"]
    assert outcome.graded and points(course, "links") == 0
    assert {d.path for d in outcome.dropped} == {"friend.json", "gradebook.db", "everyone",
                                                 "solutions.json", "dangling.txt"}
    assert {d.reason for d in outcome.dropped} == {"a link, not a file"}
    seen = output(course, "links")
    assert "REACHED" not in seen and "GRADEBOOK-READ" not in seen


def test_nothing_outside_reaches_any_folder_of_a_student(hostile):
    course, *_ = hostile
    for step in ("autograded", "feedback"):
        for path in course.directory(step).rglob("*"):
            assert not path.is_symlink(), path
            assert path.is_dir() or path.is_file(), path
    assert sorted(p.name for p in (course.directory("autograded") / "links" / LESSON)
                  .iterdir()) == [NOTEBOOK]


def test_special_files_are_left_out_and_the_notebook_graded(hostile):
    course, outcomes, *_ = hostile
    outcome = outcomes["specials"]
    assert outcome.graded and points(course, "specials") == FULL
    reasons = {d.path: d.reason for d in outcome.dropped}
    assert reasons["pipe"] == "a FIFO (named pipe), not a file"
    assert reasons["socket"] == "a socket, not a file"
    if ROOT:
        assert reasons["device"] == "a device, not a file"


def test_past_a_limit_the_notebook_is_graded_alone_in_bounded_time(hostile):
    course, outcomes, *_ = hostile
    honest = max(outcomes[s].seconds for s in HONEST)
    for student, reason in (("sparse", "more than 50 MB beside the notebook (at zeros.bin"),
                            ("many", "more than 1,000 files beside the notebook")):
        outcome = outcomes[student]
        assert outcome.graded and points(course, student) == FULL, student
        (dropped,) = outcome.dropped
        assert dropped.path == BESIDE and dropped.reason.startswith(reason), dropped
        assert "HOME ['notebook.ipynb']" in output(course, student)  # nothing else came in
        assert outcome.seconds < honest + 20, (student, outcome.seconds, honest)


def test_odd_names_neither_crash_nor_overwrite(hostile):
    course, outcomes, *_ = hostile
    outcome = outcomes["odd_names"]
    assert outcome.graded and points(course, "odd_names") == FULL
    assert {d.path: d.reason for d in outcome.dropped} == {
        "caf\\xe9.txt": "its name is not UTF-8 (rename it)",
        "/".join(["d"] * 32): "a folder nested more than 32 deep"}
    home = output(course, "odd_names")
    for name in ("'-rf'", repr("new\nline.txt"), "'x" + "x" * 254 + "'", "'gradebook.db'"):
        assert name in home, name
    assert (course.directory("autograded") / "odd_names" / LESSON / "gradebook.db").read_text() \
        == "mine"


def test_what_was_left_out_is_named_to_the_instructor_and_the_student(hostile):
    course, outcomes, rows, feedback, given = hostile
    report = (course.root / "report" / "report.html").read_text()
    assert "Files left out of submissions" in report and "a FIFO (named pipe)" in report
    with course.gradebook() as gradebook:
        comment = gradebook.find_comment("l04_three_answer", LESSON, LESSON, "specials")
        assert "files left out: " in comment.manual_comment
        assert "pipe: a FIFO (named pipe), not a file" in comment.manual_comment
    assert "link_notebook" in given.students and "json_bomb" not in given.students
    with zipfile.ZipFile(feedback) as archive:
        specials = archive.read(f"specials_{LESSON}.html").decode()
        linked = archive.read(f"link_notebook_{LESSON}.html").decode()
    assert "it left out:" in specials and "a FIFO (named pipe), not a file" in specials
    assert "Score: 7.0" in specials
    assert "not graded" in linked and "You handed in a link, not a notebook" in linked


def test_copying_never_follows_a_link_swapped_in(tmp_path, monkeypatch):
    """A folder replaced by a link between the look and the open: still not followed."""
    from grading import files

    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "mine.txt").write_text("mine")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "theirs.txt").write_text("theirs")
    looked = files._Copier.entries

    def swap_after_look(self, folder):
        for name, info in looked(self, folder):
            if name == "sub":
                shutil.rmtree(source / "sub")
                os.symlink(tmp_path / "secret", source / "sub")
            yield name, info

    monkeypatch.setattr(files._Copier, "entries", swap_after_look)
    dropped = copy_own(source, tmp_path / "copy", Limits())
    assert [d.reason for d in dropped] == ["a link, not a folder"]
    assert not (tmp_path / "copy" / "sub").exists()


def test_copying_stops_at_the_deadline_and_leaves_nothing(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / NOTEBOOK).write_text("{}")
    with pytest.raises(TimeoutError, match="wall limit"):
        copy_own(source, tmp_path / "copy", Limits(), deadline=time.monotonic() - 1)
    assert not (tmp_path / "copy").exists()


def test_feedback_goes_out_only_as_files_of_its_own(tmp_path):
    """A page in feedback/ that is a link is never read into what is given back."""
    from grading.giveback import _pages

    course = Course.create_demo(tmp_path / "course")
    pages = course.directory("feedback") / "ada" / LESSON
    pages.mkdir(parents=True)
    os.symlink(course.root / "gradebook.db", pages / NOTEBOOK.replace(".ipynb", ".html"))
    with pytest.raises(ValueError, match="a link, not a file"):
        _pages(course, LESSON, "ada")


# -- an LMS's zip ------------------------------------------------------------------------------
def raw_zip(path, members):
    """A zip written byte by byte: (name bytes, stored bytes, method, crc, declared size,
    flag bits, Unix mode) per member -- what zipfile would not write: lies, bombs, links."""
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size, flags, mode in members:
        offset = len(out)
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, method, 0, 0x21, crc,
                           len(data), size, len(name), 0) + name + data
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, flags, method, 0,
                               0x21, crc, len(data), size, len(name), 0, 0, 0, 0, mode << 16,
                               offset) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central),
                      len(out), 0)
    path.write_bytes(bytes(out + central + end))


def zeros(n_mib):
    """(A deflate stream of n MiB of zeros, their CRC): one compressed MiB repeated (a few KB
    each, so 3 GiB fit in 3 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(n_mib):
        crc = zlib.crc32(bytes(1 << 20), crc)
    return block * n_mib + compressor.flush(), crc


def stored(name, data, flags=0x800, mode=0o100644):
    return (name.encode() if isinstance(name, str) else name, data, 0, zlib.crc32(data),
            len(data), flags, mode)


def canvas(student_id, name="lovelaceada"):
    return f"{name}_{student_id}_7{student_id}_{NOTEBOOK}"


@pytest.fixture(scope="module")
def lms_course(tmp_path_factory):
    os.environ.update(environment())
    course = Course.create_demo(tmp_path_factory.mktemp("lms") / "course", timeout=10)
    assert course.api().generate_assignment(LESSON)["success"]
    release = course.directory("release") / LESSON / NOTEBOOK
    return course, nbformat.writes(notebook(release, "ada")).encode()


def collect_measured(course, download):
    """`python -m grading collect --zip`, in a process of its own: (exit status, output, its
    peak memory in bytes)."""
    probe = ("import resource, subprocess, sys\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(done.returncode)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "print(done.stdout + done.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "grading",
                           "collect", "--root", str(course.root), "--zip", str(download)],
                          capture_output=True, text=True, env=environment(), timeout=300)
    status, peak, text = done.stdout.split("\n", 2)
    return int(status), text, int(peak) * 1024


def test_a_zip_bomb_and_hostile_members_are_skipped_with_reasons(lms_course, tmp_path):
    course, right = lms_course
    download = tmp_path / "download.zip"
    bomb, crc = zeros(3072)  # 3 GiB of zeros in 3 MB, declared as it is: an upload's
    raw_zip(download, [
        stored(canvas(1001), right),  # the one honest upload
        (canvas(1002).encode(), bomb, 8, crc, 3 << 30, 0x800, 0o100644),
        stored(canvas(1003), b"/etc/passwd", mode=0o120777),  # a link
        stored(canvas(1004), right),
        stored(canvas(1004), right),  # the same name twice
        stored(canvas(1005), right, flags=0x800 | 0x1),  # encrypted
        stored(canvas(1006, "m\xfcller").encode("latin-1"), right, flags=0),  # not UTF-8
        stored(canvas(1007, "new\nline"), right),
    ])
    status, text, peak = collect_measured(course, download)
    assert status == 1, text  # skipped files: said, not hidden
    assert "collected 1 notebooks" in text, text
    assert "declares 3,221.2 MB, over the 20 MB limit for a notebook" in text
    assert f"{canvas(1003)}: a link, not a file" in text
    assert f"{canvas(1004)}: 2 files of this name in the zip" in text
    assert f"{canvas(1005)}: encrypted" in text
    assert "its name is not UTF-8" in text
    assert "new\\nline_1007_71007_04_accumulation.ipynb: its name holds control characters" \
        in text
    assert peak < 400e6, f"collect took {peak / 1e6:.0f} MB"
    assert sorted(p.name for p in course.directory("submitted").iterdir()) == ["1001"]
    assert (course.directory("submitted") / "1001" / LESSON / NOTEBOOK).read_bytes() == right


def test_a_member_inflating_past_what_it_declares_refuses_the_zip(lms_course, tmp_path):
    course, right = lms_course
    download = tmp_path / "lying.zip"
    bomb, crc = zeros(3072)
    raw_zip(download, [stored(canvas(2001), right),  # 3 GiB that say they are 10 MB
                       (canvas(2002).encode(), bomb, 8, crc, 10_000_000, 0x800, 0o100644)])
    before = sorted(p.relative_to(course.root) for p in course.root.rglob("*"))
    status, text, peak = collect_measured(course, download)
    assert status == 2 and "is damaged" in text and "nothing was collected" in text, text
    assert peak < 400e6, f"collect took {peak / 1e6:.0f} MB"
    assert sorted(p.relative_to(course.root) for p in course.root.rglob("*")) == before


def test_a_zip_listing_more_files_than_a_class_is_refused_unread(lms_course, tmp_path):
    course, right = lms_course
    download = tmp_path / "long.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr(canvas(3001), right)
    data = bytearray(download.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    data[end + 8:end + 12] = struct.pack("<2H", 65535, 65535)  # it says: 65,535 members...
    data[end + 12:end + 16] = struct.pack("<L", 1 << 30)  # ...listed in 1 GiB
    download.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="lists 65,535 files"):
        open_zip(download)
    with pytest.raises(ValueError, match="nothing was collected"):
        plan(course, download, pattern_of("canvas"))


# -- nbgrader's exchange ----------------------------------------------------------------------
def grading_cli(capsys, *args):
    status, out, err = in_process(capsys, *args)
    return status, out + err


def released(tmp_path, capsys, check_owner=True):
    """A demo course with lesson 04 released to a fresh exchange everyone can reach."""
    course = Course.create_demo(tmp_path / "course", timeout=30)
    if not check_owner:
        with open(course.root / "nbgrader_config.py", "a") as f:
            f.write("c.ExchangeCollect.check_owner = False\n")
        course = Course(course.root)
    assert course.api().generate_assignment(LESSON)["success"]
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    status, text = grading_cli(capsys, "release", LESSON, "--root", course.root, "--exchange",
                               exchange)
    assert status == 0, text
    return course, exchange


def inbound(exchange, student, when):
    folder = exchange / DEMO_COURSE_ID / "inbound" / f"{student}+{LESSON}+{when}+x"
    folder.mkdir()
    return folder


def test_the_exchange_takes_only_a_students_own_files(tmp_path, capsys):
    """Collect from an inbound whose folders hold links, a FIFO and a sparse file, one that is
    a link itself, and one whose name says nothing: the student's own files come in, the rest is
    named (owners are left to the test with two users below)."""
    os.environ.update(environment())
    course, exchange = released(tmp_path, capsys, check_owner=False)
    release = course.directory("release") / LESSON / NOTEBOOK
    ada = inbound(exchange, "ada", "2026-01-01 10:00:00.000000 UTC")
    nbformat.write(notebook(release, "ada"), ada / NOTEBOOK)
    (ada / "timestamp.txt").write_text("2026-01-01 10:00:00.000000 UTC")
    (ada / "data.txt").write_text("mine")
    os.symlink(course.root / "gradebook.db", ada / "gradebook.db")
    os.symlink(course.root, ada / "course")
    os.mkfifo(ada / "pipe")
    with open(ada / "zeros.bin", "wb") as f:
        f.truncate(1 << 30)
    bob = inbound(exchange, "bob", "2026-01-01 10:00:00.000000 UTC")
    os.symlink(ada / NOTEBOOK, bob / NOTEBOOK)
    os.symlink(ada, exchange / DEMO_COURSE_ID / "inbound" /
               f"cy+{LESSON}+2026-01-01 10:00:00.000000 UTC+x")
    (exchange / DEMO_COURSE_ID / "inbound" / f"nobody+{LESSON}+yesterday").mkdir()
    status, text = grading_cli(capsys, "collect", LESSON, "--root", course.root, "--exchange",
                               exchange)
    assert status == 1, text  # something was not collected: said
    assert "collected 04_accumulation: 2 submissions" in text, text
    assert f"cy+{LESSON}+2026-01-01 10:00:00.000000 UTC+x: a link, not a folder" in text
    assert f"nobody+{LESSON}+yesterday: its name does not say who handed it in" in text
    assert "bob: left out 04_accumulation.ipynb: a link, not a notebook" in text
    mine = course.directory("submitted") / "ada" / LESSON
    assert sorted(p.name for p in mine.iterdir()) == [NOTEBOOK, "timestamp.txt"]
    assert "pipe: a FIFO (named pipe), not a file" in text and "(at zeros.bin" in text
    outcomes = run.grade(course, [("bob", LESSON)], workers=1, log=lambda *a: None,
                         sandboxed=False)  # nothing of bob's to run
    assert outcomes[0].problem == "handed in a link, not a notebook"


USERS = ("gr26ada", "gr26mal")


@pytest.fixture
def two_users():
    """Two real users of this machine, made for the test (it runs as root in CI)."""
    if not ROOT:
        pytest.skip("making two local users needs root (CI runs the tests as root)")
    if not shutil.which("useradd"):
        pytest.skip("no useradd on this machine")
    made = []
    for user in USERS:
        exists = subprocess.run(["id", user], capture_output=True).returncode == 0
        if not exists:
            subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
                           check=True, capture_output=True)
            made.append(user)
    try:
        yield USERS
    finally:
        for user in made:
            subprocess.run(["userdel", user], capture_output=True)


def test_a_submission_under_a_classmates_name_changes_nothing_of_their_grade(two_users, capsys):
    """gr26mal writes a blank lesson 04 into the inbound as gr26ada's, after gr26ada's own, as
    `nbgrader submit --student=gr26ada` would (each copy made by its user, with cp: the venv's
    Python may not be theirs to run): collect takes gr26ada's, names gr26mal as the owner of the
    other, and the grade is hers."""
    sandbox_or_skip()
    os.environ.update(environment())
    ada, mal = two_users
    shared = Path(tempfile.mkdtemp(prefix="grading-exchange-"))  # reachable by both users

    def as_user(user, *command):
        subprocess.run(command, user=user, group=user, extra_groups=[], check=True,
                       capture_output=True, timeout=60)

    try:
        shared.chmod(0o755)
        course, exchange = released(shared, capsys)
        release = course.directory("release") / LESSON / NOTEBOOK
        folders = {}
        for user, answers, when in ((ada, None, "2026-01-01 10:00:00.000000 UTC"),
                                    (mal, {g: "pass" for g in ANSWERS},
                                     "2026-01-01 11:00:00.000000 UTC")):
            mine = shared / "work" / user
            mine.mkdir(parents=True)
            nbformat.write(notebook(release, user, answers), mine / NOTEBOOK)
            (mine / "timestamp.txt").write_text(when)
            (mine / "submission_secret.txt").write_text(user)
            for path in (mine.parent, mine, *mine.iterdir()):
                path.chmod(0o755 if path.is_dir() else 0o644)
            handed = folders[user] = (exchange / DEMO_COURSE_ID / "inbound" /
                                      f"{ada}+{LESSON}+{when}+{user}")
            as_user(user, "cp", "-r", mine, handed)
            as_user(user, "chmod", "777", handed)  # as nbgrader submit leaves it
            assert handed.owner() == user
        # into ada's own folder, writable by all: a file of mal's
        as_user(mal, "cp", mine / "timestamp.txt", folders[ada] / "extra.py")
        status, text = grading_cli(capsys, "collect", LESSON, "--root", course.root,
                                   "--exchange", exchange)
        assert status == 1 and "collected 04_accumulation: 1 submissions" in text, text
        assert f"handed in as {ada}'s, but owned by {mal}, not by {ada}" in text
        assert f"extra.py: a file owned by {mal}, not by {ada}" in text
        taken = course.directory("submitted") / ada / LESSON
        assert (taken / "submission_secret.txt").read_text() == ada
        assert not (taken / "extra.py").exists()
        status, text = grading_cli(capsys, "grade", "--root", course.root, "--lessons", LESSON,
                                   "--workers", "1")
        assert status == 0, text
        with course.gradebook() as gradebook:
            notebook_grades = gradebook.find_submission(LESSON, ada).notebooks[0].grades
            assert sum(g.score for g in notebook_grades if g.cell.cell_type == "code") == FULL
    finally:
        shutil.rmtree(shared, ignore_errors=True)
