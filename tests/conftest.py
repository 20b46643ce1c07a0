"""Shared fixtures: the bundled sample data and small hand-made tables."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
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

#: The slowest test files (Spark, the report runner, whole notebooks), longest first. On
#: parallel workers (``make test``: one file per worker at a time) they start first, so that
#: no worker is left with a long file while the other has finished.
SLOW_FIRST = ("test_log_customers.py", "test_board_report.py", "test_engines.py", "test_report.py",
              "04_board_report.ipynb", "test_report_command.py", "test_other_company_03.py",
              "test_other_company_01.py", "test_escaping.py", "test_time_zones.py", "test_large_logs.py",
              "test_training_student.py",
              "03_clv_segmentation.ipynb", "test_spark_guest.py", "test_money_cents.py", "test_other_company_02.py",
              "test_clv_sample.py", "test_synth.py", "01_churn_survival.ipynb", "test_other_company_00.py",
              "test_bridge_truth.py", "test_board.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow files first, longest first; every file keeps its own order (a notebook's cells run in turn)."""
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


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
    from cxkit import load_folder

    return load_folder(sample_dir)


# --- a company unlike the sample ---------------------------------------------------------------


@pytest.fixture(scope="session")
def kestrel_dir(tmp_path_factory) -> Path:
    """Kestrel Broadband's raw export: other truths, file and column names, no settings file."""
    from cxkit.synth import write_sample

    out = tmp_path_factory.mktemp("kestrel")
    write_sample(out, profile="kestrel")
    return out


@pytest.fixture(scope="session")
def kestrel_report(kestrel_dir, tmp_path_factory):
    """``kestrel_report("01")`` runs that notebook once on Kestrel and gives its
    :class:`cxkit.report.ReportResult` (the HTML report is ``result.files[0]``)."""
    from cxkit.report import run_reports
    from cxkit.synth import KESTREL_COLUMNS, KESTREL_FILES

    out = tmp_path_factory.mktemp("kestrel_reports")
    done: dict[str, object] = {}

    def run(number: str):
        if number not in done:
            done[number] = run_reports(kestrel_dir, out, notebooks=[number], columns=KESTREL_COLUMNS,
                                       files=KESTREL_FILES, parameters={"load_options": {"dayfirst": True}})[0]
        return done[number]

    return run


@pytest.fixture(scope="module")
def spark():
    """A local Spark session for one test module (tests that use it are marked ``needs_spark``)."""
    from cxkit.engines.spark import local_session

    session = local_session(cores=2, shuffle_partitions=2)
    yield session
    session.stop()


def value_and_satisfaction() -> tuple:
    """Six customers' value segments and spend, and their satisfaction (one never answered, one unknown).

    Small enough to check revenue at risk and its sentences by hand.
    """
    value = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "value_segment": [1, 1, 1, 2, 2, 2],
        "period_spend": [10.0, 30.0, 0.0, 200.0, 500.0, 260.0],
    })
    satisfaction = pd.DataFrame({
        "customer_id": ["a", "b", "d", "e", "f", "x"],
        "csat_mean": [4.5, 3.0, 1.0, 2.5, np.nan, 5.0],   # 2.5 rounds down to dissatisfied; f: no answer
    })
    return value, satisfaction
