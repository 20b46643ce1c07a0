"""The board report put together: its findings in order, its facts, scenarios, methods appendix and deck.

The board notebook (``notebooks/04_board_report.ipynb``) computes the four parts
(:mod:`cxkit.board.parts`) and the bridge, then calls these to say it: at most seven
findings in the order a board reads them (:func:`board_findings`), the facts line with
the data window (:func:`facts`), a small table of what-if scenarios (:func:`scenario_table`),
the methods appendix (:func:`methods`), every finding's figure and base
(:func:`bases`), and the editable deck (:func:`write_board_deck`).

Example
-------
>>> numbered([])
'No finding: the data hold none of the tables the board report reads.'
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cxkit.board import findings as board
from cxkit.board.deck import Slide, plain_text, write_deck
from cxkit.board.parts import Churn, Drivers, Forecast, Satisfaction
from cxkit.bridge import ASSUMPTIONS, Bridge, what_if
from cxkit.display import format_money
from cxkit.findings import Finding, findings_frame
from cxkit.folder import CXFolder
from cxkit.narrative import as_bullets, date_text, escape, facts_line

__all__ = ["MAX_FINDINGS", "board_findings", "scenario_table", "scenario_view", "facts", "numbered", "methods",
           "bases", "write_board_deck", "what_if_slider"]

#: A board reads five to seven findings: more and the headline is lost.
MAX_FINDINGS = 7
#: The order of the summary: where we stand, who it hides, what experience costs, what to fix, what it is worth.
_ORDER = ("nps", "csat", "ces", "no_goals", "top_vs_rest", "top_revenue_share", "bad_contact", "driver_value",
          "forecast")
#: The chart of each finding in the deck.
_CHARTS = {"top_vs_rest": "top_vs_rest", "bad_contact": "bad_contact", "driver_value": "driver_value"}


def scenario_table(the_bridge: Bridge, drivers: Drivers | None = None, *, steps: Sequence[float] = (0.05, 0.10),
                   csat_points: float = 0.5) -> pd.DataFrame:
    """What-if scenarios from today's figures: resolution up ``steps``, long waits halved, CSAT up ``csat_points``.

    Every scenario starts from this data's own figures (today's first-contact resolution and
    share of long waits), never from a fixed goal: on other data the same table asks the
    same questions of that company. A scenario the data cannot answer is left out.
    """
    rows = []
    service = the_bridge.service
    if service is not None and the_bridge.bad_contacts is not None:
        targets = sorted({round(min(service.resolution + s, 1.0), 2) for s in steps} - {round(service.resolution, 2)})
        rows += [what_if(the_bridge, resolution=t) for t in targets if t > service.resolution]
        if service.long_waits > 0:
            rows.append(what_if(the_bridge, long_waits=round(service.long_waits / 2, 3)))
    if the_bridge.csat is not None:
        rows.append(what_if(the_bridge, csat_points=csat_points))
        if drivers is not None and drivers.segments is not None and drivers.groups.focus is not None:
            rows.append(what_if(the_bridge, csat_points=csat_points, segment=drivers.groups.focus,
                                segments=drivers.segments))
    if not rows:
        return pd.DataFrame(columns=["scenario", "customers", "customers_kept", "value_kept", "status", "reason"])
    return pd.concat(rows, ignore_index=True)


def scenario_view(scenarios: pd.DataFrame, currency: str | None = None) -> pd.DataFrame:
    """The scenario table in a reader's words: what changes, customers kept and value kept with their intervals."""
    view = pd.DataFrame({"scenario": ["If " + s for s in scenarios["scenario"]]})

    def kept(row: pd.Series) -> str:
        if pd.isna(row.get("customers_kept")):
            return "not clear"
        return f"{row['customers_kept']:,.0f} ({row['kept_low']:,.0f} to {row['kept_high']:,.0f})"

    def worth(row: pd.Series) -> str:
        if pd.isna(row.get("value_kept")):
            return "no money figure"
        return (f"{format_money(row['value_kept'], currency)} ({format_money(row['ci_low'], currency)} to "
                f"{format_money(row['ci_high'], currency)})")

    view["customers kept (95% interval)"] = [kept(r) for _, r in scenarios.iterrows()]
    if "value_kept" in scenarios and scenarios["value_kept"].notna().any():
        view["value kept (95% interval)"] = [worth(r) for _, r in scenarios.iterrows()]
    if "reason" in scenarios and (scenarios["reason"].fillna("") != "").any():
        view["why not clear"] = scenarios["reason"].fillna("").to_numpy()
    return view


