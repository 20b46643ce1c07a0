"""Does satisfaction predict spend afterwards? Spend around each answer, and the slope of future spend.

* :func:`spend_around_answers`: for each answer with a full follow-up window, the spend
  before and after it, and the customer's value as known at the answer date.
* :func:`future_spend_regression`: the slope of future spend on the rating adjusted for
  spend *before* the answer: the spend of the months before it, and value deciles as they
  stood at the answer date (the honest version of "happy customers spend more"). Nothing
  the adjustment uses is measured after the answer: a value decile ranked on spend up to
  ``as_of`` contains the very spend being predicted.

Answers left out (no rating, a follow-up window that ends after ``as_of``...) are listed
in ``attrs["exclusions"]`` (:func:`cxkit.spend.left_out`).

Example
-------
>>> s = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2025-03-01"]), "csat": [4]})
>>> tx = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2025-05-01"]), "amount": [50.0]})
>>> spend_around_answers(s, tx, as_of="2025-12-31")["future_spend"].tolist()
[50.0]
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.errors import DataError, FitError, data_error, require_columns
from cxkit.exclusions import Exclusion
from cxkit.parsing import parse_timestamp
from cxkit.spend.rules import _days, _months, _numbers

__all__ = ["future_spend_models", "future_spend_regression", "spend_around_answers"]


def _day_numbers(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy("datetime64[D]").astype("int64")


def _window_sums(codes: np.ndarray, start: np.ndarray, end: np.ndarray, tx_codes: np.ndarray, tx_day: np.ndarray,
                 amount: np.ndarray) -> np.ndarray:
    """Net amount of each customer's transactions dated ``start``..``end`` (days, inclusive)."""
    lo = min(tx_day.min(initial=0), start.min(initial=0)) - 1
    width = max(tx_day.max(initial=0), end.max(initial=0)) - lo + 2
    key = tx_codes * width + (tx_day - lo)
    order = np.argsort(key, kind="stable")
    key, cum = key[order], np.r_[0.0, np.cumsum(amount[order])]
    first = np.searchsorted(key, codes * width + (start - lo), side="left")
    last = np.searchsorted(key, codes * width + (end - lo), side="right")
    return cum[last] - cum[first]


