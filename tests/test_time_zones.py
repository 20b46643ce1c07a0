"""One rule for the calendar day of every row, on every engine and in every file.

Rows near midnight written as naive times, in one zone, in parts with different zones,
with a fixed offset, and as text whose rows carry different offsets: pandas, DuckDB and
Spark give the same CLV summary, by default (each row's local date as written) and with
a stated ``timezone``.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cxkit import DataError
from cxkit.folder import summarise_transactions
from cxkit.parsing import parse_dates
from tests.spark_support import needs_spark

#: Local (wall-clock) times; customers 1 and 3 buy twice within an hour across midnight.
LOCAL = pd.DataFrame({
    "customer_id": [1, 1, 1, 2, 2, 3, 3, 3],
    "local": ["2025-03-01 23:30", "2025-03-02 00:30", "2025-03-05 12:00", "2025-03-01 00:15",
              "2025-03-03 23:59", "2025-03-02 23:00", "2025-03-03 01:00", "2025-03-10 10:00"],
    "amount": [10.0, 5.0, 7.5, 3.0, 4.0, 2.0, 2.5, 9.0],
})
#: The offsets of the mixed-offset text, one per row.
OFFSETS = ["+02:00", "-05:00", "Z", "+05:30", "-08:00", "+09:00", "Z", "-03:00"]
#: Zones of the two Parquet parts (rows 0-3, rows 4-7).
PARTS = {"naive": (None, None), "zoned": ("Europe/Berlin", "Europe/Berlin"), "mixed_parts": ("UTC", "Asia/Tokyo"),
         "fixed_offset": (dt.timezone(dt.timedelta(hours=2)),) * 2}
SHAPES = [*PARTS, "mixed_offset_text"]


def _write_parts(folder, zones) -> str:
    folder.mkdir()
    for i, (rows, zone) in enumerate(zip((LOCAL.iloc[:4], LOCAL.iloc[4:]), zones, strict=True)):
        ts = pd.to_datetime(rows["local"])
        if zone is not None:
            ts = ts.dt.tz_localize(zone)
        pd.DataFrame({"customer_id": rows["customer_id"], "date": ts, "amount": rows["amount"]}).to_parquet(
            folder / f"part-{i}.parquet", index=False, coerce_timestamps="us", allow_truncated_timestamps=True)
    return str(folder)


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("zones")
    out = {name: _write_parts(root / name, zones) for name, zones in PARTS.items()}
    text = root / "text.csv"
    pd.DataFrame({"customer_id": LOCAL["customer_id"],
                  "date": [t.replace(" ", "T") + ":00" + o for t, o in zip(LOCAL["local"], OFFSETS, strict=True)],
                  "amount": LOCAL["amount"]}).to_csv(text, index=False)
    out["mixed_offset_text"] = str(text)
    return out


def _utc(zone_of_row) -> pd.Series:
    """The rows' instants in UTC, naive, given each row's zone or offset."""
    return pd.Series([pd.Timestamp(t).tz_localize(z).tz_convert("UTC").tz_localize(None)
                      for t, z in zip(LOCAL["local"], zone_of_row, strict=True)])


def _expected(shape: str, timezone: str | None) -> pd.DataFrame:
    """The pandas summary of the rows whose dates are the rule's wall-clock times, written naive."""
    if timezone is None or shape == "naive":
        dates = pd.to_datetime(LOCAL["local"])
    else:
        zones = ([OFFSETS[i].replace("Z", "+00:00") for i in range(8)] if shape == "mixed_offset_text"
                 else [PARTS[shape][0]] * 4 + [PARTS[shape][1]] * 4)
        dates = _utc(zones).dt.tz_localize("UTC").dt.tz_convert(timezone).dt.tz_localize(None)
    from cxkit.clv import rfm_summary

    return rfm_summary(LOCAL.assign(date=dates)[["customer_id", "date", "amount"]], time_unit="D")


