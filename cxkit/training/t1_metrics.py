"""Session T1, CX metrics: NPS, CSAT and CES by hand, their intervals, and news or noise between quarters.

The exercises of ``notebooks/training/T1_metrics.ipynb``. Each computes its right answer
from the tables the notebook passes to :func:`cxkit.training.check`: ``answers`` (the
survey answers of the reporting period, the ``surveys`` table's columns ``nps``, ``csat``
and ``ces``) and ``surveys`` (every answer, with its ``date``, for the quarters). Each
names the mistakes a newcomer makes, computed on the same data, so a trainer may run the
session on their own company's answers.

Example
-------
>>> import pandas as pd
>>> from cxkit.training import check
>>> answers = pd.DataFrame({"nps": [10, 9, 9, 8, 7, 6, 3, None], "csat": [5, 4, 4, 3, 2, 5, 4, 1],
...                         "ces": [7, 6, None, 5, 4, 6, 2, 3]})
>>> check("T1.nps_by_hand", 100 * (3 - 2) / 7, answers=answers).status
'right'
>>> check("T1.nps_by_hand", 100 * (5 - 2) / 7, answers=answers).mistake
'7-8 counted as promoters'
"""
from __future__ import annotations

import math

import pandas as pd

from cxkit.errors import data_error, require_columns
from cxkit.metrics import ces, csat, nps, period_over_period
from cxkit.narrative import sign_from_test
from cxkit.training.core import Mistake, exercise

__all__ = ["SESSION", "SAMPLE_SIZE", "HALF_WIDTH", "latest_change"]

#: The session's name: every exercise here is ``"T1.<short name>"``.
SESSION = "T1"
#: The answers in each drawn survey sample (the notebook draws samples of this size).
SAMPLE_SIZE = 200
#: The half-width, in NPS points, a quarter's interval should not exceed (the base-size exercise).
HALF_WIDTH = 5.0

_Z95 = 1.959963984540054
_TABLE = "surveys"


# --------------------------------------------------------------------------- #
# The answers, as a learner handles them
# --------------------------------------------------------------------------- #
def _given(answers: pd.DataFrame, column: str) -> pd.Series:
    """The non-missing answers of ``column`` as numbers (the right answer has validated them)."""
    require_columns(answers, [column], _TABLE)
    return pd.to_numeric(answers[column], errors="coerce").dropna().astype(float)


def _all_rows(answers: pd.DataFrame, column: str) -> pd.Series:
    """Every row's answer, blanks as NaN: what a learner who divides by the table's rows counts in the base."""
    return pd.to_numeric(answers[column], errors="coerce").astype(float)


def _shares(answers: pd.DataFrame) -> tuple[float, float]:
    """The shares of promoters (9-10) and detractors (0-6) among the NPS answers given."""
    x = _given(answers, "nps")
    return float((x >= 9).mean()), float((x <= 6).mean())


def _variance_per_answer(answers: pd.DataFrame) -> float:
    """The variance of one answer coded +100 (promoter), 0 (passive), -100 (detractor), in points squared."""
    p, d = _shares(answers)
    return 10_000.0 * max((p + d) - (p - d) ** 2, 0.0)


# --------------------------------------------------------------------------- #
# 1. NPS by hand
# --------------------------------------------------------------------------- #
def _nps_promoters_from_7(answers: pd.DataFrame) -> float:
    x = _given(answers, "nps")
    return 100.0 * float((x >= 7).mean() - (x <= 6).mean())


def _nps_without_passives(answers: pd.DataFrame) -> float:
    x = _given(answers, "nps")
    promoters, detractors = int((x >= 9).sum()), int((x <= 6).sum())
    return 100.0 * (promoters - detractors) / (promoters + detractors) if promoters + detractors else math.nan


def _nps_as_share(answers: pd.DataFrame) -> float:
    p, d = _shares(answers)
    return p - d


def _nps_blanks_in_base(answers: pd.DataFrame) -> float:
    x = _all_rows(answers, "nps")
    return 100.0 * float((x >= 9).mean() - (x <= 6).mean())


