"""The engine benchmark's baseline: an earlier revision of autograd_core, imported beside today's."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_engine  # noqa: E402

import autograd_core  # noqa: E402


def _has_revision(revision):
    return subprocess.run(["git", "cat-file", "-e", f"{revision}^{{commit}}"], cwd=ROOT,
                          capture_output=True).returncode == 0


@pytest.mark.skipif(not _has_revision("HEAD"), reason="not a git checkout: no revision to import")
def test_a_baseline_engine_runs_beside_todays(tmp_path):
    baseline = bench_engine.engine_at("HEAD", into=tmp_path)
    assert baseline is not autograd_core and baseline.__name__ == "autograd_core_HEAD"
    assert Path(baseline.__file__).is_relative_to(tmp_path)
    for engine in (baseline, autograd_core):
        assert bench_engine.blitz(engine).tolist() == [[4.5, 4.5], [4.5, 4.5]]
    with baseline.no_grad():  # two packages, two grad modes
        assert autograd_core.is_grad_enabled() and not baseline.is_grad_enabled()


def test_a_missing_revision_is_no_baseline_and_says_why(tmp_path, capsys):
    assert bench_engine.engine_at("no-such-revision", into=tmp_path) is None
    assert "no baseline: git archive no-such-revision failed" in capsys.readouterr().out
