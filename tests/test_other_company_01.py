"""The churn report (notebook 01) tells the truth of any company, not the sample's.

Kestrel Broadband has no settings file, other file and column names, unresolved contacts
that do no harm, long waits that do (so one count of bad contacts shows a milder harm),
a premium plan that halves the risk of leaving, a monthly fee written with a decimal
comma, and survey answers that stop six months before the analysis date. Its report must
say what its own results show, and a customers table alone (dated, or tenure and a churn
flag as exported) must still get hazard ratios for its traits and a risk list.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from report_text import error_outputs, report_text, summary_text

from cxkit import survival
from cxkit.data import load_folder
from cxkit.report import notebook_parameters, resolve_notebook, run_reports
from cxkit.survival import sentences as survival_sentences
from cxkit.synth import KESTREL_COLUMNS, KESTREL_FILES, KESTREL_TRUTH


def _ran(result) -> str:
    assert result.status == "ran", str(result)
    assert not error_outputs(result.executed)
    return report_text(result.files[0].read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- Kestrel, every table


@pytest.fixture(scope="module")
def kestrel_text(kestrel_report):
    return _ran(kestrel_report("01"))


def test_kestrel_report_carries_nothing_of_the_sample_and_names_no_parameter(kestrel_text, kestrel_report):
    assert "£" not in kestrel_text and "Harbour Lane" not in kestrel_text
    assert "trainers" not in kestrel_text                        # the sample's planted truths stay with the sample
    named = [p for p in notebook_parameters(resolve_notebook("01")) if "_" in p]
    assert {"landmark_days", "horizon_days", "static_columns"} <= set(named)
    for word in [*named, "cum_bad_contacts", "cum_unresolved", "latest_csat", "has_csat", "ci_low", "hr_early"]:
        assert word not in kestrel_text, word
    page = kestrel_report("01").files[0].read_text(encoding="utf-8")
    assert not re.search(r"<tbody>\s*</tbody>", page) and "nothing to show" not in page


def test_kestrel_summary_follows_kestrel_truths(kestrel_text):
    summary = summary_text(kestrel_text)
    bad = re.search(r"Each bad contact \(unresolved or a long wait\) raises the day-to-day risk of leaving by "
                    r"(\d+)% \(95% interval (\d+)% to (\d+)%\)", summary)
    assert bad and 0 < int(bad.group(2)) < int(bad.group(1)) < int(bad.group(3))   # the interval above 1
    assert "Plan premium rather than basic lowers the day-to-day risk of leaving by" in summary
    # the breakdown: unresolved contacts are harmless at Kestrel, long waits are not
    assert "Each contact not resolved at first contact: no clear evidence either way" in summary
    assert "Each contact not resolved at first contact raises" not in kestrel_text
    assert "Each contact with a long wait raises the day-to-day risk of leaving by" in summary
    assert "Customers who rate us a point higher leave less often" in summary and "association" in summary
    end = pd.Timestamp(KESTREL_TRUTH["surveys_end"])
    assert f"Survey answers end on {end.day} {end:%b %Y}, six months before" in summary
    assert "hazard ratio" not in summary and "RMST" not in summary


def test_kestrel_traits_and_the_trap_are_written_from_the_results(kestrel_text):
    # the fee with a decimal comma is read as a number, and the report says how
    assert "numbers written as text, read as numbers (decimal comma read" in kestrel_text
    assert "The models hold these customer traits equal: plan, monthly_fee, area." in kestrel_text
    raw = re.search(r"customers with bad contacts over their membership left (less|more) often than those without "
                    r"\((\d+\.\d)% against (\d+\.\d)%", kestrel_text)
    assert raw and (raw.group(1) == "less") == (float(raw.group(2)) < float(raw.group(3)))
    assert "Each bad contact, three ways" in kestrel_text


# --------------------------------------------------------------------------- a customers table alone


@pytest.fixture(scope="module")
def members_only(kestrel_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("members_only")
    (data / "members.csv").write_bytes((kestrel_dir / KESTREL_FILES["customers"]).read_bytes())
    return data


def test_customers_table_alone_gets_hazard_ratios_for_plan_and_a_risk_list(members_only, tmp_path):
    result, = run_reports(members_only, tmp_path, notebooks=["01"], columns=KESTREL_COLUMNS,
                          files={"customers": KESTREL_FILES["customers"]},
                          parameters={"load_options": {"dayfirst": True}, "as_of": KESTREL_TRUTH["as_of"]})
    text = _ran(result)
    summary = summary_text(text)
    assert "Plan premium rather than basic lowers the day-to-day risk of leaving by" in summary
    assert "Cox model of the customers table" in text and "plan: premium (vs basic)" in text
    assert "active customers most likely to leave in the next 90 days" in text
    assert "Time holdout" in text                                 # dated: the list is checked on the last 90 days
    assert "as there is no contacts table" in summary and "Each bad contact" not in summary


def test_tenure_and_churned_export_gets_hazard_ratios_for_plan(kestrel_dir, tmp_path):
    cx = load_folder(kestrel_dir, columns=KESTREL_COLUMNS, files=KESTREL_FILES, dayfirst=True)
    st = survival.survival_table(cx.customers, as_of=cx.as_of, covariates=["plan", "monthly_fee"])
    data = tmp_path / "export"
    data.mkdir()
    pd.DataFrame({"customerID": st["customer_id"], "tenure": (st["tenure"] / 30.4375).round(1),
                  "Churn": st["churned"].map({True: "Yes", False: "No"}), "plan": st["plan"],
                  "monthly_fee": st["monthly_fee"]}).to_csv(data / "customers.csv", index=False, sep=";")
    result, = run_reports(data, tmp_path / "reports", notebooks=["01"],
                          columns={"customerID": "customer_id", "Churn": "churned"},
                          parameters={"load_options": {"tenure_unit": "months"}})
    summary = summary_text(_ran(result))
    assert "No analysis date" in summary
    assert "Plan premium rather than basic lowers the day-to-day risk of leaving by" in summary
    assert "The 15 members most at risk" in summary and "without dates there is no earlier day" in summary


# --------------------------------------------------------------------------- the library pieces


def test_numbers_written_as_text_are_read_by_the_stated_rule():
    c = pd.DataFrame({"customer_id": [f"c{i}" for i in range(30)],
                      "fee": [f"{20 + i % 7},50" for i in range(29)] + ["NA"],     # decimal comma, one marker
                      "code": [str(i % 3) for i in range(29)] + ["x"]})            # one value is not a number
    s = survival.static_covariates(c)
    rep = s.report.set_index("column")
    assert rep.loc["fee", "kind"] == "numeric" and rep.loc["fee", "status"] == "used"
    assert "numbers written as text, read as numbers (missing markers (NA, null, None...) read as missing; " \
        "decimal comma read (12,50 = 12.5))" in rep.loc["fee", "reason"]
    assert "1 customer without a value left out" in rep.loc["fee", "reason"] and rep.loc["fee", "missing"] == 1
    assert s.design["fee"].tolist() == [20.5 + i % 7 for i in range(29)]
    assert rep.loc["code", "kind"] == "text"                      # not all numbers: levels, as written


def test_covariate_subjects_read_as_the_start_of_a_sentence():
    c = pd.DataFrame({"customer_id": list("abcdefgh"), "plan": ["basic"] * 5 + ["premium"] * 3,
                      "support_minutes": [1.0, 2, 3, 4, 5, 6, 7, 9]})
    s = survival.static_covariates(c, min_level_size=1, units={"support_minutes": "minute"})
    subjects = survival.covariate_subjects(["cum_bad_contacts", "latest_csat", *s.columns, "other"], static=s)
    assert subjects == {"cum_bad_contacts": "Each bad contact (unresolved or a long wait)",
                        "latest_csat": "Each point of the latest CSAT answer (1-5)",
                        "plan_premium": "Plan premium rather than basic",
                        "support_minutes": "Each minute more of support minutes", "other": "other"}


@pytest.mark.parametrize("left,words", [
    ((515, 813), "left **less often** than those without (23.6% against 28.9%, p < 0.001): as if bad contacts kept"),
    ((1300, 1600), "and those without left about as often (59.5% against 56.9%, p = 0.06"),
])
def test_raw_churn_sentence_says_what_the_table_shows(left, words):
    rates = pd.DataFrame({"bad contacts": ["at least one", "none"], "customers": [2186, 2814], "left": list(left),
                          "churn_rate": [left[0] / 2186, left[1] / 2814], "mean_tenure": [647.0, 426.0]})
    text = survival_sentences.raw_churn_sentence(rates, exposed="at least one", unexposed="none", what="bad contacts")
    assert words in text, text
    assert "they had been members longer (647 against 426 days on average)" in text


def test_raw_churn_sentence_more_often_when_the_test_says_so():
    rates = pd.DataFrame({"group": ["at least one", "none"], "customers": [4000, 4000], "left": [2440, 2280],
                          "churn_rate": [0.61, 0.57], "mean_tenure": [600.0, 400.0]})
    text = survival_sentences.raw_churn_sentence(rates, exposed="at least one", unexposed="none", what="bad contacts")
    assert text.startswith("Customers with bad contacts over their membership left **more often** than those "
                           "without (61.0% against 57.0%, p < 0.001)")
    assert "kept customers" not in text and "ignores how long each customer was followed" in text


def test_fittable_columns_names_what_a_model_cannot_take():
    t = pd.DataFrame({"churned": [True, False, True, False, False, True], "a": [1, 0, 0, 1, 0, 1],
                      "b": [1] * 6, "c": [0, 1, 0, 1, 1, 0], "d": [0, 0, 0, 1, 0, 0]})
    kept, left_out = survival.fittable_columns(t, ["a", "b", "c", "d"])
    assert kept == ["a"]
    reasons = dict(zip(left_out["column"], left_out["reason"], strict=True))
    assert "one value only" in reasons["b"] and "separates leavers from stayers" in reasons["c"]
    assert "no customer with d = 1 has left" in reasons["d"]
    none_left, out = survival.fittable_columns(t.assign(churned=False), ["a"])
    assert none_left == [] and "no customer has left" in out.loc[0, "reason"]


def test_ph_sentence_in_plain_words_for_a_summary():
    row = {"covariate": "cum_bad_contacts", "hazard_ratio": 1.3, "p_value": 0.002, "direction": "falls",
           "hr_early": 1.5, "hr_late": 1.1, "split_tenure": 210}
    text = survival_sentences.ph_sentence(row, what="Each bad contact", plain=True)
    assert "fades with tenure" in text and "hazard ratio" not in text
    assert "by 1.50 up to day 210 and by 1.10 after" in text
    assert survival_sentences.ph_sentence({**row, "p_value": 0.4}, what="x", plain=True).startswith("x: no sign")


def test_contacts_after_leaving_reach_the_load_report(kestrel_dir):
    cx = load_folder(kestrel_dir, columns=KESTREL_COLUMNS, files=KESTREL_FILES, dayfirst=True)
    gone = cx.customers.dropna(subset=["churn_date"]).head(2)
    late = pd.DataFrame({"customer_id": gone["customer_id"].to_numpy(), "date": gone["churn_date"].to_numpy()
                         + np.timedelta64(5, "D"), "channel": "phone", "wait_minutes": 3.0,
                         "resolved_first_contact": False})
    contacts = pd.concat([cx.contacts, late], ignore_index=True)
    ep = survival.episode_table(cx.customers, contacts, cx.surveys, as_of=cx.as_of)
    report = pd.concat([cx.load_report(), survival.exclusions(ep)], ignore_index=True)
    row = report[report["rule"] == "dated after the customer left"]
    assert list(report.columns) == list(cx.load_report().columns)
    assert row["table"].tolist() == ["contacts"] and row["rows"].tolist() == [2]
    assert gone["customer_id"].iloc[0] in row["example lines"].iloc[0]
