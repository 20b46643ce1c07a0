"""The training path: exercises a learner answers in the training notebooks, checked with feedback.

A trainer runs four sessions (``notebooks/training/T1_metrics.ipynb`` to ``T4_clv.ipynb``).
Each "your turn" exercise asks a question; the learner answers in a cell and calls
:func:`check`, which computes the right answer from the data in use (so a trainer can swap
the data set), says whether the answer is right within a stated tolerance, and, for the
common mistakes, names the mistake. :func:`completion` lists what a learner has answered.
The sessions' exercises are registered in ``t1_metrics``, ``t2_survival``, ``t3_kmart`` and
``t4_clv``; :mod:`cxkit.training.student` writes the learner's copies of the notebooks.
"""
from __future__ import annotations

from cxkit.training import t1_metrics, t2_survival, t3_kmart, t4_clv  # noqa: F401  (they register the exercises)
from cxkit.training.core import (
    NOT_ANSWERED,
    Exercise,
    Feedback,
    Mistake,
    check,
    completion,
    exercise,
    exercises,
    registered,
    reset,
)

__all__ = ["NOT_ANSWERED", "Exercise", "Feedback", "Mistake", "check", "completion", "exercise", "exercises",
           "registered", "reset"]
