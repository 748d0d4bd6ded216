"""Guards in the restore plan (issue 13 point 4): each refusal is a clear message and no RESTORE is sent.

Over TCP against matrixone_lite through the restore operator (the plan is built before the RESTORE,
whatever ``dry_run`` says). The FK case runs on v4.2.0, which emulates MatrixOne's silent skip
(#27117), and on a newer server, which refuses it (PR #28126); the collected-history case moves the
lite server's GC horizon past T, as MatrixOne's GC does (#19033).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.pitr import guards
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.pitr.versions import ServerVersion
from tests.operators.support import (
    TENANT_PASSWORD,
    TEST_PASSWORD,
    context,
    make_tenant,
    new_account,
    now_after_pitr,
    set_connection,
    tenant_sql,
)

FK_SETUP = [
    "create database pf",
    "create table pf.p (id int primary key, n varchar(9))",
    "create table pf.ch (id int primary key, pid int, constraint fk_p foreign key (pid) references pf.p (id))",
    "insert into pf.p values (1, 'a'), (2, 'b')",
    "insert into pf.ch values (10, 1)",
    "create pitr p_db for database pf range 1 'd'",
]


def _restores_since(server: Any, mark: int) -> list[str]:
    return [e["sql"] for e in server.statement_log.entries[mark:] if e["sql"].strip().lower().startswith("restore")]


def _refused(server: Any, conn_id: str, **kw: Any) -> str:
    mark = len(server.statement_log.entries)
    with pytest.raises(AirflowFailException) as info:
        MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=conn_id, **kw).execute(context())
    assert _restores_since(server, mark) == []  # the restore never started
    return str(info.value)


def _tenant(server: Any, prefix: str) -> SimpleNamespace:
    name = new_account(prefix)
    make_tenant(server, name)
    return SimpleNamespace(name=name, conn_id=set_connection(f"mo_{prefix}_{name}", server, f"{name}#admin",
                                                             TENANT_PASSWORD))


def test_restore_table_of_fk_parent_is_refused_on_v420(tenant: SimpleNamespace, mo_server: Any) -> None:
    tenant_sql(mo_server, tenant.name, FK_SETUP)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["update pf.p set n = 'z' where id = 2"])
    message = _refused(mo_server, tenant.conn_id, pitr_name="p_db", timestamp=t.isoformat(), level="table",
                       database="pf", table="p")
    assert "table pf.p is referenced by the foreign key pf.ch.fk_p" in message
    assert "MatrixOne 4.2.0 would skip it and report success" in message and "#27117" in message
    assert "Restore the database pf instead" in message
    assert tenant_sql(mo_server, tenant.name, ["select n from pf.p where id = 2"]) == [("z",)]


@pytest.fixture(scope="module")
def new_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-guards"), port=0, version="4.3.0",
                    timezone="Asia/Shanghai", root_password=TEST_PASSWORD, gc_interval=0) as srv:
        yield srv


def test_restore_table_of_fk_parent_is_refused_on_newer_servers(new_server: Any) -> None:
    acc = _tenant(new_server, "gfk")
    tenant_sql(new_server, acc.name, FK_SETUP)
    t = now_after_pitr()
    message = _refused(new_server, acc.conn_id, pitr_name="p_db", timestamp=t.isoformat(), level="table",
                       database="pf", table="p")
    assert "MatrixOne 4.3.0 refuses it (not supported: restore table pf.p which is referenced" in message


def test_restore_of_the_child_table_is_not_refused(tenant: SimpleNamespace, mo_server: Any) -> None:
    """Only the parent is guarded: the child table restores as before (no false refusal)."""
    tenant_sql(mo_server, tenant.name, FK_SETUP)
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["delete from pf.ch"])
    MatrixOnePITRRestoreOperator(task_id="restore", matrixone_conn_id=tenant.conn_id, pitr_name="p_db",
                                 timestamp=t.isoformat(), level="table", database="pf", table="ch").execute(context())
    assert tenant_sql(mo_server, tenant.name, ["select count(*) from pf.ch"]) == [(1,)]


def test_read_at_t_collected_by_gc_is_refused(tmp_path: Any) -> None:
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path, port=0, version="4.2.0", timezone="Asia/Shanghai",
                    root_password=TEST_PASSWORD, gc_interval=0) as srv:
        acc = _tenant(srv, "ggc")
        tenant_sql(srv, acc.name, ["create pitr p_acc for account range 1 'd'"])
        t = now_after_pitr()
        tenant_sql(srv, acc.name, ["delete from db1.products"])
        srv.engine.storage.gc_horizon = time.time_ns()  # MatrixOne's GC took the history of T (#19033)
        message = _refused(srv, acc.conn_id, pitr_name="p_acc", timestamp=t.isoformat(), level="account")
    assert "can no longer be read" in message and "snapshot is too old" in message and "#19033" in message


def test_pitr_outside_its_scope_is_refused(tenant: SimpleNamespace, mo_server: Any) -> None:
    tenant_sql(mo_server, tenant.name, FK_SETUP)
    t = now_after_pitr()
    message = _refused(mo_server, tenant.conn_id, pitr_name="p_db", timestamp=t.isoformat(), level="database",
                       database="db1")
    assert "pitr p_db is not allowed to restore database db1 (it covers database pf)" in message


def test_snapshot_outside_its_object_is_refused(tenant: SimpleNamespace, mo_server: Any) -> None:
    """v4.2.0 lets a database snapshot serve another database (#27116): the operator refuses first."""
    from airflow_provider_matrixone.operators.snapshot import MatrixOneSnapshotRestoreOperator

    tenant_sql(mo_server, tenant.name, ["create snapshot s_db1 for database db1"])
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException) as info:
        MatrixOneSnapshotRestoreOperator(task_id="restore", snapshot_name="s_db1", level="database", database="db2",
                                         matrixone_conn_id=tenant.conn_id).execute(context())
    assert _restores_since(mo_server, mark) == []
    assert "snapshot s_db1 belongs to database db1, not to database db2" in str(info.value)
    # its own database still restores
    MatrixOneSnapshotRestoreOperator(task_id="restore", snapshot_name="s_db1", level="database", database="db1",
                                     matrixone_conn_id=tenant.conn_id).execute(context())
    assert len(_restores_since(mo_server, mark)) == 1


