"""The CLV theme's sentences follow the numbers they describe: the forecast, its checks, the segments."""
from __future__ import annotations

import inspect
import re

import pandas as pd
import pytest

from cxkit.clv import findings, sentences, tables
from cxkit.clv import plots as clv_plots
from cxkit.clv.sentences import clv_total_sentence, forecast_warnings, holdout_sentence, segment_sentence
from cxkit.narrative import escape


def test_forecast_warnings_pass_quietly_and_speak_up_when_checks_fail():
    good = pd.DataFrame({"actual": [4463.0], "error_pct": [4.1]})
    deciles = pd.DataFrame({"decile": [1, 2, 3], "actual": [9.0, 30.0, 900.0]})
    assert forecast_warnings(good, deciles) == []
    off = pd.DataFrame({"actual": [400.0], "error_pct": [31.2]})
    assert forecast_warnings(off) == [
        "Check: purchases in the holdout were over-forecast by 31%, more than the 25% allowed; treat the forecast "
        "with caution."]
    assert "under-forecast by 40%" in forecast_warnings(off.assign(error_pct=-40.0))[0]
    assert "off by" not in forecast_warnings(off)[0]
    assert forecast_warnings(off, max_error_pct=35) == []
    backwards = deciles.assign(actual=[900.0, 30.0, 9.0]).iloc[::-1]     # row order must not matter
    lines = forecast_warnings(good, backwards)
    assert len(lines) == 1 and "ranks highest bought less" in lines[0] and "9 against 900" in lines[0]
    nothing = forecast_warnings(pd.DataFrame({"actual": [0.0], "error_pct": [1e14]}))
    assert len(nothing) == 1 and "could not be checked" in nothing[0]



def test_segment_sentence_follows_what_the_model_says():
    active = segment_sentence({"segment": "At Risk", "share": 0.08, "clv_share": 0.11, "p_alive": 0.88},
                              action="Win back only where it is cheap.")
    gone = segment_sentence({"segment": "At Risk", "share": 0.08, "clv_share": 0.02, "p_alive": 0.21},
                            action="Win back only where it is cheap.")
    assert "still rates most of them as active" in active and "win them back" not in active
    assert "probably lapsed" in gone and "still buying averages 21%" in gone and "p(alive)" not in gone
    assert "still buying averages 88%" in active and "p(alive)" not in active
    loyal = segment_sentence({"segment": "Champions", "share": 0.1, "clv_share": 0.4, "p_alive": 0.95},
                             action="Reward them.")
    assert loyal.endswith("Reward them.") and "10% of customers" in loyal



def test_clv_and_holdout_sentences_carry_interval_currency_and_caveats():
    text = clv_total_sentence({"total": 123_456.0, "ci_low": 110_000.0, "ci_high": 140_000.0}, horizon_months=12,
                              n_customers=4321, currency="GBP", last_year_revenue=150_000.0, n_left=12)
    assert "123,000 GBP" in text and "110,000 GBP to 140,000 GBP" in text and "150,000 GBP" in text
    assert "discounted" in text and "not yet acquired" in text and "12 customers who have already cancelled" in text
    plain = clv_total_sentence({"total": 950.0, "ci_low": 900.0, "ci_high": 990.0}, horizon_months=6, n_customers=10)
    assert "**950**" in plain
    assert "rough guide" in holdout_sentence({"error_pct": 31.0}, months=5)
    assert "revenue" in holdout_sentence({"error_pct": 3.0}, months=6, revenue={"error_pct": -1.0})



def test_dollar_amounts_cannot_open_a_formula_in_markdown():
    text = clv_total_sentence({"total": 68_000.0, "ci_low": 64_000.0, "ci_high": 72_000.0}, horizon_months=12,
                              n_customers=2349, currency="$")
    assert "$" not in text and "**&#36;68,000**" in text



