"""Subscribers -> cohorts -> sBG -> what each active subscriber is worth.

The customers table of a subscription business (sign-up and cancellation dates, or a
tenure + churned export, and often a fee) becomes the cohorts' survivor counts the
shifted-beta-geometric model is fitted to (:func:`subscription_cohorts`, :func:`fit_sbg`),
and then one value per active subscriber (:func:`subscription_clv`): the discounted
expected residual lifetime (DERL, :meth:`ShiftedBetaGeometricFitter.derl`) times the
margin per period.

Rules
-----
* **Periods** have a fixed length: ``"M"`` 30.4375 days (:data:`cxkit.units.MONTH_DAYS`),
  ``"W"`` 7, ``"Q"`` 91.3125, ``"Y"`` 365.25, or a number of days. Period k of a customer
  starts k period lengths after their sign-up; period 0 is the sign-up period.
* **Alive at the start of period k**: a customer who has not cancelled by then. With
  ``tenure`` the days from sign-up to ``churn_date`` (or to ``as_of`` for an active
  customer), a customer who left is alive at the start of period k > 0 when tenure > k x
  length (a cancellation dated exactly on a renewal is a renewal not made), an active one
  when tenure >= k x length. Everyone is alive at the start of period 0. A ``churn_date``
  after ``as_of`` has not happened yet: that customer counts as active (the data contract).
* **Cohorts**: customers who signed up in the same calendar month, week (Monday to
  Sunday), quarter or year (``period`` ``"M"``, ``"W"``, ``"Q"``, ``"Y"``), or in the same
  block of ``period`` days counted from the first sign-up; a cohort is labelled by its
  first day. A cohort is followed to the last period whose start every member has reached
  on ``as_of``, and its survivors there are right-censored.
* **Tenure + churned** exports (``tenure_days``, ``churned``, no sign-up dates, as
  ``load_folder(tenure_unit=...)`` reads them) form one pseudo-cohort ``"all"``, every
  customer aligned at sign-up and right-censored at their own tenure (column
  ``censored``: still-active customers whose follow-up ends at the start of that period).
* **Left out and reported** (``attrs["exclusions"]``, records of
  :class:`cxkit.exclusions.Exclusion`): customers without a sign-up date (or a tenure),
  with a cancellation before sign-up, who signed up after ``as_of``, without a value in the
  ``by`` column, and (for :func:`subscription_clv`) active customers without a fee.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxkit.clv.forecast import _local_days
from cxkit.clv.sbg import ShiftedBetaGeometricFitter
from cxkit.errors import DataError, FitError, argument_error, data_error, require_columns
from cxkit.exclusions import Exclusion
from cxkit.parsing import parse_timestamp
from cxkit.units import MONTH_DAYS

__all__ = ["PERIOD_DAYS", "ALL_CUSTOMERS", "subscription_cohorts", "fit_sbg", "subscription_clv"]

#: Length in days of each named period.
PERIOD_DAYS: dict[str, float] = {"W": 7.0, "M": MONTH_DAYS, "Q": 3 * MONTH_DAYS, "Y": 365.25}
#: The cohort label of a tenure + churned export (one pseudo-cohort aligned at sign-up).
ALL_CUSTOMERS = "all"

_TABLE = "customers"


# --------------------------------------------------------------------------- who is followed


@dataclass
class _Subscribers:
    """The customers kept, as arrays: sign-up day (None for tenure exports), tenure in days, churned."""

    frame: pd.DataFrame  # kept rows, positional index
    signup: np.ndarray | None  # datetime64[D]
    tenure: np.ndarray  # float days
    churned: np.ndarray  # bool
    as_of: pd.Timestamp | None
    exclusions: list[Exclusion] = field(default_factory=list)

    def keep(self, mask: np.ndarray, rule: str | None) -> None:
        """Leave out the customers where ``mask`` is False, reporting them under ``rule`` (None: not reported)."""
        left = ~mask
        if left.any() and rule is not None:
            ids = self.frame["customer_id"].to_numpy()[left][:5]
            self.exclusions.append(Exclusion(_TABLE, rule, int(left.sum()), examples=", ".join(map(str, ids)),
                                             customers=int(left.sum())))
        if left.any():
            self.frame = self.frame.loc[mask].reset_index(drop=True)
            self.signup = None if self.signup is None else self.signup[mask]
            self.tenure, self.churned = self.tenure[mask], self.churned[mask]

    def periods_seen(self, length: float) -> np.ndarray:
        """The last period each customer is known to have been alive at the start of (see the rules)."""
        q = np.round(self.tenure / length, 9)
        return np.where(self.churned, np.maximum(np.ceil(q) - 1, 0), np.floor(q)).astype("int64")

    def records(self) -> list[dict[str, Any]]:
        return [e.record("result") for e in self.exclusions]


def _period_days(period: Any) -> float:
    if isinstance(period, str) and period in PERIOD_DAYS:
        return PERIOD_DAYS[period]
    if not isinstance(period, (str, bool)) and isinstance(period, (int, float, np.number)) and np.isfinite(
            period) and period > 0:
        return float(period)
    raise argument_error("period", f"period must be one of {list(PERIOD_DAYS)} or a number of days above 0, got "
                         f"{period!r}", hint="'M' = months of 30.4375 days, 'W' = weeks, 'Q' = quarters, 'Y' = years")


def _subscribers(customers: pd.DataFrame, as_of: Any, by: str | None) -> _Subscribers:
    """The customers table (dates or tenure + churned) as :class:`_Subscribers`, with what was left out."""
    require_columns(customers, ["customer_id", *([by] if by else [])], _TABLE)
    dup = customers["customer_id"].duplicated(keep=False)
    if dup.any():
        raise data_error(_TABLE, "customer_id", "customer_id must be unique", customers[dup])
    frame = customers.reset_index(drop=True)
    tenure_export = "tenure_days" in frame and "churned" in frame and not (
        "signup_date" in frame and frame["signup_date"].notna().any())
    sub = _tenure_subscribers(frame) if tenure_export else _dated_subscribers(frame, as_of)
    if by:
        sub.keep(sub.frame[by].notna().to_numpy(), f"no value in {by}")
    return sub


def _dated_subscribers(frame: pd.DataFrame, as_of: Any) -> _Subscribers:
    require_columns(frame, ["signup_date"], _TABLE, hint="or pass a tenure + churned export (tenure_days, churned)")
    end_ts = parse_timestamp(as_of, name="as_of")
    if end_ts is None:
        raise argument_error("as_of", "as_of is required (the analysis date) for a customers table with sign-up dates")
    end = np.datetime64(end_ts.normalize(), "D")
    signup = _local_days(frame["signup_date"], frame, _TABLE, "signup_date")
    churn = (_local_days(frame["churn_date"], frame, _TABLE, "churn_date") if "churn_date" in frame
             else np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[D]"))
    churned = ~np.isnat(churn) & (churn <= end)
    stop = np.where(churned, churn, end)
    tenure = (stop - signup).astype("timedelta64[D]").astype("float64")
    sub = _Subscribers(frame, signup, tenure, churned, pd.Timestamp(end))
    sub.keep(~np.isnat(signup), "no signup_date")
    sub.keep(~(sub.churned & (sub.tenure < 0)), "churn_date before signup_date")
    sub.keep(sub.signup <= end, "signed up after as_of")
    return sub


def _tenure_subscribers(frame: pd.DataFrame) -> _Subscribers:
    tenure = pd.to_numeric(frame["tenure_days"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = (frame["tenure_days"].notna().to_numpy() & ~np.isfinite(tenure)) | (tenure < 0)
    if bad.any():
        raise data_error(_TABLE, "tenure_days", "tenure_days must be a number >= 0", frame[bad])
    flags = frame["churned"]
    odd = flags.notna() & ~flags.isin([True, False])
    if odd.any():
        raise data_error(_TABLE, "churned", "churned must be true/false", frame[odd])
    sub = _Subscribers(frame, None, tenure, (flags == True).to_numpy(dtype=bool), None)  # noqa: E712
    sub.keep(np.isfinite(tenure) & flags.notna().to_numpy(), "no tenure or churned value")
    return sub


def _cohort_starts(signup: np.ndarray, period: Any, length: float) -> np.ndarray:
    """The first day of each customer's sign-up cohort (see the rules)."""
    days = pd.Series(signup.astype("datetime64[ns]"))
    if isinstance(period, str):
        return days.dt.to_period(period).dt.start_time.to_numpy().astype("datetime64[D]")
    first = signup.min()
    block = np.floor((signup - first).astype("float64") / length).astype("int64")
    return first + (np.floor(block * length)).astype("timedelta64[D]")


