"""Customers -> survival tables: one row per customer, counting-process episodes, landmarks.

Time is counted in whole days since sign-up (the sign-up day is day 0). The rules every
table here shares:

* **Follow-up** ends on ``churn_date`` for a customer who left and on ``as_of`` for an
  active one (right-censored). A ``churn_date`` after ``as_of`` had not happened yet:
  the customer counts as active, as in the data contract. Customers who signed up after
  ``as_of`` are left out and reported in ``attrs["exclusions"]``.
* **A contact or survey answer dated day t counts for churn on day t + 1 onwards.** A
  contact on the day a customer leaves does not count towards that churn (within a day
  the order is unknown, and it may be the cancellation call itself). The same rule
  places every covariate: counts are of contacts dated on or before the day the
  covariate is read.
* **Contacts and answers dated after a customer left** (or after ``as_of``) describe no
  time at risk: they are left out and reported. Rows dated before sign-up, and ids
  unknown to ``customers``, break the data contract and raise :class:`cxkit.DataError`.
* **CSAT before the first answer** is unknown: ``has_csat`` is False and
  ``latest_csat`` holds ``csat_fill`` (by default the mean of every CSAT answer dated
  within follow-up), so a model can use both columns as they stand: the CSAT hazard
  ratio is then learnt from customers who answered, and ``has_csat`` absorbs the rest.
  ``csat_fill=None`` leaves it missing (drop those rows before fitting). Answers given
  on the same day are averaged. Answers without a CSAT score change nothing; they are
  counted in ``attrs["notes"]``.
* **Static covariates** (``static=``, a design frame keyed by ``customer_id`` such as
  :func:`cxkit.survival.static_covariates` makes) are merged on ``customer_id``; a
  customer missing from it is left out and reported, with their contacts and answers.
* **What was left out** is in ``attrs["exclusions"]`` (``table``, ``rule``, ``n_rows``,
  ``n_customers``), with a few example customers per rule in
  ``attrs["exclusion_examples"]``; :func:`exclusions` shows both as load-report rows.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxkit.errors import argument_error, check_choice, data_error, require_columns
from cxkit.exclusions import Exclusion, exclusion_table
from cxkit.experience import bad_contacts
from cxkit.survival._arrays import unique_sorted
from cxkit.survival._followup import (
    _N_EXAMPLES,
    _NO_STATIC,
    CONTACT_COUNTS,
    _covariate_list,
    _days,
    _examples,
    _follow_up,
    _FollowUp,
    _tenure_follow_up,
    _tenure_only,
)

__all__ = [
    "CONTACT_COUNTS",
    "exclusions",
    "survival_table",
    "episode_table",
    "lifetime_counts",
    "landmark_table",
    "active_customers",
]

_UNITS = {"D": 1.0, "W": 7.0, "M": 30.4375}
_SAME_DAY_STOP = 0.5  # a customer who leaves on the sign-up day is at risk for half a day


# --------------------------------------------------------------------------- events


@dataclass
class _Events:
    """Dated rows of one table mapped onto the follow-up: position, day, values."""

    pos: np.ndarray  # int64 customer position in the follow-up
    day: np.ndarray  # int64 days since sign-up
    values: np.ndarray  # float (n, k)
    names: tuple[str, ...]

    def key(self, width: int) -> np.ndarray:
        return self.pos * width + self.day


def _place(table: pd.DataFrame, name: str, fu: _FollowUp) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows of a dated table up to as_of, with the customer position and day of each.

    Rows of customers left out for want of static covariates stay in the table (so rules
    computed over all rows, such as a channel's long-wait threshold, do not move); their
    position is -1 and they are reported here.
    """
    require_columns(table, ["customer_id", "date"], name)
    date = _days(table["date"])
    if np.isnat(date).any():
        raise data_error(name, "date", "date is required", table[np.isnat(date)])
    after = date > fu.as_of
    fu.exclude(Exclusion(name, "dated after as_of", after.sum(), examples=_examples(table["customer_id"], after, date),
                         customers=table.loc[after, "customer_id"].nunique()))
    table, date = table.loc[~after], date[~after]
    pos = fu.ids.get_indexer(table["customer_id"])
    unknown = pos < 0
    if unknown.any():
        dropped = unknown & table["customer_id"].isin(fu.dropped).to_numpy()
        if (unknown & ~dropped).any():
            raise data_error(name, "customer_id", "customer_id not in customers (or signed up after as_of)",
                             table[unknown & ~dropped])
        fu.exclude(Exclusion(name, f"customer left out: {_NO_STATIC}", dropped.sum(),
                             examples=_examples(table["customer_id"], dropped, date),
                             customers=table.loc[dropped, "customer_id"].nunique()))
    known = ~unknown
    day = np.zeros(len(pos), dtype="int64")
    day[known] = (date[known] - fu.signup[pos[known]]).astype("int64")
    early = day < 0
    if early.any():
        raise data_error(name, "date", "dated before the customer's signup_date", table[early])
    return table, pos.astype("int64"), day


