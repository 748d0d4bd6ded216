"""Benchmark of matrixone_lite's history, printed as figures and ratios from one run.

Run: ``.venv/bin/python bench/lite_history.py [--rows N] [--changes N] [--account-rows N]``
(defaults 1,000,000 / 100,000 / 1,000). Engine API, no TCP. Nothing is asserted; the figures are
recorded in docs/lite/design.md, "Measurements". Targets (from the issues):

1. ``SELECT COUNT(*) FROM t {MO_TS = T}``, T in the middle of a window holding ``--changes``
   updates/deletes: <= 2x the plain current ``COUNT(*)``;
2. table restore to T: <= 3x the engine's own ``CREATE TABLE c AS SELECT * FROM t``;
3. account restore (10 databases x 10 tables) costs what existed at T, not the history length
   (printed at 1x, 4x and 16x history); storage overhead proportional to the number of changes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from typing import Any

from matrixone_lite.engine import Engine, EngineSession

BATCHES = 100  # the changes are spread over this many transactions


def timed(label: str, fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best of ``repeat`` runs in seconds, printed with the last result."""
    best = float("inf")
    out: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"  {label:62s} {best * 1000:10.1f} ms   {out}")
    return best


def file_bytes(e: Engine) -> int:
    """Bytes used in the SQLite file (pages in use, free pages excluded)."""
    rows = e.storage.execute_system(None, "PRAGMA page_count")
    free = e.storage.execute_system(None, "PRAGMA freelist_count")
    size = e.storage.execute_system(None, "PRAGMA page_size")
    return (int(rows[0][0]) - int(free[0][0])) * int(size[0][0])


