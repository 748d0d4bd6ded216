"""MatrixOneHook's statements go through common-sql's DbApiHook.run (issue 12, point 3).

Against matrixone_lite over TCP with each driver: the provider's execute path is the hook's
connection handling (get_conn, MySqlHook's autocommit, closing, ``descriptions``), while the
statement log stays redacted (also DbApiHook's own debug line), errors stay typed and each
statement keeps its columns.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import pytest

from airflow_provider_matrixone.pitr import errors
from tests.provider.support import TEST_PASSWORD, root_sql

DRIVERS = ["mysqlclient", "mysql-connector-python", "pymysql"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_statements_run_through_dbapihook_run(hook_factory: Any, driver: str) -> None:
    hook = hook_factory("root", TEST_PASSWORD, client=driver)
    assert hook.execute("select 7 as seven") == (["seven"], [(7,)])
    assert hook.last_description[0][0] == "seven"  # set by DbApiHook.run, not by a parallel path
    db = f"runhook_{driver.replace('-', '_')}"
    results = hook.execute_many([f"create database if not exists {db}", "select 41 + 1 as answer",
                                 "select 'a' as c1, 'b' as c2", f"drop database {db}"])
    assert results == [([], []), (["answer"], [(42,)]), (["c1", "c2"], [("a", "b")]), ([], [])]
    assert len(hook.descriptions) == 4
    assert hook.execute_many([]) == []


@pytest.mark.parametrize("driver", DRIVERS)
def test_errors_through_run_stay_typed(hook_factory: Any, driver: str) -> None:
    hook = hook_factory("root", TEST_PASSWORD, client=driver)
    with pytest.raises(errors.MatrixOneError):
        hook.execute("select * from no_such_db.no_such_table")
    with pytest.raises(errors.PitrNotFound):
        hook.execute("drop pitr no_such_pitr_here")


def test_a_new_password_never_reaches_a_log_even_at_debug(hook_factory: Any, mo_server: Any,
                                                          caplog: pytest.LogCaptureFixture,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    """A password Airflow's masker does not know (a new account's admin), in every spelling a log could show."""
    fresh = "Fresh-" + secrets.token_hex(8)
    hook = hook_factory("root", TEST_PASSWORD, client="pymysql")
    # the hook's logger as a plain stdlib logger at DEBUG, so DbApiHook.run's debug line is emitted
    hook._log = logging.getLogger("tests.provider.hook_run")
    with caplog.at_level(logging.DEBUG, logger="tests.provider.hook_run"):
        hook.execute_many([f"create account if not exists runacc admin_name 'admin' identified by '{fresh}'",
                           "select 1"])
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert "Executing following statements against DB" in caplog.text  # DbApiHook's own line was logged ...
    assert fresh not in logged  # ... redacted, as the per-statement lines
    assert logged.lower().count("identified by '***'") >= 2
    root_sql(mo_server, ["drop account if exists runacc"])
