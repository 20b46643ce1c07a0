"""The CX metrics report (notebook 00) tells the truth of any company, not the sample's.

Kestrel Broadband has no settings file (no name, no currency, no goals), other file and
column names, top spenders who are MORE satisfied, and survey answers that stop six
months before the analysis date. Its report must say all of that and nothing of the
bundled sample; and on the sample, values given to the run (currency, goals, period)
must reach the report in place of the settings file's.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest
from report_text import error_outputs, report_text, summary_text

from cxkit import metrics
from cxkit.display import one_row_per_pair
from cxkit.metrics.sentences import NO_GOALS_SET
from cxkit.report import notebook_parameters, resolve_notebook, run_reports
from cxkit.synth import KESTREL_TRUTH

SAMPLE_GOALS = ("goal of", "+35", "NPS 35", "CSAT 80", "CES 5.5")




@pytest.fixture(scope="module")
def kestrel_text(kestrel_report):
    result = kestrel_report("00")
    assert result.status == "ran", str(result)
    assert not error_outputs(result.executed)
    return report_text(result.files[0].read_text(encoding="utf-8"))


def test_kestrel_report_carries_nothing_of_the_sample(kestrel_text):
    assert "£" not in kestrel_text
    assert "Harbour Lane" not in kestrel_text and "Kestrel" not in kestrel_text     # no settings: no company named
    for goal in SAMPLE_GOALS:
        assert goal not in kestrel_text, goal
    assert "money in the data's own unit" in kestrel_text


def test_kestrel_report_names_no_parameter_and_gives_no_instruction_to_run(kestrel_text):
    named = [p for p in notebook_parameters(resolve_notebook("00")) if "_" in p]
    assert "min_base" in named and "value_q" in named
    for word in [*named, "min_base", "value_q", "period =", "ci_low", "top to bottom"]:
        assert word not in kestrel_text, word


def test_kestrel_report_shows_no_empty_table(kestrel_report):
    page = kestrel_report("00").files[0].read_text(encoding="utf-8")
    assert not re.search(r"<tbody>\s*</tbody>", page)
    assert "nothing to show" not in page


def test_kestrel_summary_follows_kestrel_truths(kestrel_text):
    summary = summary_text(kestrel_text)
    assert "The top 10% of spenders are more satisfied" in summary
    assert "less satisfied" not in summary
    end = pd.Timestamp(KESTREL_TRUTH["surveys_end"])
    assert f"Survey answers end on {end.day} {end:%b %Y}, six months before the period's end" in summary
    assert NO_GOALS_SET in summary
    assert "the 12 months to 30 Jun 2025" in summary            # the period, to Kestrel's as-of date
    assert "No goals are set" in kestrel_text[kestrel_text.index("5. Gap analysis"):]   # and how to set them


def test_values_given_to_the_run_replace_the_settings_file(sample_dir, tmp_path):
    result, = run_reports(sample_dir, tmp_path, notebooks=["00"],
                          parameters={"currency": "€", "goals": {"NPS": 20}, "period": "6M"})
    assert result.status == "ran", str(result)
    assert not error_outputs(result.executed)
    text = report_text(result.files[0].read_text(encoding="utf-8"))
    summary = summary_text(text)
    assert "money in €" in summary and "€" in text and "£" not in text
    assert "against a goal of +20" in summary and "+35" not in text
    assert summary.count("no goal is set for it") == 2             # CSAT and CES: the given goals replace the file's
    assert "the 6 months to 31 Dec 2025" in summary and "the 12 months" not in text
    assert "currency: € (given to the run)" in text
    assert "Harbour Lane" in text                                  # still the sample: named from its settings


def test_compare_segments_skips_what_cannot_be_compared():
    answers = pd.DataFrame({"plan": ["Club"] * 6 + ["Plus"] * 4, "region": ["North"] * 10,
                            "csat": [5, 4, 5, 4, 2, 5, 2, 3, 4, 1]})
    tests = metrics.compare_segments(answers, ["plan", "region", "absent"], ["CSAT", "nps"])
    assert list(tests["segment"]) == ["plan", "plan"] and set(tests["metric"]) == {"CSAT"}
    assert tests["p_value"].is_monotonic_increasing
    one = one_row_per_pair(tests)
    assert len(one) == 1 and one.loc[0, "group_b"] == "Plus"       # a two-level segment is one comparison
    none = metrics.compare_segments(answers, ["region"])
    assert none.empty and "group_a" in none.columns
    with pytest.raises(ValueError, match="metrics must be among"):
        metrics.compare_segments(answers, ["plan"], ["effort"])
