"""Shared fixtures: the bundled sample data and small hand-made tables."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

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
