"""Plain-words notes on the model parameters the data cannot pin down.

:func:`identification_notes` reads the ``identified`` column of each fitter's
``summary`` (standard error larger than the estimate) and says what the forecast then
leans on.
"""

from __future__ import annotations

from typing import Any

from cxkit.clv.bgnbd import BetaGeoFitter
from cxkit.clv.gammagamma import GammaGammaFitter
from cxkit.errors import argument_error


def _unidentified(model: Any, cls: type, name: str) -> list[str]:
    if not isinstance(model, cls):
        raise argument_error(name, f"{name} must be a fitted {cls.__name__}, got {type(model).__name__}")
    table = model.summary  # FitError for an unfitted or from_params model
    return [p for p in table.index if not table.loc[p, "identified"]]


def _which(params: list[str], model: str) -> str:
    if len(params) == 1:
        return f" ({model} {params[0]}: its standard error is larger than the estimate)"
    return f" ({model} {' and '.join(params)}: their standard errors are larger than the estimates)"


def identification_notes(
    bgf: BetaGeoFitter | None = None, ggf: GammaGammaFitter | None = None
) -> list[str]:
    """Plain-words sentences for the model parameters the data cannot pin down.

    A CLV can look precise while resting on a parameter the data say almost nothing
    about; these sentences tell the reader what the forecast then leans on.

    A parameter is not identified when its standard error is larger than its estimate
    (``identified`` is False in the fitter's ``summary``). One sentence per kind of
    problem: BG/NBD purchase rates (r, alpha), BG/NBD lapse rate (a, b), Gamma-Gamma
    spread of spend within a customer (p) and between customers (q, v).

    Parameters
    ----------
    bgf : BetaGeoFitter, optional
        A fitted BG/NBD model.
    ggf : GammaGammaFitter, optional
        A fitted Gamma-Gamma model.

    Returns
    -------
    list of str
        Empty when every parameter is identified.

    Raises
    ------
    FitError
        A model was built with ``from_params`` or not fitted (it has no standard errors).

    Examples
    --------
    >>> bgf = BetaGeoFitter().fit([0, 1, 2, 5], [0, 10, 20, 30], [40, 40, 40, 40],
    ...                           weights=[50, 20, 10, 5])
    >>> for sentence in identification_notes(bgf):
    ...     print(sentence)
    Almost no customer lapsed in this window: the lapse rate is not identified, so CLV rests on the purchase rate (BG/NBD a and b: their standard errors are larger than the estimates).
    """
    notes = []
    if bgf is not None:
        bad = _unidentified(bgf, BetaGeoFitter, "bgf")
        rate = [p for p in ("r", "alpha") if p in bad]
        lapse = [p for p in ("a", "b") if p in bad]
        if rate:
            notes.append(
                "The data cannot tell how much customers differ in how often they buy: "
                "the purchase rate is not identified, so each customer's expected purchases "
                "are uncertain" + _which(rate, "BG/NBD") + "."
            )
        if lapse:
            notes.append(
                "Almost no customer lapsed in this window: the lapse rate is not identified, "
                "so CLV rests on the purchase rate" + _which(lapse, "BG/NBD") + "."
            )
    if ggf is not None:
        bad = _unidentified(ggf, GammaGammaFitter, "ggf")
        within = [p for p in ("p",) if p in bad]
        between = [p for p in ("q", "v") if p in bad]
        if within:
            notes.append(
                "Too few repeat purchases to tell how much a customer's spend varies from one "
                "purchase to the next: how far each customer's own average spend is trusted "
                "over the average customer's is uncertain" + _which(within, "Gamma-Gamma") + "."
            )
        if between:
            notes.append(
                "The data cannot tell how much average spend differs between customers: "
                "expected spend per purchase is uncertain, for one-time buyers most of all"
                + _which(between, "Gamma-Gamma")
                + "."
            )
    return notes
