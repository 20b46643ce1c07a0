"""How unequally value is spread across customers: top-share table and Lorenz curve."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxkit.clv.fitting import ArrayLike, _as_float_array, _rows_frame
from cxkit.errors import argument_error, data_error


def _values_array(values: ArrayLike, name: str = "values") -> np.ndarray:
    v = _as_float_array(values, name)
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        raise data_error(name, name, "values must be finite and >= 0", _rows_frame(bad, value=v))
    if v.size == 0 or v.sum() <= 0:
        raise data_error(name, name, "values must contain at least one positive number")
    return v


def value_concentration(values: ArrayLike, top: Sequence[float] = (0.1, 0.2)) -> pd.DataFrame:
    """Share of total value held by the top X % of customers.

    "The top 20 % of customers hold 70 % of CLV" is the headline that justifies
    differentiated service levels.

    The top share ``s`` means the ceil(s * n) customers with the largest values.

    Parameters
    ----------
    values : array-like
        Non-negative value per customer (CLV, spend).
    top : sequence of float
        Customer shares in (0, 1].

    Returns
    -------
    DataFrame
        Columns ``top_share_of_customers``, ``n_customers``, ``share_of_value``.

    Examples
    --------
    >>> value_concentration([50.0, 30.0, 10.0, 5.0, 3.0, 2.0], top=[0.2, 0.5])
       top_share_of_customers  n_customers  share_of_value
    0                     0.2            2             0.8
    1                     0.5            3             0.9
    """
    v = np.sort(_values_array(values))[::-1]
    total = v.sum()
    csum = np.cumsum(v)
    rows = []
    for s in top:
        if not 0 < s <= 1:
            raise argument_error("top", f"top shares must be in (0, 1], got {s!r}")
        k = int(np.ceil(s * v.size - 1e-9))
        k = max(k, 1)
        rows.append(
            {
                "top_share_of_customers": float(s),
                "n_customers": k,
                "share_of_value": float(csum[k - 1] / total),
            }
        )
    return pd.DataFrame(rows)


def lorenz_curve(values: ArrayLike, points: int | None = None) -> pd.DataFrame:
    """Lorenz curve of value across customers (poorest first), starting at (0, 0).

    Shows at a glance how unequal customer value is; the further below the diagonal, the
    more a few customers matter.

    Parameters
    ----------
    values : array-like
        Non-negative value per customer.
    points : int, optional
        Return this many evenly spaced customer shares (interpolated) instead of one row
        per customer; handy for plotting millions of customers.

    Returns
    -------
    DataFrame
        Columns ``share_of_customers`` and ``share_of_value``, both from 0 to 1. The Gini
        coefficient is in ``attrs["gini"]``.

    Examples
    --------
    >>> lc = lorenz_curve([1.0, 1.0, 2.0, 6.0])
    >>> lc["share_of_value"].round(3).tolist()
    [0.0, 0.1, 0.2, 0.4, 1.0]
    >>> round(lc.attrs["gini"], 3)
    0.4
    >>> len(lorenz_curve([1.0, 1.0, 2.0, 6.0], points=101))
    101
    """
    v = np.sort(_values_array(values))
    n = v.size
    x = np.arange(n + 1) / n
    y = np.r_[0.0, np.cumsum(v) / v.sum()]
    gini = float(1 - np.sum((y[1:] + y[:-1]) / n))
    if points is not None:
        if int(points) != points or points < 2:
            raise argument_error("points", f"points must be a whole number >= 2, got {points!r}")
        xp = np.linspace(0, 1, int(points))
        y = np.interp(xp, x, y)
        x = xp
    out = pd.DataFrame({"share_of_customers": x, "share_of_value": y})
    out.attrs = {"gini": gini}
    return out
