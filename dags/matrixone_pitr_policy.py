"""PITR policy as code, reconciled daily.

The policy is a list of PITRs (name, level, object, range): ``DEFAULT_POLICY`` below, or the
Airflow Variable ``matrixone_pitr_policies`` (JSON list, or ``{"pitrs": [...], "prune": true}``).
Each entry is reconciled idempotently in its own mapped task: created when missing, altered when
its range drifted, reported (never changed) when its level/object differs or the object is
already covered by another PITR. PITRs on the server that the policy does not list are reported,
and dropped only with ``prune`` true. The last task reports coverage: every account and database
the connections can see, the PITR covering it and its recoverable window; uncovered ones are
flagged. Tenants' databases are visible only through ``matrixone_<account>`` connections.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import Param, Variable, dag, get_current_context, task

if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

from matrixone_dag_support import connections, policy, reporting, restoring  # noqa: E402

DEFAULT_POLICY = policy.DEFAULT_POLICY


def _owner_hook(owner: str, default: Any) -> Any:
    return connections.account_hook(owner, default)


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
        prune = prune or bool(get_current_context()["params"].get("prune"))
        print(f"policy: {len(entries)} PITR(s) from {'Variable ' + policy.POLICY_VARIABLE if raw else 'the default'}"
              f", prune={prune}")
        return {"entries": entries, "prune": prune}

    @task
    def entries_of(loaded: dict[str, Any]) -> list[dict[str, Any]]:
        return list(loaded["entries"])

    @task(map_index_template="{{ entry['name'] }}")
    def reconcile(entry: dict[str, Any]) -> dict[str, Any]:
        """Create, alter or leave one PITR; never drops."""
        hook = _owner_hook(entry["owner"], connections.hook())
        existing = hook.get_pitr(entry["name"])
        others = hook.list_pitrs() if existing is None else []
        action, detail = policy.decide(existing, others, entry)
        account = entry["account"] if entry["owner"].lower() != (entry["account"] or "").lower() else None
        if action == "create":
            hook.create_pitr(entry["name"], entry["level"], account=account, database=entry["database"],
                             table=entry["table"], range_value=entry["range_value"], range_unit=entry["range_unit"])
        elif action == "alter":
            hook.alter_pitr(entry["name"], entry["range_value"], entry["range_unit"])
        print(f"{entry['name']} ({entry['owner']}): {action}: {detail}")
        return {"name": entry["name"], "owner": entry["owner"], "action": action, "detail": detail}

    @task
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

    @task
    def coverage(results: list[dict[str, Any]], extra: list[dict[str, Any]]) -> dict[str, Any]:
        results = list(results)
        """Every visible account and database, the PITR covering it and its window; flags gaps."""
        results = list(results)
        default = connections.hook()
        home = default.login.account
        now = restoring.utc_now()
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
        print(text)
        uncovered = [r for r in rows if r["status"] == "UNCOVERED"]
        if uncovered:
            print(f"WARNING: {len(uncovered)} account(s)/database(s) have no PITR: "
                  + ", ".join(f"{r['account']}.{r['database']}" for r in uncovered))
        return {"reconciled": results, "unmanaged": extra, "coverage": rows, "uncovered": len(uncovered)}

    loaded: Any = load_policy()
    results: Any = reconcile.expand(entry=entries_of(loaded))
    extra: Any = unmanaged_pitrs(loaded)
    results >> extra
    coverage(results, extra)


def _row(hook: Any, account: str, database: str, cover: list[Any], now: Any) -> dict[str, Any]:
    if not cover:
        return {"account": account, "database": database, "pitr": "", "window": "", "status": "UNCOVERED"}
    windows = [(p, hook.recovery_window(p, now=now)) for p in cover]
    _, window = min(windows, key=lambda pw: pw[1].earliest)
    span = f"{window.earliest:%Y-%m-%d %H:%M:%S} .. {window.latest:%Y-%m-%d %H:%M:%S}"
    return {"account": account, "database": database, "pitr": ", ".join(p.name for p, _ in windows),
            "window": span, "status": "covered"}


matrixone_pitr_policy()
