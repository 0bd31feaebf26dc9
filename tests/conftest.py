"""Reproducible runs: `make test` and CI draw the same hypothesis examples on every machine.

The "repro" profile is derandomized (examples come from each test's own seed) and keeps no example
database, so nothing is written into the tree and a run never depends on an earlier one. Explore
with fresh random draws on purpose: HYPOTHESIS_PROFILE=explore python -m pytest tests/...
"""

import os

from hypothesis import settings

settings.register_profile("repro", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", database=None, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repro"))
