"""An unexpected failure is logged by the server without the statement's password."""

from __future__ import annotations

import logging

import pytest

from matrixone_lite.wire.session import to_mo_error


def test_unexpected_error_log_redacts_password(caplog: pytest.LogCaptureFixture) -> None:
    sql = "create account a1 admin_name 'admin' identified by 'S3cret-pw-42'"
    with caplog.at_level(logging.DEBUG, logger="matrixone_lite"):
        err = to_mo_error(RuntimeError("boom"), sql)
    assert err.code == 1105
    assert "boom" in caplog.text
    assert "S3cret-pw-42" not in caplog.text
    assert "identified by '***'" in caplog.text.lower()
