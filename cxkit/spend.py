"""The value of dissatisfaction: whose revenue is at risk, and does satisfaction predict spend?

K-mart measured overall happiness and all looked fine, yet happy customers did not
spend more and the biggest spenders were the disappointed ones. This module puts money
on satisfaction, per value segment:

* :func:`customer_spend`: one row per customer with their value segment (deciles of
  spend per year of tenure, as in :mod:`cxkit.drivers`) and their spend in the
  reporting period (:mod:`cxkit.periods`, default the 12 months to ``as_of``). Attach
  the segment to survey answers with :func:`cxkit.value.attach`.
* :func:`revenue_at_risk`: the period's revenue held by dissatisfied, neutral and
  satisfied customers (and those with no survey answer) per value segment.
* :func:`spend_by_satisfaction`: mean spend per customer by satisfaction level, with a
  bootstrap interval that respects how skewed spend is.
* :func:`spend_around_answers` and :func:`future_spend_regression`: for each answer
  with a full follow-up window, the spend before and after it, and the slope of future
  spend on the rating adjusted for spend *before* the answer: the spend of the months
  before it, and value deciles as they stood at the answer date (the honest version of
  "happy customers spend more"). Nothing the adjustment uses is measured after the
  answer: a value decile ranked on spend up to ``as_of`` contains the very spend being
  predicted.

Rules shared by every function here:

* **Spend in a window** is purchases minus refunds dated in it, never below 0 (the
  :func:`cxkit.value.customer_value` rule); windows are whole days, both ends included.
* **Nothing is dropped silently.** Rows left out are listed in ``result.attrs["exclusions"]``
  (a list of ``{"table", "rule", "n_rows", "n_customers"}``, the survival-table
  convention); :func:`left_out` shows them as a table. Each row is counted under the
  first rule it breaks. Customers without a survey answer are kept as the level
  ``"no survey"``, never left out.
* Bad input (a missing column, a rating that is not a number, negative spend, an
  unparseable date, a window of 0 months) raises :class:`cxkit.DataError` naming the
  table, the column, the rule and the first offending rows.
* **Money is compared between satisfaction levels among active customers** (by default,
  when the value table's ``active`` column says who had left): a customer who left during
  the period spent only part of it, so a level holding more of them (often the
  dissatisfied) would look poorer for that reason alone, and their revenue is lost, not
  at risk. Those left out are one exclusion record (the rule of
  :func:`cxkit.comparisons.population_of`); ``attrs["population"]`` says who was compared
  and ``attrs["left_out_revenue"]`` what they spent; :func:`cancelled_sentence` says it
  in words.

Example
-------
>>> seg = customer_spend(cx.transactions, cx.customers, as_of=cx.as_of)            # doctest: +SKIP
>>> exp = customer_experience(cx.surveys, customers=cx.customers, as_of=cx.as_of)  # doctest: +SKIP
>>> revenue_at_risk(seg, exp, level="csat_mean")                                    # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.comparisons import POPULATIONS, population_of
from cxkit.display import format_money
from cxkit.errors import DataError, FitError, data_error, require_columns
from cxkit.experience import satisfaction_level
from cxkit.narrative import escape
from cxkit.parsing import parse_dates, parse_timestamp, to_number
from cxkit.periods import reporting_period
from cxkit.value import customer_value, value_segments, value_tiers

__all__ = ["LEVELS", "cancelled_sentence", "customer_spend", "future_spend_regression", "left_out",
           "revenue_at_risk", "segment_customers", "spend_around_answers", "spend_by_satisfaction"]

#: Satisfaction levels in reading order (the labels of :func:`cxkit.experience.satisfaction_level`).
LEVELS: tuple[str, ...] = ("dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)", "no survey")
NO_SURVEY = "no survey"
_EXCLUSION_KEYS = ["table", "rule", "n_rows", "n_customers"]


# --------------------------------------------------------------------------- shared checks


def _exclusion(table: str, rule: str, rows: pd.DataFrame, customer: str) -> dict[str, Any]:
    return {"table": table, "rule": rule, "n_rows": len(rows), "n_customers": int(rows[customer].nunique())}


def left_out(result: pd.DataFrame) -> pd.DataFrame:
    """The rows a result of this module left out, one row per rule (empty when none).

    Quote a revenue share or a slope together with what it does not cover.

    Example
    -------
    >>> r = pd.DataFrame(); r.attrs["exclusions"] = [{"table": "surveys", "rule": "rating missing",
    ...     "n_rows": 3, "n_customers": 2}]
    >>> left_out(r)[["rule", "n_rows"]].values.tolist()
    [['rating missing', 3]]
    """
    return pd.DataFrame(list(result.attrs.get("exclusions", [])), columns=_EXCLUSION_KEYS)


def cancelled_sentence(result: pd.DataFrame, *, currency: str | None = None) -> str:
    """What a money comparison did with the customers who had left, in one sentence.

    Revenue of customers who have left is lost, not at risk: a reader of a revenue-at-risk
    table must be told who was left out and what they spent, that nobody had left, or that
    nobody knows (no cancellation dates).

    Parameters
    ----------
    result : :func:`revenue_at_risk` or :func:`spend_by_satisfaction` (``attrs``:
        ``population``, ``n_cancelled``, ``left_out_revenue``).
    currency : symbol or code for the money; ``None``: the data's own unit.

    Example
    -------
    >>> r = pd.DataFrame()
    >>> r.attrs.update(population="active customers", n_cancelled=12, left_out_revenue=3400.0)
    >>> cancelled_sentence(r, currency="€")
    'Left out: 12 customers who had left by the analysis date, who spent €3,400 in the period.'
    """
    missing = [k for k in ("population", "n_cancelled", "left_out_revenue") if k not in result.attrs]
    if missing:
        raise ValueError(f"cancelled_sentence() needs a result of revenue_at_risk or spend_by_satisfaction; "
                         f"its attrs lack {missing}")
    n, population = int(result.attrs["n_cancelled"]), result.attrs["population"]
    if population == "all customers (cancellations not known)":
        return "Who has left is not known (no cancellation dates): every customer is counted."
    if not n:
        return "No customer had left by the analysis date."
    if population == "active customers":
        gone = escape(format_money(result.attrs["left_out_revenue"], currency))
        return f"Left out: {n:,} customers who had left by the analysis date, who spent {gone} in the period."
    return f"Every customer is counted, the {n:,} who had left by the analysis date among them."


def _months(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise DataError(f"{name} must be a whole number of months above 0, got {value!r}",
                        column=name, rule=f"{name} > 0")
    return int(value)


def _numbers(data: pd.DataFrame, column: str, table: str, *, allow_missing: bool) -> pd.Series:
    out = to_number(data[column], table=table, column=column, frame=data)
    if not allow_missing and out.isna().any():
        raise data_error(table, column, "value missing (a customer with no purchases has spend 0)",
                         data[out.isna()])
    return out


def _days(data: pd.DataFrame, column: str, table: str) -> pd.Series:
    out = parse_dates(data[column], table=table, column=column, frame=data).dt.normalize()
    if out.isna().any():
        raise data_error(table, column, "date missing", data[out.isna()])
    return out


def _unique(data: pd.DataFrame, customer: str, table: str) -> None:
    dup = data[customer].duplicated(keep=False)
    if dup.any():
        raise data_error(table, customer, "one row per customer expected", data[dup],
                         hint="summarise per customer first (customer_spend, customer_experience)")


def _level_order(levels: pd.Series) -> list[str]:
    seen = set(levels.dropna().astype(str))
    if seen <= set(LEVELS):
        return list(LEVELS)
    return [lv for lv in LEVELS if lv in seen] + sorted(seen - set(LEVELS))


def _active_population(value: pd.DataFrame, money: pd.Series, *, population: str, active: str | None,
                       customer: str) -> tuple[np.ndarray, dict[str, Any]]:
    """Which rows of ``value`` are compared (``population``), and the record of who was left out.

    ``active`` is a true/false column of ``value`` (True: had not left by the analysis
    date; missing: counts as active); absent or None, cancellations are not known.
    """
    if population not in POPULATIONS:
        raise DataError(f"population must be one of {POPULATIONS}, got {population!r}", column="population",
                        rule="population is 'active' or 'all'")
    frame = value[[customer]].reset_index(drop=True)
    known = active is not None and active in value.columns
    if known:
        flags = value[active].reset_index(drop=True)
        bad = flags.notna() & ~flags.isin([True, False])
        if bad.any():
            raise data_error("value", active, "active must be true/false (missing counts as active)",
                             value[bad.to_numpy()])
        cancelled = flags.eq(False)
    kept, info = population_of(frame, population=population, cancelled=cancelled if known else None, table="value")
    keep = frame.index.isin(kept.index)
    info["left_out_revenue"] = float(money.to_numpy()[~keep].sum())
    return keep, info


def _customers_with_levels(value: pd.DataFrame, satisfaction: pd.DataFrame, *, customer: str, spend: str,
                           level: str, segment: str | None, population: str = "all",
                           active: str | None = None) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[str, Any]]:
    """One row per customer of ``value`` compared: spend, segment and satisfaction level ("no survey" if none).

    Returns the rows, the exclusion records and the population record (``population``,
    ``n_cancelled``, ``left_out_revenue``).
    """
    cols = [customer, spend] + ([segment] if segment else [])
    require_columns(value, cols, "value")
    require_columns(satisfaction, [customer, level], "satisfaction")
    _unique(value, customer, "value")
    _unique(satisfaction, customer, "satisfaction")
    money = _numbers(value, spend, "value", allow_missing=False)
    if (money < 0).any():
        raise data_error("value", spend, "spend must not be negative", value[money < 0],
                         hint="net refunds per customer and floor at 0, as customer_spend does")
    raw = satisfaction[level]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        levels = satisfaction_level(raw.astype(float))    # a mean rating: banded 1-2 / 3 / 4-5
    else:
        levels = raw.astype(object).where(raw.notna(), NO_SURVEY)
    lookup = pd.Series(levels.to_numpy(), index=satisfaction[customer].to_numpy())
    out = pd.DataFrame({customer: value[customer].to_numpy(), "spend": money.to_numpy()})
    if segment:
        out["segment"] = value[segment].to_numpy()
    out["satisfaction_level"] = out[customer].map(lookup).fillna(NO_SURVEY).to_numpy()
    exclusions = []
    unknown = satisfaction[~satisfaction[customer].isin(value[customer])]
    if len(unknown):
        exclusions.append(_exclusion("satisfaction", "customer not in the value table (no spend or segment)",
                                     unknown, customer))
    keep, info = _active_population(value, money, population=population, active=active, customer=customer)
    exclusions += info.pop("exclusions")
    out = out[keep]
    if segment:
        no_segment = out["segment"].isna()
        if no_segment.any():
            exclusions.append(_exclusion("value", f"{segment} missing", out[no_segment], customer))
            out = out[~no_segment]
    return out.reset_index(drop=True), exclusions, info


# --------------------------------------------------------------------------- per customer


def customer_spend(
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any = None,
    period: Any = "12M",
    q: int = 10,
    top: int = 1,
    rank_by: str = "annual_spend",
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """One row per customer: value segment, value tier and spend in the reporting period.

    Revenue at risk is the period's money, split by who holds it: this puts each
    customer's period spend beside their value segment, so every table in the analysis
    uses the same segments as the CX-metrics notebook (deciles of spend per year of tenure).

    Parameters
    ----------
    transactions : validated transactions (refunds negative).
    customers : optional customers table: customers without purchases appear with 0
        spend, tenure starts at sign-up (see :func:`cxkit.value.customer_value`) and an
        ``active`` column says who had not left by ``as_of``.
    as_of : the analysis date (default: the last transaction date).
    period : the reporting period for ``period_spend`` (:func:`cxkit.periods.reporting_period`:
        ``"12M"``, ``"2Y"``, ``"all"`` or two dates); its label is in ``attrs["period"]``.
    q, top : ``q`` value segments (10: deciles, 10 = top); ``top`` segments form the top tier.
    rank_by : column that ranks customers into segments: ``"annual_spend"`` (default),
        ``"net_spend"`` or ``"period_spend"``.
    customer_col, date_col, amount_col : column names.

    Returns
    -------
    DataFrame sorted by customer: ``customer_id``, ``net_spend``, ``annual_spend``,
    ``period_spend`` (purchases minus refunds in the period, never below 0),
    ``period_refund_excess`` (refunds beyond purchases in the period), ``value_segment``
    (1 = lowest), ``value_tier`` (``"Top 10%"`` / ``"Rest (90%)"``) and, with
    ``customers``, ``active``. ``attrs``: ``as_of``, ``period``, ``exclusions`` (none).
    Attach segments to survey answers with ``value.attach(surveys, seg, "value_segment")``.

    Example
    -------
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "b"], "amount": [10.0, 30.0, 60.0],
    ...                    "date": pd.to_datetime(["2024-01-01", "2025-02-01", "2025-03-01"])})
    >>> customer_spend(tx, as_of="2025-12-31", q=2)[["customer_id", "period_spend", "value_segment"]].values.tolist()
    [['a', 0.0, 1], ['b', 90.0, 2]]
    """
    require_columns(transactions, [customer_col, date_col, amount_col], "transactions")
    if rank_by not in ("annual_spend", "net_spend", "period_spend"):
        raise DataError(f"rank_by must be 'annual_spend', 'net_spend' or 'period_spend', got {rank_by!r}",
                        column="rank_by", rule="rank_by")
    tx = pd.DataFrame({customer_col: transactions[customer_col],
                       date_col: parse_dates(transactions[date_col], table="transactions", column=date_col,
                                             frame=transactions),
                       amount_col: _numbers(transactions, amount_col, "transactions", allow_missing=False)})
    if tx[date_col].isna().any():
        raise data_error("transactions", date_col, "date missing", transactions[tx[date_col].isna()])
    day = parse_timestamp(as_of) if as_of is not None else tx[date_col].max()
    day = day.normalize()
    value = customer_value(tx, customers, as_of=day, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col)
    window = reporting_period(period, as_of=day, first_date=tx[date_col].min())
    net = window.select(tx, date_col).groupby(customer_col)[amount_col].sum()
    net = value[customer_col].map(net).fillna(0.0)
    out = value[[customer_col, "net_spend", "annual_spend"]].copy()
    out["period_spend"] = net.clip(lower=0).to_numpy()
    out["period_refund_excess"] = (-net).clip(lower=0).to_numpy()
    return segment_customers(out, customers, as_of=day, period=window.label, q=q, top=top, rank_by=rank_by,
                             customer_col=customer_col)


def segment_customers(
    value: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any,
    period: str,
    q: int = 10,
    top: int = 1,
    rank_by: str = "annual_spend",
    customer_col: str = "customer_id",
) -> pd.DataFrame:
    """Value segments and tiers for one row per customer that already has its spend.

    The second half of :func:`customer_spend`, for per-customer frames computed
    elsewhere (``CXData.customer_value(period_start=..., period_end=...)``, which a
    transaction log too large to load also gives).

    Parameters
    ----------
    value : one row per customer with ``net_spend``, ``annual_spend``, ``period_spend``.
    customers : optional customers table; adds ``active``.
    as_of : the analysis date; period : the period's label (kept in ``attrs``).
    q, top, rank_by : as in :func:`customer_spend`.

    Returns
    -------
    :func:`customer_spend`'s frame.

    Example
    -------
    >>> v = pd.DataFrame({"customer_id": ["a", "b"], "net_spend": [10.0, 90.0], "annual_spend": [10.0, 90.0],
    ...                   "period_spend": [10.0, 90.0]})
    >>> segment_customers(v, as_of="2025-12-31", period="2025", q=2)["value_tier"].tolist()
    ['Rest (50%)', 'Top 50%']
    """
    require_columns(value, [customer_col, "net_spend", "annual_spend", "period_spend", rank_by], "value")
    out = value.copy()
    day = parse_timestamp(as_of).normalize()
    out["value_segment"] = value_segments(out[rank_by], q=q).to_numpy()
    out["value_tier"] = value_tiers(out["value_segment"], q=q, top=top).to_numpy()
    if customers is not None and "churn_date" in customers:
        churn = out[customer_col].map(customers.drop_duplicates(customer_col).set_index(customer_col)["churn_date"])
        out["active"] = (churn.isna() | (churn > day)).to_numpy()
    out = out.sort_values(customer_col, kind="mergesort").reset_index(drop=True)
    out.attrs = {"as_of": day, "period": period, "exclusions": []}
    return out


def revenue_at_risk(
    value: pd.DataFrame,
    satisfaction: pd.DataFrame,
    *,
    segment: str | None = "value_segment",
    revenue: str = "period_spend",
    level: str = "satisfaction_level",
    customer: str = "customer_id",
    population: str = "active",
    active: str | None = "active",
) -> pd.DataFrame:
    """The period's revenue held by dissatisfied, neutral and satisfied customers, per value segment.

    The K-mart number: how much of the money sits with customers who are unhappy (at risk
    of leaving) or never told us, and whether that is worse among the best customers.
    Only customers still active can take money away, so by default the revenue compared
    is theirs; what customers who had already left spent is reported beside it.

    Parameters
    ----------
    value : one row per customer with ``customer``, ``revenue`` and ``segment``
        (for example :func:`customer_spend`); revenue must be a number >= 0.
    satisfaction : one row per customer with ``customer`` and ``level``: text levels, or a
        mean rating on the 1-5 CSAT scale (e.g. ``csat_mean`` of
        :func:`cxkit.experience.customer_experience`), banded by
        :func:`cxkit.experience.satisfaction_level`.
    segment : segment column of ``value``; ``None`` for all customers together.
    revenue, level, customer : column names.
    population : ``"active"`` (default: customers the ``active`` column marks as gone by the
        analysis date are left out) or ``"all"``.
    active : true/false column of ``value``, True for customers who had not left
        (:func:`customer_spend` writes it when given customers with a ``churn_date``); a
        missing value counts as active. Without the column cancellations are not known and
        every customer is compared.

    Returns
    -------
    DataFrame, one row per segment x level (every level of :data:`LEVELS` in every
    segment, zeros included), sorted by segment then level: ``segment``, ``satisfaction_level``,
    ``customers``, ``revenue``, ``share_of_segment`` (of the segment's revenue, 0-1; missing
    when the segment has none) and
    ``share_of_total`` (of all revenue in the table). Customers of ``value`` without an
    answer are the level ``"no survey"``. ``attrs``: ``exclusions`` (satisfaction rows of
    customers missing from ``value``; customers who had left; customers without a
    segment), ``total_revenue`` (of the customers compared), ``population`` (who was
    compared, in words: ``"active customers"``, ``"all customers, cancelled included"`` or
    ``"all customers (cancellations not known)"``), ``n_cancelled``, ``left_out_revenue``
    (what the customers who had left spent) and ``period`` (when ``value`` has one).

    Example
    -------
    >>> v = pd.DataFrame({"customer_id": ["a", "b", "c"], "value_segment": [1, 2, 2],
    ...                   "period_spend": [10.0, 60.0, 30.0]})
    >>> s = pd.DataFrame({"customer_id": ["b", "c"], "csat_mean": [1.5, 4.5]})
    >>> revenue_at_risk(v, s, level="csat_mean").query("value_segment == 2").share_of_segment.round(2).tolist()
    [0.67, 0.0, 0.33, 0.0]
    >>> r = revenue_at_risk(v.assign(active=[True, False, True]), s, level="csat_mean")
    >>> r.attrs["population"], r.attrs["left_out_revenue"], r.attrs["total_revenue"]
    ('active customers', 60.0, 40.0)
    """
    rows, exclusions, info = _customers_with_levels(value, satisfaction, customer=customer, spend=revenue,
                                                    level=level, segment=segment, population=population,
                                                    active=active)
    keys = (["segment"] if segment else []) + ["satisfaction_level"]
    cells = rows.groupby(keys, sort=False).agg(customers=("spend", "size"), revenue=("spend", "sum"))
    order = _level_order(rows["satisfaction_level"])
    if segment:
        grid = pd.MultiIndex.from_product([sorted(rows["segment"].unique()), order], names=keys)
    else:
        grid = pd.Index(order, name="satisfaction_level")
    out = cells.reindex(grid, fill_value=0).reset_index()
    total = float(rows["spend"].sum())
    seg_total = out.groupby("segment")["revenue"].transform("sum") if segment else pd.Series(total, index=out.index)
    out["share_of_segment"] = (out["revenue"] / seg_total.where(seg_total > 0)).astype(float)
    out["share_of_total"] = out["revenue"] / total if total > 0 else np.nan
    out["customers"] = out["customers"].astype("int64")
    out["revenue"] = out["revenue"].astype(float)
    out = out.rename(columns={"segment": segment}) if segment else out
    out.attrs = {"exclusions": exclusions, "total_revenue": total, **info}
    if "period" in value.attrs:
        out.attrs["period"] = value.attrs["period"]
    return out


def _bootstrap_mean(x: np.ndarray, n_boot: int, ci: float, rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, drawn in chunks of at most ~2M values."""
    n = len(x)
    if n < 2:
        return np.nan, np.nan
    means = np.empty(n_boot)
    step = max(1, 2_000_000 // n)
    for i in range(0, n_boot, step):
        k = min(step, n_boot - i)
        means[i:i + k] = x[rng.integers(0, n, size=(k, n))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - ci) / 2, (1 + ci) / 2])
    return float(lo), float(hi)


