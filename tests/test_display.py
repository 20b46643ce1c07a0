"""Result tables shown as a reader expects them (issue #7)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from cxkit.display import LABELS, Table, format_money, label, table, time_unit_words


def _scorecard() -> pd.DataFrame:
    return pd.DataFrame({"metric": ["NPS", "CSAT", "CES"], "n": [3421, 3566, 2672],
                         "value": [27.185, 77.3416, 5.29603], "ci_low": [24.6148, 75.9386, 5.25552],
                         "ci_high": [29.7076, 78.6857, 5.33655], "small_base": [False, False, True]})


class _Cells(HTMLParser):
    """Header and body cells of the first table, as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.head, self.rows, self.tags, self._cell, self._where = [], [], [], None, None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "thead":
            self._where = "head"
        elif tag == "tbody":
            self._where = "body"
        elif tag == "tr" and self._where == "body":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            (self.head if self._where == "head" else self.rows[-1]).append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data.replace("\xa0", " ")     # intervals tie "24.6&nbsp;to" for wrapping


def _parse(t: Table) -> _Cells:
    page = _Cells()
    page.feed(t.html)
    return page


def test_headers_come_from_the_dictionary_and_intervals_read_as_one_column():
    page = _parse(table(_scorecard()))
    assert page.head == ["metric", "answers", "value", "95% CI", "small base (<30)"]
    assert page.rows[0] == ["NPS", "3,421", "27.2", "24.6 to 29.7", "no"]
    assert page.rows[2] == ["CES", "2,672", "5.30", "5.26 to 5.34", "yes"]   # CES, a 1-7 mean, gets 2 decimals
    assert "<td class=\"cx-num\">24.6&nbsp;to 29.7</td>" in table(_scorecard()).html


def test_main_dictionary_entries():
    assert {k: LABELS[k] for k in ["n", "diff", "p_value", "small_base", "share", "clv_share"]} == {
        "n": "answers", "diff": "difference", "p_value": "p", "small_base": "small base (<30)",
        "share": "% of customers", "clv_share": "% of CLV"}
    assert label("median_wait_minutes") == "median wait (minutes)"
    assert label("some_new_column") == "some new column"          # unknown names become words
    assert label("T", time_unit="M") == "months since first purchase"


def test_comparison_columns_take_the_groups_names_and_p_values_read_below_0001():
    tests = pd.DataFrame({"group_a": ["top 10%"], "group_b": ["everyone else"], "n_a": [247], "n_b": [3319],
                          "value_a": [51.42], "value_b": [79.27], "diff": [-27.85], "ci_low": [-34.24],
                          "ci_high": [-21.47], "p_value": [2e-9]})
    page = _parse(table(tests, groups=("top 10%", "everyone else")))
    assert page.head == ["group A", "group B", "answers, top 10%", "answers, everyone else", "top 10%",
                         "everyone else", "difference", "95% CI", "p"]
    assert page.rows[0][-3:] == ["-27.9", "-34.2 to -21.5", "<0.001"]
    labelled = _parse(table(tests[["value_a", "value_b"]], labels={"value_a": "top 10%", "value_b": "everyone else"}))
    assert labelled.head == ["top 10%", "everyone else"]


def test_other_interval_pairs_are_joined_too_and_keep_their_estimates_format():
    service = pd.DataFrame({"channel": ["chat"], "fcr_rate": [80.734], "fcr_ci_low": [79.48], "fcr_ci_high": [81.92]})
    trend = pd.DataFrame({"period": ["2025Q1"], "change": [0.2], "change_ci_low": [-11.15], "change_ci_high": [11.55],
                          "change_p_value": [0.9726]})
    assert _parse(table(service)).rows[0] == ["chat", "80.7%", "79.5% to 81.9%"]
    page = _parse(table(trend))
    assert page.head == ["period", "change", "change 95% CI", "p (change)"]
    assert page.rows[0] == ["2025Q1", "0.2", "-11.2 to 11.6", "0.973"]
    assert _parse(table(trend, intervals=False)).head[2:4] == ["change 95% CI low", "change 95% CI high"]
    chosen = _parse(table(trend, intervals={"range of the change": ("change_ci_low", "change_ci_high")}))
    assert chosen.head[2] == "range of the change"


