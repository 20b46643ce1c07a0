"""What drives satisfaction, for whom, and what to fix first, in sentences written from the driver tables.

* :func:`fit_sentence`: which drivers were fitted, how much they explain (R²) and on how
  many answers.
* :func:`driver_sentence`: the drivers with the largest shares for a group, claiming a
  lead only when the intervals separate.
* :func:`driver_difference_sentence`: which drivers weigh more or less for one group,
  naming only differences whose interval excludes zero.
* :func:`quadrant_sentence`: where to act for a group (the "Fix first" drivers).
* :func:`driver_sentences`: all of them, for the focus group and everyone else
  (:func:`cxkit.drivers.driver_groups`), in the order a summary reads them.

Text from the data (a driver or group name, a period) is escaped with
:func:`cxkit.narrative.escape`, so it shows as written in Markdown and HTML.
"""
from __future__ import annotations

import pandas as pd

from cxkit.drivers.groups import DriverGroups
from cxkit.drivers.importance import KeyDrivers
from cxkit.narrative import and_list, escape

__all__ = ["fit_sentence", "driver_sentence", "driver_difference_sentence", "quadrant_sentence", "driver_sentences"]


def fit_sentence(model: KeyDrivers, *, outcome: str = "CSAT") -> str:
    """Which drivers the analysis used, how much of the outcome they explain together, and on how many answers.

    Shares are of what the drivers explain: a reader needs that total (R²) to know how
    much of satisfaction the driver chart speaks for.

    Parameters
    ----------
    model : a fitted :class:`~cxkit.drivers.importance.KeyDrivers`.
    outcome : the rating explained, in words (escaped here).

    Example
    -------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 1], "b": [2, 1, 4, 3, 5, 5], "csat": [1, 2, 4, 4, 5, 3]})
    >>> print(fit_sentence(KeyDrivers(n_boot=0).fit(df, drivers=["a", "b"])))
    The drivers (a, b) explain R² = 0.94 of CSAT over 6 answers.
    """
    return (f"The drivers ({escape(', '.join(model.drivers_))}) explain R² = {model.r2_:.2f} "
            f"of {escape(outcome)} over {model.n_:,} answers.")


def driver_sentence(importance: pd.DataFrame, *, who: str, outcome: str = "CSAT", k: int = 2,
                    period: str | None = None) -> str:
    """The drivers that explain the largest shares of satisfaction for a group, with their intervals.

    "Matter most" is said of the first ``k`` drivers only when the k-th driver's interval
    lies wholly above the next driver's (a conservative test: intervals that do not overlap);
    otherwise the sentence adds that the lead is not clear.

    Parameters
    ----------
    importance : a table of :func:`cxkit.drivers.driver_importance` (``driver``,
        ``share``, ``share_low``, ``share_high``).
    who : the group, starting the sentence (escaped here).
    k : how many drivers to name.
    period : the answers' period, named at the end (escaped here).

    Example
    -------
    >>> imp = pd.DataFrame({"driver": ["availability", "accountability", "clarity"], "share": [0.44, 0.22, 0.12],
    ...                     "share_low": [0.31, 0.15, 0.05], "share_high": [0.56, 0.33, 0.14]})
    >>> print(driver_sentence(imp, who="For the top 10% of spenders"))
    For the top 10% of spenders, **availability** (44% of what the drivers explain of CSAT, 95% interval 31-56%) and **accountability** (22%, 15-33%) matter most.
    >>> print(driver_sentence(imp.assign(share_low=[0.31, 0.1, 0.05]), who="For the rest", k=2))
    For the rest, **availability** (44% of what the drivers explain of CSAT, 95% interval 31-56%) and **accountability** (22%, 10-33%) explain the largest shares, though not clearly more than **clarity** (the intervals overlap).
    """
    ranked = importance.dropna(subset=["share"]).sort_values("share", ascending=False, kind="mergesort")
    top = ranked.head(k)
    who = escape(who) + (f" ({escape(period)})" if period else "")
    parts = []
    for i, row in enumerate(top.itertuples(index=False)):
        what = f" of what the drivers explain of {escape(outcome)}, 95% interval " if i == 0 else ", "
        parts.append(f"**{escape(row.driver)}** ({row.share:.0%}{what}{row.share_low * 100:.0f}-"
                     f"{row.share_high * 100:.0f}%)")
    if len(ranked) <= len(top) or top["share_low"].iloc[-1] > ranked["share_high"].iloc[len(top)]:
        return f"{who}, {and_list(parts)} {'matters' if len(parts) == 1 else 'matter'} most."
    after = escape(ranked["driver"].iloc[len(top)])
    verb = "explains the largest share" if len(parts) == 1 else "explain the largest shares"
    return (f"{who}, {and_list(parts)} {verb}, though not clearly more than **{after}** "
            "(the intervals overlap).")


