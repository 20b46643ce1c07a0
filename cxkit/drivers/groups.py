"""Who a driver analysis compares: the focus group against everyone else, and their names in a report.

:func:`driver_groups` labels each answer with the group a driver analysis compares (the
top value tier, or a segment of the customers table) and returns the
:class:`DriverGroups` whose words every chart, table and sentence of the analysis uses.

Example
-------
>>> answers = pd.DataFrame({"customer_id": ["a", "b"], "value_tier": ["Top 10%", "Rest (90%)"]})
>>> driver_groups(answers)[1].focus_words
'the top 10% of spenders'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxkit.value import REST, attach, focus_vs_rest, top_tier_label

__all__ = ["DriverGroups", "driver_groups"]


@dataclass(frozen=True)
class DriverGroups:
    """The two groups a driver analysis compares, and the words a report names them with.

    Attributes
    ----------
    focus : the focus group's label in the answers' ``segment`` column (``"Top 10%"``,
        ``"Club Plus"``); ``None`` when the answers have no segments.
    rest : the label of everyone else (:data:`REST`).
    focus_words : the focus group as a sentence names it (``"the top 10% of spenders"``,
        ``"Club Plus"``; ``"all customers"`` without segments).
    top_tier : the label of the top value tier (:func:`value_tiers`), e.g. ``"Top 10%"``.
    spenders : the top value tier in a sentence, e.g. ``"the top 10% of spenders"``.
    group_word : one value segment in words: ``"decile"`` for ten segments, else ``"group"``.
    by_value : True when the groups are the top value tier against the rest.
    """

    focus: str | None
    rest: str
    focus_words: str
    top_tier: str
    spenders: str
    group_word: str
    by_value: bool

    @property
    def segmented(self) -> bool:
        """Whether the answers are split into a focus group and everyone else."""
        return self.focus is not None

    @property
    def in_words(self) -> dict[str, str]:
        """Each group's label and how a sentence names it, the focus group first (empty without groups)."""
        return {self.focus: self.focus_words, self.rest: self.rest} if self.focus is not None else {}


def driver_groups(
    answers: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    segment_by: str | None = "value",
    focus_segment: Any = None,
    q: int = 10,
    top: int = 1,
    rest: str = REST,
    customer_col: str = "customer_id",
) -> tuple[pd.DataFrame, DriverGroups]:
    """Split survey answers into a focus group and everyone else, and name both for the report.

    The K-mart question is whether the customers who matter are driven by other things
    than everyone else: this picks who "the customers who matter" are (the top value
    tier by default, or one segment of a customers column such as a plan) and gives the
    words every chart, table and sentence of the analysis uses for them.

    Parameters
    ----------
    answers : survey answers, one row per answer with ``customer_col``; with
        ``value_tier`` attached (:func:`attach` of :func:`cxkit.spend.customer_spend`)
        when the groups are value tiers.
    customers : the customers table, for ``segment_by`` naming one of its columns.
    segment_by : ``"value"``: the top ``top`` of ``q`` value segments against the rest
        (needs ``value_tier`` in ``answers``); or a column of ``customers``. ``None``,
        or a column the data do not hold: no groups (the analysis covers everyone).
    focus_segment : with a customers column, the segment compared with everyone else
        (default: the first label in sorted order).
    q, top : the value segments (``q``: 10 for deciles) and how many of the top ones form
        the focus group, as in :func:`value_tiers`.
    rest : the label of everyone else.
    customer_col : the customer id column of ``answers`` and ``customers``.

    Returns
    -------
    ``(answers, groups)``: the answers, with a ``segment`` column (the focus label,
    ``rest``, or missing where a customer has no segment) when there are groups, and the
    :class:`DriverGroups` naming them. A focus segment that is not among the labels, or
    labels with only one segment, raise :class:`cxkit.DataError` (:func:`focus_vs_rest`).

    Example
    -------
    >>> answers = pd.DataFrame({"customer_id": ["a", "b", "c"], "value_tier": ["Top 10%", "Rest (90%)", "Rest (90%)"]})
    >>> rated, groups = driver_groups(answers)
    >>> rated["segment"].tolist(), groups.focus, groups.focus_words
    (['Top 10%', 'everyone else', 'everyone else'], 'Top 10%', 'the top 10% of spenders')
    """
    top_tier = top_tier_label(q, top)
    spenders = f"the {top_tier.lower()} of spenders"
    by_value = segment_by == "value" and "value_tier" in answers
    labels = answers["value_tier"] if by_value else None
    if segment_by and not by_value and customers is not None and segment_by in customers:
        labels = attach(answers[[customer_col]], customers, segment_by, on=customer_col)[segment_by]
    focus = None
    if labels is not None:
        answers = answers.assign(segment=focus_vs_rest(labels, top_tier if by_value else focus_segment, rest=rest))
        focus = next(s for s in sorted(answers["segment"].dropna().unique()) if s != rest)
    words = "all customers" if focus is None else spenders if by_value else str(focus)
    return answers, DriverGroups(focus=focus, rest=rest, focus_words=words, top_tier=top_tier, spenders=spenders,
                                 group_word="decile" if q == 10 else "group", by_value=by_value)
