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


# --------------------------------------------------------------------------- among active customers


def _values_with_cancellations(seed=0, n=400):
    """Active customers worth the same whatever their satisfaction; the satisfied have cancelled
    far more often (59% against 37%), and a customer who has cancelled is worth 0."""
    import numpy as np

    rng = np.random.default_rng(seed)
    csat = np.r_[np.full(n, 1.5), np.full(n, 4.5)]
    gone = np.r_[rng.random(n) < 0.37, rng.random(n) < 0.59]
    clv = np.where(gone, 0.0, rng.gamma(2.0, 40.0, 2 * n))
    ids = pd.Index([f"c{i}" for i in range(2 * n)], name="customer_id")
    values = pd.DataFrame({"clv": clv, "p_alive": np.where(gone, 0.0, 0.8), "known_churned": gone}, index=ids)
    exp = pd.DataFrame({"customer_id": ids, "csat_mean": csat, "n_bad_contacts": rng.integers(0, 5, 2 * n)})
    return values, exp


def test_value_by_experience_compares_active_customers_and_says_so():
    values, exp = _values_with_cancellations()
    out = value_by_experience(values, exp)
    n_gone = int(values["known_churned"].sum())
    assert (out["population"] == "active customers").all()
    assert out.groupby("dimension")["customers"].sum().tolist() == [len(values) - n_gone] * 2
    assert out.attrs["n_cancelled"] == n_gone
    assert out.attrs["exclusions"] == [{"table": "values", "n_rows": n_gone, "n_customers": n_gone,
                                        "rule": "cancelled (known to have left): compared among active customers"}]
    sat = out[out["dimension"] == "satisfaction_level"].set_index("group")
    active = values[~values["known_churned"]].join(exp.set_index("customer_id"))
    assert sat.loc["satisfied (4-5)", "mean_clv"] == pytest.approx(active.loc[active["csat_mean"] > 4, "clv"].mean())
    assert sat["p_alive"].tolist() == pytest.approx([0.8, 0.8])
    # everyone: the satisfied look worth less only because more of them have left
    everyone = value_by_experience(values, exp, population="all")
    assert (everyone["population"] == "all customers, cancelled included").all() and not everyone.attrs["exclusions"]
    assert everyone.attrs["n_cancelled"] == n_gone
    assert everyone.groupby("dimension")["customers"].sum().tolist() == [len(values)] * 2
    # flags as a Series by customer id (known_cancellations), or not known at all
    by_series = value_by_experience(values.drop(columns="known_churned"), exp, cancelled=values["known_churned"])
    pd.testing.assert_frame_equal(by_series, out)
    unknown = value_by_experience(values.drop(columns="known_churned"), exp)
    assert (unknown["population"] == "all customers (cancellations not known)").all()
    with pytest.raises(DataError, match="population"):
        value_by_experience(values, exp, population="everyone")
    with pytest.raises(DataError, match="gone"):
        value_by_experience(values, exp, cancelled="gone")
    with pytest.raises(DataError, match="true/false") as err:
        value_by_experience(values.assign(known_churned="maybe"), exp)
    assert err.value.column == "known_churned" and err.value.n_rows == len(values)
    with pytest.raises(DataError, match="one row per customer"):
        value_by_experience(values, pd.concat([exp, exp.head(2)]))


def test_compare_value_by_experience_leaves_cancelled_customers_out():
    from cxkit.comparisons import compare_values
    from cxkit.experience import compare_value_by_experience

    values, exp = _values_with_cancellations()
    row = compare_value_by_experience(values, exp).iloc[0]
    assert row["population"] == "active customers"
    assert row["n_cancelled_left_out"] == values["known_churned"].sum()
    assert row["p_value"] > 0.05 and row["p_median"] > 0.05          # active customers: worth the same
    everyone = compare_value_by_experience(values, exp, population="all").iloc[0]
    assert everyone["mean_a"] > everyone["mean_b"] and everyone["p_value"] < 0.001  # "dissatisfied worth more"
    assert everyone["n_cancelled_left_out"] == 0
    # the same numbers as compare_values on the active customers by hand
    active = values[~values["known_churned"]].join(exp.set_index("customer_id"))
    active["level"] = satisfaction_level(active["csat_mean"])
    ref = compare_values(active, "clv", by="level", a="dissatisfied (1-2)", b="satisfied (4-5)").iloc[0]
    for col in ("n_a", "n_b", "mean_a", "mean_b", "p_value", "median_a", "median_b", "p_median"):
        assert row[col] == pytest.approx(ref[col])
    bad = compare_value_by_experience(values, exp, dimension="bad_contacts", a="0", b=None)
    assert bad["dimension"].iloc[0] == "bad_contacts" and bad["group_b"].iloc[0] == "everyone else"
    with pytest.raises(DataError, match="csat_mean"):
        compare_value_by_experience(values, exp.drop(columns="csat_mean"))
    with pytest.raises(DataError, match="at least 2 customers") as err:
        compare_value_by_experience(values, exp, a="neutral (3)")
    assert err.value.column == "satisfaction_level"
