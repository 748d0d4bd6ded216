"""FOREIGN KEY constraints over TCP with PyMySQL and mysqlclient (issue 11, point 4).

Before this, foreign keys were accepted and never enforced: an orphan child row was stored, a
referenced parent could be deleted or dropped. Expected errors and results follow MatrixOne's
``test/distributed/cases/foreign_key/fk_base.result`` and ``pkg/common/moerr/error.go``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.lite.engine.test_keys_indexes import DRIVERS, conn, err, q

__all__ = ["DRIVERS", "conn"]  # the driver-parametrised fixture, shared with test_keys_indexes.py

CHILD = (1452, "Cannot add or update a child row: a foreign key constraint fails")
PARENT_DELETE = (20101, "internal error: Cannot delete or update a parent row: a foreign key constraint fails")
PARENT_UPDATE = (1217, "Cannot delete or update a parent row: a foreign key constraint fails")


def _parent(conn: Any) -> None:
    q(conn, "create table f1 (a int primary key, b int unique key)")
    q(conn, "insert into f1 values (1, 1), (2, 2), (3, 3)")


def test_restrict_errors_as_matrixone(conn: Any) -> None:
    _parent(conn)
    q(conn, "create table c1 (a int, b int, foreign key f_a (a) references f1 (a))")
    q(conn, "insert into c1 values (1, 1), (2, 2), (3, 3)")
    assert err(conn, "insert into c1 values (9, 9)") == CHILD
    q(conn, "insert into c1 values (null, 9)")  # a NULL key needs no parent (MATCH SIMPLE)
    assert err(conn, "delete from f1 where a > 1") == PARENT_DELETE
    assert err(conn, "update f1 set a = 11 where b = 1") == PARENT_UPDATE
    assert err(conn, "update c1 set a = 11 where b = 1") == CHILD
    q(conn, "update c1 set a = 3 where b = 2")
    assert q(conn, "select a, b from c1 order by b") == [(1, 1), (3, 2), (3, 3), (None, 9)]
    assert q(conn, "select count(*) from f1") == [(3,)]  # the refused statements changed nothing
    assert err(conn, "drop table f1") == (
        20101, "internal error: can not drop table 'f1' referenced by some foreign key constraint")
    assert err(conn, "truncate f1") == (
        20101, "internal error: can not truncate table 'f1' referenced by some foreign key constraint")
    q(conn, "delete from f1 where a = 2")  # no child row points at 2 any more
    q(conn, "drop table c1")
    q(conn, "drop table f1")


def test_cascade_and_set_null(conn: Any) -> None:
    _parent(conn)
    q(conn, "create table c1 (a int, b int unique, foreign key (a) references f1 (a) on delete cascade)")
    q(conn, "create table c2 (x int, foreign key (x) references c1 (b) on delete cascade)")
    q(conn, "create table c3 (y int, constraint fk_y foreign key (y) references f1 (b) on delete set null "
            "on update set null)")
    q(conn, "insert into c1 values (1, 1), (2, 2), (3, 3)")
    q(conn, "insert into c2 values (2), (3)")
    q(conn, "insert into c3 values (1), (2)")
    q(conn, "delete from f1 where a > 1")
    assert q(conn, "select a, b from c1") == [(1, 1)]
    assert q(conn, "select x from c2") == []  # cascaded two levels
    assert q(conn, "select y from c3 order by y") == [(None,), (1,)]
    q(conn, "update f1 set b = 10 where a = 1")
    assert q(conn, "select y from c3") == [(None,), (None,)]
    assert err(conn, "create table c4 (z int, foreign key (z) references f1 (a) on update cascade)") == (
        20105, "not supported: ON UPDATE CASCADE")


def test_failed_statement_in_a_transaction_undoes_only_itself(conn: Any) -> None:
    _parent(conn)
    q(conn, "create table c1 (a int, foreign key (a) references f1 (a) on delete cascade)")
    q(conn, "insert into c1 values (1), (2)")
    q(conn, "begin")
    q(conn, "insert into c1 values (3)")
    assert err(conn, "insert into c1 values (1), (7)") == CHILD  # half valid: nothing of it stays
    q(conn, "delete from f1 where a = 2")  # cascades inside the transaction
    q(conn, "commit")
    assert q(conn, "select a from c1 order by a") == [(1,), (3,)]


def test_foreign_key_checks_per_session(conn: Any) -> None:
    _parent(conn)
    q(conn, "create table c1 (a int, foreign key (a) references f1 (a))")
    q(conn, "set foreign_key_checks = 0")
    q(conn, "insert into c1 values (42)")
    q(conn, "delete from f1 where a = 1")
    q(conn, "set foreign_key_checks = 1")
    assert err(conn, "insert into c1 values (43)") == CHILD
    assert q(conn, "select a from c1") == [(42,)]


def test_definition_errors_and_metadata(conn: Any) -> None:
    _parent(conn)
    assert err(conn, "create table c (a int, foreign key (a) references f1 (zz))") == (
        20101, "internal error: column 'zz' no exists in table 'f1'")
    assert err(conn, "create table c (a varchar(5), foreign key (a) references f1 (a))") == (
        20101, "internal error: type of reference column 'a' is not match for column 'a'")
    q(conn, "create table g (a int, b int)")
    assert err(conn, "create table c (a int, foreign key (a) references g (b))") == (
        20101, "internal error: failed to add the foreign key constraint")
    q(conn, "create table c (id int primary key, pa int, pb int, constraint fk_c foreign key (pa) references f1 (a) "
            "on delete cascade)")
    q(conn, "alter table c add constraint fk_b foreign key (pb) references f1 (b)")
    text = q(conn, "show create table c")[0][1]
    assert "  CONSTRAINT `fk_c` FOREIGN KEY (`pa`) REFERENCES `f1` (`a`) ON DELETE CASCADE ON UPDATE RESTRICT" in text
    assert "  CONSTRAINT `fk_b` FOREIGN KEY (`pb`) REFERENCES `f1` (`b`) ON DELETE RESTRICT ON UPDATE RESTRICT" in text
    assert q(conn, "select constraint_name, table_name, column_name, referenced_table_name, referenced_column_name, "
                   "ordinal_position from information_schema.key_column_usage order by constraint_name") == [
        ("fk_b", "c", "pb", "f1", "b", 1), ("fk_c", "c", "pa", "f1", "a", 1)]
    assert q(conn, "select constraint_name, update_rule, delete_rule, referenced_table_name "
                   "from information_schema.referential_constraints order by constraint_name") == [
        ("fk_b", "RESTRICT", "RESTRICT", "f1"), ("fk_c", "RESTRICT", "CASCADE", "f1")]
    q(conn, "alter table c drop foreign key fk_b")
    q(conn, "insert into c values (1, 1, 99)")  # fk_b is gone
    assert err(conn, "insert into c values (2, 99, 1)") == CHILD


@pytest.mark.parametrize("sql", [
    "replace into f1 values (4, 1)",  # replaces (1, 1) through the unique key b: parent key 1 is gone
    "insert into f1 values (1, 1) on duplicate key update a = 7",
])
def test_replace_and_upsert_on_a_parent(conn: Any, sql: str) -> None:
    _parent(conn)
    q(conn, "create table c1 (a int, foreign key (a) references f1 (a))")
    q(conn, "insert into c1 values (1)")
    code, _ = err(conn, sql)
    assert code in (PARENT_DELETE[0], PARENT_UPDATE[0])
    assert q(conn, "select a, b from f1 order by a") == [(1, 1), (2, 2), (3, 3)]
    q(conn, "replace into f1 values (1, 5)")  # key 1 is still there afterwards: allowed
    assert q(conn, "select a, b from f1 where a = 1") == [(1, 5)]


def test_bulk_insert_fast_path_is_checked(conn: Any) -> None:
    """A multi-kilobyte INSERT takes the no-sqlglot path (sql/bulk_insert.py): its rows are checked too."""
    _parent(conn)
    q(conn, "create table c1 (a int, b varchar(40), foreign key (a) references f1 (a))")
    pad = "x" * 30
    good = ", ".join(f"({1 + i % 3}, '{pad}')" for i in range(1500))
    assert len(good) > 32768
    assert err(conn, f"insert into c1 values {good}, (9, 'orphan')") == CHILD
    assert q(conn, "select count(*) from c1") == [(0,)]
    q(conn, f"insert into c1 values {good}")
    assert q(conn, "select count(*) from c1") == [(1500,)]
