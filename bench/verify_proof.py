"""Cost of the default proof (counts + columns + content fingerprints) vs counts only vs the RESTORE.

Profiles (each in its own account on one matrixone_lite server, over TCP):

- ``rows``: one table of N rows (int key, varchar, double, decimal, timestamp), for each N given;
- ``tables``: 1,000 small tables in 10 databases.

For each: a PITR, T, an incident after T (rows deleted, values updated), the RESTORE (timed),
then verification: counts only (``fingerprint=False``), the default (``fingerprint=True``) through
lite's general SQL path (``MO_LITE_FASTFP=off``: sqlglot and the translator's per-row functions), and
the default as lite serves it (its fingerprint fast path, ``execution/fingerprints.py``), in that
order; each is the reference read at T plus the state read now, as the operator + sensor do, and
each starts with lite's caches dropped (``Engine.drop_caches``), as the first one after a RESTORE
does, so no mode finds the schema parsed or the statements translated by the one before. Printed:
seconds, statements, rows read, and the ratio to the RESTORE's own time. Nothing is asserted.
Run from ``bench/verify.py`` (``--proof-rows``) or alone: ``python bench/verify_proof.py``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import pymysql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_provider_matrixone.pitr.identifiers import Login  # noqa: E402
from airflow_provider_matrixone.pitr.models import Scope  # noqa: E402
from airflow_provider_matrixone.pitr.verify import compare  # noqa: E402
from airflow_provider_matrixone.sql_io.capture import capture_reference, capture_state  # noqa: E402
from airflow_provider_matrixone.sql_io.operations import PitrClient  # noqa: E402

TENANT_PASSWORD = "bench-tenant-password"


def _account(srv: Any, root_password: str, name: str) -> Any:
    root = pymysql.connect(host=srv.host, port=srv.port, user="root", password=root_password, autocommit=True)
    with root.cursor() as cur:
        cur.execute(f"create account {name} admin_name 'admin' identified by '{TENANT_PASSWORD}'")
    root.close()
    return lambda: pymysql.connect(host=srv.host, port=srv.port, user=f"{name}#admin", password=TENANT_PASSWORD,
                                   autocommit=True)


def _seed_rows(cur: Any, rows: int) -> None:
    cur.execute("create database big")
    cur.execute("create table big.t (id int primary key, label varchar(32), d double, m decimal(12,2), "
                "ts timestamp(3))")
    first = min(rows, 1000)
    cur.execute("insert into big.t values " + ", ".join(
        f"({i}, 'row-{i}', {i / 7!r}, {i % 1000}.25, '2024-10-28 17:30:00.{i % 1000:03d}')" for i in range(first)))
    have = first
    while have < rows:  # INSERT ... SELECT doubling: the parser is the bottleneck, not storage
        step = min(have, rows - have)
        cur.execute(f"insert into big.t select id + {have}, label, d, m, ts from big.t where id < {step}")
        have += step


def _seed_tables(cur: Any, tables: int) -> None:
    for d in range(10):
        cur.execute(f"create database db{d}")
    for i in range(tables):
        cur.execute(f"create table db{i % 10}.t{i} (id int primary key, v varchar(20))")
        cur.execute(f"insert into db{i % 10}.t{i} values " + ", ".join(f"({k}, 'r{k}')" for k in range(1 + i % 5)))


def _incident(cur: Any, profile: str) -> None:
    if profile == "tables":
        cur.execute("delete from db0.t0")
        cur.execute("update db1.t1 set v = 'changed'")
    else:
        cur.execute("delete from big.t where id % 10 = 0")
        cur.execute("update big.t set m = m + 1 where id % 10 = 1")


def _verify(srv: Any, client: PitrClient, at_ns: int, fingerprint: bool, fast: bool = True) -> dict[str, Any]:
    os.environ["MO_LITE_FASTFP"] = "on" if fast else "off"  # read by the in-process server per statement
    srv.engine.drop_caches()  # each mode pays what the first verification after the RESTORE pays
    mark = len(srv.statement_log.entries)
    start = time.perf_counter()
    ref = capture_reference(client, Scope.build("account"), at_ns, fingerprint=fingerprint)
    report = compare(ref, capture_state(client, ref))
    os.environ["MO_LITE_FASTFP"] = "on"
    return {"seconds": time.perf_counter() - start, "statements": len(srv.statement_log.entries) - mark,
            "rows": 2 * sum(t.rows for t in ref.tables.values()), "verdict": report.verdict}


def run_profile(srv: Any, root_password: str, name: str, profile: str, size: int,
                general_path: bool = True) -> dict[str, Any]:
    connect = _account(srv, root_password, name)
    conn = connect()
    start = time.perf_counter()
    with conn.cursor() as cur:
        _seed_tables(cur, size) if profile == "tables" else _seed_rows(cur, size)
        cur.execute(f"create pitr p_{name} for account range 1 'd'")
    seed_s = time.perf_counter() - start
    time.sleep(0.05)
    at_ns = time.time_ns()
    time.sleep(0.05)
    with conn.cursor() as cur:
        _incident(cur, profile)
    client = PitrClient(connect, Login(name, "admin"), log_sql=False)
    pitr = client.require_pitr(f"p_{name}")
    from datetime import UTC, datetime

    instant = datetime.fromtimestamp(at_ns / 1e9, UTC)
    sql, _ = client.build_restore_pitr(pitr, instant, Scope.build("account"))
    start = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(sql)
    restore_s = time.perf_counter() - start
    conn.close()
    counts = _verify(srv, client, at_ns, False)
    general = _verify(srv, client, at_ns, True, fast=False) if general_path else None
    content = _verify(srv, client, at_ns, True)
    return {"profile": f"{size:,} {'tables' if profile == 'tables' else 'rows'}", "seed_s": seed_s,
            "restore_s": restore_s, "counts": counts, "content": content, "general": general}


def print_results(results: list[dict[str, Any]]) -> None:
    print("\nverification after a RESTORE (reference at T + state now), matrixone_lite over TCP")
    print(f"{'profile':<16} {'RESTORE s':>9} {'mode':<26} {'seconds':>8} {'stmts':>6} {'rows read':>10} "
          f"{'/ RESTORE':>9} {'verdict':>9}")
    for r in results:
        for mode, key in (("counts only", "counts"), ("default, lite general path", "general"),
                          ("default (content+columns)", "content")):
            m = r[key]
            if m is None:  # --no-general-path
                continue
            print(f"{r['profile']:<16} {r['restore_s']:>9.3f} {mode:<26} {m['seconds']:>8.3f} {m['statements']:>6} "
                  f"{m['rows']:>10,} {m['seconds'] / r['restore_s']:>8.0%} {m['verdict']:>9}")
        print(f"{'':<16} {'':>9} {'default / counts only':<26} {r['content']['seconds'] / r['counts']['seconds']:>7.1f}x")
        if r["general"] is not None:
            print(f"{'':<16} {'':>9} {'fast path speed-up':<26} "
                  f"{r['general']['seconds'] / r['content']['seconds']:>7.1f}x")


def run(srv: Any, root_password: str, row_sizes: list[int], tables: int,
        general_path: bool = True) -> list[dict[str, Any]]:
    results = [run_profile(srv, root_password, f"prow{i}", "rows", n, general_path) for i, n in enumerate(row_sizes)]
    if tables:
        results.append(run_profile(srv, root_password, "ptables", "tables", tables, general_path))
    print_results(results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated table sizes")
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--no-general-path", action="store_true",
                        help="skip the general-path comparison (MO_LITE_FASTFP=off), e.g. for 10,000,000 rows")
    args = parser.parse_args()
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)
    logging.getLogger("airflow_provider_matrixone").setLevel(logging.WARNING)
    import tempfile

    from matrixone_lite import LiteServer

    with tempfile.TemporaryDirectory() as tmp, LiteServer(data_dir=tmp, port=0, version="4.2.0",
                                                          timezone="Asia/Shanghai", root_password="bench-pw") as srv:
        run(srv, "bench-pw", [int(x) for x in args.rows.split(",") if x.strip()], args.tables,
            general_path=not args.no_general_path)


if __name__ == "__main__":
    main()
