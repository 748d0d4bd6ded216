"""Cross-tenant blocking: N tenants writing at once, with and without another tenant's idle transaction.

Why (issue 14): one tenant running ``BEGIN; INSERT ...`` and going quiet used to hold the single
write lock until its socket closed, so every other tenant's write failed with 1205 after 30 s.
Now an idle transaction is detached when someone needs SQLite's write lock and keeps only the
logical locks of what it wrote. This bench measures the other tenants' write throughput in the
same run: baseline (nobody idle) vs one idle open transaction in another tenant, and also while
that transaction keeps coming back (a statement every 0.2 s, so it is replayed each time).

Target: throughput with the idle transaction within 2x of the baseline (ratio >= 0.5).
Run: ``python bench/lite_tenants.py [--tenants 4] [--seconds 6] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pymysql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matrixone_lite import LiteServer  # noqa: E402

PASSWORD = "bench-tenants-password"


def _conn(srv: LiteServer, account: str, autocommit: bool = True) -> Any:
    user = "root" if account == "sys" else f"{account}#admin"
    return pymysql.connect(host=srv.host, port=srv.port, user=user, password=PASSWORD, autocommit=autocommit)


def _writers(srv: LiteServer, tenants: int, seconds: float, tag: str) -> tuple[int, int]:
    """Each tenant inserts rows (autocommit) for ``seconds``; returns (statements, errors)."""
    counts = [0] * tenants
    errors = [0] * tenants
    barrier = threading.Barrier(tenants + 1)

    def work(i: int) -> None:
        conn = _conn(srv, f"t{i}")
        cur = conn.cursor()
        barrier.wait()
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            n += 1
            try:
                cur.execute(f"insert into d.w (tag, v) values ('{tag}', {n})")
                counts[i] += 1
            except pymysql.MySQLError:
                errors[i] += 1
        conn.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(tenants)]
    for th in threads:
        th.start()
    barrier.wait()
    for th in threads:
        th.join()
    return sum(counts), sum(errors)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tenants", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=6.0, help="per case, split over the rounds")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp, LiteServer(
        data_dir=Path(tmp), port=0, timezone="UTC", root_password=PASSWORD
    ) as srv:
        root = _conn(srv, "sys")
        with root.cursor() as cur:
            for name in [f"t{i}" for i in range(args.tenants)] + ["idle"]:
                cur.execute(f"create account {name} admin_name 'admin' identified by '{PASSWORD}'")
                c = _conn(srv, name)
                with c.cursor() as cc:
                    cc.execute("create database d")
                    cc.execute("create table d.w (id int primary key auto_increment, tag varchar(10), v int)")
                c.close()
        cases = ["baseline (nobody idle)", "one idle open transaction in another tenant",
                 "that transaction writing every 0.2 s"]
        totals = {c: [0, 0] for c in cases}  # statements, errors
        idle_rows = 0
        slice_s = args.seconds / args.rounds
        for _ in range(args.rounds):  # interleaved, so load from other processes hits every case alike
            n, e = _writers(srv, args.tenants, slice_s, "base")
            totals[cases[0]][0] += n
            totals[cases[0]][1] += e
            idle = _conn(srv, "idle", autocommit=False)
            icur = idle.cursor()
            icur.execute("begin")
            icur.execute("insert into d.w (tag, v) values ('idle', 1)")
            n, e = _writers(srv, args.tenants, slice_s, "idle")
            totals[cases[1]][0] += n
            totals[cases[1]][1] += e
            stop = threading.Event()

            def poke(cur: Any = icur, stop: threading.Event = stop) -> None:
                k = 1  # the idle client comes back now and then: each time it is replayed
                while not stop.wait(0.2):
                    k += 1
                    cur.execute(f"insert into d.w (tag, v) values ('idle', {k})")

            th = threading.Thread(target=poke)
            th.start()
            n, e = _writers(srv, args.tenants, slice_s, "poke")
            stop.set()
            th.join()
            totals[cases[2]][0] += n
            totals[cases[2]][1] += e
            icur.execute("commit")
            idle.close()
        check = _conn(srv, "idle")
        with check.cursor() as cur:
            cur.execute("select count(*) from d.w")
            idle_rows = cur.fetchone()[0]
        check.close()
        assert srv.engine is not None
        detaches = srv.engine.storage.physical.detaches
    rows = [(c, totals[c][0], totals[c][1]) for c in cases]

    base = rows[0][1] / args.seconds
    print(f"{args.tenants} tenants, autocommit INSERTs over TCP (PyMySQL), {args.seconds:.0f} s per case "
          f"in {args.rounds} interleaved rounds")
    print(f"{'case':48} {'stmts/s':>9} {'errors':>7} {'ratio':>6}")
    for name, n, e in rows:
        rate = n / args.seconds
        print(f"{name:48} {rate:9.0f} {e:7d} {rate / base:6.2f}")
    print(f"idle tenant's transactions committed {idle_rows} rows in all; idle owners detached: {detaches}")
    worst = min(r[1] for r in rows[1:]) / args.seconds / base
    print(f"worst ratio {worst:.2f} (target >= 0.50, i.e. within 2x of the baseline)")


if __name__ == "__main__":
    main()
