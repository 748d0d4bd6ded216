"""The worked example of docs/testing.md, run for real (and the page must quote it unchanged).

Why a test for a docs example: a newcomer copies the page's code; if the helpers change and the
example rots, this file fails first, and ``test_docs_quote_the_example`` fails if the page drifts.
"""

from __future__ import annotations

import inspect
import re
import time
from pathlib import Path

import pytest

from tests.lite.conftest import server_now
from tests.support.seed import seed_account
from tests.support.sql import DRIVERS, driver_errors, internal_error, sql_as

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("driver", DRIVERS)
def test_account_pitr_brings_back_deleted_rows(lite_server, driver: str) -> None:
    srv = lite_server()  # a fresh matrixone_lite on a free port, root password "111"
    seed_account(srv, "acc1", root_password="111", admin_password="pw1")  # the guide's db1/db2
    acc1 = "acc1#admin"
    sql_as(srv, acc1, "pw1", ["create pitr p1 range 1 'h'"], driver=driver)
    time.sleep(0.02)
    t = server_now()  # a RESTORE literal in the server's zone
    sql_as(srv, acc1, "pw1", ["delete from db1.products"], driver=driver)
    assert sql_as(srv, acc1, "pw1", ["select count(*) from db1.products"], driver=driver) == [(0,)]
    sql_as(srv, acc1, "pw1", [f"restore from pitr p1 '{t}'"], driver=driver)
    assert sql_as(srv, acc1, "pw1", ["select count(*) from db1.products"], driver=driver) == [(9,)]
    with pytest.raises(driver_errors()) as info:  # a server error, from either driver
        sql_as(srv, acc1, "pw1", [f"restore from pitr nope '{t}'"], driver=driver)
    assert (info.value.args[0], info.value.args[1]) == internal_error("pitr nope does not exist")


def test_docs_quote_the_example() -> None:
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    source = inspect.getsource(test_account_pitr_brings_back_deleted_rows)
    assert source in blocks, "docs/testing.md must quote test_account_pitr_brings_back_deleted_rows verbatim"
