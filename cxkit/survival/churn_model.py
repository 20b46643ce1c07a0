"""The churn model a report rests on: the columns a Cox model can take, fitted the right way, read in words.

A churn report asks one model what moves the day-to-day risk of leaving: bad contacts
counted as they happen, the latest survey answer, and the customers' traits held equal.
:func:`fit_churn_model` chooses the columns the data can support (saying why each other
one is left out), fits the time-varying Cox model on episodes when there are contacts
or answers and the Cox model of the customers table when there are not, and returns a
:class:`ChurnModel`: the fitted model, its hazard ratios with their meaning in words,
the base it rests on and, with contacts, the hazard ratios of a second model that
counts the kinds of bad contact apart.

:func:`same_effect_three_ways` is the lesson of immortal-time bias in one table: the
same effect from lifetime counts (wrong), counted as it happens (the model above) and
from a landmark (customers still there on day N, followed after it).

Example
-------
>>> from cxkit.data import load_folder
>>> from cxkit.survival import episode_table, static_covariates, survival_table
>>> cx = load_folder("data/sample")
>>> static = static_covariates(cx.customers)
>>> members = survival_table(cx.customers, as_of=cx.as_of, static=static)
>>> episodes = episode_table(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, static=static)
>>> model = fit_churn_model(members, episodes, static=static)
>>> model.columns[:3], model.customers, model.departures
(['cum_bad_contacts', 'latest_csat', 'has_csat'], 5000, 1328)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from cxkit.survival.covariates import StaticCovariates, covariate_subjects, covariate_words
from cxkit.survival.fastcox import fit_time_varying
from cxkit.survival.models import CoxModel, fit_cox, fittable_columns, hazard_ratios

__all__ = ["BAD_CONTACTS", "ANSWERS", "CONTACT_KINDS", "ChurnModel", "fit_churn_model", "same_effect_three_ways"]

#: The one count of bad contacts the model takes (unresolved or a long wait, counted once).
BAD_CONTACTS = "cum_bad_contacts"
#: The survey columns: the latest CSAT answer as it stood, and whether there was one yet.
ANSWERS = ("latest_csat", "has_csat")
#: The kinds of bad contact, counted apart in the second model.
CONTACT_KINDS = ("cum_unresolved", "cum_long_wait")


@dataclass(frozen=True, eq=False)
class ChurnModel:
    """What :func:`fit_churn_model` returns: the model of who leaves, and what a reader needs to trust it.

    Attributes
    ----------
    fitter : the fitted Cox model (lifelines ``CoxTimeVaryingFitter`` or ``CoxPHFitter``,
        or :class:`~cxkit.survival.TimeVaryingCox`); ``None`` when nothing could be
        modelled (no contacts, answers or traits the data supports, or no departures).
    hazard_ratios : :func:`~cxkit.survival.hazard_ratios` of ``fitter`` with ``meaning``,
        each column in a reader's words; ``None`` without a model.
    columns : the model columns, in order: counts, answers, traits.
    left_out : the candidate columns the model cannot take (``column``, ``reason``).
    table, event_col : the table fitted on (episodes, or one row per customer) and its
        departure flag, for :func:`~cxkit.survival.proportional_hazards_test`.
    time_varying : True when fitted on episodes (contacts and answers as they happen).
    rows, customers, departures : the base: rows of ``table``, customers, departures.
    counts, answers : the contact counts and survey columns the table had.
    by_kind : with contacts, the hazard ratios of the kinds of bad contact
        (:data:`CONTACT_KINDS`) in a second model that counts them apart, the other
        columns as in the first, with ``meaning``; else ``None``.
    words : each model column and kind in a reader's words, for tables and charts
        (:func:`~cxkit.survival.covariate_words`).
    subjects : the same as the subject of a sentence (:func:`~cxkit.survival.covariate_subjects`).
    static : the customer traits given.
    """

    fitter: CoxModel | None
    hazard_ratios: pd.DataFrame | None
    columns: list[str]
    left_out: pd.DataFrame
    table: pd.DataFrame
    event_col: str
    time_varying: bool
    rows: int
    customers: int
    departures: int
    counts: tuple[str, ...]
    answers: tuple[str, ...]
    by_kind: pd.DataFrame | None
    words: dict[str, str]
    subjects: dict[str, str]
    static: StaticCovariates | None = None


def _by_kind(episodes: pd.DataFrame, columns: Sequence[str], counts: Sequence[str], kinds: Sequence[str],
             words: Mapping[str, str]) -> pd.DataFrame:
    """The kinds' hazard ratios in a second time-varying model: the kinds in place of the counts."""
    present = [k for k in kinds if k in episodes.columns]
    kind_cols, _ = fittable_columns(episodes, present + [c for c in columns if c not in counts], event_col="event")
    ratios = hazard_ratios(fit_time_varying(episodes, kind_cols))
    return ratios[ratios["covariate"].isin(present)].assign(meaning=lambda d: d["covariate"].map(words))


