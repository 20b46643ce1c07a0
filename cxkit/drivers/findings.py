"""The driver analysis's headline results as :class:`~cxkit.findings.Finding` records.

What drives satisfaction for the focus group and for everyone else, which drivers weigh
clearly more or less for the focus group, and what to fix first for each: the sentences
of :func:`cxkit.drivers.sentences.driver_sentences`, each kept with the share, interval,
period, base, test and the direction the test supports (theme ``"drivers"``), so the
notebook's summary and the board report render the same records.
"""
from __future__ import annotations

import pandas as pd

from cxkit.drivers.groups import DriverGroups
from cxkit.drivers.sentences import driver_sentences
from cxkit.findings import Finding

__all__ = ["THEME", "driver_findings"]

#: The theme every finding here belongs to.
THEME = "drivers"
_SHARE = "share of what the drivers explain"


def _interval(estimate: float | None, low: float | None, high: float | None) -> tuple[float | None, float | None]:
    """A percentile interval, or none when it does not contain its estimate (a bootstrap can place it aside)."""
    if estimate is None or low is None or high is None or pd.isna(low) or pd.isna(high):
        return None, None
    return (float(low), float(high)) if low <= estimate <= high else (None, None)


def _lead(importance: pd.DataFrame, *, key: str, words: str, outcome: str, period: str | None,
          n: int | None, sentence: str, k: int = 2) -> Finding:
    """The drivers with the largest shares for one group; "higher" when the k-th's interval clears the next's."""
    ranked = importance.dropna(subset=["share"]).sort_values("share", ascending=False, kind="mergesort")
    if ranked.empty:
        return Finding(theme=THEME, key=key, what=f"drivers of {outcome} for {words}", sentence=sentence,
                       period=period, base={"answers": n} if n is not None else {})
    top = ranked.iloc[0]
    clear = len(ranked) <= k or ranked["share_low"].iloc[k - 1] > ranked["share_high"].iloc[k]
    low, high = _interval(float(top["share"]), top.get("share_low"), top.get("share_high"))
    return Finding(theme=THEME, key=key, what=f"{top['driver']}: {_SHARE} of {outcome}, {words}",
                   sentence=sentence, estimate=float(top["share"]), low=low, high=high, unit=_SHARE,
                   period=period, base={"answers": n} if n is not None else {},
                   test=f"Shapley shares of R²; the top {k} lead only when their 95% bootstrap intervals clear the next's",
                   direction="higher" if clear else "no clear difference")


def _difference(difference: pd.DataFrame, *, groups: DriverGroups, outcome: str, period: str | None,
                sentence: str) -> Finding:
    """The largest difference in share whose interval excludes zero, or "no clear difference"."""
    clear = difference[difference["excludes_zero"].astype(bool)]
    base = {f"answers, {groups.focus_words}": int(difference["n_a"].iloc[0]),
            f"answers, {groups.rest}": int(difference["n_b"].iloc[0])} if {"n_a", "n_b"} <= set(difference) else {}
    common = dict(theme=THEME, key="drivers:difference", sentence=sentence, unit="points of share", period=period,
                  base=base, test="95% bootstrap interval of the difference in shares (resampled within each group)")
    what = f"difference in the drivers' shares of {outcome}: {groups.focus_words} against {groups.rest}"
    if clear.empty:
        return Finding(what=what, direction="no clear difference", **common)
    top = clear.loc[clear["difference"].abs().sort_values(ascending=False, kind="mergesort").index[0]]
    estimate = float(top["difference"]) * 100
    low, high = _interval(estimate, float(top["difference_low"]) * 100, float(top["difference_high"]) * 100)
    return Finding(what=f"{top['driver']}: {what}", estimate=estimate, low=low, high=high,
                   direction="higher" if estimate > 0 else "lower", **common)


def _fix_first(quadrants: pd.DataFrame, *, key: str, words: str, period: str | None, sentence: str) -> Finding:
    """The drivers in "Fix first" for one group: a reading of two cut points, no test."""
    n = int(quadrants["n"].iloc[0]) if "n" in quadrants and len(quadrants) else None
    return Finding(theme=THEME, key=key, what=f"drivers to fix first for {words}", sentence=sentence,
                   period=period, base={"answers": n} if n is not None else {})


def driver_findings(
    groups: DriverGroups,
    importance: pd.DataFrame,
    by_segment: pd.DataFrame | None = None,
    difference: pd.DataFrame | None = None,
    quadrants: pd.DataFrame | None = None,
    *,
    outcome: str = "CSAT",
    period: str | None = None,
    n_answers: int | None = None,
) -> list[Finding]:
    """The summary's findings on what drives satisfaction, for whom, and what to fix first, in its order.

    The same sentences as :func:`cxkit.drivers.sentences.driver_sentences`, each with what
    it rests on: the leading driver's share and interval (``direction`` ``"higher"`` when
    the named drivers' intervals clear the next driver's, the test behind "matter most",
    else ``"no clear difference"``); the largest difference in share whose interval
    excludes zero (``"higher"`` or ``"lower"`` for the focus group; ``"no clear
    difference"`` when none does); and each group's "Fix first" drivers (no test). A
    percentile interval that does not contain its estimate is not recorded (the
    sentence still quotes it).

    Parameters
    ----------
    groups, importance, by_segment, difference, quadrants, outcome, period : as in
        :func:`cxkit.drivers.sentences.driver_sentences`.
    n_answers : the answers ``importance`` was fitted on (``KeyDrivers.n_``), for the
        base of the finding without groups; with groups each base comes from its table.

    Returns
    -------
    list of :class:`~cxkit.findings.Finding` (theme ``"drivers"``): without groups, one
    (key ``"drivers:all"``); with them, ``"drivers:<group>"`` for the focus group and the
    rest, ``"drivers:difference"``, then ``"fix_first:<group>"`` for each.

    Example
    -------
    >>> from cxkit.drivers import driver_groups
    >>> imp = pd.DataFrame({"driver": ["availability", "clarity", "quickness"], "share": [0.6, 0.3, 0.1],
    ...                     "share_low": [0.5, 0.2, 0.05], "share_high": [0.7, 0.4, 0.15]})
    >>> groups = driver_groups(pd.DataFrame({"customer_id": ["a"]}), segment_by=None)[1]
    >>> [(f.key, f.estimate, f.direction) for f in driver_findings(groups, imp, n_answers=500)]
    [('drivers:all', 0.6, 'higher')]
    """
    lines = driver_sentences(groups, importance, by_segment, difference, quadrants, outcome=outcome, period=period)
    if by_segment is None:
        return [_lead(importance, key="drivers:all", words="all customers", outcome=outcome, period=period,
                      n=n_answers, sentence=lines[0])]
    out = []
    for (label, words), sentence in zip(groups.in_words.items(), lines[:2], strict=True):
        part = by_segment[by_segment["segment"] == label]
        n = int(part["n"].iloc[0]) if "n" in part and len(part) else None
        out.append(_lead(part, key=f"drivers:{label}", words=words, outcome=outcome, period=period, n=n,
                         sentence=sentence))
    out.append(_difference(difference, groups=groups, outcome=outcome, period=period, sentence=lines[2]))
    for (label, words), sentence in zip(groups.in_words.items(), lines[3:], strict=True):
        out.append(_fix_first(quadrants[quadrants["segment"] == label], key=f"fix_first:{label}", words=words,
                              period=period, sentence=sentence))
    return out
