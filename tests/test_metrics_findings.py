"""The CX metrics report's headline results as findings (cxkit.metrics.findings)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import ROOT
from cxkit import metrics, narrative, periods, value
from cxkit.findings import DIRECTIONS, Finding
from cxkit.metrics.findings import GOAL_DIRECTIONS, metrics_findings, scorecard_findings
from cxkit.metrics.sentences import NO_GOALS_SET, scorecard_sentences, service_sentence

ROW = {"metric": "CSAT", "value_a": 53.8, "value_b": 80.1, "diff": -26.3, "ci_low": -35.0, "ci_high": -17.6,
       "p_value": 1e-9, "n_a": 132, "n_b": 1501}


@pytest.fixture(scope="module")
def summary_inputs(cx):
    """What notebook 00 computes for its summary, on the bundled sample."""
    reporting = periods.reporting_period("12M", as_of=cx.as_of, first_date=cx.surveys["date"].min())
    recent = reporting.select(cx.surveys, table="surveys")
    scorecard = metrics.cx_scorecard(recent)
    gaps = metrics.gap_analysis(scorecard, {m: g for m, g in cx.settings.goals.items()
                                            if m in set(scorecard["metric"])})
    coverage = periods.coverage({"surveys": cx.surveys, "transactions": cx.transactions, "contacts": cx.contacts},
                                reporting)
    customer_values = cx.customer_value(period_start=reporting.start, period_end=reporting.end)
    customer_values["value_decile"] = value.value_segments(customer_values["annual_spend"], q=10)
    rated = value.attach(recent, customer_values, ["annual_spend", "value_decile"])
    share = value.segment_revenue(customer_values, segment_col="value_decile", revenue_col="period_spend")
    return {
        "scorecard": scorecard, "gaps": gaps, "period": reporting.label, "goals": cx.settings.goals,
        "coverage": coverage, "top": "top 10%",
        "top_vs_rest": metrics.compare(rated.assign(top=rated["value_decile"] == 10), "csat", by="top", a=True),
        "top_share": share.set_index("value_decile").loc[10, "share"],
        "weighted": metrics.weighted_scorecard(rated, weights="annual_spend"),
        "service": metrics.service_metrics(reporting.select(cx.contacts)),
    }


def _sentences_as_the_notebook_wrote_them(i: dict) -> list[str]:
    """The summary's sentences as notebook 00 put them together before its findings."""
    per = i["weighted"].set_index(["weighting", "metric"])
    who = f"The {i['top']} of spenders"
    lines = [narrative.coverage_sentence(i["coverage"])]
    lines += scorecard_sentences(i["scorecard"], i["gaps"], period=i["period"], goals_note=False)
    lines.append(None if i["goals"] else NO_GOALS_SET)
    lines += [narrative.difference_sentence(i["top_vs_rest"].iloc[0], subject=who, other="everyone else",
                                            measure="satisfied (CSAT top-2-box %)"),
              narrative.value_share_sentence(i["top_share"], who=who, period=i["period"]),
              narrative.weighted_sentence(per.loc["per answer", "CSAT"], per.loc["by annual spend", "CSAT"],
                                          weight="annual spend")]
    lines.append(service_sentence(i["service"], period=i["period"]))
    return [x for x in lines if x]


def test_the_findings_say_exactly_what_the_summary_said_in_its_order(summary_inputs):
    found = metrics_findings(**summary_inputs)
    assert [f.sentence for f in found] == _sentences_as_the_notebook_wrote_them(summary_inputs)
    assert [f.key for f in found] == ["nps", "csat", "ces", "top_vs_rest", "top_revenue_share", "csat_weighted",
                                      "fcr_range"]
    assert all(isinstance(f, Finding) and f.theme == "metrics" and f.direction in DIRECTIONS for f in found)
    no_goals = {**summary_inputs, "gaps": None, "goals": {}}
    texts = [f.sentence for f in metrics_findings(**no_goals)]
    assert texts == _sentences_as_the_notebook_wrote_them(no_goals) and NO_GOALS_SET in texts


def test_the_stored_summary_of_notebook_00_is_the_findings_as_bullets(summary_inputs):
    notebook = json.loads((ROOT / "notebooks" / "00_cx_metrics_and_gap.ipynb").read_text(encoding="utf-8"))
    summary = next(c for c in notebook["cells"] if "metric_findings.metrics_findings(" in "".join(c["source"]))
    shown = "".join(summary["outputs"][0]["data"]["text/markdown"])
    assert shown.split("\n\n", 1)[1] == narrative.as_bullets(metrics_findings(**summary_inputs))


