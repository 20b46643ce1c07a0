"""The checked-exercise machinery: each kind of answer, the named mistakes, the hints and the completion table.

The exercises are registered here under the session "TX", which no training notebook uses,
and taken out of the registry again when the module's tests end.
"""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit.errors import ArgumentError
from cxkit.training import core
from cxkit.training.core import NOT_ANSWERED, Mistake, check, completion, exercise, exercises

SPEND = pd.DataFrame({"segment": ["a", "a", "a", "a", "b", "b", "b", "c"],
                      "spend": [1.0, 3.0, 2.0, 4.0, 10.0, 20.0, 60.0, 5.0]})
NAMES = ("TX.mean_spend", "TX.growth", "TX.biggest_segment", "TX.top_two", "TX.mean_by_segment", "TX.markup")


def _register() -> None:
    exercise("TX.mean_spend", "What is the mean spend, in pounds?", tolerance=0.05,
             mistakes=[Mistake("the median", lambda spend: spend["spend"].median(),
                               "That is the **median**: add up and divide by the count."),
                       Mistake("the total", lambda spend: spend["spend"].sum(), "That is the total.")],
             hint="Add every spend and divide by the number of customers.",
             explain=lambda value: f"The mean spend is {value:.2f}.", teaches="a mean")(
        lambda spend: spend["spend"].mean())
    exercise("TX.growth", "By how much did spend grow?", rel_tolerance=0.1)(lambda before, after: after / before)
    exercise("TX.biggest_segment", "Which segment spends most?", kind="choice", choices=("a", "b", "c"),
             mistakes=[Mistake("the most customers", lambda spend: spend["segment"].value_counts().idxmax(),
                               "That segment has the most customers, not the most spend.")])(
        lambda spend: spend.groupby("segment")["spend"].sum().idxmax())
    exercise("TX.top_two", "Which two segments spend most?", kind="set")(
        lambda spend: list(spend.groupby("segment")["spend"].sum().nlargest(2).index))
    exercise("TX.mean_by_segment", "The mean spend of each segment.", kind="table", tolerance=0.05)(
        lambda spend: spend.groupby("segment", as_index=False)["spend"].mean())
    exercise("TX.markup", "Is <b>this</b> [a link](javascript:alert(1)) *bold*?", kind="choice",
             choices=("<i>yes</i>", "no"))(lambda: "no")


