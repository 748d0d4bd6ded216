"""Capture a reference (the data as it was at T) and compare the restored state against it.

A reference is read with time travel (``{MO_TS = ns}``) from the account that owned the data at T,
before anything is restored; the current state is read the same way without a hint. Both are
plain JSON (they travel through XCom). Row counts are batched; fingerprints (optional, O(rows))
hash every row so that a restore with the right count but wrong values is still caught.
"""

from __future__ import annotations

import hashlib
from typing import Any

from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook
from airflow_provider_matrixone.pitr import errors, statements
from airflow_provider_matrixone.pitr.identifiers import quote_contained

State = dict[str, Any]


def scope_tables(
    hook: MatrixOneHook, level: str, database: str | None, table: str | None, at_ns: int | None
) -> tuple[list[str], list[tuple[str, str]]]:
    """Databases and (database, table) pairs of a scope, as they are at ``at_ns`` (None = now)."""
    if level == "table":
        assert database is not None and table is not None
        present = table in hook.list_tables(database, at=at_ns) if database in hook.list_databases(at=at_ns) else False
        return [database], [(database, table)] if present else []
    if level == "database":
        assert database is not None
        if database not in hook.list_databases(at=at_ns):
            return [], []
        return [database], hook.list_scope_tables([database], at=at_ns)
    databases = hook.list_databases(at=at_ns)
    return databases, hook.list_scope_tables(databases, at=at_ns)


def fingerprint(hook: MatrixOneHook, database: str, table: str, at_ns: int | None) -> str:
    """Order-independent SHA-256 of every row (values rendered with ``str``)."""
    hint = f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""
    # names listed by the server (any text MatrixOne allows): back-quoted, back-quotes doubled; the hint is an int
    sql = f"SELECT * FROM {quote_contained(database, 'database')}.{quote_contained(table, 'table')}{hint}"  # noqa: S608
    _, rows = hook.execute(sql)
    digest = hashlib.sha256()
    for line in sorted("\x1f".join("\\N" if v is None else str(v) for v in row) for row in rows):
        digest.update(line.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def capture(
    hook: MatrixOneHook,
    level: str,
    *,
    database: str | None = None,
    table: str | None = None,
    at_ns: int | None = None,
    with_fingerprint: bool = False,
) -> State:
    """The state of a scope at ``at_ns`` (or now): databases, tables, row counts, fingerprints."""
    databases, pairs = scope_tables(hook, level, database, table, at_ns)
    counts = hook.count_rows(pairs, at=at_ns)
    tables: dict[str, dict[str, Any]] = {}
    for db_name, tbl_name in pairs:
        key = f"{db_name}.{tbl_name}"
        entry: dict[str, Any] = {"rows": counts.get(key, 0)}
        if with_fingerprint:
            entry["fingerprint"] = fingerprint(hook, db_name, tbl_name, at_ns)
        tables[key] = entry
    return {
        "account": hook.login.account,
        "level": level,
        "database": database,
        "table": table,
        "at_ns": at_ns,
        "databases": databases,
        "tables": tables,
    }


def compare(reference: State, actual: State) -> list[dict[str, Any]]:
    """One verdict per table: ok, missing, extra, rows differ or fingerprint differs."""
    verdicts: list[dict[str, Any]] = []
    ref_tables: dict[str, dict[str, Any]] = reference["tables"]
    now_tables: dict[str, dict[str, Any]] = actual["tables"]
    for key in sorted(set(ref_tables) | set(now_tables)):
        want, got = ref_tables.get(key), now_tables.get(key)
        row: dict[str, Any] = {
            "table": key,
            "expected_rows": want["rows"] if want else None,
            "actual_rows": got["rows"] if got else None,
        }
        if want is None:
            row["verdict"], row["detail"] = "EXTRA", "table did not exist at the restore time"
        elif got is None:
            row["verdict"], row["detail"] = "MISSING", "table is not there after the restore"
        elif want["rows"] != got["rows"]:
            row["verdict"], row["detail"] = "ROWS DIFFER", f"{got['rows']} rows, expected {want['rows']}"
        elif "fingerprint" in want and want.get("fingerprint") != got.get("fingerprint"):
            row["verdict"], row["detail"] = "FINGERPRINT DIFFERS", "same row count, different values"
        else:
            row["verdict"], row["detail"] = "OK", "fingerprint matches" if "fingerprint" in want else "row count matches"
        verdicts.append(row)
    for db_name in sorted(set(reference["databases"]) - set(actual["databases"])):
        if not any(k.startswith(db_name + ".") for k in ref_tables):
            verdicts.append({"table": f"{db_name}.*", "expected_rows": 0, "actual_rows": None,
                             "verdict": "MISSING", "detail": "database is not there after the restore"})
    return verdicts


def passed(verdicts: list[dict[str, Any]]) -> bool:
    return all(v["verdict"] == "OK" for v in verdicts)


def require_passed(verdicts: list[dict[str, Any]], what: str) -> None:
    bad = [v for v in verdicts if v["verdict"] != "OK"]
    if bad:
        summary = ", ".join(f"{v['table']}: {v['verdict']}" for v in bad[:10])
        raise errors.MatrixOneError(f"{what}: verification failed for {len(bad)} table(s): {summary}")