def _drop_after_leaving(pos: np.ndarray, day: np.ndarray, name: str, fu: _FollowUp) -> np.ndarray:
    """Mask of rows dated within the customer's follow-up; the others are reported."""
    known = pos >= 0
    gone = known & (day > fu.tenure[np.where(known, pos, 0)]) if len(fu.tenure) else np.zeros(len(pos), bool)
    first = np.flatnonzero(gone)[:_N_EXAMPLES]
    fu.exclude(Exclusion(name, "dated after the customer left", gone.sum(),
                         examples=_examples(fu.frame["customer_id"].to_numpy()[pos[first]], np.ones(len(first), bool),
                                            fu.signup[pos[first]] + day[first]),
                         customers=len(unique_sorted(pos[gone]))))
    return known & ~gone


def _sorted_events(pos: np.ndarray, day: np.ndarray, values: np.ndarray, names: tuple[str, ...]) -> _Events:
    order = np.lexsort((day, pos))
    return _Events(pos[order], day[order], values[order].astype(float), names)


def _contact_events(contacts: pd.DataFrame, fu: _FollowUp, long_wait: Any, long_wait_quantile: float) -> _Events:
    table, pos, day = _place(contacts, "contacts", fu)
    flagged = bad_contacts(table, long_wait=long_wait, long_wait_quantile=long_wait_quantile)
    keep = _drop_after_leaving(pos, day, "contacts", fu)
    values = np.column_stack([
        np.ones(len(flagged)),
        flagged["unresolved"].to_numpy(bool),
        flagged["long_wait"].to_numpy(bool),
        flagged["bad"].to_numpy(bool),
    ])
    return _sorted_events(pos[keep], day[keep], values[keep], CONTACT_COUNTS)


def _csat_events(surveys: pd.DataFrame, fu: _FollowUp) -> tuple[_Events, float | None]:
    """Answers per customer and day (same-day answers averaged), and the mean answer."""
    require_columns(surveys, ["customer_id", "date", "csat"], "surveys")
    table, pos, day = _place(surveys, "surveys", fu)
    csat = pd.to_numeric(table["csat"], errors="coerce").astype(float).to_numpy()
    within = _drop_after_leaving(pos, day, "surveys", fu)
    keep = within & ~np.isnan(csat)
    unscored = within & np.isnan(csat)
    if unscored.any():
        fu.notes.append(Exclusion("surveys", "no CSAT score in the answer: it does not change latest_csat",
                                  unscored.sum(), customers=len(unique_sorted(pos[unscored])), what="rows not used"))
    # answers given on the same day are averaged (the order within a day is unknown)
    answers = pd.DataFrame({"pos": pos[keep], "day": day[keep], "csat": csat[keep]})
    daily = answers.groupby(["pos", "day"], sort=True)["csat"].mean().reset_index()
    ev = _Events(daily["pos"].to_numpy("int64"), daily["day"].to_numpy("int64"),
                 daily[["csat"]].to_numpy(float), ("latest_csat",))
    return ev, float(answers["csat"].mean()) if len(answers) else None


# --------------------------------------------------------------------------- covariates


