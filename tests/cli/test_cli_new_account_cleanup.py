"""A restore into a new account that fails leaves no half-made account behind."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from airflow_provider_matrixone.cli.accounts import create_account_sql, restore_into_new_account
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.identifiers import parse_login
from airflow_provider_matrixone.sql_io.operations import PitrClient
from tests.provider.support import TEST_PASSWORD, root_sql


class _Progress:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def phase(self, text: str) -> None:
        self.lines.append(text)


def test_failed_restore_drops_the_new_account(mo_server: Any) -> None:
    client = PitrClient(
        lambda: pymysql.connect(host=mo_server.host, port=mo_server.port, user="root", password=TEST_PASSWORD),
        parse_login("root"),
    )
    progress = _Progress()
    create = create_account_sql("cleanup_copy", "admin", "copy-admin-pw-1")
    failing_restore = "RESTORE ACCOUNT `cleanup_copy` FROM PITR `no_such_pitr` '2026-01-01 00:00:00'"
    with pytest.raises(errors.PitrNotFound):
        restore_into_new_account(client, progress, "cleanup_copy", create, failing_restore)
    accounts = [row[0] for row in root_sql(mo_server, ["show accounts"])]
    assert "cleanup_copy" not in accounts
    assert any("dropping the account cleanup_copy" in line for line in progress.lines)
    assert not any("copy-admin-pw-1" in line for line in progress.lines)
