"""Passwords never leak: every sample DAG and every mo-pitr command run with known passwords, then
task logs (files under the temp AIRFLOW_HOME, captured stdout/stderr and log records), CLI output,
the CLI's log file, XCom values and the Airflow metadata database are scanned: zero occurrences.
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pendulum
import pytest

from airflow_provider_matrixone.cli.main import main as mo_pitr
from tests.dags.conftest import conn_json, task_states
from tests.provider.support import TENANT_PASSWORD, TEST_PASSWORD, make_tenant, root_sql, tenant_sql

ACC = "secacc"
NEW_ADMIN_PASSWORD = "newadm-" + TEST_PASSWORD[::-1]


def secrets() -> list[str]:
    from dags.matrixone_dag_support import seed

    values = {TEST_PASSWORD, TENANT_PASSWORD, NEW_ADMIN_PASSWORD}
    values |= {seed.tenant_password(TEST_PASSWORD, a) for a in seed.ACCOUNTS}
    return sorted(values)


def leaks(text: str) -> list[str]:
    """Each secret (and its URL-encoded forms) found in ``text``."""
    found = []
    for secret in secrets():
        for form in {secret, quote_plus(secret), quote(secret, safe="")}:
            if form in text:
                found.append(form)
    return found


def _home_files() -> Iterator[Path]:
    home = Path(os.environ["AIRFLOW_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            yield path


@pytest.fixture
def tenant_env(mo_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    make_tenant(mo_server, ACC)
    root_sql(mo_server, ["drop pitr if exists sec_p", f"create pitr sec_p for account {ACC} range 1 'h'"])
    monkeypatch.setenv(f"AIRFLOW_CONN_MATRIXONE_{ACC.upper()}",
                       conn_json(mo_server, login=f"{ACC}#admin", password=TENANT_PASSWORD))
    monkeypatch.setenv("AIRFLOW_VAR_MATRIXONE_PITR_POLICIES", json.dumps(
        [{"name": "sec_pol", "level": "database", "account": ACC, "database": "db1", "range": "2h"}]))
    time.sleep(1.1)
    t = pendulum.now("UTC")
    time.sleep(0.05)
    tenant_sql(mo_server, ACC, ["delete from db1.products where id > 4"])
    yield {"t": t.isoformat()}
    root_sql(mo_server, ["drop pitr if exists sec_p", "drop pitr if exists sec_pol", f"drop account if exists {ACC}"])


def test_sample_dags_never_log_or_return_a_password(run_dag: Any, tenant_env: dict[str, Any], mo_server: Any,
                                                    capfd: pytest.CaptureFixture[str],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    runs = [
        run_dag("matrixone_pitr_incident_demo"),
        run_dag("matrixone_pitr_restore", {"timestamp": tenant_env["t"], "level": "account", "account": ACC}),
        run_dag("matrixone_pitr_restore", {"timestamp": tenant_env["t"], "level": "account", "account": ACC,
                                           "dry_run": True}),
        run_dag("matrixone_pitr_policy"),
        run_dag("matrixone_pitr_drill", {"pitrs": ["sec_p"]}),
    ]
    for dr in runs:  # the runs really exercised connections, restores and verification
        assert str(dr.state) == "success", (dr.dag_id, task_states(dr))
    out, err = capfd.readouterr()
    assert len(out + err) > 1000, "nothing captured: the scan would prove nothing"
    records = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert leaks(out) == [] and leaks(err) == [] and leaks(records) == []

    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = [row for dr in runs for row in session.query(XComModel).filter_by(dag_id=dr.dag_id,
                                                                                  run_id=dr.run_id).all()]
    assert rows, "no XCom to scan"
    assert leaks("\n".join(json.dumps(r.value, default=str) for r in rows)) == []

    scanned = 0
    for path in _home_files():  # task log files, airflow.cfg, and the metadata DB itself (bytes)
        data = path.read_bytes().decode("utf-8", "replace")
        assert leaks(data) == [], path
        scanned += 1
    assert scanned >= 1


@pytest.fixture(scope="module")
def cli_tenant(mo_server: Any) -> Iterator[str]:
    account = "seccli"
    make_tenant(mo_server, account)
    yield account
    root_sql(mo_server, [f"drop account if exists {account}", f"drop account if exists {account}_copy",
                         "drop pitr if exists sec_cli_p", "drop snapshot if exists sec_cli_s"])


def _cli(server: Any, argv: list[str], capsys: pytest.CaptureFixture[str], log_file: Path, *,
         password: str | None = TEST_PASSWORD, user: str = "root") -> tuple[int, str]:
    conn = ["--host", server.host, "--port", str(server.port), "--user", user, "--log_level", "debug",
            "--log_file", str(log_file)]
    if password is not None:
        conn += ["--password", password]
    capsys.readouterr()
    code = mo_pitr([*argv, *conn], stdin=io.StringIO(""))
    out, err = capsys.readouterr()
    return code, out + err


def test_every_cli_command_keeps_passwords_out_of_output_and_logs(mo_server: Any, cli_tenant: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    acc = cli_tenant
    log_file = tmp_path / "mo-pitr.log"
    root_sql(mo_server, ["drop pitr if exists sec_cli_p"])
    commands: list[tuple[list[str], int]] = [
        (["pitr", "create", "--pname", "sec_cli_p", "--level", "account", "--account", acc, "--rangevalue", "1"], 0),
        (["pitr", "show"], 0),
        (["pitr", "show", "--format", "json"], 0),
        (["pitr", "window", "--pname", "sec_cli_p"], 0),
        (["pitr", "alter", "--pname", "sec_cli_p", "--rangevalue", "2"], 0),
        (["snapshot", "create", "--level", "account", "--account", acc, "--sname", "sec_cli_s"], 0),
        (["snapshot", "show"], 0),
    ]
    tenant = {"user": f"{acc}#admin", "password": TENANT_PASSWORD}
    code, text = _cli(mo_server, ["pitr", "create", "--pname", "sec_cli_tp", "--level", "account", "--account", acc,
                                  "--rangevalue", "1"], capsys, log_file, **tenant)
    assert code == 0, text
    outputs: list[str] = [text]
    for argv, expected in commands:
        code, text = _cli(mo_server, argv, capsys, log_file)
        assert code == expected, (argv, text[-1000:])
        outputs.append(text)
    time.sleep(1.05)
    t = pendulum.now("UTC").isoformat()
    time.sleep(0.05)
    tenant_sql(mo_server, acc, ["delete from db1.products where id > 2"])
    more: list[tuple[list[str], int]] = [
        (["pitr", "restore", "--pname", "sec_cli_p", "--account", acc, "--timestamp", t, "--dry-run"], 0),
        (["pitr", "restore", "--pname", "sec_cli_p", "--account", acc, "--timestamp", t, "--yes"], 0),
        (["pitr", "restore", "--pname", "sec_cli_p", "--account", acc, "--timestamp", t, "--new_account",
          f"{acc}_copy", "--new_admin_name", "admin", "--new_admin_password", NEW_ADMIN_PASSWORD], 0),
        (["snapshot", "restore", "--sname", "sec_cli_s", "--account", acc, "--yes"], 0),
        (["snapshot", "drop", "--sname", "sec_cli_s"], 0),
        (["pitr", "drop", "--pname", "sec_cli_p"], 0),
    ]
    for argv, expected in more:
        code, text = _cli(mo_server, argv, capsys, log_file)
        assert code == expected, (argv, text[-1000:])
        outputs.append(text)
    code, text = _cli(mo_server, ["pitr", "restore", "--pname", "sec_cli_tp", "--account", acc, "--timestamp", t,
                                  "--verify", "--yes"], capsys, log_file, **tenant)
    assert code == 0, text
    outputs.append(text)
    # wrong password (server refuses), and the password from the environment
    code, text = _cli(mo_server, ["pitr", "show"], capsys, log_file, password=TENANT_PASSWORD)
    assert code == 1 and "denied" in text.lower()
    outputs.append(text)
    monkeypatch.setenv("MO_PASSWORD", TEST_PASSWORD)
    code, text = _cli(mo_server, ["pitr", "show"], capsys, log_file, password=None)
    assert code == 0, text
    outputs.append(text)

    assert tenant_sql(mo_server, acc, ["select count(*) from db1.products"]) == [(9,)]
    log_text = log_file.read_text(encoding="utf-8")
    assert "RESTORE" in log_text.upper(), "debug log should record the SQL sent"
    assert leaks("\n".join(outputs)) == []
    assert leaks(log_text) == []
    # the server's own statement log redacts IDENTIFIED BY too
    assert leaks("\n".join(e["sql"] for e in mo_server.statement_log.entries)) == []
