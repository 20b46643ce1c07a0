"""The CLV forecast: per customer, and in total with an interval.

* :func:`known_cancellations`: who is known to have left by a date (worth 0).
* :func:`clv_table`: one row per customer with p(alive), expected purchases, expected
  spend per purchase and CLV.
* :func:`total_clv_interval`: the total CLV of the base with a parametric-bootstrap
  interval for the models' uncertainty.
* :func:`last_year_spend`: last year's spend of the same customers, split the way the
  forecast treats it (cancelled customers, first purchases, the rest).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from cxkit.clv.bgnbd import BetaGeoFitter, _bg_purchases_if_alive
from cxkit.clv.fitting import _Fitter
from cxkit.clv.gammagamma import GammaGammaFitter
from cxkit.clv.units import MONTH_DAYS, TimeUnit, _check_time_unit, _to_day
from cxkit.errors import FitError, argument_error, data_error, require_columns

__all__ = ["known_cancellations", "clv_table", "total_clv_interval", "last_year_spend"]


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


def _churn_flags(churned: Any, index: pd.Index, name: str = "churned") -> np.ndarray:
    """``churned`` (Series aligned by customer id, or array in row order) as booleans.

    ``name`` is the argument named in errors (``churned``, ``cancelled``).
    """
    if churned is None:
        return np.zeros(len(index), dtype=bool)
    if isinstance(churned, pd.Series):
        if not churned.index.is_unique:
            raise data_error(
                name,
                None,
                "customer ids must be unique",
                churned[churned.index.duplicated(keep=False)].to_frame(),
            )
        if len(churned) and len(index) and not churned.index.isin(index).any():
            raise data_error(
                name,
                None,
                f"no customer id in {name} is in the summary",
                churned.head().to_frame(),
                hint=f"index {name} by the summary's customer ids, e.g. "
                "known_cancellations(cx.customers, as_of)",
            )
        values = churned.reindex(index)
    else:
        arr = np.asarray(churned)
        if arr.shape != (len(index),):
            raise data_error(
                name,
                None,
                f"expected a Series indexed by customer id or {len(index)} values, "
                f"got shape {arr.shape}",
            )
        values = pd.Series(arr, index=index)
    values = values.astype(object).where(values.notna(), False)  # absent: not churned
    bad = ~values.isin([True, False]).to_numpy()
    if bad.any():
        raise data_error(name, None, "values must be true/false", values[bad].to_frame(name))
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
        raise argument_error(name, f"{name} must be a fitted {cls.__name__}, got {type(model).__name__}")
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
    bgf, ggf : purchase model, GammaGammaFitter
        Models fitted on data (``from_params`` models have no covariance). The purchase model
        is a BetaGeoFitter (closed forms, fast) or a ParetoNBDFitter or ModifiedBetaGeoFitter
        (its own forecast recomputed for each draw).
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
    >>> from cxkit.clv import rfm_summary
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
        raise argument_error("n_draws", f"n_draws must be a whole number >= 20, got {n_draws!r}")
    if not 0 < ci < 1:
        raise argument_error("ci", f"ci must be between 0 and 1, got {ci!r}")
    cov_bg = _log_covariance(bgf, _Fitter, "bgf")      # BG/NBD, Pareto/NBD or MBG/NBD
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
    rng = np.random.default_rng(random_state)
    n = int(n_draws)
    bg_draws = np.exp(rng.multivariate_normal(np.log(bgf.params_.to_numpy()), cov_bg, size=n))
    gg_draws = np.exp(rng.multivariate_normal(np.log(ggf.params_.to_numpy()), cov_gg, size=n))
    if isinstance(bgf, BetaGeoFitter):     # BG/NBD: the fast closed forms, shared work done once
        totals = _TotalCLV(x, tx, T, m, horizon_months, discount_rate, unit_days)
        draws = np.array([totals.total(bg, gg) for bg, gg in zip(bg_draws, gg_draws, strict=True)])
    else:                                   # another purchase model: its own forecast for each draw
        draws = np.array([_drawn_total(summary, type(bgf), bgf.params_.index, bg, gg, cancelled=table["known_churned"],
                                       horizon_months=horizon_months, discount_rate=discount_rate,
                                       time_unit=time_unit) for bg, gg in zip(bg_draws, gg_draws, strict=True)])
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


def _drawn_total(summary: pd.DataFrame, model: type, names: Any, bg: np.ndarray, gg: np.ndarray, *,
                 cancelled: pd.Series, horizon_months: int, discount_rate: float, time_unit: TimeUnit) -> float:
    """The total CLV of the live customers with a purchase model's parameters set to one draw."""
    purchases = model.from_params(**dict(zip(names, bg, strict=True)))
    spend = GammaGammaFitter.from_params(**dict(zip(GammaGammaFitter._param_names, gg, strict=True)))
    table = clv_table(summary, purchases, spend, horizon_months=horizon_months, discount_rate=discount_rate,
                      time_unit=time_unit, churned=cancelled)
    return float(table["clv"].sum())


