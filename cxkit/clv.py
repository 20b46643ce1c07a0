"""Customer lifetime value: RFM summaries, BG/NBD, Gamma-Gamma, RFM scores and value segments.

BG/NBD and Gamma-Gamma are written here by hand with scipy because the ``lifetimes``
package is unmaintained (its dataset loaders and two plots fail on current
numpy/matplotlib/setuptools) and PyMC-Marketing adds ~800 MB of dependencies and a
long first compile.

Conventions used throughout
---------------------------
* A *purchase day* is a (customer, calendar day) whose net spend is > 0 (optionally also
  a day of zero-amount orders only): several rows on the same day are merged into one
  purchase, refunds (negative amounts) are netted into that day's spend and never count as
  purchases on their own. See :func:`rfm_summary`.
* ``frequency`` is the number of *repeat* purchase days (purchase days minus one),
  ``recency`` (t_x) is the time from the first to the last purchase day, ``T`` the time
  from the first purchase day to the end of the observation period (``as_of``) and
  ``monetary_value`` the mean spend over the repeat purchase days (the first purchase is
  left out; 0 when ``frequency`` is 0). This is the Fader-Hardie / ``lifetimes``
  convention; on the CDNOW sample it reproduces the published BG/NBD and Gamma-Gamma
  estimates exactly (see ``tests/test_clv.py``).
* Time units: ``"D"`` = 1 day, ``"W"`` = 7 days, ``"M"`` = 30.4375 days (365.25 / 12, the
  mean Gregorian month). CLV horizons are in months of 30.4375 days, so a month is
  4.348 weeks (``lifetimes`` uses 4.345 weeks and 30 days; the difference is < 0.1 %).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, roots_jacobi

from cxkit.errors import DataError, FitError, data_error, require_columns

__all__ = [
    "UNIT_DAYS",
    "MONTH_DAYS",
    "SEGMENT_ACTIONS",
    "RFM_GRID",
    "rfm_summary",
    "exclusions_table",
    "calibration_holdout_split",
    "BetaGeoFitter",
    "GammaGammaFitter",
    "identification_notes",
    "known_cancellations",
    "clv_table",
    "total_clv_interval",
    "rfm_scores",
    "rfm_segments",
    "segment_actions",
    "segment_profile",
    "KMeansSegments",
    "kmeans_segments",
    "value_concentration",
    "lorenz_curve",
]

#: Length of each allowed time unit in days.
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}
#: Days in one CLV month (365.25 / 12).
MONTH_DAYS: float = 30.4375

TimeUnit = Literal["D", "W", "M"]
ArrayLike = Any


# --------------------------------------------------------------------------------------
# Input validation helpers
# --------------------------------------------------------------------------------------
def _check_time_unit(time_unit: str, name: str = "time_unit") -> float:
    if not isinstance(time_unit, str) or time_unit not in UNIT_DAYS:
        raise data_error(
            "arguments",
            name,
            f"{name} must be one of {sorted(UNIT_DAYS)}, got {time_unit!r}",
            hint="'D' = days, 'W' = weeks (7 days), 'M' = months (30.4375 days).",
        )
    return UNIT_DAYS[time_unit]


def _check_choice(value: str, allowed: Sequence[str], name: str) -> None:
    if value not in allowed:
        raise data_error("arguments", name, f"{name} must be one of {list(allowed)}, got {value!r}")


def _to_day(value: Any, name: str) -> int:
    """A date-like scalar as an integer day number (days since 1970-01-01)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise data_error("arguments", name, f"{name} is not a date: {value!r}") from exc
    if ts is pd.NaT:
        raise data_error("arguments", name, f"{name} must not be missing")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return int(np.datetime64(ts.normalize(), "D").astype(np.int64))


def _day_to_timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


@dataclass
class _Tx:
    """Validated transactions as flat arrays."""

    codes: np.ndarray  # int64 customer code per row
    uniques: pd.Index  # customer id per code
    days: np.ndarray  # int64 day number per row
    amounts: np.ndarray  # float64 per row
    frame: pd.DataFrame  # the original table (for offending-row reports)


