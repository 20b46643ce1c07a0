"""The risk score's time holdout: no look into the future, a ranking better than chance, calibrated deciles."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit import DataError
from cxkit.survival import risk_deciles, risk_holdout

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def holdout(cx):
    return risk_holdout(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, horizon=90)


def test_holdout_scores_customers_active_at_its_start_and_records_who_left(cx, holdout):
    start = holdout.attrs["holdout_start"]
    assert start == cx.as_of - pd.Timedelta(days=90)
    c = cx.customers.set_index("customer_id")
    active = c[(c["signup_date"] <= start) & ~(c["churn_date"] <= start)]
    assert set(holdout["customer_id"]) == set(active.index)
    left = c.loc[holdout["customer_id"], "churn_date"].le(cx.as_of).to_numpy()
    assert (holdout["left"].to_numpy() == left).all()
    assert holdout["churn_probability"].between(0, 1).all() and holdout["days_observed"].between(0, 90).all()


def test_holdout_ranks_better_than_chance_and_is_calibrated_on_the_sample(holdout):
    assert 0.55 < holdout.attrs["concordance"] < 1
    deciles = risk_deciles(holdout)
    assert deciles["customers"].sum() == len(holdout) and deciles["left"].sum() == holdout["left"].sum()
    assert deciles["observed"].iloc[-1] > deciles["observed"].iloc[0]
    assert abs(holdout["churn_probability"].sum() / holdout["left"].sum() - 1) < 0.25
    assert ((deciles["ci_low"] <= deciles["observed"]) & (deciles["observed"] <= deciles["ci_high"])).all()


def test_what_happens_after_the_holdout_start_cannot_change_the_scores(cx, holdout):
    start = holdout.attrs["holdout_start"]
    later = cx.contacts["date"] > start
    changed = cx.contacts.copy()
    changed.loc[later, "resolved_first_contact"] = ~changed.loc[later, "resolved_first_contact"].astype(bool)
    again = risk_holdout(cx.customers, changed, cx.surveys, as_of=cx.as_of, horizon=90)
    assert np.allclose(again["churn_probability"], holdout["churn_probability"])


def test_holdout_needs_a_covariate_and_deciles_need_customers(cx):
    with pytest.raises(DataError, match="contacts or surveys"):
        risk_holdout(cx.customers, as_of=cx.as_of)
    with pytest.raises(DataError, match="cannot fill"):
        risk_deciles(pd.DataFrame({"churn_probability": [0.1, 0.2], "left": [True, False]}))
