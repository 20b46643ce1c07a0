"""Transactions -> one row per customer: frequency, recency, T and monetary value.

Holds :func:`rfm_summary` (the input of BG/NBD, Gamma-Gamma and RFM scores),
:func:`calibration_holdout_split` (the same summary up to a calibration end, with what
each customer did in the holdout that followed) and :func:`exclusions_table` (the rows
either left out, by rule).

The rules both share: rows are merged into purchase days (one per customer and calendar
day, spend netted), refunds are netted, dropped or refused (``refunds=``), zero-spend
days are purchase days or not (``zero_spend_days=``), and every row left out is counted
under one rule in ``attrs["exclusions"]``.

Money is decided in whole minor units (cents for ``minor_unit_digits=2``): each amount is
rounded to the minor unit, half away from zero (:func:`cxkit.units.to_minor_units`), and a day's
netting, the zero-amount rule and the refund test work on those integers, so a day of
0.10 + 0.20 - 0.30 nets to exactly 0 (a float sum leaves 5.6e-17). Spend is reported in
currency units: ``total_spend`` = cents / 100, ``monetary_value`` = cents / (days * 100),
computed the same way by the DuckDB and Spark engines, so the three give identical floats.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxkit.errors import argument_error, check_choice, data_error

# The wording of every exclusion rule and refusal (cxkit.exclusions) and the money and day
# arithmetic (cxkit.units) are shared with the engines, so that DuckDB, Spark and pandas
# report left-out rows under the same names and count the same cents.
from cxkit.exclusions import (
    EXCLUDED_AFTER_AS_OF,
    EXCLUDED_AFTER_OBSERVATION_END,
    EXCLUDED_BEFORE_CALIBRATION_START,
    EXCLUDED_BEFORE_START,
    EXCLUDED_HOLDOUT_NEW_CUSTOMERS,
    EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS,
    EXCLUDED_NO_PURCHASE_DAY,
    EXCLUDED_NOT_PURCHASE_DAYS,
    EXCLUDED_REFUNDS_DROPPED,
    NO_CALIBRATION_PURCHASE_DAY,
    NO_CALIBRATION_ROWS,
    NO_PURCHASE_DAY,
    NO_ROWS_LEFT,
    REFUSED_REFUNDS,
    REFUSED_REFUNDS_HINT,
    Exclusion,
    exclusion_table,
)
from cxkit.units import (
    MINOR_UNIT_DIGITS,
    TimeUnit,
    day_number,
    day_timestamp,
    days_per_unit,
    minor_unit_scale,
    spend_per_day,
    to_minor_units,
)


@dataclass
class _Tx:
    """Validated transactions as flat arrays."""

    codes: np.ndarray  # int64 customer code per row
    uniques: pd.Index  # customer id per code
    days: np.ndarray  # int64 day number per row
    amounts: np.ndarray  # float64 per row
    cents: np.ndarray  # int64 minor units per row (to_minor_units)
    frame: pd.DataFrame  # the original table (for offending-row reports)


def _validate_transactions(
    transactions: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str,
    table: str = "transactions",
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
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
        codes.astype(np.int64), pd.Index(uniques, name=customer_col), days, values,
        to_minor_units(values, minor_unit_digits), transactions
    )


def _day_level(codes: np.ndarray, days: np.ndarray, cents: np.ndarray) -> tuple[np.ndarray, ...]:
    """Merge rows into (customer, day) cells: code, day, net spend (int64 minor units), rows, refund rows (sorted)."""
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
    a = cents[order]
    net = np.add.reduceat(a, starts)
    n_neg = np.add.reduceat((a < 0).astype(np.int64), starts)
    n_rows = np.diff(np.r_[starts, len(order)])
    return cell_code, cell_day, net, n_rows, n_neg


class _Exclusions:
    """The rules that left rows out of one summary, in the order they were applied."""

    def __init__(self) -> None:
        self.items: list[Exclusion] = []

    def add(self, rule: str, n_rows: int, n_customers: int) -> None:
        if n_rows or n_customers:
            self.items.append(Exclusion("", rule, n_rows, customers=n_customers))

    @property
    def records(self) -> list[dict[str, Any]]:
        """The summary's ``attrs["exclusions"]``: ``{"rule", "n_rows", "n_customers"}`` per rule."""
        return [e.record("summary") for e in self.items]


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
    scale: float = 100.0,
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
            EXCLUDED_NOT_PURCHASE_DAYS.format(or_zero=", or zero" if zero_spend_days == "exclude" else ""),
            cell_rows[other].sum(),
            _n_customers(cell_code[other]),
        )
    if lost_cell.any():
        excl.add(
            EXCLUDED_NO_PURCHASE_DAY,
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
    mv = spend_per_day(total - pn[cstarts], freq, scale)
    return {
        "code": pc[cstarts],
        "frequency": freq.astype(np.int64),
        "recency": (last - first) / unit_days,
        "T": (as_of_day - first) / unit_days,
        "monetary_value": mv,
        "first_day": first,
        "last_day": last,
        "n_purchase_days": n_days.astype(np.int64),
        "total_spend": total / scale,
    }


def _is_purchase(net: np.ndarray, n_neg: np.ndarray, zero_spend_days: str) -> np.ndarray:
    """Purchase days: net minor units above 0, or (``zero_spend_days="purchase"``) 0 with no refund row."""
    purchase = net > 0
    if zero_spend_days == "purchase":
        purchase |= (net == 0) & (n_neg == 0)
    return purchase


def _days_to_datetime(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def _apply_refund_rule(
    tx_mask: np.ndarray,
    cents: np.ndarray,
    refunds: str,
    tx: _Tx,
    amount_col: str,
    excl: _Exclusions,
    table: str,
) -> np.ndarray:
    neg = (cents < 0) & tx_mask
    if refunds == "raise" and neg.any():
        raise data_error(
            table,
            amount_col,
            REFUSED_REFUNDS,
            tx.frame[neg],
            hint=REFUSED_REFUNDS_HINT,
        )
    if refunds == "drop" and neg.any():
        excl.add(EXCLUDED_REFUNDS_DROPPED, neg.sum(), _n_customers(tx.codes[neg]))
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
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
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
    * Money is netted in whole minor units: each amount is rounded to
      ``minor_unit_digits`` decimals (half away from zero, :func:`to_minor_units`) before
      a day is netted, so 0.10 + 0.20 - 0.30 is exactly 0 and a row of -0.004 is a zero
      row, not a refund.
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
    minor_unit_digits : int
        Decimals of the currency's minor unit (2: cents; 0 for yen). Spend is netted and
        summed in these units and reported in currency units.

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
    unit_days = days_per_unit(time_unit)
    check_choice(refunds, ("net", "drop", "raise"), "refunds")
    check_choice(after_as_of, ("raise", "exclude"), "after_as_of")
    check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    scale = minor_unit_scale(minor_unit_digits)
    table = "transactions"
    tx = _validate_transactions(transactions, customer_col, date_col, amount_col, table, minor_unit_digits)
    excl = _Exclusions()
    as_of_day = int(tx.days.max()) if as_of is None else day_number(as_of, "as_of")

    keep = np.ones(tx.days.size, dtype=bool)
    after = tx.days > as_of_day
    if after.any():
        if after_as_of == "raise":
            raise data_error(
                table,
                date_col,
                f"transactions dated after as_of ({day_timestamp(as_of_day):%Y-%m-%d})",
                transactions[after],
                hint=(
                    "filter the table to the observation period first, or pass "
                    "after_as_of='exclude' to leave them out (they are then counted in "
                    "summary.attrs['exclusions'])"
                ),
            )
        excl.add(EXCLUDED_AFTER_AS_OF, after.sum(), _n_customers(tx.codes[after]))
        keep &= ~after
    if observation_start is not None:
        start_day = day_number(observation_start, "observation_start")
        if start_day > as_of_day:
            raise argument_error("observation_start", "observation_start is after as_of")
        before = tx.days < start_day
        if before.any():
            excl.add(
                EXCLUDED_BEFORE_START, before.sum(), _n_customers(tx.codes[before])
            )
            keep &= ~before
    keep = _apply_refund_rule(keep, tx.cents, refunds, tx, amount_col, excl, table)
    if not keep.any():
        raise data_error(
            table, date_col, NO_ROWS_LEFT, None
        )

    cells = _day_level(tx.codes[keep], tx.days[keep], tx.cents[keep])
    res = _summarise_cells(*cells, as_of_day, unit_days, excl, zero_spend_days, scale)
    if not res:
        raise data_error(
            table,
            amount_col,
            NO_PURCHASE_DAY,
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
        "as_of": day_timestamp(as_of_day),
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
        Columns ``rule``, ``n_rows``, ``n_customers`` (empty when nothing was left out):
        :func:`cxkit.exclusions.exclusion_table` in its ``"summary"`` shape.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2],
    ...                    "date": ["2024-01-01", "2024-03-01", "2024-01-03"],
    ...                    "amount": [20.0, 30.0, 15.0]})
    >>> exclusions_table(rfm_summary(tx, as_of="2024-01-31", after_as_of="exclude"))
                         rule  n_rows  n_customers
    0  rows dated after as_of       1            1
    """
    return exclusion_table(summary.attrs.get("exclusions", []), "summary")


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
    minor_unit_digits: int = MINOR_UNIT_DIGITS,
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
    minor_unit_digits : int
        Decimals of the currency's minor unit (see :func:`rfm_summary`).

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
    unit_days = days_per_unit(time_unit)
    check_choice(refunds, ("net", "drop", "raise"), "refunds")
    check_choice(zero_spend_days, ("exclude", "purchase"), "zero_spend_days")
    scale = minor_unit_scale(minor_unit_digits)
    table = "transactions"
    cal_day = day_number(calibration_end, "calibration_end")
    obs_day = day_number(observation_end, "observation_end")
    if obs_day <= cal_day:
        raise argument_error("observation_end", "observation_end must be after calibration_end")
    tx = _validate_transactions(transactions, customer_col, date_col, amount_col, table, minor_unit_digits)
    excl = _Exclusions()
    keep = np.ones(tx.days.size, dtype=bool)
    after = tx.days > obs_day
    if after.any():
        excl.add(EXCLUDED_AFTER_OBSERVATION_END, after.sum(), _n_customers(tx.codes[after]))
        keep &= ~after
    if calibration_start is not None:
        start_day = day_number(calibration_start, "calibration_start")
        before = tx.days < start_day
        if before.any():
            excl.add(
                EXCLUDED_BEFORE_CALIBRATION_START, before.sum(), _n_customers(tx.codes[before])
            )
            keep &= ~before
    keep = _apply_refund_rule(keep, tx.cents, refunds, tx, amount_col, excl, table)
    cal = keep & (tx.days <= cal_day)
    if not cal.any():
        raise data_error(table, date_col, NO_CALIBRATION_ROWS, None)
    res = _summarise_cells(
        *_day_level(tx.codes[cal], tx.days[cal], tx.cents[cal]),
        cal_day,
        unit_days,
        excl,
        zero_spend_days,
        scale,
    )
    if not res:
        raise data_error(
            table, amount_col, NO_CALIBRATION_PURCHASE_DAY, None
        )
    out = _summary_frame(res, tx.uniques, time_unit, cal_day, excl)
    out = out[["frequency", "recency", "T", "monetary_value"]].add_suffix("_cal")

    hold = keep & (tx.days > cal_day)
    freq_h = np.zeros(len(out), dtype=np.int64)
    spend_cents = np.zeros(len(out), dtype=np.int64)
    if hold.any():
        hc, _, hnet, hrows, hneg = _day_level(tx.codes[hold], tx.days[hold], tx.cents[hold])
        ok = _is_purchase(hnet, hneg, zero_spend_days)
        known = np.isin(hc, res["code"])
        new_rows = hrows[~known].sum()
        if new_rows:
            excl.add(
                EXCLUDED_HOLDOUT_NEW_CUSTOMERS,
                new_rows,
                _n_customers(hc[~known]),
            )
        skip = known & ~ok
        if skip.any():
            excl.add(
                EXCLUDED_HOLDOUT_NOT_PURCHASE_DAYS,
                hrows[skip].sum(),
                _n_customers(hc[skip]),
            )
        sel = known & ok
        pos = pd.Index(res["code"]).get_indexer(hc[sel])
        freq_h = np.bincount(pos, minlength=len(out)).astype(np.int64)
        np.add.at(spend_cents, pos, hnet[sel])
    out["frequency_holdout"] = freq_h
    out["monetary_value_holdout"] = spend_per_day(spend_cents, freq_h, scale)
    out["duration_holdout"] = (obs_day - cal_day) / unit_days
    out["spend_holdout"] = spend_cents / scale
    out.attrs = {
        "time_unit": time_unit,
        "as_of": day_timestamp(cal_day),
        "observation_end": day_timestamp(obs_day),
        "exclusions": excl.records,
    }
    return out
