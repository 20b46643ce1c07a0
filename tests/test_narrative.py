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
    sc = pd.DataFrame({"metric": ["<b>odd</b>"], "value": [3.0], "ci_low": [2.0], "ci_high": [4.0], "n": [10]})
    assert "<b>" not in scorecard_sentences(sc)[0]


# ---------------------------------------------------------------- forecast checks shown to the reader


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
    assert "probably lapsed" in gone and "still buying averages 21%" in gone and "p(alive)" not in gone
    assert "still buying averages 88%" in active and "p(alive)" not in active
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
    assert up == "Each unresolved contact raises the day-to-day risk of leaving by **32%** (95% interval 24% to 41%)."
    down = hazard_sentence({"hazard_ratio": 0.668, "ci_low": 0.600, "ci_high": 0.743}, what="Each CSAT point")
    assert "lowers the day-to-day risk of leaving by **33%** (95% interval 26% to 40%)" in down
    null = hazard_sentence({"hazard_ratio": 1.11, "ci_low": 0.98, "ci_high": 1.27}, what="<b>wait</b>")
    assert "**no clear evidence either way**" in null and "raises" not in null and "<b>" not in null
    assert "95% interval from 2% lower to 27% higher" in null
    assert not any("hazard ratio" in t for t in (up, down, null))
    assert "&lt;b&gt;wait&lt;/b&gt;" in null


def test_immortal_time_sentence_explains_only_a_reversal():
    from cxkit.narrative import immortal_time_sentence

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
    assert text.startswith("Club Plus members stay on average **12.4 days less** than Club members within their "
                           "first 365 days (95% interval 8.3 to 16.5 days;") and "p < 0.001" in text
    longer = rmst_sentence({**row, "difference": 12.4, "ci_low": 8.3, "ci_high": 16.5})
    assert "stay on average **12.4 days longer**" in longer and "(95% interval 8.3 to 16.5 days;" in longer
    noise = rmst_sentence({**row, "p_value": 0.4, "ci_low": -16.5, "ci_high": 2.0}, a="<b>x</b>", b="others")
    assert "no clear difference (-16.5 to +2.0 days, p = 0.400)" in noise and "less" not in noise
    assert "<b>" not in noise and "&lt;b&gt;x&lt;/b&gt;" in noise
    assert "RMST" not in text + longer + noise


def test_risk_sentences_and_facts_without_money():
    from cxkit.narrative import facts_line, risk_check_sentence, risk_list_sentence

    assert "59% of the time" in risk_check_sentence(0.594, 170.4, 156, horizon_days=90)
    text = risk_list_sentence(pd.Series([0.2, 0.3]), pd.Series([0.01, 0.02, 0.2, 0.3]), horizon_days=30)
    assert "20%-30%" in text and "average member 13.2%" in text
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


def test_hazard_sentence_words_survey_measures_as_an_association():
    from cxkit.narrative import hazard_sentence

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
    from cxkit.narrative import rmst_sentence

    row = {"group_a": "Club Plus", "group_b": "Club", "horizon": 365.0, "rmst_a": 343.0, "rmst_b": 330.6,
           "difference": 12.4, "ci_low": 8.3, "ci_high": 16.5, "p_value": 0.0001}
    text = rmst_sentence(row, a="members with a bad contact by day 180", b="those without",
                         within="in the 365 days after day 180")
    assert "those without in the 365 days after day 180 (95% interval" in text and "first 365" not in text
    _no_markup(rmst_sentence(row, within=PAYLOAD))
    _no_markup(rmst_sentence({**row, "group_a": PAYLOAD}))


def test_holdout_sentence_says_over_or_under_forecast():
    from cxkit.narrative import holdout_sentence

    text = holdout_sentence({"error_pct": -3.0}, months=6, revenue={"error_pct": 4.26})
    assert text == "Checked on 6 months it had not seen, purchases were under-forecast by 3.0% and revenue " \
                   "over-forecast by 4.3%."
    assert "off by" not in text
    rough = holdout_sentence({"error_pct": -31.0}, months=5)
    assert "under-forecast by 31.0%: more than 25% off, so treat it as a rough guide" in rough
    assert "to within 0.05%" in holdout_sentence({"error_pct": 0.01}, months=6)


def test_clv_total_sentence_explains_the_gap_to_last_years_spend():
    from cxkit.narrative import clv_total_sentence

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


def test_scorecard_without_goals_says_none_are_set_and_how_to_set_them():
    from cxkit.narrative import NO_GOALS

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

    from cxkit.narrative import coverage_sentence, hazard_sentence
    from cxkit.periods import coverage, reporting_period

    cov = coverage({PAYLOAD: pd.DataFrame({"date": pd.to_datetime(["2024-12-28"])})},
                   reporting_period("12M", as_of="2025-06-29"))
    for sentence in (coverage_sentence(cov),
                     hazard_sentence({"hazard_ratio": 0.7, "ci_low": 0.6, "ci_high": 0.8}, what="x",
                                     association=True, who=PAYLOAD)):
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
