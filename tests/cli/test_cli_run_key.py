"""mo-pitr's undo point follows the provider's one policy: the restored scope, named by the run key.

Before the shared workflow, mo-pitr snapshotted the whole account as ``mo_pitr_safety_<time>``
while the operator snapshotted the scope under a run-derived name; ``--run-key`` now gives the
same name for the same run and scope, so a rerun reuses its first snapshot instead of
snapshotting an already restored scope.
"""

from __future__ import annotations

import re
from typing import Any

from tests.cli.conftest import Cli, count, make_account, sql_as
from tests.cli.test_cli_commands import stamp

ACC = "runkey1"
USER = f"{ACC}#admin"


def _snapshots(server: Any) -> dict[str, tuple[str, ...]]:
    rows = sql_as(server, USER, ["show snapshots"])
    return {str(r[0]): tuple("" if v is None else str(v) for v in r[2:6]) for r in rows}


def _taken(err: str) -> tuple[str, str]:
    found = re.search(r"safety snapshot (mo_safety_\w+) \((\w+)\) (taken|reused)", err)
    assert found, err
    return found.group(1), found.group(3)


def test_undo_point_is_the_restored_scope_and_the_run_key_names_it(cli: Cli, cli_server: Any) -> None:
    make_account(cli_server, ACC)
    assert cli("pitr", "create", "--pname", "prk", "--level", "account", "--rangevalue", "1", "--rangeunit", "h",
               user=USER).code == 0
    t, _ = stamp()
    restore = ["pitr", "restore", "--pname", "prk", "--timestamp", t, "--database", "db2"]

    sql_as(cli_server, USER, ["delete from db2.orders"])
    r = cli(*restore, "--run-key", "ticket-42", user=USER)
    assert r.code == 0, r.err
    name, how = _taken(r.err)
    assert how == "taken" and count(cli_server, USER, "db2.orders") == 3
    level, _account, database, table = _snapshots(cli_server)[name]
    assert (level.lower(), database, table) == ("database", "db2", "")  # the database, not the whole account
    assert "undo with: mo-pitr snapshot restore --sname " + name + f" --account {ACC} --db db2" in r.err

    # the same run again (e.g. after a failed verification): same name, the first snapshot is reused
    sql_as(cli_server, USER, ["delete from db2.orders"])
    r = cli(*restore, "--run-key", "ticket-42", user=USER)
    assert r.code == 0, r.err
    assert _taken(r.err) == (name, "reused") and count(cli_server, USER, "db2.orders") == 3

    # another run: its own undo point
    r = cli(*restore, user=USER)
    assert r.code == 0, r.err
    other, how = _taken(r.err)
    assert other != name and how == "taken"
    assert {name, other} <= set(_snapshots(cli_server))