# --------------------------------------------------------------------------- cohorts


def subscription_cohorts(customers: pd.DataFrame, *, as_of: Any, period: Any = "M",
                         by: str | None = None) -> pd.DataFrame:
    """Customers alive at the start of each period of their sign-up cohort: the table the sBG is fitted to.

    A CX analyst sees at a glance how quickly each cohort thins out, and the same table
    fits the retention model (:func:`fit_sbg`) without any date arithmetic by hand.

    Parameters
    ----------
    customers : DataFrame
        The customers table of the data contract: ``customer_id``, ``signup_date``,
        ``churn_date`` (missing while active; a table without it means nobody has left);
        or a tenure + churned export (``customer_id``, ``tenure_days``, ``churned``).
    as_of : date-like
        The analysis date (not used for a tenure + churned export; pass None).
    period : ``"M"``, ``"W"``, ``"Q"``, ``"Y"`` or a number of days
        The renewal period (see the module's rules).
    by : str, optional
        A column of ``customers`` (e.g. ``"plan"``): cohorts are built per value.

    Returns
    -------
    DataFrame with ``cohort`` (its first day; ``"all"`` for a tenure export), the ``by``
    column when given, ``period`` (0, 1, ...), ``alive`` (customers alive at the start of
    the period) and ``censored`` (of those, how many are still active and followed no
    further). ``attrs``: ``exclusions`` (``table``, ``rule``, ``n_rows``,
    ``n_customers``), ``period``, ``period_days``, ``as_of``.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...     "signup_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-01-25", "2025-02-03"]),
    ...     "churn_date": pd.to_datetime(["2025-02-01", None, "2025-03-10", None])})
    >>> subscription_cohorts(customers, as_of="2025-04-30")
          cohort  period  alive  censored
    0 2025-01-01       0      3         0
    1 2025-01-01       1      2         0
    2 2025-01-01       2      1         0
    3 2025-01-01       3      1         1
    4 2025-02-01       0      1         0
    5 2025-02-01       1      1         0
    6 2025-02-01       2      1         1
    """
    length = _period_days(period)
    sub = _subscribers(customers, as_of, by)
    seen = sub.periods_seen(length)
    keys = [] if not by else [sub.frame[by].to_numpy()]
    if sub.signup is not None:
        keys.append(_cohort_starts(sub.signup, period, length))
    else:
        keys.append(np.full(len(sub.tenure), ALL_CUSTOMERS, dtype=object))
    names = ([by] if by else []) + ["cohort"]
    rows = []
    groups = pd.DataFrame(dict(zip(names, keys, strict=True))).groupby(names, sort=True).indices
    for key, idx in groups.items():
        rows.append(_cohort_rows(sub, idx, seen[idx], length, key if by else (key,), names))
    columns = ["cohort", *([by] if by else []), "period", "alive", "censored"]
    out = pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)
    out.attrs = {"exclusions": sub.records(), "period": period, "period_days": length, "as_of": sub.as_of}
    return out