def spend_by_satisfaction(
    value: pd.DataFrame,
    satisfaction: pd.DataFrame,
    *,
    segment: str | None = None,
    spend: str = "period_spend",
    level: str = "satisfaction_level",
    customer: str = "customer_id",
    ci: float = 0.95,
    n_boot: int = 2000,
    random_state: int | None = 0,
    min_base: int = 30,
    population: str = "active",
    active: str | None = "active",
) -> pd.DataFrame:
    """Mean spend per customer by satisfaction level (optionally per segment), with intervals.

    "Happy customers spend more" is the first thing to check, and spend is skewed: a few
    large customers move a mean. The interval is a percentile bootstrap of the mean
    (customers resampled within each cell), which follows that skew instead of assuming
    symmetry; the median is shown beside it. Small bases are flagged, not hidden. By
    default among active customers: one who left during the period spent only part of it.

    Parameters
    ----------
    value, satisfaction : as in :func:`revenue_at_risk` (spend column ``spend``).
    segment : optional segment column of ``value`` (e.g. ``"value_segment"``, ``"value_tier"``).
    spend, level, customer : column names.
    ci : coverage of the interval (0.95).
    n_boot : bootstrap resamples per cell.
    random_state : seed; the same seed gives the same intervals.
    min_base : cells with fewer customers are flagged ``small_base``.
    population, active : who is compared, as in :func:`revenue_at_risk` (default: active
        customers, when ``value`` has an ``active`` column).

    Returns
    -------
    DataFrame, one row per (segment x) level that has customers, sorted by segment then
    level: [``segment``], ``satisfaction_level``, ``customers``, ``mean_spend``, ``ci_low``,
    ``ci_high`` (missing for a single customer), ``median_spend``, ``small_base``.
    ``attrs``: ``exclusions``, ``method``, ``population``, ``n_cancelled``,
    ``left_out_revenue`` (as in :func:`revenue_at_risk`), ``period`` (when ``value`` has one).

    Example
    -------
    >>> v = pd.DataFrame({"customer_id": list("abcd"), "period_spend": [10.0, 30.0, 5.0, 5.0]})
    >>> s = pd.DataFrame({"customer_id": list("abcd"), "satisfaction_level": ["neutral (3)"] * 2 + [None] * 2})
    >>> spend_by_satisfaction(v, s)[["satisfaction_level", "customers", "mean_spend"]].values.tolist()
    [['neutral (3)', 2, 20.0], ['no survey', 2, 5.0]]
    """
    if not 0 < ci < 1:
        raise DataError(f"ci must be between 0 and 1, got {ci!r}", column="ci", rule="0 < ci < 1")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise DataError(f"n_boot must be a whole number of at least 100, got {n_boot!r}", column="n_boot",
                        rule="n_boot >= 100")
    rows, exclusions, info = _customers_with_levels(value, satisfaction, customer=customer, spend=spend,
                                                    level=level, segment=segment, population=population,
                                                    active=active)
    order = {lv: i for i, lv in enumerate(_level_order(rows["satisfaction_level"]))}
    rows["_order"] = rows["satisfaction_level"].map(order)
    keys = (["segment"] if segment else []) + ["_order", "satisfaction_level"]
    rng = np.random.default_rng(random_state)
    records = []
    for key, cell in rows.groupby(keys, sort=True):
        x = cell["spend"].to_numpy(float)
        lo, hi = _bootstrap_mean(x, int(n_boot), ci, rng)
        rec = dict(zip(keys, key))
        rec.update(customers=len(x), mean_spend=float(x.mean()), ci_low=lo, ci_high=hi,
                   median_spend=float(np.median(x)), small_base=len(x) < min_base)
        records.append(rec)
    cols = ["satisfaction_level", "customers", "mean_spend", "ci_low", "ci_high", "median_spend", "small_base"]
    out = pd.DataFrame(records, columns=(["segment"] if segment else []) + cols)
    out = out.rename(columns={"segment": segment}) if segment else out
    out.attrs = {"exclusions": exclusions,
                 "method": f"percentile bootstrap of the mean, {n_boot} resamples, random_state={random_state}",
                 **info}
    if "period" in value.attrs:
        out.attrs["period"] = value.attrs["period"]
    return out


