"""Column labels (cxkit.labels): one section per theme, merged into the one dictionary tables read."""
from __future__ import annotations

from cxkit import display, labels

SECTIONS = [labels.SHARED_LABELS, labels.METRICS_LABELS, labels.SURVIVAL_LABELS, labels.CLV_LABELS,
            labels.VALUE_LABELS, labels.EXPERIENCE_LABELS]


def test_labels_merge_the_theme_sections_and_no_name_is_in_two():
    names = [name for section in SECTIONS for name in section]
    assert len(names) == len(set(names)) == len(labels.LABELS)
    assert {name: text for section in SECTIONS for name, text in section.items()} == labels.LABELS


def test_display_reads_the_same_labels():
    assert display.LABELS is labels.LABELS and display.TIME_UNITS is labels.TIME_UNITS
    assert display.label("fcr_rate") == labels.METRICS_LABELS["fcr_rate"]
    assert display.label("recency", time_unit="W") == "weeks between first and last purchase"
    assert set(labels.TIME_LABELS) <= set(labels.CLV_LABELS)


def test_each_theme_keeps_its_own_words():
    assert {"n", "value", "ci_low", "gap", "fcr_rate", "value_a"} <= set(labels.METRICS_LABELS)
    assert {"hazard_ratio", "rmst", "horizon", "concordance"} <= set(labels.SURVIVAL_LABELS)
    assert {"clv", "p_alive", "frequency", "recency"} <= set(labels.CLV_LABELS)
    assert {"annual_spend", "value_decile", "driver", "quadrant"} <= set(labels.VALUE_LABELS)
    assert {"dimension", "n_bad_contacts"} <= set(labels.EXPERIENCE_LABELS)
    assert {"table", "customer_id", "p_value", "ends_early"} <= set(labels.SHARED_LABELS)
    for section in SECTIONS:
        assert all(text and "_" not in text for text in section.values())
