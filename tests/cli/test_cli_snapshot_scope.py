"""``mo-pitr snapshot restore`` refuses a snapshot used outside its object, before any RESTORE.

MatrixOne v4.2.0 lets a database-level snapshot restore another database (#27116: it brought back
another database's table); the snapshot restore operator already refused it, mo-pitr did not.
"""

from __future__ import annotations

from typing import Any

from tests.cli.conftest import Cli, make_account, sql_as


def _restores(server: Any, mark: int) -> list[str]:
    return [e["sql"] for e in server.statement_log.entries[mark:] if e["sql"].strip().lower().startswith("restore")]


def test_database_snapshot_used_for_another_database_is_refused(cli: Cli, cli_server: Any) -> None:
    make_account(cli_server, "snapscope")
    sql_as(cli_server, "snapscope#admin", ["create snapshot ss_db1 for database db1"])
    mark = len(cli_server.statement_log.entries)
    r = cli("snapshot", "restore", "--sname", "ss_db1", "--db", "db2", "--yes", user="snapscope#admin")
    assert r.code == 2, (r.code, r.err)
    assert "snapshot ss_db1 belongs to database db1, not to database db2" in r.err + r.out
    assert _restores(cli_server, mark) == []
    r = cli("snapshot", "restore", "--sname", "ss_db1", "--db", "db1", "--yes", user="snapscope#admin")
    assert r.code == 0, r.err
    assert len(_restores(cli_server, mark)) == 1
