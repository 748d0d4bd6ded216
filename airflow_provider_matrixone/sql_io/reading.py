"""Reading a scope for verification: one connection, batched statements, and the per-table state.

Why its own module: the sensor, the trigger, the restore operator's plan and ``mo-pitr --verify``
all read the same way (counts, columns, content digests by chunk), and :mod:`.verify` keeps only
the reference model and the capture steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_matrixone.pitr import statements
from airflow_provider_matrixone.pitr.fingerprint import (
    CHUNK_ROWS,
    Aggregate,
    Column,
    chunk_where,
    fingerprint_select,
    table_digest,
)
from airflow_provider_matrixone.pitr.identifiers import quote_contained
from airflow_provider_matrixone.pitr.inventory import column_sql, parse_columns
from airflow_provider_matrixone.pitr.table_state import TableState

from .driver import SYSTEM_DATABASES, typed_driver_errors
from .operations import PitrOperations

__all__ = ["COUNT_BATCH", "FINGERPRINT_BATCH", "TableState"]

#: Key types a window may be ordered by on every supported MatrixOne (see ``_boundaries``).
_WINDOW_KEY_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric",
                               "float", "double", "real", "date", "datetime", "timestamp", "time", "year"})

#: Tables per UNION ALL statement: large enough for few round trips, small enough for the planner.
COUNT_BATCH = 200
FINGERPRINT_BATCH = 50


# ------------------------------------------------------------------------------------------ reading


class BatchReader:
    """Sends batched statements over ONE connection (opened lazily) and counts them.

    ``PitrOperations.execute_many`` opens a connection per call; a capture needs three dependent
    steps (databases, tables, counts), so holding one connection saves two handshakes per read.
    """

    def __init__(self, ops: PitrOperations) -> None:
        self.ops = ops
        self.statements = 0
        self._conn: Any = None

    def __enter__(self) -> BatchReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not hide the real error
                pass

    def run(self, sqls: Sequence[str]) -> list[tuple[list[str], list[tuple[Any, ...]]]]:
        if not sqls:
            return []
        self.statements += len(sqls)
        with typed_driver_errors(on_failure=self.close):
            if self._conn is None:
                self._conn = self.ops._open_connection()
                self.ops.set_autocommit(self._conn, True)  # the hook: MySqlHook's
            results = []
            cur = self._conn.cursor()
            try:
                for sql in sqls:
                    if self.ops.log_sql:
                        self.ops._logger.info("MatrixOne SQL: %s", sql if len(sql) < 300 else sql[:300] + " ...")
                    cur.execute(sql)
                    columns = [d[0] for d in (cur.description or [])]
                    rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
                    results.append((columns, rows))
            finally:
                cur.close()
            return results

    def databases(self, at_ns: int | None) -> list[str]:
        (_, rows), = self.run([statements.show_databases(at_ns)])
        return sorted(str(r[0]) for r in rows if str(r[0]).lower() not in SYSTEM_DATABASES)

    def tables(self, dbs: Sequence[str], at_ns: int | None) -> list[tuple[str, str]]:
        results = self.run([statements.show_tables(db, at_ns) for db in dbs])
        pairs: list[tuple[str, str]] = []
        for db, (_, rows) in zip(dbs, results, strict=True):
            pairs.extend((db, str(r[0])) for r in rows)
        return sorted(pairs)

    def counts(self, pairs: Sequence[tuple[str, str]], at_ns: int | None) -> dict[str, TableState]:
        out: dict[str, TableState] = {}
        sqls = statements.count_rows(list(pairs), at_ns=at_ns, batch_size=COUNT_BATCH) if pairs else []
        for _, rows in self.run(sqls):
            for db_name, table_name, n in rows:
                out[f"{_text(db_name)}.{_text(table_name)}"] = TableState(int(n))
        return out

    def columns(self, pairs: Sequence[tuple[str, str]], at_ns: int | None) -> dict[str, tuple[Column, ...]]:
        """Columns of ``pairs`` at ``at_ns`` from ``information_schema.columns`` (one statement per 100 databases)."""
        dbs = sorted({db for db, _ in pairs})
        rows = [r for _, batch in self.run(column_sql(dbs, at_ns)) for r in batch]
        found = {k.lower(): v for k, v in parse_columns(rows).items()}
        return {f"{db}.{t}": tuple(found.get(f"{db}.{t}".lower(), ())) for db, t in pairs}

    def _boundaries(self, db: str, table: str, key: Column, rows: int, at_ns: int | None,
                    chunk_rows: int) -> list[Any]:
        """The key of every ``chunk_rows``-th row (from the second chunk on), in key order.

        For a numeric or temporal key, one statement numbering the rows in key order, not one
        ``ORDER BY k LIMIT 1 OFFSET n`` per boundary: at T (and on a columnar engine, always) each of
        those is a full scan and sort of the table, so a 10,000,000-row table's 49 boundaries cost 49
        sorts (most of its proof's time on matrixone_lite); ``ROW_NUMBER()`` is one. Any other key
        keeps the per-boundary form: MatrixOne 3.0.0-3.0.8 refuse a window ordered by a non-numeric,
        non-temporal column (1064, its default RANGE frame; fixed in 3.0.9 and 4.0, #23070).
        """
        if rows <= chunk_rows:
            return []
        src = f"{quote_contained(db, 'database')}.{quote_contained(table, 'table')}{_hint(at_ns)}"
        k = "`" + key.name.replace("`", "``") + "`"
        n = int(chunk_rows)
        if key.base_type not in _WINDOW_KEY_TYPES:
            sqls = [f"SELECT {k} FROM {src} ORDER BY {k} LIMIT 1 OFFSET {i * n}"  # noqa: S608 - quoted names
                    for i in range(1, (rows + n - 1) // n)]
            return [_plain(r[0][0]) for _, r in self.run(sqls) if r]
        rn = "fp_rn_" if key.name.lower() == "fp_rn" else "fp_rn"  # never the key's own name
        sql = (f"SELECT {k} FROM (SELECT {k}, ROW_NUMBER() OVER (ORDER BY {k}) AS {rn} FROM {src}) AS fp_keys "  # noqa: S608
               f"WHERE {rn} > 1 AND ({rn} - 1) % {n} = 0 ORDER BY {k}")
        return [_plain(r[0]) for _, batch in self.run([sql]) for r in batch]

    def _chunk_plan(self, name: str, cols: Sequence[Column], rows: int, at_ns: int | None, chunk_rows: int,
                    given: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
        if name in given:
            return [{k: c[k] for k in ("label", "key", "lo", "hi")} for c in given[name]]
        keys = [c for c in cols if c.key.upper() == "PRI"]
        if rows <= chunk_rows or len(keys) != 1:
            return []
        db, table = name.split(".", 1)
        bounds = self._boundaries(db, table, keys[0], rows, at_ns, chunk_rows)
        edges: list[Any] = [None, *bounds, None]
        return [{"label": _label(keys[0].name, lo, hi), "key": keys[0].name, "lo": lo, "hi": hi}
                for lo, hi in zip(edges, edges[1:], strict=False)]

    def states(self, pairs: Sequence[tuple[str, str]], at_ns: int | None, fingerprint: bool, *,
               chunk_rows: int = CHUNK_ROWS, chunks: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
               ) -> dict[str, TableState]:
        """Counts and columns always; with ``fingerprint`` the content digests, by chunk where large.

        The count comes from two methods (``COUNT(*)`` and the fingerprint scan); if they disagree
        the table is *unverifiable* (MatrixOne #21305: identical time-travel reads once differed).
        """
        counts = {k.lower(): v for k, v in self.counts(pairs, at_ns).items()}
        columns = self.columns(pairs, at_ns)
        out: dict[str, TableState] = {}
        selects: list[str] = []
        plans: dict[str, list[dict[str, Any]]] = {}
        for db, table in pairs:
            name = f"{db}.{table}"
            rows, cols = counts.get(name.lower(), TableState(0)).rows, columns.get(name, ())
            out[name] = TableState(rows, columns=cols)
            if not fingerprint:
                continue
            if not cols:
                out[name] = TableState(rows, columns=cols, unverifiable="its columns could not be read")
                continue
            plans[name] = self._chunk_plan(name, cols, rows, at_ns, chunk_rows, chunks or {})
            for c in plans[name] or [{"label": "", "lo": None, "hi": None, "key": ""}]:
                where = chunk_where(c["key"], c["lo"], c["hi"]) if c["key"] else ""
                selects.append(fingerprint_select(db, table, cols, at_ns, label=c["label"], where=where))
        if not selects:
            return out
        aggs: dict[str, dict[str, Aggregate]] = {}
        batches = [" UNION ALL ".join(selects[i : i + FINGERPRINT_BATCH])
                   for i in range(0, len(selects), FINGERPRINT_BATCH)]
        for _, result in self.run(batches):
            for db_name, table_name, label, *agg in result:
                aggs.setdefault(f"{_text(db_name)}.{_text(table_name)}", {})[_text(label)] = Aggregate.from_row(*agg)
        for name, plan in plans.items():
            parts = aggs.get(name, {})
            total = sum(parts.values(), Aggregate())
            st = out[name]
            cols = st.columns or ()
            chunk_states = tuple({**c, "aggregate": parts.get(c["label"], Aggregate()).text()} for c in plan) or None
            problem = None
            if total.rows != st.rows:
                why = "of the same instant (MatrixOne #21305)" if at_ns is not None else "of the current state " \
                      "(the table changed between them)"
                problem = (f"two reads {why} disagree: COUNT(*) read {st.rows} rows and the fingerprint scan read "
                           f"{total.rows}; not averaged")
            out[name] = TableState(st.rows, table_digest(cols, total), cols, chunk_states, problem)
        return out


def _plain(value: Any) -> Any:
    """A chunk boundary as JSON can carry it (ints stay ints, everything else is text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _text(value)


def _label(key: str, lo: Any, hi: Any) -> str:
    if lo is None:
        return f"{key} < {hi!r}" if hi is not None else f"all {key}"
    return f"{key} >= {lo!r}" if hi is None else f"{key} in [{lo!r}, {hi!r})"


def _text(value: Any) -> str:
    return bytes(value).decode() if isinstance(value, (bytes, bytearray)) else str(value)


def _hint(at_ns: int | None) -> str:
    return f" {statements.time_travel_hint(at_ns=at_ns)}" if at_ns is not None else ""


