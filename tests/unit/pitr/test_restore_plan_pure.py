"""The pure half of restore planning and capture (issue 12, point 3): decisions over read data, no server.

The reads that feed them run against matrixone_lite in tests/operators and tests/sensors; here
each decision is checked on its own, with the data a server would have returned.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.guards import RestoreRefused
from airflow_provider_matrixone.pitr.models import Level, Pitr, PitrRange, RangeUnit, Scope
from airflow_provider_matrixone.pitr.restore_plan import (
    DROP,
    RECREATE,
    REPLACE,
    database_actions,
    fk_children_sql,
    guard_partitioned,
    partitioned_sql,
    resolve_accounts,
    table_actions,
)
from airflow_provider_matrixone.pitr.table_state import TableState
from airflow_provider_matrixone.pitr.verify import Reference, databases_to_read_now, expected_tables

T0 = datetime(2024, 10, 28, tzinfo=UTC)


def _pitr(level: str, account: str | None = None, database: str | None = None) -> Pitr:
    return Pitr("p", Level(level), account, database, None, PitrRange(1, RangeUnit("d")), T0, T0)


def test_accounts_of_a_plain_restore_are_the_caller_s() -> None:
    who = resolve_accounts(_pitr("account", "acc1"), Scope.build("database", account="acc1", database="db1"),
                           "acc1", None, None)
    assert (who.source, who.target, who.source_for_sql) == ("acc1", "acc1", None)
    assert who.restore_scope == who.scope == Scope.build("database", account="acc1", database="db1")


def test_restore_beside_from_a_cluster_pitr_names_the_source_in_the_sql() -> None:
    who = resolve_accounts(_pitr("cluster"), Scope.build("account", account="acc1"), "sys", "acc3", None)
    assert (who.source, who.target, who.source_for_sql) == ("acc1", "acc3", "acc1")
    assert who.restore_scope == Scope(Level.ACCOUNT, "acc3") and who.scope == Scope(Level.ACCOUNT, "acc1")


def test_restore_beside_is_refused_as_matrixone_refuses_it() -> None:
    with pytest.raises(errors.PermissionDenied, match="needs the sys account"):
        resolve_accounts(_pitr("cluster"), Scope.build("account", account="acc1"), "acc2", "acc3", None)
    with pytest.raises(errors.InvalidInput, match="level=account only"):
        resolve_accounts(_pitr("cluster"), Scope.build("database", account="acc1", database="d"), "sys", "acc3", None)
    with pytest.raises(errors.LevelMismatch, match="covers account acc2, not account acc1"):
        resolve_accounts(_pitr("account", "acc2"), Scope.build("account", account="acc1"), "sys", "acc3", None)


def test_database_and_table_lines_from_two_listings() -> None:
    assert [(a.database, a.action) for a in database_actions(("a", "b"), ["b", "c"])] == [
        ("a", RECREATE), ("b", REPLACE), ("c", DROP)]
    lines = table_actions({"d.t1": 5, "d.t2": 2}, {"d.t2": 0, "d.t3": 7})
    assert [(a.name, a.action, a.rows_now, a.rows_at_t) for a in lines] == [
        ("d.t1", RECREATE, None, 5), ("d.t2", REPLACE, 0, 2), ("d.t3", DROP, 7, None)]


def test_guard_reads_and_decisions() -> None:
    assert partitioned_sql([], 1) is None
    sql = partitioned_sql([("d", "t")], 1730107800000000000)
    assert sql is not None and "{MO_TS = 1730107800000000000}" in sql and "IN ('d')" in sql
    guard_partitioned([("d", "t", 0), ("d", "other", 1)], [("d", "t")], "p")  # only the scope's tables count
    with pytest.raises(RestoreRefused, match="partitioned table d.T "):
        guard_partitioned([("d", "T", "1")], [("d", "t")], "p")
    assert fk_children_sql(Scope.build("database", database="d"), None) is None
    now = fk_children_sql(Scope.build("table", database="d", table="t"), None)
    assert now is not None and "MO_TS" not in now and "referenced_table_name = 't'" in now


def test_what_the_current_state_capture_reads() -> None:
    whole = Reference(scope=Scope.build("account", account="a"), tables={"d1.t": TableState(1)}, complete=True,
                      databases=("d1",))
    assert databases_to_read_now(whole, ["d1", "new"]) == ["d1", "new"]  # a new database is unexpected
    listed = Reference(scope=Scope.build("database", account="a", database="D2"), tables={"d1.t": TableState(1)})
    assert databases_to_read_now(listed, ["d1", "d2", "d3"]) == ["d1", "d2"]
    assert expected_tables(listed, [("d1", "T"), ("d1", "u")]) == [("d1", "T")]
    assert expected_tables(whole, [("d1", "t"), ("d1", "u")]) == [("d1", "t"), ("d1", "u")]


def test_what_a_snapshot_restore_request_means() -> None:
    """One rule for mo-pitr snapshot restore and the operator: what is named, else the snapshot's own object."""
    from airflow_provider_matrixone.pitr.models import Snapshot
    from airflow_provider_matrixone.pitr.restore_plan import snapshot_scope

    db_snap = Snapshot("s", T0, 1, Level.DATABASE, "acc1", "db1", None)
    assert snapshot_scope(db_snap, "acc1") == Scope(Level.DATABASE, "acc1", "db1")
    assert snapshot_scope(db_snap, "sys", database="db1", table="t") == Scope(Level.TABLE, "acc1", "db1", "t")
    assert snapshot_scope(db_snap, "acc1", account="acc2") == Scope(Level.ACCOUNT, "acc2")
    assert snapshot_scope(db_snap, "acc1", level="database", database="db2") == Scope(Level.DATABASE, "acc1", "db2")
    cluster = Snapshot("c", T0, 1, Level.CLUSTER, None, None, None)
    assert snapshot_scope(cluster, "sys") == Scope(Level.CLUSTER)
    assert snapshot_scope(cluster, "sys", account="acc1") == Scope(Level.ACCOUNT, "acc1")
