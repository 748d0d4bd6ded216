"""`matrixone-lite serve` reads the root password from the environment (kept out of `ps`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pymysql
import pytest


def test_root_password_from_environment(tmp_path: Path) -> None:
    password = "env-secret-" + os.urandom(4).hex()
    env = dict(os.environ, MO_LITE_ROOT_PASSWORD=password)
    proc = subprocess.Popen(
        [sys.executable, "-m", "matrixone_lite", "serve", "--port", "0", "--data-dir", str(tmp_path / "d")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("matrixone-lite listening on "), line
        port = int(line.rsplit(":", 1)[1])
        assert password not in " ".join(proc.args)  # type: ignore[arg-type]
        conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password=password)
        conn.close()
        with pytest.raises(pymysql.err.OperationalError) as err:
            pymysql.connect(host="127.0.0.1", port=port, user="root", password="111")
        assert err.value.args[0] == 1045
    finally:
        proc.terminate()
        proc.wait(timeout=20)
