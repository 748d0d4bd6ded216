"""Chunk boundaries are read in one ordered pass (``ROW_NUMBER()``), at T and now, over TCP against matrixone_lite.

Before, each boundary was its own ``ORDER BY k LIMIT 1 OFFSET n``: at T each is a full scan and sort
of the table's history union, so a 10,000,000-row table's 49 boundaries were most of its proof's
time. The boundaries must stay exactly the keys of rows chunk_rows+1, 2*chunk_rows+1, ... in key order
(what the reference and every later state reuse), including for a key named like the row number.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_matrixone.operators._common import make_hook
from airflow_provider_matrixone.pitr.models import Scope
from airflow_provider_matrixone.sql_io.capture import capture_reference, verify
from tests.operators.support import now_after_pitr, tenant_sql


@pytest.mark.parametrize("key", ["id", "fp_rn"])
@pytest.mark.parametrize("chunk_rows", [1, 7, 30])
def test_boundaries_are_every_nth_key_at_t_and_now(tenant: SimpleNamespace, mo_server: Any, key: str,
                                                   chunk_rows: int) -> None:
    keys = sorted({(i * 37) % 101 - 50 for i in range(1, 61)})  # 60 distinct keys, negatives, gaps
    values = ", ".join(f"({k}, 'v{k}')" for k in keys)
    tenant_sql(mo_server, tenant.name, ["create database pf", f"create table pf.t (`{key}` int primary key, v varchar(9))",
                                        f"insert into pf.t values {values}"])
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, [f"update pf.t set v = 'x' where `{key}` = {keys[40]}"])
    hook = make_hook(tenant.conn_id)
    mark = len(mo_server.statement_log.entries)
    ref = capture_reference(hook, Scope.build("database", account=tenant.name, database="pf"), t,
                            chunk_rows=chunk_rows)
    sent = [e.sql if hasattr(e, "sql") else str(e) for e in mo_server.statement_log.entries[mark:]]
    assert sum("ROW_NUMBER() OVER" in s for s in sent) == 1 and not any("LIMIT 1 OFFSET" in s for s in sent)
    chunks = ref.tables["pf.t"].chunks
    assert chunks is not None
    expected = keys[chunk_rows::chunk_rows]
    assert [c["lo"] for c in chunks] == [None, *expected]
    assert [c["hi"] for c in chunks] == [*expected, None]
    report = verify(hook, ref)
    assert report.verdict == "MISMATCH"
    hit = next(c for c in chunks if (c["lo"] is None or c["lo"] <= keys[40]) and (c["hi"] is None or keys[40] < c["hi"]))
    assert f"chunk {hit['label']}" in report.render()


@pytest.mark.parametrize("chunk_rows", [1, 7])
def test_a_text_key_keeps_one_statement_per_boundary(tenant: SimpleNamespace, mo_server: Any, chunk_rows: int) -> None:
    """MatrixOne 3.0.0-3.0.8 refuse a window ordered by a text column, so a text key keeps the
    per-boundary ``ORDER BY k LIMIT 1 OFFSET n`` (same boundaries: every n-th key)."""
    keys = [f"k{i:03d}" for i in range(0, 120, 3)]  # 40 keys, zero-padded: one order for every collation
    values = ", ".join(f"('{k}', {i})" for i, k in enumerate(keys))
    tenant_sql(mo_server, tenant.name, ["create database pf", "create table pf.s (code varchar(8) primary key, n int)",
                                        f"insert into pf.s values {values}"])
    t = now_after_pitr()
    hook = make_hook(tenant.conn_id)
    mark = len(mo_server.statement_log.entries)
    ref = capture_reference(hook, Scope.build("database", account=tenant.name, database="pf"), t,
                            chunk_rows=chunk_rows)
    sent = [e.sql if hasattr(e, "sql") else str(e) for e in mo_server.statement_log.entries[mark:]]
    chunks = ref.tables["pf.s"].chunks
    assert chunks is not None
    expected = keys[chunk_rows::chunk_rows]
    assert [c["lo"] for c in chunks] == [None, *expected]
    assert sum("LIMIT 1 OFFSET" in s for s in sent) == len(expected)
    assert not any("ROW_NUMBER" in s for s in sent)
    assert verify(hook, ref).verdict == "VERIFIED"
