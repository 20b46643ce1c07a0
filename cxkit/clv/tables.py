"""CLV results as a report shows them: which columns a table holds and what its headers say.

* :func:`last_year_table`: last year's spend of the forecast's customers, split the way
  the forecast treats it (:func:`cxkit.clv.last_year_spend`).
* :func:`satisfaction_value_table`: the value of dissatisfied against satisfied customers,
  means and medians with their tests (:func:`cxkit.experience.compare_value_by_experience`).
* :func:`parameter_meanings`: what the fitted BG/NBD and Gamma-Gamma parameters mean for
  the average customer, in words and in the data's own units.

Each returns a :class:`cxkit.display.Table`, shown as it stands in a notebook or report.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from cxkit.clv.bgnbd import BetaGeoFitter
from cxkit.clv.gammagamma import GammaGammaFitter
from cxkit.clv.units import TimeUnit
from cxkit.display import Table, format_money, table, time_unit_words
from cxkit.errors import argument_error

__all__ = ["LAST_YEAR_PARTS", "SATISFACTION_VALUE_COLUMNS", "last_year_table", "satisfaction_value_table",
           "parameter_meanings"]

#: The parts of :func:`cxkit.clv.last_year_spend` a report shows, with their headers.
LAST_YEAR_PARTS: dict[str, str] = {
    "spend": "spent in the last 12 months",
    "from_cancelled": "by customers who have since cancelled",
    "first_purchases": "first purchases of customers who joined in the year",
    "rest": "the rest: repeat purchases of customers still with us",
}

#: The columns of a value comparison between satisfaction groups a report shows.
SATISFACTION_VALUE_COLUMNS = ["n_a", "n_b", "mean_a", "mean_b", "p_value", "median_a", "median_b", "p_median",
                              "top5_share_a"]


def _day(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def last_year_table(last_year: pd.DataFrame, *, period_start: Any, period_end: Any,
                    currency: str | None = None) -> Table:
    """Last year's spend of the forecast's customers, and the parts the forecast has no counterpart for.

    Set beside the forecast, last year's spend reads as growth or decline unless the
    reader sees what it holds that the forecast does not: the spend of customers who have
    since cancelled and the first purchases of customers who joined during the year.

    Parameters
    ----------
    last_year : :func:`cxkit.clv.last_year_spend` (``spend``, ``from_cancelled``,
        ``first_purchases``, ``rest``).
    period_start, period_end : the first and last day of the period, for the caption.
    currency : a symbol or code for the money; ``None`` shows plain numbers.

    Example
    -------
    >>> ly = pd.DataFrame({"spend": [1200.0], "from_cancelled": [200.0], "first_purchases": [100.0], "rest": [900.0]})
    >>> shown = last_year_table(ly, period_start="2025-01-01", period_end="2025-12-31", currency="£")
    >>> shown.caption, shown.frame.iloc[0].tolist()
    ('What the same customers spent from 1 Jan 2025 to 31 Dec 2025', ['£1,200', '£200', '£100', '£900'])
    """
    parts = list(LAST_YEAR_PARTS)
    return table(last_year[parts], currency=currency, money=parts, labels=LAST_YEAR_PARTS,
                 caption=f"What the same customers spent from {_day(period_start)} to {_day(period_end)}")


def satisfaction_value_table(comparison: pd.DataFrame, *, currency: str | None = None) -> Table:
    """The value of dissatisfied against satisfied customers: sizes, means and medians with their tests.

    CLV is skewed, so a difference counts only where the means (Welch) and the typical
    customers (medians, Mann-Whitney) agree; the table shows both beside the share of
    the dissatisfied group's value its top five customers hold, and the caption says
    among whom the groups were compared.

    Parameters
    ----------
    comparison : :func:`cxkit.experience.compare_value_by_experience` with
        ``a="dissatisfied (1-2)"`` and ``b="satisfied (4-5)"``.
    currency : a symbol or code for the money; ``None`` shows plain numbers.

    Example
    -------
    >>> row = pd.DataFrame({"n_a": [55], "n_b": [1724], "mean_a": [143.2], "mean_b": [75.9], "p_value": [0.066],
    ...                     "median_a": [31.0], "median_b": [33.0], "p_median": [0.85], "top5_share_a": [0.56],
    ...                     "population": ["active customers"]})
    >>> shown = satisfaction_value_table(row, currency="£")
    >>> shown.frame.columns[:3].tolist(), shown.frame.iloc[0, :4].tolist()
    (['customers, dissatisfied', 'customers, satisfied', 'mean, dissatisfied'], ['55', '1,724', '£143', '£76'])
    """
    return table(comparison[SATISFACTION_VALUE_COLUMNS], groups=("dissatisfied", "satisfied"), currency=currency,
                 money=["mean_a", "mean_b", "median_a", "median_b"],
                 labels={"n_a": "customers, dissatisfied", "n_b": "customers, satisfied", "p_value": "p (means)"},
                 caption=f"CLV of dissatisfied against satisfied customers, {comparison['population'].iloc[0]}: "
                         "means (Welch) and medians (Mann-Whitney)")


def parameter_meanings(bgf: BetaGeoFitter, ggf: GammaGammaFitter, *, time_unit: TimeUnit = "W",
                       currency: str | None = None) -> Table:
    """What the fitted model parameters mean for the average customer, in words a marketer reads.

    ``r``, ``alpha``, ``a``, ``b``, ``p``, ``q`` and ``v`` say little to a reader; three
    quantities built from them do: how often the average customer buys (``r / alpha``
    purchases per time unit, the mean of the gamma distribution of purchase rates), the
    average chance of lapsing for good after a purchase (``a / (a + b)``, the mean of the
    beta distribution), and the average customer's spend per purchase (``p * v / (q - 1)``,
    the Gamma-Gamma mean, as :meth:`GammaGammaFitter.conditional_expected_average_profit`
    gives it for a customer with no repeat purchase).

    Parameters
    ----------
    bgf : a fitted :class:`cxkit.clv.BetaGeoFitter` (or one built with ``from_params``).
    ggf : a fitted :class:`cxkit.clv.GammaGammaFitter` (or one built with ``from_params``).
    time_unit : the unit the BG/NBD was fitted in (``"D"``, ``"W"`` or ``"M"``): the
        purchase rate is per day, week or month.
    currency : a symbol or code for the spend; ``None`` shows a plain number.

    Returns
    -------
    Table
        Captioned "What the parameters mean", with columns ``quantity`` and ``estimate``
        (as text, formatted), one row per quantity.

    Raises
    ------
    DataError
        A model is not a BetaGeoFitter / GammaGammaFitter.
    FitError
        A model is not fitted, or ``q <= 1`` (the average spend is not finite).

    Example
    -------
    >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> ggf = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    >>> parameter_meanings(bgf, ggf, time_unit="W", currency="£").frame
                                   quantity estimate
    0  purchases per week, average customer    0.055
    1    chance of lapsing after a purchase    24.6%
    2  spend per purchase, average customer   £35.22
    """
    for model, cls, name in ((bgf, BetaGeoFitter, "bgf"), (ggf, GammaGammaFitter, "ggf")):
        if not isinstance(model, cls):
            raise argument_error(name, f"{name} must be a fitted {cls.__name__}, got {type(model).__name__}")
    bgf._check_fitted()
    mean_spend = ggf.conditional_expected_average_profit(0, 0.0)   # FitError when unfitted or q <= 1
    bg = bgf.params_
    unit = time_unit_words(time_unit)
    meanings = pd.DataFrame({
        "quantity": [f"purchases per {unit[:-1]}, average customer", "chance of lapsing after a purchase",
                     "spend per purchase, average customer"],
        "estimate": [f"{bg['r'] / bg['alpha']:.3f}", f"{bg['a'] / (bg['a'] + bg['b']):.1%}",
                     format_money(mean_spend, currency, decimals=2)]})
    return table(meanings, caption="What the parameters mean")
