"""Access proof: after a verified restore, the application's own login reads each restored table.

Why: MatrixOne #26640 restored every row and left the application's grants bound to the old
table ids, so the restore verified as an admin and the application could read nothing. Reading
as the admin cannot catch that; reading as the application does, one ``SELECT 1 FROM t LIMIT 1``
per table over one connection. A refusal is a MISMATCH naming the table and the privilege.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.identifiers import quote_contained
from airflow_provider_matrixone.sql_io.driver import translate_driver_error
from airflow_provider_matrixone.sql_io.operations import PitrOperations

__all__ = ["login_name", "probe_access", "prove_access", "restored_tables"]


def login_name(ops: PitrOperations) -> str:
    login = ops.login
    return f"{login.account}#{login.user}" + (f"#{login.role}" if login.role else "")


def probe_access(ops: PitrOperations, tables: Iterable[str]) -> list[str]:
    """One sentence per table the login cannot read (empty: it reads them all).

    ``tables`` are ``"db.table"`` names as the reference lists them. A table that is missing is
    not this probe's finding (the verification says it); an unreachable server raises.
    """
    return _probe(ops, sorted(set(tables)))[0]


def _probe(ops: PitrOperations, names: list[str]) -> tuple[list[str], int]:
    """(sentences, how many of ``names`` the login could not read): a refused login reads none."""
    if not names:
        return [], 0
    who = login_name(ops)
    out: list[str] = []
    try:
        conn = ops._open_connection()
    except Exception as exc:  # noqa: BLE001 - a refused login is a finding; anything else raises
        refusal = _login_refusal(exc)
        if refusal is None:
            raise
        return [f"application login {who} cannot log in after the restore: {refusal} (it reads none of the "
                f"{len(names)} restored table(s); an account restore brings users, roles and grants back as "
                "they were at T, so a login created or changed after T is gone or different)"], len(names)
    try:
        ops.set_autocommit(conn, True)  # the hook: MySqlHook's (one autocommit path)
        cur = conn.cursor()
        try:
            for name in names:
                db, table = name.split(".", 1)
                sql = f"SELECT 1 FROM {quote_contained(db, 'database')}.{quote_contained(table, 'table')} LIMIT 1"  # noqa: S608
                try:
                    cur.execute(sql)
                    cur.fetchall()
                except Exception as exc:  # noqa: BLE001 - each refusal is a finding, not an error
                    mapped: Any = translate_driver_error(exc)
                    if isinstance(mapped, errors.ObjectNotFound):
                        continue  # a missing table is the verification's finding, not this probe's
                    if mapped is None:
                        raise
                    text = str(mapped.server_message or mapped)
                    if "privilege" not in text.lower() and not isinstance(mapped, errors.PermissionDenied):
                        raise mapped from exc
                    out.append(f"application login {who} cannot read table {name}: {text} (missing privilege: "
                               f"SELECT on table {name}; MatrixOne #26640 left grants on the tables before the "
                               "restore)")
        finally:
            cur.close()
    finally:
        conn.close()
    return out, len(out)


_LOGIN_REFUSED = frozenset({1044, 1045})  # access denied to the user / to its default database


def _login_refusal(exc: BaseException) -> str | None:
    """The server's words when it refused the login itself (wrong user or password, no CONNECT
    privilege); None for anything else (an unreachable server is an error, not a verdict)."""
    mapped: Any = translate_driver_error(exc)
    if mapped is None:
        return None
    if mapped.code in _LOGIN_REFUSED or isinstance(mapped, errors.PermissionDenied):
        return str(mapped.server_message or mapped)
    return None


def restored_tables(objects: Iterable[Mapping[str, Any]]) -> list[str]:
    """The tables of a verification's per-object dicts (not databases, views, grants...)."""
    return [str(o["table"]) for o in objects if o.get("object", "table") == "table"]


def prove_access(ops: PitrOperations, objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The access proof of a verified scope, as the sensor and the restore workflow report it.

    ``{"login": "acc1#app", "tables_read": n, "tables_unread": m, "verdict": "VERIFIED" | "MISMATCH",
    "reasons": [...]}``: one sentence per table the login cannot read, or one for a refused login.
    Run it only once the content verified: a refusal on a table that is wrong anyway would only
    repeat the finding.
    """
    tables = sorted(set(restored_tables(objects)))
    refused, unread = _probe(ops, tables)
    return {"login": login_name(ops), "tables_read": len(tables) - unread, "tables_unread": unread,
            "verdict": "MISMATCH" if refused else "VERIFIED", "reasons": refused}