def _validate_transactions(
    transactions: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str,
    table: str = "transactions",
) -> _Tx:
    if not isinstance(transactions, pd.DataFrame):
        raise data_error(
            table, None, f"expected a pandas DataFrame, got {type(transactions).__name__}"
        )
    cols = [customer_col, date_col, amount_col]
    missing = [c for c in cols if c not in transactions.columns]
    if missing:
        raise data_error(
            table,
            missing,
            "required column missing",
            hint=(
                f"available columns: {list(transactions.columns)}; name yours with "
                "customer_col=, date_col=, amount_col="
            ),
        )
    if len(transactions) == 0:
        raise data_error(table, None, "table has no rows")

    cust = transactions[customer_col]
    bad = cust.isna().to_numpy()
    if bad.any():
        raise data_error(table, customer_col, "customer id must not be missing", transactions[bad])

    dates = transactions[date_col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        if pd.api.types.is_numeric_dtype(dates) or pd.api.types.is_bool_dtype(dates):
            raise data_error(
                table,
                date_col,
                "dates are numbers, not datetimes",
                transactions.head(5),
                hint=(
                    "parse them first, e.g. pd.to_datetime(df[col].astype(str), format='%Y%m%d') "
                    "for YYYYMMDD integers"
                ),
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(dates, errors="coerce")
            bad = (parsed.isna() & dates.notna()).to_numpy()
            if bad.any():  # the format was inferred from the first value: retry the rest one by one
                parsed = parsed.copy()
                parsed[bad] = pd.to_datetime(dates[bad], format="mixed", errors="coerce")
        bad = (parsed.isna() & dates.notna()).to_numpy()
        if bad.any():
            raise data_error(
                table,
                date_col,
                "date could not be parsed",
                transactions[bad],
                hint="parse the column with pd.to_datetime(..., format=...) before calling",
            )
        dates = parsed
    bad = dates.isna().to_numpy()
    if bad.any():
        raise data_error(table, date_col, "date must not be missing", transactions[bad])
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    days = dates.to_numpy().astype("datetime64[D]").astype(np.int64)

    amounts = transactions[amount_col]
    if pd.api.types.is_bool_dtype(amounts) or not pd.api.types.is_numeric_dtype(amounts):
        coerced = (
            pd.to_numeric(amounts, errors="coerce")
            if not pd.api.types.is_bool_dtype(amounts)
            else None
        )
        if coerced is None:
            raise data_error(
                table, amount_col, "amount must be numeric, got booleans", transactions.head(5)
            )
        bad = (coerced.isna() & amounts.notna()).to_numpy()
        if bad.any():
            raise data_error(
                table,
                amount_col,
                "amount is not numeric",
                transactions[bad],
                hint="strip currency symbols / thousands separators and convert with pd.to_numeric",
            )
        amounts = coerced
    values = amounts.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise data_error(
            table,
            amount_col,
            "amount must be a finite number (no missing or infinite values)",
            transactions[bad],
        )

    codes, uniques = pd.factorize(cust, sort=False)
    return _Tx(
        codes.astype(np.int64), pd.Index(uniques, name=customer_col), days, values, transactions
    )


def _day_level(codes: np.ndarray, days: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Merge rows into (customer, day) cells: code, day, net spend, rows, refund rows (sorted)."""
    dmin = int(days.min())
    span = int(days.max()) - dmin + 1
    ncode = int(codes.max()) + 1
    if ncode * span < 2**62:
        key = codes * span + (days - dmin)
        order = np.argsort(key, kind="stable")
        ks = key[order]
        starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        cell = ks[starts]
        cell_code, cell_day = np.divmod(cell, span)
        cell_day = cell_day + dmin
    else:  # pragma: no cover - needs > 2**62 distinct cells
        order = np.lexsort((days, codes))
        c, d = codes[order], days[order]
        starts = np.flatnonzero(np.r_[True, (c[1:] != c[:-1]) | (d[1:] != d[:-1])])
        cell_code, cell_day = c[starts], d[starts]
    a = amounts[order]
    net = np.add.reduceat(a, starts)
    n_neg = np.add.reduceat((a < 0).astype(np.int64), starts)
    n_rows = np.diff(np.r_[starts, len(order)])
    return cell_code, cell_day, net, n_rows, n_neg


class _Exclusions:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def add(self, rule: str, n_rows: int, n_customers: int) -> None:
        if n_rows or n_customers:
            self.records.append(
                {"rule": rule, "n_rows": int(n_rows), "n_customers": int(n_customers)}
            )


def _n_customers(codes: np.ndarray) -> int:
    return int(np.count_nonzero(np.bincount(codes))) if codes.size else 0


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    return a[np.r_[True, a[1:] != a[:-1]]] if a.size else a


def _summarise_cells(
    cell_code: np.ndarray,
    cell_day: np.ndarray,
    net: np.ndarray,
    cell_rows: np.ndarray,
    cell_neg: np.ndarray,
    as_of_day: int,
    unit_days: float,
    excl: _Exclusions,
    zero_spend_days: str = "exclude",
) -> dict[str, np.ndarray]:
    purchase = _is_purchase(net, cell_neg, zero_spend_days)
    kept_customers = _sorted_unique(cell_code[purchase])  # cells are sorted by customer
    all_customers = _sorted_unique(cell_code)
    lost_cell = np.zeros(cell_code.size, dtype=bool)
    if kept_customers.size < all_customers.size:
        lost = np.setdiff1d(all_customers, kept_customers, assume_unique=True)
        lost_cell = np.isin(cell_code, lost)
    other = ~purchase & ~lost_cell
    if other.any():
        excl.add(
            "rows on days that are not purchase days (net spend < 0, fully refunded"
            + (", or zero" if zero_spend_days == "exclude" else "")
            + "): not counted in any column",
            cell_rows[other].sum(),
            _n_customers(cell_code[other]),
        )
    if lost_cell.any():
        excl.add(
            "customers without any purchase day (all their rows left out of the summary)",
            cell_rows[lost_cell].sum(),
            _n_customers(cell_code[lost_cell]),
        )
    pc, pd_, pn = cell_code[purchase], cell_day[purchase], net[purchase]
    if pc.size == 0:
        return {}
    cstarts = np.flatnonzero(np.r_[True, pc[1:] != pc[:-1]])
    cends = np.r_[cstarts[1:], pc.size] - 1
    n_days = cends - cstarts + 1
    first, last = pd_[cstarts], pd_[cends]
    total = np.add.reduceat(pn, cstarts)
    freq = n_days - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mv = np.where(freq > 0, (total - pn[cstarts]) / np.maximum(freq, 1), 0.0)
    return {
        "code": pc[cstarts],
        "frequency": freq.astype(np.int64),
        "recency": (last - first) / unit_days,
        "T": (as_of_day - first) / unit_days,
        "monetary_value": mv,
        "first_day": first,
        "last_day": last,
        "n_purchase_days": n_days.astype(np.int64),
        "total_spend": total,
    }


def _is_purchase(net: np.ndarray, n_neg: np.ndarray, zero_spend_days: str) -> np.ndarray:
    purchase = net > 0
    if zero_spend_days == "purchase":
        purchase |= (net == 0) & (n_neg == 0)
    return purchase


def _days_to_datetime(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def _apply_refund_rule(
    tx_mask: np.ndarray,
    amounts: np.ndarray,
    refunds: str,
    tx: _Tx,
    amount_col: str,
    excl: _Exclusions,
    table: str,
) -> np.ndarray:
    neg = (amounts < 0) & tx_mask
    if refunds == "raise" and neg.any():
        raise data_error(
            table,
            amount_col,
            "negative amount (refund) found while refunds='raise'",
            tx.frame[neg],
            hint="use refunds='net' to net refunds into the same day's spend, or refunds='drop'",
        )
    if refunds == "drop" and neg.any():
        excl.add("refund rows dropped (refunds='drop')", neg.sum(), _n_customers(tx.codes[neg]))
        return tx_mask & ~neg
    return tx_mask


def rfm_summary(
    transactions: pd.DataFrame,
    as_of: Any = None,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    time_unit: TimeUnit = "W",
    observation_start: Any = None,
    refunds: Literal["net", "drop", "raise"] = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
    after_as_of: Literal["raise", "exclude"] = "raise",
) -> pd.DataFrame:
    """Summarise transactions into one frequency / recency / T / monetary row per customer.

    This is the input of every buy-till-you-die model (BG/NBD, Gamma-Gamma) and of RFM
    scoring, so the purchase-day, refund and cut-off rules below decide what "a repeat
    customer" means in every later CLV figure.

    The rules:

    * Dates are truncated to calendar days; all rows of a customer on one day form one
      purchase day whose spend is the net sum of the day's amounts.
    * Refunds (negative amounts), ``refunds="net"`` (default): netted into the same day's
      spend; they never count as purchase days. A day whose net spend is <= 0 (refund-only,
      zero-amount or fully refunded day) is not a purchase day and its rows are left out of
      every column, including ``total_spend``. ``refunds="drop"`` drops negative rows
      first; ``refunds="raise"`` raises :class:`DataError` if there are any.
    * Zero amounts: with ``zero_spend_days="exclude"`` (default) a day whose net spend is
      exactly 0 is not a purchase day (rule above). With ``zero_spend_days="purchase"`` a
      day with only zero-amount rows (a free order) is a purchase day with spend 0; a day
      netted to 0 by a refund still is not. The published CDNOW summary (2,357 customers)
      needs ``"purchase"``: 8 of its customers have a single $0 order.
    * Customers with no purchase day at all are left out.
    * Transactions dated after ``as_of`` raise :class:`DataError` (``after_as_of="raise"``,
      default) or are left out with ``after_as_of="exclude"``. Rows before
      ``observation_start`` are left out (customers then look new from their first
      purchase inside the window).
    * Nothing is dropped silently: every rule that removed rows is listed in
      ``summary.attrs["exclusions"]`` (list of ``{"rule", "n_rows", "n_customers"}``), shown as a
      table by :func:`exclusions_table`. Each row is counted under one rule only, so
      ``n_rows`` adds up to the rows left out.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction with a customer id, a datetime and an amount.
    as_of : date-like, optional
        End of the observation period (inclusive). ``T`` runs up to this day. Defaults to
        the last transaction date.
    customer_col, date_col, amount_col : str
        Column names in ``transactions``.
    time_unit : {"D", "W", "M"}
        Unit of ``recency`` and ``T``: days, weeks (7 days) or months (30.4375 days).
    observation_start : date-like, optional
        Ignore rows dated before this day.
    refunds : {"net", "drop", "raise"}
        Refund rule, see above.
    zero_spend_days : {"exclude", "purchase"}
        Whether days with only zero-amount rows are purchase days, see above.
    after_as_of : {"raise", "exclude"}
        What to do with rows dated after ``as_of``.

    Returns
    -------
    DataFrame
        Indexed by customer id (in order of first appearance in ``transactions``) with
        columns ``frequency`` (repeat purchase days), ``recency``, ``T``,
        ``monetary_value`` (mean spend per repeat purchase day, 0 when frequency is 0),
        ``first_purchase``, ``last_purchase``, ``n_purchase_days`` and ``total_spend``
        (net spend over all purchase days, first included). ``attrs`` holds
        ``time_unit``, ``as_of`` and ``exclusions``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b"],
    ...                    "date": ["2024-01-01", "2024-01-15", "2024-02-05",
    ...                             "2024-01-10", "2024-01-24"],
    ...                    "amount": [20.0, 35.0, 15.0, 50.0, -10.0]})
    >>> summary = rfm_summary(tx, as_of="2024-02-29", time_unit="W")
    >>> cols = ["frequency", "recency", "T", "monetary_value", "total_spend"]
    >>> summary[cols].round(2).reset_index()
      customer_id  frequency  recency     T  monetary_value  total_spend
    0           a          2      5.0  8.43            25.0         70.0
    1           b          0      0.0  7.14             0.0         50.0
    """
    unit_days = _check_time_unit(time_unit)
    _check_choice(refunds, ("net", "drop", "raise"), "refunds")
    _check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    _check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    table = "transactions"
    tx = _validate_transactions(transactions, customer_col, date_col, amount_col, table)
    excl = _Exclusions()
    as_of_day = int(tx.days.max()) if as_of is None else _to_day(as_of, "as_of")

    keep = np.ones(tx.days.size, dtype=bool)
    after = tx.days > as_of_day
    if after.any():
        if after_as_of == "raise":
            raise data_error(
                table,
                date_col,
                f"transactions dated after as_of ({_day_to_timestamp(as_of_day):%Y-%m-%d})",
                transactions[after],
                hint=(
                    "filter the table to the observation period first, or pass "
                    "after_as_of='exclude' to leave them out (they are then counted in "
                    "summary.attrs['exclusions'])"
                ),
            )
        excl.add("rows dated after as_of", after.sum(), _n_customers(tx.codes[after]))
        keep &= ~after
    if observation_start is not None:
        start_day = _to_day(observation_start, "observation_start")
        if start_day > as_of_day:
            raise data_error("arguments", "observation_start", "observation_start is after as_of")
        before = tx.days < start_day
        if before.any():
            excl.add(
                "rows dated before observation_start", before.sum(), _n_customers(tx.codes[before])
            )
            keep &= ~before
    keep = _apply_refund_rule(keep, tx.amounts, refunds, tx, amount_col, excl, table)
    if not keep.any():
        raise data_error(
            table, date_col, "no transactions left inside the observation period", None
        )

    cells = _day_level(tx.codes[keep], tx.days[keep], tx.amounts[keep])
    res = _summarise_cells(*cells, as_of_day, unit_days, excl, zero_spend_days)
    if not res:
        raise data_error(
            table,
            amount_col,
            "no customer has a purchase day (net daily spend > 0)",
            None,
            hint=f"rows left out: {excl.records}",
        )
    return _summary_frame(res, tx.uniques, time_unit, as_of_day, excl)


def _summary_frame(
    res: dict[str, np.ndarray], uniques: pd.Index, time_unit: str, as_of_day: int, excl: _Exclusions
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "frequency": res["frequency"],
            "recency": res["recency"],
            "T": res["T"],
            "monetary_value": res["monetary_value"],
            "first_purchase": _days_to_datetime(res["first_day"]),
            "last_purchase": _days_to_datetime(res["last_day"]),
            "n_purchase_days": res["n_purchase_days"],
            "total_spend": res["total_spend"],
        },
        index=uniques.take(res["code"]),
    )
    out.attrs = {
        "time_unit": time_unit,
        "as_of": _day_to_timestamp(as_of_day),
        "exclusions": excl.records,
    }
    return out


def exclusions_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Tidy table of the rows and customers a summary left out, one row per rule.

    An analyst must be able to say how many refunds, zero-value days or late rows were
    removed before quoting a repeat-purchase rate or a CLV.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`rfm_summary` or :func:`calibration_holdout_split`.

    Returns
    -------
    DataFrame
        Columns ``rule``, ``n_rows``, ``n_customers`` (empty when nothing was left out).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2],
    ...                    "date": ["2024-01-01", "2024-03-01", "2024-01-03"],
    ...                    "amount": [20.0, 30.0, 15.0]})
    >>> exclusions_table(rfm_summary(tx, as_of="2024-01-31", after_as_of="exclude"))
                         rule  n_rows  n_customers
    0  rows dated after as_of       1            1
    """
    records = summary.attrs.get("exclusions", [])
    return pd.DataFrame(list(records), columns=["rule", "n_rows", "n_customers"])


def calibration_holdout_split(
    transactions: pd.DataFrame,
    calibration_end: Any,
    observation_end: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    time_unit: TimeUnit = "W",
    calibration_start: Any = None,
    refunds: Literal["net", "drop", "raise"] = "net",
    zero_spend_days: Literal["exclude", "purchase"] = "exclude",
) -> pd.DataFrame:
    """Split transactions into a calibration summary and the holdout behaviour that followed.

    Fitting on the calibration period and comparing predictions with the holdout is the
    only honest check that a CLV model forecasts well enough to steer budgets.

    The purchase-day and refund rules are those of :func:`rfm_summary`. Only customers
    whose first purchase falls in the calibration period are kept; rows after
    ``observation_end`` are left out and reported in ``attrs["exclusions"]``.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction.
    calibration_end : date-like
        Last day (inclusive) of the calibration period; ``T_cal`` runs to this day.
    observation_end : date-like
        Last day (inclusive) of the holdout period.
    customer_col, date_col, amount_col : str
        Column names.
    time_unit : {"D", "W", "M"}
        Unit of recency, T and duration.
    calibration_start : date-like, optional
        Ignore rows before this day.
    refunds : {"net", "drop", "raise"}
        Refund rule (see :func:`rfm_summary`).
    zero_spend_days : {"exclude", "purchase"}
        Zero-amount rule (see :func:`rfm_summary`).

    Returns
    -------
    DataFrame
        Indexed by customer id with ``frequency_cal``, ``recency_cal``, ``T_cal``,
        ``monetary_value_cal``, ``frequency_holdout`` (purchase days in the holdout),
        ``monetary_value_holdout`` (mean spend per holdout purchase day, 0 if none),
        ``duration_holdout`` (holdout length in ``time_unit``) and ``spend_holdout``
        (net spend over the holdout purchase days, the revenue a forecast is checked
        against; rows on non-purchase days, such as a refund of a calibration purchase,
        are left out as in :func:`rfm_summary`).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...                    "date": ["2024-01-01", "2024-01-15", "2024-02-05", "2024-01-10"],
    ...                    "amount": [20.0, 35.0, 15.0, 50.0]})
    >>> split = calibration_holdout_split(tx, "2024-01-31", "2024-02-29")
    >>> cols = ["frequency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    >>> split[cols].round(2).reset_index()
      customer_id  frequency_cal  T_cal  frequency_holdout  duration_holdout
    0           a              1   4.29                  1              4.14
    1           b              0   3.00                  0              4.14
    >>> split["spend_holdout"].to_dict()
    {'a': 15.0, 'b': 0.0}
    """
    unit_days = _check_time_unit(time_unit)
    _check_choice(refunds, ("net", "drop", "raise"), "refunds")
    _check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    table = "transactions"
    cal_day = _to_day(calibration_end, "calibration_end")
    obs_day = _to_day(observation_end, "observation_end")
    if obs_day <= cal_day:
        raise data_error(
            "arguments", "observation_end", "observation_end must be after calibration_end"
        )
    tx = _validate_transactions(transactions, customer_col, date_col, amount_col, table)
    excl = _Exclusions()
    keep = np.ones(tx.days.size, dtype=bool)
    after = tx.days > obs_day
    if after.any():
        excl.add("rows dated after observation_end", after.sum(), _n_customers(tx.codes[after]))
        keep &= ~after
    if calibration_start is not None:
        start_day = _to_day(calibration_start, "calibration_start")
        before = tx.days < start_day
        if before.any():
            excl.add(
                "rows dated before calibration_start", before.sum(), _n_customers(tx.codes[before])
            )
            keep &= ~before
    keep = _apply_refund_rule(keep, tx.amounts, refunds, tx, amount_col, excl, table)
    cal = keep & (tx.days <= cal_day)
    if not cal.any():
        raise data_error(table, date_col, "no transactions in the calibration period", None)
    res = _summarise_cells(
        *_day_level(tx.codes[cal], tx.days[cal], tx.amounts[cal]),
        cal_day,
        unit_days,
        excl,
        zero_spend_days,
    )
    if not res:
        raise data_error(
            table, amount_col, "no customer has a purchase day in the calibration period", None
        )
    out = _summary_frame(res, tx.uniques, time_unit, cal_day, excl)
    out = out[["frequency", "recency", "T", "monetary_value"]].add_suffix("_cal")

    hold = keep & (tx.days > cal_day)
    freq_h = np.zeros(len(out), dtype=np.int64)
    mv_h = np.zeros(len(out))
    spend = np.zeros(len(out))
    if hold.any():
        hc, _, hnet, hrows, hneg = _day_level(tx.codes[hold], tx.days[hold], tx.amounts[hold])
        ok = _is_purchase(hnet, hneg, zero_spend_days)
        known = np.isin(hc, res["code"])
        new_rows = hrows[~known].sum()
        if new_rows:
            excl.add(
                "holdout rows of customers first seen after calibration_end",
                new_rows,
                _n_customers(hc[~known]),
            )
        skip = known & ~ok
        if skip.any():
            excl.add(
                "holdout rows on days that are not purchase days",
                hrows[skip].sum(),
                _n_customers(hc[skip]),
            )
        sel = known & ok
        pos = pd.Index(res["code"]).get_indexer(hc[sel])
        freq_h = np.bincount(pos, minlength=len(out)).astype(np.int64)
        spend = np.bincount(pos, weights=hnet[sel], minlength=len(out))
        mv_h = np.divide(spend, freq_h, out=np.zeros(len(out)), where=freq_h > 0)
    out["frequency_holdout"] = freq_h
    out["monetary_value_holdout"] = mv_h
    out["duration_holdout"] = (obs_day - cal_day) / unit_days
    out["spend_holdout"] = spend
    out.attrs = {
        "time_unit": time_unit,
        "as_of": _day_to_timestamp(cal_day),
        "observation_end": _day_to_timestamp(obs_day),
        "exclusions": excl.records,
    }
    return out


# --------------------------------------------------------------------------------------
# Shared optimiser
# --------------------------------------------------------------------------------------
def _as_float_array(values: ArrayLike, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise data_error("summary", name, f"{name} must be numeric") from exc
    return np.atleast_1d(arr.astype(np.float64)).ravel()


def _rows_frame(mask: np.ndarray, **cols: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(cols)[mask]


def _num_hessian(grad: Callable[[np.ndarray], np.ndarray], phi: np.ndarray) -> np.ndarray:
    k = phi.size
    h = 1e-5 * np.maximum(1.0, np.abs(phi))
    H = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h[i]
        H[:, i] = (grad(phi + e) - grad(phi - e)) / (2 * h[i])
    return (H + H.T) / 2


@dataclass
class _OptResult:
    phi: np.ndarray
    fun: float
    grad: np.ndarray
    hess: np.ndarray
    n_eval: int
    converged: bool
    reason: str


def _minimise(
    fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], phi0: np.ndarray, gtol: float = 1e-6
) -> _OptResult:
    """Minimise a smooth objective over log-parameters: L-BFGS-B, then Newton polish."""
    n_eval = 0

    def fg(phi: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal n_eval
        n_eval += 1
        with np.errstate(all="ignore"):
            f, g = fun_grad(phi)
        if not np.isfinite(f) or not np.all(np.isfinite(g)):
            return 1e300, np.zeros_like(phi)
        return f, g

    def grad(phi: np.ndarray) -> np.ndarray:
        return fg(phi)[1]

    res = optimize.minimize(
        fg,
        phi0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 5000, "ftol": 1e-13, "gtol": 1e-9, "maxcor": 20},
    )
    phi = res.x
    f, g = fg(phi)
    if f >= 1e300:
        nm = optimize.minimize(
            lambda p: fg(p)[0],
            phi0,
            method="Nelder-Mead",
            options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-14},
        )
        phi = nm.x
        f, g = fg(phi)
    # Newton polish with a finite-difference Hessian of the analytic gradient; the last
    # Hessian is kept for the standard errors.
    H = _num_hessian(grad, phi)
    for _ in range(6):
        if np.max(np.abs(g)) < 1e-10:
            break
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or -g @ step >= 0:
            break
        t = 1.0
        while t > 1e-6:
            f_new, g_new = fg(phi + t * step)
            if f_new <= f:
                break
            t /= 2
        else:
            break
        phi, f, g = phi + t * step, f_new, g_new
        H = _num_hessian(grad, phi)
    reason = ""
    if not np.isfinite(f) or f >= 1e300:
        reason = "the log-likelihood is not finite at any tried parameter value"
    elif np.max(np.abs(g)) > gtol:
        reason = f"the largest gradient is {np.max(np.abs(g)):.2g} (tolerance {gtol:g})"
    elif np.any(np.abs(phi) > 25):
        reason = "a parameter drifted to 0 or infinity"
    else:
        try:
            ev = np.linalg.eigvalsh(H)
        except np.linalg.LinAlgError:
            ev = np.array([np.nan])
        if not np.all(ev > 0):
            reason = "the Hessian is not positive definite (the optimum is flat or a saddle)"
    return _OptResult(phi, f, g, H, n_eval, reason == "", reason)


def _wrap(values: np.ndarray, like: Any, name: str) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=name)
    if np.ndim(like) == 0 and values.size == 1:
        return float(values.reshape(-1)[0])
    return values


