"""CLV on the bundled sample company: known cancellations, KMeans features, total-CLV interval."""
from __future__ import annotations

import pandas as pd
import pytest

from cxkit import DataError, FitError, clv

ARTEFACT_FEATURES = ["frequency", "time_since_last", "monetary_value", "clv"]


@pytest.fixture(scope="module")
def fitted(cx):
    summary = clv.rfm_summary(cx.transactions, cx.as_of, time_unit="W")
    bgf = clv.BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ggf = clv.GammaGammaFitter().fit(summary["frequency"], summary["monetary_value"])
    return summary, bgf, ggf, clv.clv_table(summary, bgf, ggf)


# --------------------------------------------------------------------------------------
# known cancellations
# --------------------------------------------------------------------------------------
def test_known_cancellations_remove_their_forecast_value(cx, fitted) -> None:
    summary, bgf, ggf, table = fitted
    churned = clv.known_cancellations(cx.customers, cx.as_of)
    assert churned.sum() == (cx.customers["churn_date"] <= cx.as_of).sum() == 1328
    with_churn = clv.clv_table(summary, bgf, ggf, churned=churned)
    left = with_churn["known_churned"]
    assert left.sum() == 1328 and with_churn.attrs["n_known_churned"] == 1328
    assert (with_churn.loc[left, ["clv", "p_alive", "expected_purchases"]] == 0).all().all()
    # BG/NBD alone still gave the customers who left a share of the forecast: about 7%
    removed = 1 - with_churn["clv"].sum() / table["clv"].sum()
    assert 0.06 < removed < 0.08
    assert table.loc[left, "p_alive"].mean() > 0.3  # what the model believed about them
    # the customers still with us keep their values
    pd.testing.assert_series_equal(with_churn.loc[~left, "clv"], table.loc[~left, "clv"])


# --------------------------------------------------------------------------------------
# KMeans on features that mean the same for every customer
# --------------------------------------------------------------------------------------
def _one_time_segment(labels: pd.Series, one_time: pd.Series) -> list:
    """Segments that are (> 95 %) one-time buyers and hold > 95 % of them."""
    out = []
    for seg in labels.unique():
        members = labels == seg
        purity = (members & one_time).sum() / members.sum()
        cover = (members & one_time).sum() / one_time.sum()
        if purity > 0.95 and cover > 0.95:
            out.append(seg)
    return out


def test_kmeans_segments_are_not_the_one_time_buyers(fitted) -> None:
    _, _, _, table = fitted
    one_time = table["frequency"] == 0
    assert one_time.sum() == 952
    # the old features: monetary_value is stored as 0 for one-time buyers, and KMeans
    # splits them off as a segment of their own (the check below can fail)
    old = clv.kmeans_segments(table, features=ARTEFACT_FEATURES, k=3)
    assert len(_one_time_segment(old.labels, one_time)) == 1

    km = clv.kmeans_segments(table)  # default features, k chosen by silhouette as in notebook 03
    assert km.features == ["frequency", "time_since_last", "expected_avg_value", "clv"]
    assert _one_time_segment(km.labels, one_time) == []
    # k is not chosen by the artefact: among repeat buyers alone, where it cannot exist, the
    # silhouette picks the same k (with the old features: k = 3 on everyone, 2 on repeat buyers)
    assert clv.kmeans_segments(table[~one_time]).k == km.k


# --------------------------------------------------------------------------------------
# total CLV with an interval
# --------------------------------------------------------------------------------------
def test_total_clv_interval_on_the_sample(cx, fitted) -> None:
    summary, bgf, ggf, table = fitted
    out = clv.total_clv_interval(summary, bgf, ggf, n_draws=100)
    assert list(out.columns) == ["total", "ci_low", "ci_high", "n_draws"] and len(out) == 1
    row = out.iloc[0]
    assert row["total"] == pytest.approx(table["clv"].sum())
    assert row["ci_low"] < row["total"] < row["ci_high"] and row["n_draws"] == 100
    assert (row["ci_high"] - row["ci_low"]) / row["total"] < 0.15  # 5,000 customers: a few %
    assert len(out.attrs["draws"]) == 100 and out.attrs["ci"] == 0.95
    pd.concat([out, out])  # attrs stay comparable
    # known cancellations count 0, as in clv_table
    churned = clv.known_cancellations(cx.customers, cx.as_of)
    gone = clv.total_clv_interval(summary, bgf, ggf, churned=churned, n_draws=50).iloc[0]
    assert gone["total"] == pytest.approx(clv.clv_table(summary, bgf, ggf, churned=churned)["clv"].sum())
    assert gone["ci_low"] < gone["total"] < gone["ci_high"] < row["ci_low"]