def _middle(values: pd.Series) -> float:
    """The median by hand: the middle value, or the mean of the middle two."""
    ordered, n = sorted(values), len(values)
    return float(ordered[n // 2]) if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


@pytest.fixture(autouse=True, scope="module")
def registered_exercises():
    core.reset()
    _register()
    yield
    for name in NAMES:
        core._EXERCISES.pop(name, None)
        core._RESULTS.pop(name, None)


@pytest.fixture(autouse=True)
def fresh_results():
    core.reset()


# --- numbers ------------------------------------------------------------------------------------


def test_a_number_within_the_tolerance_is_right_and_just_outside_is_wrong():
    mean = SPEND["spend"].sum() / len(SPEND)
    for answer in (mean, mean + 0.049, mean - 0.049, str(round(mean, 2)), pd.Series([mean])):
        assert check("TX.mean_spend", answer, spend=SPEND).status == "right", answer
    assert check("TX.mean_spend", mean, spend=SPEND).message == f"The mean spend is {mean:.2f}."
    for answer in (mean + 0.051, mean - 0.051):
        feedback = check("TX.mean_spend", answer, spend=SPEND)
        assert feedback.status == "wrong" and feedback.mistake is None
        assert "Add every spend" in feedback.message and "±0.05" in feedback.message


def test_a_relative_tolerance_scales_with_the_answer():
    assert check("TX.growth", 2.19, before=10.0, after=20.0).right       # 2 ± 10%
    assert not check("TX.growth", 2.21, before=10.0, after=20.0).right
    assert check("TX.growth", 21.9, before=1.0, after=20.0).right        # 20 ± 10%: the band grows with it


def test_text_for_a_number_is_a_wrong_shape_named_before_the_value():
    feedback = check("TX.mean_spend", "about fifteen", spend=SPEND)
    assert feedback.status == "wrong" and feedback.mistake is None
    assert "should be a number" in feedback.message and "about fifteen" in feedback.message
    assert check("TX.mean_spend", True, spend=SPEND).status == "wrong"      # a yes/no is not a number


# --- choices, sets, tables ----------------------------------------------------------------------


def test_a_choice_ignores_case_and_spaces():
    best = SPEND.groupby("segment")["spend"].sum().idxmax()
    for answer in (best, f"  {best.upper()} ", f"{best}\n"):
        assert check("TX.biggest_segment", answer, spend=SPEND).right, answer
    other = next(s for s in ("a", "b", "c") if s not in (best, SPEND["segment"].value_counts().idxmax()))
    assert check("TX.biggest_segment", other, spend=SPEND).status == "wrong"


def test_a_choice_outside_the_options_lists_them():
    feedback = check("TX.biggest_segment", "d", spend=SPEND)
    assert feedback.status == "wrong" and all(f"`{c}`" in feedback.message for c in ("a", "b", "c"))


def test_a_set_ignores_order_case_and_spaces():
    totals = SPEND.groupby("segment")["spend"].sum().sort_values()
    top_two = list(totals.index[-2:])
    assert check("TX.top_two", top_two[::-1], spend=SPEND).right
    assert check("TX.top_two", {f" {s.upper()} " for s in top_two}, spend=SPEND).right
    assert not check("TX.top_two", list(totals.index), spend=SPEND).right      # one too many
    assert not check("TX.top_two", top_two[:1], spend=SPEND).right             # one too few
    assert not check("TX.top_two", "".join(top_two), spend=SPEND).right        # a string is not a set of labels


def test_a_table_is_compared_column_by_column_within_the_tolerance():
    means = {s: SPEND.loc[SPEND["segment"] == s, "spend"].mean() for s in sorted(set(SPEND["segment"]))}
    answer = pd.DataFrame({"segment": list(means), "spend": list(means.values())})
    assert check("TX.mean_by_segment", answer, spend=SPEND).right
    shuffled = answer.iloc[::-1].assign(spend=answer["spend"].iloc[::-1] + 0.04, extra=1)
    assert check("TX.mean_by_segment", shuffled, spend=SPEND).right               # row order, extra columns
    as_series = pd.Series(means, name="spend").rename_axis("segment")
    assert check("TX.mean_by_segment", as_series, spend=SPEND).right              # a groupby's Series
    assert not check("TX.mean_by_segment", answer.assign(spend=answer["spend"] + 0.06), spend=SPEND).right
    assert not check("TX.mean_by_segment", answer.rename(columns={"spend": "mean"}), spend=SPEND).right
    assert not check("TX.mean_by_segment", answer.iloc[:2], spend=SPEND).right
    feedback = check("TX.mean_by_segment", 7.0, spend=SPEND)
    assert feedback.status == "wrong" and "table" in feedback.message


# --- not answered, mistakes, unknown exercises --------------------------------------------------


@pytest.mark.parametrize("answer", [None, ...])
def test_none_or_an_ellipsis_is_not_answered_yet(answer):
    feedback = check("TX.mean_spend", answer, spend=SPEND)
    assert feedback.status == NOT_ANSWERED and not feedback.right and feedback.mistake is None
    assert str(feedback) == "Not answered yet. What is the mean spend, in pounds?"


def test_not_answered_needs_no_data():
    assert check("TX.mean_spend", None).status == NOT_ANSWERED     # the answer is not computed


def test_a_named_mistake_is_found_before_the_generic_hint():
    median = _middle(SPEND["spend"])
    feedback = check("TX.mean_spend", median, spend=SPEND)
    assert (feedback.status, feedback.mistake) == ("wrong", "the median")
    assert feedback.message == "That is the **median**: add up and divide by the count."
    assert "Add every spend" not in feedback.message
    total = check("TX.mean_spend", SPEND["spend"].to_numpy().sum(), spend=SPEND)
    assert total.mistake == "the total" and str(total) == "Not yet. That is the total."
    most_customers = SPEND["segment"].mode().iloc[0]
    assert check("TX.biggest_segment", most_customers, spend=SPEND).mistake == "the most customers"


def test_a_mistake_follows_the_data():
    other = SPEND.assign(spend=SPEND["spend"] * 2)
    median = _middle(other["spend"])
    assert check("TX.mean_spend", median, spend=other).mistake == "the median"
    assert check("TX.mean_spend", median, spend=SPEND).mistake is None       # not this data's median


def test_an_unknown_exercise_lists_the_known_names():
    with pytest.raises(ArgumentError) as err:
        check("TX.no_such_exercise", 1.0)
    assert all(name in str(err.value) for name in NAMES) and err.value.column == "exercise"


def test_a_bad_kind_or_a_name_without_a_session_is_refused():
    with pytest.raises(ArgumentError, match="kind must be one of number, choice, set, table"):
        exercise("TX.bad", "?", kind="essay")
    with pytest.raises(ArgumentError, match="SESSION.name"):
        exercise("no_session", "?")
    assert "TX.bad" not in core.registered() and "no_session" not in core.registered()


# --- completion, the registry, Markdown ---------------------------------------------------------


def test_completion_lists_the_latest_result_of_each_exercise_of_the_session():
    mean = SPEND["spend"].mean()
    check("TX.mean_spend", mean + 1, spend=SPEND)
    check("TX.mean_spend", mean, spend=SPEND)                         # the latest result counts
    check("TX.top_two", ["a"], spend=SPEND)
    check("TX.growth", None)
    done = completion("TX").set_index("exercise")["status"].to_dict()
    assert done == {"TX.mean_spend": "right", "TX.growth": NOT_ANSWERED, "TX.biggest_segment": NOT_ANSWERED,
                    "TX.top_two": "wrong", "TX.mean_by_segment": NOT_ANSWERED, "TX.markup": NOT_ANSWERED}
    assert list(completion("TX").columns) == ["exercise", "question", "status"]
    core.reset()
    assert set(completion("TX")["status"]) == {NOT_ANSWERED}
    assert completion("TY").empty


def test_the_registry_lists_what_each_exercise_teaches_and_its_mistakes():
    table = exercises("TX").set_index("exercise")
    assert list(table.index) == list(NAMES)
    assert table.loc["TX.mean_spend", "mistakes named"] == "the median; the total"
    assert table.loc["TX.mean_spend", "teaches"] == "a mean"
    assert table.loc["TX.mean_spend", "tolerance"] == "±0.05" and table.loc["TX.growth", "tolerance"] == "±10%"
    assert table.loc["TX.biggest_segment", "tolerance"] == ""


def test_feedback_markdown_escapes_the_question_and_the_answer_but_not_the_mistake_message():
    unanswered = check("TX.markup", None)._repr_markdown_()
    assert "<b>" not in unanswered and "](" not in unanswered and "*bold*" not in unanswered
    assert "&lt;b&gt;this&lt;/b&gt;" in unanswered and unanswered.startswith("✏️ **TX.markup**")
    shape = check("TX.markup", "<script>x</script>")._repr_markdown_()
    assert "<script>" not in shape and "&lt;i&gt;yes&lt;/i&gt;" in shape
    text = check("TX.mean_spend", "<img src=x onerror=alert(1)>", spend=SPEND)._repr_markdown_()
    assert "<img" not in text and "&lt;img" in text and text.startswith("❌ **TX.mean&#95;spend**")
    median = _middle(SPEND["spend"])
    assert "**median**" in check("TX.mean_spend", median, spend=SPEND)._repr_markdown_()
    assert check("TX.mean_spend", SPEND["spend"].mean(), spend=SPEND)._repr_markdown_().startswith("✅")
