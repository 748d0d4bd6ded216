"""PITR policy as code, reconciled daily.

The policy is a list of PITRs (name, level, object, range): ``DEFAULT_POLICY`` below, or the
Airflow Variable ``matrixone_pitr_policies`` (JSON list, or ``{"pitrs": [...], "prune": true}``).
Each entry is reconciled idempotently in its own mapped ``MatrixOnePITRCreateOperator``
(``if_exists="update"``): created when missing, its range altered when it drifted, left alone when
it matches; an entry whose name exists for another object, or whose object is already covered by
another PITR, fails its mapped task with the reason (nothing is changed) and the run is failed
after the coverage report. PITRs on the server that the policy does not list are reported,
and dropped only with ``prune`` true. The last task reports coverage: every account and database
the connections can see, the PITR covering it and its recoverable window; uncovered ones are
flagged. Tenants' databases are visible only through ``matrixone_<account>`` connections.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import Param, Variable, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_matrixone.operators.pitr import MatrixOnePITRCreateOperator
from airflow_provider_matrixone.pitr import flags

if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

from matrixone_dag_support import connections, policy, reporting  # noqa: E402

DEFAULT_POLICY = policy.DEFAULT_POLICY


def _owner_hook(owner: str, default: Any) -> Any:
    return connections.account_hook(owner, default)


# the task logger, so reports land in the task log before the return value
log = logging.getLogger("airflow.task")

@dag(
    dag_id="matrixone_pitr_policy",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={"prune": Param(False, type="boolean", title="Prune",
                           description="Drop PITRs that exist on the server but not in the policy.")},
    tags=["matrixone", "pitr", "policy"],
    doc_md=__doc__,
)
def matrixone_pitr_policy() -> None:
    @task
    def load_policy() -> dict[str, Any]:
        """Read and validate the policy (Variable, else the module default); no SQL."""
        raw = Variable.get(policy.POLICY_VARIABLE, default=None)
        default = connections.hook()
        entries, prune = policy.load(raw if raw else DEFAULT_POLICY, default.login.account)
        prune = prune or flags.parse_bool(get_current_context()["params"].get("prune", False), "prune")
        log.info("%s", f"policy: {len(entries)} PITR(s) from {'Variable ' + policy.POLICY_VARIABLE if raw else 'the default'}"
              f", prune={prune}")
        return {"entries": entries, "prune": prune}

    @task
    def entries_of(loaded: dict[str, Any]) -> list[dict[str, Any]]:
        """Operator kwargs per entry, with the owner's connection (a PITR is managed by its creator)."""
        default = connections.hook()
        out = []
        for e in loaded["entries"]:
            own = e["owner"].lower() == default.login.account.lower()
            out.append({
                "matrixone_conn_id": connections.DEFAULT_CONN_ID if own else connections.account_conn_id(e["owner"]),
                "pitr_name": e["name"],
                "level": e["level"],
                "account": e["account"] if e["level"] == "account" else None,
                "database": e["database"],
                "table": e["table"],
                "range_value": e["range_value"],
                "range_unit": e["range_unit"],
            })
        return out

    reconcile = MatrixOnePITRCreateOperator.partial(task_id="reconcile", if_exists="update",
                                                    map_index_template="{{ task.pitr_name }}")

    @task(trigger_rule="all_done")
    def unmanaged_pitrs(loaded: dict[str, Any]) -> list[dict[str, Any]]:
        """PITRs present on the server but absent from the policy: reported; dropped only when pruning."""
        default = connections.hook()
        owners = {default.login.account} | {e["owner"] for e in loaded["entries"]}
        found: list[dict[str, Any]] = []
        for owner in sorted(owners):
            hook = _owner_hook(owner, default)
            for pitr in policy.unmanaged(hook.list_pitrs(), owner, loaded["entries"]):
                action = "reported"
                if loaded["prune"]:
                    hook.drop_pitr(pitr.name)
                    action = "dropped"
                found.append({"name": pitr.name, "owner": owner, "action": action,
                              "detail": f"{pitr.level.value} {pitr.account or ''} {pitr.database or ''} "
                              f"{pitr.table or ''} {pitr.range}".replace("  ", " ")})
        return found

    @task(trigger_rule="all_done")
    def coverage(loaded: dict[str, Any], results: Any, extra: Any) -> dict[str, Any]:
        """Every visible account and database, the PITR covering it and its window; flags gaps."""
        results = [{"name": r["name"], "owner": "policy", "action": r["action"],
                    "detail": " ".join(str(x) for x in (r["level"], r.get("account"), r.get("database"),
                                                        r.get("table"), "range " + r["range"]) if x)}
                   for r in (results or []) if r]
        extra = list(extra or [])
        default = connections.hook()
        home = default.login.account
        now = default.now()  # the server's clock: MatrixOne measures PITR windows with it
        if default.get_server_info().is_sys:
            accounts = sorted(str(r[0]) for r in default.execute("SHOW ACCOUNTS")[1])
        else:
            accounts = [home]
        sys_pitrs = default.list_pitrs()
        rows: list[dict[str, Any]] = []
        for account in accounts:
            hook = default if account.lower() == home.lower() else connections.optional_account_hook(account, default)
            own = hook.list_pitrs() if hook is not None and hook is not default else []
            account_cover = [p for p in sys_pitrs if p.level.value == "cluster"
                             or (p.level.value == "account" and (p.account or home).lower() == account.lower())]
            account_cover += [p for p in own if p.level.value == "account"]
            rows.append(_row(default, account, "*", account_cover, now))
            if hook is None:
                rows.append({"account": account, "database": "(not visible)", "pitr": "", "window": "",
                             "status": f"no connection {connections.account_conn_id(account)}"})
                continue
            db_pitrs = (sys_pitrs if hook is default else own)
            for database in hook.list_databases():
                cover = [p for p in db_pitrs if p.level.value == "database" and (p.database or "") == database]
                rows.append(_row(hook, account, database, cover + account_cover, now))
        text = "\n".join([
            "Reconciliation:",
            reporting.table(results + extra, [("name", "pitr"), ("owner", "owner"), ("action", "action"),
                                              ("detail", "detail")]),
            "Coverage:",
            reporting.table(rows, [("account", "account"), ("database", "database"), ("pitr", "covered by"),
                                   ("window", "recoverable window (UTC)"), ("status", "status")]),
        ])
        log.info("%s", text)
        uncovered = [r for r in rows if r["status"] == "UNCOVERED"]
        if uncovered:
            log.info("%s", f"WARNING: {len(uncovered)} account(s)/database(s) have no PITR: "
                  + ", ".join(f"{r['account']}.{r['database']}" for r in uncovered))
        done = {r["name"] for r in results}
        failed = [e["name"] for e in loaded["entries"] if e["name"] not in done]
        if failed:  # the run must fail although this (leaf) task reported
            raise AirflowFailException(f"policy not applied for {', '.join(failed)}: see the failed reconcile tasks")
        return {"reconciled": results, "unmanaged": extra, "coverage": rows, "uncovered": len(uncovered)}

    loaded: Any = load_policy()
    results: Any = reconcile.expand_kwargs(entries_of(loaded))
    extra: Any = unmanaged_pitrs(loaded)
    results >> extra
    coverage(loaded, results.output, extra)


def _row(hook: Any, account: str, database: str, cover: list[Any], now: Any) -> dict[str, Any]:
    if not cover:
        return {"account": account, "database": database, "pitr": "", "window": "", "status": "UNCOVERED"}
    windows = [(p, hook.recovery_window(p, now=now)) for p in cover]
    _, window = min(windows, key=lambda pw: pw[1].earliest)
    span = f"{window.earliest:%Y-%m-%d %H:%M:%S} .. {window.latest:%Y-%m-%d %H:%M:%S}"
    return {"account": account, "database": database, "pitr": ", ".join(p.name for p, _ in windows),
            "window": span, "status": "covered"}


matrixone_pitr_policy()
