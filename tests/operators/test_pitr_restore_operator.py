"""MatrixOnePITRRestoreOperator against matrixone_lite over TCP: plan, guard, snapshot, restore, undo."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator
from tests.operators.support import (
    TENANT_PASSWORD,
    context,
    dropping_proxy,
    make_tenant,
    mutating_since,
    new_account,
    now_after_pitr,
    root_sql,
    set_connection,
    tenant_sql,
)


def _pitr(conn_id: str, name: str, level: str, **objects: str) -> None:
    MatrixOnePITRCreateOperator(task_id="p", pitr_name=name, level=level, range_value=1, range_unit="d",
                                matrixone_conn_id=conn_id, **objects).execute(context())


def _restore(conn_id: str, **kw: Any) -> MatrixOnePITRRestoreOperator:
    return MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=conn_id, **kw)


def _state(server: Any, account: str) -> dict[str, Any]:
    """Databases, tables and full row contents of an account (the 'pre-restore state' we compare)."""
    out: dict[str, Any] = {}
    for (db,) in tenant_sql(server, account, ["show databases"]):
        if db in ("information_schema", "mo_catalog", "mysql", "system", "system_metrics", "mo_task", "mo_debug"):
            continue
        for (tbl,) in tenant_sql(server, account, [f"show tables from `{db}`"]):
            rows = tenant_sql(server, account, [f"select * from `{db}`.`{tbl}` order by 1"])
            out[f"{db}.{tbl}"] = sorted(repr(r) for r in rows)
    return out


def _incident(server: Any, account: str) -> None:
    """The seed guide's upgrade script: delete from products, drop orders table, add a database."""
    tenant_sql(server, account, [
        "delete from db1.products where id > 4",
        "drop table db2.orders",
        "create database db3",
        "create table db3.t (a int)",
        "insert into db3.t values (1)",
    ])


def test_dry_run_plans_and_sends_nothing_mutating(tenant: SimpleNamespace, mo_server: Any) -> None:
    _pitr(tenant.conn_id, "p_acc", "account")
    t = now_after_pitr()
    _incident(mo_server, tenant.name)
    mark = len(mo_server.statement_log.entries)
    out = _restore(tenant.conn_id, pitr_name="p_acc", timestamp=t.isoformat(), level="account",
                   dry_run="True").execute(context())
    assert mutating_since(mo_server, mark) == []
    json.dumps(out)
    plan = out["plan"]
    assert out["dry_run"] is True and out["sql"].startswith("RESTORE FROM PITR `p_acc` '")
    assert plan["server_timezone"] == "Asia/Shanghai"
    assert plan["instant_utc"] == t.isoformat().replace("+00:00", "Z")
    dbs = {d["database"]: d["action"] for d in plan["databases"]}
    assert dbs == {"db1": "replace", "db2": "replace", "db3": "drop"}
    tables = {f"{a['database']}.{a['table']}": (a["action"], a["rows_now"], a["rows_at_t"]) for a in plan["tables"]}
    assert tables == {"db1.products": ("replace", 4, 9), "db2.orders": ("recreate", None, 3),
                      "db3.t": ("drop", 1, None)}
    assert "reference" not in out and [p["phase"] for p in out["phases"]] == ["plan"]


def test_account_restore_then_undo_with_safety_snapshot(tenant: SimpleNamespace, mo_server: Any) -> None:
    _pitr(tenant.conn_id, "p_acc", "account")
    before_incident = _state(mo_server, tenant.name)
    t = now_after_pitr()
    _incident(mo_server, tenant.name)
    pre_restore = _state(mo_server, tenant.name)
    out = _restore(tenant.conn_id, pitr_name="p_acc", timestamp=t.in_timezone("Asia/Shanghai").isoformat(),
                   level="account").execute(context())
    json.dumps(out)
    assert _state(mo_server, tenant.name) == before_incident
    assert out["check"]["status"] == "pass"
    assert {k: v["rows"] for k, v in out["reference"]["tables"].items()} == {"db1.products": 9, "db2.orders": 3}
    assert all(v["fingerprint"] and v["columns"] for v in out["reference"]["tables"].values())  # content by default
    assert out["check"]["verdict"] == "VERIFIED"
    snap = out["safety_snapshot"]["name"]
    assert len(snap) <= 64 and snap.startswith("mo_safety_")
    assert [p["phase"] for p in out["phases"]] == ["plan", "reference", "safety_snapshot", "restore",
                                                   "check"]
    undo = MatrixOneSnapshotRestoreOperator(task_id="undo", snapshot_name=snap, matrixone_conn_id=tenant.conn_id)
    undo.execute(context())
    assert _state(mo_server, tenant.name) == pre_restore


