"""Every code cell of the learners' seed notebooks prints the same under both engines.

The seeds live beside the repository (`../shared/seeds`), on the course's CI machine only: on any
other clone these tests skip, saying where they looked.
"""

import re
from pathlib import Path

import pytest

from .engines import ADDRESS, ENGINES
from .replay import RandomSource, code_cells, run_cells

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
HELP_MEMBER = re.compile(r"^ \|  (\w+)", re.M)

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no learners' seed notebooks at {SEEDS}")


def test_the_seeds_are_all_here():
    assert len(SEED_FILES) >= 5, f"expected at least 5 seed notebooks in {SEEDS}"


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_replays_identically(seed):
    cells = code_cells(seed.read_text())
    assert cells, f"no code cells found in {seed.name}"
    outputs = {}
    for name, engine in ENGINES.items():
        module = RandomSource(seed=0).engine_view(engine)
        outputs[name] = [ADDRESS.sub("0x…", o) for o in run_cells(cells, module)]
    for cell, expected, got in zip(cells, outputs["torch"], outputs["autograd_core"]):
        if "help(" in cell:
            # torch's help lists C++ members; ours must list them too, and may teach more
            missing = set(HELP_MEMBER.findall(expected)) - set(HELP_MEMBER.findall(got))
            missing -= {"__call__"} if "__call__" in got else set()
            assert not missing, f"help() lacks {missing}"
            continue
        assert got == expected, f"cell:\n{cell}"
