"""Restores of scopes holding names MatrixOne allows (`order items`, `订单`, `select`, `$%^#`).

Before: any restore whose scope merely *contained* such a table failed with
``invalid table 'order items'`` (no retry), because names listed by SHOW TABLES were checked
against an ASCII-only user rule. Now listed names are only quoted, user-passed names follow
MatrixOne's own rule, and these restores go through the hook, the operator and the sensor.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk import PokeReturnValue

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor
from airflow_provider_matrixone.sql_io.plan_reads import plan_restore
from tests.operators.odd_names import (
    ODD_DB,
    ODD_DB2,
    add_odd_objects,
    damage_odd_objects,
    expected_at_t,
    odd_counts,
)
from tests.operators.support import context, mutating_since, now_after_pitr, set_connection, tenant_sql
from tests.provider.support import TENANT_PASSWORD


@pytest.fixture
def odd(tenant: SimpleNamespace, mo_server: Any) -> SimpleNamespace:
    """The seeded tenant plus the odd objects, an account PITR named `$%^#`, T, then the incident."""
    add_odd_objects(mo_server, tenant.name)
    tenant_sql(mo_server, tenant.name, ["create pitr `$%^#` for account range 1 'd'",
                                        f"create pitr `select` for database `{ODD_DB}` range 1 'd'"])
    t = now_after_pitr()
    damage_odd_objects(mo_server, tenant.name)
    tenant_sql(mo_server, tenant.name, ["delete from db1.products where id > 2"])
    return SimpleNamespace(name=tenant.name, conn_id=tenant.conn_id, t=t.isoformat())


def _sensor(conn_id: str, **kw: Any) -> MatrixOneRestoreVerificationSensor:
    return MatrixOneRestoreVerificationSensor(task_id="verify", matrixone_conn_id=conn_id, poke_interval=0.1,
                                              timeout=5, **kw)


@pytest.mark.parametrize("client", ["mysqlclient", "pymysql"])
def test_account_restore_of_a_scope_containing_odd_names(client: str, odd: SimpleNamespace, mo_server: Any) -> None:
    conn_id = set_connection(f"odd_{client}_{odd.name}", mo_server, f"{odd.name}#admin", TENANT_PASSWORD,
                             client=client)
    out = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="$%^#", timestamp=odd.t, level="account",
                                       safety_snapshot=True, matrixone_conn_id=conn_id).execute(context())
    assert out["check"]["status"] == "pass", out["check"]
    assert out["sql"].startswith("RESTORE FROM PITR `$%^#` '")
    planned = {(a["database"], a.get("table")): a for a in out["plan"]["tables"]}
    assert planned[(ODD_DB, "order items")]["rows_at_t"] == 3 and planned[(ODD_DB, "order items")]["rows_now"] == 1
    assert planned[(ODD_DB, "$%^#")]["action"] == "recreate"
    assert odd_counts(mo_server, odd.name) == expected_at_t()
    assert tenant_sql(mo_server, odd.name, ["select count(*) from db1.products"]) == [(9,)]
    # the sensor verifies the same scope from the operator's XCom
    result = _sensor(conn_id, reference=out).poke(context())
    assert isinstance(result, PokeReturnValue) and result.is_done
    assert result.xcom_value is not None and result.xcom_value["status"] == "pass"
    names = {r["table"] for r in result.xcom_value["tables"]}
    assert {f"{ODD_DB}.order items", f"{ODD_DB}.$%^#", f"{ODD_DB2}.{ODD_DB}"} <= names


def test_database_restore_of_a_unicode_database_from_a_reserved_word_pitr(odd: SimpleNamespace,
                                                                         mo_server: Any) -> None:
    out = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="select", timestamp=odd.t, level="database",
                                       database=ODD_DB, matrixone_conn_id=odd.conn_id).execute(context())
    assert out["check"]["status"] == "pass", out["check"]
    assert out["sql"].startswith(f"RESTORE DATABASE `{ODD_DB}` FROM PITR `select` '")
    counts = odd_counts(mo_server, odd.name)
    assert {k: v for k, v in counts.items() if k[0] == ODD_DB} == {k: v for k, v in expected_at_t().items()
                                                                    if k[0] == ODD_DB}
    assert counts[(ODD_DB2, ODD_DB)] is None  # outside the scope: still dropped
    # reference_timestamp mode of the sensor, naming the unicode database
    result = _sensor(odd.conn_id, reference_timestamp=odd.t, level="database", database=ODD_DB).poke(context())
    assert isinstance(result, PokeReturnValue) and result.is_done and result.xcom_value is not None
    assert result.xcom_value["status"] == "pass"


@pytest.mark.parametrize(("database", "table"), [(ODD_DB, "$%^#"), (ODD_DB, "select"), (ODD_DB2, ODD_DB)])
def test_table_restore_naming_odd_names(database: str, table: str, odd: SimpleNamespace, mo_server: Any) -> None:
    if database == ODD_DB2:  # the database itself was dropped: a table restore needs it to exist
        tenant_sql(mo_server, odd.name, [f"create database `{ODD_DB2}`"])
    out = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="$%^#", timestamp=odd.t, level="table",
                                       database=database, table=table, matrixone_conn_id=odd.conn_id
                                       ).execute(context())
    assert out["check"]["status"] == "pass", out["check"]
    assert odd_counts(mo_server, odd.name)[(database, table)] == expected_at_t()[(database, table)]
    assert odd_counts(mo_server, odd.name)[(ODD_DB, "order items")] == 1  # not in the scope: untouched


def test_hook_lists_counts_and_plans_odd_names(odd: SimpleNamespace, mo_server: Any) -> None:
    hook = MatrixOneHook(matrixone_conn_id=odd.conn_id)
    assert ODD_DB in hook.list_databases(at=odd.t) and ODD_DB2 in hook.list_databases(at=odd.t)
    pairs = hook.list_scope_tables([ODD_DB, ODD_DB2], at=odd.t)
    assert (ODD_DB, "order items") in pairs and (ODD_DB2, ODD_DB) in pairs
    counts = hook.count_rows(pairs, at=odd.t)
    assert counts[f"{ODD_DB}.order items"] == 3 and counts[f"{ODD_DB}.$%^#"] == 1 and counts[f"{ODD_DB2}.{ODD_DB}"] == 4
    mark = len(mo_server.statement_log.entries)
    plan = plan_restore(hook, pitr_name="$%^#", timestamp=odd.t, level="account")
    assert mutating_since(mo_server, mark) == []
    text = plan.render()
    assert f"{ODD_DB}.order items" in text and "recreate" in text
    # the restore itself through the hook
    hook.restore_pitr("$%^#", odd.t, level="account")
    assert odd_counts(mo_server, odd.name) == expected_at_t()


@pytest.mark.parametrize(("field", "value"), [("table", "order items"), ("database", "a`b"), ("pitr_name", "p'1"),
                                              ("database", "db\t1"), ("table", "t\x00")])
def test_names_matrixone_refuses_are_refused_naming_the_field(field: str, value: str, odd: SimpleNamespace,
                                                             mo_server: Any) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    kwargs: dict[str, Any] = {"pitr_name": "$%^#", "timestamp": odd.t, "level": "table", "database": ODD_DB,
                              "table": "select", field: value}
    mark = len(mo_server.statement_log.entries)
    with pytest.raises(AirflowFailException) as info:
        MatrixOnePITRRestoreOperator(task_id="r", matrixone_conn_id=odd.conn_id, **kwargs).execute(context())
    assert mo_server.statement_log.entries[mark:] == []  # zero statements of any kind
    label = "pitr name" if field == "pitr_name" else field
    assert f"invalid {label}" in str(info.value)