def test_shares_percentages_and_money():
    seg = pd.DataFrame({"segment": ["Champions"], "customers": [914], "share": [0.1828], "clv_share": [0.6384],
                        "mean_clv": [1253.65], "csat": [77.34], "spend": [1234.4]})
    gbp = _parse(table(seg, currency="£", money=["spend"], percent_0_100=["csat"]))
    assert gbp.head == ["segment", "customers", "% of customers", "% of CLV", "mean CLV", "csat", "spend"]
    assert gbp.rows[0] == ["Champions", "914", "18%", "64%", "£1,254", "77.3%", "£1,234"]
    assert _parse(table(seg, currency="GBP")).rows[0][4] == "1,254 GBP"
    assert _parse(table(seg)).rows[0][4] == "1,254"                 # no currency: plain numbers
    assert _parse(table(seg, percent=["share"], decimals={"share": 1})).rows[0][2] == "18.3%"
    assert format_money(-0.3, "£") == "£0" and format_money(-1500, "$") == "-$1,500"
    by_level = pd.DataFrame({"group": ["neutral (3)"], "customers": [608], "mean_clv": [85.2], "ci_low": [70.1],
                             "ci_high": [100.4]})
    money_ci = table(by_level, currency="GBP")
    assert _parse(money_ci).rows[0] == ["neutral (3)", "608", "85 GBP", "70 GBP to 100 GBP"]
    assert "<td class=\"cx-num\">70&nbsp;GBP&nbsp;to 100&nbsp;GBP</td>" in money_ci.html   # wraps only after "to"


def test_no_default_index_but_a_named_one_is_kept():
    df = _scorecard().sort_values("value").tail(2)            # index 0, 1 after sorting: not data
    assert _parse(table(df)).head[0] == "metric"
    assert "0" not in [r[0] for r in _parse(table(df)).rows]
    clv = pd.DataFrame({"clv": [10.0]}, index=pd.Index(["C001"], name="customer_id"))
    assert _parse(table(clv)).head == ["customer", "CLV"] and _parse(table(clv)).rows[0][0] == "C001"


def test_full_text_and_missing_values():
    long = "Offer membership or loyalty perks; recommend related products and ask for a review " * 2
    page = _parse(table(pd.DataFrame({"action": [long, None], "p_value": [np.nan, 0.2]})))
    assert page.rows[0][0] == long                                 # never cut at 50 characters
    assert page.rows[1][0] == "–" and page.rows[0][1] == "–"


def test_data_text_is_escaped_everywhere():
    payload = "<script>alert(1)</script>"
    t = table(pd.DataFrame({payload: [payload], "segment": ['<img src=x onerror="x()">']}),
              caption=payload, labels={"segment": "<b>segment</b>"})
    page = _parse(t)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert payload in page.head and payload in page.rows[0]
    assert "&lt;script&gt;" in t.html


def test_html_is_the_same_bytes_every_time_with_no_random_ids():
    a, b = table(_scorecard(), caption="Headline"), table(_scorecard().copy(), caption="Headline")
    assert a.html == b.html == a._repr_html_()
    assert not re.search(r"\bid=|uuid|T_[0-9a-f]{5}", a.html)


def test_wide_tables_wrap_and_print_at_8pt_or_more():
    html = table(_scorecard()).html
    assert "table-layout: auto" in html and "word-wrap: break-word" in html
    sizes = [float(s) for s in re.findall(r"font-size:\s*([0-9.]+)pt", html)]
    assert sizes and min(sizes) >= 8
    assert not re.search(r"font-size:\s*[0-9.]+px", html)


def test_plain_text_fallback_has_readable_headers_and_no_index():
    text = str(table(_scorecard(), caption="Headline metrics"))
    lines = text.splitlines()
    assert lines[0] == "Headline metrics"
    assert lines[1].split() == ["metric", "answers", "value", "95%", "CI", "small", "base", "(<30)"]
    assert lines[2].split()[0] == "NPS" and repr(table(_scorecard())) == str(table(_scorecard()))


def test_max_rows_says_how_many_more():
    t = table(pd.DataFrame({"k": range(12)}), max_rows=5)
    assert len(t.frame) == 5 and t.note == "… and 7 more rows not shown"
    assert "7 more rows" in t.html and str(t).endswith("not shown")


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match="percent column 'nope'.*columns: metric"):
        table(_scorecard(), percent=["nope"])
    with pytest.raises(ValueError, match="time_unit must be one of D, W, M"):
        time_unit_words("Q")
    with pytest.raises(TypeError, match="DataFrame"):
        table([1, 2])