def spend_around_answers(
    surveys: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    rating: str = "csat",
    months_after: int = 6,
    months_before: int = 12,
    segment: str | None = None,
    value_q: int = 10,
    min_tenure_days: int = 90,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Each survey answer with the customer's spend before it and in a full window after it.

    Whether satisfaction predicts spend can only be read from answers whose follow-up
    window has fully passed; an answer given last month has no future yet, and counting
    its future as 0 would make recent answers look like lost customers.

    Windows (whole days, both ends included; spend = purchases minus refunds, never below 0):
    ``past_spend`` covers the ``months_before`` months to the answer day (the answer day
    included, :mod:`cxkit.periods` convention); ``future_spend`` the day after the answer
    to ``months_after`` months later. Exclusions, each answer under the first rule it breaks:
    the rating is missing; the ``segment`` is missing; the answer is dated after ``as_of``;
    the follow-up window ends after ``as_of``. They are listed in ``attrs["exclusions"]``.

    The customer's value *as known at the answer date*: ``annual_spend_before`` is the
    net spend from their first transaction up to the answer day (never below 0) per year
    of that tenure (at least ``min_tenure_days``), the rule of
    :func:`cxkit.value.customer_value` stopped at the answer; ``past_value_decile``
    ranks the answers kept by it into ``value_q`` groups (1 = lowest): 1 + floor(value_q *
    (r - 1) / n), r the lowest rank among equal values, so answers with equal value share a
    group (those with no spend before share the lowest; some numbers may be unused). Unlike
    value deciles ranked on spend up to ``as_of``, neither contains spend after the answer.

    Parameters
    ----------
    surveys : survey answers with ``customer_col``, ``date_col`` and ``rating``.
    transactions : transactions with ``customer_col``, ``date_col``, ``amount_col``.
    as_of : the analysis date: the last day of spend that is known.
    rating : any numeric rating column (``csat``, ``nps``, ``ces``, a driver...).
    months_after, months_before : window lengths in months (whole numbers > 0).
    segment : optional column of ``surveys`` carried along (e.g. a region, or a segment
        fixed before the answers).
    value_q : number of groups for ``past_value_decile`` (10: deciles; 2 or more).
    min_tenure_days : shorter tenures before the answer count as this long for
        ``annual_spend_before`` (so one purchase last week does not look like a giant).
    customer_col, date_col, amount_col : column names (``date_col`` in both tables).

    Returns
    -------
    DataFrame sorted by customer and date: ``customer_id``, ``date``, ``rating`` (named as
    the column), [``segment``], ``past_spend``, ``annual_spend_before``,
    ``past_value_decile``, ``future_spend``, ``follow_up_end``. ``attrs``: ``exclusions``,
    ``as_of``, ``months_after``, ``months_before``, ``rating``, ``value_q``.

    Example
    -------
    >>> s = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2025-03-01"]), "csat": [4]})
    >>> tx = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2025-02-01", "2025-05-01"]),
    ...                    "amount": [20.0, 50.0]})
    >>> spend_around_answers(s, tx, as_of="2025-12-31")[["past_spend", "future_spend"]].values.tolist()
    [[20.0, 50.0]]
    """
    after, before = _months(months_after, "months_after"), _months(months_before, "months_before")
    if isinstance(value_q, bool) or not isinstance(value_q, (int, np.integer)) or value_q < 2:
        raise DataError(f"value_q must be a whole number of at least 2, got {value_q!r}", column="value_q",
                        rule="value_q >= 2")
    if isinstance(min_tenure_days, bool) or not isinstance(min_tenure_days, (int, np.integer)) or min_tenure_days < 1:
        raise DataError(f"min_tenure_days must be a whole number of at least 1, got {min_tenure_days!r}",
                        column="min_tenure_days", rule="min_tenure_days >= 1")
    extra = [segment] if segment else []
    require_columns(surveys, [customer_col, date_col, rating, *extra], "surveys")
    require_columns(transactions, [customer_col, date_col, amount_col], "transactions")
    day = parse_timestamp(as_of)
    if day is None:
        raise DataError("spend_around_answers needs as_of, the last day of known spend", column="as_of",
                        rule="as_of given")
    day = day.normalize()
    answer_day = _days(surveys, date_col, "surveys")
    score = _numbers(surveys, rating, "surveys", allow_missing=True)
    tx_day = _days(transactions, date_col, "transactions")
    amount = _numbers(transactions, amount_col, "transactions", allow_missing=False)

    ans = pd.DataFrame({customer_col: surveys[customer_col].to_numpy(), "date": answer_day.to_numpy(),
                        rating: score.to_numpy()})
    for col in extra:
        ans[col] = surveys[col].to_numpy()
    ans["follow_up_end"] = ans["date"] + pd.DateOffset(months=after)
    late_follow_up = f"follow-up window ({after} months after the answer) ends after as_of ({day:%Y-%m-%d})"
    rules = [
        (ans[rating].isna(), "surveys", f"rating '{rating}' missing"),
        *[(ans[col].isna(), "surveys", f"{col} missing") for col in extra],
        (ans["date"] > day, "surveys", f"answer dated after as_of ({day:%Y-%m-%d})"),
        (ans["follow_up_end"] > day, "surveys", late_follow_up),
    ]
    keep = pd.Series(True, index=ans.index)
    exclusions = []
    for mask, table, rule in rules:
        hit = mask & keep
        if hit.any():
            exclusions.append(Exclusion(table, rule, int(hit.sum()),
                                        customers=ans.loc[hit, customer_col].nunique()).record("result"))
        keep &= ~hit
    if not keep.any():
        rated = ans[ans[rating].notna() & (ans["date"] <= day)]
        latest = f"; the earliest rated answer is dated {rated['date'].min():%Y-%m-%d}" if len(rated) else ""
        raise data_error("surveys", rating, f"no answers with a rating and a full {after}-month follow-up "
                         f"before as_of {day:%Y-%m-%d} ({int(ans[rating].notna().sum())} rated answers{latest})",
                         hint="use a shorter months_after, a later as_of, or a rating column with answers")
    ans = ans[keep].sort_values([customer_col, "date"], kind="mergesort").reset_index(drop=True)
    ids = pd.Index(pd.unique(pd.concat([ans[customer_col], transactions[customer_col]], ignore_index=True)))
    codes, tx_codes = ids.get_indexer(ans[customer_col]), ids.get_indexer(transactions[customer_col])
    d = _day_numbers(ans["date"])
    t_day, money = _day_numbers(tx_day), amount.to_numpy(float)
    past_start = _day_numbers(ans["date"] - pd.DateOffset(months=before)) + 1
    future_end = _day_numbers(ans["follow_up_end"])
    ans["past_spend"] = np.clip(_window_sums(codes, past_start, d, tx_codes, t_day, money), 0, None)
    ans["future_spend"] = np.clip(_window_sums(codes, d + 1, future_end, tx_codes, t_day, money), 0, None)
    since_first = np.full_like(d, t_day.min() if len(t_day) else 0)
    history = np.clip(_window_sums(codes, since_first, d, tx_codes, t_day, money), 0, None)
    first_day = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first_day, tx_codes, t_day)
    tenure = np.maximum(d - np.minimum(first_day[codes], d) + 1, int(min_tenure_days))
    ans["annual_spend_before"] = history / tenure * 365.25
    ans["past_value_decile"] = _tied_groups(ans["annual_spend_before"].to_numpy(float), int(value_q))
    out = ans[[customer_col, "date", rating, *extra, "past_spend", "annual_spend_before", "past_value_decile",
               "future_spend", "follow_up_end"]]
    out.attrs = {"exclusions": exclusions, "as_of": day, "months_after": after, "months_before": before,
                 "rating": rating, "value_q": int(value_q)}
    return out


def _tied_groups(values: np.ndarray, q: int) -> np.ndarray:
    """1..q by rank, equal values in one group: 1 + floor(q * (lowest rank - 1) / n)."""
    lowest_rank = stats.rankdata(values, method="min")
    return (1 + (q * (lowest_rank - 1)) // len(values)).astype(np.int64)


def _ols_clustered(X: np.ndarray, y: np.ndarray, clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """OLS coefficients and their cluster-robust covariance (CR1: G/(G-1) * (n-1)/(n-k)).

    Returns ``(beta, cov, n_clusters)``; inference uses a t distribution with G - 1 degrees
    of freedom, the usual choice when the number of clusters limits what is known.
    """
    n, k = X.shape
    if np.linalg.matrix_rank(X) < k:
        raise FitError("the regression cannot separate its terms (the rating, past spend or a segment is "
                       "constant among the answers kept, or one term repeats another): use a longer period, "
                       "another rating or fewer segments")
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ (X.T @ y)
    resid = y - X @ beta
    groups, codes = np.unique(clusters, return_inverse=True)
    g = len(groups)
    if g < 2 or n <= k:
        raise FitError(f"{n} answers from {g} customers are too few to estimate {k} terms with clustered "
                       "errors: use a longer period or more answers")
    scores = np.zeros((g, k))
    np.add.at(scores, codes, X * resid[:, None])
    meat = scores.T @ scores
    cov = (g / (g - 1)) * ((n - 1) / (n - k)) * bread @ meat @ bread
    return beta, cov, g


def future_spend_regression(
    surveys: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    rating: str = "csat",
    months_after: int = 6,
    months_before: int = 12,
    adjust_for_past: bool = True,
    past_deciles: int | None = None,
    segment: str | None = None,
    ci: float = 0.95,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Does a higher rating predict more spend afterwards? Money per rating point, with its interval.

    Comparing the spend of happy and unhappy customers mixes up who they are with how
    they feel (K-mart's big spenders were the unhappy ones). Regressing each answer's
    future spend on its rating *adjusted for the customer's spend before the answer*
    asks the fairer question: among customers who spent alike, do the happier ones go on
    to spend more? It is an association, not proof of cause.

    Method: ordinary least squares of ``future_spend`` on the rating and the adjustment
    terms (see :func:`spend_around_answers` for the windows and exclusions), one row per
    answer. A customer can answer several times, so standard errors are clustered by
    customer (CR1 sandwich, t with customers - 1 degrees of freedom).

    Every adjustment is measured before the answer:

    * ``adjust_for_past``: ``past_spend``, the spend in the ``months_before`` months up to
      the answer day, as a straight line;
    * ``past_deciles=q``: one term per value group *at the time of the answer*
      (``past_value_decile``: deciles of spend per year of tenure up to the answer day,
      ranked among the answers kept), so the comparison is within customers who were
      worth alike when they answered, whatever the shape of the link between value and
      future spend. With both, the line works within the groups.

    Do not adjust for value deciles ranked on spend up to ``as_of``
    (:func:`customer_spend`'s ``value_segment``): they include the follow-up months being
    predicted, so a rating that raises future spend also raises the decile, and comparing
    within deciles hides part of the effect (or invents one). ``segment`` is for groups
    fixed before the answers (a region, a plan, segments computed at an earlier date).

    Past spend over a year is a noisy measure of how much a customer spends; when
    satisfaction differs by value (the K-mart pattern) the rating can still carry some of
    that difference, so read the adjusted slope as "after what past spend explains".

    Parameters
    ----------
    surveys, transactions, as_of, rating, months_after, months_before, customer_col,
    date_col, amount_col : as in :func:`spend_around_answers`.
    adjust_for_past : include ``past_spend`` as a control (``False`` and no ``past_deciles``:
        the naive slope).
    past_deciles : number of value groups at the answer date to compare within (10:
        deciles); None (default): none.
    segment : optional column of ``surveys`` fixed before the answers, adjusted for with one
        term per segment beyond the first (the reference, in sorted order).
    ci : coverage of the intervals.

    Returns
    -------
    DataFrame, rows in the order rating, ``past_spend``, ``past_value_decile=<d>``...,
    ``<segment>=<level>``..., ``intercept``: ``term``, ``estimate`` (for the rating: money
    of ``months_after``-month spend per rating point), ``se``, ``ci_low``, ``ci_high``,
    ``p_value``, ``n_answers``, ``n_customers``. The first decile present is the
    reference. ``attrs``: ``exclusions``, ``method``, ``outcome``, ``adjusted_for`` (the
    adjustment in words; empty for the naive slope), ``rating``, ``as_of``,
    ``months_after``, ``months_before``, ``value_q``.

    Example
    -------
    >>> s = pd.DataFrame({"customer_id": list("abcd"), "date": pd.Timestamp("2025-01-10"), "csat": [1, 2, 4, 5]})
    >>> tx = s.assign(date=pd.Timestamp("2025-03-01"), amount=[10.0, 25.0, 40.0, 60.0])   # 7 weeks after
    >>> future_spend_regression(s, tx, as_of="2025-12-31", adjust_for_past=False)[["term", "estimate"]].round(2)
            term  estimate
    0       csat     11.50
    1  intercept     -0.75
    """
    if not 0 < ci < 1:
        raise DataError(f"ci must be between 0 and 1, got {ci!r}", column="ci", rule="0 < ci < 1")
    if past_deciles is not None and (isinstance(past_deciles, bool) or not isinstance(past_deciles, (int, np.integer))
                                     or past_deciles < 2):
        raise DataError(f"past_deciles must be None or a whole number of at least 2, got {past_deciles!r}",
                        column="past_deciles", rule="past_deciles >= 2")
    answers = spend_around_answers(surveys, transactions, as_of=as_of, rating=rating, months_after=months_after,
                                   months_before=months_before, segment=segment,
                                   value_q=int(past_deciles) if past_deciles else 10, customer_col=customer_col,
                                   date_col=date_col, amount_col=amount_col)
    before = answers.attrs["months_before"]
    columns = {rating: answers[rating].to_numpy(float)}
    adjusted_for = []
    if adjust_for_past:
        columns["past_spend"] = answers["past_spend"].to_numpy(float)
        adjusted_for.append(f"spend in the {before} months before the answer")
    if past_deciles:
        for level in sorted(answers["past_value_decile"].unique())[1:]:
            columns[f"past_value_decile={level}"] = (answers["past_value_decile"] == level).to_numpy(float)
        adjusted_for.append(f"{past_deciles} value groups at the answer date (spend per year of tenure before it)")
    if segment:
        for level in sorted(answers[segment].unique())[1:]:
            columns[f"{segment}={level}"] = (answers[segment] == level).to_numpy(float)
        adjusted_for.append(f"{segment} (as given)")
    columns["intercept"] = np.ones(len(answers))
    terms, X = list(columns), np.column_stack(list(columns.values()))
    beta, cov, g = _ols_clustered(X, answers["future_spend"].to_numpy(float), answers[customer_col].to_numpy())
    se = np.sqrt(np.diag(cov))
    crit = stats.t.ppf((1 + ci) / 2, g - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(beta / se), g - 1)
    out = pd.DataFrame({"term": terms, "estimate": beta, "se": se, "ci_low": beta - crit * se,
                        "ci_high": beta + crit * se, "p_value": p, "n_answers": len(answers), "n_customers": g})
    out.attrs = dict(answers.attrs)
    out.attrs.update(
        method="OLS, one row per answer; standard errors clustered by customer (CR1), t with customers - 1 df",
        outcome=f"spend in the {answers.attrs['months_after']} months after the answer",
        adjusted_for=adjusted_for,
    )
    return out



