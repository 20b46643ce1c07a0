"""The period's money by satisfaction level: whose revenue is at risk, and do happy customers spend more?

* :func:`revenue_at_risk`: the period's revenue held by dissatisfied, neutral and
  satisfied customers (and those with no survey answer) per value segment.
* :func:`spend_by_satisfaction`: mean spend per customer by satisfaction level, with a
  bootstrap interval that respects how skewed spend is.
* :func:`compare_spend_by_satisfaction`: the dissatisfied against the satisfied, on the
  means and on the medians (both tested).

**Money is compared between satisfaction levels among active customers** (by default,
when the value table's ``active`` column says who had left): a customer who left during
the period spent only part of it, so a level holding more of them (often the
dissatisfied) would look poorer for that reason alone, and their revenue is lost, not at
risk. Those left out are one exclusion record (the rule of
:func:`cxkit.comparisons.population_of`); ``attrs["population"]`` says who was compared
and ``attrs["left_out_revenue"]`` what they spent; :func:`cxkit.spend.sentences.cancelled_sentence`
says it in words.

Example
-------
>>> v = pd.DataFrame({"customer_id": ["a", "b"], "period_spend": [10.0, 30.0]})
>>> s = pd.DataFrame({"customer_id": ["a"], "csat_mean": [1.5]})
>>> revenue_at_risk(v, s, segment=None, level="csat_mean")["revenue"].tolist()
[10.0, 0.0, 0.0, 30.0]
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cxkit.comparisons import POPULATIONS, population_of
from cxkit.errors import DataError, data_error, require_columns
from cxkit.exclusions import Exclusion
from cxkit.experience import compare_value_by_experience, satisfaction_level
from cxkit.spend.rules import NO_SURVEY, _level_order, _numbers, _unique

__all__ = ["compare_spend_by_satisfaction", "revenue_at_risk", "spend_by_satisfaction"]


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
        exclusions.append(Exclusion("satisfaction", "customer not in the value table (no spend or segment)",
                                    len(unknown), customers=unknown[customer].nunique()).record("result"))
    keep, info = _active_population(value, money, population=population, active=active, customer=customer)
    exclusions += info.pop("exclusions")
    out = out[keep]
    if segment:
        no_segment = out["segment"].isna()
        if no_segment.any():
            exclusions.append(Exclusion("value", f"{segment} missing", int(no_segment.sum()),
                                        customers=out.loc[no_segment, customer].nunique()).record("result"))
            out = out[~no_segment]
    return out.reset_index(drop=True), exclusions, info


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
        rec = dict(zip(keys, key, strict=True))
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



def compare_spend_by_satisfaction(
    value: pd.DataFrame,
    satisfaction: pd.DataFrame,
    *,
    a: str = "dissatisfied (1-2)",
    b: str = "satisfied (4-5)",
    spend: str = "period_spend",
    customer: str = "customer_id",
    population: str = "active",
    active: str | None = "active",
    min_customers: int = 2,
) -> pd.DataFrame | None:
    """Do dissatisfied customers spend more than satisfied ones? Means and medians of spend, tested.

    Spend is skewed, so a few large customers can make one level's mean higher while its
    typical customer spends less: the test behind the sentence compares the means (Welch)
    and the distributions (Mann-Whitney) among the customers :func:`spend_by_satisfaction`
    shows (active customers by default).

    Parameters
    ----------
    value : one row per customer with ``customer``, ``spend`` and ``active`` (e.g.
        :func:`cxkit.spend.customer_spend`).
    satisfaction : one row per customer with ``csat_mean``
        (:func:`cxkit.experience.customer_experience`).
    a, b : the satisfaction levels compared (labels of :data:`cxkit.spend.LEVELS`).
    spend, customer : column names of ``value``.
    population, active : who is compared, as in :func:`revenue_at_risk`.
    min_customers : fewer customers than this in either level: no comparison (``None``).

    Returns
    -------
    The one-row table of :func:`cxkit.experience.compare_value_by_experience` (``n_a``,
    ``n_b``, ``mean_a``, ``mean_b``, ``diff``, ``ci_low``, ``ci_high``, ``p_value``,
    ``median_a``, ``median_b``, ``p_median``, ``population``...), or ``None`` when a level
    has too few customers to compare.

    Example
    -------
    >>> v = pd.DataFrame({"customer_id": list("abcd"), "period_spend": [90.0, 70.0, 20.0, 10.0]})
    >>> s = pd.DataFrame({"customer_id": list("abcd"), "csat_mean": [1.0, 2.0, 4.0, 5.0]})
    >>> row = compare_spend_by_satisfaction(v, s).iloc[0]
    >>> int(row["n_a"]), float(row["mean_a"]), float(row["mean_b"])
    (2, 80.0, 15.0)
    >>> compare_spend_by_satisfaction(v, s.assign(csat_mean=[1.0, 4.0, 4.0, 5.0])) is None
    True
    """
    rows, _, _ = _customers_with_levels(value, satisfaction, customer=customer, spend=spend, level="csat_mean",
                                        segment=None, population=population, active=active)
    counts = rows["satisfaction_level"].value_counts()
    if min(counts.get(a, 0), counts.get(b, 0)) < min_customers:
        return None
    values = value.set_index(customer)
    cancelled = values[active].eq(False) if active is not None and active in values else None
    return compare_value_by_experience(values, satisfaction, a=a, b=b, value_col=spend, population=population,
                                       cancelled=cancelled)
