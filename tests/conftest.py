"""Shared fixtures: the bundled sample data and small hand-made tables."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Property tests explore the same examples on every run (no flaky CI), without deadlines
# that a busy 2-core machine could miss. HYPOTHESIS_PROFILE=explore searches afresh.
settings.register_profile("repeatable", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample():
    """The sample company generated in memory with the default seed (tables + truth)."""
    from cxkit.synth import generate

    return generate()


@pytest.fixture(scope="session")
def cx(sample_dir):
    from cxkit.data import load_folder

    return load_folder(sample_dir)
