"""Each customer's experience in one row: how satisfied, and how many bad contacts.

Churn, CLV and driver analyses all ask the same thing of the survey and service
tables: *what did this customer go through?* ``customer_experience`` answers it once,
per customer, so every notebook groups customers the same way.

Example
-------
>>> exp = customer_experience(cx.surveys, cx.contacts, as_of=cx.as_of)   # doctest: +SKIP
>>> exp[["customer_id", "csat_mean", "n_bad_contacts"]].head()            # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cxkit.comparisons import CANCELLED_COLUMN, compare_values, population_of
from cxkit.errors import DataError, data_error, require_columns

__all__ = ["bad_contacts", "customer_experience", "satisfaction_level", "bad_experience_band", "value_by_experience",
           "compare_value_by_experience"]


def bad_contacts(
    contacts: pd.DataFrame,
    *,
    long_wait: float | Mapping[str, float] | None = None,
    long_wait_quantile: float = 0.9,
) -> pd.DataFrame:
    """Flag each contact that went badly: not resolved first time, or a long wait.

    What customers remember of service is the contact that failed them. A wait is
    *long* when it exceeds ``long_wait`` (minutes; one number, or one per channel) or,
    by default, the channel's own ``long_wait_quantile`` (90th percentile), so channels
    with very different norms (chat vs email) are judged on their own terms.

    Returns
    -------
    The contacts with boolean columns ``unresolved``, ``long_wait`` and ``bad``
    (either), plus the ``wait_threshold`` applied to each row.

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": ["a", "b"], "channel": ["chat", "chat"],
    ...     "wait_minutes": [1.0, 30.0], "resolved_first_contact": [True, True]})
    >>> bad_contacts(c, long_wait=10)["bad"].tolist()
    [False, True]
    """
    require_columns(contacts, ["customer_id", "channel", "wait_minutes", "resolved_first_contact"], "contacts")
    out = contacts.copy()
    if long_wait is None:
        threshold = out.groupby("channel")["wait_minutes"].transform(lambda w: w.quantile(long_wait_quantile))
    elif isinstance(long_wait, Mapping):
        missing = sorted(set(out["channel"]) - set(long_wait))
        if missing:
            raise DataError(f"long_wait has no threshold for channel(s) {missing}", table="contacts",
                            column="channel", rule="threshold per channel")
        threshold = out["channel"].map(long_wait).astype(float)
    else:
        threshold = pd.Series(float(long_wait), index=out.index)
    out["wait_threshold"] = threshold
    out["unresolved"] = ~out["resolved_first_contact"].fillna(True).astype(bool)
    out["long_wait"] = out["wait_minutes"] > threshold
    out["bad"] = out["unresolved"] | out["long_wait"]
    return out


def customer_experience(
    surveys: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    *,
    customers: pd.DataFrame | None = None,
    as_of: Any = None,
    **bad_contact_options: Any,
) -> pd.DataFrame:
    """One row per customer: survey answers summarised and bad contacts counted.

    Parameters
    ----------
    surveys : validated survey responses (optional).
    contacts : validated contacts (optional).
    customers : optional customers table, so customers with no survey and no contact
        appear too (with zero contacts and missing scores).
    as_of : only rows dated on or before it count (default: all).
    **bad_contact_options : passed to :func:`bad_contacts` (``long_wait``...).

    Returns
    -------
    DataFrame with ``customer_id``, ``n_responses``, ``csat_mean``, ``csat_last``,
    ``nps_last``, ``n_contacts``, ``n_unresolved``, ``n_long_wait``, ``n_bad_contacts``
    (columns only for tables given), sorted by customer.

    Example
    -------
    >>> s = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2025-01-01", "2025-06-01"]),
    ...     "csat": [2, 4], "nps": [5, 9]})
    >>> customer_experience(s)[["csat_mean", "csat_last"]].iloc[0].tolist()
    [3.0, 4.0]
    """
    if surveys is None and contacts is None:
        raise DataError("customer_experience needs surveys, contacts or both", rule="table present")
    parts = []
    as_of = pd.Timestamp(as_of) if as_of is not None else None
    if surveys is not None:
        s = surveys if as_of is None else surveys[surveys["date"] <= as_of]
        s = s.sort_values(["customer_id", "date"], kind="mergesort")
        g = s.groupby("customer_id", sort=True)
        block = pd.DataFrame({"n_responses": g.size()})
        for col in ("csat", "nps", "ces"):
            if col in s:
                values = s[col].astype(float)
                block[f"{col}_mean"] = values.groupby(s["customer_id"]).mean()
                block[f"{col}_last"] = values.groupby(s["customer_id"]).last()
        parts.append(block)
    if contacts is not None:
        c = contacts if as_of is None else contacts[contacts["date"] <= as_of]
        flagged = bad_contacts(c, **bad_contact_options)
        g = flagged.groupby("customer_id", sort=True)
        parts.append(pd.DataFrame({
            "n_contacts": g.size(),
            "n_unresolved": g["unresolved"].sum(),
            "n_long_wait": g["long_wait"].sum(),
            "n_bad_contacts": g["bad"].sum(),
        }))
    out = pd.concat(parts, axis=1).sort_index()
    if customers is not None:
        out = out.reindex(pd.Index(customers["customer_id"]).union(out.index))
    count_cols = [c for c in ("n_responses", "n_contacts", "n_unresolved", "n_long_wait", "n_bad_contacts") if c in out]
    out[count_cols] = out[count_cols].fillna(0).astype(int)
    out.index.name = "customer_id"
    return out.reset_index()


def satisfaction_level(csat: pd.Series) -> pd.Series:
    """Readable satisfaction bands from a customer's mean CSAT (1-5).

    Example
    -------
    >>> satisfaction_level(pd.Series([1.5, 3.0, 4.5, None])).tolist()
    ['dissatisfied (1-2)', 'neutral (3)', 'satisfied (4-5)', 'no survey']
    """
    bins = [-np.inf, 2.5, 3.5, np.inf]
    labels = ["dissatisfied (1-2)", "neutral (3)", "satisfied (4-5)"]
    out = pd.cut(csat.astype(float), bins=bins, labels=labels).astype(object)
    return out.where(csat.notna(), "no survey").rename("satisfaction_level")


def bad_experience_band(counts: pd.Series, top: int = 3) -> pd.Series:
    """Bands of bad-contact counts: ``0``, ``1``, ... and ``{top}+``.

    Example
    -------
    >>> bad_experience_band(pd.Series([0, 1, 2, 5]), top=2).tolist()
    ['0', '1', '2+', '2+']
    """
    c = counts.fillna(0).astype(int)
    return c.clip(upper=top).astype(str).where(c < top, f"{top}+").rename("bad_contacts")


def _link(values: pd.DataFrame, experience: pd.DataFrame, columns: list[str], population: str,
          cancelled: str | pd.Series | None) -> tuple[pd.DataFrame, dict]:
    """The customers compared (``population``), each with their experience columns."""
    require_columns(values, columns, "values")
    require_columns(experience, ["customer_id"], "experience", hint="build it with customer_experience()")
    dup = experience["customer_id"].duplicated(keep=False)
    if dup.any():
        raise data_error("experience", "customer_id", "one row per customer expected", experience[dup],
                         hint="build it with customer_experience()")
    kept, info = population_of(values, population=population, cancelled=cancelled, table="values")
    extra = [c for c in experience.columns if c != "customer_id" and c not in kept.columns]
    return kept.join(experience.set_index("customer_id")[extra], how="left"), info


def _dimensions(linked: pd.DataFrame, top_bad: int) -> dict[str, pd.Series]:
    dims = {}
    if "csat_mean" in linked:
        dims["satisfaction_level"] = satisfaction_level(linked["csat_mean"])
    if "n_bad_contacts" in linked:
        dims["bad_contacts"] = bad_experience_band(linked["n_bad_contacts"], top=top_bad)
    if not dims:
        raise DataError("table 'experience': has neither csat_mean nor n_bad_contacts (build it with "
                        "customer_experience() from surveys and/or contacts)", table="experience",
                        column=["csat_mean", "n_bad_contacts"], rule="experience columns")
    return dims


def value_by_experience(
    values: pd.DataFrame,
    experience: pd.DataFrame,
    *,
    value_col: str = "clv",
    alive_col: str | None = "p_alive",
    top_bad: int = 3,
    population: str = "active",
    cancelled: str | pd.Series | None = CANCELLED_COLUMN,
) -> pd.DataFrame:
    """Customer value by satisfaction level and by number of bad contacts, in one tidy table.

    Where experience pays off or costs shows in what customers are worth. Only the
    dimensions the experience table has are included (satisfaction needs
    ``csat_mean``, bad contacts need ``n_bad_contacts``).

    Among active customers by default: a customer who has cancelled is worth 0 in a
    forecast, so a group with more cancellations (often the dissatisfied) would look worth
    less, or a group with fewer look worth more, for that reason alone. The customers left
    out are counted in ``attrs["exclusions"]`` and the ``population`` column says who was
    compared (:func:`cxkit.comparisons.population_of`).

    Parameters
    ----------
    values : one row per customer, indexed by customer id, with ``value_col`` (e.g.
        :func:`cxkit.clv.clv_table`, whose ``known_churned`` column marks who has left).
    experience : output of :func:`customer_experience`.
    value_col, alive_col : the value, and a column averaged per group (None: left out).
    top_bad : bad-contact counts from ``top_bad`` up form one band.
    population : ``"active"`` (default) or ``"all"`` (cancelled customers included).
    cancelled : who has left: a true/false column of ``values`` (default ``"known_churned"``,
        used when present), a boolean Series by customer id
        (:func:`cxkit.clv.known_cancellations`), or None (not known).

    Returns
    -------
    DataFrame: ``dimension``, ``group``, ``on_scale`` (False for "no survey", which is
    not a point of the satisfaction scale), ``customers``, ``mean_<value>`` with its 95%
    t-interval ``ci_low``/``ci_high``, ``median_<value>`` (and mean ``alive_col``),
    ``population``. ``attrs``: ``population``, ``n_cancelled`` (customers known to have
    left), ``exclusions`` (list of ``{"table", "rule", "n_rows", "n_customers"}``, each an
    :class:`cxkit.exclusions.Exclusion` as ``record("result")``; show with
    :func:`cxkit.spend.left_out`).

    Example
    -------
    >>> v = pd.DataFrame({"clv": [10.0, 50.0, 0.0], "known_churned": [False, False, True]},
    ...                  index=pd.Index(["a", "b", "c"], name="customer_id"))
    >>> e = pd.DataFrame({"customer_id": ["a", "b", "c"], "n_bad_contacts": [0, 4, 5]})
    >>> out = value_by_experience(v, e, alive_col=None)
    >>> out[["group", "customers", "population"]].values.tolist()
    [['0', 1, 'active customers'], ['3+', 1, 'active customers']]
    >>> out.attrs["exclusions"][0]["n_customers"]
    1
    """
    cols = [value_col] + ([alive_col] if alive_col else [])
    linked, info = _link(values, experience, cols, population, cancelled)
    dims = _dimensions(linked, top_bad)
    aggs = {"customers": (value_col, "size"), f"mean_{value_col}": (value_col, "mean"),
            f"median_{value_col}": (value_col, "median")}
    if alive_col:
        aggs[alive_col] = (alive_col, "mean")
    aggs["_sd"] = (value_col, "std")
    parts = [linked.groupby(d, sort=True).agg(**aggs).rename_axis("group").reset_index().assign(dimension=name)
             for name, d in dims.items()]
    out = pd.concat(parts, ignore_index=True)
    n = out["customers"].astype(float)
    half = stats.t.ppf(0.975, (n - 1).clip(lower=1)) * out["_sd"] / np.sqrt(n)
    out["ci_low"] = out[f"mean_{value_col}"] - half.where(n > 1)
    out["ci_high"] = out[f"mean_{value_col}"] + half.where(n > 1)
    out["on_scale"] = out["group"] != "no survey"
    out["population"] = info["population"]
    cols = ["dimension", "group", "on_scale", "customers", f"mean_{value_col}", "ci_low", "ci_high",
            f"median_{value_col}"] + ([alive_col] if alive_col else []) + ["population"]
    out = out[cols]
    out.attrs = info
    return out


def compare_value_by_experience(
    values: pd.DataFrame,
    experience: pd.DataFrame,
    *,
    a: Any = "dissatisfied (1-2)",
    b: Any = "satisfied (4-5)",
    dimension: str = "satisfaction_level",
    value_col: str = "clv",
    top_bad: int = 3,
    ci: float = 0.95,
    population: str = "active",
    cancelled: str | pd.Series | None = CANCELLED_COLUMN,
) -> pd.DataFrame:
    """Are customers of one experience group worth more than another? Means and medians, tested.

    The test behind a sentence such as "dissatisfied customers are worth more": Welch on
    the means and Mann-Whitney on the distributions
    (:func:`cxkit.comparisons.compare_values`), among active customers by default, so
    that a group is not made to look worth less by holding more customers who have
    already cancelled (worth 0).

    Parameters
    ----------
    values, experience, value_col, top_bad, population, cancelled : as in
        :func:`value_by_experience`.
    a, b : the groups compared (a group of ``dimension``, or a list of groups); ``b=None``:
        every other customer with a group.
    dimension : ``"satisfaction_level"`` (from ``csat_mean``; groups as
        :func:`satisfaction_level`) or ``"bad_contacts"`` (groups ``"0"``, ``"1"``, ...,
        ``"3+"``).
    ci : coverage of the interval on the difference in means.

    Returns
    -------
    One-row DataFrame: ``dimension``, then the columns of
    :func:`cxkit.comparisons.compare_values` (``population``, ``n_cancelled_left_out``
    included). ``attrs``: ``population``, ``n_cancelled``, ``exclusions``. A group with
    fewer than 2 customers raises :class:`cxkit.DataError`.

    Example
    -------
    >>> v = pd.DataFrame({"clv": [50.0, 60.0, 0.0, 20.0, 30.0, 0.0],
    ...                   "known_churned": [False, False, True, False, False, True]},
    ...                  index=pd.Index(list("abcdef"), name="customer_id"))
    >>> e = pd.DataFrame({"customer_id": list("abcdef"), "csat_mean": [1.0, 2.0, 1.0, 5.0, 4.0, 4.5]})
    >>> compare_value_by_experience(v, e)[["n_a", "n_b", "mean_a", "mean_b", "n_cancelled_left_out"]]
       n_a  n_b  mean_a  mean_b  n_cancelled_left_out
    0    2    2    55.0    25.0                     2
    """
    linked, info = _link(values, experience, [value_col], population, cancelled)
    dims = _dimensions(linked, top_bad)
    if dimension not in dims:
        raise DataError(f"table 'experience': dimension {dimension!r} needs "
                        f"{'csat_mean' if dimension == 'satisfaction_level' else 'n_bad_contacts'}; "
                        f"available: {sorted(dims)}", table="experience", column=dimension,
                        rule="dimension is satisfaction_level or bad_contacts")
    frame = pd.DataFrame({value_col: linked[value_col], dimension: dims[dimension]})
    try:
        out = compare_values(frame, value_col, by=dimension, a=a, b=b, ci=ci, population="all", cancelled=None)
    except DataError as err:
        raise DataError(f"{err} ({info['population']}; {info['n_cancelled']} cancelled customers known)",
                        table="values", column=dimension, rule="group size") from err
    out["population"] = info["population"]
    out["n_cancelled_left_out"] = sum(e["n_customers"] for e in info["exclusions"])
    out.insert(0, "dimension", dimension)
    out.attrs = info
    return out
