"""The board report's parts and findings on full and partial data, and sentences that follow the tests."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cxkit import bridge
from cxkit.board import findings as board_findings
from cxkit.board import parts, report
from cxkit.folder import load_folder


@pytest.fixture(scope="module")
def two_tables(tmp_path_factory, sample_dir):
    """A folder with the customers and surveys only: no purchases, no contacts."""
    folder = tmp_path_factory.mktemp("two_tables")
    for name in ("customers.csv", "surveys.csv"):
        shutil.copy(sample_dir / name, folder / name)
    return load_folder(folder)


def test_without_purchases_the_board_says_what_it_cannot_price(two_tables):
    cx = two_tables
    churn, forecast = parts.churn_part(cx), parts.forecast_part(cx)
    assert forecast is None and churn is not None
    assert parts.missing_parts(cx, satisfaction=1, churn=churn, forecast=forecast, drivers=1) == [
        "what customers are worth (CLV): no transactions table"]
    the_bridge = parts.bridge_part(churn, forecast, cx, n_draws=50)
    assert the_bridge.bad_contacts is None and the_bridge.value_source is None
    assert any("no count of bad contacts" in n for n in the_bridge.notes)
    cost = bridge.value_per_bad_contact(the_bridge)
    assert cost["status"].iloc[0] == "cannot compute"
    assert board_findings.bad_contact_finding(cost) is None
    found = report.board_findings(cx, satisfaction=parts.satisfaction_part(cx), forecast=None, drivers=None,
                                  contact_cost=cost, at_stake=None)
    assert {f.key for f in found} <= {"nps", "csat", "no_goals"} and not any(f.currency for f in found)


def test_a_stated_revenue_per_month_prices_lost_days(two_tables):
    the_bridge = parts.bridge_part(parts.churn_part(two_tables), None, two_tables, revenue_per_month=30.0,
                                   n_draws=50)
    scenario = bridge.what_if(the_bridge, csat_points=0.5)
    assert scenario["status"].iloc[0] == "clear" and scenario["value_kept"].iloc[0] > 0
    assert the_bridge.value_source == "revenue per customer-month"


def _cost_row(**changes):
    row = {"hazard_ratio": 1.05, "hr_low": 0.95, "hr_high": 1.16, "p_value": 0.3, "days_lost": 1.0,
           "leavers_per_1000": 5.0, "leavers_low": -4.0, "leavers_high": 14.0, "value_lost": float("nan"),
           "ci_low": float("nan"), "ci_high": float("nan"), "customers": 1000, "horizon_months": 12,
           "status": "not clear", "reason": "no clear effect"}
    return {**row, **changes}


def test_a_cost_that_is_not_clear_gets_no_money_figure():
    finding = board_findings.bad_contact_finding(_cost_row(), currency="£")
    assert "no clear evidence" in finding.sentence and "£" not in finding.sentence
    assert finding.direction == "no clear difference"
    assert board_findings.board_actions([finding]) == []


def test_driver_value_without_a_clear_chain_names_the_broken_link():
    stake = pd.DataFrame({"segment": ["Top 10%"] * 2, "driver": ["clarity", "relevancy"],
                          "value_at_stake": [float("nan")] * 2, "ci_low": [float("nan")] * 2,
                          "ci_high": [float("nan")] * 2, "customers": [300, 300], "status": ["not clear"] * 2,
                          "reason": ["no clear link between CSAT and leaving"] * 2})
    finding = board_findings.driver_value_finding(stake, None, segment="Top 10%", who="the top 10% of spenders",
                                                  currency="£", period="the next 12 months")
    assert "no clear link between CSAT and leaving" in finding.sentence and finding.estimate is None
    assert "£" not in finding.sentence


@pytest.mark.parametrize("direction, words", [("lower", "below everyone else"), ("higher", "more satisfied")])
def test_the_top_spenders_action_follows_the_test(direction, words):
    gap = board_findings.Finding(theme="metrics", key="top_vs_rest", what="w", sentence="s", estimate=-26.3 if
                                 direction == "lower" else 12.0, direction=direction)
    actions = board_findings.board_actions([gap])
    assert len(actions) == 1 and words in actions[0]


def test_the_board_findings_on_the_sample_are_at_most_seven_in_the_boards_order(sample_dir):
    cx = load_folder(sample_dir)
    satisfaction, churn = parts.satisfaction_part(cx), parts.churn_part(cx)
    forecast = parts.forecast_part(cx)
    the_bridge = parts.bridge_part(churn, forecast, cx, n_draws=100)
    cost = bridge.value_per_bad_contact(the_bridge)
    found = report.board_findings(cx, satisfaction=satisfaction, forecast=forecast, drivers=None,
                                  contact_cost=cost, at_stake=None)
    keys = [f.key for f in found]
    assert keys == ["nps", "csat", "top_vs_rest", "top_revenue_share", "bad_contact", "forecast"]
    assert all(f.low is None or f.low <= f.estimate <= f.high for f in found)
    scenarios = report.scenario_table(the_bridge)
    assert scenarios["scenario"].str.startswith("first-contact resolution rose from").sum() == 2
    assert (scenarios["customers_kept"] >= 0).all()
    view = report.scenario_view(scenarios, "£")
    assert view["value kept (95% interval)"].str.startswith("£").all()
    assert report.bases(found)["figure"].iloc[4].startswith("£")
