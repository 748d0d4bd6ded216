"""§4.7 messages reproduced from MatrixOne's pitr.go / snapshot.go, over TCP, in MatrixOne's check order."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.lite.conftest import SERVER_TZ, connect, run, server_now
from tests.support.sql import err
from tests.support.sql import internal_error as ie


def ns_of(literal: str) -> int:
    """A RESTORE literal (server zone, microseconds) as MatrixOne's int64 nanoseconds."""
    d = datetime.strptime(literal, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=ZoneInfo(SERVER_TZ))
    return int(d.timestamp()) * 1_000_000_000 + d.microsecond * 1000


@pytest.fixture
def env(lite_server):
    srv = lite_server()
    sys_root = connect(srv)
    run(sys_root, "create account acc1 admin_name 'root' identified by '111'")
    acc1 = connect(srv, "acc1#root")
    for sql in ("create database db1", "create table db1.t1 (a int)", "insert into db1.t1 values (1), (2)"):
        run(acc1, sql)
    return srv, sys_root, acc1


def test_create_snapshot_for_a_system_table(env) -> None:
    _, sys_root, acc1 = env
    # snapshot.go: a mo_catalog name that is not predefined is a cluster table (decided by name)
    assert err(acc1, "create snapshot s for table mo_catalog statement_info") == ie(
        "can not create snapshot for cluster table mo_catalog.statement_info")
    assert err(sys_root, "create snapshot s for table mo_catalog mo_pitr") == ie(
        "can not create snapshot for cluster table mo_catalog.mo_pitr")
    # predefined mo_catalog tables and every other system database: MatrixOne's "pitr" wording
    assert err(acc1, "create snapshot s for table mo_catalog mo_user") == ie(
        "can not create pitr for system table mo_catalog.mo_user")
    assert err(acc1, "create snapshot s for table mo_catalog __mo_index_x") == ie(
        "can not create pitr for system table mo_catalog.__mo_index_x")
    assert err(acc1, "create snapshot s for table system statement_info") == ie(
        "can not create pitr for system table system.statement_info")
    assert err(acc1, "create snapshot s for database mysql") == ie("can not create snapshot for system database mysql")
    # checked after the name: an existing snapshot name wins
    run(acc1, "create snapshot s for account")
    assert err(acc1, "create snapshot s for table mo_catalog mo_user") == ie("snapshot s already exists")


def test_restore_from_snapshot_system_database_and_cluster_snapshot(env) -> None:
    _, sys_root, acc1 = env
    run(acc1, "create snapshot sa for account")
    assert err(acc1, "restore database mo_catalog {snapshot = sa}") == ie("can't restore db: mo_catalog")
    assert err(acc1, "restore table mysql.user {snapshot = sa}") == ie("can't restore db: mysql")
    # the system database is checked before the snapshot's level or account
    run(sys_root, "create database sdb")
    run(sys_root, "create table sdb.t (a int)")
    run(sys_root, "create snapshot cs for cluster")
    assert err(sys_root, "restore database information_schema {snapshot = cs}") == ie(
        "can't restore db: information_schema")
    assert err(sys_root, "restore database sdb {snapshot = cs}") == ie("can't restore db from cluster level snapshot")
    assert err(sys_root, "restore table sdb.t {snapshot = cs}") == ie("can't restore db from cluster level snapshot")
    assert err(sys_root, "restore database acc1.db1 {snapshot = cs}") == ie(
        "can't restore db from cluster level snapshot")
    assert err(sys_root, "restore database sdb {snapshot = nope}") == ie(
        "find 0 snapshot records by name(nope), expect only 1")
    run(sys_root, "restore cluster {snapshot = cs}")  # the cluster snapshot itself still works


def test_restore_from_snapshot_v3_grammar_same_checks(lite_server) -> None:
    srv = lite_server(version="3.0.18")
    sys_root = connect(srv)
    run(sys_root, "create database sdb")
    run(sys_root, "create snapshot cs for cluster")
    assert err(sys_root, "restore account sys database mo_catalog from snapshot cs") == ie(
        "can't restore db: mo_catalog")
    assert err(sys_root, "restore account sys database sdb from snapshot cs") == ie(
        "can't restore db from cluster level snapshot")


def test_restore_account_from_pitr_source_missing_at_ts(env) -> None:
    _, sys_root, _ = env
    run(sys_root, "create pitr cp for cluster range 1 'h'")
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    run(sys_root, "create account acc2 admin_name 'root' identified by '111'")  # born after t
    # getAccountRecordByTs: "snapshot name" carries the PITR name, ts is int64 nanoseconds
    assert err(sys_root, f"restore account acc2 from pitr cp '{t}' as acc2") == ie(
        f"no such account, snapshot name: cp, ts: {ns_of(t)}")
    assert err(sys_root, f"restore account acc1 from pitr cp '{t}' as nope") == ie(
        f"no such account, snapshot name: cp, ts: {ns_of(t)}")
    # the source is checked before the target
    assert err(sys_root, f"restore account nope2 from pitr cp '{t}' as nope") == ie(
        f"no such account, snapshot name: cp, ts: {ns_of(t)}")
    assert err(sys_root, f"restore account nope2 from pitr cp '{t}' as acc1") == ie(
        "no such account, account name: nope2")
    # an account-level PITR whose account did not exist at t (it was recreated since)
    run(sys_root, "create pitr ap for account acc2 range 1 'h'")
    time.sleep(0.02)
    t2 = server_now()
    run(sys_root, "drop account acc2")
    run(sys_root, "create account acc2 admin_name 'root' identified by '111'")
    run(sys_root, f"restore account acc2 from pitr ap '{t2}'")  # existed at t2: fine
