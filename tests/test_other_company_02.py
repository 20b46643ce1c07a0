"""Notebook 02 (the K-mart lesson) on a company unlike the sample, and the populations it compares.

Kestrel Broadband's truths point the other way from the sample's: its top spenders are
more satisfied, and their satisfaction rests on quickness, clarity and relevancy while
everyone else's rests on availability, accountability and reliability. Every direction in
the report's summary must follow, with nothing of the sample (its currency, its name, the
notebook's parameter names) left in the report. The value comparisons behind the summary
are made among active customers: tested here by hand.
"""
from __future__ import annotations

import html
import re

import nbformat
import numpy as np
import pandas as pd
import papermill as pm
import pytest

from conftest import ROOT
from cxkit import DataError
from cxkit.report import resolve_notebook, run_reports
from cxkit.spend import LEVELS, left_out, revenue_at_risk, spend_by_satisfaction
from cxkit.synth import KESTREL_TRUTH

NOTEBOOK = "02"
#: The parameters every notebook holds, documented once above README's parameters table.
COMMON = {"data_dir", "columns", "files", "as_of", "load_options"}


def _visible_text(path) -> str:
    """What a reader of an HTML report sees: no markup, no styles or scripts, entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _summary(executed) -> str:
    """The Markdown the notebook's summary cells show, entities decoded."""
    nb = nbformat.read(executed, as_version=4)
    parts = [o["data"]["text/markdown"] for c in nb.cells
             if c.cell_type == "code" and "summary" in c.metadata.get("tags", [])
             for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    return html.unescape("\n".join(parts))


def _bullet(summary: str, start: str) -> str:
    found = [line[2:] for line in summary.splitlines() if line.startswith(f"- {start}")]
    assert len(found) == 1, (start, summary)
    return found[0]


def _bold(sentence: str) -> list[str]:
    return [name.lower() for name in re.findall(r"\*\*([^*]+)\*\*", sentence)]


@pytest.fixture(scope="module")
def kestrel(kestrel_report):
    result = kestrel_report(NOTEBOOK)
    assert result.status == "ran", result.reason
    return result


def test_the_kestrel_report_holds_nothing_of_the_sample(kestrel):
    text = _visible_text(kestrel.files[0])
    assert "£" not in text and "Harbour Lane" not in text
    assert "money in the data's own unit" in text
    named = [p for p in pm.inspect_notebook(str(resolve_notebook(NOTEBOOK))) if "_" in p]
    assert named and not [p for p in named if p in text]


def test_the_kestrel_summary_follows_its_data(kestrel):
    summary = _summary(kestrel.executed)
    top, rest = set(KESTREL_TRUTH["drivers_top"]), set(KESTREL_TRUTH["drivers_rest"])
    # surveys stop six months before the analysis date: the summary says so first
    assert _bullet(summary, "Survey answers end on 31 Dec 2024, six months before the period's end")
    assert "The top 10% of spenders are **more** satisfied" in summary
    assert "**less** satisfied" not in summary
    # the drivers run the other way: each group's lead is its own, as far as the intervals allow
    for who, own in (("For the top 10% of spenders (", top), ("For everyone else (", rest)):
        sentence = _bullet(summary, who)
        names = _bold(sentence)
        clear_lead = sentence.endswith(("matter most.", "matters most."))
        assert set(names if clear_lead else names[:1]) <= own, sentence
    difference = next(line for line in summary.splitlines()
                      if " in the CSAT of the top 10% of spenders than of everyone else" in line)
    more = [n.lower() for n in re.findall(r"\*\*([^*]+)\*\* weighs more", difference)]
    less = [n.lower() for n in re.findall(r"\*\*([^*]+)\*\* weighs less", difference)]
    assert more + less, difference
    assert set(more) <= top and set(less) <= rest, difference


def test_every_parameter_of_the_notebook_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if re.match(rf"^\|\s*{NOTEBOOK}\s*\|", line))
    documented = set(re.findall(r"`([a-z_]+)`", row.split("|")[2]))
    intro = readme[readme.index("Each notebook's first code cell"):readme.index(row)]
    assert set(re.findall(r"`([a-z_]+)`", intro)) >= COMMON
    declared = set(pm.inspect_notebook(str(resolve_notebook(NOTEBOOK))))
    assert declared - COMMON == documented, (sorted(declared - COMMON - documented), sorted(documented - declared))