@dataclass
class _Prepared:
    fu: _FollowUp
    contacts: _Events | None
    csat: _Events | None
    csat_fill: float | None
    covariates: list[str]

    @property
    def width(self) -> int:
        return int(self.fu.tenure.max(initial=0)) + 2

    def at(self, pos: np.ndarray, day: np.ndarray) -> pd.DataFrame:
        """Covariates known at the end of ``day`` (events dated on or before it) for each query."""
        out: dict[str, Any] = {}
        width = self.width
        qkey = pos * width + day
        if self.contacts is not None:
            ckey = self.contacts.key(width)
            cum = np.vstack([np.zeros((1, self.contacts.values.shape[1])), np.cumsum(self.contacts.values, axis=0)])
            lo = np.searchsorted(ckey, pos * width, side="left")
            hi = np.maximum(np.searchsorted(ckey, qkey, side="right"), lo)  # day -1: nothing yet
            counts = (cum[hi] - cum[lo]).round().astype("int64")
            for j, name in enumerate(self.contacts.names):
                out[name] = counts[:, j]
        if self.csat is not None:
            skey = self.csat.key(width)
            idx = np.searchsorted(skey, qkey, side="right") - 1
            safe = np.clip(idx, 0, None)
            has = (idx >= 0) & (self.csat.pos[safe] == pos) if len(skey) else np.zeros(len(pos), bool)
            latest = np.where(has, self.csat.values[safe, 0] if len(skey) else np.nan, np.nan)
            if self.csat_fill is not None:
                latest = np.where(has, latest, self.csat_fill)
            out["latest_csat"] = latest
            out["has_csat"] = has
        frame = pd.DataFrame(out, index=range(len(pos)))
        static = self.fu.frame[self.covariates].iloc[pos].reset_index(drop=True)
        return pd.concat([frame, static, self.fu.static_at(pos)], axis=1)

    def finish(self, out: pd.DataFrame) -> pd.DataFrame:
        out.attrs = {**self.fu.attrs(), "csat_fill": self.csat_fill}
        return out


def _prepare(
    customers: pd.DataFrame,
    contacts: pd.DataFrame | None,
    surveys: pd.DataFrame | None,
    *,
    as_of: Any,
    covariates: Sequence[str] | None,
    long_wait: Any,
    long_wait_quantile: float,
    csat_fill: Literal["mean"] | float | None,
    signed_up_after: str = "exclude",
    static: Any = None,
) -> _Prepared:
    covariates = _covariate_list(covariates)
    fu = _follow_up(customers, as_of, covariates, signed_up_after, static)
    ev_contacts = None if contacts is None else _contact_events(contacts, fu, long_wait, long_wait_quantile)
    ev_csat, mean_csat = (None, None) if surveys is None else _csat_events(surveys, fu)
    fill: float | None
    if isinstance(csat_fill, str):
        check_choice(csat_fill, ("mean",), "csat_fill")
        fill = mean_csat
    else:
        fill = None if csat_fill is None else float(csat_fill)
    return _Prepared(fu, ev_contacts, ev_csat, fill, covariates)


# --------------------------------------------------------------------------- public tables