class _Fitter:
    _param_names: tuple[str, ...] = ()
    params_: pd.Series

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        if not np.isfinite(penalizer_coef) or penalizer_coef < 0:
            raise data_error("arguments", "penalizer_coef", "penalizer_coef must be >= 0")
        self.penalizer_coef = float(penalizer_coef)

    def _optimise(
        self,
        fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
        theta0: np.ndarray,
        initial_params: ArrayLike | None,
        *,
        model: str,
        drift: dict[str, tuple[str, str]],
        advice: str,
    ) -> _OptResult:
        """Minimise on log-parameters from ``theta0`` (or ``initial_params``); FitError if it fails."""
        names = self._param_names
        if initial_params is not None:
            theta0 = np.asarray(initial_params, dtype=float)
            if theta0.shape != (len(names),) or not np.all(theta0 > 0):
                raise data_error(
                    "arguments",
                    "initial_params",
                    f"initial_params must be {len(names)} positive numbers ({', '.join(names)})",
                )
        opt = _minimise(fun_grad, np.log(theta0))
        if not opt.converged:
            raise FitError(
                f"{model} fit did not converge: {opt.reason} (last {', '.join(names)} = "
                f"{np.array2string(np.exp(opt.phi), precision=4)})."
                f"{_drift_note(opt.phi, names, drift)} {advice}"
            )
        return opt

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise FitError(
                f"{type(self).__name__} is not fitted yet: call fit(...) or from_params(...) first"
            )

    @classmethod
    def from_params(cls, **params: float) -> Any:
        """Build a fitter with given parameter values instead of fitting.

        Lets an analyst run what-if scenarios or reuse published or earlier estimates.

        Parameters
        ----------
        **params : float
            One value per model parameter.

        Returns
        -------
        fitter
            An instance whose ``params_`` are set; fit statistics are absent.

        Examples
        --------
        >>> BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        <BetaGeoFitter: r: 0.243, alpha: 4.414, a: 0.793, b: 2.426>
        """
        missing = [p for p in cls._param_names if p not in params]
        extra = [p for p in params if p not in cls._param_names]
        if missing or extra:
            raise data_error(
                "arguments",
                None,
                f"{cls.__name__}.from_params needs exactly {list(cls._param_names)}",
            )
        obj = cls()
        obj.params_ = pd.Series({p: float(params[p]) for p in cls._param_names}, name="coef")
        return obj

    def _set_fit(self, opt: _OptResult, n_total: float, loglik: float) -> None:
        theta = np.exp(opt.phi)
        self.params_ = pd.Series(theta, index=list(self._param_names), name="coef")
        self.log_likelihood_ = float(loglik)
        self.n_customers_ = int(round(n_total))
        self.converged_ = opt.converged
        self.n_evaluations_ = opt.n_eval
        # Observed information of the total objective in log-parameters, then delta method.
        try:
            cov_phi = np.linalg.inv(opt.hess * n_total)
        except np.linalg.LinAlgError:
            cov_phi = np.full((theta.size, theta.size), np.nan)
        log_names = [f"log({p})" for p in self._param_names]
        self.covariance_ = pd.DataFrame(cov_phi, index=log_names, columns=log_names)
        cov = cov_phi * np.outer(theta, theta)
        self.variance_matrix_ = pd.DataFrame(
            cov, index=self.params_.index, columns=self.params_.index
        )
        self.standard_errors_ = pd.Series(
            np.sqrt(np.clip(np.diag(cov), 0, None)), index=self.params_.index, name="se(coef)"
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors, 95 % intervals and whether the data pin each one down.

        A reader quotes a parameter only when its interval is narrow enough to mean
        something; ``identified`` flags the ones that are not.

        Every parameter is positive, so the interval is computed on the log scale,
        exp(log(coef) ± 1.959964 · se / coef): it never goes below 0 and stretches further
        above the estimate than below (a symmetric interval coef ± 1.96 se can go negative
        when the standard error is large). Standard errors come from the numerical Hessian
        at the optimum. ``identified`` is False when the standard error is larger than the
        estimate (or could not be computed): the data cannot pin that parameter down, and
        :func:`identification_notes` says in plain words what that means for the forecast.

        Returns
        -------
        DataFrame
            Indexed by parameter: ``coef``, ``se(coef)``, ``lower 95% bound``,
            ``upper 95% bound``, ``identified``.

        Examples
        --------
        >>> bgf = BetaGeoFitter().fit([0, 1, 2, 5], [0, 10, 20, 30], [40, 40, 40, 40],
        ...                           weights=[50, 20, 10, 5])
        >>> bgf.summary.round(2)  # 85 customers: too few to pin down the lapse parameters
                coef  se(coef)  lower 95% bound  upper 95% bound  identified
        r       0.42      0.14             0.22             0.82        True
        alpha  14.79      7.07             5.79            37.76        True
        a       0.95      1.56             0.04            23.72       False
        b       1.53      2.78             0.04            53.47       False
        """
        self._check_fitted()
        if not hasattr(self, "standard_errors_"):
            raise FitError("summary needs a fitted model (from_params sets no standard errors)")
        coef, se = self.params_, self.standard_errors_
        half = 1.959964 * se / coef
        return pd.DataFrame(
            {
                "coef": coef,
                "se(coef)": se,
                "lower 95% bound": np.exp(np.log(coef) - half),
                "upper 95% bound": np.exp(np.log(coef) + half),
                "identified": (se <= coef).astype(bool),
            }
        )

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"<{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}: {v:.3f}" for k, v in self.params_.items())
        n = getattr(self, "n_customers_", None)
        return f"<{type(self).__name__}: {ps}" + (f", fitted on {n} customers>" if n else ">")


# --------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------
def _validate_rfm(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, table: str = "summary"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _as_float_array(frequency, "frequency")
    tx = _as_float_array(recency, "recency")
    TT = _as_float_array(T, "T")
    if not (x.size == tx.size == TT.size):
        raise data_error(
            table, ["frequency", "recency", "T"], f"lengths differ ({x.size}, {tx.size}, {TT.size})"
        )
    checks = [
        (
            ~(np.isfinite(x) & np.isfinite(tx) & np.isfinite(TT)),
            ["frequency", "recency", "T"],
            "values must be finite",
        ),
        (
            (x < 0) | (x != np.round(x)),
            "frequency",
            "frequency must be a non-negative whole number",
        ),
        (tx < 0, "recency", "recency must be >= 0"),
        (tx > TT * (1 + 1e-9) + 1e-12, ["recency", "T"], "recency must be <= T"),
        ((x == 0) & (tx != 0), ["frequency", "recency"], "recency must be 0 when frequency is 0"),
    ]
    for mask, col, rule in checks:
        if mask.any():
            raise data_error(table, col, rule, _rows_frame(mask, frequency=x, recency=tx, T=TT))
    return x, tx, TT


def _weights(weights: ArrayLike | None, n: int, table: str = "summary") -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _as_float_array(weights, "weights")
    if w.size != n:
        raise data_error(table, "weights", f"weights length {w.size} differs from data length {n}")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise data_error(
            table, "weights", "weights must be finite and >= 0", _rows_frame(bad, weights=w)
        )
    return w


def _group_rows(cols: Sequence[np.ndarray], w: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Collapse identical rows; returns the unique rows and their summed weights."""
    key = np.zeros(cols[0].size, dtype=np.int64)
    for c in cols:
        codes, uniq = pd.factorize(c, sort=False)
        key = key * len(uniq) + codes
    codes, uniq = pd.factorize(key, sort=False)
    rep = np.empty(len(uniq), dtype=np.int64)
    rep[codes] = np.arange(codes.size)
    wsum = np.bincount(codes, weights=w, minlength=len(uniq))
    keep = wsum > 0
    return [c[rep][keep] for c in cols], wsum[keep]


_BG_DRIFT = {
    "r": (
        "purchase rates differ extremely between customers",
        "purchase rates hardly differ between customers",
    ),
    "a": ("almost nobody seems to drop out", ""),
    "b": ("", "almost nobody seems to drop out"),
}
_GG_DRIFT = {
    "p": ("", "spend hardly varies within customers"),
    "q": ("", "average spend hardly differs between customers"),
    "v": ("", "average spend hardly differs between customers"),
}


def _drift_note(phi: np.ndarray, names: Sequence[str], notes: dict[str, tuple[str, str]]) -> str:
    out = []
    for name, ph in zip(names, phi):
        if abs(ph) > 25:
            lo, hi = notes.get(name, ("", ""))
            why = hi if ph > 0 else lo
            out.append(f"{name} -> {'infinity' if ph > 0 else '0'}" + (f" ({why})" if why else ""))
    return (
        (" Drifting: " + "; ".join(out) + ", so the model is not identified on these data.")
        if out
        else ""
    )


class _BGData:
    """Grouped BG/NBD data with per-unique-value indices (x, t_x and T repeat a lot)."""

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.w = w
        self.W = w.sum()
        self.ux, self.ix = np.unique(x, return_inverse=True)
        self.utx, self.itx = np.unique(tx, return_inverse=True)
        self.uT, self.iT = np.unique(T, return_inverse=True)
        self.wx = np.bincount(self.ix, weights=w, minlength=self.ux.size)
        self.pos_x = self.ux > 0

    def loglik_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Total log-likelihood and its gradient in (r, alpha, a, b)."""
        r, alpha, a, b = theta
        ux, ix, w = self.ux, self.ix, self.w
        rx_u = r + ux
        cx = gammaln(rx_u) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux) - betaln(a, b)
        lT_u = np.log(alpha + self.uT)
        ltx_u = np.log(alpha + self.utx)
        d4_u = np.full(ux.size, -np.inf)
        inv_bx1 = np.zeros(ux.size)
        p = self.pos_x
        d4_u[p] = np.log(a) - np.log(b + ux[p] - 1)
        inv_bx1[p] = 1.0 / (b + ux[p] - 1)
        rx = rx_u[ix]
        lT = lT_u[self.iT]
        ltx = ltx_u[self.itx]
        # L = logaddexp(A3, A4) with A3 = -(r+x) log(alpha+T), A4 = d4 - (r+x) log(alpha+t_x);
        # written as A3 + softplus(A4 - A3) to share exp() with the weight of the A4 term.
        d = d4_u[ix] - rx * (ltx - lT)
        e = np.exp(
            -np.minimum(np.abs(d), 300.0)
        )  # clipped: denormals are very slow, error < 1e-130
        softplus = np.maximum(d, 0) + np.log1p(e)
        q = 1.0 / (1.0 + e)
        w4 = np.where(d >= 0, q, e * q)  # exp(A4 - L), 0 for x = 0
        ll = float(self.wx @ cx - (w * rx) @ lT + w @ softplus)
        s4 = w * w4
        s3 = w - s4
        dr = self.wx @ (digamma(rx_u) - digamma(r) + np.log(alpha)) - s3 @ lT - s4 @ ltx
        g3 = np.bincount(self.iT, weights=s3 * rx, minlength=self.uT.size)
        g4 = np.bincount(self.itx, weights=s4 * rx, minlength=self.utx.size)
        dalpha = (
            self.W * r / alpha - g3 @ (1.0 / (alpha + self.uT)) - g4 @ (1.0 / (alpha + self.utx))
        )
        psab = digamma(a + b)
        psabx = digamma(a + b + ux)
        s4x = np.bincount(ix, weights=s4, minlength=ux.size)
        da = self.wx @ (psab - psabx) + s4x.sum() / a
        db = self.wx @ (psab + digamma(b + ux) - digamma(b) - psabx) - s4x @ inv_bx1
        return ll, np.array([dr, dalpha, da, db])


def _bg_expected_if_alive(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: np.ndarray,
    T: np.ndarray,
    t: np.ndarray,
    n_nodes: int = 64,
) -> np.ndarray:
    """E[purchases in (T, T+t] | alive at T] by Gauss-Jacobi quadrature over p.

    Given alive, lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x), so the expectation
    is E_p[(1 - ((alpha+T) / (alpha+T+p t))^(r+x)) / p]. Used where 2F1 fails (e.g. a + b < 1).
    """
    x, T, t = np.broadcast_arrays(np.asarray(x, float), np.asarray(T, float), np.asarray(t, float))
    out = np.empty(x.shape)
    for xv in np.unique(x):
        m = x == xv
        u, w = roots_jacobi(n_nodes, b + xv - 1, a - 1)
        pn = (1 + u) / 2
        base = (alpha + T[m])[:, None]
        g = -np.expm1((r + xv) * np.log(base / (base + pn * t[m][:, None]))) / pn
        out[m] = g @ w / w.sum()
    return out


def _bg_purchases_if_alive(
    r: float, alpha: float, a: float, b: float, x: ArrayLike, T: ArrayLike, t: ArrayLike
) -> np.ndarray:
    """E[purchases in (T, T+t] | alive at T]: the numerator of eq. (10) of Fader, Hardie & Lee.

    Depends on (x, T, t) only, not on recency, so callers can compute it once per distinct
    (x, T). 2F1 first; Euler's transformation 2F1(a, b; c; z) = (1 - z)^(c-a-b)
    2F1(c-a, c-b; c; z) where 2F1 overflows (as in ``lifetimes``); the exact 1-D quadrature
    of :func:`_bg_expected_if_alive` where both fail (e.g. a + b + x - 1 < 0).
    """
    t_, x, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, x, T)))
    shape = t_.shape
    t_, x, T = t_.ravel(), x.ravel(), T.ravel()  # 1-D so that failed entries can be replaced
    _a, _b, _c = r + x, b + x, a + b + x - 1
    z = t_ / (alpha + T + t_)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # log[2F1(r+x, b+x; a+b+x-1; z) * ((alpha+T)/(alpha+T+t))^(r+x)], log(1-z) = that ratio
        log1mz = np.log((alpha + T) / (alpha + T + t_))
        h = hyp2f1(_a, _b, _c, z)
        ln_term = np.log(h) + _a * log1mz
        alt = ~(np.isfinite(ln_term) & (h > 0))
        if alt.any():
            ln_term[alt] = (
                np.log(hyp2f1(_c[alt] - _a[alt], _c[alt] - _b[alt], _c[alt], z[alt]))
                + (_c[alt] - _a[alt] - _b[alt] + _a[alt]) * log1mz[alt]
            )
        numer = (a + b + x - 1) / (a - 1) * -np.expm1(ln_term)
        bad = ~np.isfinite(numer) | (numer < 0)
        if bad.any():
            numer[bad] = _bg_expected_if_alive(r, alpha, a, b, x[bad], T[bad], t_[bad])
    return numer.reshape(shape)


def _bgnbd_loglik_rows(
    params: Sequence[float], x: np.ndarray, tx: np.ndarray, T: np.ndarray
) -> np.ndarray:
    r, alpha, a, b = params
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = betaln(a, b + x) - betaln(a, b)
    A3 = -(r + x) * np.log(alpha + T)
    with np.errstate(invalid="ignore", divide="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    return A1 + A2 + np.logaddexp(A3, A4)


class BetaGeoFitter(_Fitter):
    """BG/NBD model (Fader, Hardie & Lee 2005) fitted by maximum likelihood.

    Predicts how many purchases each customer will make and whether they are still
    "alive", the basis of a forward-looking CLV instead of a backward-looking RFM score.

    Each customer buys at a Poisson rate lambda ~ Gamma(r, alpha) while active and, after
    each purchase, becomes inactive with probability p ~ Beta(a, b).

    Parameters
    ----------
    penalizer_coef : float, default 0
        Ridge penalty ``penalizer_coef * sum(params**2)`` added to the mean negative
        log-likelihood (same scale as ``lifetimes``); a small value (0.001-0.1) steadies
        fits on small or degenerate data.

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total (not mean) log-likelihood at ``params_``, without the penalty.
    n_customers_ : int
        Number of customers (sum of weights) used.
    standard_errors_, variance_matrix_ : Series, DataFrame
        From the numerical Hessian of the (penalised) log-likelihood.
    covariance_ : DataFrame
        Covariance of the log-parameters (``log(r)``, ``log(alpha)``, ...): the inverse of
        that Hessian on the scale the fit works on. :func:`total_clv_interval` draws from it.

    Examples
    --------
    >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(bgf.conditional_probability_alive(2, 30.43, 38.86), 3)
    0.727
    >>> round(bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86), 3)
    1.226
    """

    _param_names = ("r", "alpha", "a", "b")

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
        initial_params: Sequence[float] | None = None,
    ) -> "BetaGeoFitter":
        """Estimate r, alpha, a, b by maximum likelihood.

        The fitted parameters drive every purchase and churn forecast, so a fit that did
        not converge raises instead of returning silently wrong numbers.

        Customers with identical (frequency, recency, T) are grouped and weighted, which
        makes a million-customer fit take well under a second. Optimisation runs on
        log-parameters (L-BFGS-B with an analytic gradient, then Newton steps).

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, time of last purchase and age of each customer (same unit).
        weights : array-like, optional
            Number of customers each row stands for (for pre-grouped data).
        initial_params : sequence of 4 floats, optional
            Starting r, alpha, a, b.

        Returns
        -------
        BetaGeoFitter
            ``self``, fitted.

        Raises
        ------
        DataError
            Invalid inputs, fewer than two customers or no repeat buyer.
        FitError
            The optimiser did not converge.

        Examples
        --------
        >>> bgf = BetaGeoFitter().fit([0, 1, 2, 5], [0, 10, 20, 30], [40, 40, 40, 40],
        ...                           weights=[50, 20, 10, 5])
        >>> bgf.params_.round(2).to_dict()
        {'r': 0.42, 'alpha': 14.79, 'a': 0.95, 'b': 1.53}
        >>> bgf.n_customers_, bgf.converged_
        (85, True)
        """
        x, tx, TT = _validate_rfm(frequency, recency, T)
        w = _weights(weights, x.size)
        n_total = w.sum()
        if n_total < 2:
            raise data_error(
                "summary", "frequency", f"BG/NBD needs many customers; got {n_total:g}"
            )
        if not (w[x > 0].sum() > 0):
            raise data_error(
                "summary",
                "frequency",
                "no repeat buyer (frequency > 0): the drop-out parameters a and b cannot be estimated",
                hint="use a longer observation period, or check that purchase days are not merged away",
            )
        (gx, gtx, gT), gw = _group_rows([x, tx, TT], w)
        data = _BGData(gx, gtx, gT, gw)
        pen = self.penalizer_coef

        def fun_grad(phi: np.ndarray) -> tuple[float, np.ndarray]:
            theta = np.exp(phi)
            ll, g = data.loglik_grad(theta)
            f = -ll / n_total + pen * np.sum(theta**2)
            gphi = -theta * g / n_total + 2 * pen * theta**2
            return f, gphi

        mean_x = float(w @ x / n_total)
        mean_T = float(w @ TT / n_total)
        alpha0 = max(mean_T, 1e-3) / max(mean_x, 1e-2)
        opt = self._optimise(
            fun_grad, np.array([1.0, alpha0, 1.0, 1.0]), initial_params, model="BG/NBD", drift=_BG_DRIFT,
            advice="Try penalizer_coef=0.001 (or larger; it keeps parameters from running to infinity), "
            "a time unit that keeps T between about 1 and 1000, other initial_params, or more "
            "customers / a longer period with repeat purchases.",
        )
        theta = np.exp(opt.phi)
        self._set_fit(opt, n_total, data.loglik_grad(theta)[0])
        self.n_unique_rows_ = int(gw.size)
        return self

    def individual_log_likelihood(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> np.ndarray:
        """Log-likelihood of each customer's (x, t_x, T) at the fitted parameters.

        Low values flag customers the model explains poorly (e.g. bulk or B2B buyers).

        Parameters
        ----------
        frequency, recency, T : array-like

        Returns
        -------
        ndarray or Series

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> bgf.individual_log_likelihood([0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([-0.555, -9.459])
        """
        self._check_fitted()
        x, tx, TT = _validate_rfm(frequency, recency, T)
        return _wrap(
            _bgnbd_loglik_rows(self.params_.to_numpy(), x, tx, TT), frequency, "log_likelihood"
        )

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Probability that a customer with history (x, t_x, T) is still active.

        Separates customers who are merely quiet from those who have probably left, the
        key input for win-back targeting.

        Parameters
        ----------
        frequency, recency, T : array-like or scalar

        Returns
        -------
        float, ndarray or Series
            Values in [0, 1]; exactly 1 for customers without repeat purchases (the
            BG/NBD assumes drop-out can only happen right after a purchase).

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(bgf.conditional_probability_alive(2, 30.43, 38.86), 3)
        0.727
        >>> bgf.conditional_probability_alive([0, 2, 2], [0, 30.43, 5.0], [38.86] * 3).round(3)
        array([1.   , 0.727, 0.124])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        x, tx, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_div = (r + x) * np.log((alpha + TT) / (alpha + tx)) + np.log(
                a / (b + np.maximum(x, 1) - 1)
            )
            p = np.where(x == 0, 1.0, expit(-log_div))
        return _wrap(np.atleast_1d(p), frequency, "p_alive")

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Expected purchases in the next ``t`` periods for a customer with history (x, t_x, T).

        This is the per-customer purchase forecast that multiplies spend into CLV.

        Uses equation (10) of Fader, Hardie & Lee (2005) with the Gauss hypergeometric
        function 2F1; when 2F1 overflows, Euler's transformation
        2F1(a, b; c; z) = (1 - z)^(c-a-b) 2F1(c-a, c-b; c; z) is used (as in ``lifetimes``).

        Parameters
        ----------
        t : float or array-like
            Forecast horizon, in the unit of ``T``.
        frequency, recency, T : array-like or scalar

        Returns
        -------
        float, ndarray or Series

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86), 3)
        1.226
        >>> expected = bgf.conditional_expected_number_of_purchases_up_to_time
        >>> expected(39, [0, 2], [0.0, 30.43], [38.86, 38.86]).round(3)
        array([0.195, 1.226])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t_, x, tx, TT = (np.asarray(v, dtype=float) for v in (t, frequency, recency, T))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            numer = _bg_purchases_if_alive(r, alpha, a, b, x, TT, t_)
            denom = 1 + (x > 0) * (a / (b + np.maximum(x, 1) - 1)) * np.exp(
                (r + x) * np.log((alpha + TT) / (alpha + tx))
            )
            out = numer / denom
        out = np.where(t_ == 0, 0.0, out)
        return _wrap(
            np.atleast_1d(out), frequency if np.ndim(frequency) else t, "expected_purchases"
        )

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> Any:
        """Expected purchases of a randomly chosen new customer within ``t`` periods of the first.

        Gives the cohort-level repeat-purchase curve a CX analyst compares with actuals.

        Parameters
        ----------
        t : float or array-like

        Returns
        -------
        float, ndarray or Series

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> bgf.expected_number_of_purchases_up_to_time([13, 26, 39]).round(3)
        array([0.534, 0.903, 1.197])
        """
        self._check_fitted()
        r, alpha, a, b = self.params_.to_numpy()
        t_ = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            hyp = hyp2f1(r, b, a + b - 1, t_ / (alpha + t_))
            out = np.atleast_1d(
                (a + b - 1) / (a - 1) * (1 - np.exp(r * np.log(alpha / (alpha + t_))) * hyp)
            )
            bad = ~np.isfinite(out) | (out < 0)
            if bad.any():
                out = out.copy()
                tb = np.broadcast_to(t_, out.shape)[bad]
                out[bad] = _bg_expected_if_alive(
                    r, alpha, a, b, np.zeros_like(tb), np.zeros_like(tb), tb
                )
        out = np.where(t_ == 0, 0.0, out)
        return _wrap(np.atleast_1d(out), t, "expected_purchases")


# --------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------
class GammaGammaFitter(_Fitter):
    """Gamma-Gamma model of spend per transaction (Fader & Hardie 2013).

    Shrinks each customer's observed average order value towards the population mean,
    so CLV is not driven by a single lucky (or unlucky) basket.

    Spend per transaction is Gamma(p, nu) around a customer mean; nu ~ Gamma(q, v). The
    third parameter is called ``v`` (as in ``lifetimes``); the paper calls it gamma. Only
    repeat buyers (frequency > 0) enter the fit; the others are counted in
    ``n_excluded_``. The model assumes spend is independent of purchase frequency; check
    ``corr(frequency, monetary_value)`` is small before use.

    ``monetary_value`` must be the mean spend per *repeat purchase day* (same-day rows
    merged, first purchase left out), as produced by :func:`rfm_summary`. On the CDNOW
    calibration data this reproduces the published p, q, gamma = 6.25, 3.74, 15.44 (946
    repeat buyers); averaging raw rows instead gives 6.20, 3.82, 15.59 on 959 customers.

    Parameters
    ----------
    penalizer_coef : float, default 0
        Ridge penalty on the parameters (see :class:`BetaGeoFitter`).

    Attributes
    ----------
    params_ : Series
        ``p``, ``q``, ``v``.
    log_likelihood_ : float
        Total log-likelihood over the repeat buyers.
    n_customers_ : int
        Repeat buyers used in the fit.
    n_excluded_ : int
        Customers left out because frequency is 0.
    standard_errors_, variance_matrix_, covariance_ : Series, DataFrame, DataFrame
        As for :class:`BetaGeoFitter` (``covariance_`` is on the log-parameters).

    Examples
    --------
    >>> ggf = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    >>> ggf
    <GammaGammaFitter: p: 6.250, q: 3.740, v: 15.440>
    >>> round(ggf.conditional_expected_average_profit(0, 0.0), 2)  # population mean p v / (q - 1)
    35.22
    """

    _param_names = ("p", "q", "v")

    def fit(
        self,
        frequency: ArrayLike,
        monetary_value: ArrayLike,
        weights: ArrayLike | None = None,
        initial_params: Sequence[float] | None = None,
    ) -> "GammaGammaFitter":
        """Estimate p, q, v by maximum likelihood on the repeat buyers.

        The fitted spend distribution turns purchase forecasts into money.

        Parameters
        ----------
        frequency : array-like
            Repeat purchases; rows with 0 are left out (counted in ``n_excluded_``).
        monetary_value : array-like
            Mean spend per repeat purchase; must be > 0 for repeat buyers.
        weights : array-like, optional
            Number of customers each row stands for.
        initial_params : sequence of 3 floats, optional

        Returns
        -------
        GammaGammaFitter
            ``self``, fitted.

        Examples
        --------
        >>> ggf = GammaGammaFitter().fit([1, 2, 1, 3, 1, 2], [8, 40, 120, 15, 60, 300])
        >>> ggf.params_.round(1).to_dict()
        {'p': 2.5, 'q': 1.2, 'v': 16.0}
        >>> ggf.n_customers_, ggf.n_excluded_
        (6, 0)
        """
        x = _as_float_array(frequency, "frequency")
        m = _as_float_array(monetary_value, "monetary_value")
        if x.size != m.size:
            raise data_error(
                "summary", ["frequency", "monetary_value"], f"lengths differ ({x.size}, {m.size})"
            )
        w = _weights(weights, x.size)
        bad = ~np.isfinite(x) | ~np.isfinite(m) | (x < 0) | (x != np.round(x))
        if bad.any():
            raise data_error(
                "summary",
                ["frequency", "monetary_value"],
                "values must be finite and frequency a whole number >= 0",
                _rows_frame(bad, frequency=x, monetary_value=m),
            )
        rep = x > 0
        bad = rep & (m <= 0)
        if bad.any():
            raise data_error(
                "summary",
                "monetary_value",
                "monetary_value must be > 0 for repeat buyers",
                _rows_frame(bad, frequency=x, monetary_value=m),
                hint="the Gamma-Gamma model needs positive spend; check refunds netting",
            )
        self.n_excluded_ = int(round(w[~rep].sum()))
        if not (w[rep].sum() > 0):
            raise data_error(
                "summary",
                "frequency",
                "no repeat buyer (frequency > 0): the Gamma-Gamma model is fitted on repeat buyers only",
                hint=f"{self.n_excluded_} customers with frequency 0 were left out",
            )
        x, m, w = x[rep], m[rep], w[rep]
        n_total = w.sum()
        if n_total < 2:
            raise data_error(
                "summary", "frequency", f"Gamma-Gamma needs many repeat buyers; got {n_total:g}"
            )
        logm, logx = np.log(m), np.log(x)
        xm = x * m
        pen = self.penalizer_coef

        def fun_grad(phi: np.ndarray) -> tuple[float, np.ndarray]:
            theta = np.exp(phi)
            ll, g = _gg_loglik_grad(theta, x, logx, logm, xm, w)
            return -ll / n_total + pen * np.sum(theta**2), -theta * g / n_total + 2 * pen * theta**2

        opt = self._optimise(
            fun_grad, np.array([1.0, 2.0, float(w @ m / n_total)]), initial_params, model="Gamma-Gamma",
            drift=_GG_DRIFT,
            advice="Try penalizer_coef=0.001 (or larger); check that spend varies between customers more "
            "than it would by chance, and that monetary_value is the mean over repeat purchases.",
        )
        theta = np.exp(opt.phi)
        self._set_fit(opt, n_total, _gg_loglik_grad(theta, x, logx, logm, xm, w)[0])
        return self

    def conditional_expected_average_profit(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> Any:
        """Expected spend per future transaction given a customer's spend history.

        Used as the value per purchase in CLV; customers with few purchases are pulled
        towards the population mean p v / (q - 1).

        Parameters
        ----------
        frequency, monetary_value : array-like or scalar

        Returns
        -------
        float, ndarray or Series
            ``p (v + x m) / (p x + q - 1)``.

        Examples
        --------
        >>> ggf = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
        >>> ggf.conditional_expected_average_profit([0, 2, 10], [0.0, 30.0, 30.0]).round(2)
        array([35.22, 30.94, 30.22])
        """
        self._check_fitted()
        p, q, v = self.params_.to_numpy()
        x = np.asarray(frequency, dtype=float)
        m = np.asarray(monetary_value, dtype=float)
        if q <= 1 and np.any(x == 0):
            raise FitError(
                f"q = {q:.3g} <= 1: the population mean spend p*v/(q-1) is not finite, so "
                "customers without repeat purchases cannot be valued"
            )
        out = p * (v + x * m) / (p * x + q - 1)
        return _wrap(np.atleast_1d(out), frequency, "expected_avg_value")

    def customer_lifetime_value(
        self,
        transaction_prediction_model: BetaGeoFitter,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        time: int = 12,
        discount_rate: float = 0.01,
        freq: TimeUnit = "W",
    ) -> Any:
        """Discounted expected spend over the next ``time`` months.

        The forward-looking value used to rank customers and size retention budgets.

        As in ``lifetimes``: for each month i = 1..time, the expected purchases in that
        month (difference of cumulative BG/NBD forecasts) times the expected spend per
        purchase, discounted by (1 + discount_rate)^i. A month is 30.4375 days.

        Parameters
        ----------
        transaction_prediction_model : BetaGeoFitter
            Fitted purchase model (same time unit as ``freq``).
        frequency, recency, T, monetary_value : array-like
        time : int, default 12
            Horizon in months.
        discount_rate : float, default 0.01
            Monthly discount rate.
        freq : {"D", "W", "M"}
            Time unit of recency / T and of the purchase model.

        Returns
        -------
        ndarray or Series
            CLV per customer (named ``clv`` for Series input).

        Examples
        --------
        >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> ggf = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
        >>> ggf.customer_lifetime_value(
        ...     bgf, [0, 2], [0.0, 30.43], [38.86, 38.86], [0.0, 30.0], time=12
        ... ).round(2)
        array([ 8.37, 45.55])
        """
        self._check_fitted()
        unit_days = _check_time_unit(freq, "freq")
        if int(time) != time or time < 1:
            raise data_error(
                "arguments", "time", f"time must be a whole number of months >= 1, got {time!r}"
            )
        if not np.isfinite(discount_rate) or discount_rate <= -1:
            raise data_error("arguments", "discount_rate", "discount_rate must be > -1")
        spend = np.asarray(
            self.conditional_expected_average_profit(frequency, monetary_value), dtype=float
        )
        per_month = MONTH_DAYS / unit_days
        f, rr, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        clv = np.zeros(np.broadcast(f, rr, TT).shape)
        prev = np.zeros_like(clv)
        for i in range(1, int(time) + 1):
            cum = np.asarray(
                transaction_prediction_model.conditional_expected_number_of_purchases_up_to_time(
                    i * per_month, f, rr, TT
                ),
                dtype=float,
            )
            clv = clv + spend * (cum - prev) / (1 + discount_rate) ** i
            prev = cum
        return _wrap(np.atleast_1d(clv), frequency, "clv")


def _gg_loglik_grad(
    theta: np.ndarray,
    x: np.ndarray,
    logx: np.ndarray,
    logm: np.ndarray,
    xm: np.ndarray,
    w: np.ndarray,
) -> tuple[float, np.ndarray]:
    p, q, v = theta
    px = p * x
    lxmv = np.log(xm + v)
    ll_rows = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * logm
        + px * logx
        - (px + q) * lxmv
    )
    ps_pxq = digamma(px + q)
    dp = w @ (x * (ps_pxq - digamma(px) + logm + logx - lxmv))
    dq = w @ (ps_pxq - digamma(q) + np.log(v) - lxmv)
    dv = w @ (q / v - (px + q) / (xm + v))
    return float(w @ ll_rows), np.array([dp, dq, dv])


# --------------------------------------------------------------------------------------
# What the data cannot pin down
# --------------------------------------------------------------------------------------
def _unidentified(model: Any, cls: type, name: str) -> list[str]:
    if not isinstance(model, cls):
        raise data_error(
            "arguments", name, f"{name} must be a fitted {cls.__name__}, got {type(model).__name__}"
        )
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


# --------------------------------------------------------------------------------------
# CLV table
# --------------------------------------------------------------------------------------
def known_cancellations(
    customers: pd.DataFrame,
    as_of: Any,
    *,
    customer_col: str = "customer_id",
    churn_col: str = "churn_date",
) -> pd.Series:
    """Which customers are known to have left by ``as_of`` (a churn date on or before it).

    BG/NBD guesses who has quietly stopped buying; where the customers table records a
    cancellation, nothing needs guessing: a customer who has left is worth nothing, and
    counting them inflates forecast value.

    Rule: true where ``churn_date`` is not missing and falls on or before the calendar day
    ``as_of`` (times of day are ignored). A churn date after ``as_of`` is not known at
    ``as_of`` and counts as false: for a holdout check pass the calibration end, not the
    end of the data, or the check peeks at the holdout.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with the customer id (a column, or the index) and the churn
        date (datetimes; ISO strings such as ``"2025-03-31"`` are read as such).
    as_of : date-like
        The day the forecast is made.
    customer_col, churn_col : str
        Column names.

    Returns
    -------
    Series
        Boolean ``known_churned`` indexed by customer id; pass it as ``churned=`` to
        :func:`clv_table` or :func:`total_clv_interval`.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                           "churn_date": pd.to_datetime(["2025-03-31", None, "2025-09-01"])})
    >>> known_cancellations(customers, as_of="2025-06-30").to_dict()
    {'a': True, 'b': False, 'c': False}
    """
    table = "customers"
    if not isinstance(customers, pd.DataFrame):
        raise data_error(table, None, f"expected a pandas DataFrame, got {type(customers).__name__}")
    if customer_col in customers.columns:
        ids = pd.Index(customers[customer_col], name=customer_col)
    elif customers.index.name == customer_col:
        ids = customers.index
    else:
        raise data_error(
            table,
            customer_col,
            "required column missing",
            hint=f"available columns: {list(customers.columns)}; name yours with customer_col=",
        )
    require_columns(customers, [churn_col], table, hint="name yours with churn_col=")
    if ids.isna().any():
        raise data_error(
            table, customer_col, "customer id must not be missing", customers[ids.isna()]
        )
    if not ids.is_unique:
        raise data_error(
            table,
            customer_col,
            "customer id must be unique (one row per customer)",
            customers[ids.duplicated(keep=False)],
        )
    day = _local_days(customers[churn_col], customers, table, churn_col)
    as_of_day = _to_day(as_of, "as_of")
    known = ~np.isnat(day)
    left = np.zeros(len(day), dtype=bool)
    left[known] = day[known].astype(np.int64) <= as_of_day
    return pd.Series(left, index=ids, name="known_churned")


def _local_days(values: pd.Series, frame: pd.DataFrame, table: str, column: str) -> np.ndarray:
    """Dates as datetime64[D] (NaT where missing), keeping the local day of zoned values."""
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return values.to_numpy().astype("datetime64[D]")
    # Not parsed yet (the loader parses dates): ISO dates only, one distinct value at a time.
    present = values.notna().to_numpy()
    days = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    uniq, inverse = np.unique(values[present].astype(str).to_numpy(), return_inverse=True)
    parsed = np.full(len(uniq), np.datetime64("NaT"), dtype="datetime64[D]")
    for i, text in enumerate(uniq):
        try:
            ts = pd.to_datetime(text, format="ISO8601")
        except (TypeError, ValueError):
            continue
        parsed[i] = np.datetime64(ts.tz_localize(None) if ts.tzinfo else ts, "D")
    days[present] = parsed[inverse]
    bad = present & np.isnat(days)
    if bad.any():
        raise data_error(
            table,
            column,
            "not a date (expected datetimes or ISO dates such as 2025-03-31)",
            frame[bad],
            hint="load the table with cxkit.data.load_folder, or parse the column with "
            "pd.to_datetime(..., format=...) first",
        )
    return days


def _churn_flags(churned: Any, index: pd.Index) -> np.ndarray:
    """``churned`` (Series aligned by customer id, or array in row order) as booleans."""
    if churned is None:
        return np.zeros(len(index), dtype=bool)
    if isinstance(churned, pd.Series):
        if not churned.index.is_unique:
            raise data_error(
                "churned",
                None,
                "customer ids must be unique",
                churned[churned.index.duplicated(keep=False)].to_frame(),
            )
        if len(churned) and len(index) and not churned.index.isin(index).any():
            raise data_error(
                "churned",
                None,
                "no customer id in churned is in the summary",
                churned.head().to_frame(),
                hint="index churned by the summary's customer ids, e.g. "
                "known_cancellations(cx.customers, as_of)",
            )
        values = churned.reindex(index)
    else:
        arr = np.asarray(churned)
        if arr.shape != (len(index),):
            raise data_error(
                "churned",
                None,
                f"expected a Series indexed by customer id or {len(index)} values, "
                f"got shape {arr.shape}",
            )
        values = pd.Series(arr, index=index)
    values = values.astype(object).where(values.notna(), False)  # absent: not churned
    bad = ~values.isin([True, False]).to_numpy()
    if bad.any():
        raise data_error(
            "churned", None, "values must be true/false", values[bad].to_frame("churned")
        )
    return values.astype(bool).to_numpy()


def clv_table(
    summary: pd.DataFrame,
    bgf: BetaGeoFitter,
    ggf: GammaGammaFitter,
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    time_unit: TimeUnit = "W",
    *,
    churned: Any = None,
) -> pd.DataFrame:
    """One row per customer with p(alive), expected purchases, expected spend and CLV.

    The table CX teams sort, segment and hand to campaign tools.

    Customers known to have left (``churned``, e.g. from :func:`known_cancellations`)
    get p_alive, expected_purchases and clv of 0: BG/NBD alone would still give them a
    chance of buying. Their ``expected_avg_value`` (spend per purchase, were they to buy)
    is kept.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`rfm_summary` (columns frequency, recency, T, monetary_value).
    bgf : BetaGeoFitter
        Fitted purchase model (same time unit as the summary).
    ggf : GammaGammaFitter
        Fitted spend model.
    horizon_months : int, default 12
        CLV and expected-purchase horizon in months (30.4375 days).
    discount_rate : float, default 0.01
        Monthly discount rate.
    time_unit : {"D", "W", "M"}
        Unit of recency and T; must match ``summary.attrs["time_unit"]`` when present.
    churned : Series of bool, optional
        True for customers known to have left, indexed by customer id (aligned on the
        summary's index; customers absent from it, or missing, count as not churned), or
        an array in the summary's row order. None (default): no customer is known to have
        left (non-contractual data).

    Returns
    -------
    DataFrame
        Indexed like ``summary``: frequency, recency, T, monetary_value, p_alive,
        expected_purchases (undiscounted, over the horizon), expected_avg_value, clv and
        ``known_churned`` (all False when ``churned`` is None).

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [0, 2, 6], "recency": [0.0, 30.43, 12.0],
    ...                         "T": [38.86, 38.86, 38.86], "monetary_value": [0.0, 30.0, 55.0]})
    >>> bgf = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> ggf = GammaGammaFitter.from_params(p=6.25, q=3.74, v=15.44)
    >>> table = clv_table(summary, bgf, ggf, horizon_months=12)
    >>> table[["p_alive", "expected_purchases", "expected_avg_value", "clv"]].round(2)
       p_alive  expected_purchases  expected_avg_value    clv
    0     1.00                0.25               35.22   8.37
    1     0.73                1.56               30.94  45.55
    2     0.02                0.12               53.65   6.20
    >>> left = clv_table(summary, bgf, ggf, churned=pd.Series([True], index=[1]))
    >>> left[["p_alive", "clv", "known_churned"]].round(2)
       p_alive   clv  known_churned
    0     1.00  8.37          False
    1     0.00  0.00           True
    2     0.02  6.20          False
    """
    unit_days = _check_time_unit(time_unit)
    cols = ["frequency", "recency", "T", "monetary_value"]
    require_columns(summary, cols, "summary", hint="build it with rfm_summary()")
    su = summary.attrs.get("time_unit")
    if su is not None and su != time_unit:
        raise data_error(
            "summary",
            "T",
            f"summary is in time unit {su!r} but time_unit={time_unit!r}",
            hint=f"pass time_unit={su!r}",
        )
    flags = _churn_flags(churned, summary.index)
    out = summary[cols].copy()
    out.attrs = {}
    f, r, T, m = (summary[c] for c in cols)
    out["p_alive"] = bgf.conditional_probability_alive(f, r, T)
    out["expected_purchases"] = bgf.conditional_expected_number_of_purchases_up_to_time(
        horizon_months * MONTH_DAYS / unit_days, f, r, T
    )
    out["expected_avg_value"] = ggf.conditional_expected_average_profit(f, m)
    out["clv"] = ggf.customer_lifetime_value(
        bgf, f, r, T, m, time=horizon_months, discount_rate=discount_rate, freq=time_unit
    )
    if flags.any():
        out.loc[flags, ["p_alive", "expected_purchases", "clv"]] = 0.0
    out["known_churned"] = flags
    out.attrs = {
        "time_unit": time_unit,
        "horizon_months": horizon_months,
        "discount_rate": discount_rate,
        "n_known_churned": int(flags.sum()),
    }
    return out


def _log_covariance(model: Any, cls: type, name: str) -> np.ndarray:
    if not isinstance(model, cls):
        raise data_error(
            "arguments", name, f"{name} must be a fitted {cls.__name__}, got {type(model).__name__}"
        )
    cov = getattr(model, "covariance_", None)
    if cov is None:
        raise FitError(
            f"{name} has no parameter covariance: fit it on data (from_params sets none), "
            "so the uncertainty of its parameters is known"
        )
    cov = cov.to_numpy(dtype=float)
    if not np.all(np.isfinite(cov)):
        raise FitError(
            f"{name}: the parameter covariance could not be computed (singular Hessian); "
            "see identification_notes() and try penalizer_coef=0.001"
        )
    return cov


class _TotalCLV:
    """Total discounted CLV of a fixed set of customers, for many parameter values at once.

    The BG/NBD part that needs 2F1, E[purchases in month i | alive], depends on (x, T)
    only, so it is computed once per distinct (x, T) and month; p(alive) and expected
    spend per customer are cheap closed forms.
    """

    def __init__(
        self,
        x: np.ndarray,
        tx: np.ndarray,
        T: np.ndarray,
        m: np.ndarray,
        horizon_months: int,
        discount_rate: float,
        unit_days: float,
    ) -> None:
        self.x, self.tx, self.T, self.m = x, tx, T, m
        uniq, codes = np.unique(np.column_stack([x, T]), axis=0, return_inverse=True)
        self.codes = codes.reshape(-1)
        ux, uT = uniq[:, 0], uniq[:, 1]
        months = np.arange(1, int(horizon_months) + 1)
        t = months * MONTH_DAYS / unit_days
        self.gx, self.gT, self.gt = (
            np.repeat(ux, t.size),
            np.repeat(uT, t.size),
            np.tile(t, ux.size),
        )
        self.n_groups, self.n_months = ux.size, t.size
        self.discount = (1.0 + discount_rate) ** -months.astype(float)

    def total(self, bg: np.ndarray, gg: np.ndarray) -> float:
        r, alpha, a, b = bg
        p, q, v = gg
        x, tx, T = self.x, self.tx, self.T
        cum = _bg_purchases_if_alive(r, alpha, a, b, self.gx, self.gT, self.gt)
        cum = cum.reshape(self.n_groups, self.n_months)
        per_month = np.diff(cum, axis=1, prepend=0.0)
        if_alive = (per_month @ self.discount)[self.codes]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_div = (r + x) * np.log((alpha + T) / (alpha + tx)) + np.log(
                a / (b + np.maximum(x, 1) - 1)
            )
            p_alive = np.where(x == 0, 1.0, expit(-log_div))
            spend = p * (v + x * self.m) / (p * x + q - 1)
        if q <= 1 and np.any(x == 0):
            return np.inf  # the average one-time buyer's spend p v / (q - 1) is unbounded
        return float(np.sum(spend * if_alive * p_alive))


def total_clv_interval(
    summary: pd.DataFrame,
    bgf: BetaGeoFitter,
    ggf: GammaGammaFitter,
    *,
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    time_unit: TimeUnit = "W",
    churned: Any = None,
    n_draws: int = 200,
    ci: float = 0.95,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Total forecast CLV of the customer base with an interval for the models' uncertainty.

    "Our customers are worth 360,000 over the next year" needs a range before it goes to
    a board: with few customers or a short history the fitted parameters, and so the
    total, can be far less certain than one number suggests.

    Method: a parametric bootstrap. ``n_draws`` times, the BG/NBD parameters are drawn
    from a multivariate normal on the log scale around the estimates with the fitted
    covariance (``bgf.covariance_``, the inverse Hessian), the Gamma-Gamma parameters
    likewise (independently: the two models are fitted separately and the Gamma-Gamma
    assumes spend is independent of purchasing), and the total CLV of the same customers
    is recomputed. The interval is the central ``ci`` share of those totals (percentile
    method); ``total`` is the point estimate, the sum of :func:`clv_table`'s ``clv``.
    Customers in ``churned`` count 0, as in :func:`clv_table`.

    The interval covers the uncertainty of the parameters only, not the chance of which
    customers happen to buy: the revenue that materialises scatters more widely, most of
    all for a small base. A draw with q <= 1 makes the average one-time buyer's spend
    unbounded and its total infinite, which shows as an infinite upper bound.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`rfm_summary` (the customers to value).
    bgf, ggf : BetaGeoFitter, GammaGammaFitter
        Models fitted on data (``from_params`` models have no covariance).
    horizon_months, discount_rate, time_unit, churned
        As for :func:`clv_table`.
    n_draws : int, default 200
        Bootstrap draws (at least 20).
    ci : float, default 0.95
        Coverage of the interval, in (0, 1).
    random_state : int, optional
        Seed; the same seed gives the same interval.

    Returns
    -------
    DataFrame
        One row: ``total``, ``ci_low``, ``ci_high``, ``n_draws``; ``attrs["draws"]`` holds
        the bootstrap totals (for a histogram) and ``attrs["ci"]`` the coverage.

    Raises
    ------
    FitError
        A model has no usable covariance (built with ``from_params``, or singular).

    Examples
    --------
    >>> from cxkit.synth import generate
    >>> s = rfm_summary(generate(n_customers=1000)["transactions"], time_unit="W")
    >>> bgf = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    >>> ggf = GammaGammaFitter().fit(s["frequency"], s["monetary_value"])
    >>> total_clv_interval(s, bgf, ggf, n_draws=100).round(-2)
         total   ci_low  ci_high  n_draws
    0  82700.0  79100.0  88800.0      100
    """
    unit_days = _check_time_unit(time_unit)
    if isinstance(n_draws, bool) or int(n_draws) != n_draws or n_draws < 20:
        raise data_error(
            "arguments", "n_draws", f"n_draws must be a whole number >= 20, got {n_draws!r}"
        )
    if not 0 < ci < 1:
        raise data_error("arguments", "ci", f"ci must be between 0 and 1, got {ci!r}")
    cov_bg = _log_covariance(bgf, BetaGeoFitter, "bgf")
    cov_gg = _log_covariance(ggf, GammaGammaFitter, "ggf")
    table = clv_table(
        summary,
        bgf,
        ggf,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
        time_unit=time_unit,
        churned=churned,
    )
    live = ~table["known_churned"].to_numpy()
    x, tx, T, m = (
        table.loc[live, c].to_numpy(dtype=float)
        for c in ("frequency", "recency", "T", "monetary_value")
    )
    totals = _TotalCLV(x, tx, T, m, horizon_months, discount_rate, unit_days)
    rng = np.random.default_rng(random_state)
    n = int(n_draws)
    bg_draws = np.exp(rng.multivariate_normal(np.log(bgf.params_.to_numpy()), cov_bg, size=n))
    gg_draws = np.exp(rng.multivariate_normal(np.log(ggf.params_.to_numpy()), cov_gg, size=n))
    draws = np.array([totals.total(bg, gg) for bg, gg in zip(bg_draws, gg_draws)])
    draws = np.where(np.isnan(draws), np.inf, draws)
    tail = (1 - ci) / 2
    method = "linear" if np.all(np.isfinite(draws)) else "nearest"
    low, high = np.quantile(draws, [tail, 1 - tail], method=method)
    out = pd.DataFrame(
        [
            {
                "total": float(table["clv"].sum()),
                "ci_low": float(low),
                "ci_high": float(high),
                "n_draws": n,
            }
        ]
    )
    # a tuple, not an array: pandas compares attrs when frames are concatenated
    out.attrs = {"ci": ci, "draws": tuple(draws.tolist())}
    return out


