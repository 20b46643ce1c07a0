"""Result tables as a reader expects them: words for headers, formatted numbers, no index.

cxkit functions return tidy frames with short column names (``ci_low``, ``n``,
``p_value``) that an analyst keeps working with. A report needs the same numbers
told in words: "95% CI" as "24.6 to 29.7", "answers", "p" as ``<0.001``, shares as
percentages and money with its currency. :func:`table` does that in one call, from
one dictionary of the names cxkit uses (:data:`LABELS`, from :mod:`cxkit.labels`), so every notebook shows its
tables the same way. It returns a :class:`Table`, which Jupyter and nbconvert show
as HTML (the same bytes on every run, so nbval can compare it) and which prints as
plain text; the tidy frame itself is untouched. A table with no rows shows as one line
saying there is nothing to show, never as an empty grid, and :func:`one_row_per_pair`
keeps one row for a comparison of two groups that :func:`cxkit.metrics.compare` gives
from both sides.

Example
-------
>>> card = pd.DataFrame({"metric": ["NPS", "CES"], "n": [3421, 2672], "value": [27.185, 5.296],
...                      "ci_low": [24.61, 5.2555], "ci_high": [29.71, 5.3365], "small_base": [False, False]})
>>> print(table(card))
metric answers value       95% CI small base (<30)
   NPS   3,421  27.2 24.6 to 29.7               no
   CES   2,672  5.30 5.26 to 5.34               no
"""
from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxkit.labels import LABELS, TIME_LABELS, TIME_UNITS

__all__ = ["LABELS", "TIME_UNITS", "Table", "table", "one_row_per_pair", "label", "time_unit_words", "format_p",
           "format_money"]

# How known columns are shown: "fraction" (0.18 -> 18%), "percent" (77.3 -> 77.3%),
# "money", "p" (<0.001), "count" (3,421).
_KINDS: dict[str, str] = {
    **dict.fromkeys(["share", "clv_share", "share_of_value", "share_of_customers", "top_share_of_customers",
                     "share_of_actual", "dominant_share", "top5_share_a", "top5_share_b", "share_of_segment",
                     "share_of_total", "monetary_value_share", "share_a", "share_b", "share_low", "share_high",
                     "churn_rate", "churn_probability", "attributable_share"], "fraction"),
    **dict.fromkeys(["promoters_pct", "passives_pct", "detractors_pct", "top_box_pct", "top_box_ci_low",
                     "top_box_ci_high", "fcr_rate", "fcr_ci_low", "fcr_ci_high", "error_pct"], "percent"),
    **dict.fromkeys(["clv", "mean_clv", "median_clv", "monetary_value", "total_spend", "annual_spend",
                     "net_spend", "gross_spend", "refunds", "refund_excess", "expected_avg_value",
                     "mean_monetary_value", "monetary_value_cal", "monetary_value_holdout",
                     "mean_expected_avg_value", "last_12_months_revenue", "spend_holdout", "revenue"], "money"),
    **dict.fromkeys(["p_value", "change_p_value", "p_median", "p_holm"], "p"),
    **dict.fromkeys(["n", "n_missing", "n_a", "n_b", "n_contacts", "fcr_base", "rows", "customers", "n_rows",
                     "n_customers", "size", "excluded_rows", "frequency", "n_purchase_days", "n_responses",
                     "n_unresolved", "n_long_wait", "n_bad_contacts", "purchase_days", "tenure_days",
                     "n_draws", "n_answers", "n_known_churned", "expected_churners", "attributable_churners",
                     "expected_churners_without"], "count"),
}

# Decimals for known columns where one decimal says too little or too much.
_DECIMALS = {"p_alive": 2, "hazard_ratio": 2, "concordance": 2, "silhouette": 2, "correlation": 2, "ratio": 2,
             "mae": 2, "expected_purchases": 2, "coef": 3, "se(coef)": 3, "n_effective": 0, "csat_mean": 2,
             "ces_mean": 2, "nps_mean": 1}

# Columns that carry a metric's own value (its scale differs by metric): CES, a mean on
# 1-7, needs two decimals where NPS and CSAT need one.
_METRIC_VALUED = frozenset({"value", "mean", "se", "ci_low", "ci_high", "current", "goal", "gap", "gap_ci_low",
                            "gap_ci_high", "diff", "value_a", "value_b", "change", "change_ci_low",
                            "change_ci_high"})
