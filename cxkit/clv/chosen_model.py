"""The purchase model :func:`cxkit.clv.choose_model` picked, used for the CLV: fit, total with interval, notes.

BG/NBD, Pareto/NBD and MBG/NBD answer the same questions (chance still buying, expected
purchases) through the same methods, so the CLV table and the total's interval take any
of them. The notes on parameters the data cannot pin down are
:func:`cxkit.clv.identification_notes`' plain words for BG/NBD, and one note naming the
loose parameters for the others.

Example
-------
>>> from cxkit.clv import rfm_summary
>>> from cxkit.synth import generate
>>> s = rfm_summary(generate(n_customers=1000)["transactions"], time_unit="W")
>>> model = fit_purchase_model("MBG/NBD", s)
>>> type(model).__name__, model.n_customers_
('ModifiedBetaGeoFitter', 1000)
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from cxkit.clv.bgnbd import BetaGeoFitter
from cxkit.clv.choice import PURCHASE_MODELS
from cxkit.clv.forecast import total_clv_interval
from cxkit.clv.gammagamma import GammaGammaFitter
from cxkit.clv.identification import identification_notes
from cxkit.errors import argument_error

__all__ = ["fit_purchase_model", "purchase_clv_interval", "purchase_model_notes"]


def fit_purchase_model(name: str, summary: pd.DataFrame) -> Any:
    """Fit the purchase model named (a key of :data:`cxkit.clv.choice.PURCHASE_MODELS`) on an RFM summary.

    The model the comparison chose is the one the CLV rests on; fitting it by name keeps
    the notebook the same whichever wins.

    Parameters
    ----------
    name : ``"BG/NBD"``, ``"Pareto/NBD"`` or ``"MBG/NBD"``.
    summary : :func:`cxkit.clv.rfm_summary` (``frequency``, ``recency``, ``T``).

    Returns
    -------
    the fitted model.
    """
    if name not in PURCHASE_MODELS:
        raise argument_error("name", f"name must be one of {list(PURCHASE_MODELS)}, got {name!r}")
    return PURCHASE_MODELS[name]().fit(summary["frequency"], summary["recency"], summary["T"])


def purchase_clv_interval(summary: pd.DataFrame, model: Any, ggf: GammaGammaFitter, *, horizon_months: int = 12,
                          discount_rate: float = 0.01, time_unit: str = "W", churned: Any = None,
                          n_draws: int = 200, ci: float = 0.95, random_state: int | None = 0) -> pd.DataFrame:
    """Total CLV with an interval from the purchase and spend models' parameter uncertainty, for any purchase model.

    A board quotes the total with how sure it is, whichever model forecast it:
    :func:`cxkit.clv.total_clv_interval`, which draws BG/NBD's parameters through its fast
    closed forms and another purchase model's through that model's own forecast.

    Returns
    -------
    DataFrame, one row: ``total``, ``ci_low``, ``ci_high``, ``n_draws`` (``attrs["ci"]``).
    """
    return total_clv_interval(summary, model, ggf, horizon_months=horizon_months, discount_rate=discount_rate,
                              time_unit=time_unit, churned=churned, n_draws=n_draws, ci=ci, random_state=random_state)


def purchase_model_notes(model: Any, ggf: GammaGammaFitter) -> list[str]:
    """Plain-words notes on parameters the data cannot pin down, for any purchase model.

    BG/NBD: :func:`cxkit.clv.identification_notes`. Others: one note naming the purchase
    model's parameters whose standard error is larger than the estimate, and the
    Gamma-Gamma notes.
    """
    if isinstance(model, BetaGeoFitter):
        return identification_notes(model, ggf)
    notes = identification_notes(None, ggf)
    table = model.summary
    loose = [str(p) for p in table.index if not table.loc[p, "identified"]]
    name = next((n for n, cls in PURCHASE_MODELS.items() if isinstance(model, cls)), type(model).__name__)
    if loose:
        notes.insert(0, f"The data cannot pin down {name} {' and '.join(loose)} (standard error larger than the "
                        "estimate): read each customer's forecast with care.")
    return notes
