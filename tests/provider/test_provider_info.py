"""The provider is discovered by Airflow and its connection form comes from metadata alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_matrixone.get_provider_info import get_provider_info

ROOT = Path(__file__).resolve().parents[2]


def test_provider_info_shape() -> None:
    info = get_provider_info()
    assert info["package-name"] == "airflow-provider-matrixone"
    (conn_type,) = info["connection-types"]
    assert conn_type["connection-type"] == "matrixone"
    assert conn_type["hook-class-name"] == "airflow_provider_matrixone.hooks.matrixone.MatrixOneHook"
    assert set(conn_type["conn-fields"]) == {"account", "role", "client", "server_timezone"}
    assert conn_type["conn-fields"]["client"]["schema"]["enum"][:3] == [
        "mysqlclient",
        "mysql-connector-python",
        "pymysql",
    ]


def test_listed_modules_exist() -> None:
    info = get_provider_info()
    for group in ("hooks", "operators", "sensors", "triggers"):
        if group not in info:
            continue
        for entry in info[group]:
            for module in entry["python-modules"]:
                path = ROOT / (module.replace(".", "/") + ".py")
                assert path.exists(), f"{group}: {module} is declared but {path} is missing"


def test_connection_form_metadata_without_importing_the_hook() -> None:
    # A fresh interpreter, so no earlier test has imported the hook already.
    code = (
        "import sys\n"
        "from airflow.providers_manager import ProvidersManager\n"
        "pm = ProvidersManager()\n"
        "meta = {m.connection_type: m for m in pm.iter_connection_type_hook_ui_metadata()}\n"
        "m = meta['matrixone']\n"
        "assert m.hook_name == 'MatrixOne', m\n"
        "assert m.field_behaviour['placeholders']['port'] == '6001'\n"
        "widgets = pm._connection_form_widgets_from_metadata\n"
        "assert {'extra__matrixone__account', 'extra__matrixone__role', 'extra__matrixone__client',"
        " 'extra__matrixone__server_timezone'} <= set(widgets), sorted(widgets)\n"
        "assert 'airflow_provider_matrixone.hooks.matrixone' not in sys.modules\n"
        "print('OK')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "OK" in out.stdout


@pytest.mark.timeout(120)
def test_airflow_providers_list_shows_the_provider() -> None:
    airflow = Path(sys.executable).with_name("airflow")
    out = subprocess.run(
        [str(airflow), "providers", "list", "-o", "plain"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "airflow-provider-matrixone" in out.stdout
