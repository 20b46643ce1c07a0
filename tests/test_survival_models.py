"""Cox models on the sample: planted hazard ratios, the immortal-time trap, risk scores, attributable churn."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter

from cxkit import DataError
from cxkit.survival import (
    active_customers,
    attributable_churn,
    churn_risk,
    episode_table,
    hazard_ratios,
    landmark_table,
    naive_vs_time_varying,
    survival_table,
)
from cxkit.survival.models import _centred_design, _cumulative
from cxkit.synth import TRUTH

pytestmark = pytest.mark.filterwarnings("error")

COLUMNS = ["cum_unresolved", "cum_long_wait", "latest_csat", "has_csat"]


def _fit_tv(episodes: pd.DataFrame, columns: list[str]) -> CoxTimeVaryingFitter:
    return CoxTimeVaryingFitter().fit(episodes[["customer_id", "start", "stop", "event", *columns]],
                                      id_col="customer_id", event_col="event", start_col="start", stop_col="stop")


@pytest.fixture(scope="module")
def episodes(cx):
    return episode_table(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, covariates=["plan"])


@pytest.fixture(scope="module")
def tv_model(episodes):
    return _fit_tv(episodes, COLUMNS)


@pytest.fixture(scope="module")
def active(cx):
    return active_customers(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, covariates=["plan"])


def test_time_varying_cox_recovers_the_planted_effects(tv_model):
    hr = hazard_ratios(tv_model).set_index("covariate")
    unresolved = hr.loc["cum_unresolved"]
    assert unresolved["ci_low"] < TRUTH["hr_unresolved_contact"] < unresolved["ci_high"]
    assert hr.loc["latest_csat", "ci_high"] < 1  # satisfied customers stay
    assert hr.loc["cum_long_wait", "ci_low"] < 1 < hr.loc["cum_long_wait", "ci_high"]  # planted null


def test_hazard_ratios_read_the_model(tv_model):
    hr = hazard_ratios(tv_model)
    assert list(hr.columns) == ["covariate", "hazard_ratio", "ci_low", "ci_high", "p_value"]
    np.testing.assert_allclose(hr["hazard_ratio"], np.exp(tv_model.params_))
    np.testing.assert_allclose(hr["ci_low"], np.exp(tv_model.confidence_intervals_.iloc[:, 0]))
    tiny = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": 1, "x": [0, 1, 0, 1, 1, 0]})
    narrow = CoxPHFitter(alpha=0.2).fit(tiny, "t", "e")  # 80% intervals
    b, se = narrow.params_.iloc[0], narrow.standard_errors_.iloc[0]
    assert hazard_ratios(narrow)["ci_high"].iloc[0] == pytest.approx(np.exp(b + 1.2816 * se), rel=1e-4)
    with pytest.raises(TypeError, match="CoxPHFitter"):
        hazard_ratios("not a model")
    with pytest.raises(TypeError, match="fitted"):
        hazard_ratios(CoxPHFitter())


def test_naive_lifetime_counts_reverse_the_sign(cx):
    both = naive_vs_time_varying(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of)
    hr = both.set_index(["model", "covariate"])
    naive = hr.loc[("lifetime counts (naive)", "cum_unresolved")]
    right = hr.loc[("time-varying", "cum_unresolved")]
    assert naive["ci_high"] < 1 < right["ci_low"]


def test_landmark_cox_agrees_in_direction(cx):
    lm = landmark_table(cx.customers, cx.contacts, cx.surveys, as_of=cx.as_of, landmark_days=180)
    fit = CoxPHFitter().fit(lm[["duration", "churned", *COLUMNS]], "duration", "churned")
    assert hazard_ratios(fit).set_index("covariate").loc["cum_unresolved", "ci_low"] > 1


# --------------------------------------------------------------------------- churn_risk


def test_churn_risk_equals_lifelines_conditional_prediction(cx, active):
    st = survival_table(cx.customers, as_of=cx.as_of, covariates=["plan", "region"])
    model = CoxPHFitter().fit(st.drop(columns="customer_id"), "tenure", "churned", formula="plan + region")
    current = st[~st["churned"]].reset_index(drop=True)
    risk = churn_risk(model, current, horizon=90)
    ref = 1 - model.predict_survival_function(current, times=[90], conditional_after=current["tenure"])
    inside = ~risk["extrapolated"]
    assert inside.mean() > 0.8
    np.testing.assert_allclose(risk.loc[inside, "churn_probability"], ref.to_numpy().ravel()[inside], atol=1e-12)
    assert risk["customer_id"].tolist() == current["customer_id"].tolist()


def test_churn_risk_on_the_time_varying_model(tv_model, active):
    risk = churn_risk(tv_model, active, horizon=90)
    assert len(risk) == len(active) and risk["churn_probability"].between(0, 1).all()
    by_count = risk.groupby(active["cum_unresolved"].clip(upper=3))["churn_probability"].mean()
    assert by_count.is_monotonic_increasing and by_count[3] > 2 * by_count[0]
    # same customer, one more unresolved contact: higher risk
    more = churn_risk(tv_model, active.assign(cum_unresolved=active["cum_unresolved"] + 1))
    assert (more["churn_probability"] > risk["churn_probability"]).all()
    longer = churn_risk(tv_model, active, horizon=180)
    assert (longer["churn_probability"] > risk["churn_probability"]).all()
    assert risk.loc[risk["extrapolated"], "churn_probability"].gt(0).all()


def test_baseline_tail_extension():
    t = np.array([0.0, 10.0, 20.0, 30.0])
    h = np.array([0.0, 1.0, 2.0, 2.0])  # no churn after 20: the data end there
    value, beyond = _cumulative(h, t, np.array([15.0, 20.0, 40.0]))
    np.testing.assert_allclose(value, [1.5, 2.0, 4.0])  # 2 + 0.1 per day for 20 days
    assert beyond.tolist() == [False, False, True]


def test_churn_risk_rejects_bad_input(tv_model, active):
    with pytest.raises(DataError, match="tenure"):
        churn_risk(tv_model, active.drop(columns="tenure"))
    with pytest.raises(DataError, match=">= 0"):
        churn_risk(tv_model, active.assign(tenure=-1))
    with pytest.raises(DataError, match="horizon"):
        churn_risk(tv_model, active, horizon=0)


# --------------------------------------------------------------------------- attributable churn


def test_design_matrix_reproduces_lifelines(tv_model, active):
    np.testing.assert_allclose(_centred_design(tv_model, active) @ tv_model.params_.to_numpy(),
                               tv_model.predict_log_partial_hazard(active).to_numpy(), atol=1e-10)


def test_attributable_churn_on_the_sample(tv_model, active):
    res = attributable_churn(tv_model, active, horizon=90, random_state=1).iloc[0]
    assert res["ci_low"] < res["attributable_share"] < res["ci_high"]
    assert res["ci_low"] > 0.05  # unresolved contacts cost real churn
    without = active.assign(cum_unresolved=0, cum_long_wait=0)
    r0 = churn_risk(tv_model, without)["churn_probability"].sum()
    assert res["expected_churners_without"] == pytest.approx(r0)
    assert res["attributable_share"] == pytest.approx(1 - r0 / res["expected_churners"])
    once, again = (attributable_churn(tv_model, active, n_boot=100, random_state=7).iloc[0] for _ in range(2))
    assert again["ci_low"] == once["ci_low"] != res["ci_low"]  # repeatable with a seed


def test_attributable_churn_is_zero_without_an_effect(episodes, tv_model, active):
    no_contacts = _fit_tv(episodes, ["latest_csat", "has_csat"])  # contact coefficient 0
    res = attributable_churn(no_contacts, active, n_boot=50, random_state=0).iloc[0]
    assert res["attributable_share"] == pytest.approx(0, abs=1e-12)
    assert res["ci_low"] == pytest.approx(0, abs=1e-12) and res["ci_high"] == pytest.approx(0, abs=1e-12)
    # long waits have no planted effect: the churn they explain is within the noise of 0
    null = attributable_churn(tv_model, active, exposures="cum_long_wait", random_state=0).iloc[0]
    assert null["ci_low"] < 0 < null["ci_high"]


def test_attributable_churn_needs_an_exposure(tv_model, active):
    with pytest.raises(DataError, match="count column"):
        attributable_churn(tv_model, active[["customer_id", "tenure", "latest_csat", "has_csat"]])
    with pytest.raises(DataError, match="n_boot"):
        attributable_churn(tv_model, active, n_boot=0)


def test_risk_reasons_read_each_customers_record():
    import pandas as pd

    from cxkit.survival import risk_reasons

    frame = pd.DataFrame({"cum_unresolved": [0, 3, 0], "latest_csat": [4.0, 1.5, 3.9],
                          "has_csat": [True, True, False]})
    assert risk_reasons(frame).tolist() == ["latest CSAT 4.0", "3 unresolved contact(s); latest CSAT 1.5",
                                            "no survey answer"]
    assert risk_reasons(frame[["cum_unresolved"]]).tolist() == ["tenure only", "3 unresolved contact(s)",
                                                                "tenure only"]


@pytest.mark.parametrize("frame,column,message", [
    ({"churned": [False, False, False], "x": [1, 2, 3]}, "churned", "no customer has left"),
    ({"churned": [True, True], "x": [1, 2]}, "churned", "every customer has left"),
    ({"churned": [True, False, True], "x": [4, 4, 4]}, "x", "one value only"),
    ({"churned": [True, True, False, False], "x": [5, 6, 1, 2]}, "x", "separates leavers from stayers"),
])
def test_models_that_cannot_be_fitted_stop_with_a_clear_message(frame, column, message):
    import pandas as pd

    from cxkit import DataError
    from cxkit.survival import check_covariates

    with pytest.raises(DataError, match=message) as err:
        check_covariates(pd.DataFrame(frame), ["x"])
    assert err.value.column == column


def test_overlapping_covariates_pass_the_check():
    import pandas as pd

    from cxkit.survival import check_covariates

    check_covariates(pd.DataFrame({"churned": [True, False, True, False], "x": [1, 2, 2, 1]}), ["x"])
