"""Board sentences follow the numbers they describe."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from cxkit import metrics
from cxkit.narrative import as_bullets, difference_sentence, escape, forecast_warnings, scorecard_sentences


def test_scorecard_sentences_carry_goal_status():
    surveys = pd.DataFrame({"nps": [10] * 6 + [3] * 4, "csat": [5] * 9 + [1]})
    sc = metrics.cx_scorecard(surveys)
    gaps = metrics.gap_analysis(sc, {"NPS": 90, "CSAT": 50})
    lines = scorecard_sentences(sc, gaps)
    assert lines[0].startswith("NPS is **+20**") and "short of the goal" in lines[0]
    assert lines[1].startswith("**90%** of customers are satisfied") and "goal met" in lines[1]


def test_difference_wording_follows_the_test():
    lower = {"value_a": 50.0, "value_b": 80.0, "diff": -30.0, "p_value": 0.0001}
    higher = {"value_a": 80.0, "value_b": 50.0, "diff": 30.0, "p_value": 0.02}
    noise = {"value_a": 78.0, "value_b": 80.0, "diff": -2.0, "p_value": 0.4}
    kw = dict(subject="Top spenders", other="the rest", measure="satisfied")
    assert "**less** satisfied" in difference_sentence(lower, **kw) and "p < 0.001" in difference_sentence(lower, **kw)
    text = difference_sentence(higher, **kw)
    assert "**more** satisfied" in text and "p = 0.020" in text
    assert "within the noise" in difference_sentence(noise, **kw)
    assert as_bullets(["a", "", "b"]) == "- a\n- b"


# ---------------------------------------------------------------- escaping (#13)

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "[click](javascript:window.__pwned=1)",
    "![x](javascript:window.__pwned=1)",
    "`code` *bold* _it_ # | ~ $x$ \\",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_leaves_no_markup_and_renders_as_written(payload):
    """Rendered through the same Markdown -> HTML path as the reports, the text reads as written."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    escaped = escape(payload)
    assert not set(re.sub(r"&(#[0-9]+|#x[0-9a-f]+|[a-z]+);", "", escaped)) & set("<>\"'[]()`*_!#|~$\\&")
    rendered = markdown2html_mistune(f"- Channel {escaped} is slow.")
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "<em>" not in rendered and "<strong>" not in rendered and "<code>" not in rendered
    text = _Text()
    text.feed(rendered)
    assert text.value.strip() == f"Channel {payload} is slow."


@pytest.mark.parametrize("name", ["Club Plus", "North-East", "Online 2024", "Café & Bar", "Can't Lose Them"])
def test_escape_keeps_ordinary_names_readable(name):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    text = _Text()
    text.feed(markdown2html_mistune(escape(name)))
    assert text.value.strip() == name
    if name[0].isalpha() and name.replace(" ", "").replace("-", "").isalnum():
        assert escape(name) == name


def test_escape_turns_line_breaks_into_spaces():
    """A name with a line break cannot start a heading, list or table of its own."""
    assert "\n" not in escape("North\n# Heading\n- item") and escape("a\r\nb") == "a b"


def test_narrative_sentences_escape_what_they_are_given():
    row = {"value_a": 50.0, "value_b": 80.0, "diff": -30.0, "p_value": 0.0001}
    bad = '<img src=x onerror="window.__pwned=1">'
    sentence = difference_sentence(row, subject=bad, other="[the rest](javascript:x)", measure="satisfied")
    assert "<img" not in sentence and "[the rest]" not in sentence and "&lt;img" in sentence
    sc = pd.DataFrame({"metric": ["<b>odd</b>"], "value": [3.0], "ci_low": [2.0], "ci_high": [4.0], "n": [10]})
    assert "<b>" not in scorecard_sentences(sc)[0]


# ---------------------------------------------------------------- forecast checks shown to the reader