def board_findings(cx: CXFolder, *, satisfaction: Satisfaction | None, forecast: Forecast | None,
                   drivers: Drivers | None, contact_cost: pd.DataFrame | None,
                   at_stake: pd.DataFrame | None) -> list[Finding]:
    """The board's findings, at most :data:`MAX_FINDINGS`, in the order a board reads them.

    Where we stand against the goals (the headline metric and each with a goal), the top
    spenders against everyone else and the revenue they bring, what a bad contact costs,
    the driver worth most for the top spenders, and what customers are worth. A part the
    data cannot give is simply absent (the report names it in one line).
    """
    currency = cx.settings.currency
    found: list[Finding | None] = []
    if satisfaction is not None:
        found += board.satisfaction_findings(
            satisfaction.scorecard, satisfaction.gaps, period=satisfaction.reporting.label, goals=cx.settings.goals,
            headline=satisfaction.headline, top=satisfaction.top, top_vs_rest=satisfaction.top_vs_rest,
            top_share=satisfaction.top_share)
    if contact_cost is not None:
        found.append(board.bad_contact_finding(contact_cost, currency=currency))
    if at_stake is not None and drivers is not None and drivers.groups.focus is not None:
        shares = (drivers.by_segment[drivers.by_segment["segment"] == drivers.groups.focus]
                  if drivers.by_segment is not None else None)
        found.append(board.driver_value_finding(at_stake, shares, segment=drivers.groups.focus,
                                                who=drivers.groups.focus_words, currency=currency,
                                                period=f"the next {at_stake_months(contact_cost, forecast)} months"))
    if forecast is not None:
        found.append(board.forecast_finding(forecast.total, forecast.concentration, customers=forecast.customers,
                                            horizon_months=forecast.horizon_months, currency=currency))
    ordered = sorted((f for f in found if f is not None), key=lambda f: _ORDER.index(f.key) if f.key in _ORDER
                     else len(_ORDER))[:MAX_FINDINGS]
    return ordered


def at_stake_months(contact_cost: pd.DataFrame | None, forecast: Forecast | None) -> int:
    """The horizon of the money figures, in months."""
    if forecast is not None:
        return forecast.horizon_months
    return int(contact_cost["horizon_months"].iloc[0]) if contact_cost is not None else 12


def _window(cx: CXFolder) -> str:
    loaded = cx.summary()
    parts = []
    for row in loaded.itertuples():
        if row.present and pd.notna(getattr(row, "first_date", None)) and row.rows:
            parts.append(f"{row.table} {date_text(row.first_date)} to {date_text(row.last_date)}")
    return "; ".join(parts)


def facts(cx: CXFolder, *, satisfaction: Satisfaction | None, churn: Churn | None,
          forecast: Forecast | None) -> str:
    """The first lines of the report: analysis date, period, currency, the data window and the bases."""
    bases: dict[str, int] = {}
    if satisfaction is not None:
        bases["survey answers in the period"] = len(satisfaction.answers)
    if churn is not None:
        bases["active customers"] = len(churn.active)
    if forecast is not None:
        bases["customers with purchases"] = len(forecast.values)
    period = satisfaction.reporting.label if satisfaction is not None else None
    line = facts_line(as_of=cx.as_of, period=period, currency=cx.settings.currency, bases=bases,
                      money=forecast is not None or churn is not None)
    window = _window(cx)
    return line + (f" Data: {escape(window)}." if window else "")


def numbered(findings: Sequence[Finding], meanings: Mapping[str, str] = board.MEANINGS) -> str:
    """The findings as a numbered list, each followed by what it means in plain words."""
    if not findings:
        return "No finding: the data hold none of the tables the board report reads."
    lines = []
    for i, f in enumerate(findings, 1):
        meaning = meanings.get(f.key, "")
        lines.append(f"{i}. {f.sentence}" + (f" *{meaning}*" if meaning else ""))
    return "\n".join(lines)


