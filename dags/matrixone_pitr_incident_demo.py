"""The seed guide end to end: two tenants, three PITRs, an upgrade gone wrong, three restores.

Follows shared/reference/seed-mo_br-pitr-guide.md with SQL instead of mo_br: create acc1/acc2 and
their data, create pitr1 (cluster, 1 d), pitr2 (acc1, 10 h) and pitr3 (acc2, 10 h), record T,
drop and truncate like the faulty upgrade script, restore acc1's account, acc2's db1 and acc2's
db2.orders to T, then verify against a reference read at T (time travel) before anything was
restored. It DROPS accounts acc1 and acc2, so it refuses to run unless the connection's extra
has ``"demo": true``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowFailException

if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

from matrixone_dag_support import connections, reporting, seed  # noqa: E402

CONN_ID = connections.DEFAULT_CONN_ID
REPORT_FILE_ENV = "MATRIXONE_DEMO_REPORT_FILE"


def _sys_hook() -> Any:
    return connections.hook(CONN_ID)


def _tenant_hook(account: str) -> Any:
    """Log in as the tenant admin the DAG created (password derived, masked, never stored)."""
    from airflow.sdk.log import mask_secret

    base = _sys_hook()
    password = seed.tenant_password(base.connection.password or "", account)
    mask_secret(password)
    return connections.direct_hook(base, f"{account}#{seed.ADMIN_NAME}", password, conn_id=f"demo_{account}")


def _order_rows(hook: Any, at_ns: int | None) -> list[list[str]]:
    from airflow_provider_matrixone.pitr import statements

    hint = f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""
    _, rows = hook.execute(f"SELECT id, product_name, quantity, order_date FROM `db2`.`orders`{hint} ORDER BY id")  # noqa: S608 (constant names, integer hint)
    return [[str(v) for v in row] for row in rows]


# the task logger, so reports land in the task log before the return value
log = logging.getLogger("airflow.task")


def _restore(hook: Any, pitr: str, t: dict[str, Any], level: str, **scope: str) -> dict[str, Any]:
    """One of the guide's restores, through the provider's workflow (plan, undo point, RESTORE, check)."""
    from airflow.sdk import get_current_context

    from airflow_provider_matrixone.restore import RestoreRequest, render_report, run_restore

    ctx = get_current_context()
    request = RestoreRequest.build(pitr_name=pitr, level=level, instant=t["at_ns"], **scope)
    result = run_restore(hook, request, run_key=f"{ctx['dag'].dag_id}/{ctx['ti'].task_id}/{ctx['run_id']}/-1",
                         logger=log)
    log.info("%s", render_report(result))
    if not result["ok"]:
        raise AirflowFailException(f"{result['sql']}: {result['check']['summary']}\n"
                                   + "\n".join(f"  {result['check']['verdict']}: {r}"
                                                for r in result["check"]["reasons"][:20]))
    return result

@dag(
    dag_id="matrixone_pitr_incident_demo",
    schedule=None,
    start_date=pendulum.datetime(2024, 10, 28, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["matrixone", "pitr", "demo"],
    doc_md=__doc__,
)
def matrixone_pitr_incident_demo() -> None:
    @task
    def guard() -> dict[str, Any]:
        """Refuse anything but a disposable server: this DAG drops acc1 and acc2."""
        hook = _sys_hook()
        demo = hook.connection.extra_dejson.get("demo")
        if demo not in (True, "true", "True", 1, "1"):
            raise AirflowFailException(
                f"connection {CONN_ID} is not marked disposable: this demo drops accounts acc1 and acc2. "
                'Set its extra to {"demo": true} only on a throw-away server.'
            )
        info = hook.get_server_info()
        if not info.is_sys:
            raise AirflowFailException(f"connection {CONN_ID} must log into the sys account, not {info.account}")
        return info.to_dict()

    @task
    def create_tenants() -> list[str]:
        """Fresh acc1/acc2 (the guide's CREATE ACCOUNT), after clearing a previous demo run."""
        from airflow_provider_matrixone.pitr import statements

        hook = _sys_hook()
        sqls = ["DROP PITR IF EXISTS `pitr1`"]
        for account in seed.ACCOUNTS:
            password = seed.tenant_password(hook.connection.password or "", account)
            sqls.append(statements.drop_account(account, if_exists=True))
            sqls.append(statements.create_account(account, seed.ADMIN_NAME, password))
        hook.execute_many(sqls)
        return list(seed.ACCOUNTS)

    @task
    def load_business_data(account: str) -> str:
        _tenant_hook(account).execute_many(seed.data_statements(account))
        return account

    @task
    def create_pitrs() -> list[dict[str, Any]]:
        """pitr1 by sys for the cluster, pitr2/pitr3 by each tenant admin for its own account."""
        created = []
        for name, level, owner, value, unit in seed.PITRS:
            hook = _sys_hook() if owner == "sys" else _tenant_hook(owner)
            pitr = hook.create_pitr(name, level, range_value=value, range_unit=unit)
            created.append(pitr.to_dict() | {"created_by": owner})
        log.info("%s", reporting.table(created, [("name", "PITR NAME"), ("created", "CREATED"), ("level", "PITR LEVEL"),
                                        ("account", "ACCOUNT NAME"), ("range_value", "PITR LENGTH"),
                                        ("range_unit", "PITR UNIT"), ("created_by", "CREATED BY")]))
        return created

    @task
    def record_t() -> dict[str, Any]:
        """T = now, once every PITR exists; the reference is each tenant's data read *at T*."""
        from airflow_provider_matrixone.pitr import timestamps
        from airflow_provider_matrixone.pitr.models import Scope
        from airflow_provider_matrixone.sql_io.capture import capture_reference

        time.sleep(0.05)
        instant = pendulum.now("UTC")
        time.sleep(0.05)  # everything the upgrade script does happens strictly after T
        at_ns = timestamps.to_epoch_ns(instant)
        server_zone = _sys_hook().server_timezone
        reference: dict[str, Any] = {}
        for account in seed.ACCOUNTS:
            hook = _tenant_hook(account)
            state = capture_reference(hook, Scope.build("account", account=account), at_ns).to_dict()
            state["orders"] = _order_rows(hook, at_ns)
            reference[account] = state
        return {
            "timestamp_utc": instant.isoformat(),
            "timestamp_server": timestamps.render_for_server(instant, server_zone),
            "server_timezone": str(getattr(server_zone, "key", server_zone)),
            "at_ns": at_ns,
            "reference": reference,
        }

    @task
    def simulate_upgrade_error(account: str) -> list[str]:
        sqls = seed.upgrade_error_statements(account)
        _tenant_hook(account).execute_many(sqls)
        return sqls

    @task
    def restore_acc1_account(t: dict[str, Any]) -> dict[str, Any]:
        """mo_br pitr restore --pname pitr2 --account acc1 (as acc1#root)."""
        return _restore(_tenant_hook("acc1"), "pitr2", t, "account", account="acc1")

    @task
    def restore_acc2_db1(t: dict[str, Any]) -> dict[str, Any]:
        """mo_br pitr restore --pname pitr3 --account acc2 --database db1 (as acc2#root)."""
        return _restore(_tenant_hook("acc2"), "pitr3", t, "database", account="acc2", database="db1")

    @task
    def restore_acc2_orders(t: dict[str, Any]) -> dict[str, Any]:
        """mo_br pitr restore --pname pitr3 --account acc2 --database db2 --table orders."""
        return _restore(_tenant_hook("acc2"), "pitr3", t, "table", account="acc2", database="db2", table="orders")

    @task
    def verify(t: dict[str, Any], restores: list[dict[str, Any]]) -> dict[str, Any]:
        """Compare each tenant with its reference at T and with the guide's expected results."""
        from airflow_provider_matrixone.pitr.verify import Reference, compare
        from airflow_provider_matrixone.sql_io.capture import capture_state

        verdicts: list[dict[str, Any]] = []
        checks: list[dict[str, Any]] = []
        tables_text: list[str] = []
        for account in seed.ACCOUNTS:
            ref = t["reference"][account]
            hook = _tenant_hook(account)
            reference = Reference.from_dict(ref)
            state = capture_state(hook, reference)
            report = compare(reference, state)
            tables_text.append(f"account {account}: {report.render()}")
            verdicts += [v | {"account": account} for v in report.to_dict()["tables"]]
            now = {"databases": list(state.databases or ()),
                   "tables": {k: v.to_dict() for k, v in state.tables.items()}}
            orders_now = _order_rows(hook, None)
            checks += [
                {"account": account, "check": "SHOW DATABASES has db1, db2",
                 "ok": all(d in now["databases"] for d in seed.EXPECTED_DATABASES),
                 "got": ", ".join(now["databases"])},
                {"account": account, "check": "db1.products has 9 rows",
                 "ok": now["tables"].get("db1.products", {}).get("rows") == seed.EXPECTED_PRODUCTS,
                 "got": now["tables"].get("db1.products", {}).get("rows")},
                {"account": account, "check": "db2.orders ids are 1, 2, 3",
                 "ok": [int(r[0]) for r in orders_now] == seed.EXPECTED_ORDER_IDS,
                 "got": ", ".join(r[0] for r in orders_now)},
                {"account": account, "check": "db2.orders rows and order_date as at T",
                 "ok": orders_now == ref["orders"] and len(orders_now) == 3,
                 "got": "; ".join(f"{r[0]} {r[1]} {r[3]}" for r in orders_now)},
            ]
        text = "\n".join([
            f"Restored to T = {t['timestamp_server']} ({t['server_timezone']}) = {t['timestamp_utc']}",
            "",
            "Per-table verification against the reference read at T:",
            *tables_text,
            "",
            "Seed guide expectations:",
            reporting.table(checks, [("account", "account"), ("check", "check"), ("ok", "ok"), ("got", "got")]),
            "",
            "Restores (each verified by the workflow): " + "; ".join(
                f"{r['sql']} ({r['check']['verdict']})" for r in restores),
        ])
        ok = all(v["verdict"] == "VERIFIED" for v in verdicts) and all(c["ok"] for c in checks) and all(
            r["ok"] for r in restores)
        result = {"ok": ok, "verdicts": verdicts, "checks": checks, "report": text}
        log.info("%s", text)
        report_file = os.environ.get(REPORT_FILE_ENV)
        if report_file:
            # first line: the overall verdict, green only on VERIFIED
            verdict = "VERIFIED" if ok else next((v["verdict"] for v in verdicts if v["verdict"] != "VERIFIED"),
                                                 "MISMATCH")
            Path(report_file).write_text(verdict + "\n" + text + "\n")
        if not ok:
            raise AirflowFailException("the restored data does not match the reference at T; see the report above")
        return result

    info = guard()
    tenants = create_tenants()
    info >> tenants
    loaded = load_business_data.expand(account=tenants)
    pitrs = create_pitrs()
    loaded >> pitrs
    t: Any = record_t()
    pitrs >> t
    broken = simulate_upgrade_error.expand(account=tenants)
    t >> broken
    r1: Any = restore_acc1_account(t)
    r2: Any = restore_acc2_db1(t)
    r3: Any = restore_acc2_orders(t)
    broken >> [r1, r2]
    r2 >> r3
    verify(t, [r1, r2, r3])


matrixone_pitr_incident_demo()
