"""DDL of tables and databases: CREATE/DROP DATABASE, CREATE TABLE [AS SELECT], DROP TABLE,
TRUNCATE, ALTER TABLE and CREATE/DROP INDEX (views and sequences: ``sql/views.py``,
``sql/sequences.py``).

Each runs in its own transaction through ``_ddl`` (MySQL's implicit commit); ALTER and index DDL
are versioned rebuilds, so reads and restores at instants before them still see the old shape.
"""

from __future__ import annotations

import re

from sqlglot import exp

from matrixone_lite.errors import (
    MOError,
    database_exists,
    internal_error,
    not_supported,
    syntax_error,
    table_exists,
)
from matrixone_lite.execution.names import QNAME, NameResolution, qname
from matrixone_lite.results import Result, column_of
from matrixone_lite.sql import foreign_keys, sequences, views
from matrixone_lite.sql.ddl import (
    alter_schema,
    schema_from_columns,
    schema_from_create,
    show_create,
    with_index,
    without_index,
)
from matrixone_lite.sql.hints import Hint
from matrixone_lite.sql.projections import alias_projections
from matrixone_lite.sql.show import IDENT, unquote_ident
from matrixone_lite.sql.translate import Translated, translate
from matrixone_lite.statements import Statement
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import ColumnDef, DatabaseRow, TableRow, TableSchema
from matrixone_lite.storage.physical import qi, table_names
from matrixone_lite.storage.storage import Tx

_ID = IDENT
RE_CREATE_DB = re.compile(
    rf"^CREATE\s+(?:DATABASE|SCHEMA)\s+(?P<ine>IF\s+NOT\s+EXISTS\s+)?(?P<db>{_ID})(?:\s+.*)?$", re.I | re.S
)
RE_DROP_DB = re.compile(rf"^DROP\s+(?:DATABASE|SCHEMA)\s+(?P<ie>IF\s+EXISTS\s+)?(?P<db>{_ID})$", re.I)
RE_DROP_TABLE = re.compile(r"^DROP\s+TABLE\s+(?P<ie>IF\s+EXISTS\s+)?(?P<names>.+)$", re.I | re.S)
RE_TRUNCATE = re.compile(rf"^TRUNCATE\s+(?:TABLE\s+)?{QNAME}$", re.I)