# --------------------------------------------------------------------------------------
# RFM scores and segments
# --------------------------------------------------------------------------------------
def rfm_scores(
    summary: pd.DataFrame, q: int = 5, *, monetary_col: str | None = None
) -> pd.DataFrame:
    """Recency, frequency and monetary scores 1..q (q = best) from an RFM summary.

    RFM scores are the common language of CRM teams; equal-size bins keep every score
    level populated even when most customers bought only once.

    Rule: each metric is ranked and cut into ``q`` groups of equal size (score = 1 +
    floor(q * rank / n)). Recency for scoring is the time since the last purchase
    (``T - recency``): a more recent customer scores higher. Ties (e.g. the many one-time
    buyers, who all have frequency 0) are broken by the other two metrics so the result
    does not depend on row order: R by frequency then spend, F by spend then recency, M by
    frequency then recency; remaining ties by row position.

    Parameters
    ----------
    summary : DataFrame
        Columns frequency, recency, T and the monetary column.
    q : int, default 5
        Number of score levels (2..10).
    monetary_col : str, optional
        Spend column for M; default ``total_spend`` when present (classic RFM: total spend),
        else ``monetary_value``.

    Returns
    -------
    DataFrame
        Indexed like ``summary`` with integer columns R, F, M.

    Examples
    --------
    >>> summary = pd.DataFrame({"frequency": [0, 1, 3, 5, 0], "recency": [0, 10, 30, 38, 0],
    ...                         "T": [40, 40, 40, 40, 5], "total_spend": [20, 60, 150, 400, 35]})
    >>> rfm_scores(summary)
       R  F  M
    0  1  1  1
    1  2  3  3
    2  3  4  4
    3  5  5  5
    4  4  2  2
    """
    if monetary_col is None:
        monetary_col = (
            "total_spend"
            if isinstance(summary, pd.DataFrame) and "total_spend" in summary.columns
            else "monetary_value"
        )
    require_columns(
        summary,
        ["frequency", "recency", "T", monetary_col],
        "summary",
        hint="build it with rfm_summary()",
    )
    if int(q) != q or not 2 <= q <= 10:
        raise data_error("arguments", "q", f"q must be a whole number between 2 and 10, got {q!r}")
    n = len(summary)
    if n == 0:
        raise data_error("summary", None, "summary has no rows")
    vals = {}
    for c, name in [
        ("frequency", "frequency"),
        ("recency", "recency"),
        ("T", "T"),
        (monetary_col, monetary_col),
    ]:
        v = pd.to_numeric(summary[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v)
        if bad.any():
            raise data_error("summary", c, "values must be finite numbers", summary[bad])
        vals[name] = v
    r_good = -(vals["T"] - vals["recency"])
    f_good = vals["frequency"]
    m_good = vals[monetary_col]
    pos = np.arange(n)

    def score(primary: np.ndarray, tb1: np.ndarray, tb2: np.ndarray) -> np.ndarray:
        order = np.lexsort((pos, tb2, tb1, primary))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = pos
        return (rank * int(q) // n + 1).astype(np.int64)

    return pd.DataFrame(
        {
            "R": score(r_good, f_good, m_good),
            "F": score(f_good, m_good, r_good),
            "M": score(m_good, f_good, r_good),
        },
        index=summary.index,
    )


SEGMENT_ACTIONS = pd.DataFrame(
    [
        (
            "Champions",
            "R 5, F 4-5 or R 4, F 5",
            "Bought recently, buy often and spend the most.",
            "Reward them; ask for reviews and referrals; early access to new products.",
        ),
        (
            "Loyal",
            "R 4, F 4 or R 3, F 4-5",
            "Buy regularly and respond to promotions.",
            "Upsell higher-value products; loyalty programme; ask for feedback.",
        ),
        (
            "Potential Loyalist",
            "R 4-5, F 2-3",
            "Recent customers with a few purchases.",
            "Offer membership or loyalty perks; recommend related products.",
        ),
        (
            "New Customers",
            "R 4-5, F 1",
            "Bought recently, but only once or rarely.",
            "Onboarding journey; make the second purchase easy; early support check-in.",
        ),
        (
            "Promising",
            "R 3, F 1",
            "Fairly recent single or rare purchase.",
            "Build the relationship: content, free shipping or a small first-repeat incentive.",
        ),
        (
            "Need Attention",
            "R 3, F 3",
            "Average recency and frequency; slipping.",
            "Limited-time, personalised offers based on past purchases; reactivation survey.",
        ),
        (
            "About to Sleep",
            "R 3, F 2",
            "Below-average recency and frequency.",
            "Share popular products and reminders; reconnect before they lapse.",
        ),
        (
            "At Risk",
            "R 1-2, F 3-4",
            "Bought fairly often, but long ago.",
            "Personalised win-back emails; find out what went wrong; service recovery.",
        ),
        (
            "Can't Lose Them",
            "R 1-2, F 5",
            "Used to be frequent buyers, have not returned for long.",
            "Win them back with renewals or new products; a personal call; do not lose them to competitors.",
        ),
        (
            "Hibernating",
            "R 2, F 1-2 or R 1, F 2",
            "Last purchase long ago, few purchases.",
            "Offer relevant products and special discounts; recreate brand value.",
        ),
        (
            "Lost",
            "R 1, F 1",
            "Lowest recency and frequency.",
            "Revive with a broad campaign only if cheap; otherwise exclude from paid outreach.",
        ),
    ],
    columns=["segment", "rule", "description", "action"],
)
"""Named RFM segments with their R/F rule, a description and a suggested action."""

#: R (rows, 5 = most recent) x F (columns, 5 = most frequent) grid of segment names.
RFM_GRID = pd.DataFrame(
    [
        ["New Customers", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
        ["New Customers", "Potential Loyalist", "Potential Loyalist", "Loyal", "Champions"],
        ["Promising", "About to Sleep", "Need Attention", "Loyal", "Loyal"],
        ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
        ["Lost", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    ],
    index=pd.Index([5, 4, 3, 2, 1], name="R"),
    columns=pd.Index([1, 2, 3, 4, 5], name="F"),
)


def rfm_segments(scores: pd.DataFrame) -> pd.Series:
    """Map R and F scores (1..5) to named segments with suggested actions.

    Names such as "At Risk" or "Champions" make RFM scores actionable for marketing and
    service teams; the action text is in :data:`SEGMENT_ACTIONS`.

    The map is the usual R/F grid (see :data:`RFM_GRID`) with two changes that keep every
    segment meaningful in cohort data: "New Customers" covers R 4-5 / F 1 (in a single
    acquisition cohort nobody with one purchase is among the 20 % most recent) and "Lost"
    is the bottom corner R 1 / F 1, split from "Hibernating".

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`rfm_scores` with ``q=5`` (columns R and F).

    Returns
    -------
    Series
        Categorical ``segment`` indexed like ``scores``, categories in
        ``SEGMENT_ACTIONS`` order.

    Examples
    --------
    >>> seg = rfm_segments(pd.DataFrame({"R": [5, 3, 1, 1], "F": [5, 3, 5, 1]}))
    >>> seg.tolist()
    ['Champions', 'Need Attention', "Can't Lose Them", 'Lost']
    >>> SEGMENT_ACTIONS.set_index("segment").loc[seg[2], "action"]
    'Win them back with renewals or new products; a personal call; do not lose them to competitors.'
    """
    require_columns(scores, ["R", "F"], "scores", hint="build it with rfm_scores(summary, q=5)")
    R = pd.to_numeric(scores["R"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    F = pd.to_numeric(scores["F"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isin(R, [1, 2, 3, 4, 5]) | ~np.isin(F, [1, 2, 3, 4, 5])
    if bad.any():
        raise data_error(
            "scores",
            ["R", "F"],
            "scores must be whole numbers 1..5 (use rfm_scores(..., q=5))",
            scores[bad],
        )
    grid = RFM_GRID.to_numpy()
    names = grid[5 - R.astype(int), F.astype(int) - 1]
    return pd.Series(
        pd.Categorical(names, categories=list(SEGMENT_ACTIONS["segment"])),
        index=scores.index,
        name="segment",
    )


# --------------------------------------------------------------------------------------
# K-means value segments
# --------------------------------------------------------------------------------------
def segment_profile(
    table: pd.DataFrame,
    segment_col: str,
    *,
    value_col: str = "clv",
    alive_col: str | None = "p_alive",
) -> pd.DataFrame:
    """One row per segment: size, share of customers, mean value and share of total value.

    Set side by side, the share of customers and the share of value show where a
    marketing budget earns most. Sorted by mean value, highest first.

    Example
    -------
    >>> t = pd.DataFrame({"seg": ["a", "a", "b"], "clv": [10.0, 30.0, 60.0]})
    >>> segment_profile(t, "seg", alive_col=None)[["segment", "customers", "clv_share"]].values.tolist()
    [['b', 1, 0.6], ['a', 2, 0.4]]
    """
    require_columns(table, [segment_col, value_col] + ([alive_col] if alive_col else []), "table")
    g = table.groupby(segment_col, observed=True, sort=True)
    out = pd.DataFrame({"customers": g.size(), f"mean_{value_col}": g[value_col].mean(), value_col: g[value_col].sum()})
    if alive_col:
        out[alive_col] = g[alive_col].mean()
    out["share"] = out["customers"] / out["customers"].sum()
    out[f"{value_col}_share"] = out[value_col] / table[value_col].sum()
    out = out.sort_values(f"mean_{value_col}", ascending=False, kind="mergesort")
    return out.rename_axis("segment").reset_index()


def segment_actions(segments: pd.Series, rfm_segment: pd.Series) -> pd.DataFrame:
    """Suggested action per data-driven segment: that of the RFM segment most of its customers are in.

    KMeans finds groups but does not name what to do with them; borrowing the action of
    each group's dominant RFM segment gives a marketer a starting point, and the
    ``dominant_share`` column says how clear-cut that borrowing is.

    Parameters
    ----------
    segments : segment label per customer (e.g. ``KMeansSegments.labels``).
    rfm_segment : named RFM segment per customer (from :func:`rfm_segments`), same index.

    Returns
    -------
    DataFrame: ``segment``, ``dominant_rfm_segment``, ``dominant_share``, ``action``.

    Example
    -------
    >>> segment_actions(pd.Series([1, 1, 2]), pd.Series(["Champions", "Champions", "Lost"]))["dominant_rfm_segment"].tolist()
    ['Champions', 'Lost']
    """
    if not segments.index.equals(rfm_segment.index):
        raise DataError("segments and rfm_segment must share one index (one row per customer)",
                        rule="aligned inputs")
    counts = pd.crosstab(segments.rename("segment"), rfm_segment.astype(str).rename("rfm"))
    dominant = counts.idxmax(axis=1)
    out = pd.DataFrame({
        "segment": counts.index,
        "dominant_rfm_segment": dominant.to_numpy(),
        "dominant_share": (counts.max(axis=1) / counts.sum(axis=1)).to_numpy(),
    })
    actions = SEGMENT_ACTIONS.set_index("segment")["action"]
    out["action"] = out["dominant_rfm_segment"].map(actions)
    return out


@dataclass
class KMeansSegments:
    """Result of :func:`kmeans_segments`.

    Attributes
    ----------
    labels : Series
        Segment number per customer (1 = highest mean CLV, or mean of the last feature).
    k : int
        Number of segments used.
    profile : DataFrame
        One row per segment: segment, label (plain words), size, share, mean of each
        feature, value share (share of the total of the value feature).
    silhouette : DataFrame
        ``k`` and ``silhouette`` for every k tried (empty when k was given).
    features : list of str
        Features used.
    model : sklearn.cluster.KMeans
        The fitted model (on log1p-transformed, standardised features).
    """

    labels: pd.Series
    k: int
    profile: pd.DataFrame
    silhouette: pd.DataFrame
    features: list[str]
    model: Any = field(repr=False)
    scaler: Any = field(repr=False)


def _signed_log1p(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.log1p(np.abs(v))


def kmeans_segments(
    table: pd.DataFrame,
    features: Sequence[str] = ("frequency", "time_since_last", "expected_avg_value", "clv"),
    k: int | None = None,
    k_range: Iterable[int] = range(2, 9),
    random_state: int = 0,
    sample_size: int = 5000,
) -> KMeansSegments:
    """Data-driven customer segments with K-means on log-scaled RFM / CLV features.

    Complements rule-based RFM segments with groups that follow the data, each with a
    size, a CLV share and a plain-words label for stakeholders.

    The default features mean the same for every customer: repeat purchases, time since
    the last purchase, expected spend per purchase (``expected_avg_value``, the
    Gamma-Gamma estimate: a repeat buyer's own average pulled towards the average
    customer's, and the average customer's for a one-time buyer) and CLV. The observed
    ``monetary_value`` is not one of them: it is the mean over *repeat* purchases, stored
    as 0 for one-time buyers, so clustering on it splits off the one-time buyers as a
    "segment" made by that storage rule alone (on the sample company: all 952 one-time
    buyers and one other customer, and that split decided the number of segments). The
    Gamma-Gamma estimate is preferred to the first purchase's spend because it is what the
    CLV itself uses, is a column of :func:`clv_table` and does not read one basket as a
    customer's habit. Customers known to have left (``known_churned``) have a CLV of 0 and
    may form a segment of their own: a real group, not an artefact; cluster the others
    only if that is not wanted.

    Features are transformed with sign(x)·log1p(|x|) (spend and counts are heavily
    skewed), standardised, and clustered with ``KMeans(n_init=10, random_state)``. When
    ``k`` is None the k in ``k_range`` with the best silhouette score wins; silhouettes are
    computed on a fixed-seed sample of at most ``sample_size`` customers. Segments are
    numbered by decreasing mean of the value feature (``clv`` if used, else the last
    feature). ``time_since_last`` is computed as ``T - recency`` when absent. KMeans runs
    on all rows for every candidate k; for millions of customers pass ``k`` or cluster a
    sample.

    Labels: per segment, the standardised mean of value, frequency and time since last
    purchase is called high / mid / low (> 0.5, between, < -0.5), e.g. "high value,
    frequent, recent".

    Parameters
    ----------
    table : DataFrame
        E.g. :func:`clv_table` output.
    features : sequence of str
        Columns to cluster on (default: frequency, time_since_last, expected_avg_value,
        clv).
    k : int, optional
        Number of segments; chosen by silhouette when None.
    k_range : iterable of int
        Candidate k values.
    random_state : int
        Seed for KMeans and the silhouette sample.
    sample_size : int
        Maximum rows for the silhouette computation.

    Returns
    -------
    KMeansSegments
        ``labels``, ``k``, ``profile``, ``silhouette``, ``features``, ``model``, ``scaler``.

    Examples
    --------
    >>> table = pd.DataFrame({"frequency": [0, 1, 0, 8, 9, 7],
    ...                       "monetary_value": [10.0, 12.0, 9.0, 80.0, 95.0, 70.0]})
    >>> seg = kmeans_segments(table, features=["frequency", "monetary_value"], k=2)
    >>> seg.labels.tolist()
    [2, 2, 2, 1, 1, 1]
    >>> seg.profile[["segment", "label", "size", "monetary_value_share"]].round(2)
       segment                 label  size  monetary_value_share
    0        1  high value, frequent     3                  0.89
    1        2       low value, rare     3                  0.11
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    if not isinstance(table, pd.DataFrame):
        raise data_error("table", None, f"expected a pandas DataFrame, got {type(table).__name__}")
    features = list(features)
    df = table.copy()
    df.attrs = {}
    if (
        "time_since_last" in features
        and "time_since_last" not in df.columns
        and {"T", "recency"} <= set(df.columns)
    ):
        df["time_since_last"] = df["T"] - df["recency"]
    require_columns(df, features, "table", hint="build it with clv_table(), or pass features=")
    X = df[features].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        raise data_error(
            "table", features, "feature values must be finite numbers", df.loc[bad, features]
        )
    n = X.shape[0]
    Z = StandardScaler().fit(_signed_log1p(X))
    Xs = Z.transform(_signed_log1p(X))
    ks = [int(k)] if k is not None else sorted({int(c) for c in k_range})
    if not ks or min(ks) < 2 or max(ks) >= n:
        raise data_error(
            "arguments",
            "k",
            f"k must be between 2 and the number of customers - 1 ({n - 1}); got {ks}",
        )
    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    sil_rows = []
    best = None
    for kk in ks:
        km = KMeans(n_clusters=kk, n_init=10, random_state=random_state).fit(Xs)
        if k is None:
            lab = km.labels_[sample]
            s = float(silhouette_score(Xs[sample], lab)) if np.unique(lab).size > 1 else np.nan
            sil_rows.append({"k": kk, "silhouette": s})
            if best is None or (np.isfinite(s) and s > best[0]):
                best = (s, kk, km)
        else:
            best = (np.nan, kk, km)
    assert best is not None
    _, k_used, km = best
    value_feat = "clv" if "clv" in features else features[-1]
    vi = features.index(value_feat)
    raw_lab = km.labels_
    means_raw = pd.DataFrame(X, columns=features).groupby(raw_lab).mean()
    order = means_raw[value_feat].sort_values(ascending=False, kind="stable").index
    relabel = {old: new for new, old in enumerate(order, start=1)}
    labels = pd.Series(
        pd.Series(raw_lab).map(relabel).to_numpy(), index=table.index, name="segment"
    )

    zmeans = pd.DataFrame(Xs, columns=features).groupby(labels.to_numpy()).mean()

    def level(z: float, words: tuple[str, str, str]) -> str:
        return words[0] if z > 0.5 else words[2] if z < -0.5 else words[1]

    names = {}
    for seg, row in zmeans.iterrows():
        parts = [level(row[value_feat], ("high value", "mid value", "low value"))]
        if "frequency" in features and value_feat != "frequency":
            parts.append(level(row["frequency"], ("frequent", "occasional", "rare")))
        if "time_since_last" in features:
            parts.append(level(-row["time_since_last"], ("recent", "lapsing", "lapsed")))
        names[seg] = ", ".join(parts)
    counts = pd.Series(names).value_counts()
    names = {s: (f"{nm} ({s})" if counts[nm] > 1 else nm) for s, nm in names.items()}

    grp = pd.DataFrame(X, columns=features).groupby(labels.to_numpy())
    prof = grp.mean().add_prefix("mean_")
    prof.insert(0, "share", grp.size() / n)
    prof.insert(0, "size", grp.size())
    prof.insert(0, "label", pd.Series(names))
    total = X[:, vi].sum()
    prof[f"{value_feat}_share"] = grp[value_feat].sum() / total if total != 0 else np.nan
    prof.index.name = "segment"
    prof = prof.reset_index()
    sil = pd.DataFrame(sil_rows, columns=["k", "silhouette"])
    return KMeansSegments(labels, int(k_used), prof, sil, features, km, Z)


# --------------------------------------------------------------------------------------
# Value concentration
# --------------------------------------------------------------------------------------
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
            raise data_error("arguments", "top", f"top shares must be in (0, 1], got {s!r}")
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
            raise data_error(
                "arguments", "points", f"points must be a whole number >= 2, got {points!r}"
            )
        xp = np.linspace(0, 1, int(points))
        y = np.interp(xp, x, y)
        x = xp
    out = pd.DataFrame({"share_of_customers": x, "share_of_value": y})
    out.attrs = {"gini": gini}
    return out