def driver_difference_sentence(difference: pd.DataFrame, *, a: str, b: str, outcome: str = "CSAT",
                               most: int = 3, period: str | None = None) -> str:
    """Which drivers matter more (or less) to one group than another, by the test of the difference.

    Only drivers whose difference in share has an interval that excludes 0 are named,
    so "the top spenders care about different things" is said only when it is shown.

    Parameters
    ----------
    difference : :func:`cxkit.drivers.importance_difference` (``driver``, ``share_a``,
        ``share_b``, ``difference``, ``difference_low``, ``difference_high``, ``excludes_zero``).
    a, b : the two groups in words (escaped here), e.g. "the top 10% of spenders", "everyone else".
    period : the answers' period (escaped here).

    Example
    -------
    >>> d = pd.DataFrame({"driver": ["availability", "quickness"], "share_a": [0.44, 0.08], "share_b": [0.18, 0.19],
    ...                   "difference": [0.26, -0.11], "difference_low": [0.12, -0.18], "difference_high": [0.4, -0.03],
    ...                   "excludes_zero": [True, True]})
    >>> print(driver_difference_sentence(d, a="the top 10% of spenders", b="everyone else"))
    **Availability** weighs more in the CSAT of the top 10% of spenders than of everyone else (44% against 18%, a difference of 26 points, 95% interval 12 to 40). **Quickness** weighs less (8% against 19%, -11 points, 95% interval -18 to -3).
    """
    when = f" ({escape(period)})" if period else ""
    tail = f"; {escape(period)}" if period else ""
    clear = difference[difference["excludes_zero"].astype(bool)]
    clear = clear.reindex(clear["difference"].abs().sort_values(ascending=False, kind="mergesort").index).head(most)
    if clear.empty:
        return (f"No driver weighs clearly more or less in the {escape(outcome)} of {escape(a)} than of "
                f"{escape(b)}{when}: every difference's 95% interval includes zero.")
    out = []
    for i, row in enumerate(clear.itertuples(index=False)):
        name = escape(str(row.driver))
        name = name[0].upper() + name[1:]
        word = "more" if row.difference > 0 else "less"
        pts, lo, hi = row.difference * 100, row.difference_low * 100, row.difference_high * 100
        if i == 0:
            out.append(f"**{name}** weighs {word} in the {escape(outcome)} of {escape(a)} than of {escape(b)} "
                       f"({row.share_a:.0%} against {row.share_b:.0%}, a difference of {pts:.0f} points, "
                       f"95% interval {lo:.0f} to {hi:.0f}{tail}).")
        else:
            out.append(f"**{name}** weighs {word} ({row.share_a:.0%} against {row.share_b:.0%}, {pts:.0f} points, "
                       f"95% interval {lo:.0f} to {hi:.0f}).")
    return " ".join(out)