def test_database_restore_and_undo(tenant: SimpleNamespace, mo_server: Any) -> None:
    _pitr(tenant.conn_id, "p_db1", "database", database="db1")
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where category = 'Accessories'",
                                        "create table db1.extra (a int)"])
    pre_restore = _state(mo_server, tenant.name)
    out = _restore(tenant.conn_id, pitr_name="p_db1", timestamp=t.isoformat(), level="database",
                   database="db1", fingerprint=True).execute(context())
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]
    assert tenant_sql(mo_server, tenant.name, ["show tables from db1"]) == [("products",)]
    assert out["reference"]["tables"]["db1.products"]["fingerprint"].startswith("9:")
    assert {(a["table"], a["action"]) for a in out["plan"]["tables"]} == {("products", "replace"),
                                                                          ("extra", "drop")}
    MatrixOneSnapshotRestoreOperator(task_id="undo", snapshot_name=out["safety_snapshot"]["name"],
                                     matrixone_conn_id=tenant.conn_id).execute(context())
    assert _state(mo_server, tenant.name) == pre_restore


def test_table_restore_with_naive_timestamp_in_server_zone(tenant: SimpleNamespace, mo_server: Any) -> None:
    _pitr(tenant.conn_id, "p_orders", "table", database="db2", table="orders")
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db2.orders", "delete from db1.products"])
    naive = t.in_timezone("Asia/Shanghai").strftime("%Y-%m-%d %H:%M:%S.%f")
    out = _restore(tenant.conn_id, pitr_name="p_orders", timestamp=naive, timezone="server", level="table",
                   database="db2", table="orders", safety_snapshot=False).execute(context())
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db2.orders"]) == [(3,)]
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(0,)]  # untouched
    assert out["safety_snapshot"] is None
    assert out["sql"] == f"RESTORE DATABASE `db2` TABLE `orders` FROM PITR `p_orders` '{naive}'"


def test_restore_beside_into_another_account(tenant: SimpleNamespace, root_conn: str, mo_server: Any) -> None:
    target = new_account("beside")
    make_tenant(mo_server, target)
    tenant_sql(mo_server, target, ["drop database db1", "create database other", "create table other.x (a int)"])
    target_conn = set_connection(f"mo_{target}", mo_server, f"{target}#admin", TENANT_PASSWORD)
    _pitr(root_conn, f"p_{tenant.name}", "account", account=tenant.name)
    t = now_after_pitr()
    _incident(mo_server, tenant.name)
    source_now = _state(mo_server, tenant.name)
    op = _restore(root_conn, pitr_name=f"p_{tenant.name}", timestamp=t.isoformat(), level="account",
                  account=tenant.name, target_account=target, reference_conn_id=tenant.conn_id,
                  verify_conn_id=target_conn)
    out = op.execute(context())
    assert out["sql"].startswith(f"RESTORE ACCOUNT `{target}` FROM PITR `p_{tenant.name}` '")
    assert out["plan"]["restore_beside"] is True
    assert {d["database"]: d["action"] for d in out["plan"]["databases"]} == {
        "db1": "recreate", "db2": "replace", "other": "drop"}
    assert out["check"]["status"] == "pass"
    assert tenant_sql(mo_server, target, ["select count(*) from db1.products"]) == [(9,)]
    assert tenant_sql(mo_server, target, ["select count(*) from db2.orders"]) == [(3,)]
    assert _state(mo_server, tenant.name) == source_now  # the source is untouched
    assert out["reference"]["target_account"] == target
    from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor

    sensor = MatrixOneRestoreVerificationSensor(task_id="v", reference=out, matrixone_conn_id=root_conn,
                                                verify_conn_id=target_conn, poke_interval=0.1, timeout=5)
    assert sensor.execute(context())["status"] == "pass"
    with pytest.raises(AirflowFailException, match=f"must read account '{target}'"):
        MatrixOneRestoreVerificationSensor(task_id="v", reference=out, matrixone_conn_id=tenant.conn_id,
                                           poke_interval=0.1, timeout=5).execute(context())


def test_reading_connection_of_the_wrong_account_is_refused(tenant: SimpleNamespace, root_conn: str,
                                                          mo_server: Any) -> None:
    _pitr(root_conn, f"pw_{tenant.name}", "account", account=tenant.name)
    t = now_after_pitr()
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException, match=f"must read account '{tenant.name}'.*logged in to account 'sys'"):
        _restore(root_conn, pitr_name=f"pw_{tenant.name}", timestamp=t.isoformat(), level="account",
                 account=tenant.name).execute(context())
    assert mutating_since(mo_server, mark) == []
    out = _restore(root_conn, pitr_name=f"pw_{tenant.name}", timestamp=t.isoformat(), level="account",
                   account=tenant.name, reference_conn_id=tenant.conn_id, verify_conn_id=tenant.conn_id,
                   dry_run=True).execute(context())
    assert out["sql"] == f"RESTORE ACCOUNT `{tenant.name}` FROM PITR `pw_{tenant.name}` '{out['plan']['server_literal']}'"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timestamp": "2020-01-01T00:00:00Z"}, "is less than the pitr valid time"),
        ({"timestamp": "2099-01-01T00:00:00Z"}, "is bigger than now timestamp"),
        ({"timestamp": "2024-10-28 17:30: 0x"}, "timestamp"),
        ({"timestamp": "2024-10-28 17:30:00"}, "has no zone"),
        ({"timestamp": "yesterday noon"}, "timestamp"),
        ({"level": "cluster", "database": None}, "not allowed to restore cluster"),
        ({"database": "db2"}, "pitr p_guard is not allowed to restore database db2"),
        ({"database": "db1`; drop database db1; --"}, "database"),
        ({"level": "table", "table": None}, "table"),
        ({"pitr_name": "p_missing"}, "p_missing does not exist"),
        ({"target_account": "acc_x"}, "target_account"),
        ({"safety_snapshot": "maybe"}, "safety_snapshot"),  # an ambiguous dry_run is a dry run instead
        ({"level": "account", "database": None, "account": "someone_else"}, "someone_else"),
    ],
)
def test_bad_input_fails_before_any_mutating_statement(tenant: SimpleNamespace, mo_server: Any,
                                                      kwargs: dict[str, Any], message: str) -> None:
    _pitr(tenant.conn_id, "p_guard", "database", database="db1")
    t = now_after_pitr()
    args: dict[str, Any] = {"pitr_name": "p_guard", "timestamp": t.isoformat(), "level": "database",
                            "database": "db1"}
    args.update(kwargs)
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException, match=message):
        _restore(tenant.conn_id, **args).execute(context())
    assert mutating_since(mo_server, mark) == []


