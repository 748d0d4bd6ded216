"""Test-session set-up shared by every test.

Airflow reads its configuration at import time, so the environment is pinned here, before any
test module imports Airflow: a throw-away AIRFLOW_HOME, no example DAGs, this repository's dags/.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="mo-airflow-home-")
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME}/airflow.db"
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")
sys.path.insert(0, str(ROOT))

logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)

# A password long enough for Airflow's secret masker (it skips secrets shorter than 5 chars),
# and random so that a test scanning logs for it cannot pass by accident.
os.environ.setdefault("MO_TEST_PASSWORD", "pw-" + secrets.token_hex(8))
TEST_PASSWORD = os.environ["MO_TEST_PASSWORD"]


@pytest.fixture(scope="session")
def mo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One matrixone_lite server (v4.2.0, server zone Asia/Shanghai) for the whole session."""
    from matrixone_lite import LiteServer

    data_dir = tmp_path_factory.mktemp("mo-lite")
    with LiteServer(
        data_dir=data_dir, port=0, version="4.2.0", timezone="Asia/Shanghai", root_password=TEST_PASSWORD
    ) as srv:
        yield srv


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """A migrated Airflow metadata database (needed by dag.test()), created once per session."""
    from airflow.utils import db

    db.initdb()
    return _AIRFLOW_HOME