def test_total_clv_interval_narrows_with_more_customers_and_repeats(fitted) -> None:
    summary, bgf, ggf, _ = fitted
    small = summary.sample(1000, random_state=0)
    bgf_s = clv.BetaGeoFitter().fit(small["frequency"], small["recency"], small["T"])
    ggf_s = clv.GammaGammaFitter().fit(small["frequency"], small["monetary_value"])
    out = clv.total_clv_interval(small, bgf_s, ggf_s, n_draws=100)
    big = clv.total_clv_interval(summary, bgf, ggf, n_draws=100)

    def relative_width(row):
        return (row["ci_high"] - row["ci_low"]) / row["total"]

    # about sqrt(5) = 2.2 times wider for 5 times fewer customers
    assert relative_width(out.iloc[0]) > 1.5 * relative_width(big.iloc[0])
    # repeatable for a seed, different for another
    pd.testing.assert_frame_equal(out, clv.total_clv_interval(small, bgf_s, ggf_s, n_draws=100))
    other = clv.total_clv_interval(small, bgf_s, ggf_s, n_draws=100, random_state=1).iloc[0]
    assert other["ci_low"] != out.iloc[0]["ci_low"] and other["total"] == out.iloc[0]["total"]


def test_total_clv_interval_at_the_estimates_is_the_clv_table(fitted) -> None:
    _, bgf, ggf, table = fitted
    cols = ["frequency", "recency", "T", "monetary_value"]
    totals = clv.forecast._TotalCLV(*(table[c].to_numpy(float) for c in cols), 12, 0.01, 7.0)
    got = totals.total(bgf.params_.to_numpy(), ggf.params_.to_numpy())
    assert got == pytest.approx(table["clv"].sum(), rel=1e-12)


def test_total_clv_interval_needs_fitted_models(fitted) -> None:
    summary, bgf, ggf, _ = fitted
    given = clv.BetaGeoFitter.from_params(**bgf.params_.to_dict())
    with pytest.raises(FitError, match="from_params"):
        clv.total_clv_interval(summary, given, ggf)
    with pytest.raises(DataError, match="n_draws"):
        clv.total_clv_interval(summary, bgf, ggf, n_draws=5)
    with pytest.raises(DataError, match="ci"):
        clv.total_clv_interval(summary, bgf, ggf, ci=95)
    with pytest.raises(DataError, match="ggf must be a fitted GammaGammaFitter"):
        clv.total_clv_interval(summary, bgf, bgf)
    with pytest.raises(DataError, match="time unit"):
        clv.total_clv_interval(summary, bgf, ggf, time_unit="D")


# --------------------------------------------------------------------------------------
# cancelled customers in segments
# --------------------------------------------------------------------------------------
def test_cancelled_customers_get_their_own_segment_on_the_sample(cx, fitted) -> None:
    summary, bgf, ggf, _ = fitted
    gone = clv.known_cancellations(cx.customers, cx.as_of)
    values = clv.clv_table(summary, bgf, ggf, churned=gone)
    left = values["known_churned"]
    plain = clv.rfm_segments(clv.rfm_scores(summary))
    # without the cancellations, customers who have left are among those to reward
    assert (plain[left] == "Champions").sum() > 30 and (plain[left] == "Loyal").sum() > 100
    seg = clv.rfm_segments(clv.rfm_scores(summary, cancelled=gone))
    assert (seg[left] == "Cancelled").all() and (seg[~left] != "Cancelled").all()
    assert seg.attrs["n_cancelled"] == 1328
    profile = clv.segment_profile(values.assign(rfm_segment=seg), "rfm_segment").merge(
        clv.SEGMENT_ACTIONS[["segment", "action"]], on="segment", how="left")
    last = profile.iloc[-1]
    assert last["segment"] == "Cancelled" and last["customers"] == 1328 and last["clv"] == 0
    assert last["action"].startswith("Win back only if worth it")
    assert (profile["customers"] > 0).all() and profile["share"].sum() == pytest.approx(1)

    km = clv.kmeans_segments(values, k=3, cancelled="known_churned")
    assert km.n_cancelled == 1328 and (km.labels[left] == 0).all()
    assert km.profile["label"].is_unique and km.profile["label"].iloc[-1] == "Cancelled"
    actions = clv.segment_actions(km.labels, seg).set_index("segment")
    assert actions.loc[0, "dominant_rfm_segment"] == "Cancelled"
    assert "Cancelled" not in actions.drop(index=0)["dominant_rfm_segment"].tolist()
