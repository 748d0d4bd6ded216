"""Pure tests of the verification domain: compare(), the report renderer, Reference round trips."""

from __future__ import annotations

import json

import pytest

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.fingerprint import Column, encode_column, fingerprint_select
from airflow_provider_matrixone.pitr.models import Level, Scope
from airflow_provider_matrixone.pitr.verify import (
    CurrentState,
    Reference,
    TableState,
    compare,
    parse_table_names,
    reference_from_counts,
)


def _ref(**tables: int) -> Reference:
    return Reference(
        scope=Scope.build("account", account="acc1"),
        tables={k.replace("__", "."): TableState(v) for k, v in tables.items()},
        at_utc="2024-10-28T09:30:00Z",
        at_ns=1730107800000000000,
        databases=("db1", "db2"),
        account="acc1",
        complete=True,
    )


def _state(databases: tuple[str, ...] = ("db1", "db2"), **tables: int | tuple[int, str]) -> CurrentState:
    states = {}
    for k, v in tables.items():
        states[k.replace("__", ".")] = TableState(v[0], v[1]) if isinstance(v, tuple) else TableState(v)
    return CurrentState(tables=states, databases=databases, account="acc1", read_at_utc="2024-10-28T10:00:00Z",
                        statements=4, duration_s=0.01)


def test_pass_when_everything_matches() -> None:
    report = compare(_ref(db1__products=9, db2__orders=3), _state(db1__products=9, db2__orders=3))
    assert report.status == "pass" and report.verdict == "VERIFIED"
    assert [r.verdict for r in report.results] == ["VERIFIED", "VERIFIED"]
    assert report.counts()["VERIFIED"] == 2 and report.statements == 4


def test_missing_table_means_wait_even_with_other_mismatches() -> None:
    report = compare(_ref(db1__products=9, db2__orders=3), _state(db1__products=4))
    assert report.status == "wait" and report.verdict == "MISMATCH"
    assert {r.name: r.kind for r in report.results} == {"db1.products": "count_mismatch", "db2.orders": "missing"}
    assert "table db1.products had 9 rows at T and has 4 now" in report.reasons()


def test_count_mismatch_and_unexpected_fail() -> None:
    report = compare(_ref(db1__products=9), _state(databases=("db1", "db3"), db1__products=9, db3__t=1))
    assert report.status == "wait"  # db2 existed at T and is missing: a running restore may still bring it
    assert {r.name: r.kind for r in report.results} == {"db1.products": "ok", "db3.t": "unexpected",
                                                        "db2": "missing", "db3": "unexpected"}
    assert report.unexpected_databases == ("db3",)
    text = report.render(only_problems=True)
    assert "table db3.t did not exist at T and exists now" in text
    assert "database db2 existed at T and is missing now" in text and "db1.products" not in text.split("\n", 3)[-1]


def test_unexpected_only_counts_for_complete_references() -> None:
    ref = reference_from_counts({"db2.orders": 3}, account="acc1")
    assert ref.complete is False
    assert compare(ref, _state(db1__products=1, db2__orders=3)).status == "pass"
    assert compare(ref, _state(db2__orders=2)).status == "fail"


def test_fingerprint_mismatch_with_equal_counts() -> None:
    ref = Reference(scope=Scope.build("table", database="db1", table="t"), tables={"db1.t": TableState(2, "2:10")},
                    account="acc1", fingerprint=True)
    report = compare(ref, _state(db1__t=(2, "2:11")))
    assert report.status == "fail" and report.results[0].kind == "fingerprint_mismatch"
    assert report.verdict == "MISMATCH" and "fingerprint 2:10 at T, 2:11 now" in report.render()
    assert compare(ref, _state(db1__t=(2, "2:10"))).status == "pass"