def _cohort_rows(sub: _Subscribers, idx: np.ndarray, seen: np.ndarray, length: float, key: Any,
                 names: list[str]) -> pd.DataFrame:
    if sub.signup is not None:  # followed to the last period every member has reached
        last = int(np.floor(np.round((sub.as_of.to_datetime64().astype("datetime64[D]") - sub.signup[idx].max())
                                     .astype("float64") / length, 9)))
        reach = np.bincount(np.minimum(seen, last), minlength=last + 1)
        censored = np.zeros(last + 1, dtype="int64")
        alive = reach[::-1].cumsum()[::-1]
        censored[last] = alive[last]
    else:  # a tenure export: each customer right-censored at their own tenure
        reach = np.bincount(seen)
        alive = reach[::-1].cumsum()[::-1]
        censored = np.bincount(seen[~sub.churned[idx]], minlength=reach.size)
    out = pd.DataFrame({"period": np.arange(alive.size), "alive": alive.astype("int64"),
                        "censored": censored.astype("int64")})
    for name, value in zip(names, key, strict=True):
        out[name] = value
    return out


# --------------------------------------------------------------------------- fits


def fit_sbg(cohorts: pd.DataFrame, *, by: str | None = None,
            penalizer_coef: float = 0.0) -> ShiftedBetaGeometricFitter | dict[Any, ShiftedBetaGeometricFitter]:
    """Fit the sBG to a cohorts table, once or per segment (each segment with its own alpha and beta).

    Plans, channels or regions often keep customers very differently; one fit per
    segment keeps a loyal segment from flattering a leaky one.

    Parameters
    ----------
    cohorts : DataFrame
        :func:`subscription_cohorts`' table (``cohort``, ``period``, ``alive``, optional
        ``censored``).
    by : str, optional
        The segment column of ``cohorts``: one fit per value.
    penalizer_coef : float
        Passed to :class:`ShiftedBetaGeometricFitter`.

    Returns
    -------
    ShiftedBetaGeometricFitter, or a dict segment -> fitter with ``by``.

    Raises
    ------
    DataError, FitError
        As :meth:`ShiftedBetaGeometricFitter.fit_cohorts`; with ``by``, the message names the segment.

    Examples
    --------
    >>> cohorts = pd.DataFrame({"cohort": ["2024"] * 8, "period": range(8),
    ...                         "alive": [1000, 869, 743, 653, 593, 551, 517, 491]})
    >>> fit_sbg(cohorts)
    <ShiftedBetaGeometricFitter: alpha: 0.668, beta: 3.806, fitted on 1000 customers>
    """
    if by is None:
        return ShiftedBetaGeometricFitter(penalizer_coef).fit_cohorts(cohorts)
    require_columns(cohorts, [by], "cohorts")
    fits = {}
    for segment, part in cohorts.groupby(by, sort=True):
        try:
            fits[segment] = ShiftedBetaGeometricFitter(penalizer_coef).fit_cohorts(part)
        except DataError as exc:
            raise DataError(f"{by} {segment!r}: {exc}", table=exc.table, column=exc.column, rule=exc.rule,
                            n_rows=exc.n_rows, rows=exc.rows) from exc
        except FitError as exc:
            raise FitError(f"{by} {segment!r}: {exc}") from exc
    return fits


