"""Who is followed, from when to when: the follow-up every survival table shares.

Customers kept and their days at risk, the static covariates attached to them, and the
record of what was left out (the rules are in :mod:`cxkit.survival.tables`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxkit.errors import argument_error, check_choice, data_error, require_columns
from cxkit.exclusions import Exclusion
from cxkit.parsing import parse_timestamp

#: Contact counts carried by every table built from contacts (cumulative to a day).
CONTACT_COUNTS = ("cum_contacts", "cum_unresolved", "cum_long_wait", "cum_bad_contacts")

#: Columns the survival tables write themselves: no covariate may take these names.
RESERVED = frozenset({"customer_id", "tenure", "churned", "start", "stop", "event", "duration", "landmark",
                      "latest_csat", "has_csat", *CONTACT_COUNTS})


def _covariate_list(covariates: str | Sequence[str] | None) -> list[str]:
    if covariates is None:
        return []
    out = [covariates] if isinstance(covariates, str) else list(covariates)
    clash = sorted(RESERVED & set(out))
    if clash:
        raise argument_error("covariates", f"covariates may not be named {clash} (reserved output columns)")
    return out


_N_EXAMPLES = 5  # example customers shown per exclusion rule
_NO_STATIC = "no value in the static covariates (see the static covariates' report)"


# --------------------------------------------------------------------------- dates


def _as_of(as_of: Any) -> np.datetime64:
    ts = parse_timestamp(as_of, name="as_of")  # the data contract's reading of a user's date
    if ts is None or pd.isna(ts):
        raise argument_error("as_of", "as_of is required (the analysis date)")
    return np.datetime64(ts.normalize(), "D")


def _days(values: pd.Series) -> np.ndarray:
    """Calendar days (datetime64[D]) of a date column; time of day and zone dropped."""
    s = pd.to_datetime(values)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


# --------------------------------------------------------------------------- follow-up


@dataclass
class _FollowUp:
    """Customers kept, with sign-up day, tenure (days) and churn flag as arrays."""

    frame: pd.DataFrame  # the kept customers rows, positional index 0..n-1
    signup: np.ndarray  # datetime64[D]
    tenure: np.ndarray  # int64 days
    churned: np.ndarray  # bool
    as_of: np.datetime64 | None
    exclusions: list[Exclusion] = field(default_factory=list)  # rows left out, by rule
    notes: list[Exclusion] = field(default_factory=list)  # rows kept but not used ("rows not used")
    static: pd.DataFrame | None = None  # static covariates, one row per kept customer (positional)
    dropped: pd.Index = field(default_factory=lambda: pd.Index([]))  # ids left out for want of static covariates

    @property
    def ids(self) -> pd.Index:
        return pd.Index(self.frame["customer_id"])

    def exclude(self, exclusion: Exclusion) -> None:
        """Report ``exclusion`` if its rule left any rows out (a rule that left none is not listed)."""
        if exclusion.rows:
            self.exclusions.append(exclusion)

    def static_at(self, pos: np.ndarray) -> pd.DataFrame:
        """The static covariates of the customers at ``pos`` (no columns without ``static=``)."""
        if self.static is None:
            return pd.DataFrame(index=range(len(pos)))
        return self.static.iloc[pos].reset_index(drop=True)

    def attrs(self) -> dict[str, Any]:
        """The tables' ``attrs``: exclusions and notes as ``{"table", "rule", "n_rows", "n_customers"}``."""
        return {"as_of": None if self.as_of is None else pd.Timestamp(self.as_of),
                "exclusions": [e.record("result") for e in self.exclusions],
                "exclusion_examples": {f"{e.table}: {e.rule}": e.examples for e in self.exclusions if e.examples},
                "notes": [n.record("result") for n in self.notes]}


def _examples(ids: Any, mask: np.ndarray, dates: Any = None) -> str:
    """Up to five offending rows as ``customer (date)``, so a reader can look them up."""
    idx = np.flatnonzero(mask)[:_N_EXAMPLES]
    ids = ids.iloc[idx].to_numpy() if isinstance(ids, pd.Series) else np.asarray(ids)[idx]
    if dates is None:
        return ", ".join(str(i) for i in ids)
    days = np.asarray(dates)[idx].astype("datetime64[D]")
    return ", ".join(f"{i} ({d})" for i, d in zip(ids, days, strict=True))


def _tenure_only(customers: pd.DataFrame) -> bool:
    """True for a customers table loaded as tenure + churned, without dates."""
    return ("tenure_days" in customers and "churned" in customers and not customers.get(
        "signup_date", pd.Series(dtype="datetime64[ns]")).notna().any())


