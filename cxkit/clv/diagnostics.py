"""Checks that a fitted CLV model deserves trust, and maps of what it believes.

A CLV figure is a forecast. Before a marketer acts on it, the model should have
predicted a period it never saw: fit on the calibration period, predict the holdout,
compare with what customers really did, in purchases and in money (a CLV is money, so
the spend model is checked too). The matrices show, for a newcomer, how the model reads
frequency and recency (a frequent buyer who has gone quiet is probably gone; a one-off
buyer who has gone quiet may just be slow).

Example
-------
>>> split = clv.calibration_holdout_split(tx, "2025-06-30", "2025-12-31")   # doctest: +SKIP
>>> bgf = clv.BetaGeoFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])  # doctest: +SKIP
>>> holdout_by_frequency(split, bgf)                                          # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.clv.forecast import _churn_flags
from cxkit.errors import require_columns
from cxkit.value import value_segments

__all__ = [
    "holdout_predictions",
    "holdout_by_frequency",
    "holdout_by_decile",
    "holdout_error",
    "holdout_revenue",
    "rfm_matrix",
]

_SPLIT_COLUMNS = ("frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout")
_REVENUE_COLUMNS = ("monetary_value_cal", "spend_holdout")


def holdout_predictions(split: pd.DataFrame, bgf, ggf=None, *, churned=None) -> pd.DataFrame:
    """Per customer: purchases (and, with ``ggf``, revenue) predicted for the holdout next to the actual.

    The per-customer view behind every holdout table: sort it to see whom the model
    over- or under-forecast.

    Parameters
    ----------
    split : output of :func:`cxkit.clv.calibration_holdout_split`.
    bgf : a BG/NBD model fitted on the calibration columns of ``split``.
    ggf : optional Gamma-Gamma model fitted on ``frequency_cal`` and ``monetary_value_cal``;
        adds the revenue columns.
    churned : optional boolean Series by customer id of customers known to have left by the
        *calibration end* (``known_cancellations(customers, calibration_end)``; a later
        churn date would peek at the holdout). Their predictions are 0, as in
        :func:`cxkit.clv.clv_table`.

    Returns
    -------
    ``split`` with ``predicted_holdout`` (expected purchases) and, with ``ggf``,
    ``predicted_spend_per_purchase`` (Gamma-Gamma expected spend from the calibration
    period), ``predicted_revenue`` (their product) and ``actual_revenue``
    (``spend_holdout``).

    Example
    -------
    >>> split = pd.DataFrame({"frequency_cal": [0, 2], "recency_cal": [0.0, 30.43],
    ...                       "T_cal": [38.86, 38.86], "monetary_value_cal": [0.0, 30.0],
    ...                       "frequency_holdout": [0, 2], "duration_holdout": [39.0, 39.0],
    ...                       "spend_holdout": [0.0, 70.0]})
    >>> from cxkit import clv
    >>> bgf = clv.BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> ggf = clv.GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    >>> holdout_predictions(split, bgf, ggf)[["predicted_holdout", "predicted_revenue"]].round(2)
       predicted_holdout  predicted_revenue
    0               0.20               6.87
    1               1.23              37.93
    """
    require_columns(split, _SPLIT_COLUMNS, "split", hint="build it with calibration_holdout_split()")
    if ggf is not None:
        require_columns(split, _REVENUE_COLUMNS, "split", hint="build it with calibration_holdout_split()")
    flags = _churn_flags(churned, split.index)
    out = split.copy()
    out["predicted_holdout"] = np.asarray(bgf.conditional_expected_number_of_purchases_up_to_time(
        split["duration_holdout"], split["frequency_cal"], split["recency_cal"], split["T_cal"]), dtype=float)
    out.loc[flags, "predicted_holdout"] = 0.0
    if ggf is not None:
        out["predicted_spend_per_purchase"] = np.asarray(
            ggf.conditional_expected_average_profit(split["frequency_cal"], split["monetary_value_cal"]),
            dtype=float)
        out["predicted_revenue"] = out["predicted_holdout"] * out["predicted_spend_per_purchase"]
        out["actual_revenue"] = split["spend_holdout"].astype(float)
    return out


def holdout_by_frequency(split: pd.DataFrame, bgf, max_frequency: int = 7, *, churned=None) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration frequency (0, 1, ..., ``max``+).

    The standard check of Fader, Hardie & Lee (2005, figure 3): a good model tracks
    the actual line for light and heavy buyers alike. ``churned`` as in
    :func:`holdout_predictions`.

    Returns
    -------
    DataFrame: ``frequency_cal`` (label), ``n_customers``, ``actual``, ``predicted``
    (means per customer), ``error`` (predicted - actual).
    """
    pred = holdout_predictions(split, bgf, churned=churned)
    band = pred["frequency_cal"].clip(upper=max_frequency).astype(int)
    g = pred.groupby(band)
    out = pd.DataFrame({
        "n_customers": g.size(),
        "actual": g["frequency_holdout"].mean(),
        "predicted": g["predicted_holdout"].mean(),
    })
    out["error"] = out["predicted"] - out["actual"]
    out.index = [f"{i}+" if i == max_frequency else str(i) for i in out.index]
    out.index.name = "frequency_cal"
    return out.reset_index()


