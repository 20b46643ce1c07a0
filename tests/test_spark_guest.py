"""The Spark engine is a guest: a user's session keeps its settings, and failures say what went wrong."""
from __future__ import annotations

import pandas as pd
import pytest
from spark_support import needs_spark

from cxkit import DataError
from cxkit.engines import EngineError, customer_spend_summary, summarise_transactions
from cxkit.engines import spark as spark_mod
from cxkit.engines.spark import SessionSettings, failure_kind, session_for, spark_failure, table_columns

USER_CONF = {"spark.sql.shuffle.partitions": "200", "spark.sql.session.timeZone": "America/New_York"}


class _Conf:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = dict(values)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def unset(self, key: str) -> None:
        self.values.pop(key, None)


class _ConnectLikeSession:
    """A session as Spark Connect gives it: settings and tables, but no ``sparkContext``."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.conf = _Conf(USER_CONF)
        self.failure = failure

    @property
    def sparkContext(self):  # noqa: N802 - Spark's name
        raise RuntimeError("[JVM_ATTRIBUTE_NOT_SUPPORTED] sparkContext is not supported in Spark Connect")

    def table(self, name: str):
        if self.failure is not None:
            raise self.failure
        return pd.DataFrame(columns=["customer_id", "date", "amount"])


def test_settings_are_put_back_or_unset():
    session = _ConnectLikeSession()
    with pytest.raises(RuntimeError, match="the user's own code"), SessionSettings(session) as conf:
        conf.set("spark.sql.session.timeZone", "UTC")
        conf.set("spark.sql.session.timeZone", "Europe/Berlin")
        conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
        assert session.conf.values["spark.sql.session.timeZone"] == "Europe/Berlin"
        raise RuntimeError("the user's own code failed")
    assert session.conf.values == USER_CONF


def test_a_session_without_spark_context_is_used_as_given(monkeypatch):
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    session = _ConnectLikeSession()
    assert not spark_mod.has_spark_context(session)
    assert session_for(session) is session
    monkeypatch.setattr(spark_mod, "active_session", lambda: session)
    assert session_for() is session and spark_mod.local_session() is session  # no new session, no log level
    assert table_columns("sales.transactions", session) == ["customer_id", "date", "amount"]
    assert session.conf.values == USER_CONF


@pytest.mark.parametrize(("failure", "kind", "error", "words"), [
    (Exception("[TABLE_OR_VIEW_NOT_FOUND] The table or view `sales`.`tx` cannot be found."), "not found",
     DataError, "Spark has no table 'sales.tx' (not found"),
    (Exception("org.apache.hadoop.security.AccessControlException: Permission denied: user=ana, access=READ"),
     "permission denied", DataError, "Spark may not read table 'sales.tx' (permission denied"),
    (Exception("<_MultiThreadedRendezvous: StatusCode.UNAVAILABLE, failed to connect to all addresses>"),
     "cannot connect", EngineError, "could not be reached to read table 'sales.tx' (cannot connect"),
    (ConnectionRefusedError(111, "Connection refused"), "cannot connect", EngineError, "cannot connect"),
])
def test_not_found_permission_and_connection_failures_read_differently(failure, kind, error, words):
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    assert failure_kind(failure) == kind
    with pytest.raises(error) as err:
        table_columns("sales.tx", _ConnectLikeSession(failure))
    assert words in str(err.value)
    if error is DataError:
        assert err.value.rule == {"not found": "table present", "permission denied": "permission to read"}[kind]


def test_an_unknown_failure_keeps_spark_words():
    err = spark_failure(ValueError("something odd"), "table 'x'")
    assert isinstance(err, DataError) and "something odd" in str(err) and "not found" not in str(err)


# ----------------------------------------------------------------------------- a real session


@pytest.fixture(scope="module")
def log_files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("guest")
    near_midnight = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "date": pd.to_datetime(["2024-01-01 23:30", "2024-01-02 00:30", "2024-02-01 12:00", "2024-01-05 23:59",
                                "2024-03-01 00:01", "2024-02-10 08:00"]),
        "amount": [0.10, 0.20, 5.0, 10.10, 20.20, 7.0],
    })
    near_midnight.to_parquet(folder / "naive.parquet", index=False, coerce_timestamps="us")
    aware = near_midnight.assign(date=near_midnight["date"].dt.tz_localize("Europe/Berlin"))
    aware.to_parquet(folder / "aware.parquet", index=False, coerce_timestamps="us")
    near_midnight.to_csv(folder / "tx.csv", index=False)
    return {"naive": str(folder / "naive.parquet"), "aware": str(folder / "aware.parquet"),
            "csv": str(folder / "tx.csv")}


def _results(log_files: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Every kind of run, without ``spark=``: the kit picks the session."""
    out = {}
    for name, path in log_files.items():
        out[f"summary {name}"] = summarise_transactions(path, engine="spark", as_of="2024-03-31", time_unit="D")
        out[f"value {name}"] = customer_spend_summary(path, engine="spark", as_of="2024-03-31",
                                                      period_start="2024-01-02")
    return out


@needs_spark
def test_a_users_session_keeps_its_settings_and_gives_the_same_results(log_files, tmp_path):
    from pyspark.sql import SparkSession

    from cxkit.engines.log import describe_log

    earlier = spark_mod.active_session()        # a session another test left running
    if earlier is not None:
        earlier.stop()
    assert spark_mod.active_session() is None
    own = _results(log_files)  # the kit starts its own session
    spark_mod.active_session().stop()

    builder = SparkSession.builder.master("local[2]").appName("user").config("spark.ui.enabled", "false")
    for key, value in USER_CONF.items():
        builder = builder.config(key, value)
    user = builder.getOrCreate()
    try:
        user.createDataFrame(pd.DataFrame({"x": [1]})).createOrReplaceTempView("user_view")
        before = {k: user.conf.get(k, None) for k in (*USER_CONF, "spark.sql.execution.arrow.pyspark.enabled")}
        guest = _results(log_files)
        log = describe_log(log_files["aware"], engine="spark", spark=user)
        assert log.rows == 6 and log.spark is user
        after = {k: user.conf.get(k, None) for k in before}
        assert after == before and after["spark.sql.session.timeZone"] == "America/New_York"
        assert after["spark.sql.shuffle.partitions"] == "200"
        for name, frame in own.items():
            pd.testing.assert_frame_equal(guest[name], frame, check_exact=True, obj=name)
        # the user's views stay; the kit's are gone
        views = {t.name for t in user.catalog.listTables()}
        assert "user_view" in views and not any(v.startswith("cx_") for v in views)
        # a table name the session does not know
        with pytest.raises(DataError, match=r"Spark has no table 'no_such_db.no_such_table' \(not found") as err:
            summarise_transactions("no_such_db.no_such_table", engine="spark", spark=user)
        assert err.value.rule == "table present"
        with pytest.raises(DataError, match="not found"):
            table_columns("nowhere_table", user)
        assert {k: user.conf.get(k, None) for k in before} == before
    finally:
        user.stop()
