"""The CLV theme's report tables: their parts in words, and what the fitted parameters mean in the data's units."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit.clv import BetaGeoFitter, GammaGammaFitter, tables
from cxkit.errors import DataError, FitError


def test_parameter_meanings_match_the_hand_computed_means():
    bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    ggf = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    shown = tables.parameter_meanings(bgf, ggf, time_unit="W", currency="£")
    assert shown.caption == "What the parameters mean"
    assert shown.frame.columns.tolist() == ["quantity", "estimate"]
    assert shown.frame["quantity"].tolist() == ["purchases per week, average customer",
                                                "chance of lapsing after a purchase",
                                                "spend per purchase, average customer"]
    # 0.243 / 4.414 = 0.05505; 0.793 / (0.793 + 2.426) = 0.24635; 6.25 * 15.44 / (3.74 - 1) = 35.2190
    assert shown.frame["estimate"].tolist() == ["0.055", "24.6%", "£35.22"]


def test_parameter_meanings_follow_the_time_unit_and_currency():
    bgf = BetaGeoFitter.from_params(r=2.0, alpha=4.0, a=1.0, b=3.0)
    ggf = GammaGammaFitter.from_params(p=2.0, q=3.0, v=10.0)
    monthly = tables.parameter_meanings(bgf, ggf, time_unit="M", currency="GBP").frame
    assert monthly.iloc[0].tolist() == ["purchases per month, average customer", "0.500"]
    assert monthly["estimate"].tolist()[1:] == ["25.0%", "10.00 GBP"]      # 1 / 4; 2 * 10 / (3 - 1)
    daily = tables.parameter_meanings(bgf, ggf, time_unit="D").frame
    assert daily.iloc[0, 0] == "purchases per day, average customer" and daily.iloc[2, 1] == "10.00"


def test_parameter_meanings_refuse_what_they_cannot_read():
    bgf = BetaGeoFitter.from_params(r=2.0, alpha=4.0, a=1.0, b=3.0)
    ggf = GammaGammaFitter.from_params(p=2.0, q=3.0, v=10.0)
    with pytest.raises(DataError, match="ggf must be a fitted GammaGammaFitter"):
        tables.parameter_meanings(bgf, bgf)
    with pytest.raises(FitError, match="not fitted"):
        tables.parameter_meanings(BetaGeoFitter(), ggf)
    with pytest.raises(FitError, match="not finite"):
        tables.parameter_meanings(bgf, GammaGammaFitter.from_params(p=2.0, q=0.9, v=10.0))


def test_report_tables_show_their_parts_in_words() -> None:
    ly = pd.DataFrame({"spend": [1_200.0], "from_cancelled": [200.0], "first_purchases": [100.0], "rest": [900.0],
                       "n_customers": [10], "n_cancelled": [2], "n_new": [3]})
    shown = tables.last_year_table(ly, period_start=pd.Timestamp("2025-01-01"), period_end="2025-12-31",
                                   currency="EUR")
    assert shown.caption == "What the same customers spent from 1 Jan 2025 to 31 Dec 2025"
    assert shown.frame.columns.tolist() == list(tables.LAST_YEAR_PARTS.values())      # counts are not shown
    assert shown.frame.iloc[0].tolist() == ["1,200 EUR", "200 EUR", "100 EUR", "900 EUR"]
    test = pd.DataFrame({"n_a": [55], "n_b": [1724], "mean_a": [143.2], "mean_b": [75.9], "p_value": [0.0004],
                         "median_a": [31.0], "median_b": [33.0], "p_median": [0.85], "top5_share_a": [0.56],
                         "population": ["all customers (cancellations not known)"], "diff": [67.3]})
    shown = tables.satisfaction_value_table(test, currency="£")
    assert shown.caption == ("CLV of dissatisfied against satisfied customers, all customers (cancellations not "
                             "known): means (Welch) and medians (Mann-Whitney)")
    assert shown.frame.columns.tolist() == [
        "customers, dissatisfied", "customers, satisfied", "mean, dissatisfied", "mean, satisfied", "p (means)",
        "median, dissatisfied", "median, satisfied", "p (medians)", "% held by the top 5, dissatisfied"]
    assert shown.frame.iloc[0].tolist() == ["55", "1,724", "£143", "£76", "<0.001", "£31", "£33", "0.850", "56%"]
