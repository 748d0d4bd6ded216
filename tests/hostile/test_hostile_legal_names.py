"""Names that look hostile but MatrixOne allows (``a;b``, ``a/*x*/b``, ``订单``, ``select``, ``$%^#``...).

They must be accepted (refusing them would refuse real objects) and reach the server back-quoted,
as one identifier: the object is created under exactly that name and no other statement runs.
Checked through the snapshot operators and ``mo-pitr snapshot`` against the session server.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_matrixone.cli.main import main
from airflow_provider_matrixone.operators.snapshot import (
    MatrixOneSnapshotCreateOperator,
    MatrixOneSnapshotDropOperator,
)
from tests.hostile.payloads import LEGAL_NAMES
from tests.operators.support import context, set_connection
from tests.provider.support import TENANT_PASSWORD, TEST_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "hostilelegal"
CASES = [pytest.param(value, id=name) for name, value in LEGAL_NAMES.items()]


@pytest.fixture(scope="module")
def conn_id(mo_server: Any) -> Iterator[str]:
    make_tenant(mo_server, ACC)
    yield set_connection("hostile_legal", mo_server, f"{ACC}#admin", TENANT_PASSWORD, client="pymysql")
    root_sql(mo_server, [f"drop account if exists {ACC}"])


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _mutating(server: Any, mark: int) -> list[str]:
    from matrixone_lite.wire.statement_log import is_mutating

    return [e["sql"] for e in server.statement_log.entries[mark:] if is_mutating(e["sql"])]


@pytest.mark.parametrize("name", CASES)
def test_legal_name_through_the_snapshot_operators(name: str, conn_id: str, mo_server: Any) -> None:
    mark = len(mo_server.statement_log.entries)
    MatrixOneSnapshotCreateOperator(task_id="c", snapshot_name=name, level="account", account=ACC,
                                    matrixone_conn_id=conn_id).execute(context())
    assert _mutating(mo_server, mark) == [f"CREATE SNAPSHOT {_quoted(name)} FOR ACCOUNT {_quoted(ACC)}"]
    listed = [r[0] for r in tenant_sql(mo_server, ACC, ["show snapshots"])]
    assert name.lower() in listed
    mark = len(mo_server.statement_log.entries)
    MatrixOneSnapshotDropOperator(task_id="d", snapshot_name=name, matrixone_conn_id=conn_id).execute(context())
    assert _mutating(mo_server, mark) == [f"DROP SNAPSHOT {_quoted(name)}"]
    assert name.lower() not in [r[0] for r in tenant_sql(mo_server, ACC, ["show snapshots"])]


@pytest.mark.parametrize("name", CASES)
def test_legal_name_through_mo_pitr(name: str, conn_id: str, mo_server: Any,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    conn = ["--host", mo_server.host, "--port", str(mo_server.port), "--user", "root", "--password", TEST_PASSWORD]
    mark = len(mo_server.statement_log.entries)
    assert main(["snapshot", "create", "--level", "account", "--account", ACC, "--sname", name, *conn],
                stdin=io.StringIO("")) == 0, capsys.readouterr().err
    assert _mutating(mo_server, mark) == [f"CREATE SNAPSHOT {_quoted(name)} FOR ACCOUNT {_quoted(ACC)}"]
    mark = len(mo_server.statement_log.entries)
    assert main(["snapshot", "drop", "--sname", name, *conn], stdin=io.StringIO("")) == 0, capsys.readouterr().err
    assert _mutating(mo_server, mark) == [f"DROP SNAPSHOT {_quoted(name)}"]
