"""Notebook 03 on subscription folders (customers only), and the pieces its subscription report is built from.

Three folders made from Kestrel Broadband's customers (transactions, surveys and contacts
dropped): sign-up and cancellation dates with a fee column, the same without a fee, and a
tenure + churned export. Each must run notebook 03 as subscription CLV, name the family
and the model, and show the holdout error. The library pieces are checked against hand
computations and an independent summation of the sBG survival curve.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln

from cxkit import clv
from cxkit.clv import chosen_model, findings, subscription_value
from cxkit.clv.sbg import ShiftedBetaGeometricFitter
from cxkit.errors import ArgumentError, DataError, FitError
from cxkit.notebooks import missing_tables, missing_tables_reason, resolve_notebook
from cxkit.report import run_reports
from cxkit.synth import generate

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).parent))
from test_other_company_03 import _Report  # noqa: E402  (the report as a reader sees it)

HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]   # Fader & Hardie (2007), alive at the start of years 0-7


# --------------------------------------------------------------------------- the notebook on subscription folders


@pytest.fixture(scope="module")
def subscription_runs(tmp_path_factory):
    """Notebook 03 run on three customers-only folders: dates + fee, dates without a fee, tenure + churned."""
    base = tmp_path_factory.mktemp("subscriptions")
    made = generate(n_customers=1500, profile="kestrel")
    customers, as_of = made["customers"], pd.Timestamp(made.params["as_of"])
    tenure = customers.assign(tenure=(customers["churn_date"].fillna(as_of) - customers["signup_date"]).dt.days,
                              churned=customers["churn_date"].notna())
    folders = {
        "fee": (customers[["customer_id", "signup_date", "churn_date", "plan", "monthly_fee"]], {}),
        "no_fee": (customers[["customer_id", "signup_date", "churn_date", "plan"]], {}),
        "tenure": (tenure[["customer_id", "tenure", "churned", "plan"]],
                   {"load_options": {"tenure_unit": "days"}}),
    }
    runs = {}
    for name, (table, parameters) in folders.items():
        folder = base / name
        folder.mkdir()
        table.to_csv(folder / "customers.csv", index=False)
        if name == "fee":
            (folder / "cxkit.toml").write_text('company = "Kestrel Broadband"\ncurrency = "€"\n', encoding="utf-8")
        result = run_reports(folder, base / f"out_{name}", notebooks=["03"], parameters=parameters or None)[0]
        page = _Report(result.files[0].read_text(encoding="utf-8")) if result.status == "ran" else None
        runs[name] = (result, page)
    return runs


@pytest.mark.parametrize("name", ["fee", "no_fee", "tenure"])
def test_a_customers_only_folder_gets_subscription_clv_with_its_model_and_holdout(subscription_runs, name):
    result, page = subscription_runs[name]
    assert result.status == "ran", result.reason
    cells = json.loads(Path(result.executed).read_text())["cells"]
    assert not [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    text = page.visible
    assert "CLV family: subscription (model: the shifted-beta-geometric (sBG) retention model)" in text
    assert "The forecast uses the shifted-beta-geometric (sBG) retention model" in text
    found = re.search(r"forecast the (\d+) months after them within (\d+\.\d)% on average", text)
    assert found and int(found.group(1)) >= 1 and float(found.group(2)) >= 0
    assert "Holdout: subscribers still subscribed, forecast against actual" in page.tables
    # the purchase sections do not reach a subscription report, and the summary comes first
    assert "1. From a transaction log" not in text and "RFM segments" not in text
    assert text.index("Each of the") < text.index("1. Subscribers, their cohorts")
    by_plan = page.table("Value per active subscriber by plan")
    assert set(by_plan["plan"]) == {"basic", "plus", "premium"}


def test_the_fee_folder_values_in_its_currency_and_says_which_column(subscription_runs):
    _, page = subscription_runs["fee"]
    text = page.visible
    assert "valued at their monthly_fee per renewal period (the one fee column found)" in text
    assert re.search(r"active subscribers is worth, on average, €[\d,]+ \(95% interval €[\d,]+ to €[\d,]+\)", text)
    assert "Kestrel Broadband" in text and "money in €" in text
    assert "the last sign-up or cancellation in the customers table" in text


@pytest.mark.parametrize("name", ["no_fee", "tenure"])
def test_without_a_fee_value_is_in_periods_and_says_so(subscription_runs, name):
    _, page = subscription_runs[name]
    text = page.visible
    assert "no fee column, so value is in periods still to be paid" in text
    assert re.search(r"expected to pay for, on average, [\d.]+ months of fees \(95% interval [\d.]+ to [\d.]+\)", text)
    summary = text[text.index("Summary"):text.index("1. Subscribers, their cohorts")]
    assert "money in" not in summary and "active subscribers." in summary


def test_a_tenure_export_is_one_group_aligned_at_sign_up(subscription_runs):
    _, page = subscription_runs["tenure"]
    assert "aligned at sign-up (a tenure export: one group)" in page.visible
    assert "Checked on all subscribers, aligned at sign-up" in page.visible
    assert "No analysis date (durations as exported)" in page.visible


# --------------------------------------------------------------------------- which family, and what a notebook needs


def test_the_family_follows_the_stated_rule():
    dated = pd.DataFrame({"customer_id": ["a"], "signup_date": [pd.Timestamp("2024-01-01")], "churn_date": [pd.NaT]})
    assert subscription_value.choose_family(has_transactions=True, customers=dated).family == "purchases"
    assert subscription_value.choose_family(has_transactions=False, customers=dated).family == "subscription"
    forced = subscription_value.choose_family(has_transactions=True, customers=dated, model="subscription")
    assert forced.family == "subscription" and "as asked" in forced.reason
    with pytest.raises(DataError, match="a transaction log .* or a customers table with cancellations"):
        subscription_value.choose_family(has_transactions=False, customers=None)
    with pytest.raises(DataError, match="the columns customer_id, plan"):
        subscription_value.choose_family(has_transactions=False, customers=pd.DataFrame(columns=["customer_id",
                                                                                                  "plan"]))
    with pytest.raises(DataError, match=r"needs a transaction log \(customer_id, date, amount\)"):
        subscription_value.choose_family(has_transactions=False, customers=dated, model="purchases")
    with pytest.raises(ArgumentError, match="model"):
        subscription_value.choose_family(has_transactions=True, customers=None, model="bgnbd")


def test_notebook_03_runs_on_transactions_or_customers():
    nb = resolve_notebook("03")
    assert missing_tables(nb, {"transactions"}) == [] and missing_tables(nb, {"customers"}) == []
    assert missing_tables(nb, {"surveys", "contacts"}) == ["transactions or customers"]
    assert missing_tables(resolve_notebook("00"), {"customers"}) == ["surveys"]
    assert missing_tables_reason(["transactions or customers"]) == (
        "needs the table transactions or customers, which the folder does not have")


# --------------------------------------------------------------------------- the pieces


def _derl_by_sum(a: float, b: float, n: int, d: float, terms: int = 4000) -> float:
    """DERL summed term by term from S(t) = B(a, b + t) / B(a, b): independent of the 2F1 closed form."""
    t = np.arange(n + 1, n + 1 + terms)
    s = np.exp(betaln(a, b + t) - betaln(a, b + n))
    return float((s / (1 + d) ** (t - n - 1)).sum())


def test_margin_column_takes_the_one_fee_column_or_says_why_not():
    one = pd.DataFrame({"customer_id": ["a", "b"], "monthly_fee": ["30.5", "40"], "plan": ["x", "y"]})
    assert subscription_value.margin_column(one)[0] == "monthly_fee"            # text that reads as numbers
    two = one.assign(fee=[1.0, 2.0])
    margin, note = subscription_value.margin_column(two)
    assert margin is None and "several fee columns (monthly_fee, fee)" in note
    assert subscription_value.margin_column(two, "fee")[0] == "fee"
    assert subscription_value.margin_column(one.drop(columns="monthly_fee"))[0] is None
    with pytest.raises(DataError, match="price"):
        subscription_value.margin_column(one, "price")


def test_value_per_subscriber_is_the_mean_of_the_values_with_an_interval_holding_it():
    sbg = ShiftedBetaGeometricFitter().fit(HIGH_END)
    customers = pd.DataFrame({"customer_id": list("abcd"), "tenure_days": [10.0, 400.0, 800.0, 2000.0],
                              "churned": [False, False, True, False], "fee": [100.0, 80.0, 90.0, 120.0]})
    values = clv.subscription_clv(customers, sbg, as_of=None, margin="fee", discount_rate=0.1, period="Y")
    worth = subscription_value.value_per_subscriber(values, sbg, n_draws=200)
    row = worth.iloc[0]
    assert row["subscribers"] == 3 and row["total"] == pytest.approx(values["clv"].sum())
    assert row["value"] == pytest.approx(values["clv"].mean())
    assert row["ci_low"] < row["value"] < row["ci_high"] and row["total_ci_low"] < row["total"] < row["total_ci_high"]
    hand = np.mean([fee * _derl_by_sum(0.668, 3.806, n, 0.1) for n, fee in [(0, 100.0), (1, 80.0), (5, 120.0)]])
    assert row["value"] == pytest.approx(hand, rel=2e-3)   # published parameters, rounded


def test_the_levers_match_a_hand_computation():
    sbg = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)   # no covariance: no interval
    values = pd.DataFrame({"periods_renewed": [0, 4], "derl": sbg.derl([0, 4], discount=0.1), "margin": [10.0, 20.0]})
    values.attrs["discount_rate"] = 0.1
    levers = subscription_value.retention_levers(values, sbg).set_index("lever")
    kept = np.mean([m * (1 + _derl_by_sum(0.668, 3.806, n + 1, 0.1) / 1.1) for n, m in [(0, 10.0), (4, 20.0)]])
    assert levers.loc["next_renewal", "value"] == pytest.approx(kept, rel=1e-6)
    assert levers["ci_low"].isna().all()
    gains = []
    for n, m in [(0, 10.0), (4, 20.0)]:
        size = 0.668 + 3.806 + n
        a_new = (0.668 / size - 0.01) * size
        gains.append(m * (_derl_by_sum(a_new, size - a_new, 0, 0.1) - _derl_by_sum(0.668, 3.806, n, 0.1)))
    assert levers.loc["churn_one_point", "value"] == pytest.approx(np.mean(gains), rel=1e-6)
    assert levers.loc["churn_one_point", "total"] == pytest.approx(sum(gains), rel=1e-6) and min(gains) > 0


def test_retention_curves_follow_the_counts_and_the_projection_falls():
    sbg = ShiftedBetaGeometricFitter().fit(HIGH_END)
    cohorts = pd.DataFrame({"cohort": ["2020"] * 4 + ["all"] * 3, "period": [0, 1, 2, 3, 0, 1, 2],
                            "alive": [200, 170, 150, 140, 100, 80, 30], "censored": [0, 0, 0, 140, 0, 40, 30]})
    curves = subscription_value.retention_curves(cohorts, sbg, horizon=10)
    first = curves[curves["cohort"] == "2020"]["retention"].to_numpy()
    assert first == pytest.approx([1, 0.85, 0.75, 0.7])
    censored = curves[curves["cohort"] == "all"]["retention"].to_numpy()
    assert censored == pytest.approx([1, 0.8, 0.8 * 30 / 40])          # 40 of the 80 followed no further
    projected = curves[curves["kind"] == "projected"]["retention"]
    assert projected.iloc[0] == 1 and (np.diff(projected) < 0).all() and projected.between(0, 1).all()


def test_the_holdout_pools_the_oldest_cohorts_and_fits_on_their_first_periods():
    cohorts = pd.DataFrame({"cohort": ["a"] * 8 + ["b"] * 6, "period": list(range(8)) + list(range(6)),
                            "alive": HIGH_END + [600, 520, 450, 400, 360, 330]})
    one = subscription_value.cohort_holdout(cohorts, min_customers=1000)
    assert one.attrs["cohorts"] == ["a"] and one.attrs["customers"] == 1000
    assert one.attrs["mean_abs_error_pct"] == pytest.approx(clv.sbg_holdout(HIGH_END, 4).attrs["mean_abs_error_pct"])
    both = subscription_value.cohort_holdout(cohorts, min_customers=1500)
    assert both.attrs["cohorts"] == ["a", "b"] and list(both["actual"]) == [
        x + y for x, y in zip(HIGH_END[:6], [600, 520, 450, 400, 360, 330], strict=True)]
    young = cohorts[cohorts["period"] < 3]
    assert subscription_value.cohort_holdout(young) is None


def test_a_fit_at_the_edge_is_refitted_with_the_smallest_penalty_and_said():
    sbg, note = subscription_value.fit_retention(pd.DataFrame({"cohort": ["x"] * 8, "period": range(8),
                                                               "alive": HIGH_END}))
    assert note is None and sbg.params_["alpha"] == pytest.approx(0.668, abs=1e-3)
    made = generate(n_customers=1500, profile="kestrel")        # one constant churn rate for everyone
    cohorts = clv.subscription_cohorts(made["customers"], as_of=made.params["as_of"])
    with pytest.raises(FitError):
        clv.fit_sbg(cohorts)
    sbg, note = subscription_value.fit_retention(cohorts)
    assert "ran to the edge" in note and "penalizer_coef=1e-06" in note
    assert 0 < sbg.churn_probability(0) < 0.1


def test_subscription_findings_say_the_numbers_they_carry():
    value = pd.DataFrame({"subscribers": [200], "value": [31.26], "ci_low": [29.0], "ci_high": [33.9],
                          "total": [6252.0], "total_ci_low": [5800.0], "total_ci_high": [6780.0],
                          "unit": ["periods"]})
    levers = pd.DataFrame({"lever": ["next_renewal", "churn_one_point"], "value": [32.0, 4.5],
                           "ci_low": [30.0, 4.0], "ci_high": [34.0, 5.1], "total": [6400.0, 900.0],
                           "subscribers": [200, 200], "unit": ["periods", "periods"]})
    found = findings.subscription_findings(value, levers, None, period="Q", discount_rate=0.03,
                                                        notes=[None, "A note."])
    assert [f.key for f in found] == ["value:per_subscriber", "lever:next_renewal", "lever:churn_one_point",
                                      "check:holdout", "note:1"]
    assert str(found[0]).startswith("Each of the 200 active subscribers is expected to pay for, on average, 31.3 "
                                    "quarters of fees (95% interval 29.0 to 33.9)")
    assert "3.0% a quarter" in str(found[0]) and found[0].currency is None and found[0].unit == "quarters"
    assert (found[0].low, found[0].estimate, found[0].high) == (29.0, 31.26, 33.9)
    assert "4.5 quarters of fees" in str(found[2]) and "900.0 quarters of fees across the 200" in str(found[2])
    assert str(found[3]).startswith("No holdout check")


def test_the_retention_plot_draws_a_few_cohorts_and_the_projection():
    from cxkit.clv import plots as clv_plots

    sbg = ShiftedBetaGeometricFitter().fit(HIGH_END)
    cohorts = pd.DataFrame({"cohort": np.repeat(pd.date_range("2024-01-01", periods=12, freq="MS"), 3),
                            "period": np.tile([0, 1, 2], 12), "alive": np.tile([100, 90, 85], 12)})
    ax = clv_plots.retention_plot(subscription_value.retention_curves(cohorts, sbg), max_cohorts=4)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0] == "Jan 2024" and labels[-1] == "projection (sBG)" and len(labels) == 5
    assert ax.get_ylabel() == "% of the cohort still subscribed"


def test_a_total_from_another_purchase_model_has_an_interval_holding_it():
    tx = generate(n_customers=400, seed=3)["transactions"]
    summary = clv.rfm_summary(tx, time_unit="W")
    model = chosen_model.fit_purchase_model("MBG/NBD", summary)
    ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
    total = chosen_model.purchase_clv_interval(summary, model, ggf, n_draws=30).iloc[0]
    assert total["total"] == pytest.approx(clv.clv_table(summary, model, ggf)["clv"].sum())
    assert total["ci_low"] <= total["total"] <= total["ci_high"] and total["ci_low"] < total["ci_high"]
    with pytest.raises(ArgumentError, match="name"):
        chosen_model.fit_purchase_model("NBD", summary)


def test_a_monthly_rate_compounds_over_the_renewal_period():
    assert subscription_value.period_discount_rate(0.01, "M") == 0.01
    assert subscription_value.period_discount_rate(0.01, "Y") == pytest.approx(1.01**12 - 1)
    assert subscription_value.period_discount_rate(0.01, 7) == pytest.approx(1.01 ** (7 / 30.4375) - 1)
    with pytest.raises(ArgumentError):
        subscription_value.period_discount_rate(0.01, "fortnight")