def test_forecast_warnings_pass_quietly_and_speak_up_when_checks_fail():
    good = pd.DataFrame({"actual": [4463.0], "error_pct": [4.1]})
    deciles = pd.DataFrame({"decile": [1, 2, 3], "actual": [9.0, 30.0, 900.0]})
    assert forecast_warnings(good, deciles) == []
    off = pd.DataFrame({"actual": [400.0], "error_pct": [31.2]})
    assert forecast_warnings(off) == [
        "Check: the holdout error is +31%, larger than 25%; treat the forecast with caution."]
    assert "-40%" in forecast_warnings(off.assign(error_pct=-40.0))[0]
    assert forecast_warnings(off, max_error_pct=35) == []
    backwards = deciles.assign(actual=[900.0, 30.0, 9.0]).iloc[::-1]     # row order must not matter
    lines = forecast_warnings(good, backwards)
    assert len(lines) == 1 and "ranks highest bought less" in lines[0] and "9 against 900" in lines[0]
    nothing = forecast_warnings(pd.DataFrame({"actual": [0.0], "error_pct": [1e14]}))
    assert len(nothing) == 1 and "could not be checked" in nothing[0]


class _Text(HTMLParser):
    """The text of an HTML fragment, as a reader sees it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.value = ""

    def handle_data(self, data):
        self.value += data


def test_scorecard_sentences_name_the_period():
    sc = metrics.cx_scorecard(pd.DataFrame({"nps": [10] * 6 + [3] * 4}))
    line = scorecard_sentences(sc, period="the 12 months to 31 Dec 2025")[0]
    assert "10 answers in the 12 months to 31 Dec 2025" in line


def test_segment_sentence_follows_what_the_model_says():
    from cxkit.narrative import segment_sentence

    active = segment_sentence({"segment": "At Risk", "share": 0.08, "clv_share": 0.11, "p_alive": 0.88},
                              action="Win back only where it is cheap.")
    gone = segment_sentence({"segment": "At Risk", "share": 0.08, "clv_share": 0.02, "p_alive": 0.21},
                            action="Win back only where it is cheap.")
    assert "still rates most of them as active" in active and "win them back" not in active
    assert "probably lapsed" in gone and "0.21" in gone
    loyal = segment_sentence({"segment": "Champions", "share": 0.1, "clv_share": 0.4, "p_alive": 0.95},
                             action="Reward them.")
    assert loyal.endswith("Reward them.") and "10% of customers" in loyal


def test_clv_and_holdout_sentences_carry_interval_currency_and_caveats():
    from cxkit.narrative import clv_total_sentence, holdout_sentence

    text = clv_total_sentence({"total": 123_456.0, "ci_low": 110_000.0, "ci_high": 140_000.0}, horizon_months=12,
                              n_customers=4321, currency="GBP", last_year_revenue=150_000.0, n_left=12)
    assert "123,000 GBP" in text and "110,000 GBP to 140,000 GBP" in text and "150,000 GBP" in text
    assert "discounted" in text and "not yet acquired" in text and "12 customers who have already cancelled" in text
    plain = clv_total_sentence({"total": 950.0, "ci_low": 900.0, "ci_high": 990.0}, horizon_months=6, n_customers=10)
    assert "**950**" in plain
    assert "rough guide" in holdout_sentence({"error_pct": 31.0}, months=5)
    assert "revenue" in holdout_sentence({"error_pct": 3.0}, months=6, revenue={"error_pct": -1.0})


def test_facts_line_and_weighted_sentence():
    from cxkit.narrative import facts_line, weighted_sentence

    line = facts_line(as_of=pd.Timestamp("2025-12-31"), period="the 12 months to 31 Dec 2025", currency=None,
                      bases={"survey answers": 1204})
    assert line.startswith("Analysis date 31 Dec 2025") and "data's own unit" in line and "1,204 survey answers" in line
    text = weighted_sentence({"value": 77.0, "ci_low": 75.0, "ci_high": 79.0, "n": 3000},
                             {"value": 67.0, "ci_low": 62.0, "ci_high": 72.0, "n_effective": 400.0})
    assert "effective base 400 answers" in text
    assert not re.search(r"\b(lower|higher|less|more)\b", text)   # two numbers alone make no comparison


def test_service_sentence_names_both_ends_with_intervals_and_escapes_channels():
    from cxkit.narrative import service_sentence

    sm = metrics.service_metrics(pd.DataFrame({
        "channel": ["<b>chat</b>"] * 4 + ["phone"] * 4, "wait_minutes": [1.0] * 8,
        "resolved_first_contact": [True, False, False, False, True, True, True, False]}))
    text = service_sentence(sm)
    assert "25% for &lt;b&gt;chat&lt;/b&gt;" in text and "75% for phone" in text and "<b>" not in text
    assert service_sentence(sm[sm["channel"] != "phone"]) is None


def test_dollar_amounts_cannot_open_a_formula_in_markdown():
    from cxkit.narrative import clv_total_sentence

    text = clv_total_sentence({"total": 68_000.0, "ci_low": 64_000.0, "ci_high": 72_000.0}, horizon_months=12,
                              n_customers=2349, currency="$")
    assert "$" not in text and "**&#36;68,000**" in text


def test_hazard_sentence_wording_follows_the_interval_and_escapes():
    from cxkit.narrative import hazard_sentence

    up = hazard_sentence({"hazard_ratio": 1.319, "ci_low": 1.236, "ci_high": 1.408}, what="Each unresolved contact")
    assert "raises the risk of leaving by **32%** (95% interval 24-41%)" in up
    down = hazard_sentence({"hazard_ratio": 0.668, "ci_low": 0.600, "ci_high": 0.743}, what="Each CSAT point")
    assert "lowers the risk of leaving by **33%** (95% interval 26-40%)" in down
    null = hazard_sentence({"hazard_ratio": 1.11, "ci_low": 0.98, "ci_high": 1.27}, what="<b>wait</b>")
    assert "no evidence of an effect" in null and "raises" not in null and "<b>" not in null
    assert "&lt;b&gt;wait&lt;/b&gt;" in null


def test_immortal_time_sentence_explains_only_a_reversal():
    from cxkit.narrative import immortal_time_sentence

    right = {"hazard_ratio": 1.32, "ci_low": 1.24, "ci_high": 1.41}
    text = immortal_time_sentence({"hazard_ratio": 0.83}, right, what="unresolved contacts")
    assert "*protective* (hazard ratio 0.83)" in text and "more time to contact us" in text and "**1.32**" in text
    same = immortal_time_sentence({"hazard_ratio": 1.10}, right, what="unresolved contacts")
    assert "protective" not in same and "1.10" in same and "**1.32**" in same


def test_attributable_sentence_says_no_evidence_when_the_interval_includes_zero():
    from cxkit.narrative import attributable_sentence

    row = {"expected_churners": 158.9, "attributable_churners": 29.4, "attributable_share": 0.186,
           "ci_low": 0.138, "ci_high": 0.230, "customers": 3672}
    text = attributable_sentence(row, 90)
    assert "**159**" in text and "**29**" in text and "**19%**" in text and "14-23%" in text and "90 days" in text
    weak = attributable_sentence({**row, "ci_low": -0.02, "attributable_share": 0.05}, 90, what="<i>waits</i>")
    assert weak.startswith("**No evidence**") and "-2 to 23%" in weak and "<i>" not in weak


def test_rmst_sentence_follows_the_test():
    from cxkit.narrative import rmst_sentence

    row = {"group_a": "Club Plus", "group_b": "Club", "horizon": 365.0, "rmst_a": 318.2, "rmst_b": 330.6,
           "difference": -12.4, "ci_low": -16.5, "ci_high": -8.3, "p_value": 0.0001}
    text = rmst_sentence(row)
    assert "**12.4 days fewer**" in text and "8.3-16.5 days" in text and "p < 0.001" in text
    assert "first 365 days" in text and "Club Plus members" in text
    noise = rmst_sentence({**row, "p_value": 0.4}, a="<b>x</b>", b="others")
    assert "within the noise" in noise and "fewer" not in noise and "<b>" not in noise


def test_risk_sentences_and_facts_without_money():
    from cxkit.narrative import facts_line, risk_check_sentence, risk_list_sentence

    assert "59% of the time" in risk_check_sentence(0.594, 170.4, 156, horizon_days=90)
    text = risk_list_sentence(pd.Series([0.2, 0.3]), pd.Series([0.01, 0.02, 0.2, 0.3]), horizon_days=30)
    assert "20%-30%" in text and "average member 13.2%" in text
    assert "money" not in facts_line(as_of=pd.Timestamp("2025-12-31"), money=False)
