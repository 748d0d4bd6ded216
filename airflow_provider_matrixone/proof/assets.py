"""Asset events and metrics of a verified restore: downstream pipelines run on a proven restore point.

Why an alias: the restored tables are known only when the verification runs (the scope may be a
whole account), so the sensor and the restore operators declare one ``AssetAlias`` as their
outlet (:data:`DEFAULT_ASSET_ALIAS` unless told otherwise) and add one
``Asset("matrixone://host:port/account/db/table")`` per restored table at runtime. This module only
*describes* the events (URI and ``extra``: T, the PITR, the rows, the fingerprint digest and the
verdict), without Airflow, so the restore workflow can return them and the operator emit them
(``operators/_assets.py``). Events exist only for a VERIFIED scope: anything else describes none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["DEFAULT_ASSET_ALIAS", "asset_events", "asset_uri", "metrics"]

#: The alias every verifying task declares unless given another name (``asset_alias=None`` turns it off).
DEFAULT_ASSET_ALIAS = "matrixone_verified_restore"


def asset_uri(host: str, port: int, account: str, table: str) -> str:
    """``matrixone://host:port/account/db/table`` (each part percent-quoted, names lower-case as MatrixOne's)."""
    db, tbl = table.split(".", 1)
    parts = "/".join(quote(p.lower(), safe="") for p in (account, db, tbl))
    return f"matrixone://{host.lower()}:{int(port)}/{parts}"


def metrics(report: Mapping[str, Any], phases: Mapping[str, float]) -> dict[str, Any]:
    """Rows per table (now, as verified) and each phase's duration in seconds, for XCom."""
    rows = {t["table"]: t.get("actual_rows") for t in report.get("tables") or ()
            if t.get("object", "table") == "table" and t.get("actual_rows") is not None}
    return {"rows": rows, "rows_total": sum(rows.values()), "phases_s": {k: round(v, 6) for k, v in phases.items()}}


def asset_events(objects: Iterable[Mapping[str, Any]], *, verdict: str | None, host: str, port: int, account: str,
                 at_utc: str | None, pitr: str | None, snapshot: str | None = None) -> list[dict[str, Any]]:
    """``[{"uri": ..., "extra": {...}}]``: one per verified table, none unless the whole scope is VERIFIED.

    ``objects`` are the verification's per-object dicts (``VerificationReport.to_dict()["tables"]``
    or the restore workflow's ``check["objects"]``). ``snapshot`` names the source of a snapshot
    restore (``extra["snapshot"]``; ``pitr`` is then None).
    """
    if verdict != "VERIFIED":
        return []
    out = []
    for t in objects:
        if t.get("object", "table") != "table" or t.get("verdict") != "VERIFIED":
            continue
        uri = asset_uri(host, port, account, str(t["table"]))
        extra = {"at": at_utc, "pitr": pitr, "rows": t.get("actual_rows"), "fingerprint": t.get("actual_fingerprint"),
                 "verdict": verdict, "table": t["table"], "account": account}
        if snapshot is not None:
            extra["snapshot"] = snapshot
        out.append({"uri": uri, "extra": extra})
    return out