def test_render_is_an_aligned_table() -> None:
    report = compare(_ref(db1__products=9, db2__orders=3), _state(db1__products=10, db2__orders=3))
    lines = report.render().splitlines()
    assert lines[0] == ("verification MISMATCH: 2 objects (1 VERIFIED, 1 MISMATCH); "
                        "compared counts and columns only")
    header = next(i for i, line in enumerate(lines) if line.startswith("object"))
    assert set(lines[header + 1].replace(" ", "")) == {"-"}
    row = lines[header + 2].split()
    assert row == ["db1.products", "9", "10", "MISMATCH"]
    assert "  MISMATCH: table db1.products had 9 rows at T and has 10 now" in lines


def test_reference_round_trips_through_json_and_repr() -> None:
    ref = _ref(db1__products=9, db2__orders=3)
    text = json.dumps(ref.to_dict())
    assert Reference.from_dict(text) == ref
    assert Reference.from_dict(str(ref.to_dict())) == ref  # XCom rendered without native objects
    assert Reference.from_dict({"plan": {}, "reference": ref.to_dict()}) == ref  # the restore operator's XCom
    assert ref.to_dict()["scope"] == {"level": "account", "account": "acc1", "database": None, "table": None}


@pytest.mark.parametrize(
    "bad",
    ["not json {", {"tables": {"db1": 3}}, {"tables": {"db1.t": -1}}, {"tables": {"db1.t\x00": 1}}, {"tables": {".t": 1}}, 42,
     "__import__('os').system('true')"],
)
def test_bad_references_are_refused(bad: object) -> None:
    with pytest.raises(errors.InvalidInput):
        Reference.from_dict(bad)


def test_expected_counts_and_table_names_are_validated() -> None:
    assert reference_from_counts('{"db2.orders": "3"}').tables == {"db2.orders": TableState(3)}
    with pytest.raises(errors.InvalidInput, match="expected_counts"):
        reference_from_counts({"db2.orders": -3})
    with pytest.raises(errors.InvalidInput, match="database.table"):
        reference_from_counts({"orders": 3})
    assert parse_table_names("db2.orders, db1.products") == [("db1", "products"), ("db2", "orders")]
    with pytest.raises(errors.InvalidInput):
        parse_table_names(["db1.`x`"])


def test_fingerprint_sql_encodes_each_type_exactly_and_quotes_names() -> None:
    cols = [Column("id", "int", False, None, 1, "PRI"), Column("we`ird", "varchar(5)", True, None, 2),
            Column("d", "double", True, None, 3), Column("b", "varbinary(4)", True, None, 4),
            Column("j", "json", True, None, 5)]
    sql = fingerprint_select("db1", "t0", cols, 1730107800000000000)
    assert "IFNULL(CAST(`id` AS CHAR), 'N')" in sql and "IFNULL(HEX(`we``ird`), 'N')" in sql
    assert "CAST(`d` - CAST(CAST(`d` AS CHAR) AS DOUBLE) AS CHAR)" in sql  # the exact residual of a DOUBLE
    assert "IFNULL(HEX(`b`), 'N')" in sql and "HEX(CAST(`j` AS CHAR))" in sql
    assert "SUM(a) AS sa" in sql and "BIT_XOR(a) AS xa" in sql and "`db1`.`t0` {MO_TS = 1730107800000000000}" in sql
    with pytest.raises(errors.InvalidInput):
        encode_column(Column("a\nb", "int", True, None, 1))


def test_reference_with_content_round_trips() -> None:
    cols = (Column("id", "int", False, None, 1, "PRI"),)
    chunks = ({"label": "id < 5", "key": "id", "lo": None, "hi": 5, "aggregate": "4:1:2:3:4"},)
    ref = Reference(scope=Scope.build("table", database="db1", table="t"),
                    tables={"db1.t": TableState(9, "9:ab", cols, chunks, None)}, account="acc1", fingerprint=True)
    assert Reference.from_dict(json.dumps(ref.to_dict())) == ref


def test_verify_module_has_no_airflow_import() -> None:
    import airflow_provider_matrixone.pitr.restore_plan as plan_mod
    import airflow_provider_matrixone.pitr.verify as verify_mod

    for mod in (verify_mod, plan_mod):
        source = open(mod.__file__ or "").read()
        assert "import airflow\n" not in source and "from airflow." not in source
    assert Level.CLUSTER.value == "cluster"
