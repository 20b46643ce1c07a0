"""Checks that a fitted CLV model deserves trust, and maps of what it believes.

A CLV figure is a forecast. Before a marketer acts on it, the model should have
predicted a period it never saw: fit on the calibration period, predict the holdout,
compare with what customers really did. The matrices show, for a newcomer, how the
model reads frequency and recency (a frequent buyer who has gone quiet is probably
gone; a one-off buyer who has gone quiet may just be slow).

Example
-------
>>> split = clv.calibration_holdout_split(tx, "2025-06-30", "2025-12-31")   # doctest: +SKIP
>>> bgf = clv.BetaGeoFitter().fit(split["frequency_cal"], split["recency_cal"], split["T_cal"])  # doctest: +SKIP
>>> holdout_by_frequency(split, bgf)                                          # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.drivers import value_segments
from cxkit.errors import require_columns

__all__ = ["holdout_predictions", "holdout_by_frequency", "holdout_by_decile", "holdout_error", "rfm_matrix"]

_SPLIT_COLUMNS = ("frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout")


def holdout_predictions(split: pd.DataFrame, bgf) -> pd.DataFrame:
    """Per customer: purchases predicted for the holdout period next to the actual count.

    Parameters
    ----------
    split : output of :func:`cxkit.clv.calibration_holdout_split`.
    bgf : a BG/NBD model fitted on the calibration columns of ``split``.

    Returns
    -------
    ``split`` with a ``predicted_holdout`` column.
    """
    require_columns(split, _SPLIT_COLUMNS, "split", hint="build it with calibration_holdout_split()")
    out = split.copy()
    out["predicted_holdout"] = np.asarray(bgf.conditional_expected_number_of_purchases_up_to_time(
        split["duration_holdout"], split["frequency_cal"], split["recency_cal"], split["T_cal"]), dtype=float)
    return out


def holdout_by_frequency(split: pd.DataFrame, bgf, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration frequency (0, 1, ..., ``max``+).

    The standard check of Fader, Hardie & Lee (2005, figure 3): a good model tracks
    the actual line for light and heavy buyers alike.

    Returns
    -------
    DataFrame: ``frequency_cal`` (label), ``n_customers``, ``actual``, ``predicted``
    (means per customer), ``error`` (predicted - actual).
    """
    pred = holdout_predictions(split, bgf)
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


def holdout_by_decile(split: pd.DataFrame, bgf, q: int = 10) -> pd.DataFrame:
    """Calibration by decile of the prediction: does the top predicted 10% really buy most?

    Customers are ranked by predicted holdout purchases (ties broken by order) and cut
    into ``q`` equal groups; 1 = lowest prediction.

    Returns
    -------
    DataFrame: ``decile``, ``n_customers``, ``predicted`` and ``actual`` totals, their
    ``ratio`` (actual / predicted) and each decile's ``share_of_actual``.
    """
    pred = holdout_predictions(split, bgf)
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


def holdout_error(split: pd.DataFrame, bgf) -> pd.DataFrame:
    """Total error over the holdout period, in one row.

    Returns
    -------
    DataFrame with ``n_customers``, ``actual`` and ``predicted`` total purchases,
    ``error_pct`` (total predicted vs actual), ``mae`` (mean absolute error per
    customer) and ``correlation`` between predicted and actual counts.
    """
    pred = holdout_predictions(split, bgf)
    actual, predicted = pred["frequency_holdout"].astype(float), pred["predicted_holdout"]
    return pd.DataFrame([{
        "n_customers": len(pred),
        "actual": actual.sum(),
        "predicted": predicted.sum(),
        "error_pct": 100 * (predicted.sum() - actual.sum()) / max(actual.sum(), 1e-12),
        "mae": (predicted - actual).abs().mean(),
        "correlation": np.corrcoef(predicted, actual)[0, 1] if len(pred) > 1 else np.nan,
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
