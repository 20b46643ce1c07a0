"""Training session T3, the K-mart lesson: each exercise's right answer and each named mistake (cxkit.training)."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxkit import experience, spend, value
from cxkit.synth import generate
from cxkit.training import check, registered

DRIVERS = ["accountability", "clarity", "reliability", "availability", "quickness", "relevancy"]


# --------------------------------------------------------------------------- the data, as the notebook builds it

def _inputs(customers: pd.DataFrame, transactions: pd.DataFrame, surveys: pd.DataFrame, as_of: pd.Timestamp) -> dict:
    start = as_of - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    answers = surveys[(surveys["date"] >= start) & (surveys["date"] <= as_of)].reset_index(drop=True)
    customer_values = value.customer_value(transactions, customers, as_of=as_of)
    customer_values["period_spend"] = value.period_spend(transactions, customer_values["customer_id"], start=start,
                                                         end=as_of).to_numpy()
    spenders = spend.segment_customers(customer_values, customers, as_of=as_of, period="12 months")
    satisfaction = experience.customer_experience(answers, customers=customers)
    return {"answers": answers, "customer_values": customer_values, "spenders": spenders,
            "satisfaction": satisfaction, "driver_answers": surveys[surveys["date"] <= as_of].reset_index(drop=True),
            "customers": customers, "as_of": as_of}


@pytest.fixture(scope="module")
def data(cx) -> dict:
    return _inputs(cx.customers, cx.transactions, cx.surveys, cx.as_of)


@pytest.fixture(scope="module")
def kestrel() -> dict:
    tables = generate(seed=1, n_customers=800, profile="kestrel").tables
    as_of = max(tables[t]["date"].max() for t in ("transactions", "surveys", "contacts")).normalize()
    return _inputs(tables["customers"], tables["transactions"], tables["surveys"], as_of)


def _args(d: dict, *names: str) -> dict:
    return {n: d[n] for n in names}


def _assert_mistake(name: str, answer, mistake: str, **kwargs) -> None:
    feedback = check(name, answer, **kwargs)
    assert feedback.status == "wrong" and feedback.mistake == mistake, (answer, feedback)
    assert feedback.message in [m.message for m in registered()[name].mistakes if m.name == mistake]


# --------------------------------------------------------------------------- an analyst's own computations

def _top2box(ratings: pd.Series) -> float:
    rated = ratings.dropna()
    return 100 * ((rated == 4) | (rated == 5)).sum() / len(rated)


def _top_ids(values: pd.DataFrame, column: str = "annual_spend", top: bool = True) -> set:
    """The tenth of customers with the highest (or lowest) ``column``."""
    n = len(values) // 10
    ordered = values.sort_values(column, kind="mergesort", ascending=not top)
    return set(ordered["customer_id"].iloc[:n])


def _active(d: dict) -> pd.Series:
    churn = d["spenders"]["customer_id"].map(d["customers"].set_index("customer_id")["churn_date"])
    return churn.isna() | (churn > d["as_of"])


def _levels(answers: pd.DataFrame) -> pd.Series:
    mean = answers.groupby("customer_id")["csat"].mean()
    return pd.Series(np.where(mean <= 2.5, "dissatisfied", np.where(mean <= 3.5, "neutral", "satisfied")),
                     index=mean.index)


def _r2(x: np.ndarray, y: np.ndarray, columns: tuple[int, ...]) -> float:
    if not columns:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x[:, list(columns)]])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()


def _shapley_shares(answers: pd.DataFrame) -> pd.Series:
    """Each driver's share of CSAT's R²: its R² gain averaged over every order the drivers could enter in."""
    rows = answers[[*DRIVERS, "csat"]].dropna().astype(float)
    x, y, p = rows[DRIVERS].to_numpy(), rows["csat"].to_numpy(), len(DRIVERS)
    r2 = {s: _r2(x, y, s) for k in range(p + 1) for s in itertools.combinations(range(p), k)}
    gains = []
    for j in range(p):
        others = [i for i in range(p) if i != j]
        gains.append(sum(math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
                         * (r2[tuple(sorted((*s, j)))] - r2[s])
                         for k in range(p) for s in itertools.combinations(others, k)))
    shares = pd.Series(gains, index=DRIVERS)
    return shares / shares.sum()


def _groups(d: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    answers = d["driver_answers"]
    top = answers["customer_id"].isin(_top_ids(d["spenders"]))
    return answers[top], answers[~top]


def _fix_first(answers: pd.DataFrame) -> set:
    shares = _shapley_shares(answers)
    performance = answers[[*DRIVERS, "csat"]].dropna()[DRIVERS].mean()
    return set(shares.index[(shares >= shares.mean()) & (performance < performance.mean())])


# --------------------------------------------------------------------------- 1. overall CSAT

def test_overall_csat_right_and_its_mistakes(data):
    answers = data["answers"]
    kwargs = {"answers": answers}
    right = _top2box(answers["csat"])
    assert check("T3.overall_csat", right, **kwargs).right
    assert check("T3.overall_csat", round(right), **kwargs).right          # rounded to a whole point
    assert f"{right:.0f}%" in check("T3.overall_csat", right, **kwargs).message
    mean = answers["csat"].mean()
    _assert_mistake("T3.overall_csat", mean, "the mean instead of top-2-box", **kwargs)
    _assert_mistake("T3.overall_csat", 100 * mean / 5, "the mean instead of top-2-box", **kwargs)
    _assert_mistake("T3.overall_csat", 100 * (answers["csat"] == 5).sum() / answers["csat"].notna().sum(),
                    "only the 5s counted", **kwargs)
    _assert_mistake("T3.overall_csat", right / 100, "a share, not a percent", **kwargs)
    assert check("T3.overall_csat", right - 5, **kwargs).mistake is None


# --------------------------------------------------------------------------- 2. the top decile's CSAT

def test_top_decile_csat_right_and_its_mistakes(data):
    answers, values = data["answers"], data["customer_values"]
    kwargs = {"answers": answers, "customer_values": values}

    def csat_of(ids: set) -> float:
        return _top2box(answers.loc[answers["customer_id"].isin(ids), "csat"])

    assert check("T3.top_decile_csat", csat_of(_top_ids(values)), **kwargs).right
    _assert_mistake("T3.top_decile_csat", csat_of(_top_ids(values, "net_spend")),
                    "ranking customers by total spend without tenure", **kwargs)
    _assert_mistake("T3.top_decile_csat", csat_of(_top_ids(values, "period_spend")),
                    "ranking customers by total spend without tenure", **kwargs)
    _assert_mistake("T3.top_decile_csat", csat_of(_top_ids(values, top=False)), "decile 1 taken as the top", **kwargs)
    top_mean = answers.loc[answers["customer_id"].isin(_top_ids(values)), "csat"].mean()
    _assert_mistake("T3.top_decile_csat", top_mean, "the mean instead of top-2-box", **kwargs)


# --------------------------------------------------------------------------- 3. the top decile against everyone else

def _tested(answers: pd.DataFrame, top_ids: set) -> tuple[float, float]:
    """The difference in top-2-box (points, top minus rest) and its two-sided p-value (z-test, unpooled)."""
    top = answers["customer_id"].isin(top_ids)
    a, b = answers.loc[top, "csat"].dropna(), answers.loc[~top, "csat"].dropna()
    pa, pb = (a >= 4).mean(), (b >= 4).mean()
    se = math.sqrt(pa * (1 - pa) / len(a) + pb * (1 - pb) / len(b))
    return 100 * (pa - pb), 2 * stats.norm.sf(abs(pa - pb) / se)


def test_top_vs_rest_from_the_test_and_its_mistakes(data):
    kwargs = _args(data, "answers", "spenders")
    diff, p = _tested(data["answers"], _top_ids(data["spenders"]))
    right = "no clear difference" if p >= 0.05 else "less satisfied" if diff < 0 else "more satisfied"
    assert check("T3.top_vs_rest", right, **kwargs).right
    assert check("T3.top_vs_rest", f"  {right.upper()} ", **kwargs).right                  # case and spaces
    assert right != "no clear difference"                       # so that reading it backwards is a named mistake
    backwards = "more satisfied" if right == "less satisfied" else "less satisfied"
    _assert_mistake("T3.top_vs_rest", backwards, "the difference read the wrong way round", **kwargs)
    assert check("T3.top_vs_rest", "a bit less", **kwargs).message.startswith("Answer with one of")


def test_a_gap_without_a_clear_test_is_no_clear_difference():
    spenders = pd.DataFrame({"customer_id": [f"c{i:02d}" for i in range(20)], "annual_spend": np.arange(1.0, 21.0),
                             "period_spend": np.arange(1.0, 21.0)})
    answers = pd.DataFrame({"customer_id": spenders["customer_id"],
                            "csat": [4] * 14 + [2] * 4 + [5, 3]})       # the two top spenders answer 5 and 3
    diff, p = _tested(answers, {"c18", "c19"})
    assert diff < 0 and p > 0.05
    kwargs = {"answers": answers, "spenders": spenders}
    assert check("T3.top_vs_rest", "no clear difference", **kwargs).right
    _assert_mistake("T3.top_vs_rest", "less satisfied", "two means compared without a test", **kwargs)


# --------------------------------------------------------------------------- 4. the money

def test_top_revenue_share_right_and_its_mistakes(data):
    spenders = data["spenders"]
    kwargs = {"spenders": spenders}

    def share(ids: set, column: str = "period_spend") -> float:
        money = spenders.set_index("customer_id")[column]
        return 100 * money[money.index.isin(ids)].sum() / money.sum()

    right = share(_top_ids(spenders))
    assert check("T3.top_revenue_share", right, **kwargs).right
    _assert_mistake("T3.top_revenue_share", 100 * len(_top_ids(spenders)) / len(spenders),
                    "the share of customers, not of revenue", **kwargs)
    _assert_mistake("T3.top_revenue_share", share(_top_ids(spenders, "net_spend")),
                    "ranking customers by total spend without tenure", **kwargs)
    _assert_mistake("T3.top_revenue_share", share(_top_ids(spenders), "net_spend"),
                    "all-time spend instead of the period's revenue", **kwargs)
    _assert_mistake("T3.top_revenue_share", right / 100, "a share, not a percent", **kwargs)


def test_unhappy_top_revenue_right_and_its_mistakes(data):
    spenders = data["spenders"].assign(active_by_hand=_active(data).to_numpy())
    kwargs = _args(data, "spenders", "satisfaction")
    level = spenders["customer_id"].map(_levels(data["answers"]))
    top = spenders["customer_id"].isin(_top_ids(spenders))
    unhappy = top & spenders["active_by_hand"] & (level == "dissatisfied")
    right = spenders.loc[unhappy, "period_spend"].sum()
    assert right > 0 and check("T3.unhappy_top_revenue", round(right), **kwargs).right
    _assert_mistake("T3.unhappy_top_revenue", unhappy.sum(), "counting the customers, not their revenue", **kwargs)
    _assert_mistake("T3.unhappy_top_revenue", spenders.loc[top & spenders["active_by_hand"], "period_spend"].sum(),
                    "all top spenders instead of the dissatisfied", **kwargs)
    neutral_too = top & spenders["active_by_hand"] & level.isin(["dissatisfied", "neutral"])
    _assert_mistake("T3.unhappy_top_revenue", spenders.loc[neutral_too, "period_spend"].sum(),
                    "the neutral counted as dissatisfied", **kwargs)
    _assert_mistake("T3.unhappy_top_revenue", spenders.loc[top & (level == "dissatisfied"), "period_spend"].sum(),
                    "customers who had left counted", **kwargs)
    _assert_mistake("T3.unhappy_top_revenue", spenders.loc[unhappy, "net_spend"].sum(),
                    "all-time spend instead of the period's revenue", **kwargs)


# --------------------------------------------------------------------------- 5. drivers and what to fix first

def test_top_driver_right_and_its_mistakes(data):
    kwargs = _args(data, "driver_answers", "spenders")
    top, rest = _groups(data)
    right = _shapley_shares(top).idxmax()
    assert check("T3.top_driver", right, **kwargs).right
    lowest_rated = top[DRIVERS].mean().idxmin()
    assert lowest_rated != right
    _assert_mistake("T3.top_driver", lowest_rated, "taking a driver's mean rating for its importance", **kwargs)
    _assert_mistake("T3.top_driver", _shapley_shares(rest).idxmax(), "what matters for everyone else", **kwargs)


def test_fix_first_top_right_and_its_mistake(data):
    kwargs = _args(data, "driver_answers", "spenders")
    top, rest = _groups(data)
    right = _fix_first(top)
    assert right and check("T3.fix_first_top", sorted(right, reverse=True), **kwargs).right     # order ignored
    _assert_mistake("T3.fix_first_top", list(_fix_first(rest)), "fixing what matters for everyone else", **kwargs)
    assert not check("T3.fix_first_top", list(right)[0], **kwargs).right                        # a name, not a list


# --------------------------------------------------------------------------- another company

def test_the_answers_follow_the_data(data, kestrel):
    def share(d: dict) -> float:
        money = d["spenders"].set_index("customer_id")["period_spend"]
        return 100 * money[money.index.isin(_top_ids(d["spenders"]))].sum() / money.sum()

    assert abs(share(kestrel) - share(data)) > 1
    assert check("T3.top_revenue_share", share(kestrel), spenders=kestrel["spenders"]).right
    assert not check("T3.top_revenue_share", share(data), spenders=kestrel["spenders"]).right
    top, _ = _groups(kestrel)
    assert check("T3.top_driver", _shapley_shares(top).idxmax(), **_args(kestrel, "driver_answers", "spenders")).right


def test_every_exercise_names_a_mistake_and_explains_the_answer(data):
    session = {name: ex for name, ex in registered().items() if ex.session == "T3"}
    assert len(session) == 7 and all(ex.mistakes and ex.explain and ex.hint for ex in session.values())
    assert check("T3.overall_csat", None, answers=data["answers"]).status == "not answered"
