"""Names MatrixOne allows that an ASCII-only rule used to refuse: the shared fixture data.

Why shared: the same names must work the same way through the hook, the operators, the sensor,
``mo-pitr`` and the sample DAGs (reference §2.9: anything but space, tab and quotes, back-quoted).
``order items`` can only be *contained* in a scope (MatrixOne refuses it as a restore target),
the others can also be named.
"""

from __future__ import annotations

from typing import Any

from tests.provider.support import tenant_sql

ODD_DB = "订单"
ODD_DB2 = "select"
#: (database, table, rows at T): every one exists at T with these counts.
ODD_TABLES: list[tuple[str, str, int]] = [
    (ODD_DB, "order items", 3),
    (ODD_DB, "select", 2),
    (ODD_DB, "$%^#", 1),
    (ODD_DB2, ODD_DB, 4),
]


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def add_odd_objects(server: Any, account: str) -> None:
    """Create the odd databases/tables in ``account`` and fill them (rows as in ODD_TABLES)."""
    sqls = [f"create database {q(ODD_DB)}", f"create database {q(ODD_DB2)}"]
    for db, table, rows in ODD_TABLES:
        sqls.append(f"create table {q(db)}.{q(table)} (id int primary key, `order` varchar(20))")
        values = ", ".join(f"({i}, 'v{i}')" for i in range(1, rows + 1))
        sqls.append(f"insert into {q(db)}.{q(table)} values {values}")
    tenant_sql(server, account, sqls)


def damage_odd_objects(server: Any, account: str) -> None:
    """The incident after T: rows deleted, one table dropped, one database dropped."""
    tenant_sql(server, account, [
        f"delete from {q(ODD_DB)}.{q('order items')} where id > 1",
        f"drop table {q(ODD_DB)}.{q('$%^#')}",
        f"drop database {q(ODD_DB2)}",
        f"insert into {q(ODD_DB)}.{q('select')} values (99, 'late')",
    ])


def odd_counts(server: Any, account: str) -> dict[tuple[str, str], int | None]:
    """Current row count of every odd table (None when it does not exist)."""
    dbs = {r[0] for r in tenant_sql(server, account, ["show databases"])}
    out: dict[tuple[str, str], int | None] = {}
    for db, table, _ in ODD_TABLES:
        tables = {r[0] for r in tenant_sql(server, account, [f"show tables from {q(db)}"])} if db in dbs else set()
        out[(db, table)] = (tenant_sql(server, account, [f"select count(*) from {q(db)}.{q(table)}"])[0][0]
                            if table in tables else None)
    return out


def expected_at_t() -> dict[tuple[str, str], int | None]:
    return {(db, table): rows for db, table, rows in ODD_TABLES}
