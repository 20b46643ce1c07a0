"""Session T1's exercises: each right answer, computed here by hand, is accepted, and each named mistake is named.

The right answers are worked out the way a careful analyst would (pandas and the
published formulas), not by calling the exercises' own functions; the mistakes are
made the way a learner makes them.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxkit import periods, synth
from cxkit.errors import DataError
from cxkit.training import check, registered
from cxkit.training.t1_metrics import HALF_WIDTH, SAMPLE_SIZE, latest_change

Z = 1.959963984540054


@pytest.fixture(scope="module")
def answers(cx) -> pd.DataFrame:
    """The sample's answers of the 12 months to the analysis date, as the notebook takes them."""
    reporting = periods.reporting_period("12M", as_of=cx.as_of, first_date=cx.surveys["date"].min())
    return reporting.select(cx.surveys, table="surveys")


@pytest.fixture(scope="module")
def surveys(cx) -> pd.DataFrame:
    return cx.surveys


def _named(name: str, answer, mistake: str, **data) -> None:
    """``answer`` is judged wrong, as the named mistake, with one of that mistake's messages."""
    feedback = check(name, answer, **data)
    assert feedback.status == "wrong", (answer, feedback)
    assert feedback.mistake == mistake, (answer, feedback)
    assert feedback.message in {m.message for m in registered()[name].mistakes if m.name == mistake}


def _shares(scores: pd.Series) -> tuple[float, float]:
    scores = scores.dropna()
    return float((scores >= 9).sum() / len(scores)), float((scores <= 6).sum() / len(scores))


def test_every_exercise_of_the_session_names_a_mistake():
    t1 = {name: ex for name, ex in registered().items() if ex.session == "T1"}
    assert 6 <= len(t1) <= 8
    assert all(ex.mistakes and ex.explain and ex.hint and ex.teaches for ex in t1.values())


# --------------------------------------------------------------------------- #
# NPS, CSAT and CES by hand
# --------------------------------------------------------------------------- #
def test_nps_by_hand(answers):
    scores = answers["nps"].dropna()
    promoters, detractors = _shares(scores)
    right = 100 * (promoters - detractors)
    assert check("T1.nps_by_hand", round(right, 1), answers=answers).right
    assert check("T1.nps_by_hand", None, answers=answers).status == "not answered"
    _named("T1.nps_by_hand", 100 * ((scores >= 7).mean() - (scores <= 6).mean()), "7-8 counted as promoters",
           answers=answers)
    n_promoters, n_detractors = int((scores >= 9).sum()), int((scores <= 6).sum())
    _named("T1.nps_by_hand", 100 * (n_promoters - n_detractors) / (n_promoters + n_detractors),
           "passives left out of the base", answers=answers)
    _named("T1.nps_by_hand", promoters - detractors, "a share not in points", answers=answers)
    _named("T1.nps_by_hand", 100 * ((answers["nps"] >= 9).sum() - (answers["nps"] <= 6).sum()) / len(answers),
           "blank answers kept in the base", answers=answers)


def test_csat_by_hand(answers):
    ratings = answers["csat"].dropna()
    right = 100 * (ratings >= 4).sum() / len(ratings)
    assert check("T1.csat_by_hand", round(right, 1), answers=answers).right
    _named("T1.csat_by_hand", ratings.mean(), "the mean instead of top-2-box", answers=answers)
    _named("T1.csat_by_hand", 100 * ratings.mean() / 5, "the mean instead of top-2-box", answers=answers)
    _named("T1.csat_by_hand", 100 * (ratings >= 3).mean(), "top-3-box", answers=answers)
    _named("T1.csat_by_hand", (ratings >= 4).mean(), "a share not in points", answers=answers)


def test_ces_by_hand(answers):
    efforts = answers["ces"].dropna().astype(float)
    assert check("T1.ces_by_hand", round(efforts.sum() / len(efforts), 2), answers=answers).right
    _named("T1.ces_by_hand", 100 * (efforts >= 6).mean(), "top-2-box on the effort scale", answers=answers)
    _named("T1.ces_by_hand", (efforts >= 6).mean(), "top-2-box on the effort scale", answers=answers)
    _named("T1.ces_by_hand", answers["ces"].fillna(0).mean(), "missing answers counted as zeros",
           answers=answers)


# --------------------------------------------------------------------------- #
# The spread of the score, and its interval
# --------------------------------------------------------------------------- #
def test_nps_sample_se_from_drawn_surveys(answers):
    scores = answers["nps"].dropna().to_numpy(dtype=float)
    draws = np.random.default_rng(7).choice(scores, size=(400, SAMPLE_SIZE))
    sample_nps = 100 * ((draws >= 9).mean(axis=1) - (draws <= 6).mean(axis=1))
    assert check("T1.nps_sample_se", float(np.std(sample_nps, ddof=1)), answers=answers).right
    _named("T1.nps_sample_se", float(np.std(scores, ddof=1)), "the spread of the answers, not of the score",
           answers=answers)
    coded = np.where(scores >= 9, 100.0, np.where(scores <= 6, -100.0, 0.0))
    _named("T1.nps_sample_se", float(coded.std()), "the spread of the answers, not of the score", answers=answers)
    _named("T1.nps_sample_se", float(coded.std() / math.sqrt(len(coded))), "the standard error of the whole period",
           answers=answers)
    _named("T1.nps_sample_se", Z * float(coded.std()) / math.sqrt(SAMPLE_SIZE),
           "a 95% half-width, not one standard error", answers=answers)


