"""Survival tables: one row per customer, counting-process episodes, lifetime counts, landmarks."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxkit import DataError
from cxkit.experience import bad_contacts
from cxkit.survival import (
    active_customers,
    episode_table,
    landmark_table,
    lifetime_counts,
    survival_table,
)
from cxkit.synth import generate

pytestmark = pytest.mark.filterwarnings("error")  # the notebooks fail on any warning

AS_OF = "2025-12-31"
LONG_WAIT = 10  # minutes, every channel
COUNTS = ["cum_contacts", "cum_unresolved", "cum_long_wait", "cum_bad_contacts"]


def _d(s: str | None) -> pd.Timestamp:
    return pd.Timestamp(s) if s else pd.NaT


@pytest.fixture
def small():
    """Six customers chosen to hit every rule (see the comments)."""
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E", "F"],
        "signup_date": [_d(x) for x in ["2025-01-01", "2025-12-01", "2025-06-01", "2025-12-31",
                                        "2025-03-01", "2026-02-01"]],
        "churn_date": [_d(x) for x in ["2025-02-10", None, "2025-06-01", None, "2025-03-11", None]],
        "plan": ["Club", "Plus", "Club", "Club", "Plus", "Club"],
    })
    # A: tenure 40, left. B: active, tenure 30. C: left on the sign-up day. D: signed up on
    # as_of (no time at risk). E: tenure 10, left. F: signed up after as_of.
    contacts = pd.DataFrame(
        [
            ("A", "2025-01-01", "chat", 1.0, False),  # day 0, unresolved
            ("A", "2025-01-11", "phone", 2.0, True),  # day 10, fine
            ("A", "2025-01-11", "phone", 3.0, False),  # day 10, unresolved (same day)
            ("A", "2025-01-21", "email", 30.0, True),  # day 20, long wait
            ("A", "2025-02-10", "chat", 1.0, False),  # day 40 = churn day: not counted for that churn
            ("B", "2025-12-31", "chat", 1.0, False),  # on as_of: no time at risk after it
            ("B", "2026-01-05", "chat", 1.0, False),  # after as_of: left out, reported
            ("C", "2025-06-01", "phone", 1.0, False),  # day 0 = churn day
            ("E", "2025-04-01", "chat", 1.0, False),  # after E left: left out, reported
        ],
        columns=["customer_id", "date", "channel", "wait_minutes", "resolved_first_contact"],
    ).assign(date=lambda d: pd.to_datetime(d["date"]))
    surveys = pd.DataFrame(
        [
            ("A", "2025-01-16", 2),  # day 15
            ("A", "2025-01-26", 4),  # day 25, two answers the same day: averaged (4.5)
            ("A", "2025-01-26", 5),
            ("A", "2025-02-10", 1),  # churn day
            ("B", "2025-12-11", None),  # CSAT not answered
            ("E", "2025-03-05", 3),  # day 4
        ],
        columns=["customer_id", "date", "csat"],
    ).assign(date=lambda d: pd.to_datetime(d["date"]), csat=lambda d: d["csat"].astype("Int64"))
    return customers, contacts, surveys


# --------------------------------------------------------------------------- survival_table


def test_survival_table_hand_example(small):
    customers, _, _ = small
    st = survival_table(customers, as_of=AS_OF, covariates=["plan"])
    expected = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E"],
        "tenure": np.array([40, 30, 0, 0, 10], dtype="int64"),
        "churned": [True, False, True, False, True],
        "plan": ["Club", "Plus", "Club", "Club", "Plus"],
    })
    pd.testing.assert_frame_equal(st, expected)
    assert st.attrs["exclusions"] == [
        {"table": "customers", "rule": "signed up after as_of", "n_rows": 1, "n_customers": 1}
    ]
    assert st.attrs["as_of"] == pd.Timestamp(AS_OF)


def test_survival_table_censors_a_churn_after_as_of_and_converts_units(small):
    customers, _, _ = small
    st = survival_table(customers, as_of="2025-02-01", unit="W")
    a = st.set_index("customer_id").loc["A"]
    assert not a["churned"] and a["tenure"] == pytest.approx(31 / 7)  # left on 10 Feb: not yet
    assert list(st["customer_id"]) == ["A"]  # everyone else signed up later
    assert st.attrs["exclusions"][0]["n_rows"] == 5


def test_survival_table_without_churn_column_means_all_active(small):
    customers, _, _ = small
    st = survival_table(customers.drop(columns="churn_date"), as_of=AS_OF)
    assert not st["churned"].any()
    assert st.set_index("customer_id").loc["A", "tenure"] == 364


def test_survival_table_rejects_impossible_rows(small):
    customers, _, _ = small
    bad = customers.copy()
    bad.loc[1, "churn_date"] = pd.Timestamp("2025-11-01")  # before B signed up
    with pytest.raises(DataError) as err:
        survival_table(bad, as_of=AS_OF)
    assert (err.value.table, err.value.column, err.value.n_rows) == ("customers", "churn_date", 1)
    assert "B" in str(err.value)
    with pytest.raises(DataError, match="unique"):
        survival_table(pd.concat([customers, customers.head(1)]), as_of=AS_OF)
    with pytest.raises(DataError, match="signed up after as_of") as err:
        survival_table(customers, as_of=AS_OF, signed_up_after="raise")
    assert err.value.n_rows == 1
    with pytest.raises(DataError, match="segment"):
        survival_table(customers, as_of=AS_OF, covariates=["segment"])
    with pytest.raises(DataError, match="as_of"):
        survival_table(customers, as_of=None)
    with pytest.raises(DataError, match="unit"):
        survival_table(customers, as_of=AS_OF, unit="Y")


def test_survival_table_on_the_sample(cx):
    st = survival_table(cx.customers, as_of=cx.as_of, covariates=["plan", "region"])
    c = cx.customers
    assert len(st) == 5000 and st["tenure"].dtype == "int64"
    assert st["churned"].tolist() == c["churn_date"].notna().tolist()
    end = c["churn_date"].fillna(cx.as_of)
    assert st["tenure"].tolist() == (end - c["signup_date"]).dt.days.tolist()
    assert st["churned"].mean() == pytest.approx(0.27, abs=0.02)


# --------------------------------------------------------------------------- episode_table


def test_episode_table_hand_example(small):
    customers, contacts, surveys = small
    ep = episode_table(customers, contacts, surveys, as_of=AS_OF, long_wait=LONG_WAIT, covariates="plan")
    rows = [
        # id, start, stop, event, contacts, unresolved, long wait, bad, latest csat, has csat
        ("A", 0, 10.0, False, 1, 1, 0, 1, 3.0, False),
        ("A", 10, 15.0, False, 3, 2, 0, 2, 3.0, False),
        ("A", 15, 20.0, False, 3, 2, 0, 2, 2.0, True),
        ("A", 20, 25.0, False, 4, 2, 1, 3, 2.0, True),
        ("A", 25, 40.0, True, 4, 2, 1, 3, 4.5, True),
        ("B", 0, 30.0, False, 0, 0, 0, 0, 3.0, False),
        ("C", 0, 0.5, True, 0, 0, 0, 0, 3.0, False),
        ("E", 0, 4.0, False, 0, 0, 0, 0, 3.0, False),
        ("E", 4, 10.0, True, 0, 0, 0, 0, 3.0, True),
    ]
    expected = pd.DataFrame(rows, columns=["customer_id", "start", "stop", "event", *COUNTS,
                                           "latest_csat", "has_csat"])
    expected["plan"] = ["Club"] * 5 + ["Plus", "Club", "Plus", "Plus"]
    expected = expected.astype({"start": "int64", **{c: "int64" for c in COUNTS}})
    pd.testing.assert_frame_equal(ep, expected)
    # the mean of every answer within follow-up: A's 2, 4, 5, 1 and E's 3
    assert ep.attrs["csat_fill"] == 3.0
    got = {(e["table"], e["rule"], e["n_rows"]) for e in ep.attrs["exclusions"]}
    assert got == {
        ("customers", "signed up after as_of", 1),
        ("contacts", "dated after as_of", 1),
        ("contacts", "dated after the customer left", 1),
        ("customers", "no time at risk (signed up on as_of)", 1),
    }


def test_episode_table_csat_fill_options(small):
    customers, _, surveys = small
    left_missing = episode_table(customers, None, surveys, as_of=AS_OF, csat_fill=None)
    assert left_missing["latest_csat"].isna().tolist() == (~left_missing["has_csat"]).tolist()
    fixed = episode_table(customers, None, surveys, as_of=AS_OF, csat_fill=0)
    assert (fixed.loc[~fixed["has_csat"], "latest_csat"] == 0).all()
    assert "cum_contacts" not in fixed  # no contacts table, no contact columns
    plain = episode_table(customers, as_of=AS_OF)
    assert list(plain.columns) == ["customer_id", "start", "stop", "event"]
    assert plain["event"].sum() == 3
    with pytest.raises(DataError, match="csat_fill"):
        episode_table(customers, None, surveys, as_of=AS_OF, csat_fill="median")


def test_episode_table_rejects_rows_that_break_the_contract(small):
    customers, contacts, surveys = small
    early = pd.concat([contacts, contacts.head(1).assign(date=pd.Timestamp("2024-12-01"))], ignore_index=True)
    with pytest.raises(DataError) as err:
        episode_table(customers, early, as_of=AS_OF, long_wait=LONG_WAIT)
    assert (err.value.table, err.value.column, err.value.n_rows) == ("contacts", "date", 1)
    stranger = pd.concat([contacts, contacts.head(1).assign(customer_id="Z")], ignore_index=True)
    with pytest.raises(DataError, match="not in customers") as err:
        episode_table(customers, stranger, as_of=AS_OF, long_wait=LONG_WAIT)
    assert err.value.column == "customer_id"
    with pytest.raises(DataError, match="csat"):
        episode_table(customers, None, surveys.drop(columns="csat"), as_of=AS_OF)
    with pytest.raises(DataError, match="channel"):
        episode_table(customers, contacts, as_of=AS_OF, long_wait={"chat": 5})
    with pytest.raises(DataError, match="reserved"):
        episode_table(customers, contacts, as_of=AS_OF, covariates=["cum_unresolved"])


def _reference_episodes(customers, contacts, surveys, as_of, long_wait):
    """A slow, obvious per-customer implementation of the documented rules."""
    as_of = pd.Timestamp(as_of)
    flagged = bad_contacts(contacts[contacts["date"] <= as_of], long_wait=long_wait)
    s = surveys[(surveys["date"] <= as_of) & surveys["csat"].notna()]
    rows = []
    for c in customers.itertuples():
        end = c.churn_date if pd.notna(c.churn_date) and c.churn_date <= as_of else as_of
        churned = pd.notna(c.churn_date) and c.churn_date <= as_of
        tenure = (end - c.signup_date).days
        if tenure == 0 and not churned:
            continue
        k = flagged[flagged["customer_id"] == c.customer_id]
        k_day = (k["date"] - c.signup_date).dt.days
        a = s[s["customer_id"] == c.customer_id]
        a_day = (a["date"] - c.signup_date).dt.days
        cuts = sorted({0, *[d for d in [*k_day, *a_day] if d < tenure]})
        for i, start in enumerate(cuts):
            stop = cuts[i + 1] if i + 1 < len(cuts) else (tenure if tenure > 0 else 0.5)
            known = k_day <= (start if tenure > 0 else -1)
            answered = a_day[a_day <= (start if tenure > 0 else -1)]
            csat = a.loc[a_day == answered.max(), "csat"].astype(float).mean() if len(answered) else np.nan
            rows.append((c.customer_id, start, float(stop), churned and i == len(cuts) - 1,
                         int(known.sum()), int(k["unresolved"][known].sum()), int(k["long_wait"][known].sum()),
                         int(k["bad"][known].sum()), csat))
    return pd.DataFrame(rows, columns=["customer_id", "start", "stop", "event", *COUNTS, "latest_csat"])


def test_episode_table_matches_a_per_customer_reference():
    g = generate(seed=11, n_customers=150)
    as_of = "2025-06-30"  # mid-window: churn dates after it, contacts after it
    customers = g["customers"][g["customers"]["signup_date"] <= as_of]
    waits = {"phone": 12.0, "chat": 4.0, "email": 400.0}
    got = episode_table(customers, g["contacts"], g["surveys"], as_of=as_of, long_wait=waits, csat_fill=None)
    want = _reference_episodes(customers, g["contacts"], g["surveys"], as_of, waits)
    assert len(want) > 300
    pd.testing.assert_frame_equal(got.drop(columns="has_csat"), want, check_dtype=False)


def test_episode_table_on_the_sample_is_consistent(cx):
    ep = episode_table(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of)
    st = survival_table(cx.customers, as_of=cx.as_of)
    assert (ep["stop"] > ep["start"]).all()
    first = ~ep["customer_id"].duplicated()
    last = ~ep["customer_id"].duplicated(keep="last")
    assert (ep.loc[first, "start"] == 0).all()
    assert (ep["start"].to_numpy()[~first.to_numpy()] == ep["stop"].to_numpy()[:-1][~first.to_numpy()[1:]]).all()
    assert ep["event"].sum() == st["churned"].sum() and not ep.loc[~last, "event"].any()
    time_at_risk = st["tenure"].where(st["tenure"] > 0, 0.5 * st["churned"]).sum()
    assert ep["stop"].sub(ep["start"]).sum() == pytest.approx(time_at_risk)
    assert (ep.groupby("customer_id")["cum_unresolved"].diff().dropna() >= 0).all()
    assert ep.attrs["exclusions"] == []


def test_episode_table_covers_a_large_company():
    """100,000 customers (about 380,000 episodes): every customer placed (the timing is in benchmarks/)."""
    g = generate(seed=3, n_customers=100_000)
    ep = episode_table(g["customers"], g["contacts"], g["surveys"], as_of="2025-12-31")
    assert ep["customer_id"].nunique() > 99_000


# --------------------------------------------------------------------------- lifetime, landmark, active


def test_lifetime_counts_count_every_contact_of_the_membership(small):
    customers, contacts, surveys = small
    lt = lifetime_counts(customers, contacts, surveys, as_of=AS_OF, long_wait=LONG_WAIT).set_index("customer_id")
    assert lt.loc["A", COUNTS].tolist() == [5, 3, 1, 4]  # the churn-day contact counts here
    assert lt.loc["A", "latest_csat"] == 1.0
    assert lt.loc["B", "cum_unresolved"] == 1 and lt.loc["C", "cum_unresolved"] == 1
    assert lt.loc["E", "cum_contacts"] == 0
    assert lt.loc["B", ["tenure", "churned"]].tolist() == [30, False]
    assert list(lt.index) == ["A", "B", "C", "D", "E"]


def test_landmark_table_hand_example(small):
    customers, contacts, surveys = small
    lm = landmark_table(customers, contacts, surveys, as_of=AS_OF, landmark_days=12, long_wait=LONG_WAIT)
    assert lm["customer_id"].tolist() == ["A", "B"]  # still members after day 12
    assert lm["duration"].tolist() == [28, 18] and lm["churned"].tolist() == [True, False]
    assert lm.loc[0, COUNTS].tolist() == [3, 2, 0, 2]  # contacts on days 0 and 10 only
    assert not lm.loc[0, "has_csat"]  # first answer on day 15
    capped = landmark_table(customers, contacts, as_of=AS_OF, landmark_days=12, horizon=20, long_wait=LONG_WAIT)
    assert capped["duration"].tolist() == [20, 18] and not capped["churned"].any()
    with pytest.raises(DataError, match="landmark_days"):
        landmark_table(customers, as_of=AS_OF, landmark_days=-1)


def test_active_customers_are_read_at_the_end_of_as_of(small):
    customers, contacts, surveys = small
    ac = active_customers(customers, contacts, surveys, as_of=AS_OF, long_wait=LONG_WAIT, covariates=["plan"])
    assert ac["customer_id"].tolist() == ["B", "D"]
    assert ac["tenure"].tolist() == [30, 0]
    assert ac["cum_unresolved"].tolist() == [1, 0]  # B's contact on as_of counts from now on
    assert ac["plan"].tolist() == ["Plus", "Club"]


def test_sample_churn_rates_show_the_trap(cx):
    """Raw churn is higher among customers with no unresolved contact: the immortal-time trap."""
    lt = lifetime_counts(cx.customers, cx.contacts, as_of=cx.as_of)
    rate = lt.groupby(lt["cum_unresolved"] > 0)["churned"].mean()
    assert rate[False] == pytest.approx(0.28, abs=0.02) and rate[True] == pytest.approx(0.23, abs=0.02)
