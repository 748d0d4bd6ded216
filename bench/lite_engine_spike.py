"""Storage-engine spike for issue 11: DuckDB (in-process) vs matrixone_lite's SQLite with the exact
DECIMAL encoding, measured side by side in one run.

Run: ``.venv/bin/python bench/lite_engine_spike.py [--rows N]`` (default 1,000,000). DuckDB is not a
dependency of the project: install it into the venv for the spike only (``pip install duckdb``);
without it the DuckDB half is skipped. Nothing is asserted; the figures and the decision are in
docs/lite/design.md, "Storage engine spike". ``make bench`` runs it (bench/perf_report.py's PLAN) and
renders the figures ``main()`` returns into docs/performance.md, with the previous run's next to them.

Measured on both: DECIMAL(38,10) exact, ``1.005`` into DECIMAL(10,2), load of N rows, an
order-independent fingerprint of N rows, ``CREATE TABLE AS`` of N rows, a point SELECT in-process.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matrixone_lite.engine import Engine

BIG = "12345678901234567890.1234567891"


def timed(label: str, fn: Callable[[], Any], repeat: int = 1) -> float:
    best = float("inf")
    out: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"  {label:58s} {best * 1000:10.1f} ms   {out}")
    return best


def sqlite_side(rows: int, tmp: Path) -> dict[str, Any]:
    print(f"SQLite (matrixone_lite engine, exact DECIMAL as canonical text + MO_DEC collation), {rows:,} rows")
    e = Engine(tmp / "lite", timezone="UTC")
    s = e.session("sys", "root", None)
    s.execute("create database b")
    s.execute("use b")
    s.execute("create table x (a decimal(38,10), c decimal(10,2))")
    s.execute(f"insert into x values ({BIG}, 1.005)")
    exact = s.execute("select a, c from x").rows[0]
    print(f"  DECIMAL(38,10) {BIG} -> {exact}")
    s.execute("create table t (id bigint primary key, grp int, price decimal(38,10), name varchar(30))")
    out: dict[str, Any] = {
        "load": timed("load (INSERT ... SELECT, one transaction)", lambda: s.execute(
            "insert into t (id, grp, price, name) with recursive c(x) as "
            f"(select 1 union all select x + 1 from c where x < {rows}) "
            "select x, x % 100, x / 100.0, concat('name-', x) from c").affected_rows),
        "fingerprint": timed("count(*), bit_xor(crc32(concat_ws(...))) of every row", lambda: s.execute(
            "select count(*), bit_xor(crc32(concat_ws('|', id, grp, price, name))) from t").rows[0]),
        "sum": timed("sum(price) (exact custom aggregate)", lambda: s.execute(
            "select sum(price) from t").rows[0][0]),
        "ctas": timed("CREATE TABLE c AS SELECT * FROM t", lambda: s.execute(
            "create table c as select * from t").affected_rows),
    }
    t0 = time.perf_counter()
    for i in range(1, 1001):
        s.execute(f"select name from t where id = {i}")
    out["point"] = (time.perf_counter() - t0) / 1000
    print(f"  {'point SELECT by primary key (cached shape), per query':58s} {out['point'] * 1000:10.3f} ms")
    s.close()
    e.close()
    out["exact"] = [str(v) for v in exact]
    return out


def duckdb_side(rows: int, tmp: Path) -> dict[str, Any] | None:
    try:
        import duckdb  # noqa: PLC0415 - optional, spike only
    except ImportError:
        print("DuckDB: not installed (pip install duckdb), skipped")
        return None
    print(f"DuckDB {duckdb.__version__} (in-process, file-backed), {rows:,} rows")
    con = duckdb.connect(str(tmp / "spike.duckdb"))
    con.execute("create table x (a decimal(38,10), c decimal(10,2))")
    con.execute(f"insert into x values ({BIG}, 1.005)")
    exact = con.execute("select a, c from x").fetchone() or ()
    print(f"  DECIMAL(38,10) {BIG} -> {exact}")
    con.execute("create table t (id bigint primary key, grp int, price decimal(38,10), name varchar(30))")
    out: dict[str, Any] = {
        "load": timed("load (INSERT ... SELECT)", lambda: con.execute(
            "insert into t select range, range % 100, range / 100.0, 'name-' || range "
            f"from range(1, {rows + 1})").fetchone()),
        "fingerprint": timed("count(*), bit_xor(hash(t)) of every row", lambda: con.execute(
            "select count(*), bit_xor(hash(t)) from t").fetchone()),
        "sum": timed("sum(price)", lambda: (con.execute("select sum(price) from t").fetchone() or (None,))[0]),
        "ctas": timed("CREATE TABLE c AS SELECT * FROM t", lambda: con.execute(
            "create table c as select * from t").fetchone()),
    }
    t0 = time.perf_counter()
    for i in range(1, 1001):
        con.execute("select name from t where id = ?", [i]).fetchone()
    out["point"] = (time.perf_counter() - t0) / 1000
    print(f"  {'point SELECT by primary key (prepared), per query':58s} {out['point'] * 1000:10.3f} ms")
    con.close()
    out["exact"] = [str(v) for v in exact]
    out["version"] = duckdb.__version__
    return out


def main() -> dict[str, Any]:
    """Run both sides; returns {"rows", "sqlite", "duckdb" (None when not installed)} for perf_report."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        lite = sqlite_side(args.rows, tmp)
        duck = duckdb_side(args.rows, tmp)
    if duck is not None:
        print("DuckDB time / SQLite time (lower: DuckDB faster)")
        for k in ("load", "fingerprint", "sum", "ctas", "point"):
            print(f"  {k:12s} {duck[k] / lite[k]:8.2f}x")
    return {"rows": args.rows, "sqlite": lite, "duckdb": duck}


if __name__ == "__main__":
    main()