# --------------------------------------------------------------------------- value


def subscription_clv(
    customers: pd.DataFrame,
    fitter: ShiftedBetaGeometricFitter | Mapping[Any, ShiftedBetaGeometricFitter] | None = None,
    *,
    as_of: Any,
    margin: str | float | None = None,
    discount_rate: float = 0.01,
    period: Any = "M",
    by: str | None = None,
) -> pd.DataFrame:
    """What each active subscriber is still worth: DERL (periods still to pay, discounted) x margin per period.

    Tells a CX team which subscribers carry the most future value, so retention effort
    and service levels go where a cancellation would cost most.

    The value is *residual*: the payments after the current period (the one already
    paid is not counted), each weighted by the chance of still being subscribed then
    and discounted at ``discount_rate`` per period (the next renewal undiscounted): see
    :meth:`ShiftedBetaGeometricFitter.derl`.

    Parameters
    ----------
    customers : DataFrame
        As :func:`subscription_cohorts` takes it (dates, or tenure + churned).
    fitter : fitted :class:`ShiftedBetaGeometricFitter`, a dict segment -> fitter (with
        ``by``), or None: fitted here on ``customers``' own cohorts (per segment with ``by``).
    as_of : date-like
        The analysis date: customers active on it are valued (None for a tenure export).
    margin : str, float or None
        A column of ``customers`` with each customer's margin (or fee) per period, a
        number (the same for everyone), or None (``derl`` only, no money columns).
        Negative values raise :class:`DataError`; active customers without a value are
        left out and reported.
    discount_rate : float
        Per period (> 0); 0.01 a month is about 12.7 % a year.
    period : ``"M"``, ``"W"``, ``"Q"``, ``"Y"`` or days
        The renewal period (and the period ``margin`` and ``discount_rate`` are per).
    by : str, optional
        Segment column of ``customers``: each segment valued with its own fit.

    Returns
    -------
    DataFrame, one row per active customer: ``customer_id``, the ``by`` column,
    ``periods_renewed``, ``derl`` and, with ``margin``, ``margin`` and ``clv`` (= derl x
    margin). ``attrs``: ``exclusions`` (customers left out), ``fit_exclusions`` (cohorts
    too young to fit on, when fitted here; their customers are still valued), ``params``
    (alpha and beta, per segment with ``by``), ``discount_rate``, ``period``, ``as_of``.

    Examples
    --------
    >>> high_end = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
    >>> customers = pd.DataFrame({"customer_id": ["a", "b"], "tenure_days": [365.25, 7 * 365.25],
    ...                           "churned": [False, False], "fee": [120.0, 90.0]})
    >>> subscription_clv(customers, high_end, as_of=None, margin="fee", discount_rate=0.10, period="Y").round(2)
      customer_id  periods_renewed  derl  margin     clv
    0           a                1  5.90   120.0  708.21
    1           b                7  7.53    90.0  677.70
    """
    if not np.isfinite(discount_rate) or discount_rate <= 0:
        raise argument_error("discount_rate", f"discount_rate must be a rate per period above 0, got {discount_rate!r}")
    length = _period_days(period)
    fits, fit_exclusions = _fitters(customers, fitter, as_of=as_of, period=period, by=by)
    sub = _subscribers(customers, as_of, by)
    fees = _margins(customers, margin)
    sub.keep(~sub.churned, None)  # customers who left are worth nothing more: not valued, not reported
    if isinstance(fees, np.ndarray):
        fees = fees[_positions(customers, sub)]
        has = np.isfinite(fees)
        sub.keep(has, f"no value in {margin} (margin per period): not valued")
        fees = fees[has]
    renewed = sub.periods_seen(length)
    derl = np.full(renewed.size, np.nan)
    segments = sub.frame[by].to_numpy() if by else np.zeros(renewed.size)
    for segment in pd.unique(segments):
        model = fits[segment] if by else fits
        if model is None:
            raise data_error(_TABLE, by, f"no fitted model for {by} {segment!r}",
                             sub.frame[segments == segment].head())
        at = segments == segment
        derl[at] = model.derl(renewed[at], discount=discount_rate)
    out = pd.DataFrame({"customer_id": sub.frame["customer_id"].to_numpy()})
    if by:
        out[by] = sub.frame[by].to_numpy()
    out["periods_renewed"] = renewed
    out["derl"] = derl
    if margin is not None:
        out["margin"] = fees
        out["clv"] = derl * fees
    params = ({k: f.params_.to_dict() for k, f in fits.items()} if by else fits.params_.to_dict())
    out.attrs = {"exclusions": sub.records(), "fit_exclusions": [e.record("result") for e in fit_exclusions],
                 "params": params, "discount_rate": float(discount_rate), "period": period, "as_of": sub.as_of}
    return out


