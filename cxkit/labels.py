"""Readable names for the tidy column names cxkit functions return, one section per theme.

cxkit's functions return short column names (``ci_low``, ``n``, ``p_value``) that an
analyst keeps working with; a report shows the same columns in words ("95% CI low",
"answers", "p"). Each theme's words sit in their own dictionary here, and
:data:`LABELS` merges them: :func:`cxkit.display.label` and :func:`cxkit.display.table`
read it, so every notebook names a column the same way. A name not listed is shown with
its underscores turned into spaces.

Example
-------
>>> LABELS["n"], LABELS["hazard_ratio"]
('answers', 'change in the risk of leaving (×; 1 = none)')
>>> METRICS_LABELS["fcr_rate"]
'% resolved at first contact'
"""
from __future__ import annotations

__all__ = ["LABELS", "SHARED_LABELS", "METRICS_LABELS", "SURVIVAL_LABELS", "CLV_LABELS", "VALUE_LABELS",
           "EXPERIENCE_LABELS", "TIME_LABELS", "TIME_UNITS"]

#: Words every theme shares: the data contract (:mod:`cxkit.data`), two groups compared
#: (:func:`cxkit.metrics.compare`, :func:`cxkit.comparisons.compare_values`) and the
#: reporting period's coverage (:func:`cxkit.periods.coverage`).
SHARED_LABELS: dict[str, str] = {
    "group_a": "group A",
    "group_b": "group B",
    "mean_a": "mean, A",
    "mean_b": "mean, B",
    "median_a": "median, A",
    "median_b": "median, B",
    "top5_share_a": "% held by the top 5, A",
    "top5_share_b": "% held by the top 5, B",
    "diff": "difference",
    "p_value": "p",
    "p_median": "p (medians)",
    "table": "table",
    "source": "file",
    "rows": "rows",
    "first_date": "first date",
    "last_date": "last date",
    "excluded_rows": "rows left out",
    "present": "present",
    "hint": "note",
    "customer_id": "customer",
    "rule": "rule",
    "n_rows": "rows",
    "n_customers": "customers",
    "period_start": "period start",
    "period_end": "period end",
    "days_before_end": "days short of the period's end",
    "ends_early": "ends early",
}

#: Survey scores, their comparisons and trends, goals and service (:mod:`cxkit.metrics`).
METRICS_LABELS: dict[str, str] = {
    "metric": "metric",
    "n": "answers",
    "n_missing": "no answer",
    "n_effective": "effective answers",
    "value": "value",
    "mean": "mean",
    "se": "standard error",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "small_base": "small base (<30)",
    "promoters_pct": "% promoters",
    "passives_pct": "% passives",
    "detractors_pct": "% detractors",
    "top_box_pct": "% top box",
    "period": "period",
    "change": "change",
    "change_ci_low": "change 95% CI low",
    "change_ci_high": "change 95% CI high",
    "change_p_value": "p (change)",
    "weighting": "weighting",
    "value_a": "value, A",
    "value_b": "value, B",
    "n_a": "answers, A",
    "n_b": "answers, B",
    "current": "current",
    "goal": "goal",
    "gap": "gap to goal",
    "gap_ci_low": "gap 95% CI low",
    "gap_ci_high": "gap 95% CI high",
    "status": "status",
    "channel": "channel",
    "n_contacts": "contacts",
    "fcr_base": "contacts with a known outcome",
    "fcr_rate": "% resolved at first contact",
    "fcr_ci_low": "FCR 95% CI low",
    "fcr_ci_high": "FCR 95% CI high",
    "median_wait": "median wait (minutes)",
    "p90_wait": "90th percentile wait (minutes)",
    "median_wait_minutes": "median wait (minutes)",
    "p90_wait_minutes": "90th percentile wait (minutes)",
}

#: Churn and survival (:mod:`cxkit.survival`).
SURVIVAL_LABELS: dict[str, str] = {
    "rmst": "mean days as a member (RMST)",
    "rmst_a": "mean days, A",
    "rmst_b": "mean days, B",
    "horizon": "horizon (days)",
    "days_observed": "days observed",
    "covariate": "measure",
    "hazard_ratio": "change in the risk of leaving (×; 1 = none)",
    "test_statistic": "test statistic",
    "statistic": "test statistic",
    "df": "degrees of freedom",
    "p_holm": "p (Holm-adjusted)",
    "churned": "left",
    "left": "left",
    "churn_rate": "% who left",
    "mean_tenure": "mean days a member",
    "churn_probability": "chance of leaving",
    "observed": "observed",
    "at_risk": "still members",
    "survival": "share still members",
    "censored": "still members at the end",
    "cum_contacts": "contacts so far",
    "cum_unresolved": "unresolved contacts so far",
    "cum_long_wait": "long waits so far",
    "cum_bad_contacts": "bad contacts so far",
    "latest_csat": "latest CSAT (1-5)",
    "has_csat": "answered a survey",
    "expected_churners": "expected to leave",
    "expected_churners_without": "expected to leave had contacts gone well",
    "attributable_churners": "departures owed to bad contacts",
    "attributable_share": "% of departures owed to bad contacts",
    "concordance": "concordance (0.5 = chance)",
    "reasons": "reasons",
}