def _adjusted_wald(scores: pd.Series) -> tuple[float, float, float]:
    """NPS and its adjusted-Wald 95% interval (3/4 added to promoters and detractors, 3 to n), in points."""
    scores = scores.dropna()
    n = len(scores)
    promoters, detractors = float((scores >= 9).sum()), float((scores <= 6).sum())
    pa, da = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    half = Z * math.sqrt(((pa + da) - (pa - da) ** 2) / (n + 3))
    return 100 * (promoters - detractors) / n, 100 * (pa - da - half), 100 * (pa - da + half)


def test_nps_interval(answers):
    value, low, high = _adjusted_wald(answers["nps"])
    assert check("T1.nps_interval", pd.DataFrame({"ci_low": [round(low, 1)], "ci_high": [round(high, 1)]}),
                 answers=answers).right
    spread = Z * answers["nps"].dropna().std()
    _named("T1.nps_interval", pd.DataFrame({"ci_low": [value - spread], "ci_high": [value + spread]}),
           "the spread of the answers, not of the score", answers=answers)
    p, d = _shares(answers["nps"])
    se = 100 * math.sqrt(((p + d) - (p - d) ** 2) / answers["nps"].notna().sum())
    _named("T1.nps_interval", pd.DataFrame({"ci_low": [value - se], "ci_high": [value + se]}),
           "one standard error, not a 95% interval", answers=answers)
    assert check("T1.nps_interval", (low, high), answers=answers).status == "wrong"   # two numbers, not a table


# --------------------------------------------------------------------------- #
# News or noise
# --------------------------------------------------------------------------- #
def _last_two_quarters(surveys: pd.DataFrame) -> list[tuple[float, float]]:
    """(NPS, standard error) of the last two quarters with NPS answers, oldest first."""
    rated = surveys.dropna(subset=["nps"])
    out = []
    for _, group in sorted(rated.groupby(rated["date"].dt.to_period("Q")), key=lambda kv: kv[0])[-2:]:
        p, d = _shares(group["nps"].astype(float))
        out.append((100 * (p - d), 100 * math.sqrt(((p + d) - (p - d) ** 2) / len(group))))
    return out


def _verdict(surveys: pd.DataFrame) -> tuple[str, float]:
    (before, se_before), (now, se_now) = _last_two_quarters(surveys)
    z = (now - before) / math.hypot(se_before, se_now)
    p_value = 2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2))))
    return ("news" if p_value < 0.05 else "noise"), now - before


def test_news_or_noise_on_the_sample(surveys):
    right, raw = _verdict(surveys)
    assert check("T1.news_or_noise", f"  {right.upper()} ", surveys=surveys).right
    assert check("T1.news_or_noise", "maybe", surveys=surveys).status == "wrong"
    assert right == "noise" and abs(raw) >= 0.5          # on the sample, a visible move that the test calls noise
    _named("T1.news_or_noise", "news", "two means compared without a test", surveys=surveys)


def _quarters(counts_q1: tuple[int, int, int], counts_q2: tuple[int, int, int]) -> pd.DataFrame:
    """Answers of two quarters from (promoters, passives, detractors) counts."""
    rows = []
    for day, (p, m, d) in (("2025-02-15", counts_q1), ("2025-05-15", counts_q2)):
        rows += [(day, 10)] * p + [(day, 8)] * m + [(day, 3)] * d
    frame = pd.DataFrame(rows, columns=["date", "nps"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_overlapping_intervals_are_not_the_test():
    made = _quarters((160, 160, 80), (190, 150, 60))      # NPS +20.0 then +32.5
    (before, se_before), (now, se_now) = _last_two_quarters(made)
    assert now - Z * se_now < before + Z * se_before     # the two quarters' intervals overlap...
    assert _verdict(made)[0] == "news"                   # ... and the change is news all the same
    assert check("T1.news_or_noise", "news", surveys=made).right
    _named("T1.news_or_noise", "noise", "overlapping intervals read as no change", surveys=made)


def test_latest_change_needs_two_periods():
    with pytest.raises(DataError, match="two periods"):
        latest_change(_quarters((10, 5, 5), (0, 0, 0)).iloc[:20])


# --------------------------------------------------------------------------- #
# The base a quarter needs
# --------------------------------------------------------------------------- #
def test_answers_for_5_points(answers):
    p, d = _shares(answers["nps"])
    variance = 10_000 * ((p + d) - (p - d) ** 2)
    needed = math.ceil(1.96**2 * variance / HALF_WIDTH**2)
    assert check("T1.answers_for_5_points", needed, answers=answers).right
    _named("T1.answers_for_5_points", 1.96**2 * variance / (HALF_WIDTH / 2) ** 2, "±5 taken as the whole width",
           answers=answers)
    _named("T1.answers_for_5_points", variance / HALF_WIDTH**2, "1.96 left out", answers=answers)
    _named("T1.answers_for_5_points", 1.96**2 * 10_000 * p * (1 - p) / HALF_WIDTH**2,
           "the variance of one share, not of NPS", answers=answers)


# --------------------------------------------------------------------------- #
# Another company: the answers follow the data
# --------------------------------------------------------------------------- #
def test_answers_follow_another_company(answers):
    other = synth.generate(seed=1, n_customers=800, profile="kestrel")["surveys"]
    scores = other["nps"].dropna().astype(float)
    theirs = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
    ours = 100 * float(np.subtract(*_shares(answers["nps"])))
    assert abs(theirs - ours) > 0.5
    assert check("T1.nps_by_hand", theirs, answers=other).right
    assert not check("T1.nps_by_hand", ours, answers=other).right
    efforts = other["ces"].dropna().astype(float)
    _named("T1.ces_by_hand", other["ces"].fillna(0).mean(), "missing answers counted as zeros",
           answers=other)
    assert check("T1.ces_by_hand", efforts.mean(), answers=other).right
    assert check("T1.news_or_noise", _verdict(other)[0], surveys=other).right
