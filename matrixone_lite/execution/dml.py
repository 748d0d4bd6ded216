"""INSERT / UPDATE / DELETE / REPLACE once translated: the write, its row counts and its errors.

Runs inside the session's write transaction (``transactions.py``): the statement is logged for a
replay, foreign keys are checked after the write (``sql/foreign_keys.py``), and a duplicate key
is reported with the value, as MatrixOne does.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from matrixone_lite.errors import MOError, duplicate_entry
from matrixone_lite.execution.errors import integrity_error
from matrixone_lite.execution.names import NameResolution
from matrixone_lite.results import Result
from matrixone_lite.sql import foreign_keys
from matrixone_lite.sql.translate import Translated
from matrixone_lite.storage.physical import qi, table_names


class DmlExecution(NameResolution):
    """Translated write statements (mixed into ``EngineSession``)."""

    last_insert_id: int

    def _upsert_conflicts(self, tr: Translated, params: dict[str, Any]) -> int:
        """How many VALUES rows of an upsert hit an existing key (MySQL reports them as 2 rows)."""
        if tr.target is None or not tr.insert_values:
            return 0
        sch = tr.target.schema
        keys = [k for k in [sch.primary_key, *sch.unique] if k]
        keys += [i["columns"] for i in sch.indexes if i.get("unique")]
        cols = [c.lower() for c in tr.insert_columns]
        keys = [k for k in keys if all(c.lower() in cols for c in k)]
        if not keys:
            return 0
        tname, _ = table_names(tr.target.id)
        seen: set[tuple[int, tuple[Any, ...]]] = set()
        hits = 0
        for row in tr.insert_values:
            vals = self.conn.execute("SELECT " + ", ".join(row), params).fetchone() or ()
            hit = False
            for ki, key in enumerate(keys):
                kv = tuple(vals[cols.index(c.lower())] for c in key)
                where = " AND ".join(f"{qi(c)} = ?" for c in key)
                if (ki, kv) in seen or self.conn.execute(
                    f"SELECT 1 FROM {tname} WHERE {where}", kv  # noqa: S608 - quoted identifiers
                ).fetchone():
                    hit = True
                seen.add((ki, kv))
            hits += hit
        return hits

    def _duplicate(self, e: sqlite3.IntegrityError, tr: Translated, params: dict[str, Any]) -> MOError:
        """1062 naming the duplicate value (found by probing the INSERT's literal rows)."""
        msg = str(e)
        if "UNIQUE constraint failed" not in msg or tr.target is None or not tr.insert_values:
            return integrity_error(e)
        keys = [c.split(".")[-1].strip() for c in msg.split(":", 1)[1].split(",")]
        cols = [c.lower() for c in tr.insert_columns]
        try:
            idx = [cols.index(k.lower()) for k in keys]
        except ValueError:
            return integrity_error(e)
        tname, _ = table_names(tr.target.id)
        seen: set[tuple[Any, ...]] = set()
        for row in tr.insert_values:
            exprs = [row[i] for i in idx]
            vals = tuple(self.conn.execute("SELECT " + ", ".join(exprs), params).fetchone() or ())
            where = " AND ".join(f"{qi(k)} = ?" for k in keys)
            hit = self.conn.execute(f"SELECT 1 FROM {tname} WHERE {where}", vals).fetchone()  # noqa: S608
            if hit or vals in seen:
                shown = str(vals[0]) if len(vals) == 1 else "(" + ",".join(str(v) for v in vals) + ")"
                return duplicate_entry(shown, ",".join(keys))
            seen.add(vals)
        return integrity_error(e)


    def _run_dml(self, tr: Translated, params: dict[str, Any]) -> Result:
        tx = self._write_tx()
        ok = False
        try:
            if tr.target is not None:
                tx.touch(tr.target.id)
            conflicts = self._upsert_conflicts(tr, params) if tr.upsert else 0
            try:
                with foreign_keys.guard(self._me, tx, tr):  # checks the keys after the write, undoes it if broken
                    cur = self._logged(tx, tr.sql, params, tr.kind == "insert")
            except sqlite3.IntegrityError as e:
                raise self._duplicate(e, tr, params) from None
            n = max(cur.rowcount, 0) + conflicts  # MySQL counts an updated row twice
            last = 0
            if tr.kind == "insert" and tr.insert_auto and n > 0 and cur.lastrowid:
                last = int(cur.lastrowid) - n + 1
                self.last_insert_id = last
            ok = True
        finally:
            self._after_statement(ok)
        return Result(None, [], n, last)

