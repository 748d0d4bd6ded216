"""Hostile DAG params through dag.test(run_conf=...): refused before any mutating SQL reaches MatrixOne.

A representative subset (each dag.test costs about a second): every name param of the restore
DAG with the worst payloads, timestamps, zones, wrong types, and the drill and policy DAGs' params.
Either the params form refuses the run (exception) or the run fails; either way the server's
statement log shows zero mutating statements.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.hostile.payloads import NAMES

BASE = {"timestamp": "2024-10-28 17:30:00", "timezone": "UTC", "level": "table", "account": "acc1",
        "database": "db1", "table": "t1", "dry_run": True}

CASES = [
    *[pytest.param("matrixone_pitr_restore", {**BASE, field: NAMES[name]}, id=f"restore-{field}-{name}")
      for field, name in [("pitr_name", "sq-injection"), ("pitr_name", "newline-end"),
                          ("account", "bq-injection"), ("account", "tab"),
                          ("database", "backquote"), ("database", "too-long"),
                          ("table", "double-quote"), ("table", "ansi-escape"), ("table", "space"),
                          ("target_account", "single-quote"), ("table", "template")]],
    pytest.param("matrixone_pitr_restore", {**BASE, "timestamp": "2024-10-28 17:30:00'; drop account a; --"},
                 id="restore-timestamp-injection"),
    pytest.param("matrixone_pitr_restore", {**BASE, "timestamp": "2024-03-10 02:30:00",
                                            "timezone": "America/New_York"}, id="restore-timestamp-dst-gap"),
    pytest.param("matrixone_pitr_restore", {**BASE, "timestamp": 1730136600}, id="restore-timestamp-int"),
    pytest.param("matrixone_pitr_restore", {**BASE, "timezone": "UTC'; drop"}, id="restore-zone-injection"),
    pytest.param("matrixone_pitr_restore", {**BASE, "level": "cluster'; --"}, id="restore-level-injection"),
    pytest.param("matrixone_pitr_restore", {**BASE, "dry_run": "yes; drop"}, id="restore-dry-run-string"),
    pytest.param("matrixone_pitr_restore", {**BASE, "fingerprint": ["x"]}, id="restore-fingerprint-list"),
    pytest.param("matrixone_pitr_drill", {"pitrs": ["p1'; drop account acc1; --"]}, id="drill-pitrs-injection"),
    pytest.param("matrixone_pitr_drill", {"strategy": "all; drop"}, id="drill-strategy-unknown"),
    pytest.param("matrixone_pitr_policy", {"prune": "yes; drop"}, id="policy-prune-string"),
]


@pytest.mark.parametrize(("dag_id", "conf"), CASES)
def test_hostile_dag_param(dag_id: str, conf: dict[str, Any], run_dag: Any, mo_server: Any) -> None:
    before = len(mo_server.statement_log.mutating())
    try:
        dr = run_dag(dag_id, conf)
    except Exception as exc:  # the params form refused the run
        message = str(exc)
        assert 10 < len(message) < 5000 and "Traceback" not in message, message[:500]
    else:
        assert str(dr.state) == "failed", f"{dag_id} accepted {conf}"
    assert mo_server.statement_log.mutating()[before:] == []
