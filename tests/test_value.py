"""Value per customer and value segments."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import DataError
from cxkit.value import attach, customer_value, value_segments, value_tiers


def tx():
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c"],
        "date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01", "2025-06-01", "2025-12-01"]),
        "amount": [30.0, 10.0, -50.0, 5.0, 73.05],
    })


def test_customer_value_by_hand():
    v = customer_value(tx(), as_of="2025-12-31").set_index("customer_id")
    # a: 40 bought (two rows on one day = one purchase day), 50 refunded -> net 0, 10 excess
    assert v.loc["a", "purchase_days"] == 1
    assert v.loc["a", "net_spend"] == 0 and v.loc["a", "refund_excess"] == 10
    assert v.loc["b", "tenure_days"] == 213
    assert v.loc["b", "annual_spend"] == pytest.approx(5 / (213 / 365.25))
    # c bought 30 days ago: tenure is floored at 90 days before annualising
    assert v.loc["c", "annual_spend"] == pytest.approx(73.05 / (90 / 365.25))


def test_customers_table_adds_non_buyers_and_ends_tenure_at_churn():
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "signup_date": pd.to_datetime(["2024-12-01", "2025-06-01", "2025-11-01", "2025-01-01"]),
        "churn_date": pd.to_datetime([None, "2025-09-01", None, None]),
    })
    v = customer_value(tx(), customers, as_of="2025-12-31").set_index("customer_id")
    assert v.loc["d", "net_spend"] == 0 and v.loc["d", "purchase_days"] == 0
    assert v.loc["b", "tenure_days"] == 92
    assert v.loc["a", "tenure_days"] == 395


def test_customer_value_rejects_late_transactions():
    with pytest.raises(DataError, match="after as_of"):
        customer_value(tx(), as_of="2025-11-30")


def test_value_segments_with_ties_fill_every_segment():
    values = pd.Series([0.0] * 60 + list(range(40)))
    seg = value_segments(values, q=10)
    assert seg.value_counts().tolist() == [10] * 10
    assert seg.iloc[-1] == 10 and seg.iloc[0] == 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=10, max_size=200), st.integers(2, 10))
def test_value_segments_are_monotone_and_balanced(values, q):
    s = pd.Series(values)
    seg = value_segments(s, q=q)
    assert seg.min() == 1 and seg.max() == q
    counts = seg.value_counts()
    assert counts.max() - counts.min() <= 1
    order = np.argsort(s.to_numpy(), kind="stable")
    assert (np.diff(seg.to_numpy()[order]) >= 0).all()


def test_value_tiers_and_attach():
    assert value_tiers(pd.Series([10, 9]), q=10, top=2).tolist() == ["Top 20%", "Top 20%"]
    s = pd.DataFrame({"customer_id": ["a", "b", "a"], "csat": [5, 3, 4]})
    c = pd.DataFrame({"customer_id": ["a", "b"], "plan": ["Club", "Plus"]})
    out = attach(s, c, "plan")
    assert out["plan"].tolist() == ["Club", "Plus", "Club"] and len(out) == 3
    with pytest.raises(DataError, match="region"):
        attach(s, c, ["region"])


def test_revenue_share_sums_to_one_and_respects_the_window():
    from cxkit.value import revenue_share

    tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "amount": [10.0, -5.0, 30.0, 100.0],
                       "date": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-03-01", "2024-06-01"])})
    seg = pd.DataFrame({"customer_id": ["a", "b", "c"], "value_decile": [1, 2, 2]})
    out = revenue_share(tx, seg, start="2025-01-01", end="2025-12-31").set_index("value_decile")
    assert out["revenue"].tolist() == [5.0, 30.0]                 # c's 2024 purchase is outside the window
    assert out["share"].sum() == pytest.approx(1.0) and out.loc[2, "customers"] == 2


def test_top_decile_brings_a_large_share_of_sample_revenue(cx):
    from cxkit.value import revenue_share

    value = customer_value(cx.transactions, cx.customers, as_of=cx.as_of)
    value["value_decile"] = value_segments(value["annual_spend"])
    out = revenue_share(cx.transactions, value, start=cx.as_of - pd.DateOffset(months=12) + pd.Timedelta(days=1),
                        end=cx.as_of).set_index("value_decile")
    assert 0.35 < out.loc[10, "share"] < 0.5                     # about 42% on the sample