def test_holdout_sentence_says_over_or_under_forecast():
    text = holdout_sentence({"error_pct": -3.0}, months=6, revenue={"error_pct": 4.26})
    assert text == "Checked on 6 months it had not seen, purchases were under-forecast by 3.0% and revenue " \
                   "over-forecast by 4.3%."
    assert "off by" not in text
    rough = holdout_sentence({"error_pct": -31.0}, months=5)
    assert "under-forecast by 31.0%: more than 25% off, so treat it as a rough guide" in rough
    assert "to within 0.05%" in holdout_sentence({"error_pct": 0.01}, months=6)



def test_clv_total_sentence_explains_the_gap_to_last_years_spend():
    total = {"total": 412_345.0, "ci_low": 398_000.0, "ci_high": 430_000.0}
    text = clv_total_sentence(total, horizon_months=12, n_customers=5000, last_year_revenue=455_000.0, n_left=120,
                              last_year_from_left=31_000.0, last_year_first_purchases=52_000.0, discount_rate=0.01)
    assert "the same customers spent 455,000, more than the top of the forecast's interval" in text
    assert "repeat purchases the customers there today will make" in text and "at 1% a month" in text
    assert "(31,000 from the 120 who cancelled)" in text and "first purchases of customers who joined" in text
    assert "(52,000)" in text and "last year's spend comes to 372,000." in text
    assert "not yet acquired" in text and not re.search(r"[£$€]|GBP", text)
    below = clv_total_sentence(total, horizon_months=24, n_customers=5000, last_year_revenue=300_000.0)
    assert "less than the bottom of the forecast's interval" in below and "in the next 24 months" in below
    assert "comes to" not in below and "customers who have since left or lapsed" in below
    inside = clv_total_sentence(total, horizon_months=12, n_customers=5000, last_year_revenue=420_000.0)
    assert "within the forecast's interval" in inside



@pytest.mark.parametrize("module", [sentences, findings, tables, clv_plots], ids=lambda m: m.__name__)
def test_nothing_in_the_clv_presentation_defaults_to_a_currency(module):
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ != module.__name__:
            continue
        for p in inspect.signature(fn).parameters.values():
            assert p.default is inspect.Parameter.empty or "£" not in str(p.default), name
            if p.name == "currency":
                assert p.default in (None, inspect.Parameter.empty), name


def _profile() -> pd.DataFrame:
    return pd.DataFrame({"segment": pd.Categorical(["At Risk", "Champions", "Lost", "Cancelled"]),
                         "customers": [10, 30, 50, 10], "share": [0.1, 0.3, 0.5, 0.1],
                         "clv_share": [0.5, 0.4, 0.1, 0.0], "p_alive": [0.9, 0.8, 0.2, 0.0],
                         "action": ["Call <them>.", "Reward.", "Let go.", "Win back."]})


def test_load_sentence_counts_the_forecast_customers_only() -> None:
    gone = pd.Series({"a": True, "b": False, "zz": True})            # zz bought nothing: not a forecast customer
    text = sentences.load_sentence("Analysis date <31 Dec 2025>.", n_rows=1234, customers=["a", "b", "c", "d"],
                                   cancelled=gone, as_of="2025-12-31")
    assert text.startswith("Analysis date &lt;31 Dec 2025&gt;. 1,234 transaction rows give 4 customers. ")
    assert "shows 1 of the 4 customers (25%) as cancelled by 31 Dec 2025" in text
    assert sentences.SAMPLE_NOTE not in text
    sample = sentences.load_sentence("Rule.", n_rows=5, customers=["a", "b"], cancelled=None, as_of="2025-12-31",
                                     sample=True)
    assert sample.startswith(sentences.SAMPLE_NOTE + "Rule. 5 transaction rows give 2 customers. ")
    assert sample.endswith("every customer is treated as possibly still buying, as the models assume.")