def holdout_by_decile(split: pd.DataFrame, bgf, q: int = 10, *, churned=None) -> pd.DataFrame:
    """Calibration by decile of the prediction: does the top predicted 10% really buy most?

    Customers are ranked by predicted holdout purchases (ties broken by order) and cut
    into ``q`` equal groups; 1 = lowest prediction. ``churned`` as in
    :func:`holdout_predictions`.

    Returns
    -------
    DataFrame: ``decile``, ``n_customers``, ``predicted`` and ``actual`` totals, their
    ``ratio`` (actual / predicted) and each decile's ``share_of_actual``.
    """
    pred = holdout_predictions(split, bgf, churned=churned)
    decile = value_segments(pred["predicted_holdout"], q=q)
    g = pred.groupby(decile.rename("decile"))
    out = pd.DataFrame({
        "n_customers": g.size(),
        "predicted": g["predicted_holdout"].sum(),
        "actual": g["frequency_holdout"].sum().astype(float),
    })
    out["ratio"] = out["actual"] / out["predicted"]
    out["share_of_actual"] = out["actual"] / out["actual"].sum()
    return out.reset_index()


def holdout_error(split: pd.DataFrame, bgf, *, churned=None) -> pd.DataFrame:
    """Total error over the holdout period, in one row.

    ``churned`` as in :func:`holdout_predictions`.

    Returns
    -------
    DataFrame with ``n_customers``, ``actual`` and ``predicted`` total purchases,
    ``error_pct`` (total predicted vs actual), ``mae`` (mean absolute error per
    customer) and ``correlation`` between predicted and actual counts.
    """
    pred = holdout_predictions(split, bgf, churned=churned)
    actual, predicted = pred["frequency_holdout"].astype(float), pred["predicted_holdout"]
    return pd.DataFrame([{
        "n_customers": len(pred),
        "actual": actual.sum(),
        "predicted": predicted.sum(),
        "error_pct": 100 * (predicted.sum() - actual.sum()) / max(actual.sum(), 1e-12),
        "mae": (predicted - actual).abs().mean(),
        "correlation": np.corrcoef(predicted, actual)[0, 1] if len(pred) > 1 else np.nan,
    }])