def test_partitioned_tables_are_refused() -> None:
    """matrixone_lite has no partitioned tables, so this guard's decision is tested on its own."""
    with pytest.raises(guards.RestoreRefused, match=r"pitr p1 does not cover the partitioned table db1.big "
                                                    r"\(MatrixOne #22126"):
        guards.check_partitioned(["db1.big"], "p1")
    guards.check_partitioned([], "p1")


@pytest.mark.parametrize(("level", "db", "table", "scope", "refused"), [
    (Level.DATABASE, "db1", None, Scope(Level.DATABASE, None, "db2"), True),
    (Level.DATABASE, "db1", None, Scope(Level.TABLE, None, "db2", "t"), True),
    (Level.DATABASE, "db1", None, Scope(Level.TABLE, None, "db1", "t"), False),
    (Level.TABLE, "db1", "t", Scope(Level.TABLE, None, "db1", "u"), True),
    (Level.TABLE, "db1", "t", Scope(Level.DATABASE, None, "db1"), True),
    (Level.ACCOUNT, None, None, Scope(Level.DATABASE, None, "db2"), False),
])
def test_snapshot_outside_its_scope(level: Level, db: str | None, table: str | None, scope: Scope,
                                    refused: bool) -> None:
    if refused:
        with pytest.raises(guards.RestoreRefused, match="snapshot s1 belongs to .*#27116"):
            guards.check_snapshot_covers("s1", level, db, table, scope)
    else:
        guards.check_snapshot_covers("s1", level, db, table, scope)


def test_fk_guard_needs_a_parent_and_a_table_scope() -> None:
    guards.check_fk_referenced(Scope(Level.DATABASE, None, "pf"), ["pf.ch.fk_p"], ServerVersion(4, 2, 0))
    guards.check_fk_referenced(Scope(Level.TABLE, None, "pf", "p"), [], ServerVersion(4, 2, 0))