def survival_table(
    customers: pd.DataFrame,
    *,
    as_of: Any,
    covariates: str | Sequence[str] | None = None,
    unit: Literal["D", "W", "M"] = "D",
    signed_up_after: Literal["exclude", "raise"] = "exclude",
    static: Any = None,
) -> pd.DataFrame:
    """One row per customer: how long they have been a member and whether they have left.

    Every churn curve and churn model starts here: customers still active on ``as_of``
    are right-censored, not counted as staying forever or dropped.

    Parameters
    ----------
    customers : validated customers table (``customer_id``, ``signup_date``, ``churn_date``
        missing while active), or one loaded as tenure + churned (``tenure_days``,
        ``churned``, no dates; see ``load_folder(tenure_unit=...)``), taken as given.
    as_of : the analysis date; follow-up of active customers ends on it (not used for a
        tenure + churned table).
    covariates : customers columns to carry along (e.g. ``["plan", "region"]``).
    unit : ``"D"`` days (integer), ``"W"`` weeks or ``"M"`` months (30.4375 days).
    signed_up_after : customers who signed up after ``as_of`` are left out and reported
        in ``attrs["exclusions"]`` (``"exclude"``) or raise :class:`DataError` (``"raise"``).
    static : static covariates keyed by ``customer_id`` (numbers only), e.g.
        :func:`cxkit.survival.static_covariates` or its ``design``; merged on
        ``customer_id``. Customers it does not cover are left out and reported.

    Returns
    -------
    DataFrame with ``customer_id``, ``tenure`` (from sign-up to ``churn_date`` or
    ``as_of``), ``churned`` (bool), the covariates and the static columns; ``attrs``
    holds ``as_of``, ``unit``, ``exclusions`` (see :func:`exclusions`). A churn before
    sign-up raises :class:`DataError`.

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2025-01-01", "2025-03-01"]),
    ...     "churn_date": pd.to_datetime(["2025-01-31", None]), "plan": ["Club", "Plus"]})
    >>> survival_table(c, as_of="2025-12-31", covariates=["plan"])
      customer_id  tenure  churned  plan
    0           a      30     True  Club
    1           b     305    False  Plus
    """
    check_choice(unit, tuple(_UNITS), "unit")
    covariates = _covariate_list(covariates)
    if _tenure_only(customers):
        fu = _tenure_follow_up(customers, covariates, static)
    else:
        fu = _follow_up(customers, as_of, covariates, signed_up_after, static)
    tenure: Any = fu.tenure if unit == "D" else fu.tenure / _UNITS[unit]
    out = pd.DataFrame({"customer_id": fu.frame["customer_id"].to_numpy(), "tenure": tenure, "churned": fu.churned})
    out = pd.concat([out, fu.frame[covariates], fu.static_at(np.arange(len(fu.tenure)))], axis=1)
    out.attrs = {**fu.attrs(), "unit": unit}
    return out