def fit_churn_model(
    members: pd.DataFrame,
    episodes: pd.DataFrame | None = None,
    *,
    static: StaticCovariates | None = None,
    counts: Sequence[str] = (BAD_CONTACTS,),
    answers: Sequence[str] = ANSWERS,
    kinds: Sequence[str] = CONTACT_KINDS,
) -> ChurnModel:
    """Fit the churn model of a report: contacts and answers as they happen, customer traits held equal.

    The question behind every churn report: what moves a customer's day-to-day risk of
    leaving? Contacts and answers count from the day after they happen, so the model is
    fitted on episodes (a time-varying Cox model); with neither, on one row per customer
    (traits only). A column the data cannot support (one value only, levels whose
    customers never left, a perfect split) is left out with its reason rather than
    stopping the report; with contacts, a second model counts the kinds apart.

    Parameters
    ----------
    members : one row per customer with the traits (:func:`~cxkit.survival.survival_table`
        with ``static=``): fitted on when there are no episodes.
    episodes : :func:`~cxkit.survival.episode_table` with the same ``static``, or ``None``
        when there are neither contacts nor survey answers.
    static : :func:`~cxkit.survival.static_covariates`: the customer traits in the model
        and their words; ``None``: no traits.
    counts, answers : the contact counts and survey columns to model, each used when the
        table has it (an episode table has counts only with contacts, answers only with
        surveys).
    kinds : the kinds of bad contact for the second model (with counts only); empty: no second model.

    Returns
    -------
    :class:`ChurnModel`; ``fitter`` is ``None`` when no column can be modelled.

    Example
    -------
    >>> from cxkit.survival import static_covariates, survival_table
    >>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "tenure_days": [30, 60, 90, 400, 500, 80, 600, 700],
    ...                   "churned": [True, True, False, True, False, True, False, True],
    ...                   "plan": ["basic"] * 4 + ["premium"] * 4})
    >>> static = static_covariates(c, min_level_size=1)
    >>> model = fit_churn_model(survival_table(c, as_of=None, static=static), static=static)
    >>> model.time_varying, model.columns, model.departures
    (False, ['plan_premium'], 5)
    """
    time_varying = episodes is not None
    table, event_col = (episodes, "event") if time_varying else (members, "churned")
    counts = tuple(c for c in counts if c in table.columns)
    answers = tuple(c for c in answers if c in table.columns)
    traits = static.columns if static is not None else []
    columns, left_out = fittable_columns(table, [*counts, *answers, *traits], event_col=event_col)
    fit = fit_time_varying if time_varying else fit_cox
    fitter = fit(table, columns) if columns else None
    words = covariate_words([*columns, *kinds], static=static)
    subjects = covariate_subjects([*columns, *kinds], static=static)
    ratios = None
    if fitter is not None:
        ratios = hazard_ratios(fitter)
        ratios = ratios.assign(meaning=ratios["covariate"].map(words))
    by_kind = None
    if time_varying and kinds and any(c in columns for c in counts):
        by_kind = _by_kind(table, columns, counts, kinds, words)
    return ChurnModel(fitter=fitter, hazard_ratios=ratios, columns=columns, left_out=left_out, table=table,
                      event_col=event_col, time_varying=time_varying, rows=len(table),
                      customers=int(table["customer_id"].nunique()), departures=int(table[event_col].sum()),
                      counts=counts, answers=answers, by_kind=by_kind, words=words, subjects=subjects, static=static)


