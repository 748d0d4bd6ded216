"""A data file written before exact numbers (physical version 2: DECIMAL stored as SQLite REAL in
``DECIMAL_<scale>`` columns) still opens, reads, takes writes and restores after the upgrade."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from matrixone_lite.server import LiteServer
from matrixone_lite.storage import physical
from matrixone_lite.storage.catalog import ColumnDef, TableSchema
from tests.lite.conftest import connect, run, server_now


def _old_decl(col: ColumnDef) -> str:
    """The declared types version 2 wrote (no TEXT encoding, no collation)."""
    if col.type in physical.DECIMAL_TYPES:
        return f"DECIMAL_{col.scale or 0}"
    return "INTEGER" if col.type in physical.INT_TYPES else "TEXT"


def test_version_2_file_opens_and_works(lite_server: Callable[..., LiteServer], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "old"
    srv = lite_server(data_dir=data, gc_interval=0)
    run(connect(srv), "create database db1")
    run(connect(srv), "create table db1.t (id int primary key, c decimal(10,2))")
    srv.stop()

    db = sqlite3.connect(data / "matrixone_lite.db")
    tid, cols = db.execute("SELECT id, columns_json FROM __mo_tables WHERE name = 't'").fetchone()
    for name in (f"t_{tid}", f"h_{tid}"):
        db.execute(f"DROP TABLE {name}")
    with monkeypatch.context() as m:  # rebuild the physical tables exactly as version 2 did
        m.setattr(physical, "physical_decl", _old_decl)
        physical.create_physical(db, tid, TableSchema.from_json(cols))
    ts = time.time_ns() - 10**9
    db.executemany(f"INSERT INTO t_{tid} VALUES (?, ?, ?)", [(1, 1.5, ts), (2, 25.5, ts)])  # noqa: S608
    db.execute("UPDATE __mo_meta SET value = '2' WHERE key = 'physical_version'")
    db.commit()
    assert db.execute(f"SELECT typeof(c) FROM t_{tid}").fetchall() == [("real",), ("real",)]  # noqa: S608
    db.close()

    srv = lite_server(data_dir=data, gc_interval=0)
    c = connect(srv)
    run(c, "use db1")
    assert run(c, "select c from t order by id") == [(Decimal("1.50"),), (Decimal("25.50"),)]
    assert run(c, "select sum(c), max(c) from t") == [(Decimal("27.00"), Decimal("25.50"))]
    run(c, "create pitr p for database db1 range 1 'h'")
    run(c, "insert into t values (3, 1.005)")
    assert run(c, "select id from t where c > 1.2 order by c") == [(1,), (2,)]
    time.sleep(0.02)
    t = server_now()
    time.sleep(0.02)
    run(c, "update t set c = c + 1")
    assert run(c, "select c from t order by id") == [(Decimal("2.50"),), (Decimal("26.50"),), (Decimal("2.01"),)]
    run(c, f"restore database db1 table t from pitr p '{t}'")  # the restored copy is a version-3 table
    assert run(c, "select c from t order by id") == [(Decimal("1.50"),), (Decimal("25.50"),), (Decimal("1.01"),)]
    meta = sqlite3.connect(data / "matrixone_lite.db")
    assert meta.execute("SELECT value FROM __mo_meta WHERE key = 'physical_version'").fetchone() == ("3",)
    meta.close()