def test_jupyter_shows_the_table_as_html_with_a_text_fallback_and_the_same_bytes_each_run():
    """Run in a kernel, as nbval does: the output carries text/html and text/plain, identical across runs."""
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    source = ("import pandas as pd\nfrom cxkit.display import table\n"
              "table(pd.DataFrame({'metric': ['NPS'], 'n': [12], 'value': [3.0], 'ci_low': [1.0], 'ci_high': [5.0]}))")
    outputs = []
    for _ in range(2):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        NotebookClient(nb, kernel_name="python3", timeout=120).execute()
        outputs.append(nb.cells[0].outputs[0]["data"])
    assert outputs[0] == outputs[1]
    assert "<table class=\"cx-table\">" in outputs[0]["text/html"]
    assert outputs[0]["text/plain"].splitlines()[0].split()[:2] == ["metric", "answers"]


def test_a_wide_table_prints_at_fixed_widths_that_fill_the_page_and_favour_long_text():
    wide = pd.DataFrame({f"measure_{i}": [1.5] for i in range(9)} | {"action": ["Reward them; ask for reviews " * 3]})
    html = table(wide).html
    assert '<table class="cx-table cx-wide">' in html
    widths = [float(w) for w in re.findall(r'<col style="width: ([0-9.]+)%">', html)]
    assert len(widths) == 10 and abs(sum(widths) - 100) < 0.6
    assert widths[-1] == max(widths) and widths[-1] > 2 * widths[0]     # the sentence gets the room
    assert re.search(r"table\.cx-table\.cx-wide \{ font-size: 8pt; table-layout: fixed; width: 100%; \}", html)
    assert "<colgroup>" not in table(_scorecard()).html


# ---------------------------------------------------------------- tables for readers: empty, headers, labels, pairs


def test_an_empty_table_is_a_line_naming_its_subject_never_an_empty_grid():
    gaps = pd.DataFrame(columns=["metric", "current", "goal", "gap", "gap_ci_low", "gap_ci_high", "status"])
    t = table(gaps, caption="Gaps to the goals, the 12 months to 31 Dec 2025")
    assert "<table" not in t.html and "<th" not in t.html
    assert str(t) == t.message == "Gaps to the goals, the 12 months to 31 Dec 2025: nothing to show (no rows)."
    assert "Gaps to the goals, the 12 months to 31 Dec 2025: nothing to show" in t._repr_html_()
    assert str(table(pd.DataFrame())) == "Nothing to show: the table has no rows."
    assert str(table(None, caption="Service by channel")) == "Service by channel: nothing to show (no rows)."
    custom = table(gaps, caption="Gaps", empty="No goals are set.")
    assert str(custom) == "No goals are set." and "No goals are set." in custom.html
    bad = table(gaps.iloc[:0], caption='<img src=x onerror="alert(1)">')
    assert "<img" not in bad.html and "&lt;img" in bad.html
    assert table(_scorecard()).message is None                       # a table with rows is a table


def test_headers_break_only_between_words_in_print_and_on_screen():
    long_header = "a_very_long_column_name_that_has_no_spaces_at_all"
    html = table(pd.DataFrame({long_header: ["x" * 40], "repeat purchases (calibration)": [1.0]})).html
    th_rules = re.findall(r"table\.cx-table th \{([^}]*)\}", html)
    assert th_rules, "no rule for the headers"
    main = " ".join(th_rules)
    for declaration in ("word-break: keep-all", "overflow-wrap: normal", "hyphens: manual"):
        assert declaration in main
    assert "break-word" not in main and "break-all" not in main
    heads = re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert heads and not any("<wbr>" in h for h in heads)          # no break point inside a header word
    assert "<wbr>" in re.findall(r"<td[^>]*>(.*?)</td>", html)[0]   # a long cell token may still wrap


def test_a_wide_tables_columns_hold_their_longest_header_word_whole():
    word = "Unsubscriberegistrations"                      # 24 letters: no room to break it
    wide = pd.DataFrame({f"m{i}": [1.5] for i in range(8)} | {"cell": ["abcdefghijklmnopqrst"], "words": [1.5]})
    html = table(wide, labels={"words": f"{word} seen"}).html
    widths = [float(w) for w in re.findall(r'<col style="width: ([0-9.]+)%">', html)]
    assert len(widths) == 10
    # the header's long word gets its whole width, more than a 20-letter cell (which may wrap) and the numbers
    assert widths[9] > widths[8] > widths[0]


