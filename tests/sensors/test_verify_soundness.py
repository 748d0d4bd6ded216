"""The content proof against a corpus of wrong states (issue 13), over TCP against matrixone_lite.

Each case writes a table, takes T, makes the state wrong the way a bad restore (or an incident left
in place) would, then verifies the scope against the reference read at T with the *defaults*.
Before issue 13 every case below passed (counts only by default; the opt-in fingerprint was a
SUM(CRC32(CONCAT_WS('|', ...))) of 15-digit text that ignored names and types and crashed on X'FF').
"""

from __future__ import annotations

import random
import zlib
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_matrixone.operators._common import make_hook
from airflow_provider_matrixone.pitr.models import Scope
from airflow_provider_matrixone.pitr.verify import VerificationReport
from airflow_provider_matrixone.sql_io.capture import capture_reference, verify
from tests.operators.support import now_after_pitr, tenant_sql


def _check(tenant: SimpleNamespace, server: Any, setup: list[str], change: list[str], *,
           level: str = "database", **ref_kw: Any) -> VerificationReport:
    tenant_sql(server, tenant.name, ["create database pf", *setup])
    t = now_after_pitr()
    if change:
        tenant_sql(server, tenant.name, change)
    hook = make_hook(tenant.conn_id)
    scope = Scope.build(level, account=tenant.name, database=None if level == "account" else "pf")
    ref = capture_reference(hook, scope, t, **ref_kw)
    return verify(hook, ref)


def _mismatch(report: VerificationReport, *needles: str) -> None:
    text = report.render()
    assert report.verdict == "MISMATCH" and report.status in ("fail", "wait"), text
    for needle in needles:
        assert needle in text, text


