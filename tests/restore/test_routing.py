"""Restore routing as a provider feature, without Airflow: the resolver and the Router over PitrClient.

Real matrixone_lite over TCP: a tenant with its own account PITR, sys with an account PITR for
it and a cluster PITR. The precedence (most specific first, then the account's own before sys's)
and "which account must run the RESTORE" are decided by the Router from SHOW PITR on each
connection it can open.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pendulum
import pytest

from airflow_provider_matrixone.cli.connect import pymysql_connect
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.identifiers import parse_login
from airflow_provider_matrixone.restore import RestoreRequest
from airflow_provider_matrixone.restore.routing import ConnectionResolver, Router
from airflow_provider_matrixone.sql_io.operations import PitrClient, PitrOperations
from tests.provider.support import TENANT_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "route1"
ROOT_PASSWORD = os.environ["MO_TEST_PASSWORD"]


@pytest.fixture(scope="module")
def scenario(mo_server: Any) -> Iterator[str]:
    make_tenant(mo_server, ACC)
    root_sql(mo_server, ["drop pitr if exists route_sys", f"create pitr route_sys for account {ACC} range 2 'h'"])
    tenant_sql(mo_server, ACC, ["create pitr route_own for account range 2 'h'",
                                "create pitr route_db for database db1 range 2 'h'"])
    time.sleep(1.1)
    yield pendulum.now("UTC").isoformat()
    root_sql(mo_server, ["drop pitr if exists route_sys", f"drop account if exists {ACC}"])


def _connector(server: Any, logins: dict[str, str]) -> Any:
    """conn_id -> PitrClient; unknown conn ids fail like a missing Airflow connection."""
    def connect(conn_id: str) -> PitrOperations:
        if conn_id not in logins:
            raise KeyError(f"The conn_id `{conn_id}` isn't defined")
        login = logins[conn_id]
        password = TENANT_PASSWORD if "#" in login else ROOT_PASSWORD
        return PitrClient(pymysql_connect(server.host, server.port, login, password), parse_login(login))
    return connect


def _request(t: str, **kw: Any) -> RestoreRequest:
    return RestoreRequest.build(pitr_name=kw.pop("pitr_name", None), instant=pendulum.parse(t), **kw)


def test_resolver_mapping_then_pattern() -> None:
    resolver = ConnectionResolver({"Acc1": "prod_acc1"}, "mo_{account}")
    assert resolver.conn_id("acc1") == "prod_acc1" and resolver.conn_id("ACC2") == "mo_acc2"
    assert ConnectionResolver().conn_id("acc9") == "matrixone_acc9"
    with pytest.raises(errors.InvalidInput, match="must contain"):
        ConnectionResolver(pattern="matrixone_default")
    with pytest.raises(errors.InvalidInput, match="account"):
        ConnectionResolver().conn_id("bad name")


def test_account_restore_prefers_the_tenants_own_pitr(mo_server: Any, scenario: str) -> None:
    connect = _connector(mo_server, {"default": "root", f"matrixone_{ACC}": f"{ACC}#admin"})
    router = Router(connect("default"), "default", connect)
    route = router.route(_request(scenario, level="account", account=ACC))
    assert route.pitr.name == "route_own" and route.restore_ops.account == ACC
    assert route.to_dict()["restore_conn_id"] == f"matrixone_{ACC}"
    assert "route_sys (account, by sys)" in route.reason
    # sys's PITR, named: sys runs the RESTORE; the tenant's connection still reads and verifies
    route = router.route(_request(scenario, level="account", account=ACC, pitr_name="route_sys"))
    assert route.pitr.name == "route_sys" and route.restore_ops.account == "sys"
    assert route.reference_ops.account == route.verify_ops.account == ACC


def test_database_restore_takes_the_most_specific_pitr_and_a_mapped_connection(mo_server: Any,
                                                                              scenario: str) -> None:
    connect = _connector(mo_server, {"default": "root", "tenant_conn": f"{ACC}#admin"})
    router = Router(connect("default"), "default", connect, ConnectionResolver({ACC: "tenant_conn"}))
    route = router.route(_request(scenario, level="database", account=ACC, database="db1"))
    assert route.pitr.name == "route_db" and route.restore_ops.account == ACC
    assert route.reference_ops is route.verify_ops is route.restore_ops  # one connection per account


def test_database_restore_without_the_accounts_connection_says_which_to_create(mo_server: Any,
                                                                              scenario: str) -> None:
    connect = _connector(mo_server, {"default": "root"})
    router = Router(connect("default"), "default", connect)
    with pytest.raises(errors.InvalidInput, match=f"create connection 'matrixone_{ACC}'"):
        router.route(_request(scenario, level="database", account=ACC, database="db1"))


def test_a_connection_of_another_account_is_refused(mo_server: Any, scenario: str) -> None:
    connect = _connector(mo_server, {"default": "root", f"matrixone_{ACC}": "root"})
    router = Router(connect("default"), "default", connect)
    with pytest.raises(errors.InvalidInput, match="logs into account sys"):
        router.route(_request(scenario, level="table", account=ACC, database="db1", table="products"))