def episode_table(
    customers: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    *,
    as_of: Any,
    long_wait: float | Mapping[str, float] | None = None,
    long_wait_quantile: float = 0.9,
    covariates: str | Sequence[str] | None = None,
    csat_fill: Literal["mean"] | float | None = "mean",
    static: Any = None,
) -> pd.DataFrame:
    """Counting-process episodes: each customer's membership cut wherever their experience changed.

    A contact that went badly can only raise the risk of leaving *after* it happened.
    Counting a customer's lifetime contacts as if known from the first day credits the
    customers who stayed longest (and so had time to call more) with protection they
    never had (immortal-time bias). Episodes carry the counts as they stood, so a
    time-varying Cox model (:class:`lifelines.CoxTimeVaryingFitter`) sees the truth.

    Rules (see :mod:`cxkit.survival`): an episode covers days ``(start, stop]`` since
    sign-up; a contact or answer dated day t opens a new episode at ``start = t`` and
    counts for churn from day t + 1, so one on the day a customer leaves does not count
    towards that churn and no episode has zero length. Several contacts on one day
    open one episode. A customer who leaves on the sign-up day has one episode
    ``(0, 0.5]``; an active customer who signed up on ``as_of`` has no time at risk and
    no episode (reported in ``attrs["exclusions"]``).

    Parameters
    ----------
    customers, contacts, surveys : validated tables (contacts and surveys optional).
    as_of : the analysis date.
    long_wait, long_wait_quantile : what counts as a long wait, passed to
        :func:`cxkit.experience.bad_contacts` (default: the channel's 90th percentile).
    covariates : static customers columns to carry along.
    csat_fill : value of ``latest_csat`` before a customer's first answer: ``"mean"``
        (mean of the answers within follow-up, the default; in ``attrs["csat_fill"]``),
        a number, or ``None`` (left missing).
    static : static covariates keyed by ``customer_id`` (numbers), e.g.
        :func:`cxkit.survival.static_covariates`: merged on ``customer_id`` so one model
        takes contacts, answers and customer traits together. Customers it does not
        cover are left out and reported, with their contacts and answers (which still
        count towards a channel's long-wait threshold).

    Returns
    -------
    DataFrame in the order of ``customers``, then ``start``: ``customer_id``, ``start`` (int),
    ``stop`` (float), ``event`` (True only on the last episode of a customer who left),
    ``cum_contacts``, ``cum_unresolved``, ``cum_long_wait``, ``cum_bad_contacts`` (with
    contacts; a bad contact is unresolved at first contact or a long wait, as
    :func:`cxkit.experience.bad_contacts` flags it, counted once even when both),
    ``latest_csat``, ``has_csat`` (with surveys), the covariates and the static columns.
    What was left out: :func:`exclusions`.

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": ["a"], "signup_date": [pd.Timestamp("2025-01-01")],
    ...     "churn_date": [pd.Timestamp("2025-01-31")]})
    >>> k = pd.DataFrame({"customer_id": ["a"], "date": [pd.Timestamp("2025-01-11")], "channel": ["chat"],
    ...     "wait_minutes": [1.0], "resolved_first_contact": [False]})
    >>> episode_table(c, k, as_of="2025-12-31", long_wait=10)[["start", "stop", "event", "cum_unresolved"]]
       start  stop  event  cum_unresolved
    0      0  10.0  False               0
    1     10  30.0   True               1
    """
    prep = _prepare(customers, contacts, surveys, as_of=as_of, covariates=covariates, long_wait=long_wait,
                    long_wait_quantile=long_wait_quantile, csat_fill=csat_fill, static=static)
    fu = prep.fu
    n = len(fu.tenure)
    no_time = (fu.tenure == 0) & ~fu.churned
    fu.exclude(Exclusion("customers", "no time at risk (signed up on as_of)", no_time.sum(),
                         examples=_examples(fu.frame["customer_id"], no_time, fu.signup), customers=no_time.sum()))
    cut_pos = [np.arange(n)[~no_time]]
    cut_day = [np.zeros((~no_time).sum(), dtype="int64")]
    for ev in (prep.contacts, prep.csat):
        if ev is not None:
            cut_pos.append(ev.pos)
            cut_day.append(ev.day)
    pos, day = np.concatenate(cut_pos), np.concatenate(cut_day)
    # a change dated on the last day opens no episode: no time at risk is left after it
    keep = (day < fu.tenure[pos]) | (day == 0)
    width = prep.width
    key = unique_sorted(pos[keep] * width + day[keep])
    pos, start = key // width, key % width
    last = np.r_[pos[1:] != pos[:-1], True]
    stop = np.r_[start[1:], 0].astype(float)
    stop[last] = fu.tenure[pos[last]]
    stop[last & (fu.tenure[pos] == 0)] = _SAME_DAY_STOP
    out = pd.DataFrame({
        "customer_id": fu.frame["customer_id"].to_numpy()[pos],
        "start": start.astype("int64"),
        "stop": stop,
        "event": last & fu.churned[pos],
    })
    # a same-day leaver's only episode is read before day 0: what happened that day does not count
    known_at = np.where(fu.tenure[pos] == 0, -1, start)
    out = pd.concat([out, prep.at(pos, known_at)], axis=1)
    return prep.finish(out)


def lifetime_counts(
    customers: pd.DataFrame,
    contacts: pd.DataFrame,
    surveys: pd.DataFrame | None = None,
    *,
    as_of: Any,
    long_wait: float | Mapping[str, float] | None = None,
    long_wait_quantile: float = 0.9,
    covariates: str | Sequence[str] | None = None,
    csat_fill: Literal["mean"] | float | None = "mean",
    static: Any = None,
) -> pd.DataFrame:
    """The survival table with each customer's *lifetime* contact counts: the naive (wrong) set-up.

    Shown in the churn notebook to explain immortal-time bias: customers who stayed
    longer had more time to contact us, so lifetime counts used as baseline covariates
    make contacts look protective. Use :func:`episode_table` (or :func:`landmark_table`)
    for the real effect.

    Counts cover every contact from sign-up to the end of follow-up (``churn_date``
    included, or ``as_of``); ``latest_csat`` is the last answer in that window.

    Returns
    -------
    :func:`survival_table` columns plus the same count and CSAT columns as
    :func:`episode_table` (``cum_unresolved``...).

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": ["a"], "signup_date": [pd.Timestamp("2025-01-01")], "churn_date": [pd.NaT]})
    >>> k = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2025-02-01", "2025-09-01"]),
    ...     "channel": "chat", "wait_minutes": 1.0, "resolved_first_contact": False})
    >>> lifetime_counts(c, k, as_of="2025-12-31", long_wait=10)[["tenure", "churned", "cum_unresolved"]]
       tenure  churned  cum_unresolved
    0     364    False               2
    """
    prep = _prepare(customers, contacts, surveys, as_of=as_of, covariates=covariates, long_wait=long_wait,
                    long_wait_quantile=long_wait_quantile, csat_fill=csat_fill, static=static)
    fu = prep.fu
    pos = np.arange(len(fu.tenure))
    out = pd.DataFrame({"customer_id": fu.frame["customer_id"], "tenure": fu.tenure, "churned": fu.churned})
    return prep.finish(pd.concat([out, prep.at(pos, fu.tenure)], axis=1))