def last_year_spend(
    summary: pd.DataFrame,
    period_spend: pd.Series,
    *,
    period_start: Any,
    cancelled: Any = None,
) -> pd.DataFrame:
    """Last year's spend of the forecast's customers, split the way the forecast treats it.

    A board sets the CLV forecast beside what the same customers spent last year and reads
    any gap as growth or decline. Two parts of last year's spend have no counterpart in the
    forecast: the spend of customers who have since cancelled (forecast as zero) and the
    first purchases of customers who joined during the year (the forecast is of repeat
    purchases; a first purchase is not repeated). This gives both amounts, for
    :func:`cxkit.clv.sentences.clv_total_sentence`.

    Rules: ``spend`` is ``period_spend`` summed over the customers of ``summary`` (ids
    absent from ``period_spend`` spent 0). ``from_cancelled`` is the part of it spent by
    customers in ``cancelled``. ``first_purchases`` is, for the other customers whose
    first purchase day falls on or after ``period_start``, the spend of that first day
    (``total_spend - frequency * monetary_value``), never more than the customer's spend in
    the period (a refund later in the period can take it below), so nothing is taken off
    twice. ``rest`` is what is left: last year's spend of repeat purchases by customers
    still with us.

    Parameters
    ----------
    summary : DataFrame
        Output of :func:`rfm_summary`, indexed by customer id (``frequency``,
        ``monetary_value``, ``total_spend``, ``first_purchase``).
    period_spend : Series
        Spend in the period (purchases minus refunds) by customer id, e.g.
        ``cx.customer_value(period_start=..., period_end=as_of).set_index("customer_id")["period_spend"]``.
    period_start : date-like
        First day of the period ``period_spend`` covers.
    cancelled : Series of bool, array or column name, optional
        Customers known to have left (:func:`known_cancellations`, or the ``known_churned``
        column of :func:`clv_table` as a Series), as for :func:`clv_table`; a column name
        of ``summary`` also works. None: no customer is known to have left.

    Returns
    -------
    DataFrame
        One row: ``spend``, ``from_cancelled``, ``first_purchases``, ``rest``,
        ``n_customers``, ``n_cancelled`` (customers known to have left), ``n_new`` (other
        customers whose first purchase fell in the period).

    Example
    -------
    >>> s = pd.DataFrame({"frequency": [2, 0, 1], "monetary_value": [30.0, 0.0, 50.0],
    ...                   "total_spend": [100.0, 25.0, 90.0],
    ...                   "first_purchase": pd.to_datetime(["2024-02-01", "2025-03-01", "2025-02-10"])},
    ...                  index=pd.Index(["a", "b", "c"], name="customer_id"))
    >>> spend = pd.Series({"a": 60.0, "b": 25.0, "c": 90.0})
    >>> out = last_year_spend(s, spend, period_start="2024-07-01", cancelled=pd.Series({"c": True}))
    >>> out[["spend", "from_cancelled", "first_purchases", "rest", "n_new"]]
       spend  from_cancelled  first_purchases  rest  n_new
    0  175.0            90.0             25.0  60.0      1
    """
    require_columns(summary, ["frequency", "monetary_value", "total_spend", "first_purchase"], "summary",
                    hint="build it with rfm_summary()")
    if not isinstance(period_spend, pd.Series):
        raise data_error("period_spend", None, f"expected a Series indexed by customer id, got "
                         f"{type(period_spend).__name__}")
    if not period_spend.index.is_unique:
        raise data_error("period_spend", None, "customer ids must be unique",
                         period_spend[period_spend.index.duplicated(keep=False)].to_frame())
    start = pd.Timestamp(period_start)
    if pd.isna(start):
        raise argument_error("period_start", "period_start must be a date")
    if isinstance(cancelled, str):
        require_columns(summary, [cancelled], "summary", hint="pass the true/false column of cancellations")
        cancelled = summary[cancelled].to_numpy()
    gone = _churn_flags(cancelled, summary.index, name="cancelled")
    spend = pd.to_numeric(period_spend, errors="coerce").reindex(summary.index).fillna(0.0).to_numpy(dtype=float)
    first_day = (summary["total_spend"].to_numpy(dtype=float)
                 - summary["frequency"].to_numpy(dtype=float) * summary["monetary_value"].to_numpy(dtype=float))
    first = pd.to_datetime(summary["first_purchase"]).to_numpy()
    new = (first >= np.datetime64(start.tz_localize(None) if start.tzinfo else start)) & ~gone
    first_part = np.minimum(np.clip(first_day, 0, None), np.clip(spend, 0, None))
    total = float(spend.sum())
    from_left = float(spend[gone].sum())
    firsts = float(first_part[new].sum())
    return pd.DataFrame([{
        "spend": total,
        "from_cancelled": from_left,
        "first_purchases": firsts,
        "rest": total - from_left - firsts,
        "n_customers": len(summary),
        "n_cancelled": int(gone.sum()),
        "n_new": int(new.sum()),
    }])
