"""A run that keeps to itself, and draws the same examples on every machine.

The run gets a home of its own before anything is imported (matplotlib reads its folder at
import): the person's Jupyter, IPython and matplotlib state (workspaces, settings, kernels,
nbsignatures.db, runtime files, caches) is never read nor written, and every process a test starts
inherits that home. See hermetic.py.

Hypothesis: the "repro" profile is derandomized (examples come from each test's own seed) and keeps
no example database, so nothing is written into the tree and a run never depends on an earlier one.
Explore with fresh random draws on purpose: HYPOTHESIS_PROFILE=explore python -m pytest tests/...
"""

import os
import shutil
import tempfile

import pytest
from hypothesis import settings

from .hermetic import own_state, without_personal

settings.register_profile("repro", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", database=None, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repro"))

RUN_HOME = pytest.StashKey[str]()


def pytest_configure(config):
    home = tempfile.mkdtemp(prefix="course-tests-home-")
    config.stash[RUN_HOME] = home
    environment = {**without_personal(os.environ), **own_state(home)}
    os.environ.clear()
    os.environ.update(environment)


def pytest_unconfigure(config):
    if RUN_HOME in config.stash:
        shutil.rmtree(config.stash[RUN_HOME], ignore_errors=True)