def landmark_table(
    customers: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    *,
    as_of: Any,
    landmark_days: int = 180,
    horizon: int | None = None,
    long_wait: float | Mapping[str, float] | None = None,
    long_wait_quantile: float = 0.9,
    covariates: str | Sequence[str] | None = None,
    csat_fill: Literal["mean"] | float | None = "mean",
    static: Any = None,
) -> pd.DataFrame:
    """Customers still members at a landmark, their experience up to it, and what happened after.

    The cross-check a board can follow: "among members who reached six months, those
    with more unresolved contacts in those six months left faster afterwards". Nothing
    counted happened after the landmark, so there is no immortal-time bias.

    A customer is at the landmark when still a member at the end of day
    ``landmark_days`` (tenure greater than it); covariates count contacts and answers
    dated on or before that day; the outcome is churn after it.

    Parameters
    ----------
    landmark_days : the landmark, in days since sign-up.
    horizon : follow customers for at most this many days after the landmark (censored
        there); default: to the end of follow-up.
    Other parameters as in :func:`episode_table`.

    Returns
    -------
    DataFrame: ``customer_id``, ``landmark``, ``duration`` (days after the landmark),
    ``churned``, the count and CSAT columns of :func:`episode_table`, the covariates.
    Fit ``CoxPHFitter().fit(t, "duration", "churned")``.

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2025-01-01"] * 2),
    ...     "churn_date": pd.to_datetime(["2025-03-01", "2025-09-01"])})
    >>> landmark_table(c, as_of="2025-12-31", landmark_days=90)[["customer_id", "duration", "churned"]]
      customer_id  duration  churned
    0           b       153     True
    """
    landmark = int(landmark_days)
    if landmark < 0:
        raise argument_error("landmark_days", f"landmark_days must be >= 0, got {landmark_days!r}")
    prep = _prepare(customers, contacts, surveys, as_of=as_of, covariates=covariates, long_wait=long_wait,
                    long_wait_quantile=long_wait_quantile, csat_fill=csat_fill, static=static)
    fu = prep.fu
    pos = np.flatnonzero(fu.tenure > landmark)
    duration = fu.tenure[pos] - landmark
    churned = fu.churned[pos].copy()
    if horizon is not None:
        churned &= duration <= horizon
        duration = np.minimum(duration, int(horizon))
    out = pd.DataFrame({
        "customer_id": fu.frame["customer_id"].to_numpy()[pos],
        "landmark": landmark,
        "duration": duration.astype("int64"),
        "churned": churned,
    })
    return prep.finish(pd.concat([out, prep.at(pos, np.full(len(pos), landmark, dtype="int64"))], axis=1))