@pytest.mark.parametrize("timezone", [None, "America/New_York"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_every_shape_gives_the_rules_calendar_days(logs, engine, shape, timezone):
    got = summarise_transactions(logs[shape], engine=engine, time_unit="D", timezone=timezone)
    pd.testing.assert_frame_equal(got, _expected(shape, timezone))


def test_by_default_every_shape_gives_the_days_as_written(logs):
    """Mixed parts are no longer read in the zone of the last file: the days are those written."""
    naive = summarise_transactions(logs["naive"], time_unit="D")
    assert naive["first_purchase"].dt.day.tolist() == [1, 1, 2]
    for shape in SHAPES:
        for engine in ("pandas", "duckdb"):
            pd.testing.assert_frame_equal(summarise_transactions(logs[shape], engine=engine, time_unit="D"), naive)


def test_a_stated_zone_moves_rows_across_midnight(logs):
    """Tokyo's 23:00 on 2 March is 14:00 UTC; Berlin's 00:15 on 1 March is 23:15 UTC on 28 February."""
    utc = summarise_transactions(logs["mixed_parts"], time_unit="D", timezone="UTC")
    assert utc.loc[3, "first_purchase"] == pd.Timestamp("2025-03-02")
    berlin = summarise_transactions(logs["zoned"], time_unit="D", timezone="UTC")
    assert berlin.loc[2, "first_purchase"] == pd.Timestamp("2025-02-28")
    fixed = summarise_transactions(logs["fixed_offset"], time_unit="D", timezone="+05:30")
    pd.testing.assert_frame_equal(fixed, summarise_transactions(logs["fixed_offset"], engine="pandas",
                                                                time_unit="D", timezone="+05:30"))


@needs_spark
@pytest.mark.parametrize("timezone", [None, "America/New_York"])
def test_spark_gives_the_same_days(logs, timezone):
    for shape in SHAPES:
        got = summarise_transactions(logs[shape], engine="spark", time_unit="D", timezone=timezone)
        pd.testing.assert_frame_equal(got, _expected(shape, timezone), obj=f"{shape}, timezone={timezone}")


def test_parts_with_and_without_a_zone_stop_naming_the_files(tmp_path):
    folder = _write_parts(tmp_path / "half", (None, "Asia/Tokyo"))
    for engine in ("pandas", "duckdb"):
        with pytest.raises(DataError, match="part-0.parquet \\(no zone\\), part-1.parquet \\(Asia/Tokyo\\)"):
            summarise_transactions(folder, engine=engine)


def test_an_unknown_zone_is_named(logs):
    with pytest.raises(DataError, match="timezone 'Mars/Olympus'"):
        summarise_transactions(logs["naive"], timezone="Mars/Olympus")


@pytest.mark.parametrize("values", [
    ["2025-03-01T23:30:00+02:00", "2025-03-01T23:30:00-05:00", "2025-03-01T23:30:00Z"],
    ["1 Mar 2025 23:30 +02:00", "1 Mar 2025 23:30 -05:00", "1 Mar 2025 23:30 +00:00"],
])
def test_text_with_mixed_offsets_is_read_row_by_row(values):
    notes: list = []
    kept = parse_dates(pd.Series(values), table="t", column="date", notes=notes)
    assert kept.tolist() == [pd.Timestamp("2025-03-01 23:30")] * 3
    assert any("offsets differ between rows (+02:00, -05:00, UTC): each row's local date" in n["note"]
               for n in notes)
    notes = []
    converted = parse_dates(pd.Series(values), table="t", column="date", timezone="UTC", notes=notes)
    assert converted.tolist() == [pd.Timestamp("2025-03-01 21:30"), pd.Timestamp("2025-03-02 04:30"),
                                  pd.Timestamp("2025-03-01 23:30")]
    assert any("each row converted to UTC from its own offset" in n["note"] for n in notes)


def test_a_log_reports_rows_after_as_of_once():
    """Rows after the analysis date are the load's exclusion, not again in the log's summaries."""
    from cxkit import load_folder

    loaded = load_folder("data/sample", as_of="2025-10-31")
    log = load_folder("data/sample", as_of="2025-10-31", engine="duckdb")
    a, b = loaded.rfm_summary(time_unit="D"), log.rfm_summary(time_unit="D")
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["exclusions"] == b.attrs["exclusions"]
    assert log.transaction_log.late_rows > 0


def test_a_log_gives_the_loaders_zero_amount_note_and_reads_in_the_stated_zone(logs, tmp_path):
    from cxkit.data.contract import ZERO_AMOUNT_NOTE
    from cxkit.engines.log import describe_log

    source = tmp_path / "tx.csv"
    pd.read_csv(logs["mixed_offset_text"]).assign(amount=lambda d: d["amount"].where(d.index != 2, 0.0)).to_csv(
        source, index=False)
    log = describe_log(source, timezone="UTC")
    assert log.notes == [{"table": "transactions", "column": "amount", "note": ZERO_AMOUNT_NOTE, "n_rows": 1}]
    assert log.first_date == _utc([o.replace("Z", "+00:00") for o in OFFSETS]).min().normalize()
    pd.testing.assert_frame_equal(log.rfm_summary(None, time_unit="D"),
                                  summarise_transactions(source, engine="pandas", time_unit="D", timezone="UTC",
                                                         text_ids=True))