@exercise(
    "T1.nps_by_hand",
    "NPS of the period's answers, by hand from the `nps` column of `answers`: % promoters (9-10) minus "
    "% detractors (0-6), in points from -100 to +100.",
    tolerance=0.5,
    mistakes=[
        Mistake("7-8 counted as promoters", _nps_promoters_from_7,
                "That counts the 7s and 8s as promoters. Promoters answer **9 or 10** only; 7-8 are passives."),
        Mistake("passives left out of the base", _nps_without_passives,
                "That divides by promoters and detractors only. The passives (7-8) stay in the base: divide by "
                "**every** answer given."),
        Mistake("a share not in points", _nps_as_share,
                "That is a share (0.27), not points. NPS is written in points: multiply by 100 (27)."),
        Mistake("blank answers kept in the base", _nps_blanks_in_base,
                "That divides by every row of the table, the rows with no NPS answer too. Divide by the answers "
                "given: drop the blanks first with `answers[\"nps\"].dropna()`."),
    ],
    explain=lambda v: f"NPS is {v:+.1f}: the share of promoters minus the share of detractors, in points, "
                      "with the passives in the base.",
    hint="Count the answers of 9-10 and of 0-6 among the answers given, divide each by the number of answers, "
         "subtract, and multiply by 100.",
    teaches="NPS from its definition: promoters 9-10, detractors 0-6, passives in the base, in points.",
)
def _nps_by_hand(answers: pd.DataFrame) -> float:
    return float(nps(answers)["value"].iloc[0])


# --------------------------------------------------------------------------- #
# 2. CSAT by hand
# --------------------------------------------------------------------------- #
def _csat_mean(answers: pd.DataFrame) -> float:
    return float(_given(answers, "csat").mean())


def _csat_mean_of_5(answers: pd.DataFrame) -> float:
    return 100.0 * float(_given(answers, "csat").mean()) / 5.0


def _csat_top3(answers: pd.DataFrame) -> float:
    return 100.0 * float((_given(answers, "csat") >= 3).mean())


def _csat_as_share(answers: pd.DataFrame) -> float:
    return float((_given(answers, "csat") >= 4).mean())


@exercise(
    "T1.csat_by_hand",
    "CSAT of the period's answers, by hand from the `csat` column of `answers` (1-5): the top-2-box share, "
    "the % answering 4 or 5.",
    tolerance=0.5,
    mistakes=[
        Mistake("the mean instead of top-2-box", _csat_mean,
                "That is the mean rating. CSAT is reported as the **share** of satisfied customers: the % who "
                "answer 4 or 5."),
        Mistake("the mean instead of top-2-box", _csat_mean_of_5,
                "That is the mean rating as a % of 5, not a share of customers. Count the answers of 4 or 5 and "
                "divide by the number of answers."),
        Mistake("top-3-box", _csat_top3,
                "That counts the 3s as satisfied. A 3 is neutral: top-2-box counts only **4 and 5**."),
        Mistake("a share not in points", _csat_as_share,
                "That is a share (0.78), not a percentage. Multiply by 100."),
    ],
    explain=lambda v: f"CSAT is {v:.1f}%: the share of answers that are 4 or 5.",
    hint="Keep the answers given (`dropna()`), take the share that is 4 or more, and multiply by 100.",
    teaches="CSAT as the top-2-box share of satisfied customers, not the mean rating.",
)
def _csat_by_hand(answers: pd.DataFrame) -> float:
    return float(csat(answers)["value"].iloc[0])


# --------------------------------------------------------------------------- #
# 3. CES by hand
# --------------------------------------------------------------------------- #
def _ces_top2(answers: pd.DataFrame) -> float:
    return 100.0 * float((_given(answers, "ces") >= 6).mean())


def _ces_top2_share(answers: pd.DataFrame) -> float:
    return float((_given(answers, "ces") >= 6).mean())


def _ces_blanks_as_zero(answers: pd.DataFrame) -> float:
    return float(_all_rows(answers, "ces").fillna(0).mean())