def test_summary_names_the_most_valuable_segment_then_those_to_watch() -> None:
    profile = _profile()
    chosen = sentences.headline_segments(profile)
    assert list(chosen.index) == ["At Risk"]                           # first and watched: named once
    chosen = sentences.headline_segments(profile.iloc[[1, 0, 2, 3]], watch=("At Risk", "Can't Lose Them", "Lost"))
    assert list(chosen.index) == ["Champions", "At Risk", "Lost"]      # absent ones are skipped, order kept
    lines = sentences.segment_action_sentences(chosen)
    assert [line.split(" Suggested action: ")[1] for line in lines] == [escape(a) for a in chosen["action"]]
    assert lines[1].startswith("At Risk are 10% of customers and hold 50% of forecast value")
    assert sentences.headline_segments(profile.iloc[:0]).empty and sentences.segment_action_sentences(
        profile.iloc[:0]) == []


def test_forecast_sentences_are_the_total_then_the_holdout() -> None:
    total = pd.DataFrame({"total": [9_000.0], "ci_low": [8_000.0], "ci_high": [9_900.0]})
    last_year = pd.DataFrame({"spend": [12_000.0], "n_cancelled": [7], "from_cancelled": [1_500.0],
                              "first_purchases": [900.0]})
    holdout, revenue = pd.DataFrame({"error_pct": [-3.0]}), pd.DataFrame({"error_pct": [40.0]})
    lines = sentences.forecast_sentences(total, last_year, holdout, revenue, horizon_months=12, holdout_months=6,
                                         n_customers=100, currency="£", top10_share=0.55, discount_rate=0.01)
    assert lines == [sentences.clv_total_sentence(total.iloc[0], horizon_months=12, n_customers=100, currency="£",
                                                  last_year_revenue=12_000.0, n_left=7, top10_share=0.55,
                                                  last_year_from_left=1_500.0, last_year_first_purchases=900.0,
                                                  discount_rate=0.01),
                     sentences.holdout_sentence(holdout.iloc[0], months=6, revenue=revenue.iloc[0])]
    assert "the 7 customers who have already cancelled" in lines[0] and "revenue over-forecast by 40.0%" in lines[1]
    alone = sentences.forecast_sentences(total.iloc[0], last_year.iloc[0], holdout, horizon_months=12,
                                         holdout_months=6, n_customers=100)
    assert alone[1] == "Checked on 6 months it had not seen, purchases were under-forecast by 3.0%."


def test_closing_sentences_say_only_what_applies_in_order() -> None:
    test = pd.DataFrame({"mean_a": [50.0], "mean_b": [90.0], "diff": [-40.0], "ci_low": [-60.0], "ci_high": [-20.0],
                         "p_value": [0.001], "median_a": [20.0], "median_b": [35.0], "p_median": [0.01],
                         "n_a": [40], "n_b": [400], "population": ["active customers"],
                         "n_cancelled_left_out": [12]})
    coverage = pd.DataFrame({"table": ["surveys", "contacts"], "rows": [80, 900],
                             "last_date": pd.to_datetime(["2025-06-30", "2025-12-30"]),
                             "period_end": pd.to_datetime(["2025-12-31"] * 2), "ends_early": [True, False]})
    passed = pd.DataFrame({"actual": [400.0], "error_pct": [2.0]})
    failed = pd.DataFrame({"actual": [400.0], "error_pct": [-30.0]})
    backwards = pd.DataFrame({"decile": [1, 10], "actual": [50.0, 10.0]})
    lines = sentences.closing_sentences(test, coverage, failed, backwards, ["A parameter note."], currency="£")
    assert len(lines) == 5
    assert lines[0] == sentences.satisfaction_value_sentence(test.iloc[0], currency="£")
    assert lines[0].startswith("Dissatisfied customers are worth **less** than satisfied ones: the mean is £50")
    assert lines[1].startswith("Survey answers end on 30 Jun 2025")
    assert lines[2].startswith("Check: purchases in the holdout were under-forecast by 30%")
    assert lines[3].startswith("Check: the customers the forecast ranks highest bought less")
    assert lines[4] == "A parameter note."
    assert sentences.closing_sentences(None, coverage.assign(ends_early=False), passed) == []