class DdlStatements(NameResolution):
    """Table and database DDL (mixed into ``EngineSession``)."""

    def _ddl_statement(self, st: Statement) -> Result | None:
        """DDL recognised by its classification and run without sqlglot; None: the general path."""
        text = st.body
        if st.head == "CREATE" and st.obj in ("DATABASE", "SCHEMA"):
            return self._create_database(text)
        if st.head == "DROP":
            if st.obj in ("DATABASE", "SCHEMA"):
                return self._drop_database(text)
            m = RE_DROP_TABLE.match(text) if st.obj == "TABLE" else None
            if m:
                return self._drop_tables(m)
        if st.head == "TRUNCATE":
            m = RE_TRUNCATE.match(text)
            if not m:
                raise syntax_error(text[:40], 9)
            return self._truncate(*qname(m))
        return None

    def _create_database(self, text: str) -> Result:
        m = RE_CREATE_DB.match(text)
        if not m:
            raise syntax_error(text[:40], 0)
        name = unquote_ident(m.group("db")).lower()
        exists = name in self._system_dbs or bool(cat.get_databases(self.conn, self.account_id, name))
        if exists:
            if m.group("ine"):
                return Result()
            raise database_exists(name)

        def run(tx: Tx) -> Result:
            self.storage.create_database(tx, self.account_id, name)
            return Result(None, [], 1)

        return self._ddl(run)

    def _drop_database(self, text: str) -> Result:
        m = RE_DROP_DB.match(text)
        if not m:
            raise syntax_error(text[:40], 0)
        name = unquote_ident(m.group("db")).lower()
        if name in self._system_dbs:
            raise internal_error(f"can not drop database '{name}' which is system database")
        rows = cat.get_databases(self.conn, self.account_id, name)
        if not rows:
            if m.group("ie"):
                return Result()
            raise MOError(1008, f"Can't drop database '{name}'; database doesn't exist")

        def run(tx: Tx) -> Result:
            n = len(cat.get_tables(tx.conn, rows[-1].id))
            self.storage.drop_database(tx, rows[-1])
            return Result(None, [], n)

        res = self._ddl(run)
        if self.database == name:
            self.database = None
        return res

    def _drop_tables(self, m: re.Match[str]) -> Result:
        items = re.findall(rf"({_ID})(?:\s*\.\s*({_ID}))?", m.group("names"))
        targets: list[tuple[DatabaseRow, TableRow]] = []
        for a, b in items:
            db, name = (None, unquote_ident(a).lower()) if not b else (unquote_ident(a).lower(), unquote_ident(b).lower())
            try:
                targets.append(self._table(db, name))
            except MOError as e:
                if m.group("ie") and e.code in (1146, 1049):
                    continue
                raise
        sequences.refuse_drop_table([t for _, t in targets])
        foreign_keys.check_drop(self._me, targets)

        def run(tx: Tx) -> Result:
            for d, t in targets:
                self.storage.drop_table(tx, t, self.account_id, d.name)
            return Result()

        return self._ddl(run)

    def _truncate(self, db: str | None, name: str) -> Result:
        d, t = self._table(db, name)
        foreign_keys.check_drop(self._me, [(d, t)], "truncate")
        tname, _ = table_names(t.id)

        def run(tx: Tx) -> Result:
            tx.touch(t.id)
            tx.execute(f"DELETE FROM {tname}")  # noqa: S608 - internal name
            tx.execute("DELETE FROM sqlite_sequence WHERE name = ?", (tname,))
            return Result()

        return self._ddl(run)

    def _create_table(self, tree: exp.Create, text: str, sql: str, hints: list[Hint]) -> Result:
        table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        if not isinstance(table, exp.Table):
            raise syntax_error(text[:40], 0)
        name = table.name.lower()
        d = self._db(table.db or None)
        if cat.get_tables(self.conn, d.id, name) or views.find(self._me, d.name, name):
            if tree.args.get("exists"):
                return Result()
            raise table_exists(name)
        query = tree.expression
        if query is None:
            schema = schema_from_create(tree)
            foreign_keys.validate(self._me, d.name, name, schema)

            def run(tx: Tx) -> Result:
                self.storage.create_table(tx, d.id, name, schema, show_create(name, schema))
                return Result()

            return self._ddl(run)
        # CREATE TABLE ... AS SELECT
        if isinstance(query, exp.Select):
            alias_projections(query, sql[sql.upper().find("SELECT") :] if "SELECT" in sql.upper() else sql)
        tr = translate(query, self._ctx(hints))
        probe = self.conn.execute(f"SELECT * FROM ({tr.sql}) LIMIT 0")  # noqa: S608 - translated SQL
        names = [c[0] for c in probe.description or []]
        types = tr.types if not tr.star and len(tr.types) == len(names) else [None] * len(names)
        known = tr.source_columns if tr.source_columns is not None and len(tr.source_columns) == len(names) else None
        src_types: list[tuple[str, int | None]] = []
        for i, (n, t) in enumerate(zip(names, types, strict=True)):
            if known is not None and known[i] is not None:
                src_types.append(("VARCHAR", None))  # replaced by the source column below
            else:
                src_types.append(t if t is not None else self._star_type(tr, n))
        schema = schema_from_columns(names, src_types)
        if tr.source_columns is not None and len(tr.source_columns) == len(names):
            # like MySQL, a column copied unchanged keeps its type, NULL-ability and default
            for i, src in enumerate(tr.source_columns):
                if src is not None:
                    schema.columns[i] = ColumnDef(
                        names[i], src.type, src.type_text, src.scale, src.nullable,
                        None if src.default is None else src.default, False,
                    )

        def run_ctas(tx: Tx) -> Result:
            new = self.storage.create_table(tx, d.id, name, schema, show_create(name, schema))
            tname, _ = table_names(new.id)
            cols = ", ".join(qi(n) for n in names)
            cur = tx.execute(f"INSERT INTO {tname} ({cols}) SELECT * FROM ({tr.sql})")  # noqa: S608
            return Result(None, [], max(cur.rowcount, 0))

        return self._ddl(run_ctas)

    def _alter_table(self, tree: exp.Alter) -> Result:
        """ALTER TABLE as a versioned rebuild: a new catalog table (new schema, current rows) replaces
        the old one, so reads and restores at instants before the ALTER still see the old shape."""
        if str(tree.args.get("kind", "")).upper() != "TABLE" or not isinstance(tree.this, exp.Table):
            raise not_supported("ALTER")
        d, old = self._table(tree.this.db or None, tree.this.name)
        schema, mapping, new_name = alter_schema(old.schema, list(tree.args.get("actions") or []))
        name = new_name or old.name
        if new_name and new_name != old.name and cat.get_tables(self.conn, d.id, new_name):
            raise table_exists(new_name)
        foreign_keys.validate(self._me, d.name, name, schema)

        return self._rebuild(d, old, name, schema, mapping)

    def _rebuild(
        self, d: DatabaseRow, old: TableRow, name: str, schema: TableSchema, mapping: list[tuple[str, str | None]]
    ) -> Result:
        """Replace ``old`` by a new catalog table with ``schema`` holding its current rows."""

        def run(tx: Tx) -> Result:
            self.storage.drop_table(tx, old, self.account_id, d.name, notify=False)
            new = self.storage.create_table(tx, d.id, name, schema, show_create(name, schema))
            t_new, _ = table_names(new.id)
            t_old, _ = table_names(old.id)
            cols, exprs = [], []
            for col_name, src in mapping:
                if src is None:
                    continue  # added column: its DEFAULT (or NULL) applies
                cols.append(qi(col_name))
                exprs.append(qi(src))
            if cols:
                tx.execute(
                    f"INSERT INTO {t_new} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {t_old}"  # noqa: S608
                )
            return Result()

        return self._ddl(run)

    def _index_ddl(self, tree: exp.Expression) -> Result:
        """CREATE [UNIQUE] INDEX / DROP INDEX: a versioned rebuild with the index in the schema."""
        if isinstance(tree, exp.Create):
            idx = tree.this
            table = idx.args.get("table") if isinstance(idx, exp.Index) else None
            params = idx.args.get("params") if isinstance(idx, exp.Index) else None
            if not isinstance(table, exp.Table) or params is None:
                raise not_supported("CREATE INDEX form")
            cols = [(c.this if isinstance(c, exp.Ordered) else c).name for c in params.args.get("columns") or []]
            d, old = self._table(table.db or None, table.name)
            schema = with_index(old.schema, idx.name, cols, bool(tree.args.get("unique")))
        else:
            on = tree.args.get("cluster")
            table = on.this if isinstance(on, exp.OnProperty) else None
            targets = tree.args.get("tables") or []
            if not isinstance(table, exp.Table) or not targets:
                raise not_supported("DROP INDEX without ON table")
            d, old = self._table(table.db or None, table.name)
            schema = without_index(old.schema, targets[0].name)
        mapping: list[tuple[str, str | None]] = [(c.name, c.name) for c in schema.columns]
        return self._rebuild(d, old, old.name, schema, mapping)

    def _star_type(self, tr: Translated, name: str) -> tuple[str, int | None]:
        probe = self.conn.execute(f"SELECT * FROM ({tr.sql}) LIMIT 1").fetchone()  # noqa: S608
        if probe is None:
            return ("VARCHAR", None)
        cur = self.conn.execute(f"SELECT * FROM ({tr.sql}) LIMIT 1")  # noqa: S608
        names = [c[0] for c in cur.description or []]
        v = probe[names.index(name)] if name in names else None
        c = column_of(name, 0, [(v,)], None)
        return (c.type, c.scale)

