"""Pure parts of the restore proof: value encodings, the additive aggregate, digests, column diffs."""

from __future__ import annotations

import pytest

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.fingerprint import (
    Aggregate,
    Column,
    chunk_where,
    encode_column,
    schema_signature,
    table_digest,
)
from airflow_provider_matrixone.pitr.inventory import column_sql, diff_columns

ID = Column("id", "int", False, None, 1, "PRI")
PRICE = Column("price", "decimal(38,10)", True, None, 2)


def test_aggregates_add_like_one_scan() -> None:
    a, b = Aggregate(2, 10, 20, 0b1010, 0b0110), Aggregate(3, 1, 2, 0b0011, 0b0101)
    assert a + b == Aggregate(5, 11, 22, 0b1001, 0b0011)
    assert sum([a, b], Aggregate()) == a + b
    assert table_digest([ID], a + b) == table_digest([ID], sum([b, a], Aggregate()))


def test_digest_covers_names_types_and_keys() -> None:
    agg = Aggregate(1, 5, 6, 7, 8)
    base = table_digest([ID, PRICE], agg)
    assert base.startswith("1:") and len(base) == 34
    assert table_digest([ID, Column("cost", "decimal(38,10)", True, None, 2)], agg) != base
    assert table_digest([ID, Column("price", "decimal(20,2)", True, None, 2)], agg) != base
    assert table_digest([Column("id", "int", False, None, 1, ""), PRICE], agg) != base
    assert table_digest([ID, PRICE], Aggregate(1, 5, 6, 7, 9)) != base
    assert schema_signature([PRICE, ID]) == schema_signature([ID, PRICE])  # ordered by position, not by list


@pytest.mark.parametrize(("typ", "expected"), [
    ("varchar(5)", "IFNULL(HEX(`c`), 'N')"),
    ("VARBINARY(4)", "IFNULL(HEX(`c`), 'N')"),
    ("decimal(38,10)", "IFNULL(CAST(`c` AS CHAR), 'N')"),
    ("timestamp(6)", "IFNULL(CAST(`c` AS CHAR), 'N')"),
    ("bigint unsigned", "IFNULL(CAST(`c` AS CHAR), 'N')"),
    ("json", "IFNULL(HEX(CAST(`c` AS CHAR)), 'N')"),
    ("double", "IFNULL(CONCAT(CAST(`c` AS CHAR), '~', CAST(`c` - CAST(CAST(`c` AS CHAR) AS DOUBLE) AS CHAR)), 'N')"),
])
def test_each_type_has_an_exact_separator_free_encoding(typ: str, expected: str) -> None:
    assert encode_column(Column("c", typ, True, None, 1)) == expected


def test_chunk_bounds_are_literals() -> None:
    assert chunk_where("id", None, 26) == " WHERE `id` < 26"
    assert chunk_where("id", 26, 51) == " WHERE `id` >= 26 AND `id` < 51"
    assert chunk_where("k", "a'b", None) == " WHERE `k` >= 'a''b'"
    with pytest.raises(errors.InvalidInput):
        chunk_where("id", True, None)


def test_column_differences_read_as_sentences() -> None:
    now = [ID, Column("price", "decimal(20,2)", False, "0", 3), Column("added", "int", True, None, 2)]
    assert diff_columns("db1.t", [ID, PRICE], now) == [
        "column db1.t.price was decimal(38,10) at T and is decimal(20,2) now",
        "column db1.t.price was NULL at T and is NOT NULL now",
        "column db1.t.price had default None at T and has '0' now",
        "column db1.t.price was column 2 at T and is column 3 now",
        "column db1.t.added (int) did not exist at T and exists now",
    ]
    assert diff_columns("db1.t", [ID, PRICE], [ID, PRICE]) == []


def test_column_sql_batches_databases_and_quotes_them() -> None:
    sqls = column_sql([f"db{i}" for i in range(150)], 1730107800000000000)
    assert len(sqls) == 2 and "information_schema.columns {MO_TS = 1730107800000000000} WHERE" in sqls[0]
    assert "'db0', 'db1'" in sqls[0] and "'db149'" in sqls[1]