#: Purchase summaries, customer lifetime value and its checks (:mod:`cxkit.clv`).
CLV_LABELS: dict[str, str] = {
    "frequency": "repeat purchases",
    "recency": "time between first and last purchase",
    "T": "time since first purchase",
    "monetary_value": "spend per repeat purchase",
    "first_purchase": "first purchase",
    "last_purchase": "last purchase",
    "n_purchase_days": "days with a purchase",
    "total_spend": "total spend",
    "frequency_cal": "repeat purchases (calibration)",
    "recency_cal": "time between first and last purchase (calibration)",
    "T_cal": "time since first purchase (calibration)",
    "monetary_value_cal": "spend per repeat purchase (calibration)",
    "frequency_holdout": "purchases (holdout)",
    "monetary_value_holdout": "spend per purchase (holdout)",
    "duration_holdout": "holdout length",
    "actual": "actual",
    "predicted": "predicted",
    "error": "error",
    "error_pct": "error %",
    "mae": "mean absolute error",
    "correlation": "correlation",
    "decile": "decile",
    "ratio": "actual / predicted",
    "share_of_actual": "% of actual purchases",
    "coef": "estimate",
    "se(coef)": "standard error",
    "p_alive": "chance still active",
    "expected_purchases": "expected purchases",
    "expected_avg_value": "expected spend per purchase",
    "clv": "CLV",
    "top_share_of_customers": "top % of customers",
    "share_of_customers": "% of customers",
    "share_of_value": "% of value",
    "R": "recency score",
    "F": "frequency score",
    "M": "monetary score",
    "segment": "segment",
    "customers": "customers",
    "mean_clv": "mean CLV",
    "median_clv": "median CLV",
    "share": "% of customers",
    "clv_share": "% of CLV",
    "description": "description",
    "action": "suggested action",
    "label": "profile",
    "size": "customers",
    "mean_frequency": "mean repeat purchases",
    "mean_time_since_last": "mean time since last purchase",
    "mean_monetary_value": "mean spend per purchase",
    "mean_expected_avg_value": "mean expected spend per purchase",
    "known_churned": "known to have left",
    "identified": "pinned down by the data",
    "total": "total",
    "n_draws": "bootstrap draws",
    "last_12_months_revenue": "revenue, last 12 months",
    "spend_holdout": "spend in the holdout",
    "revenue": "revenue",
    "k": "segments (k)",
    "silhouette": "silhouette score",
    "dominant_rfm_segment": "main RFM segment",
    "dominant_share": "% in the main RFM segment",
    "actual_revenue": "actual revenue",
    "predicted_revenue": "predicted revenue",
    "time_since_last": "time since last purchase",
    "predicted_holdout": "predicted (holdout)",
    "predicted_spend_per_purchase": "predicted spend per purchase",
    "n_known_churned": "known to have left",
}

#: Customer value and value segments (:mod:`cxkit.value`), key drivers
#: (:mod:`cxkit.drivers`) and spend (:mod:`cxkit.spend`).
VALUE_LABELS: dict[str, str] = {
    "net_spend": "net spend",
    "gross_spend": "gross spend",
    "refunds": "refunds",
    "refund_excess": "refunds beyond purchases",
    "purchase_days": "days with a purchase",
    "tenure_days": "tenure (days)",
    "annual_spend": "spend per year",
    "value_decile": "value decile",
    "period_spend": "spend in the period",
    "past_spend": "spend before",
    "future_spend": "spend after",
    "mean_spend": "mean spend",
    "median_spend": "median spend",
    "total_revenue": "total revenue",
    "share_of_total": "% of the total",
    "share_of_segment": "% of the segment's revenue",
    "revenue_share": "% of revenue",
    "monetary_value_share": "% of spend",
    "value_segment": "value segment",
    "value_tier": "value tier",
    "satisfaction_level": "satisfaction level",
    "driver": "driver",
    "importance": "importance",
    "performance": "performance",
    "quadrant": "quadrant",
    "share_a": "share, A",
    "share_b": "share, B",
    "share_low": "share 95% CI low",
    "share_high": "share 95% CI high",
    "difference": "difference",
    "difference_low": "difference 95% CI low",
    "difference_high": "difference 95% CI high",
    "excludes_zero": "clear difference",
    "estimate": "estimate",
    "n_answers": "answers",
    "model": "model",
}

#: Each customer's experience (:mod:`cxkit.experience`).
EXPERIENCE_LABELS: dict[str, str] = {
    "dimension": "experience measure",
    "group": "group",
    "on_scale": "on the satisfaction scale",
    "n_responses": "survey answers",
    "csat_mean": "mean CSAT (1-5)",
    "csat_last": "last CSAT (1-5)",
    "nps_mean": "mean recommendation (0-10)",
    "nps_last": "last recommendation (0-10)",
    "ces_mean": "mean ease (1-7)",
    "ces_last": "last ease (1-7)",
    "n_unresolved": "unresolved contacts",
    "n_long_wait": "long waits",
    "n_bad_contacts": "bad contacts",
}

#: Every section merged: the readable name of each column cxkit returns. No name is in two sections.
LABELS: dict[str, str] = {**SHARED_LABELS, **METRICS_LABELS, **SURVIVAL_LABELS, **CLV_LABELS, **VALUE_LABELS,
                          **EXPERIENCE_LABELS}

#: Labels that name a time unit when one is given (``{units}`` becomes "weeks" etc.).
TIME_LABELS = {
    "recency": "{units} between first and last purchase",
    "T": "{units} since first purchase",
    "recency_cal": "{units} between first and last purchase (calibration)",
    "T_cal": "{units} since first purchase (calibration)",
    "duration_holdout": "holdout length ({units})",
    "mean_time_since_last": "mean {units} since last purchase",
}

#: The time units of cxkit's CLV functions, in words.
TIME_UNITS = {"D": "days", "W": "weeks", "M": "months"}