def test_each_headline_metric_carries_its_interval_base_period_and_goal_status(summary_inputs):
    found = {f.key: f for f in metrics_findings(**summary_inputs)}
    card = summary_inputs["scorecard"].set_index("metric")
    nps = found["nps"]
    assert (nps.estimate, nps.low, nps.high) == tuple(card.loc["NPS", ["value", "ci_low", "ci_high"]])
    assert nps.base == {"answers": int(card.loc["NPS", "n"])} and nps.period == "the 12 months to 31 Dec 2025"
    assert nps.direction == "short" and "short of the goal" in nps.sentence     # the sample misses its goals
    weighted = found["csat_weighted"]
    assert weighted.base["effective answers"] < weighted.base["answers"] and weighted.direction == "none"


def test_goal_status_becomes_the_direction_and_no_goal_is_none():
    sc = metrics.cx_scorecard(pd.DataFrame({"nps": [10] * 6 + [3] * 4, "csat": [5] * 9 + [1]}))
    by_key = {f.key: f for f in scorecard_findings(sc, metrics.gap_analysis(sc, {"NPS": 90, "CSAT": 50}))}
    assert by_key["nps"].direction == "short" and by_key["csat"].direction == "met"
    close = {f.key: f for f in scorecard_findings(sc, metrics.gap_analysis(sc, {"NPS": 20}))}
    assert close["nps"].direction == "too close to call" and close["csat"].direction == "none"
    assert close["csat"].test is None and close["nps"].test is not None
    assert {f.direction for f in scorecard_findings(sc)} == {"none"}
    assert {f.direction for f in scorecard_findings(sc, metrics.gap_analysis(sc, {}))} == {"none"}
    assert set(GOAL_DIRECTIONS.values()) <= set(DIRECTIONS)
    found = metrics_findings(sc, goals=None)
    assert [f.key for f in found] == ["nps", "csat", "no_goals"] and found[-1].sentence == NO_GOALS_SET


def test_the_direction_of_top_spenders_comes_from_the_test_not_from_two_means():
    def direction(row: dict) -> str:
        found = metrics_findings(pd.DataFrame(columns=["metric", "value", "ci_low", "ci_high", "n"]), goals={"x": 1},
                                 top="top 10%", top_vs_rest=row)
        return found[0].direction

    assert direction(ROW) == "lower"
    assert direction({**ROW, "value_a": 90.0, "diff": 26.3, "ci_low": 17.6, "ci_high": 35.0}) == "higher"
    # A is above B, but the test of the difference says it is lower: the test decides
    assert direction({**ROW, "value_a": 81.0}) == "lower"
    # a p-value below alpha whose interval still reaches zero makes no comparative claim
    assert direction({**ROW, "diff": -2.0, "ci_low": -5.0, "ci_high": 1.0, "p_value": 0.04}) == "no clear difference"
    assert direction({**ROW, "diff": -9.0, "ci_low": -12.0, "ci_high": -6.0, "p_value": 0.2}) == "no clear difference"
    found = metrics_findings(pd.DataFrame(columns=["metric", "value", "ci_low", "ci_high", "n"]), goals={"x": 1},
                             top="top 10%", top_vs_rest=pd.DataFrame([ROW]))[0]
    assert (found.estimate, found.low, found.high, found.p_value) == (-26.3, -35.0, -17.6, 1e-9)
    assert found.test == "z-test of two proportions" and found.base == {"answers": 132,
                                                                        "answers from everyone else": 1501}
    assert "**less** satisfied" in found.sentence


def test_results_not_given_are_left_out_and_top_needs_its_words():
    sc = pd.DataFrame({"metric": ["CES"], "value": [float("nan")], "ci_low": [float("nan")],
                       "ci_high": [float("nan")], "n": [0]})
    found = metrics_findings(sc, goals={"CES": 5.5}, service=pd.DataFrame({"channel": ["All"], "fcr_rate": [70.0],
                                                                           "fcr_ci_low": [65.0], "fcr_ci_high": [75.0],
                                                                           "fcr_base": [10]}))
    assert [(f.key, f.sentence, f.estimate) for f in found] == [("ces", "CES: no answers.", None)]
    with pytest.raises(ValueError, match="needs top"):
        metrics_findings(sc, top_share=0.4)
    with pytest.raises(ValueError, match="one comparison"):
        metrics_findings(sc, top="top 10%", top_vs_rest=pd.DataFrame([ROW, ROW]))
