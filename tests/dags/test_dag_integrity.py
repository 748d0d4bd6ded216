"""Every DAG file imports cleanly, without touching the network, with no cycles, quickly."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py"))
EXPECTED = {
    "matrixone_pitr_policy",
    "matrixone_pitr_restore",
    "matrixone_pitr_incident_demo",
    "matrixone_pitr_drill",
}


class NetworkBlocked(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NetworkBlocked(f"network access during DAG import: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("path", DAG_FILES, ids=[p.name for p in DAG_FILES])
def test_dag_file_imports_without_network_or_cycles(path: Path, no_network: None, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from airflow.dag_processing.dagbag import DagBag

    # Re-import the support package too, so its module-level code also runs under the block.
    for name in [m for m in sys.modules if m.startswith("matrixone_dag_support")]:
        monkeypatch.delitem(sys.modules, name)
    start = time.monotonic()
    bag = DagBag(dag_folder=str(path))
    elapsed = time.monotonic() - start
    with capsys.disabled():  # parse time is part of the result: show it even under -q
        print(f"\n{path.name}: parsed in {elapsed:.2f} s -> {sorted(bag.dag_ids)}", end="")
    assert bag.import_errors == {}
    assert len(bag.dags) == 1
    for dag in bag.dags.values():
        dag.check_cycle()  # DagBag checks too; explicit so a change in Airflow cannot hide it
        assert dag.tags and "matrixone" in dag.tags
        assert dag.doc_md
    assert elapsed < 10


def test_every_sample_dag_is_there(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert EXPECTED <= set(dagbag.dag_ids)


def test_restore_dag_shape(dagbag: Any) -> None:
    dag = dagbag.dags["matrixone_pitr_restore"]
    assert dag.max_active_runs == 1 and dag.schedule is None
    assert set(dag.task_dict) == {"plan", "stop_if_dry_run", "approval_needed", "approve", "restore", "verify",
                                  "report"}
    assert dag.task_dict["verify"].downstream_task_ids == {"report"}
    assert dag.task_dict["restore"].upstream_task_ids == {"approval_needed", "approve"}
    assert dag.task_dict["verify"].deferrable is True
    assert {"timestamp", "timezone", "pitr_name", "level", "account", "database", "table", "target_account",
            "dry_run", "safety_snapshot", "require_approval", "fingerprint", "probe_conn_id"} == set(dag.params)
    # VERIFIED restores are announced once per run: by the verify task, on the provider's default alias
    from airflow.sdk import AssetAlias

    assert dag.task_dict["verify"].outlets == [AssetAlias("matrixone_verified_restore")]
    assert dag.task_dict["restore"].outlets == []
    for key in dag.params:
        param = dag.params.get_param(key)
        assert param.schema.get("title") and param.description, key


def test_no_dag_uses_logical_date_templates() -> None:
    for path in DAG_FILES:
        text = path.read_text()
        assert "{{ ds" not in text and "logical_date" not in text, path.name


def test_schedules(dagbag: Any) -> None:
    assert dagbag.dags["matrixone_pitr_policy"].catchup is False
    assert dagbag.dags["matrixone_pitr_incident_demo"].schedule is None
