"""mo-pitr picks the statement form of the connected server line (v3.0 snapshot grammar here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.cli.conftest import ROOT_PASSWORD, Cli, count, make_account, sql_as


@pytest.fixture(scope="module")
def v3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-v3"), port=0, version="3.0.18", timezone="UTC",
                    root_password=ROOT_PASSWORD) as srv:
        yield srv


def test_snapshot_restore_uses_v3_grammar(v3_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(v3_server, capsys)
    make_account(v3_server, "old1")
    assert cli("snapshot", "create", "--level", "account", "--account", "old1", "--sname", "sp_old").code == 0
    sql_as(v3_server, "old1#admin", ["delete from db2.orders"])
    r = cli("snapshot", "restore", "--sname", "sp_old", "--account", "old1", "--yes")
    assert r.code == 0, r.err
    assert "RESTORE ACCOUNT `old1` FROM SNAPSHOT `sp_old`" in r.out
    assert count(v3_server, "old1#admin", "db2.orders") == 3
    # the server zone is detected (UTC here): SHOW PITR and restore literals follow it
    assert cli("pitr", "create", "--pname", "pold", "--level", "account", "--account", "old1",
               "--rangevalue", "1", "--rangeunit", "h").code == 0
    r = cli("pitr", "window", "--pname", "pold")
    assert "UTC (server)" in r.out