_METRIC_DECIMALS = {"CES": 2}

_MISSING = "–"
_WIDE_COLUMNS = 8       # more columns than this print at 8 pt with fixed column widths
_LONG_TOKEN = 24        # a token longer than this may wrap every 12 characters

_CSS = """<style>
.cx-table-wrap { max-width: 100%; margin: 0.2em 0 1em 0; }
.cx-table-wrap table.cx-table { border-collapse: collapse; table-layout: auto; width: auto; max-width: 100%;
  margin: 0; font-size: 10pt; line-height: 1.35; font-variant-numeric: tabular-nums; color: inherit; }
.cx-table-wrap table.cx-table caption { caption-side: top; text-align: left; font-weight: 600;
  padding: 0 0 0.35em 0; }
.cx-table-wrap table.cx-table th, .cx-table-wrap table.cx-table td { padding: 0.25em 0.65em; border: none;
  border-bottom: 1px solid rgba(127, 127, 127, 0.3); white-space: normal; word-wrap: break-word;
  overflow-wrap: break-word; max-width: 28em; }
.cx-table-wrap table.cx-table th { font-weight: 600; vertical-align: bottom;
  border-bottom: 1.5px solid rgba(80, 80, 80, 0.8); word-break: keep-all; overflow-wrap: normal; word-wrap: normal;
  hyphens: manual; -webkit-hyphens: manual; }
.cx-table-wrap table.cx-table td { vertical-align: top; }
.cx-table-wrap table.cx-table .cx-num { text-align: right; }
.cx-table-wrap table.cx-table .cx-text { text-align: left; }
.cx-table-wrap table.cx-table tbody tr:nth-child(even) { background: rgba(127, 127, 127, 0.07); }
.cx-table-wrap table.cx-table tfoot td { border-bottom: none; font-style: italic; text-align: left; }
@media print {
  .cx-table-wrap table.cx-table { font-size: 9pt; }
  .cx-table-wrap table.cx-table.cx-wide { font-size: 8pt; table-layout: fixed; width: 100%; }
  .cx-table-wrap table.cx-table th, .cx-table-wrap table.cx-table td { padding: 0.2em 0.25em 0.2em 0.35em; }
  .cx-table-wrap table.cx-table.cx-wide th, .cx-table-wrap table.cx-table.cx-wide td { padding: 0.2em; }
  .cx-table-wrap table.cx-table.cx-wide th { font-weight: normal; }
  .cx-table-wrap table.cx-table th { word-break: keep-all; overflow-wrap: normal; hyphens: manual; }
  .cx-table-wrap table.cx-table tr { break-inside: avoid; }
}
</style>"""


def time_unit_words(unit: str) -> str:
    """The time unit of a CLV table in words: ``"D"`` days, ``"W"`` weeks, ``"M"`` months.

    Axis titles and column names say "weeks", never "W".

    Example
    -------
    >>> time_unit_words("W")
    'weeks'
    """
    try:
        return TIME_UNITS[str(unit).upper()]
    except KeyError:
        raise ValueError(f"time_unit must be one of {', '.join(TIME_UNITS)} (days, weeks, months), "
                         f"got {unit!r}") from None


def label(name: Any, *, time_unit: str | None = None) -> str:
    """The readable name of a cxkit column: from :data:`LABELS`, else its words.

    Parameters
    ----------
    name : the tidy column name.
    time_unit : ``"D"``, ``"W"`` or ``"M"``: names time columns in that unit.

    Example
    -------
    >>> label("clv_share"), label("recency", time_unit="W"), label("wait_minutes_total")
    ('% of CLV', 'weeks between first and last purchase', 'wait minutes total')
    """
    text = str(name)
    if time_unit is not None and text in TIME_LABELS:
        return TIME_LABELS[text].format(units=time_unit_words(time_unit))
    if text in LABELS:
        return LABELS[text]
    return " ".join(text.replace("_", " ").split())


