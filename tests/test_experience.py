"""Per-customer experience: satisfaction and bad contacts."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError
from cxkit.experience import (
    bad_contacts,
    bad_experience_band,
    customer_experience,
    satisfaction_level,
    value_by_experience,
)


def contacts():
    return pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "b"],
        "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-05", "2025-03-01", "2026-01-01"]),
        "channel": ["chat", "email", "chat", "chat", "email"],
        "wait_minutes": [1.0, 300.0, 12.0, 2.0, 10.0],
        "resolved_first_contact": [True, False, True, False, True],
    })


def test_long_wait_thresholds():
    per_channel = bad_contacts(contacts(), long_wait={"chat": 10, "email": 240})
    assert per_channel["long_wait"].tolist() == [False, True, True, False, False]
    assert per_channel["bad"].tolist() == [False, True, True, True, False]
    with pytest.raises(DataError, match="email"):
        bad_contacts(contacts(), long_wait={"chat": 10})
    # default: each channel's own 90th percentile
    default = bad_contacts(contacts())
    assert default.loc[default["channel"] == "chat", "wait_threshold"].iloc[0] == pytest.approx(
        pd.Series([1.0, 12.0, 2.0]).quantile(0.9))


def test_customer_experience_counts_and_as_of():
    surveys = pd.DataFrame({"customer_id": ["b", "b"], "date": pd.to_datetime(["2025-01-01", "2025-05-01"]),
                            "csat": [5, 2]})
    customers = pd.DataFrame({"customer_id": ["a", "b", "z"]})
    x = customer_experience(surveys, contacts(), customers=customers, as_of="2025-12-31",
                            long_wait={"chat": 10, "email": 240}).set_index("customer_id")
    assert x.loc["b", "n_contacts"] == 2  # the 2026 contact is after as_of
    assert x.loc["a", "n_unresolved"] == 1 and x.loc["a", "n_long_wait"] == 1 and x.loc["a", "n_bad_contacts"] == 1
    assert x.loc["b", "csat_mean"] == 3.5 and x.loc["b", "csat_last"] == 2
    assert x.loc["z", "n_contacts"] == 0 and pd.isna(x.loc["z", "csat_mean"])
    assert x.loc["a", "n_responses"] == 0


def test_bands():
    assert satisfaction_level(pd.Series([2.4, 2.6, 3.6])).tolist() == [
        "dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)"]
    assert bad_experience_band(pd.Series([0, 3, 4])).tolist() == ["0", "3+", "3+"]



def test_value_by_experience_groups_and_counts():
    from cxkit.experience import value_by_experience

    values = pd.DataFrame({"clv": [10.0, 20.0, 90.0, 40.0], "p_alive": [0.5, 0.7, 0.9, 0.1]},
                          index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
    exp = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "csat_mean": [4.5, 4.0, 1.5, None],
                        "n_bad_contacts": [0, 0, 5, 1]})
    out = value_by_experience(values, exp).set_index(["dimension", "group"])
    assert out.loc[("satisfaction_level", "satisfied (4-5)"), "mean_clv"] == 15.0
    assert out.loc[("satisfaction_level", "no survey"), "customers"] == 1
    assert out.loc[("bad_contacts", "3+"), "p_alive"] == 0.9
    assert out.groupby(level=0)["customers"].sum().tolist() == [4, 4]
    with pytest.raises(DataError, match="neither"):
        value_by_experience(values, exp[["customer_id"]])


def test_value_by_experience_gives_intervals_and_keeps_no_survey_off_the_scale():
    import numpy as np
    from scipy import stats

    v = pd.DataFrame({"clv": [10.0, 20.0, 30.0, 5.0, 7.0, 100.0]},
                     index=pd.Index(list("abcdef"), name="customer_id"))
    e = pd.DataFrame({"customer_id": list("abcdef"), "csat_mean": [4.5, 4.0, 5.0, 1.5, 2.0, None]})
    out = value_by_experience(v, e, alive_col=None).set_index("group")
    sat = out.loc["satisfied (4-5)"]
    half = stats.t.ppf(0.975, 2) * np.std([10, 20, 30], ddof=1) / np.sqrt(3)
    assert sat["ci_low"] == pytest.approx(20 - half) and sat["ci_high"] == pytest.approx(20 + half)
    assert bool(out.loc["no survey", "on_scale"]) is False and out["on_scale"].sum() == 2