_LABELS = {"lifetime": "lifetime counts (naive)", "time-varying": "time-varying",
           "landmark": "customers still there on day {day}, followed after it"}


def same_effect_three_ways(
    lifetime: pd.DataFrame,
    model: ChurnModel,
    landmark: pd.DataFrame | None = None,
    *,
    column: str = BAD_CONTACTS,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame | None:
    """One effect three ways: lifetime counts (the trap), counted as it happens, and from a landmark.

    Customers who stayed longer had more time to contact us, so counting contacts over a
    whole membership makes them look protective (immortal-time bias). Set beside the
    time-varying model and a landmark analysis (customers still there on day N, their
    contacts up to it, followed after it), the same data gives the wrong answer and two
    right ones: the table a board can be shown.

    Parameters
    ----------
    lifetime : :func:`~cxkit.survival.lifetime_counts` with the model's traits.
    model : :func:`fit_churn_model` on the episodes of the same customers.
    landmark : :func:`~cxkit.survival.landmark_table` with the same traits; ``None``, or
        a landmark where the column cannot be modelled: two rows.
    column : the effect compared.
    labels : the rows' names by ``"lifetime"``, ``"time-varying"`` and ``"landmark"``
        (``{day}`` is the landmark day), over the defaults.

    Returns
    -------
    DataFrame, one row per way, in that order: ``model`` (the label), ``covariate``,
    ``hazard_ratio``, ``ci_low``, ``ci_high``, ``p_value``. ``None`` when the model does
    not hold ``column``.

    Example
    -------
    >>> from cxkit.data import load_folder
    >>> from cxkit.survival import episode_table, landmark_table, lifetime_counts, survival_table
    >>> cx = load_folder("data/sample")
    >>> tables = dict(as_of=cx.as_of)
    >>> model = fit_churn_model(survival_table(cx.customers, **tables),
    ...                         episode_table(cx.customers, cx.contacts, cx.surveys, **tables))
    >>> ways = same_effect_three_ways(lifetime_counts(cx.customers, cx.contacts, cx.surveys, **tables), model,
    ...                               landmark_table(cx.customers, cx.contacts, cx.surveys, **tables))
    >>> ways["model"].tolist(), bool(ways["hazard_ratio"].iloc[0] < 1 < ways["hazard_ratio"].iloc[1])
    (['lifetime counts (naive)', 'time-varying', 'customers still there on day 180, followed after it'], True)
    """
    if column not in model.columns or model.hazard_ratios is None:
        return None
    names = {**_LABELS, **(labels or {})}
    naive_cols, _ = fittable_columns(lifetime, model.columns)
    ways = [hazard_ratios(fit_cox(lifetime, naive_cols)).assign(model=names["lifetime"]),
            model.hazard_ratios.assign(model=names["time-varying"])]
    if landmark is not None and len(landmark):
        landmark_cols, _ = fittable_columns(landmark, model.columns)
        if column in landmark_cols:
            fitted = fit_cox(landmark, landmark_cols, duration_col="duration", name="landmark")
            day = int(landmark["landmark"].iloc[0])
            ways.append(hazard_ratios(fitted).assign(model=names["landmark"].format(day=day)))
    ways = pd.concat(ways, ignore_index=True)
    ways = ways[ways["covariate"] == column].reset_index(drop=True)
    return ways[["model", "covariate", "hazard_ratio", "ci_low", "ci_high", "p_value"]]
