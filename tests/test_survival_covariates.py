"""Static covariates from the customers table, carried by every survival table into one model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter

from cxkit import DataError
from cxkit.data import load_folder
from cxkit.experience import bad_contacts
from cxkit.survival import (
    COVARIATE_WORDS,
    TimeVaryingCox,
    active_customers,
    attributable_churn,
    churn_risk,
    covariate_words,
    episode_table,
    exclusions,
    fit_cox,
    hazard_ratios,
    landmark_table,
    lifetime_counts,
    risk_holdout,
    risk_reasons,
    static_covariates,
    survival_table,
)

pytestmark = pytest.mark.filterwarnings("error")

AS_OF = "2025-12-31"


def _report(result) -> dict:
    return result.report.set_index("column").to_dict("index")


# --------------------------------------------------------------------------- the rules


@pytest.fixture
def traits():
    """Thirty customers whose columns each meet one rule."""
    n = 30
    return pd.DataFrame({
        "customer_id": [f"c{i:02d}" for i in range(n)],
        "signup_date": pd.Timestamp("2025-01-01"),
        "churn_date": pd.NaT,
        "plan": ["basic"] * 14 + ["premium"] * 12 + ["gold"] * 4,      # 3 levels, gold rare but alone
        "region": ["N"] * 13 + ["S"] * 13 + [None] * 4,                 # tie N/S; 4 missing -> a level
        "email": [f"u{i}@x.org" for i in range(n)],                     # an id in disguise
        "account": np.arange(1000, 1000 + n),                           # whole numbers, all different
        "support_minutes": [float(i % 7) for i in range(n - 1)] + [np.nan],  # numeric, one missing
        "vip": [True] * 5 + [False] * (n - 5),                          # two values
        "country": "UK",                                                # constant
        "notes": [None] * 20 + ["x"] * 10,                              # mostly missing
        "last_order": ["2025-03-0%d" % (1 + i % 9) for i in range(n)],  # dates as text
        "spend": [str(10.5 * i) for i in range(n)],                     # numbers stored as text
    })


def test_default_columns_and_the_reason_for_each(traits):
    s = static_covariates(traits, units={"support_minutes": "minute"})
    rep = _report(s)
    assert list(s.report["column"]) == [c for c in traits.columns if c != "customer_id"]
    used = {c for c, r in rep.items() if r["status"] == "used"}
    assert used == {"plan", "region", "support_minutes", "vip", "spend"}
    assert "a date" in rep["signup_date"]["reason"] and rep["churn_date"]["kind"] == "date"
    assert "looks like an id" in rep["email"]["reason"] and rep["email"]["kind"] == "id"
    assert "looks like an id" in rep["account"]["reason"]
    assert "one value only (UK)" in rep["country"]["reason"]
    assert "missing for 67% of customers" in rep["notes"]["reason"]
    assert "reads as dates" in rep["last_order"]["reason"]
    # reference: the most frequent level; a tie goes to the first in sorted order
    assert rep["plan"]["reference"] == "basic" and rep["region"]["reference"] == "N"
    assert "against 'basic' (the most frequent level)" in rep["plan"]["reason"]
    assert "4 customers without a value form the level 'missing'" in rep["region"]["reason"]
    assert "1 customer without a value left out" in rep["support_minutes"]["reason"]
    meaning = dict(zip(s.terms["covariate"], s.terms["meaning"], strict=True))
    assert meaning == {
        "plan_premium": "plan: premium (vs basic)",
        "plan_gold": "plan: gold (vs basic)",
        "region_S": "region: S (vs N)",
        "region_missing": "region: missing (vs N)",
        "support_minutes": "support_minutes (per minute)",
        "vip": "vip: True (vs False)",
        "spend": "spend (per unit)",
    }
    assert s.columns == list(meaning)


def test_design_values_and_the_missing_rule(traits):
    s = static_covariates(traits)
    d = s.design.set_index("customer_id")
    assert len(d) == len(traits) - 1 and "c29" not in d.index   # support_minutes missing: left out
    assert s.design.attrs["exclusions"] == [{"table": "customers", "rule": "support_minutes missing (a numeric "
                                             "covariate needs a value)", "n_rows": 1, "n_customers": 1}]
    assert d.loc["c00", ["plan_premium", "plan_gold", "region_S", "region_missing", "vip"]].tolist() == [0, 0, 0, 0, 1]
    assert d.loc["c27", ["plan_gold", "region_missing", "vip"]].tolist() == [1, 1, 0]
    assert d["spend"].tolist() == [10.5 * i for i in range(29)]
    assert {str(t) for t in s.design.dtypes[s.columns]} == {"int64", "float64"}
    assert all(c.isidentifier() for c in s.columns)  # safe for lifelines formulas


def test_options_reference_scale_pooling_and_levels(traits):
    s = static_covariates(traits, ["plan", "support_minutes"], reference={"plan": "premium"}, scale="sd")
    terms = s.terms.set_index("covariate")
    assert terms.loc["plan_basic", "meaning"] == "plan: basic (vs premium)"
    sd = traits["support_minutes"].std()
    assert terms.loc["support_minutes", "divisor"] == pytest.approx(sd)
    assert s.design["support_minutes"].tolist() == pytest.approx((traits["support_minutes"].dropna() / sd).tolist())
    assert "standard deviation" in terms.loc["support_minutes", "meaning"]
    per = static_covariates(traits, ["spend"], per={"spend": 100})
    assert per.terms.loc[0, "meaning"] == "spend (per 100 units)" and per.design["spend"].iloc[2] == pytest.approx(0.21)
    # levels held by fewer than min_level_size customers are pooled when two or more are
    pooled = static_covariates(traits.assign(plan=["basic"] * 20 + ["a"] * 3 + ["b"] * 3 + ["c"] * 4), ["plan"])
    assert pooled.terms["meaning"].tolist() == ["plan: other levels (vs basic)"]
    many = static_covariates(traits.assign(city=[f"t{i % 12}" for i in range(30)]), ["city"], min_level_size=1)
    assert "12 levels" in many.report.loc[0, "reason"] and many.report.loc[0, "status"] == "left out"


def test_bad_arguments_are_named(traits):
    with pytest.raises(DataError, match="cannot be static covariates"):
        static_covariates(traits, ["plan", "churn_date"])
    with pytest.raises(DataError, match="reference level 'platinum'"):
        static_covariates(traits, ["plan"], reference={"plan": "platinum"})
    with pytest.raises(DataError, match="missing"):
        static_covariates(traits, ["no_such_column"])
    with pytest.raises(DataError, match="max_missing"):
        static_covariates(traits, max_missing=20)


# --------------------------------------------------------------------------- into the tables


@pytest.fixture
def small():
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D"],
        "signup_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-01-01"]),
        "churn_date": pd.to_datetime(["2025-06-01", None, "2025-04-01", None]),
        "plan": ["basic", "premium", "basic", "basic"],
        "minutes": [1.0, 2.0, np.nan, 4.0],
    })
    contacts = pd.DataFrame({
        "customer_id": ["A", "A", "B", "C", "D"],
        "date": pd.to_datetime(["2025-01-11", "2025-02-01", "2025-03-01", "2025-03-05", "2026-02-01"]),
        "channel": "chat", "wait_minutes": [30.0, 1.0, 30.0, 1.0, 1.0],
        "resolved_first_contact": [False, False, True, False, True],
    })
    return customers, contacts


def test_static_columns_enter_every_table_and_uncovered_customers_are_reported(small):
    customers, contacts = small
    s = static_covariates(customers, min_level_size=1, max_missing=0.5)
    assert s.columns == ["plan_premium", "minutes"]
    ep = episode_table(customers, contacts, as_of=AS_OF, long_wait=10, static=s)
    assert list(ep.columns[-2:]) == s.columns and set(ep["customer_id"]) == {"A", "B", "D"}
    assert ep.loc[ep["customer_id"] == "B", "plan_premium"].eq(1).all()
    assert ep.loc[ep["customer_id"] == "A", "minutes"].eq(1.0).all()
    got = {(e["table"], e["rule"], e["n_rows"]) for e in ep.attrs["exclusions"]}
    assert got == {
        ("customers", "no value in the static covariates (see the static covariates' report)", 1),
        ("contacts", "customer left out: no value in the static covariates (see the static covariates' report)", 1),
        ("contacts", "dated after as_of", 1),
    }
    # the same customers and static values in every table, the design frame alone accepted too
    for table in (survival_table(customers, as_of=AS_OF, static=s.design),
                  lifetime_counts(customers, contacts, as_of=AS_OF, long_wait=10, static=s),
                  active_customers(customers, contacts, as_of=AS_OF, long_wait=10, static=s),
                  landmark_table(customers, contacts, as_of=AS_OF, long_wait=10, landmark_days=10, static=s)):
        assert "C" not in set(table["customer_id"])
        merged = table.merge(s.design, on="customer_id", suffixes=("", "_design"))
        assert (merged["minutes"] == merged["minutes_design"]).all()
    # without static= the numbers are those of before
    plain = episode_table(customers, contacts, as_of=AS_OF, long_wait=10)
    kept = plain[plain["customer_id"] != "C"].reset_index(drop=True)
    pd.testing.assert_frame_equal(ep.drop(columns=s.columns), kept)


def test_static_contacts_of_left_out_customers_still_set_the_long_wait_threshold(small):
    customers, contacts = small
    s = static_covariates(customers, min_level_size=1, max_missing=0.5)
    with_static = episode_table(customers, contacts, as_of=AS_OF, static=s)  # channel's 90th percentile
    plain = episode_table(customers, contacts, as_of=AS_OF)
    kept = plain[plain["customer_id"] != "C"].reset_index(drop=True)
    pd.testing.assert_frame_equal(with_static.drop(columns=s.columns), kept)


def test_bad_static_frames_are_named(small):
    customers, contacts = small
    with pytest.raises(DataError, match="one row per customer"):
        episode_table(customers, as_of=AS_OF, static=pd.DataFrame({"customer_id": ["A", "A"], "x": [1, 2]}))
    with pytest.raises(DataError, match="finite numbers"):
        episode_table(customers, as_of=AS_OF, static=pd.DataFrame({"customer_id": ["A"], "x": [np.nan]}))
    with pytest.raises(DataError, match="may not be named"):
        episode_table(customers, as_of=AS_OF, static=pd.DataFrame({"customer_id": ["A"], "event": [1]}))
    with pytest.raises(DataError, match="customer_id"):
        survival_table(customers, as_of=AS_OF, static=pd.DataFrame({"id": ["A"], "x": [1]}))


# --------------------------------------------------------------------------- one count of bad contacts


def test_a_contact_both_unresolved_and_long_counts_once_as_bad(small):
    customers, contacts = small
    # A's first contact is unresolved AND long; B's is long only; C's unresolved only
    for t in (episode_table(customers, contacts, as_of=AS_OF, long_wait=10).groupby("customer_id").last(),
              landmark_table(customers, contacts, as_of=AS_OF, long_wait=10, landmark_days=60).set_index(
                  "customer_id"),
              lifetime_counts(customers, contacts, as_of=AS_OF, long_wait=10).set_index("customer_id")):
        a = t.loc["A"]
        assert (a["cum_unresolved"], a["cum_long_wait"], a["cum_bad_contacts"]) == (2, 1, 2)


def test_bad_contact_count_is_the_experience_definition(cx):
    lc = lifetime_counts(cx.customers, cx.contacts, as_of=cx.as_of).set_index("customer_id")
    flagged = bad_contacts(cx.contacts[cx.contacts["date"] <= cx.as_of])
    churn = cx.customers.set_index("customer_id")["churn_date"]
    within = flagged["date"] <= flagged["customer_id"].map(churn).fillna(cx.as_of)
    want = flagged[within].groupby("customer_id")["bad"].sum().reindex(lc.index, fill_value=0)
    assert (lc["cum_bad_contacts"] == want).all()
    both = lc["cum_unresolved"] + lc["cum_long_wait"] - lc["cum_bad_contacts"]  # counted in both kinds
    assert (both >= 0).all() and both.sum() > 0


# --------------------------------------------------------------------------- one model, static + time-varying


@pytest.fixture(scope="module")
def combined(cx):
    s = static_covariates(cx.customers)
    ep = episode_table(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, static=s)
    cols = ["cum_bad_contacts", "latest_csat", "has_csat", *s.columns]
    return s, ep, cols


def test_static_plus_time_varying_model_equals_lifelines(combined):
    s, ep, cols = combined
    assert s.columns == ["plan_Club_Plus", "region_East", "region_South", "region_West", "channel_Online",
                         "channel_Omnichannel"]
    ours = TimeVaryingCox().fit(ep, "event", id_col="customer_id", columns=cols)
    theirs = CoxTimeVaryingFitter().fit(ep[["customer_id", "start", "stop", "event", *cols]], id_col="customer_id",
                                        event_col="event")
    np.testing.assert_allclose(ours.params_.to_numpy(), theirs.params_.to_numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.standard_errors_.to_numpy(), theirs.standard_errors_.to_numpy(), rtol=1e-6)
    hr = hazard_ratios(theirs).set_index("covariate")
    assert hr.loc["cum_bad_contacts", "ci_low"] > 1 and hr.loc["latest_csat", "ci_high"] < 1
    assert (hr.loc[s.columns, "ci_low"] < 1).all() and (hr.loc[s.columns, "ci_high"] > 1).all()  # no planted trait


def test_risk_and_attributable_churn_with_static_columns_and_one_exposure(cx, combined):
    s, ep, cols = combined
    model = TimeVaryingCox().fit(ep, "event", id_col="customer_id", columns=cols)
    active = active_customers(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, static=s)
    risk = churn_risk(model, active, horizon=90)
    assert risk["churn_probability"].between(0, 1).all() and len(risk) == len(active)
    one = attributable_churn(model, active, exposures="cum_bad_contacts", n_boot=200, random_state=1).iloc[0]
    default = attributable_churn(model, active, n_boot=200, random_state=1).iloc[0]
    assert one["attributable_share"] == pytest.approx(default["attributable_share"])  # other counts not in the model
    assert 0 < one["ci_low"] < one["attributable_share"] < one["ci_high"] < 1
    reasons = risk_reasons(active.head(50), counts="cum_bad_contacts")
    assert reasons[active.head(50)["cum_bad_contacts"] > 0].str.contains("bad contact").all()


def test_holdout_with_static_columns_only(cx, combined):
    s, _, _ = combined
    only_static = risk_holdout(cx.customers, as_of=cx.as_of, static=s)  # customers table alone
    assert only_static.attrs["columns"] == s.columns and only_static["churn_probability"].between(0, 1).all()


# --------------------------------------------------------------------------- customers only


def test_customers_only_table_gets_hazard_ratios_and_a_risk_list(tmp_path):
    rng = np.random.default_rng(3)
    n = 1500
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.5, 0.3, 0.2])
    charges = rng.uniform(20, 110, n).round(2)
    rate = 0.02 * np.where(contract == "Month-to-month", 3.0, 1.0) * np.exp(0.01 * (charges - 60))
    leaves, joined_ago = rng.exponential(1 / rate), rng.uniform(1, 72, n)  # months
    months = np.minimum(leaves, joined_ago).round().clip(1)
    pd.DataFrame({"customerID": [f"T{i}" for i in range(n)], "tenure": months.astype(int),
                  "Churn": np.where(leaves < joined_ago, "Yes", "No"), "Contract": contract, "MonthlyCharges": charges,
                  "gender": rng.choice(["Female", "Male"], n)}).to_csv(tmp_path / "customers.csv", index=False)
    cx = load_folder(tmp_path, columns={"customerID": "customer_id", "Churn": "churned"}, tenure_unit="months")
    s = static_covariates(cx.customers, per={"MonthlyCharges": 10})
    assert s.report.set_index("column").loc[["tenure", "churned", "tenure_days"], "kind"].eq("outcome").all()
    st = survival_table(cx.customers, as_of=None, static=s)
    model = fit_cox(st, s.columns)
    hr = hazard_ratios(model).set_index("covariate")
    assert hr.loc["Contract_One_year", "ci_high"] < 0.5 and hr.loc["MonthlyCharges", "ci_low"] > 1
    active = active_customers(cx.customers, as_of=None, static=s)
    assert active["tenure"].tolist() == st.loc[~st["churned"], "tenure"].tolist()
    risk = churn_risk(model, active, horizon=90)
    assert not risk["extrapolated"].head(5).any()
    # the same as lifelines' conditional survival at each customer's tenure
    surv = model.predict_survival_function(active.head(5), times=[90], conditional_after=active["tenure"].head(5))
    np.testing.assert_allclose(risk["churn_probability"].head(5), 1 - surv.to_numpy()[0], rtol=1e-9)
    with pytest.raises(DataError, match="need sign-up dates"):
        active_customers(cx.customers, cx.customers, as_of=None)


def test_an_indicator_whose_customers_never_left_stops_with_a_message():
    t = pd.DataFrame({"tenure": [5, 6, 7, 8, 9, 10], "churned": [True, False, True, False, False, True],
                      "x": [0, 1, 0, 1, 0, 0]})
    with pytest.raises(DataError, match="no customer with x = 1 has left"):
        fit_cox(t, ["x"])
    assert isinstance(fit_cox(t.assign(x=[0, 1, 1, 1, 0, 0]), ["x"]), CoxPHFitter)


# --------------------------------------------------------------------------- words and exclusions


def test_covariate_words(traits):
    s = static_covariates(traits)
    words = covariate_words(["cum_bad_contacts", "cum_unresolved", "latest_csat", "plan_premium", "other"], s)
    assert words == {"cum_bad_contacts": "Each bad contact (unresolved or a long wait)",
                     "cum_unresolved": "Each contact not resolved at first contact",
                     "latest_csat": "Each point of the latest CSAT answer (1-5)",
                     "plan_premium": "plan: premium (vs basic)", "other": "other"}
    assert covariate_words(["region_S"], s.terms) == {"region_S": "region: S (vs N)"}
    assert set(COVARIATE_WORDS) >= {"cum_contacts", "cum_long_wait", "has_csat"}


def test_exclusions_read_as_load_report_rows(small, cx):
    customers, contacts = small
    surveys = pd.DataFrame({"customer_id": ["A", "A", "B"], "date": pd.to_datetime(["2025-02-01", "2025-07-01",
                                                                                    "2025-03-01"]),
                            "csat": [4, 5, None]})
    ep = episode_table(customers, contacts, surveys, as_of=AS_OF, long_wait=10)
    rows = exclusions(ep)
    assert list(rows.columns) == list(cx.load_report().columns)
    by_rule = rows.set_index("rule")
    assert by_rule.loc["dated after as_of", "example lines"] == "D (2026-02-01)"
    assert by_rule.loc["dated after the customer left", ["table", "rows", "example lines"]].tolist() == [
        "surveys", 1, "A (2025-07-01)"]
    assert by_rule.loc["no CSAT score in the answer: it does not change latest_csat", "what happened"] == \
        "rows not used"
    # one table for the reader; the same rule from two tables is shown once
    both = pd.concat([cx.load_report(), exclusions(ep, ep)], ignore_index=True)
    assert len(both) == len(cx.load_report()) + len(rows)
    s = static_covariates(customers, min_level_size=1, max_missing=0.5)
    assert exclusions(s)["rule"].tolist() == ["minutes missing (a numeric covariate needs a value)"]
    assert exclusions(episode_table(cx.customers, as_of=cx.as_of)).empty