@pytest.mark.parametrize("name", [
    "ci_low", "ci_high", "p_alive", "rmst", "hazard_ratio", "p_value", "churn_probability", "attributable_share",
    "share_of_segment", "value_tier", "satisfaction_level", "period_spend", "test_statistic", "p_holm",
    "cum_unresolved", "latest_csat", "expected_churners", "ends_early", "days_before_end", "excludes_zero"])
def test_raw_names_have_readable_labels(name):
    text = label(name)
    assert name in LABELS and "_" not in text and text != name


def test_hazard_ratios_are_shown_with_words_and_two_decimals():
    hr = pd.DataFrame({"covariate": ["cum_unresolved"], "hazard_ratio": [1.3194], "ci_low": [1.2361],
                       "ci_high": [1.4081], "p_value": [1e-9]})
    page = _parse(table(hr))
    assert page.head == ["measure", "change in the risk of leaving (×; 1 = none)", "95% CI", "p"]
    assert page.rows[0][1:] == ["1.32", "1.24 to 1.41", "<0.001"]


def _two_level_answers() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"plan": ["Club"] * 60 + ["Club Plus"] * 40, "region": ["N", "S", "E", "W"] * 25,
                         "nps": rng.integers(0, 11, 100), "csat": rng.integers(1, 6, 100)})


def test_a_two_level_comparison_keeps_one_row_and_names_the_other_group():
    from cxkit import metrics
    from cxkit.display import one_row_per_pair

    answers = _two_level_answers()
    tests = pd.concat([metrics.compare(answers, m, by=col).assign(segment=col)
                       for col in ("plan", "region") for m in ("nps", "csat")], ignore_index=True)
    assert len(tests) == 2 * 2 + 4 * 2
    kept = one_row_per_pair(tests)
    plan = kept[kept["segment"] == "plan"]
    assert len(plan) == 2 and plan["metric"].tolist() == ["NPS", "CSAT"]          # one row per metric
    assert plan["group_a"].tolist() == ["Club", "Club"] and plan["group_b"].tolist() == ["Club Plus", "Club Plus"]
    first = tests[(tests["segment"] == "plan") & (tests["group_a"] == "Club")]
    pd.testing.assert_frame_equal(plan.drop(columns="group_b").reset_index(drop=True),
                                  first.drop(columns="group_b").reset_index(drop=True))
    assert (kept[kept["segment"] == "region"]["group_b"] == "rest").all()         # four levels: all kept
    assert len(kept[kept["segment"] == "region"]) == 8
    page = _parse(table(plan[["group_a", "group_b", "value_a", "value_b", "diff", "ci_low", "ci_high", "p_value"]]))
    assert len(page.rows) == 2


def test_one_row_per_pair_keeps_comparisons_that_are_not_mirrors_and_drops_reversed_pairs():
    from cxkit import metrics
    from cxkit.display import one_row_per_pair

    answers = _two_level_answers()
    answers.loc[:4, "plan"] = None                      # the rest of "Club" is not only "Club Plus"
    tests = metrics.compare(answers, "nps", by="plan")
    kept = one_row_per_pair(tests)
    assert len(kept) == 2 and (kept["group_b"] == "rest").all()
    # two levels of a wider column, each against the rest, are two different comparisons
    wide = pd.concat([metrics.compare(answers, "nps", by="region", a=lvl) for lvl in ("N", "S")], ignore_index=True)
    assert len(one_row_per_pair(wide)) == 2
    both_ways = pd.concat([metrics.compare(answers, "nps", by="plan", a="Club", b="Club Plus"),
                           metrics.compare(answers, "nps", by="plan", a="Club Plus", b="Club")], ignore_index=True)
    assert one_row_per_pair(both_ways)["group_a"].tolist() == ["Club"]
    with pytest.raises(ValueError, match="group_a, group_b, n_a and n_b"):
        one_row_per_pair(tests.drop(columns="group_b"))
    with pytest.raises(ValueError, match="within column"):
        one_row_per_pair(tests, within="segment")


def test_holm_adjusted_p_values_are_shown_as_p_values():
    from cxkit.display import table

    html = table(pd.DataFrame({"test": ["a", "b"], "p_holm": [0.00001, 0.41]}))._repr_html_()
    assert "p (Holm-adjusted)" in html and "&lt;0.001" in html and "0.410" in html