def format_p(p: Any) -> Any:
    """p-values as a reader expects them: ``<0.001`` or three decimals (a Series maps element-wise).

    Example
    -------
    >>> format_p(pd.Series([0.00002, 0.0312, 0.5])).tolist()
    ['<0.001', '0.031', '0.500']
    """
    if isinstance(p, pd.Series):
        return p.map(format_p)
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def format_money(value: Any, currency: str | None = None, *, decimals: int = 0) -> str:
    """A sum of money: ``£1,234`` with a symbol, ``1,234 GBP`` with a code, ``1,234`` without.

    Example
    -------
    >>> format_money(1234.4, "£"), format_money(1234.4, "GBP"), format_money(-56.7), format_money(None)
    ('£1,234', '1,234 GBP', '-57', '–')
    """
    if _missing(value):
        return _MISSING
    text = f"{abs(float(value)):,.{decimals}f}"
    sign = "-" if float(value) < 0 and float(text.replace(",", "")) != 0 else ""
    if not currency:
        return sign + text
    if currency.isalpha():
        return f"{sign}{text} {currency}"
    return f"{sign}{currency}{text}"


@dataclass(frozen=True)
class Table:
    """A formatted table: HTML in Jupyter and reports (``_repr_html_``), text when printed.

    Attributes
    ----------
    frame : the table as shown (readable headers, every value formatted as text).
    html : the HTML, the same bytes on every run for the same input.
    caption : the caption, if any.
    note : the line under the table (rows not shown), if any.
    message : for a table with no rows, the line shown instead of an empty grid
        (``None`` when there are rows).
    """

    frame: pd.DataFrame
    html: str
    caption: str | None = None
    note: str | None = None
    message: str | None = None

    def _repr_html_(self) -> str:
        return self.html

    def to_html(self) -> str:
        """The HTML of the table (a ``<style>`` block and the ``<table>``), or the line that stands in for it."""
        return self.html

    def __str__(self) -> str:
        if self.message is not None:
            return self.message
        lines = [self.caption] if self.caption else []
        lines.append(self.frame.to_string(index=False) if len(self.frame.columns) else "(no columns)")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (numbers.Number, np.number)) and not isinstance(value, (bool, np.bool_))


def _as_names(columns: Iterable[Any] | str) -> set[str]:
    return {columns} if isinstance(columns, str) else {str(c) for c in columns}


@dataclass
class _Format:
    kind: str           # text, count, float, fraction, percent, money, p, bool, date
    decimals: int | None = None


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def _format_value(value: Any, fmt: _Format, currency: str | None) -> str:
    if _missing(value):
        return _MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if not _is_number(value):
        return str(value)
    v = float(value)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    kind, d = fmt.kind, fmt.decimals
    if kind == "p":
        return format_p(v)
    if kind == "money":
        return format_money(v, currency, decimals=0 if d is None else d)
    if kind == "fraction":
        return _number(v * 100, 0 if d is None else d) + "%"
    if kind == "percent":
        return _number(v, 1 if d is None else d) + "%"
    if kind == "count" and float(v).is_integer() and d is None:
        return f"{int(v):,}"
    if isinstance(value, (numbers.Integral, np.integer)) and d is None:
        return f"{int(value):,}"
    return _number(v, 1 if d is None else d)


def _interval_pairs(columns: Sequence[str]) -> list[tuple[str, str, str]]:
    """(low, high, prefix) for every ``<prefix>ci_low``/``<prefix>ci_high`` pair (and lifelines' bounds)."""
    pairs = []
    for c in columns:
        if c.endswith("ci_low") and c[: -len("low")] + "high" in columns:
            pairs.append((c, c[: -len("low")] + "high", c[: -len("ci_low")]))
        elif c.startswith("lower ") and c.endswith(" bound") and "upper " + c[len("lower "):] in columns:
            pairs.append((c, "upper " + c[len("lower "):], ""))
    return pairs


def _partner(prefix: str, columns: Sequence[str]) -> str | None:
    """The estimate an interval belongs to: ``value``/``diff`` for ``ci``, ``change`` for ``change_ci``..."""
    stem = prefix.rstrip("_")
    if stem:
        candidates = [stem, f"{stem}_rate", f"{stem}_value", f"{stem}_pct"]
    else:
        candidates = ["value", "diff", "current", "mean", "coef", "estimate", "hazard_ratio", "rmst", "difference",
                      "attributable_share", "survival", "observed", *(c for c in columns if c.startswith("mean_"))]
    return next((c for c in candidates if c in columns), None)


