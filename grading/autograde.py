"""Autograde a class on Dask: one task per submission, one warm sandbox per worker.

nbgrader autogrades one submission at a time (its issue #174). Most of the time goes into
running notebooks, which is independent per student, so each Dask worker runs nbgrader's own
autograde on the submissions it is given, start to end (grading/worker.py), in the warm sandbox
it keeps for its life (`GradingPlugin`). Dask does the rest: a LocalCluster of one worker per
core by default; an existing cluster across machines with `--scheduler` (`dask worker` by hand,
Slurm through dask-jobqueue, Kubernetes through dask-kubernetes), the gradebook then on
PostgreSQL; the load balanced; a submission whose worker is lost graded again by another; a
dashboard of the run.

Every submission is recorded exactly once: a task run again after its worker was lost grades
from scratch (nbgrader's autograde with force, the gradebook's rows updated, never added), and
the outcome's record is replaced whole (grading-status/).
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import dask
from distributed import Client, LocalCluster, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

DASHBOARD = "127.0.0.1:8787"  # the LocalCluster's (another free port if it is taken)
# a LocalCluster's own watching, slowed: every worker's profiler sampled the grading thread's
# stack every 10 ms (taking the GIL from it), and the nannies' memory and the system monitors
# ran every 0.1 and 0.5 s -- an idle cluster of 2 workers took 11 % of a core, now 6 %
QUIET = {"distributed.worker.profile.enabled": False,
         "distributed.worker.memory.monitor-interval": "1s",
         "distributed.admin.system-monitor.interval": "2s"}


class Refused(RuntimeError):
    """The run cannot start on this cluster: the message says why, and what to do."""


class GradingPlugin(WorkerPlugin):
    """A Dask worker's grading state for its life: the course (worker.init) and one warm sandbox.

    Its submissions are graded one after another in one thread of its own: the sandbox is tied to
    the thread that started it (bwrap --die-with-parent follows a thread, not a process), so that
    thread lives as long as the plugin does. grading's heavy imports (nbgrader, nbconvert) happen
    there too, never in the worker's event loop.
    """

    def __init__(self, root, db_url, timeout, sandboxed, limits=None):
        self.args = (root, db_url, timeout, sandboxed, limits)

    async def setup(self, worker):
        root = self.args[0]
        if not os.path.isfile(os.path.join(root, "nbgrader_config.py")):
            raise FileNotFoundError(
                f"no course at {root} on the worker {worker.address}: every worker needs the "
                "course directory at the same path (a shared file system)")
        self._stderr = os.dup(2)  # worker.init sends stderr to the course's grading.log
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="grading")
        await asyncio.wrap_future(self._thread.submit(_init, *self.args))

    def grade(self, job):
        """Grade one (student, assignment, ...) job here; returns its Outcome, never raises for
        what a student did."""
        return self._thread.submit(_grade_one, job).result()

    async def teardown(self, worker):
        await asyncio.wrap_future(self._thread.submit(_discard))
        self._thread.shutdown()
        os.dup2(self._stderr, 2)
        os.close(self._stderr)


def _init(root, db_url, timeout, sandboxed, limits):
    from . import sandbox, worker

    if sandboxed:
        sandbox.require()  # a worker on a machine without the sandbox refuses, saying why
    worker.init(root, db_url, timeout, sandboxed, limits)


def _grade_one(job):
    from .worker import grade_one

    return grade_one(*job)


def _discard():
    from .sandbox import discard

    discard()


def _grade(job, plugin):
    """The task: one submission, graded by this worker's plugin."""
    return get_worker().plugins[plugin].grade(job)