def future_spend_models(
    surveys: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    rating: str = "csat",
    months_after: int = 6,
    value_q: int = 10,
    group_word: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The rating's slope on future spend three ways: as it stands, after past spend, within value groups.

    One slope convinces nobody: the naive one mixes up who customers are with how they
    feel. Side by side, the three steps show how much of "happy customers spend more (or
    less)" is past spend, and what is left when only customers who were worth alike when
    they answered are compared (the last row, the fairest comparison).

    Parameters
    ----------
    surveys, transactions, as_of, rating, months_after : as in :func:`future_spend_regression`.
    value_q : the value groups at the answer date of the last model (10: deciles).
    group_word : one value group in words, in the last model's name; default ``"decile"``
        for ten groups, else ``"group"``.
    options : other :func:`future_spend_regression` parameters (``months_before``, ``ci``,
        column names).

    Returns
    -------
    DataFrame, one row per model (the rating's row of :func:`future_spend_regression`)
    with a ``model`` column: ``"as it stands"``, ``"adjusted for past spend"`` and
    ``"within value <group_word>s at the answer"``. ``attrs``: those of the last model.

    Example
    -------
    >>> s = pd.DataFrame({"customer_id": list("abcdefgh"), "date": pd.Timestamp("2025-01-10"),
    ...                   "csat": [1, 2, 4, 5, 1, 2, 4, 5]})
    >>> later = [10.0, 25.0, 40.0, 60.0, 9.0, 30.0, 35.0, 70.0]
    >>> tx = pd.concat([s.assign(date=pd.Timestamp("2024-06-01"), amount=[5.0, 50.0, 7.0, 45.0, 6.0, 52.0, 8.0, 40.0]),
    ...                 s.assign(date=pd.Timestamp("2025-03-01"), amount=later)])
    >>> future_spend_models(s, tx, as_of="2025-12-31", value_q=2)["model"].tolist()
    ['as it stands', 'adjusted for past spend', 'within value groups at the answer']
    """
    word = group_word or ("decile" if value_q == 10 else "group")
    fits = {"as it stands": dict(adjust_for_past=False), "adjusted for past spend": {},
            f"within value {word}s at the answer": dict(past_deciles=value_q)}
    models = [future_spend_regression(surveys, transactions, as_of=as_of, rating=rating, months_after=months_after,
                                      **options, **settings) for settings in fits.values()]
    out = pd.concat([model.head(1).assign(model=name) for model, name in zip(models, fits, strict=True)],
                    ignore_index=True)
    out.attrs = dict(models[-1].attrs)
    return out