def methods(cx: CXFolder, *, satisfaction: Satisfaction | None, churn: Churn | None, forecast: Forecast | None,
            drivers: Drivers | None, the_bridge: Bridge | None) -> str:
    """The methods appendix: the models behind each figure, the bridge's assumptions, what was left out."""
    lines = []
    if satisfaction is not None:
        lines.append(f"**Satisfaction** ({escape(satisfaction.reporting.label)}): NPS, CSAT and CES with 95% "
                     "intervals, judged against each goal by its interval; the top spenders (the top value decile by "
                     "spend per year of membership) against everyone else by a two-proportion test.")
    if churn is not None:
        lines.append(f"**Leaving** ({escape(churn.period)}): a time-varying Cox model of {churn.model.customers:,} "
                     f"customers and {churn.model.departures:,} departures; bad contacts and answers count from the "
                     "day after they happen, the customers' traits are held equal.")
    if forecast is not None:
        lines.append(f"**Value** ({escape(forecast.period)}): BG/NBD purchases and Gamma-Gamma spend per purchase, "
                     f"over the next {forecast.horizon_months} months discounted at {forecast.discount_rate:.1%} a "
                     "month; the interval draws the models' parameters.")
    if drivers is not None:
        lines.append(f"**Drivers** ({escape(drivers.period)}, {drivers.answers:,} answers): each driver's share of "
                     "the explained CSAT (Shapley decomposition, bootstrap intervals) and its effect in CSAT points "
                     "per point (the full linear model, heteroscedasticity-robust intervals).")
    if the_bridge is not None:
        source = the_bridge.value_source or "no money"
        lines.append(f"**The bridge** joins them for {len(the_bridge.customers):,} active customers over "
                     f"{the_bridge.horizon_months:.0f} months (values: {source}); its assumptions:")
        lines.append(as_bullets(f"{ASSUMPTIONS[k]}" for k in ASSUMPTIONS))
        lines += [f"Not computed: {escape(n)}." for n in the_bridge.notes]
    loaded = cx.summary()
    left_out = [f"{int(r.excluded_rows):,} of {r.table}" for r in loaded.itertuples() if r.present and r.excluded_rows]
    lines.append("**Data read**: " + (f"rows left out while reading: {', '.join(left_out)}; the analysis reports list "
                                      "each with its reason." if left_out else "no row was left out while reading."))
    return "\n\n".join(lines)


def bases(findings: Sequence[Finding]) -> pd.DataFrame:
    """Each finding's figure, interval, period, base and test: the appendix table a statistician reads."""
    frame = findings_frame(findings)
    if not len(frame):
        return pd.DataFrame(columns=["finding", "figure", "95% interval", "period", "base", "test"])
    base_cols = [c for c in frame.columns if c.startswith("base_")]

    def base_text(row: pd.Series) -> str:
        return ", ".join(f"{int(row[c]):,} {c[5:]}" for c in base_cols if pd.notna(row[c]))

    def figure(row: pd.Series) -> str:
        if pd.isna(row["estimate"]):
            return ""
        if "share" in str(row["unit"] or ""):
            return f"{row['estimate']:.0%}"
        return format_money(row["estimate"], row["currency"], decimals=2 if abs(row["estimate"]) < 100 else 0) \
            if row["currency"] else f"{row['estimate']:,.2f}" if abs(row["estimate"]) < 100 else \
            f"{row['estimate']:,.0f}"

    def interval(row: pd.Series) -> str:
        if pd.isna(row["low"]):
            return ""
        digits = 2 if abs(row["high"]) < 100 else 0
        return f"{row['low']:,.{digits}f} to {row['high']:,.{digits}f}"

    return pd.DataFrame({
        "finding": list(frame["what"]),
        "figure": [figure(r) for _, r in frame.iterrows()],
        "95% interval": [interval(r) for _, r in frame.iterrows()],
        "period": [p if isinstance(p, str) else "" for p in frame["period"]],
        "base": [base_text(r) for _, r in frame.iterrows()],
        "test": [t if isinstance(t, str) else "" for t in frame["test"]],
    })


def write_board_deck(path: str | Path, findings: Sequence[Finding], charts: Mapping[str, Any], actions: Sequence[str],
                     *, cx: CXFolder, satisfaction: Satisfaction | None = None,
                     the_bridge: Bridge | None = None) -> Path:
    """The board report as an editable deck: a slide per finding with its chart, the actions, the assumptions."""
    slides = [Slide(f, chart=charts.get(_CHARTS.get(f.key, "")), meaning=board.MEANINGS.get(f.key, ""))
              for f in findings]
    company = cx.settings.company
    window = _window(cx)
    subtitle = " · ".join(s for s in (plain_text(escape(company)) if company else "", f"Data: {window}" if window
                                      else "") if s)
    appendix = [plain_text(v) for v in ASSUMPTIONS.values()] if the_bridge is not None else []
    appendix += [f"Not computed: {n}." for n in (the_bridge.notes if the_bridge is not None else ())]
    return write_deck(path, slides, title="Customer experience and what it is worth", subtitle=subtitle,
                      actions=actions, period=satisfaction.reporting.label if satisfaction is not None else "",
                      appendix=appendix)


def what_if_slider(the_bridge: Bridge) -> Any:
    """In JupyterLab: a slider of first-contact resolution that shows :func:`cxkit.bridge.what_if` as it moves.

    Needs ``ipywidgets`` (``pip install ipywidgets``); the static report shows the scenario table instead.
    """
    import ipywidgets as widgets  # optional: only in an interactive session

    service = the_bridge.service
    start = service.resolution if service is not None else 0.5
    slider = widgets.FloatSlider(value=round(min(start + 0.05, 1.0), 2), min=round(start, 2), max=1.0, step=0.01,
                                 description="resolution", readout_format=".0%")
    return widgets.interactive(lambda resolution: what_if(the_bridge, resolution=resolution), resolution=slider)