CASES = {
    "value_changed_equal_counts": (
        ["create table pf.t (id int primary key, v int)", "insert into pf.t values (1, 10), (2, 20)"],
        ["update pf.t set v = 11 where id = 1"], ["same 2 rows count"]),
    "null_vs_empty": (
        ["create table pf.t (id int primary key, s varchar(5))", "insert into pf.t values (1, NULL)"],
        ["update pf.t set s = '' where id = 1"], []),
    "trailing_space": (
        ["create table pf.t (id int primary key, s varchar(5))", "insert into pf.t values (1, 'a')"],
        ["update pf.t set s = 'a ' where id = 1"], []),
    "separator_ambiguity": (
        ["create table pf.t (id int primary key, a varchar(9), b varchar(9))",
         "insert into pf.t values (1, 'x|vy', 'z')"],
        ["update pf.t set a = 'x', b = 'y|vz' where id = 1"], []),
    "double_full_precision": (
        ["create table pf.t (id int primary key, d double)", "insert into pf.t values (1, 0.1e0 + 0.2e0)"],
        ["update pf.t set d = 0.3 where id = 1"], []),
    "decimal_last_digit": (
        ["create table pf.t (id int primary key, m decimal(38,10))",
         "insert into pf.t values (1, 12345.0000000001)"],
        ["update pf.t set m = 12345.0000000002 where id = 1"], []),
    "renamed_column": (
        ["create table pf.t (id int primary key, price int)", "insert into pf.t values (1, 5)"],
        ["alter table pf.t rename column price to cost"],
        ["column pf.t.price (int) existed at T and is missing now", "column pf.t.cost"]),
    "int_vs_varchar_same_text": (
        ["create table pf.t (id int primary key, v int)", "insert into pf.t values (1, 12)"],
        ["drop table pf.t", "create table pf.t (id int primary key, v varchar(5))", "insert into pf.t values (1, '12')"],
        ["column pf.t.v was int at T and is varchar(5) now"]),
    "column_added": (
        ["create table pf.t (id int primary key)", "insert into pf.t values (1)"],
        ["alter table pf.t add column extra int"], ["column pf.t.extra (int) did not exist at T and exists now"]),
    "column_removed": (
        ["create table pf.t (id int primary key, gone int)", "insert into pf.t values (1, 2)"],
        ["alter table pf.t drop column gone"], ["column pf.t.gone (int) existed at T and is missing now"]),
    "column_retyped": (
        ["create table pf.t (id int primary key, price decimal(38,10))", "insert into pf.t values (1, 2.5)"],
        ["alter table pf.t modify column price decimal(20,2)"],
        ["column pf.t.price was decimal(38,10) at T and is decimal(20,2) now"]),
    "primary_key_dropped": (
        ["create table pf.t (id int primary key, v int)", "insert into pf.t values (1, 2)"],
        ["drop table pf.t", "create table pf.t (id int, v int)", "insert into pf.t values (1, 2)"],
        ["was part of the primary key at T and is not a key now"]),
    "unique_key_dropped": (
        ["create table pf.t (id int primary key, e varchar(9))", "create unique index uk_e on pf.t (e)",
         "insert into pf.t values (1, 'a')"],
        ["drop index uk_e on pf.t"], ["column pf.t.e was a unique key at T and is not a key now"]),
    "secondary_index_dropped": (
        ["create table pf.t (id int primary key, g int, key ix_g (g))", "insert into pf.t values (1, 2)"],
        ["drop index ix_g on pf.t"], ["column pf.t.g was indexed at T and is not a key now"]),
    "column_default_and_nullability": (
        ["create table pf.t (id int primary key, v int)", "insert into pf.t values (1, 2)"],
        ["alter table pf.t modify column v int not null default 7"],
        ["column pf.t.v was NULL at T and is NOT NULL now", "column pf.t.v had default None at T and has '7' now"]),
    "column_order": (
        ["create table pf.t (id int primary key, a int, b int)", "insert into pf.t values (1, 2, 3)"],
        # lite ignores MODIFY ... AFTER, so the order changes by re-creating the table
        ["drop table pf.t", "create table pf.t (id int primary key, b int, a int)", "insert into pf.t values (1, 3, 2)"],
        ["column pf.t.b was column 3 at T and is column 2 now"]),
    "extra_table": (
        ["create table pf.t (id int primary key)"], ["create table pf.later (id int)"],
        ["table pf.later did not exist at T and exists now"]),
    "varbinary_ff": (
        ["create table pf.t (id int primary key, b varbinary(4))", "insert into pf.t values (1, X'FF')"],
        ["update pf.t set b = X'FE' where id = 1"], []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_state_is_a_mismatch_with_its_sentence(case: str, tenant: SimpleNamespace, mo_server: Any) -> None:
    setup, change, sentences = CASES[case]
    _mismatch(_check(tenant, mo_server, setup, change), *sentences)


def _old_row_crc(*values: str) -> int:
    """Row hash of the fingerprint before issue 13: CRC32(CONCAT_WS('|', CONCAT('v', value), ...))."""
    return zlib.crc32("|".join("v" + v for v in values).encode())


def _crafted_swap() -> tuple[str, str]:
    """Two values x, y whose swap between rows 1 and 2 keeps SUM(CRC32(row)) (brute force, < 1 s)."""
    rng = random.Random(13)
    while True:
        x, y = (f"{rng.getrandbits(40):010x}" for _ in range(2))
        if _old_row_crc("1", x) + _old_row_crc("2", y) == _old_row_crc("1", y) + _old_row_crc("2", x):
            return x, y


def test_crafted_sum_of_crc32_collision_is_caught(tenant: SimpleNamespace, mo_server: Any) -> None:
    x, y = _crafted_swap()
    assert x != y  # the old proof sums equal for both states: a real collision
    report = _check(tenant, mo_server, ["create table pf.t (id int primary key, s varchar(12))",
                                        f"insert into pf.t values (1, '{x}'), (2, '{y}')"],
                    [f"update pf.t set s = '{y}' where id = 1", f"update pf.t set s = '{x}' where id = 2"])
    _mismatch(report, "different values")


def test_duplicate_rows_do_not_cancel(tenant: SimpleNamespace, mo_server: Any) -> None:
    """BIT_XOR alone cancels two equal rows: (a, a) and (b, b) would both XOR to 0."""
    report = _check(tenant, mo_server, ["create table pf.t (v int)", "insert into pf.t values (1), (1)"],
                    ["update pf.t set v = 2"])
    _mismatch(report, "different values")


def test_empty_database_dropped_is_noticed(tenant: SimpleNamespace, mo_server: Any) -> None:
    report = _check(tenant, mo_server, ["create database pf_empty"], ["drop database pf_empty"], level="account")
    assert report.status == "wait"  # an object of T is missing: a running restore may still bring it
    _mismatch(report, "database pf_empty existed at T and is missing now")


def test_correct_state_with_awkward_types_is_verified(tenant: SimpleNamespace, mo_server: Any) -> None:
    """No false alarm: NULLs, BLOB, JSON, TIMESTAMP(6) in the Asia/Shanghai server zone, X'FF', empty tables."""
    report = _check(tenant, mo_server, [
        "create table pf.t (id int primary key, s varchar(9), b blob, vb varbinary(4), j json, ts timestamp(6), "
        "d double, m decimal(38,10), dt datetime(3))",
        "insert into pf.t values (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
        "(2, '', X'00FF', X'FF', '{\"a\": [1, 2]}', '2024-10-28 17:30:00.123456', 1e300, 0.0000000001, "
        "'2024-01-01 00:00:00.5')",
        "create table pf.empty_t (id int primary key)",
    ], [])
    assert report.verdict == "VERIFIED" and report.status == "pass", report.render()
    assert report.content is True


def test_large_table_is_chunked_and_a_mismatch_names_the_key_range(tenant: SimpleNamespace,
                                                                   mo_server: Any) -> None:
    values = ", ".join(f"({i}, {i * 7})" for i in range(1, 101))
    report = _check(tenant, mo_server, ["create table pf.big (id int primary key, v int)",
                                        f"insert into pf.big values {values}"],
                    ["update pf.big set v = 0 where id = 57"], chunk_rows=25)
    _mismatch(report, "chunk id in [51, 76)")
    assert "chunk id < 26" not in report.render()


def test_small_tables_are_one_statement_per_batch(tenant: SimpleNamespace, mo_server: Any) -> None:
    report = _check(tenant, mo_server, ["create table pf.a (id int primary key)", "insert into pf.a values (1), (2)"],
                    [], chunk_rows=25)
    assert report.verdict == "VERIFIED"
    hook = make_hook(tenant.conn_id)
    ref = capture_reference(hook, Scope.build("database", account=tenant.name, database="pf"), now_after_pitr())
    assert ref.tables["pf.a"].chunks is None and ref.fingerprint is True


def test_lite_hex_follows_matrixone(tenant: SimpleNamespace, mo_server: Any) -> None:
    """HEX(NULL) is NULL in MatrixOne/MySQL; SQLite's built-in returned '', which made NULL and ''
    encode alike in lite."""
    (row,) = tenant_sql(mo_server, tenant.name, ["select hex(null), hex(''), hex(X'FF'), hex(255), hex('a ')"])
    assert row == (None, "", "FF", "FF", "6120")


def test_more_than_500_columns_can_be_verified(tenant: SimpleNamespace, mo_server: Any) -> None:
    """lite built information_schema.columns as one UNION ALL per column and SQLite caps compound
    SELECTs at 500 terms: the column inventory of 260 two-column tables failed."""
    setup = [f"create table pf.t{i} (id int primary key, v varchar(3))" for i in range(260)]
    report = _check(tenant, mo_server, setup, ["alter table pf.t7 add column w int"])
    _mismatch(report, "column pf.t7.w (int) did not exist at T and exists now")
    assert report.counts()["VERIFIED"] == 259


def test_chunked_and_whole_table_digests_are_equal(tenant: SimpleNamespace, mo_server: Any) -> None:
    """The aggregates add up, so the chunk size changes where a mismatch is named, not the digest."""
    values = ", ".join(f"({i}, 'v{i}')" for i in range(1, 61))
    tenant_sql(mo_server, tenant.name, ["create database pf", "create table pf.t (id int primary key, v varchar(9))",
                                        f"insert into pf.t values {values}"])
    t = now_after_pitr()
    hook = make_hook(tenant.conn_id)
    scope = Scope.build("database", account=tenant.name, database="pf")
    whole, chunked = (capture_reference(hook, scope, t, chunk_rows=n).tables["pf.t"] for n in (1000, 7))
    assert whole.chunks is None and chunked.chunks is not None and len(chunked.chunks) == 9
    assert whole.fingerprint == chunked.fingerprint
