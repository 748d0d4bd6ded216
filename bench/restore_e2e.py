"""Restore end to end on matrixone_lite: wall time by phase, and verification's share of it.

Two profiles, each: PITR, instant T, an "incident" after T, then MatrixOnePITRRestoreOperator
(plan, reference, safety snapshot, RESTORE, post-restore check) and the verification sensor
(one poke, counts at T vs now), all over TCP through Airflow connections:

- seed: the seed guide's tenant (db1.products 9 rows, db2.orders 3 rows), account level;
- large: an account with ``--rows`` rows (default 1,000,000) in ``--tables`` tables.

Target: the sensor's verification <= 25% of the RESTORE for the row-count profile.
Run: ``python bench/restore_e2e.py [--rows N] [--tables N] [--fingerprint]``; ``--fingerprint`` runs
the operator and the sensor with the default content proof instead of counts + columns.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pymysql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-e2e-root-pw"
TENANT_PASSWORD = "bench-e2e-tenant-pw"


def _airflow_env(home: str) -> None:
    """A throw-away Airflow home: the operators resolve connections from env vars only."""
    os.environ.setdefault("AIRFLOW_HOME", home)
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/airflow.db")


def _sql(srv: Any, user: str, password: str, statements: list[str]) -> list[Any]:
    conn = pymysql.connect(host=srv.host, port=srv.port, user=user, password=password, autocommit=True)
    rows: list[Any] = []
    try:
        with conn.cursor() as cur:
            for s in statements:
                cur.execute(s)
                rows = list(cur.fetchall()) if cur.description else []
    finally:
        conn.close()
    return rows


def _connection(conn_id: str, srv: Any, login: str, password: str) -> str:
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps({
        "conn_type": "matrixone", "host": srv.host, "port": srv.port, "login": login, "password": password,
        "extra": {"client": "pymysql"}})
    return conn_id


def _context(run_id: str) -> dict[str, Any]:
    ti = SimpleNamespace(dag_id="bench", task_id="restore", run_id=run_id, map_index=-1, try_number=1)
    return {"ti": ti, "run_id": run_id}


def _account(srv: Any, name: str) -> str:
    _sql(srv, "root", PASSWORD, [f"drop account if exists {name}",
                                 f"create account {name} admin_name 'admin' identified by '{TENANT_PASSWORD}'"])
    return f"{name}#admin"


def _instant() -> Any:
    import pendulum

    time.sleep(1.1)  # SHOW PITR shows whole seconds: T after the PITR's creation second
    t = pendulum.now("UTC")
    time.sleep(0.05)
    return t


def _restore_and_verify(srv: Any, conn_id: str, pitr: str, at: Any, run_id: str,
                        fingerprint: bool = False) -> dict[str, Any]:
    from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
    from airflow_provider_matrixone.sensors.restore import MatrixOneRestoreVerificationSensor

    # counts + columns (fingerprint=False) unless --fingerprint: the row-count profile; the default
    # content proof's cost against the RESTORE is also measured by bench/verify_proof.py
    op = MatrixOnePITRRestoreOperator(task_id="restore", pitr_name=pitr, timestamp=at.isoformat(), level="account",
                                      matrixone_conn_id=conn_id, fingerprint=fingerprint)
    start = time.perf_counter()
    out = op.execute(_context(run_id))
    op_total = time.perf_counter() - start
    sensor = MatrixOneRestoreVerificationSensor(task_id="verify", reference=out["reference"], fingerprint=fingerprint,
                                                matrixone_conn_id=conn_id, poke_interval=1, timeout=60)
    mark = len(srv.statement_log.entries)
    start = time.perf_counter()
    done = sensor.poke(_context(run_id))
    verify_s = time.perf_counter() - start
    statements = len(srv.statement_log.entries) - mark
    ok = bool(getattr(done, "is_done", done))
    phases = {p["phase"]: p["duration_s"] for p in out["phases"]}
    return {"phases": phases, "operator_total_s": op_total, "verify_s": verify_s, "verify_statements": statements,
            "verified": ok, "check": out.get("check", {}).get("status"),
            "tables": len(out["reference"]["tables"]),
            "rows": sum(t["rows"] for t in out["reference"]["tables"].values())}


def seed_profile(srv: Any, fingerprint: bool = False) -> dict[str, Any]:
    login = _account(srv, "seedacc")
    _sql(srv, login, TENANT_PASSWORD, [
        "create database db1", "use db1",
        "CREATE TABLE products (id INT PRIMARY KEY AUTO_INCREMENT, product_name VARCHAR(100) NOT NULL,"
        " category VARCHAR(50), price DECIMAL(10, 2) NOT NULL, stock_quantity INT NOT NULL)",
        "INSERT INTO products (product_name, category, price, stock_quantity) VALUES"
        " ('Gaming Laptop', 'Electronics', 1200.99, 30), ('Wireless Mouse', 'Accessories', 25.50, 100),"
        " ('Mechanical Keyboard', 'Accessories', 75.00, 50), ('Smartphone', 'Electronics', 699.99, 50),"
        " ('Headphones', 'Accessories', 199.99, 80), ('Tablet', 'Electronics', 299.99, 40),"
        " ('Smartwatch', 'Accessories', 149.99, 60), ('Charger', 'Accessories', 19.99, 200),"
        " ('Webcam', 'Electronics', 59.99, 75)",
        "create database db2", "use db2",
        "CREATE TABLE orders (id int PRIMARY KEY auto_increment, product_name VARCHAR(100) NOT NULL,"
        " quantity INT NOT NULL, order_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
        "INSERT INTO orders (product_name, quantity) VALUES ('Smartphone', 10), ('Headphones', 15), ('Tablet', 7)",
        "create pitr seed_pitr for account range 1 'd'",
    ])
    at = _instant()
    _sql(srv, login, TENANT_PASSWORD, ["delete from db1.products where id > 4", "drop table db2.orders",
                                       "create database db3", "create table db3.t (a int)",
                                       "insert into db3.t values (1)"])
    conn_id = _connection("bench_seed", srv, login, TENANT_PASSWORD)
    return _restore_and_verify(srv, conn_id, "seed_pitr", at, "seed", fingerprint)


def large_profile(srv: Any, rows: int, tables: int, fingerprint: bool = False) -> dict[str, Any]:
    login = _account(srv, "bigacc")
    conn = pymysql.connect(host=srv.host, port=srv.port, user=login, password=TENANT_PASSWORD, autocommit=True)
    start = time.perf_counter()
    per_table = rows // tables
    with conn.cursor() as cur:
        cur.execute("create database big")
        for t in range(tables):
            # 1,000 rows in one INSERT, then INSERT ... SELECT doubling: a few statements per table
            # instead of hundreds of huge ones (the server's parser is the bottleneck, not storage).
            cur.execute(f"create table big.t{t} (id int primary key, grp int, label varchar(32))")
            first = min(per_table, 1000)
            cur.execute(f"insert into big.t{t} values " + ", ".join(
                f"({i}, {i % 97}, 'row-{i}')" for i in range(first)))
            have = first
            while have < per_table:
                cur.execute(f"insert into big.t{t} select id + {have}, grp, label from big.t{t} "
                            f"where id < {min(have, per_table - have)}")
                have += min(have, per_table - have)
        cur.execute("create pitr big_pitr for account range 1 'd'")
    seed_s = time.perf_counter() - start
    at = _instant()
    with conn.cursor() as cur:  # the incident: half a table deleted, a table dropped
        cur.execute("delete from big.t0 where id % 2 = 0")
        cur.execute("drop table big.t1")
    conn.close()
    conn_id = _connection("bench_big", srv, login, TENANT_PASSWORD)
    return {**_restore_and_verify(srv, conn_id, "big_pitr", at, "big", fingerprint), "seed_s": seed_s}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tables", type=int, default=10)
    parser.add_argument("--fingerprint", action="store_true", help="the default content proof, not counts only")
    args = parser.parse_args(argv)
    logging.getLogger("mysql_mimic").setLevel(logging.CRITICAL)
    for name in ("airflow_provider_matrixone", "airflow.task"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from matrixone_lite import LiteServer

    results: dict[str, Any] = {"rows": args.rows, "tables": args.tables, "fingerprint": args.fingerprint}
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as data:
        _airflow_env(home)
        with LiteServer(data_dir=data, port=0, version="4.2.0", timezone="Asia/Shanghai",
                        root_password=PASSWORD) as srv:
            results["seed"] = seed_profile(srv, args.fingerprint)
            results["large"] = large_profile(srv, args.rows, args.tables, args.fingerprint)
    for name in ("seed", "large"):
        r = results[name]
        proof = "default content proof" if args.fingerprint else "counts + columns"
        print(f"\n{name} profile ({proof}): {r['tables']} tables, {r['rows']:,} rows at T; verified: {r['verified']}")
        print(f"{'phase':<20}{'seconds':>10}")
        for phase, seconds in r["phases"].items():
            print(f"{phase:<20}{seconds:>10.3f}")
        print(f"{'operator total':<20}{r['operator_total_s']:>10.3f}")
        print(f"{'sensor verification':<20}{r['verify_s']:>10.3f}   ({r['verify_statements']} statements)")
        restore = r["phases"].get("restore") or float("nan")
        print(f"verification / RESTORE: {r['verify_s'] / restore:.1%}; verification / operator total: "
              f"{r['verify_s'] / r['operator_total_s']:.1%}   (target <= 25% for the row-count profile)")
    print(f"large profile seeded {args.rows:,} rows in {results['large']['seed_s']:.1f} s (not part of the restore)")
    return results


if __name__ == "__main__":
    main()