def big_table(e: Engine, s: EngineSession, rows: int, changes: int) -> None:
    print(f"1. one table of {rows:,} rows, {changes:,} updates/deletes in {BATCHES} transactions, T in the middle")
    s.execute("create database b")
    s.execute("use b")
    s.execute("create table t (id bigint primary key, grp int, price decimal(10,2), name varchar(30))")
    t0 = time.perf_counter()
    s.execute(
        "insert into t (id, grp, price, name) with recursive c(x) as "
        f"(select 1 union all select x + 1 from c where x < {rows}) "
        "select x, x % 100, x / 100.0, concat('name-', x) from c"
    )
    print(f"  {'load (one INSERT ... SELECT, one transaction)':62s} {(time.perf_counter() - t0) * 1000:10.1f} ms")
    base = file_bytes(e)
    stride = rows // BATCHES
    per = max(changes // BATCHES, 2)
    upd, dele = per * 7 // 10, per - per * 7 // 10
    t_mid = 0
    t0 = time.perf_counter()
    for k in range(BATCHES):
        lo = k * stride + 1
        s.execute(f"update t set price = price + 1 where id between {lo} and {lo + upd - 1}")
        s.execute(f"delete from t where id between {lo + upd} and {lo + upd + dele - 1}")
        if k == BATCHES // 2 - 1:
            t_mid = e.storage.now_ns()
    print(f"  {f'{BATCHES * (upd + dele):,} changes ({upd} updates + {dele} deletes x {BATCHES})':62s} "
          f"{(time.perf_counter() - t0) * 1000:10.1f} ms")
    grown = file_bytes(e) - base
    print(f"  storage: {base / rows:.0f} bytes/row after load; +{grown / 1e6:.1f} MB for the changes = "
          f"{grown / (BATCHES * (upd + dele)):.0f} bytes per change")
    now = timed("SELECT COUNT(*) FROM t (now)", lambda: s.execute("select count(*) from t").rows[0][0])
    at = timed("SELECT COUNT(*) FROM t {MO_TS = T}",
               lambda: s.execute(f"select count(*) from t {{MO_TS = {t_mid}}}").rows[0][0])
    print(f"  -> COUNT(*) at T / COUNT(*) now = {at / now:.2f}x (target <= 2x)")
    timed("SELECT SUM(price) FROM t {MO_TS = T}",
          lambda: s.execute(f"select sum(price) from t {{MO_TS = {t_mid}}}").rows[0][0])
    acc = e.storage.account("sys")
    assert acc is not None

    def ctas() -> int:
        s.execute("drop table if exists t_copy")
        return int(s.execute("create table t_copy as select * from t").affected_rows)

    def restore() -> int:
        with e.storage.transaction() as tx:
            e.storage.restore_table(tx, src_account_id=acc.id, database="b", table="t", at=t_mid,
                                    dst_account_id=acc.id)
        return int(s.execute("select count(*) from t").rows[0][0])

    c = timed("CREATE TABLE t_copy AS SELECT * FROM t (now)", ctas, repeat=1)
    r = timed("Storage.restore_table(t, at=T) (one transaction)", restore, repeat=1)
    print(f"  -> table restore / CTAS = {r / c:.2f}x (target <= 3x)")
    timed("CREATE TABLE t_copy2 AS SELECT * FROM t {MO_TS = T}",
          lambda: s.execute(f"create table t_copy2 as select * from t {{MO_TS = {t_mid}}}").affected_rows,
          repeat=1)
    point = timed("point SELECT by primary key (cached shape), x1000",
                  lambda: [s.execute(f"select name from t where id = {i}") for i in range(1, 1001)] and None,
                  repeat=1)
    print(f"  -> {point:.3f} ms per point SELECT")


def account_restore(rows: int, multipliers: tuple[int, ...] = (1, 4, 16), side: str = "both") -> None:
    where = {"both": "before T and m rounds after T", "before": "before T", "after": "after T"}[side]
    print(f"\n2. account restore: 10 databases x 10 tables x {rows:,} rows; history = m rounds updating "
          f"every row {where}")
    results: list[tuple[int, float, int, int]] = []
    for m in multipliers:
        with tempfile.TemporaryDirectory() as d:
            e = Engine(d, timezone="UTC")
            with e.storage.transaction() as tx:
                e.storage.create_account(tx, "acc", "admin", "pw")
            s = e.session("acc", "admin")
            for i in range(10):
                s.execute(f"create database d{i}")
                for j in range(10):
                    s.execute(f"create table d{i}.t{j} (id int primary key, v int, s varchar(20))")
                    s.execute(f"insert into d{i}.t{j} with recursive c(x) as (select 1 union all select x + 1 "
                              f"from c where x < {rows}) select x, 0, concat('row-', x) from c")
            base = file_bytes(e)

            def round_(s: EngineSession = s) -> None:
                for i in range(10):
                    for j in range(10):
                        s.execute(f"update d{i}.t{j} set v = v + 1")

            for _ in range(m if side != "after" else 0):
                round_()
            at = e.storage.now_ns()
            for _ in range(m if side != "before" else 0):
                round_()
            changes = (2 if side == "both" else 1) * m * 100 * rows
            grown = file_bytes(e) - base
            acc = e.storage.account("acc")
            assert acc is not None
            secs = float("inf")
            for _ in range(3):  # best of 3: each run rebuilds the same state at T
                t0 = time.perf_counter()
                with e.storage.transaction() as tx:
                    e.storage.restore_account(tx, src_account_id=acc.id, at=at, dst_account_id=acc.id)
                secs = min(secs, time.perf_counter() - t0)
            check = s.execute("select count(*), sum(v) from d3.t7").rows[0]
            assert check[0] == rows and int(check[1]) == (0 if side == "after" else m) * rows, check
            results.append((m, secs, changes, grown))
            e.close()
    first = results[0][1]
    for m, secs, changes, grown in results:
        print(f"  history {m:2d}x: {changes:>10,} changes, +{grown / 1e6:7.1f} MB ({grown / changes:.0f} bytes/change)"
              f"; restore_account (best of 3) {secs * 1000:8.1f} ms = {secs / first:.2f}x the 1x restore")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--changes", type=int, default=100_000)
    p.add_argument("--account-rows", type=int, default=1_000)
    p.add_argument("--only-accounts", action="store_true", help="skip the 1,000,000-row table")
    p.add_argument("--history-side", choices=("both", "before", "after"), default="both",
                   help="where the account history lies relative to T")
    args = p.parse_args()
    if args.only_accounts:
        account_restore(args.account_rows, side=args.history_side)
        return
    with tempfile.TemporaryDirectory() as d:
        e = Engine(d, timezone="UTC")
        s = e.session("sys", "root")
        big_table(e, s, args.rows, args.changes)
        e.close()
    account_restore(args.account_rows, side=args.history_side)


if __name__ == "__main__":
    main()
