"""Is one group of customers worth more than another? Means and medians, each with its test.

Customer value (spend, CLV) is skewed: a handful of large customers can lift a group's
mean while its typical customer is worth less. A claim such as "dissatisfied customers
are worth more" therefore needs two tests that agree: Welch's t-test on the means and
the Mann-Whitney test on the whole distributions (read as: is a typical customer of one
group worth more than one of the other?). :func:`compare_values` returns both, with the
share of each group's value held by its five largest customers, so a sentence can say
when a few customers drive the difference.

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

from cxkit.errors import DataError, require_columns

__all__ = ["compare_values"]


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
) -> pd.DataFrame:
    """Compare a skewed value (spend, CLV) between two groups: means and medians, tested.

    Parameters
    ----------
    data : one row per customer with ``value`` and the group column ``by``.
    value : the value column.
    by : the group column.
    a : the group (or list of groups) of interest.
    b : the comparison group(s); ``None`` means every other customer with a group.
    ci : confidence level of the interval on the difference in means.

    Returns
    -------
    One-row DataFrame: ``group_a``, ``group_b``, ``n_a``, ``n_b``, ``mean_a``, ``mean_b``,
    ``diff`` (mean a - mean b), ``ci_low``, ``ci_high`` (Welch), ``p_value`` (Welch's
    t-test on the means), ``median_a``, ``median_b``, ``p_median`` (Mann-Whitney, two-sided),
    ``top5_share_a``, ``top5_share_b`` (share of each group's total held by its five
    largest customers).

    Example
    -------
    >>> df = pd.DataFrame({"g": ["x"] * 3 + ["y"] * 3, "v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    >>> compare_values(df, "v", by="g", a="y")[["mean_a", "mean_b", "diff"]]
       mean_a  mean_b  diff
    0     5.0     2.0   3.0
    """
    require_columns(data, [value, by], "data")
    if not 0 < ci < 1:
        raise ValueError("ci must be between 0 and 1")
    levels_a = _levels(a)
    in_a = data[by].isin(levels_a)
    in_b = data[by].notna() & ~in_a if b is None else data[by].isin(_levels(b))
    va = pd.to_numeric(data.loc[in_a, value], errors="coerce").dropna().to_numpy(float)
    vb = pd.to_numeric(data.loc[in_b, value], errors="coerce").dropna().to_numpy(float)
    if len(va) < 2 or len(vb) < 2:
        raise DataError(f"comparing '{value}' needs at least 2 customers per group (got {len(va)} and {len(vb)})",
                        table="data", column=by, rule="group size")
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
    return pd.DataFrame([{
        "group_a": " + ".join(map(str, levels_a)), "group_b": label_b, "n_a": len(va), "n_b": len(vb),
        "mean_a": mean_a, "mean_b": mean_b, "diff": diff, "ci_low": diff - half, "ci_high": diff + half,
        "p_value": p, "median_a": float(np.median(va)), "median_b": float(np.median(vb)), "p_median": p_median,
        "top5_share_a": _top_share(va), "top5_share_b": _top_share(vb),
    }])
