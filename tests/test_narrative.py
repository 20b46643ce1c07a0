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
    assert "**more** satisfied" in difference_sentence(higher, **kw) and "p = 0.020" in difference_sentence(higher, **kw)
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
