"""Notebook 03 (CLV segmentation) stays true on data other than the sample's.

Kestrel Broadband (``kestrel_report("03")``) has no currency, no company name in a
settings file, other file and column names, members who cancelled, and a survey export
that stops early; CDNOW is a real transaction log with no customers table. On both the
report must state only what its own results say: no sample currency or name, no
parameter names, cancelled customers in their own segment (never rewarded), distinct
KMeans labels, the value comparison between satisfaction groups among active customers,
and the summary's actions word for word the tables'. The library pieces the notebook
relies on for this are tested at the end.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from cxkit import clv
from cxkit.clv import sentences
from cxkit.narrative import escape
from cxkit.report import notebook_parameters, resolve_notebook, run_reports

CDNOW = Path(__file__).parent / "data" / "cdnow" / "CDNOW_sample.txt"


class _Report(HTMLParser):
    """A report as a reader sees it: the visible text, and each table by its caption."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._skip = 0
        self._table: list[list[str]] | None = None
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._table = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._table is not None:
            self.tables[getattr(self, "_name", f"table {len(self.tables)}")] = [r for r in self._table if r]
            self._table, self._name = None, f"table {len(self.tables)}"

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)

    def table(self, caption_start: str) -> pd.DataFrame:
        """The table captioned ``caption_start``, or whose caption starts with it, as text (header row first)."""
        names = [caption_start] if caption_start in self.tables else [n for n in self.tables
                                                                        if n.startswith(caption_start)]
        assert len(names) == 1, (caption_start, list(self.tables))
        rows = self.tables[names[0]]
        return pd.DataFrame(rows[1:], columns=rows[0])

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("%", ""))


