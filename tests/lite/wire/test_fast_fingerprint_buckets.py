"""The chunks of one table at T read each history arm once (``mo_fp_agg_buckets``), with the general path's answers.

A large table is fingerprinted in primary-key chunks, and after a RESTORE its state at T lives in
the history table, which has no index on the key: one statement per chunk scanned the whole history
once per chunk (10,000,000 rows: 379% of the RESTORE). The fast path now reads each history arm
once for all the chunks of a table in a statement and adds each row to its chunk. These tests
compare every answer with the general path (``MO_LITE_FASTFP=off``) and check the one-pass read
really ran (``fingerprints.stats["bucketed"]``), or really did not where the chunks cannot share it.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from airflow_provider_matrixone.pitr.fingerprint import chunk_where, fingerprint_select
from matrixone_lite.execution import fingerprints
from matrixone_lite.server import LiteServer
from tests.lite.wire.test_fast_fingerprint import COLUMNS, DDL, _load, _now_ns, _same
from tests.support import sql
from tests.support.sql import DRIVERS


def _chunks(at: int | None, ranges: list[tuple[int | None, int | None]], table: str = "t") -> str:
    return " UNION ALL ".join(
        fingerprint_select("p", table, COLUMNS, at, label=f"c{k}", where=chunk_where("id", lo, hi))
        for k, (lo, hi) in enumerate(ranges))


def _bucketed(conn: Any, statement: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    before = fingerprints.stats["bucketed"]
    rows = _same(conn, statement, monkeypatch)
    return rows, fingerprints.stats["bucketed"] - before


@pytest.mark.parametrize("driver", DRIVERS)
def test_chunks_at_t_read_history_once_with_the_general_answers(server: LiteServer, driver: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sql.connect(server, driver=driver)
    _load(conn, random.Random(11))
    t1 = _now_ns(server)
    # after T: most rows change (their state at T moves to the history table), some go, some come
    sql.run(conn, "update p.t set s = concat(ifnull(s, ''), '+') where id % 3 <> 0")
    sql.run(conn, "update p.t set d = d / 7 where id % 5 = 0")
    sql.run(conn, "delete from p.t where id % 11 = 0")
    sql.run(conn, "insert into p.t (id, s) values (-3, 'neg'), (500, 'late')")
    whole = _same(conn, fingerprint_select("p", "t", COLUMNS, t1), monkeypatch)[0]
    ranges = [(None, 10), (10, 40), (40, 41), (41, 100), (100, None)]
    rows, bucketed = _bucketed(conn, _chunks(t1, ranges), monkeypatch)
    assert bucketed == 2  # the two history arms, once each for the five chunks
    assert [r[2] for r in rows] == [f"c{k}" for k in range(5)]
    assert sum(r[3] for r in rows) == whole[3] == 120
    assert [r[3] for r in rows] == [9, 30, 1, 59, 21]
    # gaps between chunks, a chunk that is empty at T, chunks given out of order, one open chunk alone
    for given in ([(1, 5), (50, 60), (200, 300)], [(41, 100), (None, 10), (10, 41)], [(-100, -1), (0, 2)]):
        rows, bucketed = _bucketed(conn, _chunks(t1, given), monkeypatch)
        assert bucketed == 2
        assert [r[2] for r in rows] == [f"c{k}" for k in range(len(given))]
    # now there is no history arm: nothing to share
    assert _bucketed(conn, _chunks(None, ranges), monkeypatch)[1] == 0


@pytest.mark.parametrize("ranges", [
    [(None, 50), (40, None)],  # overlapping chunks: each its own statement, as before
    [(1, 40), (1, 40)],  # the same chunk twice
    [(None, None)],  # one chunk alone
    [(10, 5), (20, 30)],  # an empty range
])
def test_chunks_that_cannot_share_a_read_still_answer_as_the_general_path(
        server: LiteServer, ranges: list[tuple[int | None, int | None]], monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sql.connect(server)
    _load(conn, random.Random(12))
    t1 = _now_ns(server)
    sql.run(conn, "update p.t set s = 'x' where id % 2 = 0")
    rows, bucketed = _bucketed(conn, _chunks(t1, ranges), monkeypatch)
    assert bucketed == 0
    assert len(rows) == len(ranges)


def test_chunks_of_two_tables_and_two_instants_in_one_statement(server: LiteServer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    conn = sql.connect(server)
    _load(conn, random.Random(13))
    t1 = _now_ns(server)
    sql.run(conn, "update p.t set s = 'x' where id % 2 = 0")
    sql.run(conn, DDL.replace("create table p.t ", "create table p.t2 "))
    sql.run(conn, "insert into p.t2 select * from p.t")
    t2 = _now_ns(server)
    sql.run(conn, "update p.t2 set s = 'y'")
    sql.run(conn, "update p.t set s = 'z'")
    ranges = [(None, 60), (60, None)]
    statement = " UNION ALL ".join([_chunks(t1, ranges), _chunks(t2, ranges), _chunks(t2, ranges, table="t2")])
    rows, bucketed = _bucketed(conn, statement, monkeypatch)
    assert bucketed == 6  # (t at T1), (t at T2), (t2 at T2): two history arms each
    assert [r[3] for r in rows] == [59, 61, 59, 61, 59, 61]
    assert rows[0][4:] != rows[2][4:] and rows[2][4:] == rows[4][4:]  # t changed between T1 and T2; t2 = t at T2


@pytest.mark.parametrize("call", ["mo_fp_agg_buckets('1:2', 'C', 'SELECT 1, 1', id, id)",
                                  "MO_FP_AGG_BUCKETS('-:-', 'E', 'SELECT 1, 1', id, id)"])
def test_a_client_cannot_call_the_bucketed_aggregate(server: LiteServer, call: str) -> None:
    """Like ``mo_fp_agg``, it runs the SQL of an argument: only the engine may call it."""
    conn = sql.connect(server)
    _load(conn, random.Random(14))
    with pytest.raises(sql.driver_errors()) as err:
        sql.run(conn, f"select {call} from p.t")
    assert err.value.args[0] == 20105 and "function or operator 'mo_fp_agg_buckets'" in str(err.value.args[1])