# --------------------------------------------------------------------------- per answer


def _day_numbers(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy("datetime64[D]").astype("int64")


def _window_sums(codes: np.ndarray, start: np.ndarray, end: np.ndarray, tx_codes: np.ndarray, tx_day: np.ndarray,
                 amount: np.ndarray) -> np.ndarray:
    """Net amount of each customer's transactions dated ``start``..``end`` (days, inclusive)."""
    lo = min(tx_day.min(initial=0), start.min(initial=0)) - 1
    width = max(tx_day.max(initial=0), end.max(initial=0)) - lo + 2
    key = tx_codes * width + (tx_day - lo)
    order = np.argsort(key, kind="stable")
    key, cum = key[order], np.r_[0.0, np.cumsum(amount[order])]
    first = np.searchsorted(key, codes * width + (start - lo), side="left")
    last = np.searchsorted(key, codes * width + (end - lo), side="right")
    return cum[last] - cum[first]


def spend_around_answers(
    surveys: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    rating: str = "csat",
    months_after: int = 6,
    months_before: int = 12,
    segment: str | None = None,
    value_q: int = 10,
    min_tenure_days: int = 90,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Each survey answer with the customer's spend before it and in a full window after it.

    Whether satisfaction predicts spend can only be read from answers whose follow-up
    window has fully passed; an answer given last month has no future yet, and counting
    its future as 0 would make recent answers look like lost customers.

    Windows (whole days, both ends included; spend = purchases minus refunds, never below 0):
    ``past_spend`` covers the ``months_before`` months to the answer day (the answer day
    included, :mod:`cxkit.periods` convention); ``future_spend`` the day after the answer
    to ``months_after`` months later. Exclusions, each answer under the first rule it breaks:
    the rating is missing; the ``segment`` is missing; the answer is dated after ``as_of``;
    the follow-up window ends after ``as_of``. They are listed in ``attrs["exclusions"]``.

    The customer's value *as known at the answer date*: ``annual_spend_before`` is the
    net spend from their first transaction up to the answer day (never below 0) per year
    of that tenure (at least ``min_tenure_days``), the rule of
    :func:`cxkit.value.customer_value` stopped at the answer; ``past_value_decile``
    ranks the answers kept by it into ``value_q`` groups (1 = lowest): 1 + floor(value_q *
    (r - 1) / n), r the lowest rank among equal values, so answers with equal value share a
    group (those with no spend before share the lowest; some numbers may be unused). Unlike
    value deciles ranked on spend up to ``as_of``, neither contains spend after the answer.

    Parameters
    ----------
    surveys : survey answers with ``customer_col``, ``date_col`` and ``rating``.
    transactions : transactions with ``customer_col``, ``date_col``, ``amount_col``.
    as_of : the analysis date: the last day of spend that is known.
    rating : any numeric rating column (``csat``, ``nps``, ``ces``, a driver...).
    months_after, months_before : window lengths in months (whole numbers > 0).
    segment : optional column of ``surveys`` carried along (e.g. a region, or a segment
        fixed before the answers).
    value_q : number of groups for ``past_value_decile`` (10: deciles; 2 or more).
    min_tenure_days : shorter tenures before the answer count as this long for
        ``annual_spend_before`` (so one purchase last week does not look like a giant).
    customer_col, date_col, amount_col : column names (``date_col`` in both tables).

    Returns
    -------
    DataFrame sorted by customer and date: ``customer_id``, ``date``, ``rating`` (named as
    the column), [``segment``], ``past_spend``, ``annual_spend_before``,
    ``past_value_decile``, ``future_spend``, ``follow_up_end``. ``attrs``: ``exclusions``,
    ``as_of``, ``months_after``, ``months_before``, ``rating``, ``value_q``.

    Example
    -------
    >>> s = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2025-03-01"]), "csat": [4]})
    >>> tx = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2025-02-01", "2025-05-01"]),
    ...                    "amount": [20.0, 50.0]})
    >>> spend_around_answers(s, tx, as_of="2025-12-31")[["past_spend", "future_spend"]].values.tolist()
    [[20.0, 50.0]]
    """
    after, before = _months(months_after, "months_after"), _months(months_before, "months_before")
    if isinstance(value_q, bool) or not isinstance(value_q, (int, np.integer)) or value_q < 2:
        raise DataError(f"value_q must be a whole number of at least 2, got {value_q!r}", column="value_q",
                        rule="value_q >= 2")
    if isinstance(min_tenure_days, bool) or not isinstance(min_tenure_days, (int, np.integer)) or min_tenure_days < 1:
        raise DataError(f"min_tenure_days must be a whole number of at least 1, got {min_tenure_days!r}",
                        column="min_tenure_days", rule="min_tenure_days >= 1")
    extra = [segment] if segment else []
    require_columns(surveys, [customer_col, date_col, rating, *extra], "surveys")
    require_columns(transactions, [customer_col, date_col, amount_col], "transactions")
    day = parse_timestamp(as_of)
    if day is None:
        raise DataError("spend_around_answers needs as_of, the last day of known spend", column="as_of",
                        rule="as_of given")
    day = day.normalize()
    answer_day = _days(surveys, date_col, "surveys")
    score = _numbers(surveys, rating, "surveys", allow_missing=True)
    tx_day = _days(transactions, date_col, "transactions")
    amount = _numbers(transactions, amount_col, "transactions", allow_missing=False)

    ans = pd.DataFrame({customer_col: surveys[customer_col].to_numpy(), "date": answer_day.to_numpy(),
                        rating: score.to_numpy()})
    for col in extra:
        ans[col] = surveys[col].to_numpy()
    ans["follow_up_end"] = ans["date"] + pd.DateOffset(months=after)
    late_follow_up = f"follow-up window ({after} months after the answer) ends after as_of ({day:%Y-%m-%d})"
    rules = [
        (ans[rating].isna(), "surveys", f"rating '{rating}' missing"),
        *[(ans[col].isna(), "surveys", f"{col} missing") for col in extra],
        (ans["date"] > day, "surveys", f"answer dated after as_of ({day:%Y-%m-%d})"),
        (ans["follow_up_end"] > day, "surveys", late_follow_up),
    ]
    keep = pd.Series(True, index=ans.index)
    exclusions = []
    for mask, table, rule in rules:
        hit = mask & keep
        if hit.any():
            exclusions.append(_exclusion(table, rule, ans[hit], customer_col))
        keep &= ~hit
    if not keep.any():
        rated = ans[ans[rating].notna() & (ans["date"] <= day)]
        latest = f"; the earliest rated answer is dated {rated['date'].min():%Y-%m-%d}" if len(rated) else ""
        raise data_error("surveys", rating, f"no answers with a rating and a full {after}-month follow-up "
                         f"before as_of {day:%Y-%m-%d} ({int(ans[rating].notna().sum())} rated answers{latest})",
                         hint="use a shorter months_after, a later as_of, or a rating column with answers")
    ans = ans[keep].sort_values([customer_col, "date"], kind="mergesort").reset_index(drop=True)
    ids = pd.Index(pd.unique(pd.concat([ans[customer_col], transactions[customer_col]], ignore_index=True)))
    codes, tx_codes = ids.get_indexer(ans[customer_col]), ids.get_indexer(transactions[customer_col])
    d = _day_numbers(ans["date"])
    t_day, money = _day_numbers(tx_day), amount.to_numpy(float)
    past_start = _day_numbers(ans["date"] - pd.DateOffset(months=before)) + 1
    future_end = _day_numbers(ans["follow_up_end"])
    ans["past_spend"] = np.clip(_window_sums(codes, past_start, d, tx_codes, t_day, money), 0, None)
    ans["future_spend"] = np.clip(_window_sums(codes, d + 1, future_end, tx_codes, t_day, money), 0, None)
    since_first = np.full_like(d, t_day.min() if len(t_day) else 0)
    history = np.clip(_window_sums(codes, since_first, d, tx_codes, t_day, money), 0, None)
    first_day = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first_day, tx_codes, t_day)
    tenure = np.maximum(d - np.minimum(first_day[codes], d) + 1, int(min_tenure_days))
    ans["annual_spend_before"] = history / tenure * 365.25
    ans["past_value_decile"] = _tied_groups(ans["annual_spend_before"].to_numpy(float), int(value_q))
    out = ans[[customer_col, "date", rating, *extra, "past_spend", "annual_spend_before", "past_value_decile",
               "future_spend", "follow_up_end"]]
    out.attrs = {"exclusions": exclusions, "as_of": day, "months_after": after, "months_before": before,
                 "rating": rating, "value_q": int(value_q)}
    return out


def _tied_groups(values: np.ndarray, q: int) -> np.ndarray:
    """1..q by rank, equal values in one group: 1 + floor(q * (lowest rank - 1) / n)."""
    lowest_rank = stats.rankdata(values, method="min")
    return (1 + (q * (lowest_rank - 1)) // len(values)).astype(np.int64)


def _ols_clustered(X: np.ndarray, y: np.ndarray, clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """OLS coefficients and their cluster-robust covariance (CR1: G/(G-1) * (n-1)/(n-k)).

    Returns ``(beta, cov, n_clusters)``; inference uses a t distribution with G - 1 degrees
    of freedom, the usual choice when the number of clusters limits what is known.
    """
    n, k = X.shape
    if np.linalg.matrix_rank(X) < k:
        raise FitError("the regression cannot separate its terms (the rating, past spend or a segment is "
                       "constant among the answers kept, or one term repeats another): use a longer period, "
                       "another rating or fewer segments")
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ (X.T @ y)
    resid = y - X @ beta
    groups, codes = np.unique(clusters, return_inverse=True)
    g = len(groups)
    if g < 2 or n <= k:
        raise FitError(f"{n} answers from {g} customers are too few to estimate {k} terms with clustered "
                       "errors: use a longer period or more answers")
    scores = np.zeros((g, k))
    np.add.at(scores, codes, X * resid[:, None])
    meat = scores.T @ scores
    cov = (g / (g - 1)) * ((n - 1) / (n - k)) * bread @ meat @ bread
    return beta, cov, g


def future_spend_regression(
    surveys: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    rating: str = "csat",
    months_after: int = 6,
    months_before: int = 12,
    adjust_for_past: bool = True,
    past_deciles: int | None = None,
    segment: str | None = None,
    ci: float = 0.95,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Does a higher rating predict more spend afterwards? Money per rating point, with its interval.

    Comparing the spend of happy and unhappy customers mixes up who they are with how
    they feel (K-mart's big spenders were the unhappy ones). Regressing each answer's
    future spend on its rating *adjusted for the customer's spend before the answer*
    asks the fairer question: among customers who spent alike, do the happier ones go on
    to spend more? It is an association, not proof of cause.

    Method: ordinary least squares of ``future_spend`` on the rating and the adjustment
    terms (see :func:`spend_around_answers` for the windows and exclusions), one row per
    answer. A customer can answer several times, so standard errors are clustered by
    customer (CR1 sandwich, t with customers - 1 degrees of freedom).

    Every adjustment is measured before the answer:

    * ``adjust_for_past``: ``past_spend``, the spend in the ``months_before`` months up to
      the answer day, as a straight line;
    * ``past_deciles=q``: one term per value group *at the time of the answer*
      (``past_value_decile``: deciles of spend per year of tenure up to the answer day,
      ranked among the answers kept), so the comparison is within customers who were
      worth alike when they answered, whatever the shape of the link between value and
      future spend. With both, the line works within the groups.

    Do not adjust for value deciles ranked on spend up to ``as_of``
    (:func:`customer_spend`'s ``value_segment``): they include the follow-up months being
    predicted, so a rating that raises future spend also raises the decile, and comparing
    within deciles hides part of the effect (or invents one). ``segment`` is for groups
    fixed before the answers (a region, a plan, segments computed at an earlier date).

    Past spend over a year is a noisy measure of how much a customer spends; when
    satisfaction differs by value (the K-mart pattern) the rating can still carry some of
    that difference, so read the adjusted slope as "after what past spend explains".

    Parameters
    ----------
    surveys, transactions, as_of, rating, months_after, months_before, customer_col,
    date_col, amount_col : as in :func:`spend_around_answers`.
    adjust_for_past : include ``past_spend`` as a control (``False`` and no ``past_deciles``:
        the naive slope).
    past_deciles : number of value groups at the answer date to compare within (10:
        deciles); None (default): none.
    segment : optional column of ``surveys`` fixed before the answers, adjusted for with one
        term per segment beyond the first (the reference, in sorted order).
    ci : coverage of the intervals.

    Returns
    -------
    DataFrame, rows in the order rating, ``past_spend``, ``past_value_decile=<d>``...,
    ``<segment>=<level>``..., ``intercept``: ``term``, ``estimate`` (for the rating: money
    of ``months_after``-month spend per rating point), ``se``, ``ci_low``, ``ci_high``,
    ``p_value``, ``n_answers``, ``n_customers``. The first decile present is the
    reference. ``attrs``: ``exclusions``, ``method``, ``outcome``, ``adjusted_for`` (the
    adjustment in words; empty for the naive slope), ``rating``, ``as_of``,
    ``months_after``, ``months_before``, ``value_q``.

    Example
    -------
    >>> s = pd.DataFrame({"customer_id": list("abcd"), "date": pd.Timestamp("2025-01-10"), "csat": [1, 2, 4, 5]})
    >>> tx = s.assign(date=pd.Timestamp("2025-03-01"), amount=[10.0, 25.0, 40.0, 60.0])   # 7 weeks after
    >>> future_spend_regression(s, tx, as_of="2025-12-31", adjust_for_past=False)[["term", "estimate"]].round(2)
            term  estimate
    0       csat     11.50
    1  intercept     -0.75
    """
    if not 0 < ci < 1:
        raise DataError(f"ci must be between 0 and 1, got {ci!r}", column="ci", rule="0 < ci < 1")
    if past_deciles is not None and (isinstance(past_deciles, bool) or not isinstance(past_deciles, (int, np.integer))
                                     or past_deciles < 2):
        raise DataError(f"past_deciles must be None or a whole number of at least 2, got {past_deciles!r}",
                        column="past_deciles", rule="past_deciles >= 2")
    answers = spend_around_answers(surveys, transactions, as_of=as_of, rating=rating, months_after=months_after,
                                   months_before=months_before, segment=segment,
                                   value_q=int(past_deciles) if past_deciles else 10, customer_col=customer_col,
                                   date_col=date_col, amount_col=amount_col)
    before = answers.attrs["months_before"]
    columns = {rating: answers[rating].to_numpy(float)}
    adjusted_for = []
    if adjust_for_past:
        columns["past_spend"] = answers["past_spend"].to_numpy(float)
        adjusted_for.append(f"spend in the {before} months before the answer")
    if past_deciles:
        for level in sorted(answers["past_value_decile"].unique())[1:]:
            columns[f"past_value_decile={level}"] = (answers["past_value_decile"] == level).to_numpy(float)
        adjusted_for.append(f"{past_deciles} value groups at the answer date (spend per year of tenure before it)")
    if segment:
        for level in sorted(answers[segment].unique())[1:]:
            columns[f"{segment}={level}"] = (answers[segment] == level).to_numpy(float)
        adjusted_for.append(f"{segment} (as given)")
    columns["intercept"] = np.ones(len(answers))
    terms, X = list(columns), np.column_stack(list(columns.values()))
    beta, cov, g = _ols_clustered(X, answers["future_spend"].to_numpy(float), answers[customer_col].to_numpy())
    se = np.sqrt(np.diag(cov))
    crit = stats.t.ppf((1 + ci) / 2, g - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(beta / se), g - 1)
    out = pd.DataFrame({"term": terms, "estimate": beta, "se": se, "ci_low": beta - crit * se,
                        "ci_high": beta + crit * se, "p_value": p, "n_answers": len(answers), "n_customers": g})
    out.attrs = dict(answers.attrs)
    out.attrs.update(
        method="OLS, one row per answer; standard errors clustered by customer (CR1), t with customers - 1 df",
        outcome=f"spend in the {answers.attrs['months_after']} months after the answer",
        adjusted_for=adjusted_for,
    )
    return out