def _errors(executed: Path) -> list[str]:
    cells = json.loads(Path(executed).read_text())["cells"]
    return [o.get("ename", "") for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


# --------------------------------------------------------------------------- Kestrel Broadband
@pytest.fixture(scope="module")
def kestrel_03(kestrel_report):
    result = kestrel_report("03")
    assert result.status == "ran", result.reason
    return result


@pytest.fixture(scope="module")
def page(kestrel_03) -> _Report:
    return _Report(kestrel_03.files[0].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kestrel(kestrel_dir):
    """Kestrel loaded and summarised as the notebook does, with who had cancelled by the analysis date."""
    from cxkit import load_folder
    from cxkit.synth import KESTREL_COLUMNS, KESTREL_FILES

    cx = load_folder(kestrel_dir, columns=KESTREL_COLUMNS, files=KESTREL_FILES, dayfirst=True)
    summary = cx.rfm_summary(time_unit="W").sort_index()
    gone = clv.known_cancellations(cx.customers, cx.as_of).reindex(summary.index, fill_value=False)
    return cx, summary, gone


def test_the_report_ran_with_its_checks(kestrel_03):
    executed = kestrel_03.executed
    assert not _errors(executed)
    source = "".join("".join(c["source"]) for c in json.loads(Path(executed).read_text())["cells"])
    assert '(values["rfm_segment"] == clv.CANCELLED) == values["known_churned"]' in source   # checked in the run


def test_nothing_of_the_sample_or_of_the_code_reaches_the_report(kestrel_03, page):
    html = kestrel_03.files[0].read_text(encoding="utf-8")
    assert "£" not in html and "Harbour Lane" not in html
    assert "money in the data's own unit" in page.visible
    names = [n for n in notebook_parameters(resolve_notebook("03")) if "_" in n]
    assert {"holdout_months", "horizon_months", "rfm_q", "discount_rate"} <= set(names)
    shown = [n for n in names if re.search(rf"\b{n}\b", page.visible)]
    assert not shown, shown
    assert "K-mart lesson of notebook 02" in page.visible and "notebook 00" not in page.visible
    assert "p(alive)" not in page.visible.split("1. From a transaction log")[0]     # plain words on page one


def test_cancelled_customers_are_only_in_their_own_rfm_segment(kestrel, page):
    cx, summary, gone = kestrel
    assert 0 < gone.sum() < len(gone)
    segment = clv.rfm_segments(clv.rfm_scores(summary, cancelled=gone))
    assert (segment[gone] == clv.CANCELLED).all() and (segment[~gone] != clv.CANCELLED).all()
    shown = page.table("RFM segments (scores").set_index("segment")
    counts = shown["customers"].map(_number)
    assert counts[clv.CANCELLED] == gone.sum()
    assert counts.drop(clv.CANCELLED).sum() == (~gone).sum()
    assert counts.drop(clv.CANCELLED).to_dict() == segment[~gone].astype(str).value_counts().to_dict()
    actions = clv.SEGMENT_ACTIONS.set_index("segment")["action"]
    assert shown.loc[clv.CANCELLED, "suggested action"] == actions[clv.CANCELLED]
    assert "Reward" not in shown.loc[clv.CANCELLED, "suggested action"]


def test_kmeans_segments_have_distinct_labels_and_a_cancelled_row(kestrel, page):
    _, _, gone = kestrel
    profile = page.table("KMeans segments").set_index("profile")
    assert profile.index.is_unique and len(profile) >= 3
    assert profile.loc[clv.CANCELLED, "customers"] == f"{int(gone.sum()):,}"
    actions = page.table("KMeans segments and what to do").set_index("profile")
    assert actions.loc[clv.CANCELLED, "main RFM segment"] == clv.CANCELLED
    assert set(actions.loc[actions.index != clv.CANCELLED, "main RFM segment"]).isdisjoint({clv.CANCELLED})


def test_the_summary_gives_each_segment_the_action_of_its_table(page):
    actions = page.table("RFM segments (scores").set_index("segment")["suggested action"]
    summary = page.visible.split("1. From a transaction log")[0]
    said = {}
    for name in actions.index:
        m = re.search(re.escape(name) + r" are \d+% of customers [^•]*?Suggested action: (.*?\.)(?= |$)", summary)
        if m:
            said[name] = m.group(1)
    assert {"Champions", "At Risk"} <= set(said), said
    for name, action in said.items():
        assert actions[name] == action, name


def test_value_is_compared_among_active_customers(page):
    text = page.visible
    assert "CLV of dissatisfied against satisfied customers, active customers" in text
    summary = text.split("1. From a transaction log")[0]
    assert "Compared among active customers: the 1,347 customers who have already cancelled are left out" in summary
    table = page.table("CLV of dissatisfied against satisfied customers")
    assert {"customers, dissatisfied", "customers, satisfied"} <= set(table.columns)


def test_the_forecast_is_read_against_last_year_and_the_holdout_in_words(page):
    summary = page.visible.split("1. From a transaction log")[0]
    assert re.search(r"purchases were (?:under|over)-forecast by \d+\.\d%", summary)
    assert "off by" not in page.visible
    assert "who cancelled)" in summary and "Without the cancelled customers' spend and those first purchases" in summary
    assert "discounted at 1% a month" in summary
    assert "Survey answers end on 31 Dec 2024" in summary                      # Kestrel's surveys stop early


# --------------------------------------------------------------------------- CDNOW
def test_the_report_names_the_purchase_model_it_chose_and_its_holdout_error(page):
    """Three purchase models on the same holdout; the one chosen is named with its reason and forecasts the CLV."""
    compared = page.table("Three purchase models on the same 6-month holdout")
    assert list(compared["model"]) == ["BG/NBD", "Pareto/NBD", "MBG/NBD"]
    errors = compared["holdout purchases: forecast against actual"].map(_number)
    assert errors.abs().max() < 100 and compared["mean absolute error per customer"].map(_number).gt(0).all()
    chosen = re.search(r"Model used for the CLV below: (BG/NBD|Pareto/NBD|MBG/NBD) ?\. (.+?\.)", page.visible)
    assert chosen, "no model named"
    name = chosen.group(1)
    assert f"The forecast uses {name}: " in page.visible                       # in the summary too
    assert page.table("Model parameters")["model"].iloc[0] == name             # and it is the one fitted
    assert "CLV family: purchases" in page.visible


def test_cdnow_report_has_distinct_kmeans_labels(tmp_path):
    """The real CDNOW log (transactions only): three segments were once all "high value, frequent, recent"."""
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["master_id", "customer_id", "date", "n_cds", "amount"])
    data = tmp_path / "cdnow"
    data.mkdir()
    raw.assign(date=pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"))[
        ["customer_id", "date", "amount"]].to_csv(data / "transactions.csv", index=False)
    result = run_reports(data, tmp_path / "out", notebooks=["03"], parameters={"zero_spend_days": "purchase"})[0]
    assert result.status == "ran", result.reason
    page = _Report(result.files[0].read_text(encoding="utf-8"))
    labels = page.table("KMeans segments").iloc[:, 0]
    assert labels.is_unique and len(labels) >= 2 and clv.CANCELLED not in set(labels)
    assert "Compared among" not in page.visible                     # no surveys: no comparison, nothing claimed
    assert "There are no cancellation dates (no customers table)" in page.visible
    name = re.search(r"Model used for the CLV below: (BG/NBD|Pareto/NBD|MBG/NBD) ?\.", page.visible).group(1)
    assert page.table("Model parameters")["model"].iloc[0] == name and f"The forecast uses {name}: " in page.visible


# --------------------------------------------------------------------------- library pieces
def test_last_year_spend_splits_without_counting_twice():
    s = pd.DataFrame({"frequency": [2, 0, 1, 3], "monetary_value": [30.0, 0.0, 50.0, 10.0],
                      "total_spend": [100.0, 25.0, 90.0, 70.0],
                      "first_purchase": pd.to_datetime(["2024-02-01", "2025-03-01", "2025-02-10", "2025-01-05"])},
                     index=pd.Index(list("abcd"), name="customer_id"))
    spend = pd.Series({"a": 60.0, "b": 25.0, "c": 90.0, "d": 15.0, "zz": 500.0})   # zz: not a forecast customer
    out = clv.last_year_spend(s, spend, period_start="2024-07-01", cancelled=pd.Series({"c": True})).iloc[0]
    assert out["spend"] == 190.0                                   # a, b, c, d only
    assert out["from_cancelled"] == 90.0                           # c, new but cancelled: counted once, here
    assert out["first_purchases"] == 25.0 + 15.0                   # d's first day (40) capped at its period spend
    assert out["rest"] == 190.0 - 90.0 - 40.0 and (out["n_new"], out["n_cancelled"]) == (2, 1)
    same = clv.last_year_spend(s.assign(left=[False, False, True, False]), spend, period_start="2024-07-01",
                               cancelled="left")
    assert same.iloc[0].equals(out)
    assert clv.last_year_spend(s, spend, period_start="2024-07-01").iloc[0]["from_cancelled"] == 0


def test_last_year_spend_rejects_what_it_cannot_read():
    from cxkit import DataError

    s = pd.DataFrame({"frequency": [0], "monetary_value": [0.0], "total_spend": [5.0],
                      "first_purchase": pd.to_datetime(["2025-01-01"])}, index=["a"])
    with pytest.raises(DataError, match="first_purchase"):
        clv.last_year_spend(s.drop(columns="first_purchase"), pd.Series({"a": 5.0}), period_start="2024-07-01")
    with pytest.raises(DataError, match="unique"):
        clv.last_year_spend(s, pd.Series([1.0, 2.0], index=["a", "a"]), period_start="2024-07-01")


@pytest.mark.parametrize("segment,p,words", [("At Risk", 0.9, "still rates most of them as active"),
                                             ("At Risk", 0.1, None), ("Champions", 0.3, "probably lapsed"),
                                             ("Champions", 0.9, None)])
def test_segment_sentence_quotes_the_table_action(segment, p, words):
    action = "Do <b>this</b>; then that."
    row = pd.Series({"segment": segment, "customers": 10, "share": 0.1, "clv_share": 0.2, "p_alive": p})
    text = sentences.segment_action_sentence(row, action=action)
    assert text.endswith(f"Suggested action: {escape(action)}") and "<b>" not in text
    assert f"averages {p:.0%}" in text
    assert (words in text) if words else ("model" not in text)


def test_cancelled_segment_sentence_and_population_words():
    row = {"segment": clv.CANCELLED, "customers": 1347, "share": 0.27, "clv_share": 0.0, "p_alive": 0.0}
    assert sentences.segment_action_sentence(row, action="Win back.").startswith("1,347 customers (27%) have already")
    assert sentences.population_sentence({"population": "active customers", "n_cancelled_left_out": 0}) == (
        "Compared among active customers; none is known to have cancelled.")
    assert "cancelled included" in sentences.population_sentence(
        {"population": "all customers, cancelled included", "n_cancelled_left_out": 0})
    assert "no customers table" in sentences.cancellations_sentence(None, n_customers=10, as_of="2025-06-30")
    assert "no cancellation by 30 Jun 2025" in sentences.cancellations_sentence(0, n_customers=10, as_of="2025-06-30")


def test_experience_value_sentence_says_who_was_compared(kestrel):
    from cxkit import experience

    cx, summary, gone = kestrel
    values = pd.DataFrame({"clv": summary["total_spend"], "known_churned": gone})
    exp = experience.customer_experience(cx.surveys, None, customers=cx.customers, as_of=cx.as_of)
    test = experience.compare_value_by_experience(values, exp).iloc[0]
    text = sentences.experience_value_sentence(test, subject="Dissatisfied customers", other="satisfied ones")
    assert f"Compared among active customers: the {int(gone.sum()):,} customers who have already cancelled" in text
    assert "95% interval" in text