@exercise(
    "T1.ces_by_hand",
    "CES of the period's answers, by hand from the `ces` column of `answers`: the mean agreement that the "
    "company made it easy, on its 1-7 scale.",
    tolerance=0.05,
    mistakes=[
        Mistake("top-2-box on the effort scale", _ces_top2,
                "That is the share answering 6 or 7. cxkit reports CES as the **mean** on its 1-7 scale: "
                "`answers[\"ces\"].mean()`."),
        Mistake("top-2-box on the effort scale", _ces_top2_share,
                "That is the share answering 6 or 7 (as a fraction). CES here is the **mean** on 1-7."),
        Mistake("missing answers counted as zeros", _ces_blanks_as_zero,
                "That counts the customers who skipped the question as 0, a point that is not even on the 1-7 "
                "scale. Leave the blanks out: pandas' `.mean()` skips them."),
    ],
    explain=lambda v: f"CES is {v:.2f} on 1-7: the mean of the answers given (blanks left out).",
    hint="The mean of the `ces` answers given, between 1 and 7.",
    teaches="CES as a mean on its own 1-7 scale, and skipped questions left out of the base.",
)
def _ces_by_hand(answers: pd.DataFrame) -> float:
    return float(ces(answers)["value"].iloc[0])


# --------------------------------------------------------------------------- #
# 4. How far NPS moves between surveys of SAMPLE_SIZE answers
# --------------------------------------------------------------------------- #
def _se_answers_0_10(answers: pd.DataFrame) -> float:
    return float(_given(answers, "nps").std())


def _se_answers_coded(answers: pd.DataFrame) -> float:
    return math.sqrt(_variance_per_answer(answers))


def _se_whole_period(answers: pd.DataFrame) -> float:
    return float(nps(answers)["se"].iloc[0])


def _se_as_half_width(answers: pd.DataFrame) -> float:
    return _Z95 * math.sqrt(_variance_per_answer(answers) / SAMPLE_SIZE)


@exercise(
    "T1.nps_sample_se",
    f"How far does NPS move from one survey of {SAMPLE_SIZE} answers to the next? Its standard error for "
    f"{SAMPLE_SIZE} answers, in points: the standard deviation of the samples' NPS, or the formula.",
    rel_tolerance=0.1,
    mistakes=[
        Mistake("the spread of the answers, not of the score", _se_answers_0_10,
                "That is the standard deviation of the 0-10 answers: how customers differ, not how the score "
                "moves. Take the standard deviation of the samples' NPS (`sample_nps.std()`)."),
        Mistake("the spread of the answers, not of the score", _se_answers_coded,
                "That is the spread of single answers (+100, 0, -100). A score of many answers moves much less: "
                f"divide the variance by the {SAMPLE_SIZE} answers before the square root."),
        Mistake("the standard error of the whole period", _se_whole_period,
                f"That is the standard error of all the period's answers. The question asks about surveys of "
                f"{SAMPLE_SIZE} answers, which move more."),
        Mistake("a 95% half-width, not one standard error", _se_as_half_width,
                "That is 1.96 standard errors: the half-width of a 95% interval. One standard error is the "
                "standard deviation of the samples' NPS itself."),
    ],
    explain=lambda v: f"NPS moves by about {v:.1f} points (one standard error) between surveys of "
                      f"{SAMPLE_SIZE} answers.",
    hint="`sample_nps.std()`, or 100 × √(((p + d) − (p − d)²) / n) with p and d the shares of promoters and "
         "detractors.",
    teaches="A score from a sample moves from sample to sample: its standard error shrinks with the base size.",
)
def _nps_sample_se(answers: pd.DataFrame) -> float:
    return math.sqrt(_variance_per_answer(answers) / SAMPLE_SIZE)


# --------------------------------------------------------------------------- #
# 5. The 95% interval of NPS
# --------------------------------------------------------------------------- #
def _around_nps(answers: pd.DataFrame, half: float) -> pd.DataFrame:
    value = float(nps(answers)["value"].iloc[0])
    return pd.DataFrame({"ci_low": [max(value - half, -100.0)], "ci_high": [min(value + half, 100.0)]})


