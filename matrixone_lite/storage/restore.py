"""Restore primitives: rebuild tables, databases, accounts or the whole cluster as of an instant.

Each runs inside the caller's :class:`Tx`, so a restore commits or rolls back as one SQLite
transaction (atomic across ``kill -9``). Restored tables are new catalog rows with new ids; the
replaced objects are stamped dropped and keep their history. Views (their definitions as of the
instant) come back with their database; a table-level restore leaves views alone. Sequences come
back with their database and their value at the instant when the emulated version does it
(``storage/sequences.py``).

Keys, indexes (with their visibility) and foreign keys are part of a table's versioned schema, so
they come back as they were at the instant. Tables are recreated parents first (foreign-key
dependency order), as MatrixOne's ``fkTablesTopoSort`` does. ``RESTORE TABLE`` of a table that
another table's foreign key references follows the emulated version (reference §11.2):
v4.2.0 and older skip it silently and report success (MatrixOne #27117, a known bug emulated on
purpose), newer versions refuse it with ``not supported`` (PR #28126).

Each first takes the logical locks of the scope it replaces (table, database or account of the
target; the cluster), reading the target's catalog again whenever it had to wait for them: a
restore waits only for transactions that wrote inside that scope, never for other tenants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrixone_lite.errors import internal_error, not_supported
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import PENDING
from matrixone_lite.storage.locks import EXCLUSIVE, INTENT, Want
from matrixone_lite.storage.roles import restore_roles
from matrixone_lite.storage.sequences import is_sequence, restores_sequences
from matrixone_lite.storage.txn import CLUSTER, account_key, database_key, in_account, in_database, table_key
from matrixone_lite.storage.views import copy_views_at

if TYPE_CHECKING:
    from matrixone_lite.storage.storage import Storage, Tx


def _fmt(at: int) -> str:
    return str(at)


def _referenced(tx: Tx, account_id: int, database: str, table: str) -> bool:
    """Does a table other than ``database.table`` itself hold a foreign key to it (now)?"""
    for d in cat.get_databases(tx.conn, account_id):
        for t in cat.get_tables(tx.conn, d.id):
            if (d.name, t.name) == (database, table):
                continue
            if any((fk.get("ref_db") or d.name, fk["ref_table"]) == (database, table) for fk in t.schema.foreign_keys):
                return True
    return False


def parents_first(tables: list[cat.TableRow]) -> list[cat.TableRow]:
    """Tables in foreign-key dependency order within one database (self-references ignored)."""
    by_name = {t.name: t for t in tables}
    done: dict[str, cat.TableRow] = {}

    def visit(t: cat.TableRow, path: tuple[str, ...]) -> None:
        if t.name in done or t.name in path:
            return
        for fk in t.schema.foreign_keys:
            parent = by_name.get(fk["ref_table"]) if not fk.get("ref_db") else None
            if parent is not None and parent.name != t.name:
                visit(parent, (*path, t.name))
        done[t.name] = t

    for t in tables:
        visit(t, ())
    return list(done.values())


def restore_table(
    st: Storage, tx: Tx, src_account_id: int, database: str, table: str, at: int, dst_account_id: int,
    refuse_fk_parent: bool = False,
) -> None:
    st.check_readable(at)
    c = tx.conn
    src_dbs = cat.get_databases(c, src_account_id, database, at)
    src_ts = cat.get_tables(c, src_dbs[-1].id, table, at) if src_dbs else []
    if not src_ts:
        raise internal_error(f"database '{database}' table '{table}' does not exists at timestamp: {_fmt(at)}")
    tx.lock(in_account(dst_account_id))
    if _referenced(tx, dst_account_id, database, table):
        if refuse_fk_parent:
            raise not_supported(f"restore table {database}.{table} which is referenced by foreign key constraint")
        return  # v4.2.0: skipped, and the restore reports success (#27117)
    while True:  # lock the table(s) it replaces; after a wait, look again
        wants: list[Want] = []
        for d in cat.get_databases(c, dst_account_id, database):
            wants += in_database(dst_account_id, d.id)
            wants += [(table_key(t.id), EXCLUSIVE) for t in cat.get_tables(c, d.id, table)]
        if not tx.lock(wants):
            break
    dst_dbs = cat.get_databases(c, dst_account_id, database)
    dst_db = dst_dbs[-1] if dst_dbs else st.create_database(tx, dst_account_id, database)
    for cur in cat.get_tables(c, dst_db.id, table):
        st.drop_table(tx, cur, dst_account_id, database, notify=False)
    st.copy_table_at(tx, src_ts[-1], at, dst_db.id)


def _rebuild_database(st: Storage, tx: Tx, src_db: cat.DatabaseRow, at: int, dst_account_id: int) -> None:
    new_db = st.create_database(tx, dst_account_id, src_db.name)
    tables = cat.get_tables(tx.conn, src_db.id, None, at)
    # sequences first, with their row (last_seq_num, is_called) as of ``at``: MatrixOne main (#27401);
    # up to v4.2.0 MatrixOne silently dropped them (#27049), so they are left out there. Then tables,
    # parents before the children whose foreign keys reference them.
    seqs = sorted((t for t in tables if is_sequence(t)), key=lambda t: t.id) if restores_sequences(st) else []
    for t in seqs + parents_first([t for t in tables if not is_sequence(t)]):
        st.copy_table_at(tx, t, at, new_db.id)
    copy_views_at(tx, src_db.id, at, new_db.id)  # after the tables, as MatrixOne orders them


def restore_database(
    st: Storage, tx: Tx, src_account_id: int, database: str, at: int, dst_account_id: int
) -> None:
    st.check_readable(at)
    c = tx.conn
    src_dbs = cat.get_databases(c, src_account_id, database, at)
    if not src_dbs:
        raise internal_error(f"database '{database}' does not exists at timestamp: {_fmt(at)}")
    tx.lock(in_account(dst_account_id))
    while tx.lock([(database_key(d.id), EXCLUSIVE) for d in cat.get_databases(c, dst_account_id, database)]):
        pass  # it waited: read the target's databases again
    for cur in cat.get_databases(c, dst_account_id, database):
        st.drop_database(tx, cur, notify=False)
    _rebuild_database(st, tx, src_dbs[-1], at, dst_account_id)


def restore_account(
    st: Storage, tx: Tx, src_account_id: int, at: int, dst_account_id: int, users: bool | None = None
) -> None:
    """Drop every database of the target, recreate the source's databases as of ``at``.

    Users roll back to ``at`` when restoring in place (or ``users=True``); restoring into another
    account keeps the target's users so its admin can still log in. Roles, grants and role
    memberships always become the source's at ``at`` (storage/roles.py).
    """
    st.check_readable(at)
    tx.lock([(CLUSTER, INTENT), (account_key(dst_account_id), EXCLUSIVE)])
    c = tx.conn
    src_dbs = cat.get_databases(c, src_account_id, None, at)
    for cur in cat.get_databases(c, dst_account_id):
        st.drop_database(tx, cur, notify=False)
    for db in src_dbs:
        _rebuild_database(st, tx, db, at, dst_account_id)
    roll_users = users if users is not None else src_account_id == dst_account_id
    if roll_users:
        old = cat.get_users(c, src_account_id, None, at)
        if old:
            tx.catalog_dirty = True
            tx.execute(
                "UPDATE __mo_users SET dropped_ts = -1 WHERE account_id = ? AND dropped_ts IS NULL",
                (dst_account_id,),
            )
            for u in old:
                tx.execute(
                    "INSERT INTO __mo_users(account_id, name, auth_string, default_role, created_ts) "
                    "VALUES (?,?,?,?,?)",
                    (dst_account_id, u.name, u.auth_string, u.default_role, PENDING),
                )
    restore_roles(tx, src_account_id, at, dst_account_id, in_place=bool(roll_users))  # after the users


def restore_cluster(st: Storage, tx: Tx, at: int) -> None:
    """Every account that existed at ``at`` comes back as it was; later accounts are dropped."""
    st.check_readable(at)
    tx.lock([(CLUSTER, EXCLUSIVE)])
    c = tx.conn
    then = cat.get_accounts(c, None, at)
    names_then = {a.name for a in then}
    for acc in then:
        cur = cat.get_accounts(c, acc.name)
        if cur:
            dst = cur[-1]
            restore_account(st, tx, acc.id, at, dst.id, users=True)
        else:
            tx.catalog_dirty = True
            new_id = None if cat.get_account_by_id(c, acc.id) else acc.id
            row = st._insert_account(tx, acc.name, new_id)
            restore_account(st, tx, acc.id, at, row.id, users=True)
    for acc in cat.get_accounts(c):
        if acc.name not in names_then and acc.id != 0:
            st.drop_account(tx, acc.name)
