"""Is one group of customers worth more than another? Means and medians, each with its test.

Customer value (spend, CLV) is skewed: a handful of large customers can lift a group's
mean while its typical customer is worth less. A claim such as "dissatisfied customers
are worth more" therefore needs two tests that agree: Welch's t-test on the means and
the Mann-Whitney test on the whole distributions (read as: is a typical customer of one
group worth more than one of the other?). :func:`compare_values` returns both, with the
share of each group's value held by its five largest customers, so a sentence can say
when a few customers drive the difference.

Customers known to have left are worth nothing in a forecast (their CLV is 0), so a group
with more cancellations looks worth less whatever the experience did to the customers who
stayed. Comparisons are therefore made among **active customers** by default: the
``known_churned`` column of :func:`cxkit.clv.clv_table` (or any true/false column or
Series passed as ``cancelled``) says who has left, the result says which population was
compared (column ``population``) and ``attrs["exclusions"]`` counts the customers left
out (``{"table", "rule", "n_rows", "n_customers"}``: an :class:`cxkit.exclusions.Exclusion`
as ``record("result")``, the convention of :func:`cxkit.spend.left_out`). ``population="all"`` compares everyone.

Example
-------
>>> df = pd.DataFrame({"level": ["low"] * 4 + ["high"] * 4, "clv": [1, 2, 3, 400, 20, 25, 30, 35]})
>>> row = compare_values(df, "clv", by="level", a="low", b="high").iloc[0]
>>> bool(row["mean_a"] > row["mean_b"]), bool(row["median_a"] < row["median_b"])
(True, True)
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import DataError, data_error, require_columns
from cxkit.exclusions import Exclusion

__all__ = ["POPULATIONS", "compare_values", "population_of"]

#: Who a value comparison covers: customers still active (default) or every customer.
POPULATIONS = ("active", "all")
#: The column of :func:`cxkit.clv.clv_table` that marks customers known to have left.
CANCELLED_COLUMN = "known_churned"


def population_of(
    data: pd.DataFrame,
    *,
    population: str = "active",
    cancelled: str | pd.Series | None = CANCELLED_COLUMN,
    table: str = "data",
) -> tuple[pd.DataFrame, dict]:
    """The customers a value comparison covers, and a record of who was left out.

    Value of customers who have cancelled is 0 by construction; comparing groups that
    hold different shares of them compares cancellation rates, not value. This keeps the
    active customers (``population="active"``) and says so.

    Parameters
    ----------
    data : one row per customer.
    population : ``"active"`` (leave out customers known to have left) or ``"all"``.
    cancelled : a true/false column of ``data`` (default ``"known_churned"``, used when
        present), a boolean Series aligned on ``data``'s index (customer id; ids absent
        from it count as active, e.g. :func:`cxkit.clv.known_cancellations`), or None
        (not known). A missing flag counts as active.
    table : the table's name in errors and in the exclusions record.

    Returns
    -------
    (DataFrame, dict)
        The rows kept, and ``{"population", "n_cancelled", "exclusions"}``: the population
        in words (``"active customers"``, ``"all customers, cancelled included"`` or
        ``"all customers (cancellations not known)"``), how many customers are known to
        have left, and the exclusion records (one row per rule).

    Example
    -------
    >>> d = pd.DataFrame({"clv": [5.0, 0.0, 9.0], "known_churned": [False, True, False]})
    >>> kept, info = population_of(d)
    >>> len(kept), info["population"], info["exclusions"][0]["n_customers"]
    (2, 'active customers', 1)
    """
    if population not in POPULATIONS:
        raise DataError(f"population must be one of {POPULATIONS}, got {population!r}", column="population",
                        rule="population is 'active' or 'all'")
    flags = _cancelled(data, cancelled, table)
    if flags is None:
        return data, {"population": "all customers (cancellations not known)", "n_cancelled": 0, "exclusions": []}
    n = int(flags.sum())
    if population == "all":
        return data, {"population": "all customers, cancelled included", "n_cancelled": n, "exclusions": []}
    record = Exclusion(table, "cancelled (known to have left): compared among active customers", n,
                       customers=n).record("result")
    return data[~flags], {"population": "active customers", "n_cancelled": n, "exclusions": [record] if n else []}


def _cancelled(data: pd.DataFrame, cancelled: str | pd.Series | None, table: str) -> np.ndarray | None:
    """True/false per row of ``data`` for customers known to have left; None when not known."""
    if cancelled is None:
        return None
    if isinstance(cancelled, str):
        if cancelled not in data.columns:
            if cancelled == CANCELLED_COLUMN:
                return None
            require_columns(data, [cancelled], table, hint="name the true/false column of cancellations")
        flags = data[cancelled]
    elif isinstance(cancelled, pd.Series):
        if not cancelled.index.is_unique:
            raise data_error("cancelled", None, "customer ids must be unique",
                             cancelled[cancelled.index.duplicated(keep=False)].to_frame())
        if len(cancelled) and len(data) and not cancelled.index.isin(data.index).any():
            raise data_error("cancelled", None, f"no customer id of cancelled is in the index of {table}",
                             cancelled.head().to_frame(),
                             hint=f"index {table} by customer id, as cancelled is")
        flags = cancelled.reindex(data.index)
    else:
        raise DataError(f"cancelled must be a column name or a Series by customer id, got {type(cancelled).__name__}",
                        column="cancelled", rule="column name or Series")
    present = flags.notna()
    bad = present & ~flags.isin([True, False])
    if bad.any():
        rows = data[bad.to_numpy()] if isinstance(cancelled, str) else flags[bad].to_frame("cancelled")
        raise data_error(table if isinstance(cancelled, str) else "cancelled",
                         cancelled if isinstance(cancelled, str) else None,
                         "cancellation flags must be true/false", rows)
    return (flags.where(present, False) == True).to_numpy(dtype=bool)  # noqa: E712


def _levels(value: Hashable | Sequence[Hashable]) -> list[Hashable]:
    if isinstance(value, (list, tuple, set, frozenset, pd.Index, np.ndarray)):
        return list(value)
    return [value]


def _top_share(values: np.ndarray, k: int = 5) -> float:
    total = values.sum()
    return float(np.sort(values)[-k:].sum() / total) if total > 0 else float("nan")


def compare_values(
    data: pd.DataFrame,
    value: str,
    *,
    by: str,
    a: Hashable | Sequence[Hashable],
    b: Hashable | Sequence[Hashable] | None = None,
    ci: float = 0.95,
    population: str = "active",
    cancelled: str | pd.Series | None = CANCELLED_COLUMN,
) -> pd.DataFrame:
    """Compare a skewed value (spend, CLV) between two groups: means and medians, tested.

    By default among active customers: see :func:`population_of`.

    Parameters
    ----------
    data : one row per customer with ``value`` and the group column ``by``.
    value : the value column.
    by : the group column.
    a : the group (or list of groups) of interest.
    b : the comparison group(s); ``None`` means every other customer with a group.
    ci : confidence level of the interval on the difference in means.
    population : ``"active"`` (default: customers known to have left are left out) or ``"all"``.
    cancelled : who has left: a true/false column of ``data`` (default ``"known_churned"``,
        used when present) or a boolean Series aligned on ``data``'s index; None: not known.

    Returns
    -------
    One-row DataFrame: ``group_a``, ``group_b``, ``n_a``, ``n_b``, ``mean_a``, ``mean_b``,
    ``diff`` (mean a - mean b), ``ci_low``, ``ci_high`` (Welch), ``p_value`` (Welch's
    t-test on the means), ``median_a``, ``median_b``, ``p_median`` (Mann-Whitney, two-sided),
    ``top5_share_a``, ``top5_share_b`` (share of each group's total held by its five
    largest customers), ``population`` (who was compared, in words) and
    ``n_cancelled_left_out``. ``attrs``: ``population``, ``n_cancelled``, ``exclusions``.

    Example
    -------
    >>> df = pd.DataFrame({"g": ["x"] * 3 + ["y"] * 3, "v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    >>> compare_values(df, "v", by="g", a="y")[["mean_a", "mean_b", "diff"]]
       mean_a  mean_b  diff
    0     5.0     2.0   3.0
    """
    require_columns(data, [value, by], "data")
    if not 0 < ci < 1:
        raise DataError(f"ci must be between 0 and 1, got {ci!r}", column="ci", rule="0 < ci < 1")
    data, info = population_of(data, population=population, cancelled=cancelled)
    levels_a = _levels(a)
    in_a = data[by].isin(levels_a)
    in_b = data[by].notna() & ~in_a if b is None else data[by].isin(_levels(b))
    va = pd.to_numeric(data.loc[in_a, value], errors="coerce").dropna().to_numpy(float)
    vb = pd.to_numeric(data.loc[in_b, value], errors="coerce").dropna().to_numpy(float)
    if len(va) < 2 or len(vb) < 2:
        raise DataError(f"comparing '{value}' needs at least 2 customers per group (got {len(va)} and {len(vb)} "
                        f"among {info['population']})", table="data", column=by, rule="group size")
    mean_a, mean_b = va.mean(), vb.mean()
    var_a, var_b = va.var(ddof=1) / len(va), vb.var(ddof=1) / len(vb)
    se = np.sqrt(var_a + var_b)
    diff = mean_a - mean_b
    if se > 0:
        dof = (var_a + var_b) ** 2 / (var_a**2 / (len(va) - 1) + var_b**2 / (len(vb) - 1))
        half = stats.t.ppf(0.5 + ci / 2, dof) * se
        p = float(2 * stats.t.sf(abs(diff) / se, dof))
    else:
        half, p = 0.0, (1.0 if diff == 0 else 0.0)
    p_median = float(stats.mannwhitneyu(va, vb, alternative="two-sided").pvalue)
    label_b = "everyone else" if b is None else " + ".join(map(str, _levels(b)))
    out = pd.DataFrame([{
        "group_a": " + ".join(map(str, levels_a)), "group_b": label_b, "n_a": len(va), "n_b": len(vb),
        "mean_a": mean_a, "mean_b": mean_b, "diff": diff, "ci_low": diff - half, "ci_high": diff + half,
        "p_value": p, "median_a": float(np.median(va)), "median_b": float(np.median(vb)), "p_median": p_median,
        "top5_share_a": _top_share(va), "top5_share_b": _top_share(vb), "population": info["population"],
        "n_cancelled_left_out": sum(e["n_customers"] for e in info["exclusions"]),
    }])
    out.attrs = info
    return out