def grade_class(course, jobs, workers=None, scheduler=None, log=print, sandboxed=True,
                limits=None):
    """Grade each (student, assignment, ...) job start to end (grading/worker.py) on Dask.

    On a LocalCluster of `workers` processes (default: one per core), or on the cluster whose
    scheduler is at `scheduler`. Sandboxed unless told otherwise: then each worker's machine must
    have what the sandbox needs (grading.sandbox.Unavailable says what is missing). `limits`:
    {"SandboxedExecute.wall_limit" or another limit's trait: value}, over the course's config.
    Returns the outcomes in the jobs' order.
    """
    from .sandbox import Unavailable, require

    if not jobs:
        return []
    if sandboxed and scheduler is None:
        require()
    _ensure_gradebook(course, sorted({student for student, *_ in jobs}))
    outcomes, start = [], time.perf_counter()
    with _cluster(workers, scheduler) as client:
        hosts = set(client.run(socket.gethostname).values())
        if course.db_url.startswith("sqlite") and hosts - {socket.gethostname()}:
            raise Refused(f"workers on {len(hosts)} machines ({', '.join(sorted(hosts))}) "
                          "would share one gradebook: give a PostgreSQL one with --db-url "
                          "(SQLite's lock holds on one machine only)")
        name = f"grading:{course.root}"  # two courses graded on one cluster keep apart
        try:
            client.register_plugin(GradingPlugin(str(course.root), course.db_url,
                                                 course.config.Execute.get("timeout"), sandboxed,
                                                 limits), name=name)
        except Unavailable:
            raise
        except Exception as error:  # noqa: BLE001 -- said, with what the worker said
            raise Refused(f"a Dask worker could not set up for grading: {error}") from error
        try:
            log(f"on {len(client.scheduler_info()['workers'])} Dask workers at "
                f"{client.scheduler.address}; dashboard: {client.dashboard_link}")
            futures = {client.submit(_grade, job, name, pure=False, key=_key(job)): job
                       for job in jobs}
            for done, future in enumerate(as_completed(futures), 1):
                outcomes.append(_outcome(course, future, futures[future], sandboxed))
                _progress(log, done, len(jobs), outcomes[-1], start)
        finally:
            with contextlib.suppress(Exception):  # a lost cluster has nothing left to end
                client.unregister_worker_plugin(name)
    order = {tuple(job[:2]): k for k, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[(o.student, o.assignment)])


def _key(job):
    """The task's name on the dashboard. All a run's tasks make one task group ("grade", what
    Dask reads before the first word that is not a name): a large group is queued at the
    scheduler and handed to workers as they free up, where a student's own group (the name's
    words up to the random part) would be too small to queue on a cluster of many workers,
    and all their submissions would be dealt out at once, by guessed durations."""
    return f"grade-{os.urandom(4).hex()}-{job[0]}/{job[1]}"


@contextlib.contextmanager
def _cluster(workers, scheduler):
    """A client of the cluster at `scheduler`, or of a LocalCluster on 127.0.0.1 (ended after)."""
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="60s")
        except (OSError, ValueError) as error:
            raise Refused(f"no Dask scheduler at {scheduler}: {error}") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=120)
            except TimeoutError:
                raise Refused(f"the Dask scheduler at {scheduler} has no workers (start some: "
                              f"dask worker {scheduler} --nthreads 1)") from None
            yield client
        return
    with dask.config.set(QUIET), LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=DASHBOARD) as cluster:
        with Client(cluster) as client:
            yield client
        nannies = logging.getLogger("distributed.nanny")
        nannies.addFilter(_still_alive)
        try:
            cluster.close()
        finally:
            nannies.removeFilter(_still_alive)


def _still_alive(record):
    """A worker still exiting (a loaded machine takes seconds to end an interpreter that imported
    torch) is killed when the run is over: nothing is lost, nothing to say."""
    return "still alive after" not in record.getMessage()


def _outcome(course, future, job, sandboxed):
    """The task's Outcome; for a task Dask gave up on (its workers kept dying), one that says so,
    recorded here."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 -- the machines' failure, not the student's
        from .worker import Outcome

        outcome = Outcome(job[0], job[1], graded=False, seconds=0.0, sandboxed=sandboxed,
                                 problem="worker lost", detail=f"{type(error).__name__}: {error}")
        outcome.record(course)
        return outcome


def _ensure_gradebook(course, students):
    """Students in the gradebook before the workers start, so they never race to add them."""
    with course.gradebook() as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)


def _progress(log, done, total, outcome, start):
    mark = "✓" if outcome.status == "graded" else "!"
    log(f"  [{done:>3}/{total}] {mark} {outcome.student:<8} {outcome.assignment:<22} "
        f"{outcome.seconds:5.1f}s  {outcome.status if mark == '!' else ''}"
        f"   ({time.perf_counter() - start:.0f}s elapsed)")