def _interval_label(prefix: str, ci: float) -> str:
    level = f"{ci * 100:g}% CI"
    stem = prefix.rstrip("_")
    if not stem:
        return level
    words = {"fcr": "FCR", "gap": "gap", "change": "change", "top_box": "top box"}.get(stem, label(stem))
    return f"{words} {level}"


def table(
    df: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    groups: Sequence[str] | None = None,
    percent: Iterable[str] | str = (),
    percent_0_100: Iterable[str] | str = (),
    money: Iterable[str] | str = (),
    currency: str | None = None,
    decimals: int | Mapping[str, int] | None = None,
    p_values: Iterable[str] | str = (),
    intervals: bool | Mapping[str, tuple[str, str]] | None = None,
    ci: float = 0.95,
    time_unit: str | None = None,
    caption: str | None = None,
    max_rows: int | None = None,
    index: bool | None = None,
    empty: str | None = None,
) -> Table:
    """Show a cxkit result table as a reader expects it, leaving the tidy frame as it is.

    Headers come from :data:`LABELS` (unknown names become words), each interval pair
    (``ci_low``/``ci_high``, ``change_ci_low``/``change_ci_high``...) becomes one "95% CI"
    column reading "24.6 to 29.7", p-values read ``<0.001``, shares read as percentages
    and money carries its currency. A default 0..n index is dropped; a named index (such
    as ``customer_id``) becomes the first column. Text is never cut short, every value
    is HTML-escaped, and the HTML is the same bytes on every run.

    Parameters
    ----------
    df : the tidy result table.
    labels : header overrides by column name, e.g. ``{"value_a": "top 10%"}``; for an
        interval, key it by its low column (``"ci_low"``).
    groups : names for the two sides of a comparison, e.g. ``("top 10%", "everyone
        else")``: every ``*_a``/``*_b`` column is named after them.
    percent : columns holding shares from 0 to 1, shown as ``18%``.
    percent_0_100 : columns already in percent (CSAT top-2-box, FCR), shown as ``77.3%``.
    money : columns holding money, shown with ``currency``.
    currency : a symbol (``"£"``, shown before the number) or a code (``"GBP"``, after
        it); ``None`` shows plain numbers. Known cxkit money columns (``clv``,
        ``mean_clv``, ``monetary_value``...) need not be listed.
    decimals : decimals for numbers (default 1; counts none, money none), or a mapping
        by column. Rows of CES (a mean on 1-7) get two decimals in metric columns.
    p_values : columns holding p-values (``p_value``, ``change_p_value``, ``p_median`` and ``p_holm`` are known).
    intervals : ``None`` joins every interval pair found; ``False`` leaves them apart;
        a mapping ``{"header": (low, high)}`` joins just those.
    ci : the confidence level the intervals were computed at (for the header).
    time_unit : ``"D"``, ``"W"`` or ``"M"``: time columns (``recency``, ``T``) are named in it.
    caption : a line above the table.
    max_rows : show at most this many rows, with a note saying how many more there are.
    index : ``True`` always shows the index, ``False`` never; ``None`` shows a named one.
    empty : the line shown instead of a table with no rows (or ``None`` for the table),
        e.g. ``"No contacts in the period."``; by default it names the caption: "Gaps to
        the goals, the 12 months to 31 Dec 2025: nothing to show (no rows)." An empty grid
        is never shown.

    Returns
    -------
    :class:`Table`, shown as HTML by Jupyter and nbconvert, as text by ``print``.

    Example
    -------
    >>> tests = pd.DataFrame({"n_a": [247], "n_b": [3319], "value_a": [51.42], "value_b": [79.27],
    ...                       "diff": [-27.85], "ci_low": [-34.24], "ci_high": [-21.47], "p_value": [2e-9]})
    >>> print(table(tests, groups=("top 10%", "everyone else"), percent_0_100=["value_a", "value_b"]))
    answers, top 10% answers, everyone else top 10% everyone else difference         95% CI      p
                 247                  3,319   51.4%         79.3%      -27.9 -34.2 to -21.5 <0.001
    >>> "<td class=\\"cx-text\\">&lt;b&gt;</td>" in table(pd.DataFrame({"x": ["<b>"]})).html
    True
    >>> print(table(tests.iloc[:0], caption="CSAT: top 10% against the rest"))
    CSAT: top 10% against the rest: nothing to show (no rows).
    """
    if df is None:
        return _empty_table(caption, empty)
    if not isinstance(df, pd.DataFrame):
        if isinstance(df, pd.Series):
            df = df.to_frame()
        else:
            raise TypeError(f"table() needs a pandas DataFrame, got {type(df).__name__}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    if max_rows is not None and max_rows < 1:
        raise ValueError(f"max_rows must be 1 or more, got {max_rows}")
    if time_unit is not None:
        time_unit_words(time_unit)  # a clear error for an unknown unit

    data = _with_index(df, index)
    data.columns = [" · ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in data.columns]
    columns = list(data.columns)
    labels = dict(labels or {})

    # How each column is formatted: explicit arguments, then what cxkit knows, then the dtype.
    explicit = _explicit_kinds(columns, percent=percent, percent_0_100=percent_0_100, money=money, p_values=p_values)
    if data.empty:          # no rows (or no columns): a line saying so, never an empty grid
        return _empty_table(caption, empty)
    dec_map = decimals if isinstance(decimals, Mapping) else {}
    dec_all = decimals if isinstance(decimals, int) and not isinstance(decimals, bool) else None
    formats = {c: _column_format(data[c], c, explicit, dec_map, dec_all) for c in columns}

    # Interval pairs become one column at the low end's place, formatted as their estimate.
    pairs = _chosen_pairs(intervals, columns, ci)
    for lo, hi, _, partner in pairs:
        if partner is not None and lo not in explicit and lo not in dec_map:
            formats[lo] = formats[hi] = formats[partner]

    n_total = len(data)
    data = data.iloc[: n_total if max_rows is None else max_rows]      # only the rows shown are formatted
    shown: dict[str, list[str]] = {}
    headers: dict[str, str] = {}
    numeric: dict[str, bool] = {}
    highs = {hi for _, hi, _, _ in pairs}
    by_low = {lo: (hi, head) for lo, hi, head, _ in pairs}
    metric_dec = _metric_row_decimals(data)
    for c in columns:
        if c in highs:
            continue
        cells = _format_column(data, c, formats[c], metric_dec, dec_map, currency)
        if c in by_low:
            hi, head = by_low[c]
            highs_shown = _format_column(data, hi, formats[hi], metric_dec, dec_map, currency)
            cells = [_MISSING if a == _MISSING and b == _MISSING else f"{a} to {b}"
                     for a, b in zip(cells, highs_shown, strict=True)]
            headers[c] = labels.get(c, labels.get(head, head))
        else:
            headers[c] = labels[c] if c in labels else _group_label(c, groups, time_unit)
        shown[c] = cells
        numeric[c] = formats[c].kind not in ("text", "bool", "date")
    headers = _unique(headers)

    left = n_total - len(data)
    note = f"… and {left:,} more row{'s' if left != 1 else ''} not shown" if left else None
    frame = pd.DataFrame({headers[c]: cells for c, cells in shown.items()}, index=range(len(data)))
    html_text = _render(frame, [numeric[c] for c in shown], caption, note, [headers[c] for c in by_low])
    return Table(frame=frame, html=html_text, caption=caption, note=note)


def _explicit_kinds(columns: Sequence[str], **kinds: Iterable[str] | str) -> dict[str, str]:
    """The format :func:`table` was told to give columns (``percent=...``, ``money=...``), checked against the table."""
    explicit: dict[str, str] = {}
    for arg, kind in (("percent", "fraction"), ("percent_0_100", "percent"), ("money", "money"), ("p_values", "p")):
        for name in _as_names(kinds[arg]):
            if name not in columns:
                raise ValueError(f"{arg} column '{name}' is not in the table; columns: {', '.join(columns)}")
            explicit[name] = kind
    return explicit


def _chosen_pairs(intervals: bool | Mapping[str, tuple[str, str]] | None, columns: Sequence[str],
                  ci: float) -> list[tuple[str, str, str, str | None]]:
    """The interval pairs :func:`table` joins: (low, high, header, the estimate whose format they take)."""
    if intervals is None:
        return [(lo, hi, _interval_label(pre, ci), _partner(pre, columns)) for lo, hi, pre in _interval_pairs(columns)]
    if intervals is False:
        return []
    pairs: list[tuple[str, str, str, str | None]] = []
    for head, (lo, hi) in dict(intervals).items():
        missing = [c for c in (lo, hi) if c not in columns]
        if missing:
            raise ValueError(f"interval column(s) {missing} not in the table; columns: {', '.join(columns)}")
        pairs.append((lo, hi, head, None))
    return pairs


def _empty_table(caption: str | None, empty: str | None) -> Table:
    """The line that stands in for a table with no rows, naming what it would have shown."""
    if empty is not None:
        text = str(empty)
    elif caption:
        text = f"{caption}: nothing to show (no rows)."
    else:
        text = "Nothing to show: the table has no rows."
    html_text = f'<p class="cx-empty"><em>{_escape(text)}</em></p>'
    return Table(frame=pd.DataFrame(), html=html_text, caption=caption, note=None, message=text)


def one_row_per_pair(comparisons: pd.DataFrame, within: str | Sequence[str] | None = None) -> pd.DataFrame:
    """One row per pair of groups compared: a column with two levels gives one comparison, not two mirror rows.

    :func:`cxkit.metrics.compare` with ``a=None`` compares every level with the rest. For a
    column with two levels (a plan "Club" or "Club Plus") that gives two rows saying the
    same thing from either side (+5 and -5, the same interval turned round and the same
    p-value); a reader sees one finding twice. This keeps the first row of each such pair,
    in the order given, and names the other level in ``group_b``. Two rows are mirrors
    only when each one's rest is exactly the other's group (the bases swap): answers
    without a level make them two different comparisons, each against a rest that holds
    those answers, and both are kept (compare the two levels directly, ``a=`` and ``b=``,
    for one row). Explicit pairs listed both ways (A against B and B against A) also keep
    only the first. Other rows are left as they are.

    Parameters
    ----------
    comparisons : rows of :func:`cxkit.metrics.compare` (``group_a``, ``group_b``, ``n_a``,
        ``n_b``), possibly stacked for several columns and metrics.
    within : the columns that tell stacked comparisons apart, e.g. ``["segment", "metric"]``;
        default: those of ``segment``, ``metric`` and ``by`` that are present.

    Returns
    -------
    DataFrame with the same columns, the kept rows in their order, a fresh index.

    Example
    -------
    >>> tests = pd.DataFrame({"metric": ["NPS", "NPS"], "group_a": ["Club", "Club Plus"], "group_b": ["rest", "rest"],
    ...                       "n_a": [300, 200], "n_b": [200, 300], "diff": [5.0, -5.0]})
    >>> one_row_per_pair(tests)
      metric group_a    group_b  n_a  n_b  diff
    0    NPS    Club  Club Plus  300  200   5.0
    """
    if not isinstance(comparisons, pd.DataFrame):
        raise TypeError(f"one_row_per_pair() needs a pandas DataFrame, got {type(comparisons).__name__}")
    missing = [c for c in ("group_a", "group_b", "n_a", "n_b") if c not in comparisons.columns]
    if missing:
        raise ValueError(f"one_row_per_pair() needs the columns group_a, group_b, n_a and n_b of metrics.compare; "
                         f"missing "
                         f"{missing}; columns: {', '.join(map(str, comparisons.columns))}")
    if within is None:
        keys = [c for c in ("segment", "metric", "by") if c in comparisons.columns]
    else:
        keys = [within] if isinstance(within, str) else list(within)
        absent = [c for c in keys if c not in comparisons.columns]
        if absent:
            raise ValueError(f"within column(s) {absent} not in the table; columns: "
                             f"{', '.join(map(str, comparisons.columns))}")
    data = comparisons.reset_index(drop=True)
    block = [tuple(row) for row in data[keys].astype(object).itertuples(index=False)] if keys else [()] * len(data)
    rest = (data["group_b"].astype(str) == "rest").to_numpy()
    rest_rows: dict[tuple, list[int]] = {}
    for i, key in enumerate(block):
        if rest[i]:
            rest_rows.setdefault(key, []).append(i)
    drop: set[int] = set()
    other: dict[int, Any] = {}
    for rows in rest_rows.values():
        if len(rows) != 2:
            continue
        first, second = rows
        if data.at[first, "n_b"] == data.at[second, "n_a"] and data.at[first, "n_a"] == data.at[second, "n_b"]:
            drop.add(second)
            other[first] = data.at[second, "group_a"]
    seen: set[tuple] = set()
    for i, key in enumerate(block):
        if rest[i]:
            continue
        pair = (key, frozenset((str(data.at[i, "group_a"]), str(data.at[i, "group_b"]))))
        if pair in seen:
            drop.add(i)
        seen.add(pair)
    out = data.copy()
    if other:
        out["group_b"] = out["group_b"].astype(object)
        for i, name in other.items():
            out.at[i, "group_b"] = name
    return out.drop(index=sorted(drop)).reset_index(drop=True)


def _with_index(df: pd.DataFrame, index: bool | None) -> pd.DataFrame:
    named = any(n is not None for n in df.index.names)
    if index is True or (index is None and named):
        names = [n if n is not None else ("" if df.index.nlevels == 1 else f"level {i}")
                 for i, n in enumerate(df.index.names)]
        out = df.copy()
        out.index = out.index.set_names(names)
        clash = [n for n in names if n in out.columns]
        if clash:
            raise ValueError(f"the index name(s) {clash} are also column names: rename one before showing the table")
        return out.reset_index()
    return df.reset_index(drop=True)


def _column_format(col: pd.Series, name: str, explicit: Mapping[str, str], dec_map: Mapping[str, int],
                   dec_all: int | None) -> _Format:
    kind = explicit.get(name) or _KINDS.get(name)
    if kind is None:
        if pd.api.types.is_bool_dtype(col):
            kind = "bool"
        elif pd.api.types.is_datetime64_any_dtype(col):
            kind = "date"
        elif pd.api.types.is_integer_dtype(col):
            kind = "count"
        elif pd.api.types.is_numeric_dtype(col):
            kind = "float"
        else:
            kind = "text"
    if kind == "p" and not pd.api.types.is_numeric_dtype(col):
        kind = "text"  # already formatted
    dec = dec_map.get(name, _DECIMALS.get(name))
    if dec is None and dec_all is not None and kind in ("float", "percent", "fraction"):
        dec = dec_all
    return _Format(kind, dec)


def _metric_row_decimals(data: pd.DataFrame) -> list[int | None]:
    if "metric" not in data.columns:
        return [None] * len(data)
    return [_METRIC_DECIMALS.get(str(m).upper()) for m in data["metric"]]


def _format_column(data: pd.DataFrame, c: str, fmt: _Format, metric_dec: list[int | None],
                   dec_map: Mapping[str, int], currency: str | None) -> list[str]:
    per_row = c in _METRIC_VALUED and c not in dec_map and fmt.kind == "float"
    out = []
    for value, row_dec in zip(data[c].tolist(), metric_dec, strict=True):
        cell_fmt = _Format(fmt.kind, max(row_dec, fmt.decimals or 0)) if per_row and row_dec is not None else fmt
        out.append(_format_value(value, cell_fmt, currency))
    return out


def _group_label(name: str, groups: Sequence[str] | None, time_unit: str | None) -> str:
    text = label(name, time_unit=time_unit)
    if groups is None or not name.endswith(("_a", "_b")):
        return text
    if len(groups) != 2:
        raise ValueError(f"groups must name the two sides of a comparison, got {list(groups)}")
    side = groups[0] if name.endswith("_a") else groups[1]
    if name in ("value_a", "value_b"):
        return str(side)
    if name in ("group_a", "group_b"):
        return text
    if text.endswith((", A", ", B")):
        return f"{text[:-3]}, {side}"
    return f"{text} ({side})"


def _unique(headers: dict[str, str]) -> dict[str, str]:
    seen: dict[str, int] = {}
    out = {}
    for c, h in headers.items():
        if h in seen:
            h = f"{h} ({' '.join(c.replace('_', ' ').split())})"
        seen[h] = 1
        out[c] = h
    return out


def _escape(text: Any) -> str:
    """HTML-escaped text in which a very long unbroken token (an id, a URL) may wrap."""
    parts = []
    for token in re.split(r"(\s+)", str(text)):
        if len(token) > _LONG_TOKEN:
            chunks = [token[i:i + _LONG_TOKEN // 2] for i in range(0, len(token), _LONG_TOKEN // 2)]
            parts.append("<wbr>".join(html.escape(c, quote=True) for c in chunks))
        else:
            parts.append(html.escape(token, quote=True))
    return "".join(parts)


def _tie(text: str) -> str:
    return text.replace(" ", "&nbsp;").replace("&nbsp;to&nbsp;", "&nbsp;to ")


def _column_widths(frame: pd.DataFrame, tied: Sequence[bool]) -> list[float]:
    """Column widths (% of the table) for a wide table printed at 8 pt on A4.

    Every column gets room for its longest word where the page allows (headers print in
    normal weight, so they take no more room than the cells); what is left goes to the
    columns holding long text.
    """
    n = len(frame.columns)
    budget = 110 - 0.7 * n          # characters of 8 pt text across A4, less the cell padding
    low, want = [], []
    for j, head in enumerate(frame.columns):
        cells = [str(v) for v in frame.iloc[:, j]]
        pieces = [p for v in cells for p in (re.split(r"(?<= to) ", v) if tied[j] else v.split())]
        longest = max([_text_width(p) for p in pieces] + [3.0])
        head_word = max([_text_width(w) for w in str(head).split()] + [0.0])
        # a little spare: fonts differ; a header word is never broken, so its column holds it whole
        low.append(max(min(15.0, 1.08 * longest + 0.5), 1.08 * head_word + 0.5))
        want.append(max(low[-1], float(min(36, max((_text_width(v) for v in cells), default=0)))))
    slack, extra = budget - sum(low), [w - m for w, m in zip(want, low, strict=True)]
    if slack >= sum(extra):
        weights = want
    elif slack > 0:
        weights = [m + slack * e / sum(extra) for m, e in zip(low, extra, strict=True)]
    else:
        weights = low
    weights = [w + 0.7 for w in weights]    # each column's padding
    total = sum(weights)
    return [100 * w / total for w in weights]


def _text_width(text: str) -> float:
    """Width of ``text`` in average characters: capitals, digits and symbols run wider."""
    return sum(1.0 if c.islower() or c in " .,;:'()-" else 1.25 for c in text)


def _render(frame: pd.DataFrame, numeric: Sequence[bool], caption: str | None, note: str | None,
            intervals: Sequence[str] = ()) -> str:
    esc = _escape
    cls = ["cx-num" if n else "cx-text" for n in numeric]
    # A number keeps its unit on its line ("1,234 GBP"); "24.6 to 29.7" may wrap only after "to".
    tied = [n or c in intervals for n, c in zip(numeric, frame.columns, strict=True)]
    wide = len(frame.columns) > _WIDE_COLUMNS
    out = ['<div class="cx-table-wrap">', _CSS, f'<table class="cx-table{" cx-wide" if wide else ""}">']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    if wide:  # printed with fixed column widths, so that it can never run off the page
        out.append("<colgroup>" + "".join(f'<col style="width: {w:.1f}%">' for w in _column_widths(frame, tied))
                   + "</colgroup>")
    # A header breaks only between words (no <wbr> inside a word, and the CSS keeps words whole).
    out.append("<thead><tr>" + "".join(f'<th class="{k}">{html.escape(str(h), quote=True)}</th>'
                                       for k, h in zip(cls, frame.columns, strict=True))
               + "</tr></thead>")
    out.append("<tbody>")
    for row in frame.itertuples(index=False):
        out.append("<tr>" + "".join(f'<td class="{k}">{_tie(esc(v)) if t else esc(v)}</td>'
                                     for k, t, v in zip(cls, tied, row, strict=True)) + "</tr>")
    out.append("</tbody>")
    if note:
        out.append(f'<tfoot><tr><td colspan="{max(len(frame.columns), 1)}">{esc(note)}</td></tr></tfoot>')
    out.append("</table>")
    out.append("</div>")
    return "\n".join(out)
