"""Survival sentences follow the numbers they describe: wording by the interval and the test, data escaped."""
from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from cxkit.survival.sentences import (
    attributable_sentence,
    by_kind_sentence,
    hazard_sentence,
    immortal_time_sentence,
    no_analysis_date_sentence,
    risk_check_sentence,
    risk_list_sentence,
    rmst_sentence,
)

PAYLOAD = "<img src=x onerror=alert(1)>"


def _no_markup(text: str) -> None:
    assert "<img" not in text and "&lt;img src=x onerror=alert&#40;1&#41;&gt;" in text


class _Text(HTMLParser):
    """The text of an HTML fragment, as a reader sees it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.value = ""

    def handle_data(self, data):
        self.value += data


def test_hazard_sentence_wording_follows_the_interval_and_escapes():
    up = hazard_sentence({"hazard_ratio": 1.319, "ci_low": 1.236, "ci_high": 1.408}, what="Each unresolved contact")
    assert up == "Each unresolved contact raises the day-to-day risk of leaving by **32%** (95% interval 24% to 41%)."
    down = hazard_sentence({"hazard_ratio": 0.668, "ci_low": 0.600, "ci_high": 0.743}, what="Each CSAT point")
    assert "lowers the day-to-day risk of leaving by **33%** (95% interval 26% to 40%)" in down
    null = hazard_sentence({"hazard_ratio": 1.11, "ci_low": 0.98, "ci_high": 1.27}, what="<b>wait</b>")
    assert "**no clear evidence either way**" in null and "raises" not in null and "<b>" not in null
    assert "95% interval from 2% lower to 27% higher" in null
    assert not any("hazard ratio" in t for t in (up, down, null))
    assert "&lt;b&gt;wait&lt;/b&gt;" in null


def test_immortal_time_sentence_explains_only_a_reversal():
    right = {"hazard_ratio": 1.32, "ci_low": 1.24, "ci_high": 1.41}
    text = immortal_time_sentence({"hazard_ratio": 0.83}, right, what="unresolved contacts")
    assert "*protective* (as if each lowered the risk of leaving by 17%)" in text and "more time to contact us" in text
    assert "each raises the day-to-day risk of leaving by **32%** (95% interval 24% to 41%)" in text
    same = immortal_time_sentence({"hazard_ratio": 1.10}, right, what="unresolved contacts")
    assert "protective" not in same and "raised the risk of leaving by 10%" in same and "**32%**" in same
    assert "hazard ratio" not in text + same
    unclear = immortal_time_sentence({"hazard_ratio": 0.83}, {"hazard_ratio": 1.05, "ci_low": 0.9, "ci_high": 1.2},
                                     what="<i>waits</i>")
    assert "no clear evidence either way" in unclear and "<i>" not in unclear


def test_attributable_sentence_says_no_evidence_when_the_interval_includes_zero():
    row = {"expected_churners": 158.9, "attributable_churners": 29.4, "attributable_share": 0.186,
           "ci_low": 0.138, "ci_high": 0.230, "customers": 3672}
    text = attributable_sentence(row, 90)
    assert "**159**" in text and "**29**" in text and "**19%**" in text and "14-23%" in text and "90 days" in text
    weak = attributable_sentence({**row, "ci_low": -0.02, "attributable_share": 0.05}, 90, what="<i>waits</i>")
    assert weak.startswith("**No evidence**") and "-2 to 23%" in weak and "<i>" not in weak


def test_rmst_sentence_follows_the_test():
    row = {"group_a": "Club Plus", "group_b": "Club", "horizon": 365.0, "rmst_a": 318.2, "rmst_b": 330.6,
           "difference": -12.4, "ci_low": -16.5, "ci_high": -8.3, "p_value": 0.0001}
    text = rmst_sentence(row)
    assert text.startswith("Club Plus members stay on average **12.4 days less** than Club members within their "
                           "first 365 days (95% interval 8.3 to 16.5 days;") and "p < 0.001" in text
    longer = rmst_sentence({**row, "difference": 12.4, "ci_low": 8.3, "ci_high": 16.5})
    assert "stay on average **12.4 days longer**" in longer and "(95% interval 8.3 to 16.5 days;" in longer
    noise = rmst_sentence({**row, "p_value": 0.4, "ci_low": -16.5, "ci_high": 2.0}, a="<b>x</b>", b="others")
    assert "no clear difference (-16.5 to +2.0 days, p = 0.400)" in noise and "less" not in noise
    assert "<b>" not in noise and "&lt;b&gt;x&lt;/b&gt;" in noise
    assert "RMST" not in text + longer + noise


def test_hazard_sentence_words_survey_measures_as_an_association():
    csat = {"hazard_ratio": 0.67, "ci_low": 0.60, "ci_high": 0.74}
    text = hazard_sentence(csat, what="Each point of the latest CSAT answer", association=True,
                           who="customers who rate us a point higher")
    assert text.startswith("Customers who rate us a point higher leave **less often**: each point of the latest CSAT "
                           "answer goes with a **33% lower** day-to-day risk of leaving (95% interval 26% to 40%).")
    assert "association" in text and "lowers" not in text and "raises" not in text
    up = hazard_sentence({"hazard_ratio": 1.2, "ci_low": 1.1, "ci_high": 1.3}, what="Having answered a survey",
                         association=True)
    assert up.startswith("Having answered a survey goes with a **20% higher** day-to-day risk of leaving "
                         "(95% interval 10% to 30%)") and "not proof" in up and "raises" not in up
    null = hazard_sentence({"hazard_ratio": 0.95, "ci_low": 0.8, "ci_high": 1.1}, what="x", association=True,
                           who=PAYLOAD)
    assert "no clear evidence either way" in null and "**less often**" not in null
    assert "(95% interval from 20% lower to 10% higher day-to-day risk of leaving)" in null
    _no_markup(null)
    _no_markup(hazard_sentence(csat, what=PAYLOAD, association=True))
    _no_markup(hazard_sentence(csat, what="A point", association=True, who=PAYLOAD))
    # the causal wording stays for what the company does (contacts), not for survey answers
    assert "lowers the day-to-day risk" in hazard_sentence(csat, what="Each point")


def test_rmst_sentence_names_its_window():
    row = {"group_a": "Club Plus", "group_b": "Club", "horizon": 365.0, "rmst_a": 343.0, "rmst_b": 330.6,
           "difference": 12.4, "ci_low": 8.3, "ci_high": 16.5, "p_value": 0.0001}
    text = rmst_sentence(row, a="members with a bad contact by day 180", b="those without",
                         within="in the 365 days after day 180")
    assert "those without in the 365 days after day 180 (95% interval" in text and "first 365" not in text
    _no_markup(rmst_sentence(row, within=PAYLOAD))
    _no_markup(rmst_sentence({**row, "group_a": PAYLOAD}))



def test_risk_sentences():
    assert "59% of the time" in risk_check_sentence(0.594, 170.4, 156, horizon_days=90)
    text = risk_list_sentence(pd.Series([0.2, 0.3]), pd.Series([0.01, 0.02, 0.2, 0.3]), horizon_days=30)
    assert "20%-30%" in text and "average member 13.2%" in text and "The list is" not in text
    where = risk_list_sentence(pd.Series([0.2, 0.3]), pd.Series([0.01, 0.3]), horizon_days=30, where="section 5")
    assert where.endswith("(average member 15.5%). The list is in section 5.")
    _no_markup(risk_list_sentence(pd.Series([0.2]), pd.Series([0.2]), horizon_days=30, where=PAYLOAD))


def test_hazard_sentence_renders_names_as_text_through_markdown():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    sentence = hazard_sentence({"hazard_ratio": 0.7, "ci_low": 0.6, "ci_high": 0.8}, what="x", association=True,
                               who=PAYLOAD)
    rendered = markdown2html_mistune(sentence)
    assert "<img" not in rendered
    text = _Text()
    text.feed(rendered)
    assert PAYLOAD in text.value


def test_by_kind_sentence_nests_the_kinds_under_one_item():
    from cxkit.findings import Finding
    from cxkit.narrative import as_bullets

    kinds = ["Unresolved raise it.", Finding(theme="survival", key="k", what="waits", sentence="Waits: unclear.")]
    assert as_bullets(["First.", by_kind_sentence(kinds)]) == ("- First.\n- By kind, in a second model:\n"
                                                               "  - Unresolved raise it.\n  - Waits: unclear.")


def test_no_analysis_date_sentence_names_the_parameter():
    text = no_analysis_date_sentence(parameter="as_of", example="2024-06-30")
    assert text.startswith("No analysis date: the folder has no transactions, surveys or contacts")
    assert text.endswith('Set the as_of parameter (-p as_of "2024-06-30").')