def _interval_answers_0_10(answers: pd.DataFrame) -> pd.DataFrame:
    return _around_nps(answers, _Z95 * float(_given(answers, "nps").std()))


def _interval_answers_coded(answers: pd.DataFrame) -> pd.DataFrame:
    return _around_nps(answers, _Z95 * math.sqrt(_variance_per_answer(answers)))


def _interval_one_se(answers: pd.DataFrame) -> pd.DataFrame:
    return _around_nps(answers, float(nps(answers)["se"].iloc[0]))


@exercise(
    "T1.nps_interval",
    "The 95% interval of the period's NPS, from `metrics.nps(answers)`: a table with the columns `ci_low` "
    "and `ci_high`, in points.",
    kind="table",
    tolerance=0.2,
    mistakes=[
        Mistake("the spread of the answers, not of the score", _interval_answers_0_10,
                "That is NPS ± 1.96 × the standard deviation of the 0-10 answers: the spread of the answers, not "
                "of the score. Read `ci_low` and `ci_high` from `metrics.nps(answers)`."),
        Mistake("the spread of the answers, not of the score", _interval_answers_coded,
                "That is NPS ± 1.96 × the spread of single answers: where one customer's answer falls, not where "
                "the score lies. Read `ci_low` and `ci_high` from `metrics.nps(answers)`."),
        Mistake("one standard error, not a 95% interval", _interval_one_se,
                "That is NPS ± one standard error, about a 68% interval. A 95% interval reaches about 1.96 "
                "standard errors each side: take `ci_low` and `ci_high`."),
    ],
    explain=lambda t: f"The 95% interval of NPS runs from {t['ci_low'].iloc[0]:+.1f} to {t['ci_high'].iloc[0]:+.1f}.",
    hint="`metrics.nps(answers)[[\"ci_low\", \"ci_high\"]]`.",
    teaches="Where the true NPS plausibly lies, given how many customers answered.",
)
def _nps_interval(answers: pd.DataFrame) -> pd.DataFrame:
    return nps(answers)[["ci_low", "ci_high"]].reset_index(drop=True)


# --------------------------------------------------------------------------- #
# 6. News or noise: the latest quarter against the one before
# --------------------------------------------------------------------------- #
def latest_change(surveys: pd.DataFrame, metric: str = "nps", freq: str = "QE") -> pd.Series:
    """The latest period's score against the period before it, with the test of the change.

    A quarter-on-quarter move is reported only when it is larger than the noise; this is
    the row of :func:`cxkit.metrics.period_over_period` a quarterly review reads.

    Parameters
    ----------
    surveys : the survey answers with a datetime ``date`` column and the metric's column.
    metric : ``"nps"``, ``"csat"`` or ``"ces"``.
    freq : the period (pandas alias): ``"QE"`` quarters, ``"ME"`` months.

    Returns
    -------
    pandas.Series: the last row with a change: ``period``, ``n``, ``value``, ``ci_low``,
    ``ci_high``, ``change``, ``change_ci_low``, ``change_ci_high``, ``change_p_value`` and
    ``previous`` (the value of the period before).

    Example
    -------
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2025-02-01"] * 4 + ["2025-05-01"] * 4),
    ...                    "nps": [10, 9, 6, 3, 10, 9, 9, 7]})
    >>> row = latest_change(df)
    >>> float(row["previous"]), float(row["value"]), float(row["change"])
    (0.0, 75.0, 75.0)
    """
    table = period_over_period(surveys, metric, freq=freq)
    table["previous"] = table["value"] - table["change"]
    moved = table.dropna(subset=["change"])
    if moved.empty:
        raise data_error(_TABLE, "date", f"two periods ({freq}) with {metric.upper()} answers are needed to test "
                         "a change", None, hint="use answers that span at least two periods")
    return moved.iloc[-1]



def _verdict(row: pd.Series) -> str:
    sign = sign_from_test(float(row["change"]), float(row["change_ci_low"]), float(row["change_ci_high"]),
                          float(row["change_p_value"]), 0.05)
    return "noise" if sign == 0 else "news"


def _news_from_raw_difference(surveys: pd.DataFrame) -> str:
    return "news" if abs(float(latest_change(surveys)["change"])) >= 0.5 else "noise"


