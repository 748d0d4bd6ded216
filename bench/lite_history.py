"""Benchmark of matrixone_lite's history: COUNT at T vs plain COUNT, table restore vs CTAS.

Run: ``.venv/bin/python bench/lite_history.py [rows]`` (default 1,000,000). Prints one line per
measurement; the figures are recorded in docs/lite/design.md, "Measurements".
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable

from matrixone_lite.engine import Engine


def timed(label: str, fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    out: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:55s} {best * 1000:9.1f} ms   {out}")
    return best


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        e = Engine(d, timezone="UTC")
        s = e.session("sys", "root")
        s.execute("create database b")
        s.execute("use b")
        s.execute("create table t (id bigint primary key, grp int, price decimal(10,2), name varchar(30))")
        t0 = time.perf_counter()
        s.execute(
            "insert into t (id, grp, price, name) with recursive c(x) as "
            f"(select 1 union all select x + 1 from c where x < {rows}) "
            "select x, x % 100, x / 100.0, concat('name-', x) from c"
        )
        print(f"{'load ' + str(rows) + ' rows (one INSERT ... SELECT)':55s} {(time.perf_counter() - t0) * 1000:9.1f} ms")
        t_before = e.storage.now_ns()
        changes = max(rows // 100, 1)
        s.execute(f"update t set price = price + 1 where id <= {changes}")
        s.execute(f"delete from t where id > {rows - changes}")
        print(f"changes after T: {changes} updates + {changes} deletes")
        timed("SELECT COUNT(*) FROM t (now)", lambda: s.execute("select count(*) from t").rows[0][0])
        timed(
            "SELECT COUNT(*) FROM t {MO_TS = T}",
            lambda: s.execute(f"select count(*) from t {{MO_TS = {t_before}}}").rows[0][0],
        )
        timed(
            "SELECT SUM(price) FROM t {MO_TS = T}",
            lambda: s.execute(f"select sum(price) from t {{MO_TS = {t_before}}}").rows[0][0],
        )
        acc = e.storage.account("sys")
        assert acc is not None

        def restore() -> int:
            with e.storage.transaction() as tx:
                e.storage.restore_table(
                    tx, src_account_id=acc.id, database="b", table="t", at=t_before, dst_account_id=acc.id
                )
            return int(s.execute("select count(*) from t").rows[0][0])

        def ctas() -> int:
            s.execute("drop table if exists t_copy")
            return s.execute(f"create table t_copy as select * from t {{MO_TS = {t_before}}}").affected_rows

        timed("restore_table(t, at=T)", restore, repeat=1)
        timed("CREATE TABLE t_copy AS SELECT * FROM t {MO_TS = T}", ctas, repeat=1)
        point = timed("point SELECT by primary key (cached shape), x1000", lambda: [
            s.execute(f"select name from t where id = {i}") for i in range(1, 1001)
        ] and None, repeat=1)
        print(f"  -> {point:.3f} ms per point SELECT")
        s.begin()
        ins = timed("point INSERT inside a transaction, x1000", lambda: [
            s.execute(f"insert into t (id, grp, price, name) values ({rows * 2 + i}, 1, 1.5, 'x')")
            for i in range(1000)
        ] and None, repeat=1)
        s.commit()
        print(f"  -> {ins:.3f} ms per point INSERT (engine time, no commit)")
        e.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