def active_customers(
    customers: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    *,
    as_of: Any,
    long_wait: float | Mapping[str, float] | None = None,
    long_wait_quantile: float = 0.9,
    covariates: str | Sequence[str] | None = None,
    csat_fill: Literal["mean"] | float | None = "mean",
    static: Any = None,
) -> pd.DataFrame:
    """Customers still active on ``as_of``, with their tenure and experience so far: the ones to score.

    The input of :func:`churn_risk` and :func:`attributable_churn`: the same columns as
    :func:`episode_table`, read at the end of ``as_of`` (every contact and answer up to
    and including it), so a model fitted on episodes applies directly.

    A customers table loaded as tenure + churned (no dates) works too, without contacts
    or surveys (they cannot be placed in a membership without a sign-up date): the
    active customers with their tenure as exported, the covariates and the static
    columns, to score with a ``CoxPHFitter`` fitted on :func:`survival_table`.

    Returns
    -------
    DataFrame: ``customer_id``, ``tenure`` (days), the count and CSAT columns, the
    covariates and the static columns.

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2025-01-01"] * 2),
    ...     "churn_date": pd.to_datetime([None, "2025-09-01"])})
    >>> active_customers(c, as_of="2025-12-31")
      customer_id  tenure
    0           a     364
    """
    if _tenure_only(customers):
        if contacts is not None or surveys is not None:
            raise data_error("customers", "signup_date", "contacts and survey answers need sign-up dates to be "
                             "placed in a membership; this customers table has tenure + churned only",
                             hint="pass contacts=None and surveys=None")
        covariates = _covariate_list(covariates)
        fu = _tenure_follow_up(customers, covariates, static)
        pos = np.flatnonzero(~fu.churned)
        out = pd.DataFrame({"customer_id": fu.frame["customer_id"].to_numpy()[pos], "tenure": fu.tenure[pos]})
        out = pd.concat([out, fu.frame[covariates].iloc[pos].reset_index(drop=True), fu.static_at(pos)], axis=1)
        out.attrs = {**fu.attrs(), "csat_fill": None}
        return out
    prep = _prepare(customers, contacts, surveys, as_of=as_of, covariates=covariates, long_wait=long_wait,
                    long_wait_quantile=long_wait_quantile, csat_fill=csat_fill, static=static)
    fu = prep.fu
    pos = np.flatnonzero(~fu.churned)
    out = pd.DataFrame({"customer_id": fu.frame["customer_id"].to_numpy()[pos], "tenure": fu.tenure[pos]})
    return prep.finish(pd.concat([out, prep.at(pos, fu.tenure[pos])], axis=1))


# --------------------------------------------------------------------------- what was left out


def exclusions(*tables: pd.DataFrame) -> pd.DataFrame:
    """What building the survival tables left out, as rows to append to the load report.

    A reader should see every row a result does not cover: contacts and answers dated
    after the customer left or after ``as_of``, customers who signed up after it or
    have no static covariates. The rows have the columns of
    :meth:`cxkit.data.CXData.load_report`, so ``pd.concat([cx.load_report(),
    exclusions(episodes)])`` gives one table.

    Parameters
    ----------
    *tables : results of :func:`survival_table`, :func:`episode_table`,
        :func:`landmark_table`, :func:`active_customers`, :func:`lifetime_counts`, or a
        :func:`cxkit.survival.static_covariates` result (anything with
        ``attrs["exclusions"]``). Rows repeated across tables are shown once.

    Returns
    -------
    DataFrame: ``table``, ``what happened`` (``"rows left out"``, or ``"rows not used"``
    for answers without a CSAT score), ``rule``, ``rows``, ``example lines`` (up to five
    customers, with the row's date where it has one). Empty when nothing was left out.

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2025-01-01", "2026-02-01"])})
    >>> exclusions(survival_table(c, as_of="2025-12-31"))
           table  what happened                   rule  rows   example lines
    0  customers  rows left out  signed up after as_of     1  b (2026-02-01)
    """
    rows = []
    for t in tables:
        attrs = getattr(t, "attrs", None)
        if attrs is None and hasattr(t, "design"):
            attrs = t.design.attrs
        attrs = attrs or {}
        examples = attrs.get("exclusion_examples", {})
        rows += [Exclusion(e["table"], e["rule"], e["n_rows"], examples=examples.get(f"{e['table']}: {e['rule']}", ""))
                 for e in attrs.get("exclusions", [])]
        rows += [Exclusion(e["table"], e["rule"], e["n_rows"], what="rows not used") for e in attrs.get("notes", [])]
    return exclusion_table(rows).drop_duplicates(ignore_index=True)
