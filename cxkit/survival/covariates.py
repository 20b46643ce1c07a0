"""Customer traits as model covariates, and every covariate in the words a reader sees.

A churn model of contacts and answers alone credits them with whatever differs between
the customers who have them: plan, region, the channel they joined through.
:func:`static_covariates` turns the customers table's traits into numbers a Cox model
takes, by stated rules, and reports what it did with every column:

* **Which columns.** By default every column that is not an id, a date or the outcome
  (``customer_id``, ``signup_date``, ``churn_date``, ``tenure``, ``tenure_days``,
  ``churned``, any date column, text that reads as dates). A column is left out, with
  the reason in words, when it is mostly missing (more than ``max_missing``), has one
  value only, is text that looks like an id (a different value for nearly every
  customer) or a whole number different for every customer, or has more than
  ``max_levels`` levels.
* **Text (categorical) columns** become 0/1 indicators, one per level, against a named
  reference level: by default the most frequent (ties: the first in sorted order).
  Levels held by fewer than ``min_level_size`` customers are pooled as ``"other
  levels"`` (when two or more are that small). A missing value is a level of its own
  (``"missing"``), never the reference. A hazard ratio then reads "customers on Club
  Plus against customers on Club".
* **Numbers written as text** (an export's ``45,00`` or ``1,234.50``) are numeric
  columns, read by :func:`cxkit.parsing.to_number`'s rule for the whole column (a
  decimal comma where some value can only be read that way, such as ``45,00``;
  thousands separators where values such as ``1,234.50`` say so; ``NA`` and other
  missing markers missing); the report's reason says how they were read. A column
  with any value that is not a number stays text.
* **Numeric columns** enter as recorded, so a hazard ratio is per unit (per
  ``per[column]`` units when given, named by ``units[column]``), or per standard
  deviation with ``scale="sd"``. A numeric column with two values only becomes one
  indicator of the higher value against the lower. Customers with a missing value are
  left out of the design (so of the models), counted in the report and in
  ``design.attrs["exclusions"]``; the survival tables then report them again as not
  covered (see :func:`cxkit.survival.exclusions`).
* **Names.** Model columns get names lifelines and formulas accept (letters, digits and
  ``_``: ``plan_Club_Plus``); the words a reader sees are in ``terms["meaning"]``
  (``"plan: Club Plus (vs Club)"``) and :func:`covariate_words`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from cxkit.data import RATING_SCALES
from cxkit.errors import DataError, argument_error, require_columns
from cxkit.exclusions import Exclusion
from cxkit.parsing import to_number
from cxkit.survival._followup import RESERVED

__all__ = ["StaticCovariates", "static_covariates", "covariate_words", "covariate_subjects", "COVARIATE_WORDS"]

_LOW, _HIGH = RATING_SCALES["csat"]

#: The words a reader sees for the columns the survival tables write.
COVARIATE_WORDS: dict[str, str] = {
    "cum_bad_contacts": "Each bad contact (unresolved or a long wait)",
    "cum_unresolved": "Each contact not resolved at first contact",
    "cum_long_wait": "Each contact with a long wait",
    "cum_contacts": "Each contact",
    "latest_csat": f"Each point of the latest CSAT answer ({_LOW}-{_HIGH})",
    "has_csat": "Having answered a survey",
}

_ID = "customer_id"
_OUTCOME = ("tenure", "tenure_days", "churned")
_DATES = ("signup_date", "churn_date")
_MISSING_LEVEL = "missing"
_OTHER_LEVEL = "other levels"
_DATE_TEXT = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?\s*$")
_REPORT_COLUMNS = ["column", "status", "reason", "kind", "levels", "missing", "reference", "covariates"]
_TERM_COLUMNS = ["covariate", "meaning", "column", "kind", "level", "reference", "unit", "divisor"]


class StaticCovariates(NamedTuple):
    """What :func:`static_covariates` returns: the design, the report and the terms.

    ``design``: one row per customer covered, ``customer_id`` and the model columns.
    ``report``: one row per column of the customers table considered, used or left out.
    ``terms``: one row per model column, with its meaning in words.
    """

    design: pd.DataFrame
    report: pd.DataFrame
    terms: pd.DataFrame

    @property
    def columns(self) -> list[str]:
        """The model columns (the design's columns other than ``customer_id``)."""
        return [c for c in self.design.columns if c != _ID]


def _safe_name(text: str, taken: set[str]) -> str:
    """A column name lifelines' formulas accept, different from every name in ``taken``."""
    name = re.sub(r"\W+", "_", str(text), flags=re.ASCII).strip("_") or "x"
    if name[0].isdigit():
        name = f"x_{name}"
    out, k = name, 2
    while out in taken:
        out, k = f"{name}_{k}", k + 1
    taken.add(out)
    return out


def _customers(n: int) -> str:
    return f"{n:,} customer" + ("" if n == 1 else "s")


def _level_text(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _as_numbers(s: pd.Series, col: str) -> tuple[pd.Series | None, str]:
    """The column as numbers when every value given reads as one, and how text was read.

    Numbers stored as text are read by :func:`cxkit.parsing.to_number`'s rule for the
    whole column (a decimal comma where a value can only be read that way, ``45,00``;
    thousands separators where values such as ``1,234.50`` say so); the second item
    says what was done ("" for a numeric column, or text that is not all numbers).
    """
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype(float), ""
    notes: list[dict[str, Any]] = []
    try:
        parsed = to_number(s, table="customers", column=col, notes=notes)
    except DataError:
        return None, ""
    if parsed.notna().sum() == 0:
        return None, ""
    rules = [n["note"] for n in notes if n["n_rows"]]
    return parsed.astype(float), "numbers written as text, read as numbers" + (f" ({'; '.join(rules)})"
                                                                                if rules else "")


def _looks_like_dates(s: pd.Series) -> bool:
    given = s.dropna().astype(str)
    return len(given) > 0 and bool(given.head(200).str.match(_DATE_TEXT).all())


def static_covariates(
    customers: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    max_levels: int = 10,
    max_missing: float = 0.2,
    min_level_size: int = 10,
    reference: Mapping[str, Any] | None = None,
    scale: Literal["unit", "sd"] = "unit",
    per: Mapping[str, float] | None = None,
    units: Mapping[str, str] | None = None,
) -> StaticCovariates:
    """The customers table's traits as Cox model covariates, with a report of every column's fate.

    Lets a churn model weigh contacts and answers against customers otherwise alike
    (same plan, region, channel), and gives a customers-only table hazard ratios at all.
    The rules are in the module docstring (:mod:`cxkit.survival.covariates`).

    Parameters
    ----------
    customers : the validated customers table (dated, or tenure + churned).
    columns : the columns to consider; default every column that is not an id, a date or
        the outcome. Naming an id, date or outcome column raises :class:`DataError`.
    max_levels : a text column with more levels than this (after pooling rare ones) is
        left out; group it first.
    max_missing : a column missing for a larger share of customers is left out.
    min_level_size : text levels held by fewer customers are pooled as ``"other levels"``
        (when two or more are).
    reference : the reference level per text column (e.g. ``{"plan": "Club"}``); default
        the most frequent level.
    scale : numeric columns ``"unit"`` (as recorded, the default) or ``"sd"`` (divided
        by their standard deviation: a hazard ratio per standard deviation).
    per : with ``scale="unit"``, divide a numeric column by this (``{"spend": 100}``: a
        hazard ratio per 100).
    units : the unit of a numeric column in words, for the meaning
        (``{"support_minutes": "minute"}`` reads "support_minutes (per minute)").

    Returns
    -------
    :class:`StaticCovariates` ``(design, report, terms)``:

    * ``design``: ``customer_id`` and the model columns (0/1 indicators as int64,
      numeric columns as float64), one row per customer covered;
      ``design.attrs["exclusions"]`` lists the customers left out for a missing number.
    * ``report``: ``column``, ``status`` (``"used"`` or ``"left out"``), ``reason`` (in
      words), ``kind`` (``"text"``, ``"numeric"``, ``"two values"``, ``"id"``,
      ``"date"``, ``"outcome"``), ``levels`` (distinct values given), ``missing``
      (customers without a value), ``reference`` (the reference level, for
      indicators), ``covariates`` (the model columns made from it).
    * ``terms``: ``covariate`` (model column), ``meaning`` (e.g. ``"plan: Club Plus (vs
      Club)"``), ``column``, ``kind`` (``"indicator"`` or ``"numeric"``), ``level``,
      ``reference``, ``unit`` and ``divisor`` (what a numeric column was divided by).

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": list("abcdef"), "plan": ["Club"] * 4 + ["Plus"] * 2,
    ...                   "spend": [10.0, 20, 30, 40, 50, 60]})
    >>> s = static_covariates(c, min_level_size=1)
    >>> s.terms[["covariate", "meaning"]]
       covariate               meaning
    0  plan_Plus  plan: Plus (vs Club)
    1      spend      spend (per unit)
    """
    candidates = _candidate_columns(customers, columns)
    require_columns(customers, [_ID], "customers")
    rules = _checked_rules(candidates, max_levels=max_levels, max_missing=max_missing, min_level_size=min_level_size,
                           reference=reference, scale=scale, per=per, units=units)
    built = _Built(n=len(customers), keep=np.ones(len(customers), dtype=bool))
    for col in candidates:
        _add_column(col, customers[col], rules, built)

    design = pd.concat([pd.Series(customers[_ID].to_numpy(), name=_ID), *built.blocks], axis=1)
    design = design.loc[built.keep].reset_index(drop=True)
    for term in built.terms:
        col = term["covariate"]
        design[col] = design[col].astype("int64") if term["kind"] == "indicator" else design[col].astype(float)
    design.attrs = {"exclusions": [e.record("result") for e in built.exclusions if e.rows]}
    return StaticCovariates(design, pd.DataFrame(built.report, columns=_REPORT_COLUMNS).astype(
        {"levels": "int64", "missing": "int64"}), pd.DataFrame(built.terms, columns=_TERM_COLUMNS))


def _candidate_columns(customers: pd.DataFrame, columns: Sequence[str] | str | None) -> list[str]:
    """The columns to consider: those named, or every column but the id; naming an id, date or outcome raises."""
    if columns is None:
        return [c for c in customers.columns if c != _ID]
    candidates = [columns] if isinstance(columns, str) else list(columns)
    require_columns(customers, [_ID, *candidates], "customers")
    fixed = [c for c in candidates if c == _ID or c in _OUTCOME or c in _DATES
             or pd.api.types.is_datetime64_any_dtype(customers[c])]
    if fixed:
        raise argument_error("columns", f"{fixed} cannot be static covariates: ids, dates and the "
                             "outcome (tenure, churned) place the membership, they are not customer traits")
    return candidates


class _Rules(NamedTuple):
    """The rules :func:`static_covariates` applies to every column, checked."""

    max_levels: int
    max_missing: float
    min_level_size: int
    reference: dict[str, Any]
    scale: str
    per: dict[str, float]
    units: dict[str, str]


def _checked_rules(candidates: list[str], *, max_levels: int, max_missing: float, min_level_size: int,
                   reference: Mapping[str, Any] | None, scale: str, per: Mapping[str, float] | None,
                   units: Mapping[str, str] | None) -> _Rules:
    """The arguments of :func:`static_covariates` checked against each other and the columns considered."""
    if not 0 <= max_missing <= 1:
        raise argument_error("max_missing",
                             f"max_missing must be a share between 0 and 1, got {max_missing!r}")
    if scale not in ("unit", "sd"):
        raise argument_error("scale", f"scale must be 'unit' or 'sd', got {scale!r}")
    reference, per, units = dict(reference or {}), dict(per or {}), dict(units or {})
    if per and scale == "sd":
        raise argument_error("per", "per applies with scale='unit' (with scale='sd' a hazard ratio is per "
                             "standard deviation)")
    unknown = sorted(set(reference) - set(candidates)) + sorted(set(per) - set(candidates))
    if unknown:
        raise argument_error("reference/per", f"columns {unknown} are not among the columns considered")
    return _Rules(max_levels, max_missing, min_level_size, reference, scale, per, units)


@dataclass
class _Built:
    """What :func:`static_covariates` builds column by column: the report, the terms, the model columns, who is kept."""

    n: int
    keep: np.ndarray
    taken: set[str] = field(default_factory=lambda: set(RESERVED))
    report: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[pd.Series] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)

    def leave(self, col: str, kind: str, reason: str, levels: int = 0, missing: int = 0) -> None:
        """Report a column left out, with the reason in words."""
        self.report.append({"column": col, "status": "left out", "reason": reason, "kind": kind, "levels": levels,
                            "missing": missing, "reference": "", "covariates": ""})


def _add_column(col: str, s: pd.Series, rules: _Rules, built: _Built) -> None:
    """One column of the customers table as model columns, or left out with the reason."""
    if col in _OUTCOME:
        built.leave(col, "outcome", "tenure and churn are what the model explains")
        return
    if col in _DATES or pd.api.types.is_datetime64_any_dtype(s):
        built.leave(col, "date", "a date: it places the membership in time, it is not a trait of the customer")
        return
    numbers, read_as = _as_numbers(s, col)
    given_values = s if numbers is None else numbers   # text read as numbers: its markers (NA...) are missing
    missing = given_values.isna().to_numpy()
    n, n_missing, levels = built.n, int(missing.sum()), int(given_values.nunique(dropna=True))
    if n_missing == n:
        built.leave(col, "text", "empty: no customer has a value", 0, n_missing)
        return
    if n and n_missing / n > rules.max_missing:
        built.leave(col, "text", f"missing for {n_missing / n:.0%} of customers (more than max_missing, "
                    f"{rules.max_missing:.0%})", levels, n_missing)
        return
    kind = "text" if numbers is None else ("two values" if levels == 2 else "numeric")
    if levels == 1:
        only = _level_text(given_values.dropna().iloc[0])
        built.leave(col, kind, f"one value only ({only}): it says nothing about who leaves", levels, n_missing)
        return
    if numbers is None and _looks_like_dates(s):
        built.leave(col, "date", "text that reads as dates: a date is not a trait of the customer", levels,
                    n_missing)
        return
    if numbers is None:
        _text_column(col, s, missing, levels, n_missing, rules, built)
        return
    _numeric_column(col, s, numbers, read_as, missing, kind, levels, rules, built)


def _numeric_column(col: str, s: pd.Series, numbers: pd.Series, read_as: str, missing: np.ndarray, kind: str,
                    levels: int, rules: _Rules, built: _Built) -> None:
    """A numeric column as one model column (or left out as an id); customers without a value leave the design."""
    n_missing = int(missing.sum())
    given = numbers.dropna()
    whole = bool(np.all(np.mod(given.to_numpy(), 1) == 0))
    if kind == "numeric" and whole and levels == len(given) and levels >= 20 and col not in rules.per:
        built.leave(col, "id", f"whole numbers, a different one for every customer ({levels:,}): looks like an id",
                    levels, n_missing)
        return
    if n_missing:
        first = missing & built.keep
        built.exclusions.append(Exclusion("customers", f"{col} missing (a numeric covariate needs a value)",
                                          first.sum(), customers=first.sum()))
        built.keep &= ~missing
    values = numbers.to_numpy(float)
    name = _safe_name(col, built.taken)
    if col in rules.reference and kind != "two values":
        raise argument_error("reference", f"{col!r} is numeric: a reference level applies to text "
                             "columns and to columns of two values only")
    if kind == "two values":
        block, term, reason, reference_text = _two_values_term(col, s, given, values, name, rules.reference)
    else:
        block, term, reason = _scaled_term(col, given, values, name, rules)
        reference_text = ""
    built.blocks.append(block)
    built.terms.append(term)
    if read_as:
        reason += f"; {read_as}"
    if n_missing:
        reason += f"; {_customers(n_missing)} without a value left out of the models"
    built.report.append({"column": col, "status": "used", "reason": reason, "kind": kind, "levels": levels,
                         "missing": n_missing, "reference": reference_text, "covariates": name})


def _two_values_term(col: str, s: pd.Series, given: pd.Series, values: np.ndarray, name: str,
                     reference: Mapping[str, Any]) -> tuple[pd.Series, dict[str, Any], str, str]:
    """An indicator of one of a column's two values against the other (the lower, unless a reference is given).

    Returns the model column, its term, the report's reason and the reference value in words.
    """
    lo, hi = np.sort(given.unique())
    label = (lambda v: str(bool(v))) if pd.api.types.is_bool_dtype(s) else _level_text
    ref, lev = label(lo), label(hi)
    if col in reference and label(reference[col]) not in (ref, lev):
        raise argument_error("reference", f"reference {reference[col]!r} is not a value of "
                             f"{col!r} (its values: {[ref, lev]})")
    if col in reference and label(reference[col]) == lev:
        lo, hi, ref, lev = hi, lo, lev, ref
    block = pd.Series(np.where(np.isnan(values), np.nan, values == hi), name=name)
    term = {"covariate": name, "meaning": f"{col}: {lev} (vs {ref})", "column": col,
            "kind": "indicator", "level": lev, "reference": ref, "unit": "", "divisor": np.nan}
    return block, term, f"two values: {lev} against {ref}", ref


def _scaled_term(col: str, given: pd.Series, values: np.ndarray, name: str,
                 rules: _Rules) -> tuple[pd.Series, dict[str, Any], str]:
    """A numeric column per unit (or per ``per[col]`` units), or per standard deviation with ``scale="sd"``.

    Returns the model column, its term and the report's reason.
    """
    if rules.scale == "sd":
        divisor = float(np.std(given.to_numpy(float), ddof=1))
        unit = f"standard deviation ({divisor:.3g})"
    else:
        divisor = float(rules.per.get(col, 1.0))
        if not divisor > 0:
            raise argument_error("per", f"per[{col!r}] must be > 0, got {rules.per[col]!r}")
        unit = rules.units.get(col) or ("unit" if divisor == 1 else f"{divisor:g} units")
    block = pd.Series(values / divisor, name=name)
    term = {"covariate": name, "meaning": f"{col} (per {unit})", "column": col, "kind": "numeric",
            "level": "", "reference": "", "unit": unit, "divisor": divisor}
    return block, term, f"numeric, hazard ratio per {unit}"


def _text_column(col: str, s: pd.Series, missing: np.ndarray, levels: int, n_missing: int, rules: _Rules,
                 built: _Built) -> None:
    """Indicators of a text column against its reference level (or a reason to leave it out)."""
    max_levels, min_level_size, reference = rules.max_levels, rules.min_level_size, rules.reference
    text = s.map(lambda v: None if pd.isna(v) else str(v).strip())
    n_given = int((~missing).sum())
    if levels > max_levels and levels >= 0.5 * n_given:
        built.leave(col, "id", f"text that looks like an id ({levels:,} different values for {n_given:,} "
                    "customers)", levels, n_missing)
        return
    counts = text.value_counts()
    rare = counts[counts < min_level_size].index
    pooled = ""
    if len(rare) >= 2:
        other = _OTHER_LEVEL if _OTHER_LEVEL not in counts.index else f"{_OTHER_LEVEL} (pooled)"
        text = text.where(~text.isin(rare), other)
        pooled = f"; {len(rare)} levels with fewer than {min_level_size} customers pooled as '{other}'"
        counts = text.value_counts()
    if len(counts) > max_levels:
        after = f", {len(counts)} after pooling those with fewer than {min_level_size} customers" if pooled else ""
        built.leave(col, "text", f"{levels} levels{after}: more than max_levels ({max_levels}); group them first, "
                    "e.g. the largest levels and 'other'", levels, n_missing)
        return
    # most frequent first; ties in sorted order, so the reference does not depend on row order
    order = sorted(counts.index, key=lambda lv: (-counts[lv], lv))
    if col in reference:
        ref = _level_text(reference[col])
        if ref not in counts.index:
            raise DataError(f"table 'customers', column '{col}': reference level {ref!r} is not a level of the "
                            f"column (levels: {order})", table="customers", column=col, rule="reference level")
        how = "the reference given"
    else:
        ref, how = order[0], "the most frequent level"
    if missing.any():
        label = _MISSING_LEVEL if _MISSING_LEVEL not in counts.index else f"{_MISSING_LEVEL} (no value)"
        text = text.where(~missing, label)
        order.append(text[missing].iloc[0])
    names = []
    for lev in order:
        if lev == ref:
            continue
        name = _safe_name(f"{col}_{lev}", built.taken)
        built.blocks.append(pd.Series((text == lev).to_numpy(), name=name))
        built.terms.append({"covariate": name, "meaning": f"{col}: {lev} (vs {ref})", "column": col,
                            "kind": "indicator", "level": lev, "reference": ref, "unit": "", "divisor": np.nan})
        names.append(name)
    reason = f"{len(names) + 1} levels as 0/1 indicators against '{ref}' ({how}){pooled}"
    if missing.any():
        reason += f"; {_customers(n_missing)} without a value form the level '{order[-1]}'"
    built.report.append({"column": col, "status": "used", "reason": reason, "kind": "text", "levels": levels,
                         "missing": n_missing, "reference": ref, "covariates": ", ".join(names)})


def covariate_words(columns: Iterable[str], static: StaticCovariates | pd.DataFrame | None = None) -> dict[str, str]:
    """The words a reader sees for each model column: table captions, forest plots, sentences.

    A hazard ratio labelled ``cum_bad_contacts`` or ``plan_Club_Plus`` means nothing to
    a board; "Each bad contact (unresolved or a long wait)" and "plan: Club Plus (vs
    Club)" do.

    Parameters
    ----------
    columns : model columns (e.g. ``hazard_ratios(model)["covariate"]``).
    static : a :func:`static_covariates` result, or its ``terms`` frame
        (``covariate``, ``meaning``), for the static columns.

    Returns
    -------
    dict from column to words; a column known to neither is left as it is.

    Example
    -------
    >>> words = covariate_words(["cum_bad_contacts", "latest_csat", "age"])
    >>> words["cum_bad_contacts"], words["age"]
    ('Each bad contact (unresolved or a long wait)', 'age')
    """
    terms = getattr(static, "terms", static)
    known = dict(COVARIATE_WORDS)
    if terms is not None:
        require_columns(terms, ["covariate", "meaning"], "terms")
        known.update(zip(terms["covariate"].astype(str), terms["meaning"].astype(str), strict=True))
    return {str(c): known.get(str(c), str(c)) for c in columns}


def _column_text(column: str) -> str:
    return " ".join(str(column).replace("_", " ").split())


def covariate_subjects(columns: Iterable[str], static: StaticCovariates | pd.DataFrame | None = None) -> dict[str, str]:
    """Each model column as the subject of a sentence on its effect: "Plan premium rather than basic".

    A table row can read "plan: premium (vs basic)"; a board sentence needs a subject
    that takes "raises the day-to-day risk of leaving by ...". Counts and CSAT keep their
    words (:data:`COVARIATE_WORDS`); an indicator of a customers column reads "{Column}
    {level} rather than {reference}", a numeric one "Each {unit} more of {column}" (a
    column's underscores read as spaces). Plain text: escape it where it goes into
    Markdown (:func:`cxkit.survival.sentences.hazard_sentence` does).

    Parameters
    ----------
    columns : model columns.
    static : a :func:`static_covariates` result, or its ``terms`` frame.

    Returns
    -------
    dict from column to subject; a column known to neither is left as it is.

    Example
    -------
    >>> c = pd.DataFrame({"customer_id": list("abcdef"), "plan": ["basic"] * 4 + ["premium"] * 2,
    ...                   "monthly_fee": [30.0, 31, 32, 33, 45, 46]})
    >>> s = static_covariates(c, min_level_size=1)
    >>> covariate_subjects(["cum_bad_contacts", *s.columns], static=s)  # doctest: +NORMALIZE_WHITESPACE
    {'cum_bad_contacts': 'Each bad contact (unresolved or a long wait)',
     'plan_premium': 'Plan premium rather than basic', 'monthly_fee': 'Each unit more of monthly fee'}
    """
    terms = getattr(static, "terms", static)
    known = dict(COVARIATE_WORDS)
    if terms is not None:
        require_columns(terms, ["covariate", "column", "kind", "level", "reference", "unit"], "terms")
        for t in terms.itertuples(index=False):
            col = _column_text(t.column)
            if t.kind == "indicator":
                text = f"{col} {t.level} rather than {t.reference}"
            else:
                text = f"each {t.unit} more of {col}"
            known[str(t.covariate)] = text[:1].upper() + text[1:]
    return {str(c): known.get(str(c), str(c)) for c in columns}
