"""The general SQL path of a session: translation cache, sqlglot, the translator, SELECT results.

Everything the classification did not route elsewhere ends here (``_dispatch_sql``): sequence
calls, table/database DDL without sqlglot, fingerprints, row counts, bulk INSERTs, then a statement's shape
(literals lifted out, ``sql/params.py``) is looked up in the session's translation cache, keyed by
the catalog version so any DDL or restore re-binds it; a miss parses and translates once. A
SELECT missing there (a time-travel read, a first read) tries ``execution/templates.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from matrixone_lite.errors import MOError, not_supported, syntax_error
from matrixone_lite.execution import templates
from matrixone_lite.execution.counts import FastCounts
from matrixone_lite.execution.ddl import DdlStatements
from matrixone_lite.execution.dml import DmlExecution
from matrixone_lite.execution.fingerprints import FastFingerprints
from matrixone_lite.results import Result, column_of, decimal_conv
from matrixone_lite.sql import sequences, views
from matrixone_lite.sql.bulk_insert import BULK_MIN_CHARS, run_bulk_insert
from matrixone_lite.sql.fastfingerprint import looks_like_fingerprint
from matrixone_lite.sql.hints import extract_hints
from matrixone_lite.sql.params import shape
from matrixone_lite.sql.projections import alias_projections
from matrixone_lite.sql.surface import is_statement
from matrixone_lite.sql.translate import Translated, translate
from matrixone_lite.statements import Statement, StatementKind, insert_or_replace, replace_as_insert
from matrixone_lite.storage.codec import to_date, to_datetime

CACHE_SIZE = 512  # translated statements per session


class QueryExecution(DdlStatements, DmlExecution, FastCounts, FastFingerprints):
    """The general path (mixed into ``EngineSession``); the mixins it builds on are its fast paths."""

    _cache: dict[tuple[str, str | None, int], Translated]

    def _dispatch_sql(self, st: Statement) -> Result:
        text, head = st.text, st.head
        if (seq := sequences.dispatch(self._me, st)) is not None:
            return seq
        if st.kind is StatementKind.DDL and (done := self._ddl_statement(st)) is not None:
            return done
        if head == "SELECT" and looks_like_fingerprint(text):
            fast = self._fast_fingerprint(text)  # the restore proof's content fingerprint
            if fast is not None:
                return fast
        if head == "SELECT" and "COUNT" in text[:200].upper():
            fast = self._fast_count(text)
            if fast is not None:
                return fast
        if len(text) >= BULK_MIN_CHARS and head in ("INSERT", "REPLACE"):
            bulk = run_bulk_insert(self._me, text, head)  # megabytes of VALUES: no sqlglot, no var limit
            if bulk is not None:
                return bulk
        params: dict[str, Any] = {}
        tr = None
        sh = shape(text)
        if sh is not None:
            key = (sh[0], self.database, self.storage.catalog_version)
            tr = self._cache.get(key)
            if tr is None:
                try:
                    tr = self._translate(sh[0], head)
                except MOError:
                    tr = None
                except (ParseError, TokenError, sqlite3.Error):
                    tr = None
                if tr is not None:
                    self._remember(key, tr)
            if tr is not None:
                params = sh[1]
        if tr is None:
            key = (text, self.database, self.storage.catalog_version)
            tr = self._cache.get(key)
        if tr is None:
            parsed = self._parse_and_translate(text, head, key)
            if isinstance(parsed, Result):
                return parsed  # DDL run on the parsed tree
            tr = parsed
        if tr.kind == "select":
            return self._run_select(tr, params)
        return self._run_dml(tr, params)

    def _parse_and_translate(
        self, text: str, head: str, key: tuple[str, str | None, int]
    ) -> Translated | Result:
        """The slow path: sqlglot parse, DDL on the tree, or a translation cached unless hinted.

        A SELECT first tries the engine-wide templates (``execution/templates.py``), which also
        serve time-travel reads: the same SELECT at another instant re-resolves its tables only.
        """
        if head == "SELECT" and (done := templates.translate_select(self._me, text)) is not None:
            if "{" not in text:
                self._remember(key, done)
            return done
        sql, hints = extract_hints(text)
        replace = head == "REPLACE"
        if replace:
            sql = replace_as_insert(sql)
        tree = sqlglot.parse_one(sql, read="mysql")
        if tree is None or isinstance(tree, exp.Command) or not is_statement(tree):
            raise syntax_error(text, len(text.split(None, 1)[0]))  # MatrixOne: at the first token
        if isinstance(tree, exp.Create | exp.Drop) and str(tree.args.get("kind", "")).upper() == "VIEW":
            return views.ddl(self._me, tree, text)
        if isinstance(tree, exp.Alter):
            return self._alter_table(tree)
        if isinstance(tree, exp.Create | exp.Drop) and str(tree.args.get("kind", "")).upper() == "INDEX":
            return self._index_ddl(tree)
        if isinstance(tree, exp.Create):
            if str(tree.args.get("kind", "")).upper() != "TABLE":
                raise not_supported(f"CREATE {tree.args.get('kind')}")
            return self._create_table(tree, text, sql, hints)
        if isinstance(tree, exp.Select):
            alias_projections(tree, sql)
        tr = translate(tree, self._ctx(hints))  # type: ignore[arg-type]
        if replace:
            if tr.kind != "insert":
                raise syntax_error(text[:40], 0)
            tr.sql = insert_or_replace(tr.sql)
        if not hints:
            self._remember(key, tr)
        return tr

    def _remember(self, key: tuple[str, str | None, int], tr: Translated) -> None:
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = tr

    def _translate(self, sql: str, head: str) -> Translated | None:
        """Translate a hint-free DML/SELECT shape (None: needs the full path, e.g. CREATE)."""
        replace = head == "REPLACE"
        if replace:
            sql = replace_as_insert(sql)
        tree = sqlglot.parse_one(sql, read="mysql")
        if tree is None or not isinstance(tree, exp.Select | exp.Insert | exp.Update | exp.Delete):
            return None
        if isinstance(tree, exp.Select):
            alias_projections(tree, sql)
        tr = translate(tree, self._ctx([]))
        if replace:
            if tr.kind != "insert":
                return None
            tr.sql = insert_or_replace(tr.sql)
        return tr

    def _run_select(self, tr: Translated, params: dict[str, Any]) -> Result:
        cur = self.conn.execute(tr.sql, params)
        rows = cur.fetchall()
        desc = cur.description or []
        names = [d[0] for d in desc]
        types: list[tuple[str, int | None] | None] = list(tr.types) if not tr.star else [None] * len(names)
        if len(types) != len(names):
            types = [None] * len(names)
        if any(t is not None and t[0] in ("DECIMAL", "DATETIME", "TIMESTAMP", "DATE") for t in types):
            conv: list[Callable[[Any], Any] | None] = []
            for t in types:
                if t is None:
                    conv.append(None)
                elif t[0] == "DECIMAL":
                    conv.append(decimal_conv(t[1] or 0))
                elif t[0] in ("DATETIME", "TIMESTAMP"):
                    conv.append(lambda v: to_datetime(v) if isinstance(v, str) else v)
                elif t[0] == "DATE":
                    conv.append(lambda v: to_date(v) if isinstance(v, str) else v)
                else:
                    conv.append(None)
            rows = [tuple(v if f is None else f(v) for v, f in zip(r, conv, strict=True)) for r in rows]
        cols = [column_of(n, i, rows, types[i]) for i, n in enumerate(names)]
        self._after_statement(True)
        return Result(cols, rows)
