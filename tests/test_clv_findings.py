"""The CLV summary's findings: today's sentences, in today's order, each with the numbers behind it."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit.clv import findings, sentences
from cxkit.errors import StatisticalWarning
from cxkit.findings import Finding, findings_frame


def _inputs() -> dict:
    total = pd.DataFrame({"total": [9_000.0], "ci_low": [8_000.0], "ci_high": [9_900.0], "n_draws": [200]})
    total.attrs = {"ci": 0.95}
    last_year = pd.DataFrame({"spend": [12_000.0], "n_cancelled": [7], "from_cancelled": [1_500.0],
                              "first_purchases": [900.0]})
    holdout = pd.DataFrame({"n_customers": [100], "actual": [400.0], "predicted": [280.0], "error_pct": [-30.0]})
    revenue = pd.DataFrame({"error_pct": [4.0]})
    concentration = pd.DataFrame({"top_share_of_customers": [0.1, 0.2], "n_customers": [10, 20],
                                  "share_of_value": [0.55, 0.7]})
    profile = pd.DataFrame({"segment": ["Champions", "Loyal", "At Risk"], "customers": [20, 50, 30],
                            "share": [0.2, 0.5, 0.3], "clv_share": [0.6, 0.3, 0.1], "p_alive": [0.9, 0.8, 0.7],
                            "action": ["Reward <them>.", "Upsell.", "Call."]})
    test = pd.DataFrame({"mean_a": [50.0], "mean_b": [90.0], "diff": [-40.0], "ci_low": [-60.0], "ci_high": [-20.0],
                         "p_value": [0.001], "median_a": [20.0], "median_b": [35.0], "p_median": [0.01],
                         "n_a": [40], "n_b": [400], "population": ["active customers"], "n_cancelled_left_out": [12]})
    coverage = pd.DataFrame({"table": ["surveys", "contacts"], "rows": [80, 900],
                             "last_date": pd.to_datetime(["2025-06-30", "2025-12-30"]),
                             "period_end": pd.to_datetime(["2025-12-31"] * 2), "ends_early": [True, False]})
    deciles = pd.DataFrame({"decile": [1, 10], "actual": [50.0, 10.0]})
    return dict(total=total, last_year=last_year, holdout=holdout, revenue=revenue, concentration=concentration,
                profile=profile, test=test, coverage=coverage, deciles=deciles)


def _findings(d: dict, **changes) -> list[Finding]:
    kw = dict(horizon_months=12, holdout_months=6, n_customers=100, currency="£", discount_rate=0.01,
              concentration=d["concentration"], profile=d["profile"], satisfaction=d["test"],
              coverage=d["coverage"], deciles=d["deciles"], notes=["A parameter note."])
    kw.update(changes)
    return findings.clv_findings(d["total"], d["last_year"], d["holdout"], d["revenue"], **kw)


def test_the_findings_say_todays_sentences_in_todays_order():
    d = _inputs()
    found = _findings(d)
    expected = (sentences.forecast_sentences(d["total"], d["last_year"], d["holdout"], d["revenue"], horizon_months=12,
                                             holdout_months=6, n_customers=100, currency="£", top10_share=0.55,
                                             discount_rate=0.01)
                + sentences.segment_action_sentences(sentences.headline_segments(d["profile"]))
                + sentences.closing_sentences(d["test"], d["coverage"], d["holdout"], d["deciles"],
                                              ["A parameter note."], currency="£"))
    assert [f.sentence for f in found] == expected
    assert [f.key for f in found] == ["forecast:clv_total", "forecast:holdout", "segment:Champions",
                                      "segment:At Risk", "closing:satisfaction_value", "closing:coverage",
                                      "closing:holdout_check", "closing:decile_check", "closing:note:1"]
    assert {f.theme for f in found} == {"clv"}


def test_the_total_carries_its_interval_currency_period_and_base():
    d = _inputs()
    total, checked = _findings(d)[:2]
    assert (total.estimate, total.low, total.high, total.ci) == (9_000.0, 8_000.0, 9_900.0, 0.95)
    assert total.currency == "£" and total.period == "the next 12 months"
    assert total.base == {"customers": 100, "cancelled": 7}
    assert "the top 10% of customers hold 55% of the forecast" in total.sentence
    assert "the same customers spent £12,000" in total.sentence
    assert (checked.estimate, checked.unit, checked.base) == (-30.0, "%", {"customers": 100})
    assert "revenue over-forecast by 4.0%" in checked.sentence


def test_an_interval_that_misses_its_estimate_is_not_claimed():
    d = _inputs()
    d["total"] = d["total"].assign(ci_low=9_200.0)          # a skewed bootstrap's percentile interval, above the point
    with pytest.warns(StatisticalWarning, match="the total CLV: the interval 9200 to 9900"):
        total = _findings(d)[0]
    assert total.estimate == 9_000.0 and (total.low, total.high) == (None, None)
    assert "95% interval £9,200 to £9,900" in total.sentence                 # the sentence is as written


def test_segments_carry_their_table_action_and_the_test_its_direction():
    d = _inputs()
    parts = findings.summary_parts(_findings(d))
    champions = parts["segment"][0]
    assert champions.sentence.endswith("Suggested action: Reward &lt;them&gt;.") and champions.base == {"customers": 20}
    assert champions.estimate == pytest.approx(0.6)
    value = parts["closing"][0]
    assert (value.estimate, value.low, value.high, value.p_value, value.direction) == (-40.0, -60.0, -20.0, 0.001,
                                                                                      "lower")
    assert value.base == {"dissatisfied": 40, "satisfied": 400} and value.currency == "£"
    split = _findings(d, satisfaction=d["test"].assign(p_median=0.4))[4]
    assert split.direction == "no clear difference" and "**less**" not in split.sentence


def test_only_what_applies_is_said():
    d = _inputs()
    passed = d["holdout"].assign(error_pct=2.0)
    found = findings.clv_findings(d["total"], d["last_year"], passed, horizon_months=12, holdout_months=6,
                                  n_customers=100, coverage=d["coverage"].assign(ends_early=False))
    parts = findings.summary_parts(found)
    assert [f.key for f in parts["forecast"]] == ["forecast:clv_total", "forecast:holdout"]
    assert parts["segment"] == [] and parts["closing"] == []
    assert "top 10%" not in parts["forecast"][0].sentence
    table = findings_frame(found)
    assert table["key"].tolist() == ["forecast:clv_total", "forecast:holdout"] and table["currency"].isna().all()


def test_summary_parts_keep_the_order_and_refuse_an_unknown_part():
    d = _inputs()
    found = _findings(d)
    parts = findings.summary_parts(found)
    assert list(parts) == list(findings.SUMMARY_PARTS)
    assert [f for part in parts.values() for f in part] == found
    with pytest.raises(ValueError, match="does not start with one of forecast, segment, closing"):
        findings.summary_parts([Finding(theme="clv", key="total", what="w", sentence="One.")])
