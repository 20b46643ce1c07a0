"""The metrics theme's board sentences (cxkit.metrics.sentences) follow the numbers they describe."""
from __future__ import annotations

import inspect

import pandas as pd

from cxkit import metrics
from cxkit.metrics import sentences
from cxkit.metrics.sentences import NO_GOALS, NO_GOALS_SET, scorecard_sentences, service_sentence


def test_scorecard_sentences_carry_goal_status():
    surveys = pd.DataFrame({"nps": [10] * 6 + [3] * 4, "csat": [5] * 9 + [1]})
    sc = metrics.cx_scorecard(surveys)
    gaps = metrics.gap_analysis(sc, {"NPS": 90, "CSAT": 50})
    lines = scorecard_sentences(sc, gaps)
    assert lines[0].startswith("NPS is **+20**") and "short of the goal" in lines[0]
    assert lines[1].startswith("**90%** of customers are satisfied") and "goal met" in lines[1]


def test_scorecard_sentences_name_the_period():
    sc = metrics.cx_scorecard(pd.DataFrame({"nps": [10] * 6 + [3] * 4}))
    line = scorecard_sentences(sc, period="the 12 months to 31 Dec 2025")[0]
    assert "10 answers in the 12 months to 31 Dec 2025" in line


def test_service_sentence_names_both_ends_with_intervals_and_escapes_channels():
    sm = metrics.service_metrics(pd.DataFrame({
        "channel": ["<b>chat</b>"] * 4 + ["phone"] * 4, "wait_minutes": [1.0] * 8,
        "resolved_first_contact": [True, False, False, False, True, True, True, False]}))
    text = service_sentence(sm)
    assert "25% for &lt;b&gt;chat&lt;/b&gt;" in text and "75% for phone" in text and "<b>" not in text
    assert service_sentence(sm[sm["channel"] != "phone"]) is None


def test_scorecard_without_goals_says_none_are_set_and_how_to_set_them():
    sc = metrics.cx_scorecard(pd.DataFrame({"nps": [10] * 6 + [3] * 4, "csat": [5] * 9 + [1]}))
    lines = scorecard_sentences(sc)
    assert lines[-1] == NO_GOALS and "cxkit.toml" in NO_GOALS and "[goals]" in NO_GOALS and "NPS = 30" in NO_GOALS
    assert not any("goal of" in line for line in lines)
    empty = metrics.gap_analysis(sc, {})
    assert scorecard_sentences(sc, empty)[-1] == NO_GOALS
    some = scorecard_sentences(sc, metrics.gap_analysis(sc, {"NPS": 10}))
    assert "against a goal of +10" in some[0] and some[1].endswith("; no goal is set for it.")
    assert NO_GOALS not in some and len(some) == 2
    assert scorecard_sentences(sc, goals_note=False) == lines[:-1]



def test_scorecard_sentences_escape_the_metric_names_they_are_given():
    sc = pd.DataFrame({"metric": ["<b>odd</b>"], "value": [3.0], "ci_low": [2.0], "ci_high": [4.0], "n": [10]})
    assert "<b>" not in scorecard_sentences(sc)[0]


def test_no_goals_set_is_the_first_sentence_of_no_goals():
    assert NO_GOALS.startswith(NO_GOALS_SET) and NO_GOALS_SET.endswith("not compared with any.")


def test_the_metrics_sentences_default_to_no_currency_and_list_what_notebooks_call():
    for name, fn in inspect.getmembers(sentences, inspect.isfunction):
        for p in inspect.signature(fn).parameters.values():
            assert p.default is inspect.Parameter.empty or "£" not in str(p.default), name
    assert {"scorecard_sentences", "service_sentence", "NO_GOALS", "NO_GOALS_SET", "SCALE_WORDS"} <= set(
        sentences.__all__)
    assert set(sentences.SCALE_WORDS) == {"NPS", "CSAT", "CES"}
