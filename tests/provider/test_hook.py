"""MatrixOneHook against a real matrixone_lite server over TCP, with each of the three drivers."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import pendulum
import pytest

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Level
from tests.provider.support import TENANT_PASSWORD, TEST_PASSWORD, make_tenant, root_sql, tenant_sql

DRIVERS = ["mysqlclient", "mysql-connector-python", "pymysql"]


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_login_composition(hook_factory: Any) -> None:
    assert hook_factory("root").login_string == "root"
    assert hook_factory("root").account == "sys"
    assert hook_factory("acc1#root").login_string == "acc1#root"
    assert hook_factory("acc1:root:accountadmin").account == "acc1"
    hook = hook_factory("root", account="acc1", role="accountadmin")
    assert hook.login_string == "acc1#root#accountadmin"
    assert hook.account == "acc1"


def test_unknown_client_is_rejected(hook_factory: Any) -> None:
    with pytest.raises(errors.InvalidInput, match="client"):
        hook_factory(client="odbc").get_conn()


def test_server_introspection(hook_factory: Any, driver: str, mo_server: Any) -> None:
    hook = hook_factory(client=driver)
    info = hook.get_server_info()
    assert info.version == (4, 2, 0)
    assert info.version_string == "8.0.30-MatrixOne-v4.2.0"
    assert str(info.timezone) == "Asia/Shanghai"
    assert info.account == "sys"
    assert hook.get_server_info() is info  # cached per hook


def test_tenant_login_with_each_driver(hook_factory: Any, driver: str, mo_server: Any) -> None:
    make_tenant(mo_server, "hookacc")
    hook = hook_factory("hookacc#admin", TENANT_PASSWORD, client=driver)
    assert hook.account == "hookacc"
    assert hook.list_databases() == ["db1", "db2"]
    assert hook.list_tables("db1") == ["products"]
    assert hook.count_rows([("db1", "products"), ("db2", "orders")]) == {"db1.products": 9, "db2.orders": 3}
    # common.sql API keeps working on the subclass
    assert hook.get_first("select count(*) from db1.products")[0] == 9


def test_account_extra_composes_the_login(hook_factory: Any, mo_server: Any) -> None:
    make_tenant(mo_server, "extraacc")
    hook = hook_factory("admin", TENANT_PASSWORD, account="extraacc", client="pymysql")
    assert hook.list_databases() == ["db1", "db2"]


def test_pitr_lifecycle(hook_factory: Any, driver: str, mo_server: Any) -> None:
    account = "life" + driver.replace("-", "")[:8]
    make_tenant(mo_server, account)
    hook = hook_factory(f"{account}#admin", TENANT_PASSWORD, client=driver)
    pitr = hook.create_pitr("p_life", "account", range_value=2, range_unit=" H ")
    assert pitr.name == "p_life"
    assert pitr.level == Level.ACCOUNT
    assert pitr.account == account
    assert (pitr.range.value, pitr.range.unit.value) == (2, "h")
    assert pitr.created.tzinfo is not None
    assert abs((pendulum.now("UTC") - pitr.created).total_seconds()) < 120

    assert [p.name for p in hook.list_pitrs()] == ["p_life"]
    window = hook.recovery_window(pitr)
    assert window.earliest == pitr.created
    assert window.latest >= window.earliest

    altered = hook.alter_pitr("p_life", 3, "d")
    assert altered is not None and (altered.range.value, altered.range.unit.value) == (3, "d")

    with pytest.raises(errors.PitrAlreadyExists):
        hook.create_pitr("p_life", "account", range_value=1, range_unit="d")
    hook.create_pitr("p_life", "account", range_value=1, range_unit="d", if_not_exists=True)

    hook.drop_pitr("p_life")
    assert hook.get_pitr("p_life") is None
    with pytest.raises(errors.PitrNotFound):
        hook.drop_pitr("p_life")
    hook.drop_pitr("p_life", if_exists=True)


def test_database_and_table_pitr(hook_factory: Any, mo_server: Any) -> None:
    make_tenant(mo_server, "dbtbl")
    hook = hook_factory("dbtbl#admin", TENANT_PASSWORD, client="pymysql")
    db_pitr = hook.create_pitr("p_db", "database", database="db1", range_value=1, range_unit="d")
    assert (db_pitr.level, db_pitr.database, db_pitr.table) == (Level.DATABASE, "db1", None)
    tbl_pitr = hook.create_pitr("p_tbl", "table", database="db2", table="orders", range_value=1, range_unit="d")
    assert (tbl_pitr.level, tbl_pitr.database, tbl_pitr.table) == (Level.TABLE, "db2", "orders")
    assert {p.name for p in hook.list_pitrs()} == {"p_db", "p_tbl"}


def test_restore_account_table_and_time_travel(hook_factory: Any, driver: str, mo_server: Any) -> None:
    account = "rst" + driver.replace("-", "")[:8]
    make_tenant(mo_server, account)
    hook = hook_factory(f"{account}#admin", TENANT_PASSWORD, client=driver)
    hook.create_pitr("p_rst", "account", range_value=1, range_unit="h")
    time.sleep(0.05)
    target = pendulum.now("UTC")
    time.sleep(0.05)
    tenant_sql(mo_server, account, ["drop database db1", "truncate table db2.orders"])

    # time-travel reads see the past
    assert hook.list_databases() == ["db2"]
    assert hook.list_databases(at=target) == ["db1", "db2"]
    assert hook.count_rows([("db1", "products"), ("db2", "orders")], at=target) == {
        "db1.products": 9,
        "db2.orders": 3,
    }

    table = hook.restore_pitr("p_rst", target, "table", database="db2", table="orders")
    assert table["sql"].startswith("RESTORE DATABASE `db2` TABLE `orders` FROM PITR `p_rst` '")
    assert hook.count_rows([("db2", "orders")]) == {"db2.orders": 3}

    result = hook.restore_pitr("p_rst", target.isoformat(), "account")
    assert result["sql"].startswith("RESTORE FROM PITR `p_rst` '")
    # the literal is in the server's zone (Asia/Shanghai, UTC+8)
    assert result["timestamp_server"].startswith(target.in_timezone("Asia/Shanghai").format("YYYY-MM-DD HH:mm:ss"))
    assert hook.list_databases() == ["db1", "db2"]
    assert hook.count_rows([("db1", "products")]) == {"db1.products": 9}


def test_restore_checks_window_before_sending(hook_factory: Any, mo_server: Any) -> None:
    make_tenant(mo_server, "winacc")
    hook = hook_factory("winacc#admin", TENANT_PASSWORD, client="pymysql")
    pitr = hook.create_pitr("p_win", "account", range_value=1, range_unit="h")
    mo_server.statement_log.clear()
    with pytest.raises(errors.TimestampOutsideWindow, match="less than the pitr valid time"):
        hook.restore_pitr("p_win", pitr.created - timedelta(seconds=5), "account")
    with pytest.raises(errors.TimestampOutsideWindow, match="bigger than now"):
        hook.restore_pitr("p_win", pendulum.now("UTC").add(hours=1), "account")
    with pytest.raises(errors.InvalidInput, match="timezone|offset"):
        hook.restore_pitr("p_win", "2024-10-28 17:30:00", "account")
    assert mo_server.statement_log.mutating() == []


def test_snapshots(hook_factory: Any, mo_server: Any) -> None:
    make_tenant(mo_server, "snapacc")
    hook = hook_factory("snapacc#admin", TENANT_PASSWORD, client="mysqlclient")
    snap = hook.create_snapshot("s_before", "account", account="snapacc")
    assert snap.name == "s_before" and snap.timestamp.tzinfo is not None
    assert "s_before" in [s.name for s in hook.list_snapshots()]
    tenant_sql(mo_server, "snapacc", ["delete from db1.products where id > 3"])
    assert hook.count_rows([("db1", "products")], at=snap.timestamp) == {"db1.products": 9}
    hook.restore_snapshot("s_before", "account", account="snapacc")
    assert hook.count_rows([("db1", "products")]) == {"db1.products": 9}
    hook.drop_snapshot("s_before")
    assert hook.get_snapshot("s_before") is None


def test_cluster_pitr_as_sys(tmp_path: Any) -> None:
    # Its own server: MatrixOne allows one cluster PITR per creator, and other tests create one.
    import json

    from airflow.sdk import Connection

    from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path, port=0, version="3.0.18", timezone="UTC", root_password=TEST_PASSWORD) as srv:
        conn = Connection(
            conn_id="mo_v3",
            conn_type="matrixone",
            host=srv.host,
            port=srv.port,
            login="root",
            password=TEST_PASSWORD,
            extra=json.dumps({"client": "pymysql"}),
        )
        hook = MatrixOneHook(connection=conn)
        assert hook.get_server_info().version == (3, 0, 18)
        pitr = hook.create_pitr("p_cluster_hook", "cluster", range_value=1, range_unit="d")
        assert pitr.level == Level.CLUSTER and pitr.account is None
        with pytest.raises(errors.PitrAlreadyExists, match="cluster level pitr already exists"):
            hook.create_pitr("p_cluster_two", "cluster", range_value=1, range_unit="d")
        hook.drop_pitr("p_cluster_hook")


def test_password_never_logged(
    hook_factory: Any, mo_server: Any, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    hook = hook_factory("root", TEST_PASSWORD, client="pymysql")
    with caplog.at_level(logging.DEBUG):
        hook.execute("select 1")
        hook.execute(f"create account if not exists logacc admin_name 'admin' identified by '{TEST_PASSWORD}'")
        hook.get_uri()
    out, err = capfd.readouterr()
    logged = caplog.text + out + err  # Airflow's structlog writes to stdout
    assert TEST_PASSWORD not in logged
    assert "identified by '***'" in logged.lower()
    root_sql(mo_server, ["drop account if exists logacc"])


def test_log_sql_false_logs_no_statement(hook_factory: Any, capfd: pytest.CaptureFixture[str]) -> None:
    hook = hook_factory("root", TEST_PASSWORD, client="pymysql")
    hook.log_sql = False
    capfd.readouterr()
    hook.execute("select 12345 as marker")
    out, err = capfd.readouterr()
    assert "12345" not in out + err


def test_scope_tables_in_one_connection(hook_factory: Any, mo_server: Any) -> None:
    make_tenant(mo_server, "scopeacc")
    hook = hook_factory("scopeacc#admin", TENANT_PASSWORD, client="mysql-connector-python")
    assert hook.list_scope_tables(["db1", "db2"]) == [("db1", "products"), ("db2", "orders")]


def test_hook_under_common_sql_connection_lookup(mo_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Connection.get_hook() passes every extra as a kwarg; the hook must accept unknown ones."""
    import json

    from airflow.sdk import Connection

    monkeypatch.setenv(
        "AIRFLOW_CONN_MATRIXONE_DEFAULT",
        json.dumps(
            {
                "conn_type": "matrixone",
                "host": mo_server.host,
                "port": mo_server.port,
                "login": "root",
                "password": TEST_PASSWORD,
                "extra": {"client": "pymysql", "demo": True, "charset": "utf8mb4"},
            }
        ),
    )
    conn = Connection.get("matrixone_default")
    hook = conn.get_hook(hook_params=dict(conn.extra_dejson))
    assert type(hook).__name__ == "MatrixOneHook"
    assert hook.get_first("select 1 + 1")[0] == 2


def test_restore_refuses_an_object_the_pitr_does_not_cover(hook_factory: Any, mo_server: Any) -> None:
    make_tenant(mo_server, "coveracc")
    hook = hook_factory("coveracc#admin", TENANT_PASSWORD, client="pymysql")
    hook.create_pitr("p_cover_db1", "database", database="db1", range_value=1, range_unit="h")
    time.sleep(0.02)
    mark = len(mo_server.statement_log.mutating())
    with pytest.raises(errors.LevelMismatch, match="not allowed to restore database db2"):
        hook.restore_pitr("p_cover_db1", pendulum.now("UTC"), "database", database="db2")
    assert mo_server.statement_log.mutating()[mark:] == []
