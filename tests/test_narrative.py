"""Board sentences follow the numbers they describe."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from cxkit.narrative import as_bullets, difference_sentence, escape


def test_difference_wording_follows_the_test():
    lower = {"value_a": 50.0, "value_b": 80.0, "diff": -30.0, "p_value": 0.0001}
    higher = {"value_a": 80.0, "value_b": 50.0, "diff": 30.0, "p_value": 0.02}
    noise = {"value_a": 78.0, "value_b": 80.0, "diff": -2.0, "p_value": 0.4}
    kw = dict(subject="Top spenders", other="the rest", measure="satisfied")
    assert "**less** satisfied" in difference_sentence(lower, **kw) and "p < 0.001" in difference_sentence(lower, **kw)
    text = difference_sentence(higher, **kw)
    assert "**more** satisfied" in text and "p = 0.020" in text
    assert "no clear difference (p = 0.400)" in difference_sentence(noise, **kw)
    assert "more" not in difference_sentence(noise, **kw) and "less" not in difference_sentence(noise, **kw)
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


class _Text(HTMLParser):
    """The text of an HTML fragment, as a reader sees it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.value = ""

    def handle_data(self, data):
        self.value += data


def test_facts_line_and_weighted_sentence():
    from cxkit.narrative import facts_line, weighted_sentence

    line = facts_line(as_of=pd.Timestamp("2025-12-31"), period="the 12 months to 31 Dec 2025", currency=None,
                      bases={"survey answers": 1204})
    assert line.startswith("Analysis date 31 Dec 2025") and "data's own unit" in line and "1,204 survey answers" in line
    text = weighted_sentence({"value": 77.0, "ci_low": 75.0, "ci_high": 79.0, "n": 3000},
                             {"value": 67.0, "ci_low": 62.0, "ci_high": 72.0, "n_effective": 400.0})
    assert "effective base 400 answers" in text
    assert not re.search(r"\b(lower|higher|less|more)\b", text)   # two numbers alone make no comparison


def test_facts_without_money():
    from cxkit.narrative import facts_line

    assert "money" not in facts_line(as_of=pd.Timestamp("2025-12-31"), money=False)


# ---------------------------------------------------------------- plain words, intervals, no sample defaults

PAYLOAD = "<img src=x onerror=alert(1)>"


def _no_markup(text: str) -> None:
    assert "<img" not in text and "&lt;img src=x onerror=alert&#40;1&#41;&gt;" in text


def test_difference_sentence_carries_its_interval_and_takes_its_direction_from_the_test():
    kw = dict(subject="Top spenders", other="the rest", measure="satisfied")
    lower = {"value_a": 51.4, "value_b": 79.3, "diff": -27.9, "ci_low": -34.2, "ci_high": -21.5, "p_value": 1e-9}
    assert difference_sentence(lower, **kw) == ("Top spenders are **less** satisfied: 51.4 against 79.3 for the rest, "
                                                "27.9 points lower (95% interval 21.5 to 34.2, p < 0.001).")
    higher = {"value_a": 80.0, "value_b": 54.0, "diff": 26.0, "ci_low": 18.0, "ci_high": 35.0, "p_value": 0.001}
    assert "**more** satisfied" in difference_sentence(higher, **kw)
    assert "26.0 points higher (95% interval 18.0 to 35.0, p = 0.001)" in difference_sentence(higher, **kw)
    unclear = {"value_a": 78.0, "value_b": 79.0, "diff": -1.0, "ci_low": -3.0, "ci_high": 5.0, "p_value": 0.6}
    text = difference_sentence(unclear, **kw)
    assert "no clear difference (-3.0 to +5.0 points, p = 0.600)" in text
    assert not re.search(r"\*\*(more|less)\*\*|higher|lower", text)
    # a p-value below alpha whose interval still reaches 0 makes no comparative claim
    edge = {**unclear, "p_value": 0.04}
    assert "no clear difference" in difference_sentence(edge, **kw)
    # the direction is the test's (the interval), not the order of the two values shown
    flipped = {"value_a": 80.0, "value_b": 50.0, "diff": -30.0, "ci_low": -36.0, "ci_high": -24.0, "p_value": 1e-6}
    assert "**less**" in difference_sentence(flipped, **kw) and "lower" in difference_sentence(flipped, **kw)