def quadrant_sentence(quadrants: pd.DataFrame, *, who: str, period: str | None = None) -> str:
    """Where to act for a group: the drivers in "Fix first", or that none are.

    Parameters
    ----------
    quadrants : rows of :func:`cxkit.drivers.importance_performance` for one group
        (``driver``, ``quadrant``, ``importance``).
    who : the group (escaped here).
    period : the answers' period (escaped here).

    Example
    -------
    >>> q = pd.DataFrame({"driver": ["availability", "clarity"], "quadrant": ["Fix first", "Maintain"],
    ...                   "importance": [0.44, 0.1]})
    >>> print(quadrant_sentence(q, who="the top 10% of spenders"))
    Fix first for the top 10% of spenders: **availability** (more than the average driver's share of their satisfaction, and rated below the drivers' average).
    """
    fix = quadrants[quadrants["quadrant"] == "Fix first"].sort_values("importance", ascending=False, kind="mergesort")
    when = f" ({escape(period)})" if period else ""
    if fix.empty:
        return (f"For {escape(who)}{when}, no driver is both above the average in importance and below the average in "
                "rating: keep up the strongest drivers.")
    names = [f"**{escape(d)}**" for d in fix["driver"]]
    return (f"Fix first for {escape(who)}{when}: {and_list(names)} (more than the average driver's share of their "
            "satisfaction, and rated below the drivers' average).")


def driver_sentences(
    groups: DriverGroups,
    importance: pd.DataFrame,
    by_segment: pd.DataFrame | None = None,
    difference: pd.DataFrame | None = None,
    quadrants: pd.DataFrame | None = None,
    *,
    outcome: str = "CSAT",
    period: str | None = None,
) -> list[str]:
    """The summary's sentences on what drives satisfaction, for whom, and what to fix first.

    A board reads the driver analysis as a few claims: what matters most to the focus
    group and to everyone else, which drivers weigh clearly more or less for the focus
    group (only differences whose interval excludes zero), and each group's "Fix first"
    drivers. Each sentence is written from its table by the functions above.

    Parameters
    ----------
    groups : the groups compared (:func:`cxkit.drivers.driver_groups`).
    importance : the drivers' shares for all answers (``KeyDrivers.importance_``); its
        sentence is the only one when there are no groups (``by_segment`` is None).
    by_segment : :func:`cxkit.drivers.segment_importance` by ``segment``.
    difference : :func:`cxkit.drivers.importance_difference` of the focus group against the rest.
    quadrants : :func:`cxkit.drivers.importance_performance` by ``segment``.
    outcome : the rating explained, as the sentences name it (``"CSAT"``).
    period : the answers' period (the driver sentences name it; the actions share it).

    Returns
    -------
    list of Markdown sentences: without groups, one; with them, the drivers of the focus
    group and of the rest, their difference, and where to act for each.

    Example
    -------
    >>> imp = pd.DataFrame({"driver": ["availability", "clarity"], "share": [0.7, 0.3],
    ...                     "share_low": [0.6, 0.2], "share_high": [0.8, 0.4]})
    >>> from cxkit.drivers import driver_groups
    >>> groups = driver_groups(pd.DataFrame({"customer_id": ["a"]}), segment_by=None)[1]
    >>> driver_sentences(groups, imp, period="all answers")[0][:60]
    'For all customers (all answers), **availability** (70% of wh'
    """
    if by_segment is None:
        return [driver_sentence(importance, who="For all customers", outcome=outcome, period=period)]
    if not groups.segmented:
        raise ValueError("driver_sentences got segment results but groups without a focus group; "
                         "pass the groups of driver_groups() that labelled the answers")
    if difference is None or quadrants is None:
        raise ValueError("driver_sentences needs difference and quadrants beside by_segment")
    lines = [driver_sentence(by_segment[by_segment["segment"] == label], who=f"For {words}",
                             outcome=outcome, period=period) for label, words in groups.in_words.items()]
    lines.append(driver_difference_sentence(difference, a=groups.focus_words, b=groups.rest,
                                            outcome=outcome, period=period))
    lines += [quadrant_sentence(quadrants[quadrants["segment"] == label], who=words)
              for label, words in groups.in_words.items()]
    return lines
