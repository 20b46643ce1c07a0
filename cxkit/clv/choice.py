"""Which purchase model fits a transaction log best: BG/NBD, Pareto/NBD or MBG/NBD.

* :func:`compare_models`: each model fitted on the calibration period of a
  calibration/holdout split and judged on the holdout it never saw, in one tidy table.
* :func:`choose_model`: the model to use by a stated rule, with the reason in words.
* :data:`PURCHASE_MODELS`: the models by name (the fitter class to fit the chosen one).

The three models differ only in how customers leave: BG/NBD right after a repeat
purchase, MBG/NBD also right after the first, Pareto/NBD at any moment. Which describes
a business best is an empirical question, answered here the way Fader, Hardie & Lee
(2005) answer it: forecast a holdout period and compare with what customers did.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cxkit.clv.bgnbd import BetaGeoFitter, _validate_rfm
from cxkit.clv.diagnostics import holdout_predictions
from cxkit.clv.mbgnbd import ModifiedBetaGeoFitter
from cxkit.clv.paretonbd import ParetoNBDFitter
from cxkit.errors import FitError, argument_error, require_columns

__all__ = ["PURCHASE_MODELS", "CHOICE_RULES", "ModelChoice", "compare_models", "choose_model"]

#: The purchase models by name, in order of preference when two fit equally well
#: (BG/NBD first: the standard, the one most readers know).
PURCHASE_MODELS: dict[str, type] = {
    "BG/NBD": BetaGeoFitter,
    "Pareto/NBD": ParetoNBDFitter,
    "MBG/NBD": ModifiedBetaGeoFitter,
}

#: Rules :func:`choose_model` knows: the column of :func:`compare_models` it ranks by,
#: what it measures in words, and the tie margin (relative for holdout errors, AIC points for AIC).
CHOICE_RULES: dict[str, tuple[str, str, float]] = {
    "holdout_mae": ("mae", "the lowest mean absolute error of holdout purchases per customer", 0.01),
    "holdout_rmse": ("rmse", "the lowest root mean squared error of holdout purchases per customer", 0.01),
    "holdout_total": ("error_pct", "the smallest error in total holdout purchases", 0.01),
    "aic": ("aic", "the lowest AIC on the calibration period", 2.0),
}

_CAL = ("frequency_cal", "recency_cal", "T_cal")


class ModelChoice(NamedTuple):
    """The model :func:`choose_model` picked and why, in words."""

    model: str
    reason: str


def _check_models(models: Any) -> list[str]:
    names = [models] if isinstance(models, str) else list(models)
    unknown = [m for m in names if m not in PURCHASE_MODELS]
    if not names or unknown or len(set(names)) != len(names):
        raise argument_error(
            "models",
            f"models must be distinct names among {list(PURCHASE_MODELS)}, got {names!r}",
        )
    return names


def _holdout_row(split: pd.DataFrame, model: Any, ggf: Any, churned: Any) -> dict[str, float]:
    pred = holdout_predictions(split, model, ggf, churned=churned)
    actual = pred["frequency_holdout"].to_numpy(dtype=float)
    err = pred["predicted_holdout"].to_numpy(dtype=float) - actual
    row = {
        "actual": float(actual.sum()),
        "predicted": float(actual.sum() + err.sum()),
        "error_pct": 100 * float(err.sum()) / max(float(actual.sum()), 1e-12),
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
    }
    if ggf is not None:
        rev_a, rev_p = float(pred["actual_revenue"].sum()), float(pred["predicted_revenue"].sum())
        row.update(
            actual_revenue=rev_a,
            predicted_revenue=rev_p,
            revenue_error_pct=100 * (rev_p - rev_a) / max(rev_a, 1e-12),
        )
    return row


def compare_models(
    split: pd.DataFrame,
    *,
    models: Any = ("BG/NBD", "Pareto/NBD", "MBG/NBD"),
    churned: Any = None,
    ggf: Any = None,
    penalizer_coef: float = 0.0,
) -> pd.DataFrame:
    """Fit each purchase model on the calibration period and score it on the holdout.

    Before trusting a CLV forecast, check which way of describing how customers leave
    matches this business: the model that forecast a period it never saw best is the one
    to use, and the table says by how much it won.

    Each model is fitted on ``frequency_cal``, ``recency_cal``, ``T_cal``; its forecast of
    each customer's holdout purchases (``duration_holdout`` long) is compared with
    ``frequency_holdout``. A model that does not converge is reported (``converged``
    False, the reason in ``note``, its scores missing), not raised.

    Parameters
    ----------
    split : DataFrame
        Output of :func:`cxkit.clv.calibration_holdout_split`.
    models : sequence of str
        Names among :data:`PURCHASE_MODELS`.
    churned : Series of bool, optional
        Customers known to have left by the *calibration end*; their forecasts are 0 (as in
        :func:`cxkit.clv.diagnostics.holdout_predictions`).
    ggf : GammaGammaFitter, optional
        Spend model fitted on ``frequency_cal`` and ``monetary_value_cal``; adds the
        holdout revenue columns.
    penalizer_coef : float, default 0
        Passed to every fitter.

    Returns
    -------
    DataFrame
        One row per model: ``model``, ``converged``, ``n_parameters``,
        ``log_likelihood`` and ``aic`` (calibration data), ``actual`` and ``predicted``
        holdout purchases, ``error_pct`` (total, %), ``mae`` and ``rmse`` (purchases per
        customer); with ``ggf`` also ``actual_revenue``, ``predicted_revenue``,
        ``revenue_error_pct``; and ``note`` (why a fit failed, else empty).

    Raises
    ------
    DataError
        ``split`` lacks a column or holds invalid values (e.g. recency above T).

    Examples
    --------
    >>> from cxkit.clv import calibration_holdout_split
    >>> from cxkit.synth import generate
    >>> tx = generate(n_customers=1000)["transactions"]
    >>> split = calibration_holdout_split(tx, "2025-06-30", "2025-12-31")
    >>> table = compare_models(split)
    >>> table[["model", "converged", "aic", "error_pct", "rmse"]].round(3)
            model  converged        aic  error_pct   rmse
    0      BG/NBD       True  24407.387     11.745  1.409
    1  Pareto/NBD       True  24439.893     12.575  1.409
    2     MBG/NBD       True  24404.007      9.005  1.401
    >>> choose_model(table).model           # MBG/NBD is lowest, but BG/NBD is within 1% of it
    'BG/NBD'
    """
    require_columns(split, (*_CAL, "frequency_holdout", "duration_holdout"), "split",
                    hint="build it with calibration_holdout_split()")
    names = _check_models(models)
    x, tx, T = _validate_rfm(*(split[c] for c in _CAL), table="split")
    rows = []
    for name in names:
        k = len(PURCHASE_MODELS[name]._param_names)
        row: dict[str, Any] = {"model": name, "converged": False, "n_parameters": k}
        try:
            model = PURCHASE_MODELS[name](penalizer_coef=penalizer_coef).fit(x, tx, T)
        except FitError as exc:
            row["note"] = str(exc)
        else:
            row.update(
                converged=bool(model.converged_),
                log_likelihood=model.log_likelihood_,
                aic=2 * k - 2 * model.log_likelihood_,
                **_holdout_row(split, model, ggf, churned),
                note="",
            )
        rows.append(row)
    columns = ["model", "converged", "n_parameters", "log_likelihood", "aic", "actual", "predicted",
               "error_pct", "mae", "rmse"]
    if ggf is not None:
        columns += ["actual_revenue", "predicted_revenue", "revenue_error_pct"]
    return pd.DataFrame(rows).reindex(columns=[*columns, "note"])


def _value_words(column: str, value: float) -> str:
    if column == "error_pct":
        return f"{value:+.1f}% in total"
    if column == "aic":
        return f"AIC {value:,.1f}"
    return f"{value:.3f} purchases per customer"


def choose_model(comparison: pd.DataFrame, rule: str = "holdout_rmse") -> ModelChoice:
    """Pick the purchase model to use from :func:`compare_models`, by a stated rule, and say why.

    A CX analyst needs one model to forecast with and a sentence defending the pick; the
    rule keeps the choice the same whoever runs it.

    Rule (default ``"holdout_rmse"``): the lowest root mean squared error of holdout
    purchases per customer. The models forecast each customer's *expected* purchases, and
    the expected value is the forecast that minimises the squared error, so this rule judges
    them on what they claim to give. Models within 1% of the best value count as tied, and
    a tie goes to the first of BG/NBD, Pareto/NBD, MBG/NBD (the standard model first).
    Other rules: ``"holdout_mae"`` (the mean absolute error: it favours forecasts pulled
    towards zero for quiet one-time buyers, most of whom buy nothing, so it leans to
    Pareto/NBD whichever model generated the data), ``"holdout_total"`` (the smallest
    absolute error in total holdout purchases) and ``"aic"`` (calibration fit; ties within
    2 AIC points). A model that did not fit is never chosen, and the reason says so.

    Read the pick with its margin: holdout errors of a few thousand customers differ by a
    few percent between the models.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`compare_models`.
    rule : str
        One of :data:`CHOICE_RULES`.

    Returns
    -------
    ModelChoice
        ``model`` (its name) and ``reason`` (in words).

    Raises
    ------
    FitError
        No model in ``comparison`` fitted.

    Examples
    --------
    >>> comparison = pd.DataFrame({"model": ["BG/NBD", "Pareto/NBD", "MBG/NBD"],
    ...                            "converged": [True, True, False], "mae": [0.503, 0.500, np.nan],
    ...                            "note": ["", "", "MBG/NBD fit did not converge"]})
    >>> choice = choose_model(comparison, rule="holdout_mae")
    >>> choice.model
    'BG/NBD'
    >>> import textwrap
    >>> print(textwrap.fill(choice.reason, 88))
    Pareto/NBD has the lowest mean absolute error of holdout purchases per customer (0.500
    purchases per customer), but BG/NBD is within 1% of it (0.503 purchases per customer)
    and a tie goes to the standard BG/NBD. MBG/NBD is left out: it did not fit (MBG/NBD fit
    did not converge).
    """
    if rule not in CHOICE_RULES:
        raise argument_error("rule", f"rule must be one of {list(CHOICE_RULES)}, got {rule!r}")
    column, words, margin = CHOICE_RULES[rule]
    require_columns(comparison, ["model", "converged", column], "comparison",
                    hint="build it with compare_models()")
    score = comparison[column].to_numpy(dtype=float)
    if column == "error_pct":
        score = np.abs(score)
    ok = comparison["converged"].to_numpy(dtype=bool) & np.isfinite(score)
    names = comparison["model"].astype(str).to_numpy()
    notes = comparison["note"] if "note" in comparison else pd.Series([""] * len(comparison))
    failed = [f"{n} is left out: it did not fit ({str(notes.iloc[i]).rstrip('.') or 'no score'})."
              for i, n in enumerate(names) if not ok[i]]
    if not ok.any():
        raise FitError("No purchase model fitted, so none can be chosen. " + " ".join(failed))
    best = int(np.flatnonzero(ok)[np.argmin(score[ok])])
    limit = score[best] + (margin * abs(score[best]) if rule != "aic" else margin)
    tied = [names[i] for i in np.flatnonzero(ok & (score <= limit))]
    order = list(PURCHASE_MODELS)
    chosen = min(tied, key=lambda n: (order.index(n) if n in order else len(order), tied.index(n)))
    i = int(np.flatnonzero(names == chosen)[0])
    if chosen == names[best]:
        reason = f"{chosen} has {words} ({_value_words(column, score[best])})."
    else:
        within = "within 2 AIC points" if rule == "aic" else f"within {margin:.0%}"
        reason = (
            f"{names[best]} has {words} ({_value_words(column, score[best])}), but {chosen} is "
            f"{within} of it ({_value_words(column, score[i])}) and a tie goes to "
            + ("the standard BG/NBD." if chosen == "BG/NBD" else "the earlier of BG/NBD, Pareto/NBD, MBG/NBD.")
        )
    return ModelChoice(chosen, " ".join([reason, *failed]))