def test_a_currency_given_to_the_run_reaches_the_report(sample_dir, tmp_path):
    [result] = run_reports(sample_dir, tmp_path, notebooks=[NOTEBOOK], parameters={"currency": "$"})
    assert result.status == "ran", result.reason
    text = _visible_text(result.files[0])
    assert re.search(r"\$\d", text) and "£" not in text
    assert "money in $" in _summary(result.executed)


# --------------------------------------------------------------------------- who is compared


def _customers():
    value = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "value_tier": ["Top", "Top", "Top", "Rest", "Rest", "Rest"],
        "period_spend": [300.0, 40.0, 500.0, 20.0, 10.0, 30.0],
        "active": [True, False, True, True, False, None],      # a missing flag counts as active
    })
    satisfaction = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"], "csat_mean": [1.0, 1.5, 5.0, 4.0, 2.0]})
    return value, satisfaction


def test_revenue_at_risk_is_the_revenue_of_active_customers_by_hand():
    value, satisfaction = _customers()
    out = revenue_at_risk(value, satisfaction, segment="value_tier", level="csat_mean")
    cells = out.set_index(["value_tier", "satisfaction_level"])
    # b and e had left: their 50 is lost, not at risk, and reported apart
    assert cells.loc[("Top", "dissatisfied (1-2)"), ["customers", "revenue"]].tolist() == [1, 300.0]
    assert cells.loc[("Rest", "dissatisfied (1-2)"), "customers"] == 0
    assert cells.loc[("Top", "dissatisfied (1-2)"), "share_of_segment"] == pytest.approx(300 / 800)
    assert cells.loc[("Rest", "no survey"), "revenue"] == 30.0           # f: no answer, active
    assert out["customers"].sum() == 4 and out.attrs["total_revenue"] == 850.0
    assert out.attrs["population"] == "active customers" and out.attrs["n_cancelled"] == 2
    assert out.attrs["left_out_revenue"] == 50.0
    assert out["revenue"].sum() + out.attrs["left_out_revenue"] == value["period_spend"].sum()
    assert left_out(out).to_dict("records") == [{
        "table": "value", "rule": "cancelled (known to have left): compared among active customers",
        "n_rows": 2, "n_customers": 2}]

    everyone = revenue_at_risk(value, satisfaction, segment="value_tier", level="csat_mean", population="all")
    assert everyone["customers"].sum() == 6 and everyone.attrs["left_out_revenue"] == 0.0
    assert everyone.attrs["population"] == "all customers, cancelled included" and left_out(everyone).empty
    unknown = revenue_at_risk(value.drop(columns="active"), satisfaction, segment=None, level="csat_mean")
    assert unknown.attrs["population"] == "all customers (cancellations not known)"
    assert unknown["satisfaction_level"].tolist() == list(LEVELS) and unknown["customers"].sum() == 6


def test_spend_by_satisfaction_leaves_out_customers_who_left():
    value, satisfaction = _customers()
    out = spend_by_satisfaction(value, satisfaction, level="csat_mean", n_boot=200).set_index("satisfaction_level")
    # the dissatisfied who left (b: 40, e: 10) would have pulled their mean from 300 to 116.7
    assert out.loc["dissatisfied (1-2)", ["customers", "mean_spend"]].tolist() == [1, 300.0]
    assert out["customers"].sum() == 4 and out.attrs["population"] == "active customers"
    everyone = spend_by_satisfaction(value, satisfaction, level="csat_mean", n_boot=200, population="all")
    mean = everyone.set_index("satisfaction_level").loc["dissatisfied (1-2)", "mean_spend"]
    assert mean == pytest.approx(np.mean([300.0, 40.0, 10.0]))


def test_who_is_compared_is_checked():
    value, satisfaction = _customers()
    with pytest.raises(DataError, match="population"):
        revenue_at_risk(value, satisfaction, level="csat_mean", segment=None, population="survivors")
    with pytest.raises(DataError, match="true/false") as err:
        revenue_at_risk(value.assign(active=["yes", True, True, True, False, True]), satisfaction,
                        level="csat_mean", segment=None)
    assert err.value.column == "active" and err.value.rows["customer_id"].tolist() == ["a"]