def _positions(customers: pd.DataFrame, sub: _Subscribers) -> np.ndarray:
    """Row positions in ``customers`` of the customers kept in ``sub`` (ids are unique)."""
    return pd.Index(customers["customer_id"]).get_indexer(sub.frame["customer_id"])


def _margins(customers: pd.DataFrame, margin: str | float | None) -> np.ndarray | float | None:
    """The margin per period: one value per row of ``customers`` (NaN: missing), a number, or None."""
    if margin is None:
        return None
    if isinstance(margin, str):
        require_columns(customers, [margin], _TABLE, hint="margin names the column of fees or margins per period")
        raw = customers[margin]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        odd = raw.notna().to_numpy() & ~np.isfinite(values)
        if odd.any():
            raise data_error(_TABLE, margin, "margin per period must be a number", customers[odd])
        negative = values < 0
        if negative.any():
            raise data_error(_TABLE, margin, "margin per period must be >= 0 (a negative fee is not a price)",
                             customers[negative], hint="fix the fees at source, or pass margin=<number>")
        return values
    if isinstance(margin, bool) or not isinstance(margin, (int, float, np.number)) or not (
            np.isfinite(margin) and margin >= 0):
        raise argument_error("margin", f"margin must be a column name, a number >= 0 or None, got {margin!r}")
    return float(margin)


def _fitters(customers: pd.DataFrame, fitter: Any, *, as_of: Any, period: Any,
             by: str | None) -> tuple[Any, list[Exclusion]]:
    """The fitted model(s) to value with, fitting them on ``customers`` when ``fitter`` is None."""
    if fitter is None:
        cohorts = subscription_cohorts(customers, as_of=as_of, period=period, by=by)
        fits = fit_sbg(cohorts, by=by)
        if isinstance(fits, dict):
            return _SegmentFits(fits), [e for f in fits.values() for e in f.exclusions_]
        return fits, list(fits.exclusions_)
    if by:
        if not isinstance(fitter, Mapping):
            raise argument_error("fitter", "with by=, fitter must be a dict segment -> fitted model (or None to "
                                 "fit each segment here)")
        fits = {k: _fitted(v) for k, v in fitter.items()}
        return _SegmentFits(fits), []
    if isinstance(fitter, Mapping):
        raise argument_error("fitter", "a dict of fitted models needs by= (the segment column)")
    return _fitted(fitter), []


class _SegmentFits(dict):
    """Fitted models by segment; a segment without one gives None (reported by the caller)."""

    def __missing__(self, key: Any) -> None:
        return None


def _fitted(model: Any) -> ShiftedBetaGeometricFitter:
    if not isinstance(model, ShiftedBetaGeometricFitter) or not hasattr(model, "params_"):
        raise argument_error("fitter", f"expected a fitted ShiftedBetaGeometricFitter, got {type(model).__name__}")
    return model