def _noise_from_overlap(surveys: pd.DataFrame) -> str:
    now = latest_change(surveys)
    table = period_over_period(surveys, "nps", freq="QE")
    before = table.loc[table.index < now.name].dropna(subset=["value"]).iloc[-1]
    overlap = now["ci_low"] <= before["ci_high"] and before["ci_low"] <= now["ci_high"]
    return "noise" if overlap else "news"


@exercise(
    "T1.news_or_noise",
    "NPS in the latest quarter against the quarter before (`metrics.period_over_period(surveys, \"nps\")`): is "
    "the change **news** or **noise**?",
    kind="choice",
    choices=("news", "noise"),
    mistakes=[
        Mistake("two means compared without a test", _news_from_raw_difference,
                "That reads the raw difference alone. Two quarters' scores always differ a little; the change is "
                "news only when its test says so: `change_p_value` below 0.05, its interval clear of 0."),
        Mistake("overlapping intervals read as no change", _noise_from_overlap,
                "The two quarters' intervals overlap, but that does not settle it: the test of the change itself "
                "(`change_ci_low` to `change_ci_high`, `change_p_value`) is the one to read."),
    ],
    explain=lambda v: ("It is news: the change's 95% interval is clear of 0 (p below 0.05)." if v == "news" else
                       "It is noise: the change's 95% interval includes 0 (p of 0.05 or more)."),
    hint="Read the last row's `change_ci_low`, `change_ci_high` and `change_p_value`.",
    teaches="A change between two periods is news only when its own test says so.",
)
def _news_or_noise(surveys: pd.DataFrame) -> str:
    return _verdict(latest_change(surveys))


# --------------------------------------------------------------------------- #
# 7. The answers a quarter needs for an interval of ±HALF_WIDTH points
# --------------------------------------------------------------------------- #
def _base_for(answers: pd.DataFrame, z: float, half: float) -> float:
    return z * z * _variance_per_answer(answers) / (half * half)


def _base_whole_width(answers: pd.DataFrame) -> float:
    return _base_for(answers, _Z95, HALF_WIDTH / 2)


def _base_without_z(answers: pd.DataFrame) -> float:
    return _base_for(answers, 1.0, HALF_WIDTH)


def _base_one_share(answers: pd.DataFrame) -> float:
    p, _ = _shares(answers)
    return _Z95 * _Z95 * 10_000.0 * p * (1 - p) / (HALF_WIDTH * HALF_WIDTH)


@exercise(
    "T1.answers_for_5_points",
    f"How many NPS answers does a quarter need for a 95% interval of ±{HALF_WIDTH:g} points, with the period's "
    "shares of promoters and detractors?",
    rel_tolerance=0.05,
    mistakes=[
        Mistake(f"±{HALF_WIDTH:g} taken as the whole width", _base_whole_width,
                f"That gives an interval {HALF_WIDTH:g} points wide in all, ±{HALF_WIDTH / 2:g}. The half-width is "
                f"{HALF_WIDTH:g}: n = 1.96² × variance / {HALF_WIDTH:g}²."),
        Mistake("1.96 left out", _base_without_z,
                "That gives ± one standard error, not a 95% interval: multiply by 1.96² (about 3.84)."),
        Mistake("the variance of one share, not of NPS", _base_one_share,
                "That is the variance of the promoter share alone. NPS is a difference of two shares: its variance "
                "per answer is (p + d) − (p − d)², in points²."),
    ],
    explain=lambda v: f"About {math.ceil(v):,} answers: n = 1.96² × ((p + d) − (p − d)²) × 100² / "
                      f"{HALF_WIDTH:g}².",
    hint="Solve 1.96 × √(variance / n) = 5 for n, with the variance of one answer "
         "10,000 × ((p + d) − (p − d)²) in points².",
    teaches="Why a quarter of a few hundred answers cannot see small moves, and what base it would take.",
)
def _answers_for_5_points(answers: pd.DataFrame) -> float:
    return _base_for(answers, _Z95, HALF_WIDTH)
