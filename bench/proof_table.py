"""The one table the per-row proof benchmarks measure (``proof_rowcost.py``, ``proof_breakdown.py``).

Why shared: both scripts compare costs per row of the same fingerprint, so they must measure the
same table (an int key, a varchar, a double, a decimal and a timestamp: every encoding the
fingerprint has) built the same way; one definition keeps their figures comparable.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_matrixone.pitr.fingerprint import Column

COLUMNS = [Column("id", "int", False, None, 1, "PRI"), Column("label", "varchar(32)", True, None, 2),
           Column("d", "double", True, None, 3), Column("m", "decimal(12,2)", True, None, 4),
           Column("ts", "timestamp(3)", True, None, 5)]


def engine_with_account(data: str) -> Any:
    """An in-process matrixone_lite engine in ``data`` (UTC) with account ``acc`` (admin ``admin``)."""
    from matrixone_lite.engine import Engine

    engine = Engine(data, timezone="UTC")
    with engine.storage.transaction() as tx:
        engine.storage.create_account(tx, "acc", "admin", "pw")
    return engine


def create_and_load(session: Any, rows: int) -> None:
    """``big.t`` with ``rows`` rows, in one INSERT ... SELECT (the session's current database becomes big)."""
    session.execute("create database big")
    session.execute("use big")
    session.execute("create table t (id int primary key, label varchar(32), d double, m decimal(12,2), "
                    "ts timestamp(3))")
    session.execute("insert into t (id, label, d, m, ts) with recursive c(x) as (select 1 union all select x + 1 "
                    f"from c where x < {int(rows)}) select x, concat('row-', x), x / 7.0, (x % 1000) + 0.25, "
                    "'2024-10-28 17:30:00.123' from c")