def _static_design(static: Any, covariates: Sequence[str]) -> pd.DataFrame | None:
    """The static covariates as numbers indexed by ``customer_id``, checked."""
    if static is None:
        return None
    design = getattr(static, "design", static)  # a StaticCovariates result or its design frame
    if not isinstance(design, pd.DataFrame):
        raise data_error("static", None, f"expected a DataFrame keyed by customer_id (e.g. "
                         f"static_covariates(...).design), got {type(static).__name__}")
    require_columns(design, ["customer_id"], "static")
    dup = design["customer_id"].duplicated(keep=False)
    if dup.any():
        raise data_error("static", "customer_id", "one row per customer expected", design[dup])
    columns = [c for c in design.columns if c != "customer_id"]
    clash = sorted((RESERVED | set(covariates)) & set(columns))
    if clash:
        raise data_error("static", clash[0], f"static columns may not be named {clash}: the table writes "
                         "these itself (or they are also given as covariates)")
    out = pd.DataFrame(index=pd.Index(design["customer_id"], name="customer_id"))
    for col in columns:
        raw = design[col]
        values = raw.astype("int64") if raw.dtype == bool else pd.to_numeric(raw, errors="coerce")
        bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(float, na_value=np.nan))
        if bad.any():
            raise data_error("static", col, "static covariates must be finite numbers without gaps "
                             "(static_covariates leaves out, and reports, customers with a missing value)",
                             design[bad])
        out[col] = values.to_numpy()
    return out


def _keep_with_static(fu: _FollowUp, design: pd.DataFrame | None) -> _FollowUp:
    """Leave out (and report) the customers the static covariates do not cover; attach them to the rest."""
    if design is None:
        return fu
    ids = fu.frame["customer_id"]
    has = ids.isin(design.index).to_numpy()
    fu.exclude(Exclusion("customers", _NO_STATIC, (~has).sum(), examples=_examples(ids, ~has), customers=(~has).sum()))
    fu.dropped = pd.Index(ids[~has])
    fu.frame = fu.frame.loc[has].reset_index(drop=True)
    fu.signup, fu.tenure, fu.churned = fu.signup[has], fu.tenure[has], fu.churned[has]
    fu.static = design.reindex(fu.frame["customer_id"]).reset_index(drop=True)
    return fu


def _follow_up(
    customers: pd.DataFrame,
    as_of: Any,
    covariates: Sequence[str] | None,
    signed_up_after: str,
    static: Any = None,
) -> _FollowUp:
    check_choice(signed_up_after, ("exclude", "raise"), "signed_up_after")
    require_columns(customers, ["customer_id", "signup_date", *(covariates or [])], "customers")
    end = _as_of(as_of)
    dup = customers["customer_id"].duplicated(keep=False)
    if dup.any():
        raise data_error("customers", "customer_id", "customer_id must be unique", customers[dup])
    signup = _days(customers["signup_date"])
    if np.isnat(signup).any():
        raise data_error("customers", "signup_date", "signup_date is required",
                         customers[np.isnat(signup)])
    if "churn_date" in customers:
        churn = _days(customers["churn_date"])
    else:  # the data contract: no churn_date column means every customer is active
        churn = np.full(len(customers), np.datetime64("NaT"), dtype="datetime64[D]")
    before = churn < signup
    if before.any():
        raise data_error("customers", "churn_date", "churn_date is before signup_date",
                         customers[before], hint="fix the dates at source; a customer cannot leave before joining")
    late = signup > end
    if late.any() and signed_up_after == "raise":
        raise data_error("customers", "signup_date", f"customers signed up after as_of ({end})",
                         customers[late], hint="pass signed_up_after='exclude' to leave them out with a report")
    keep = ~late
    churned = ~np.isnat(churn) & (churn <= end)  # a churn_date after as_of had not happened yet
    stop = np.where(churned, churn, end)
    fu = _FollowUp(
        frame=customers.loc[keep].reset_index(drop=True),
        signup=signup[keep],
        tenure=(stop - signup)[keep].astype("int64"),
        churned=churned[keep],
        as_of=end,
    )
    fu.exclude(Exclusion("customers", "signed up after as_of", late.sum(),
                         examples=_examples(customers["customer_id"], late, signup), customers=late.sum()))
    return _keep_with_static(fu, _static_design(static, covariates or []))


def _tenure_follow_up(customers: pd.DataFrame, covariates: Sequence[str], static: Any) -> _FollowUp:
    """Customers exported as tenure + churned (no dates), taken as given."""
    require_columns(customers, ["customer_id", "tenure_days", "churned", *covariates], "customers")
    fu = _FollowUp(
        frame=customers.reset_index(drop=True),
        signup=np.full(len(customers), np.datetime64("NaT"), dtype="datetime64[D]"),
        tenure=customers["tenure_days"].astype("int64").to_numpy(),
        churned=customers["churned"].astype(bool).to_numpy(),
        as_of=None,
    )
    return _keep_with_static(fu, _static_design(static, covariates))