def test_retry_after_dropped_connection_is_not_issued_twice(tenant: SimpleNamespace, mo_server: Any) -> None:
    _pitr(tenant.conn_id, "p_retry", "database", database="db1")
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from db1.products"])
    with dropping_proxy(mo_server) as proxy:
        via_proxy = set_connection(f"mo_proxy_{tenant.name}", mo_server, f"{tenant.name}#admin", TENANT_PASSWORD,
                                   port=proxy.port)
        mark = len(mo_server.statement_log.entries)
        first = _restore(via_proxy, pitr_name="p_retry", timestamp=t.isoformat(), level="database",
                         database="db1", verify_conn_id=tenant.conn_id)
        out = first.execute(context(try_number=1))
        assert proxy.fired.is_set()
        assert out["restore"] == {"issued": True, "connection_lost": True}
        retry = _restore(via_proxy, pitr_name="p_retry", timestamp=t.isoformat(), level="database",
                         database="db1", verify_conn_id=tenant.conn_id)
        again = retry.execute(context(try_number=2))
    restores = [s for s in mutating_since(mo_server, mark) if s.upper().startswith("RESTORE")]
    assert len(restores) == 1
    assert again["restore"]["issued"] is False
    assert again["safety_snapshot"]["name"] == out["safety_snapshot"]["name"]
    assert again["safety_snapshot"]["reused"] is True
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products"]) == [(9,)]


def test_retry_reissues_when_rows_changed_in_place(tenant: SimpleNamespace, mo_server: Any) -> None:
    """An UPDATE keeps every row count: a retry must compare content, not counts, before skipping."""
    _pitr(tenant.conn_id, "p_inplace", "database", database="db1")
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["update db1.products set stock_quantity = 0"])
    mark = len(mo_server.statement_log.entries)
    out = _restore(tenant.conn_id, pitr_name="p_inplace", timestamp=t.isoformat(), level="database",
                   database="db1").execute(context(try_number=2))
    restores = [s for s in mutating_since(mo_server, mark) if s.upper().startswith("RESTORE")]
    assert len(restores) == 1
    assert out["restore"]["issued"] is True
    assert out["check"]["status"] == "pass"
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from db1.products where stock_quantity = 0"]) == [(0,)]


def test_lost_connection_without_reference_is_a_retryable_error(tenant: SimpleNamespace, mo_server: Any) -> None:
    _pitr(tenant.conn_id, "p_lost", "database", database="db2")
    t = now_after_pitr()
    with dropping_proxy(mo_server) as proxy:
        via_proxy = set_connection(f"mo_proxy2_{tenant.name}", mo_server, f"{tenant.name}#admin", TENANT_PASSWORD,
                                   port=proxy.port)
        op = _restore(via_proxy, pitr_name="p_lost", timestamp=t.isoformat(), level="database", database="db2",
                      capture_reference=False, safety_snapshot=False)
        with pytest.raises(AirflowException, match="whether it landed is unknown") as info:
            op.execute(context())
    assert not isinstance(info.value, AirflowFailException)


def test_cluster_restore_by_tenant_refused_and_sys_dry_run(tenant: SimpleNamespace, root_conn: str,
                                                          mo_server: Any) -> None:
    pitrs = root_sql(mo_server, ["show pitr where pitr_level = 'cluster'"])
    name = str(pitrs[0][0]) if pitrs else "p_cluster_plan"
    if not pitrs:
        _pitr(root_conn, name, "cluster")
    t = now_after_pitr()
    mark = len(mo_server.statement_log.entries)
    out = _restore(root_conn, pitr_name=name, timestamp=t.isoformat(), level="cluster", dry_run=True).execute(
        context())
    assert out["sql"].startswith(f"RESTORE CLUSTER FROM PITR `{name}` '")
    assert any("cluster restore" in n for n in out["plan"]["notes"])
    assert mutating_since(mo_server, mark) == []
    root_sql(mo_server, [f"drop pitr if exists {name}"]) if not pitrs else None