def holdout_revenue(split: pd.DataFrame, bgf_cal, ggf_cal, *, churned=None) -> pd.DataFrame:
    """Forecast revenue over the holdout period against the revenue that came in, in one row.

    A CLV is money: a forecast can get the number of purchases right and still miss the
    revenue if the spend model is off. This checks both models together, as the CLV
    uses them.

    Predicted revenue is, per customer, the expected holdout purchases (BG/NBD fitted on
    the calibration period) times the Gamma-Gamma expected spend per purchase from the
    calibration period, summed over customers (undiscounted). Actual revenue is
    ``spend_holdout``: net spend on the holdout purchase days of the customers first seen
    in calibration (same-day rows merged, refunds netted, as in
    :func:`cxkit.clv.rfm_summary`).

    Parameters
    ----------
    split : output of :func:`cxkit.clv.calibration_holdout_split`.
    bgf_cal : BG/NBD model fitted on ``frequency_cal``, ``recency_cal``, ``T_cal``.
    ggf_cal : Gamma-Gamma model fitted on ``frequency_cal``, ``monetary_value_cal``.
    churned : optional, customers known to have left by the calibration end (see
        :func:`holdout_predictions`).

    Returns
    -------
    DataFrame with one row: ``n_customers``, ``actual`` and ``predicted`` holdout revenue
    (in the currency of the amounts), ``error_pct`` (predicted vs actual, in %).

    Example
    -------
    >>> split = pd.DataFrame({"frequency_cal": [0, 2], "recency_cal": [0.0, 30.43],
    ...                       "T_cal": [38.86, 38.86], "monetary_value_cal": [0.0, 30.0],
    ...                       "frequency_holdout": [0, 2], "duration_holdout": [39.0, 39.0],
    ...                       "spend_holdout": [0.0, 70.0]})
    >>> from cxkit import clv
    >>> bgf = clv.BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> ggf = clv.GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    >>> holdout_revenue(split, bgf, ggf).round(1)
       n_customers  actual  predicted  error_pct
    0            2    70.0       44.8      -36.0
    """
    pred = holdout_predictions(split, bgf_cal, ggf_cal, churned=churned)
    actual, predicted = pred["actual_revenue"].sum(), pred["predicted_revenue"].sum()
    return pd.DataFrame([{
        "n_customers": len(pred),
        "actual": float(actual),
        "predicted": float(predicted),
        "error_pct": 100 * (predicted - actual) / max(actual, 1e-12),
    }])


def rfm_matrix(
    bgf,
    *,
    T: float,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    horizon: float | None = None,
    n_recency: int = 12,
) -> pd.DataFrame:
    """A frequency x recency grid of p(alive) and expected purchases for a customer of age ``T``.

    The heat maps every BG/NBD user learns from: read across a row to see how silence
    (low recency) lowers the chance a customer is still active.

    Parameters
    ----------
    bgf : fitted BG/NBD model.
    T : customer age (time since first purchase) in the model's time unit.
    max_frequency : largest frequency shown (default: the 99th percentile the model was
        not told about, so pass one from your data, e.g. ``summary.frequency.quantile(.99)``).
    max_recency : largest recency shown (default ``T``).
    horizon : if given, also ``expected_purchases`` over this many time units.
    n_recency : number of recency steps.

    Returns
    -------
    Long DataFrame: ``frequency``, ``recency``, ``p_alive`` (and ``expected_purchases``).
    """
    if T <= 0:
        raise ValueError("T must be positive")
    max_frequency = int(max_frequency if max_frequency is not None else 20)
    max_recency = float(max_recency if max_recency is not None else T)
    f, r = np.meshgrid(np.arange(max_frequency + 1), np.linspace(0, min(max_recency, T), n_recency))
    f, r = f.ravel(), r.ravel()
    keep = (f > 0) | (r == 0)  # a customer with no repeat purchase has recency 0
    f, r = f[keep], r[keep]
    TT = np.full(len(f), float(T))
    out = pd.DataFrame({"frequency": f, "recency": r})
    out["p_alive"] = np.asarray(bgf.conditional_probability_alive(f, r, TT), dtype=float)
    if horizon is not None:
        out["expected_purchases"] = np.asarray(
            bgf.conditional_expected_number_of_purchases_up_to_time(horizon, f, r, TT), dtype=float)
    return out.sort_values(["frequency", "recency"]).reset_index(drop=True)