def test_value_difference_sentence_shows_the_interval_of_the_means():
    from cxkit.narrative import value_difference_sentence

    row = {"mean_a": 150.0, "mean_b": 100.0, "diff": 50.0, "ci_low": 20.0, "ci_high": 80.0, "p_value": 0.001,
           "median_a": 60.0, "median_b": 40.0, "p_median": 0.002, "n_a": 400, "n_b": 900}
    more = value_difference_sentence(row, subject="Members", other="guests", currency="USD")
    assert "worth **more**" in more and "a difference of +50 USD, 95% interval +20 USD to +80 USD" in more
    less = value_difference_sentence({**row, "mean_a": 50.0, "diff": -50.0, "ci_low": -80.0, "ci_high": -20.0,
                                      "median_a": 20.0}, subject="Members", other="guests")
    assert "worth **less**" in less and "95% interval -80 to -20" in less and "USD" not in less
    neither = value_difference_sentence({**row, "p_value": 0.3, "ci_low": -10.0, "p_median": 0.4},
                                        subject=PAYLOAD, other="guests")
    assert "worth about the same" in neither and "neither test finds a clear difference" in neither
    assert "**" not in neither
    _no_markup(neither)


def test_facts_line_without_currency_uses_the_datas_own_unit_and_no_symbol():
    from cxkit.narrative import facts_line

    line = facts_line(as_of=pd.Timestamp("2025-06-29"), period="the 12 months to 29 Jun 2025")
    assert "money in the data's own unit" in line and not re.search(r"[£$€]|GBP|USD|EUR", line)
    assert "money in EUR" in facts_line(as_of=pd.Timestamp("2025-06-29"), currency="EUR")


def test_nothing_in_the_presentation_modules_defaults_to_a_currency():
    import inspect

    from cxkit import display, narrative, periods

    for module in (narrative, display, periods):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            for p in inspect.signature(fn).parameters.values():
                assert p.default is inspect.Parameter.empty or "£" not in str(p.default), (module.__name__, name)
                if p.name == "currency":
                    assert p.default in (None, inspect.Parameter.empty), (module.__name__, name)


def test_coverage_sentence_says_which_tables_end_early():
    from cxkit.narrative import coverage_sentence
    from cxkit.periods import coverage, reporting_period

    period = reporting_period("12M", as_of="2025-06-29")
    surveys = pd.DataFrame({"date": pd.to_datetime(["2024-08-01", "2024-12-28"])})
    sales = pd.DataFrame({"date": pd.to_datetime(["2024-07-01", "2025-06-20"])})
    cov = coverage({"surveys": surveys, "transactions": sales, "contacts": None}, period)
    assert coverage_sentence(cov) == ("Survey answers end on 28 Dec 2024, six months before the period's end "
                                      "(29 Jun 2025): the satisfaction figures describe the period up to then.")
    assert coverage_sentence(coverage({"transactions": sales}, period)) is None
    late = coverage({"contacts": pd.DataFrame({"date": pd.to_datetime(["2025-05-01"])}),
                     "orders": pd.DataFrame({"date": pd.to_datetime(["2020-01-01"])})}, period)
    text = coverage_sentence(late)
    assert "Contacts end on 1 May 2025, 59 days before the period's end (29 Jun 2025): the service figures" in text
    assert "The orders table has no rows in the reporting period (to 29 Jun 2025)" in text
    bad = coverage({PAYLOAD: surveys}, period)
    _no_markup(coverage_sentence(bad))
    _no_markup(coverage_sentence(cov, names={"surveys": PAYLOAD}))


def test_new_sentences_render_names_as_text_through_markdown():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from cxkit.narrative import coverage_sentence
    from cxkit.periods import coverage, reporting_period

    cov = coverage({PAYLOAD: pd.DataFrame({"date": pd.to_datetime(["2024-12-28"])})},
                   reporting_period("12M", as_of="2025-06-29"))
    for sentence in (coverage_sentence(cov),):
        rendered = markdown2html_mistune(sentence)
        assert "<img" not in rendered
        text = _Text()
        text.feed(rendered)
        assert PAYLOAD in text.value


def test_value_difference_sentence_says_which_test_finds_a_difference_and_claims_no_direction():
    from cxkit.narrative import value_difference_sentence

    row = {"mean_a": 191.0, "mean_b": 430.0, "diff": -239.0, "ci_low": -337.0, "ci_high": -140.0, "p_value": 1e-5,
           "median_a": 66.0, "median_b": 62.0, "p_median": 0.84, "n_a": 103, "n_b": 900, "top5_share_a": 0.38}
    mean_only = value_difference_sentence(row, subject="Dissatisfied customers", other="satisfied ones")
    assert "differ on average but not clearly in the typical customer" in mean_only
    assert "a few large customers make the difference" in mean_only
    median_only = value_difference_sentence({**row, "p_value": 0.3, "ci_high": 20.0, "p_median": 0.01},
                                            subject="Dissatisfied customers", other="satisfied ones")
    assert "differ in the typical customer but not clearly on average" in median_only
    opposite = value_difference_sentence({**row, "p_median": 0.01}, subject="A", other="B")
    assert opposite.startswith("The value of a against B points two ways")
    for text in (mean_only, median_only, opposite):
        assert "**more**" not in text and "**less**" not in text
