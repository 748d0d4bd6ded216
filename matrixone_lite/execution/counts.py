"""Row counts without sqlglot: ``SELECT COUNT(*) FROM t [UNION ALL ...]`` straight to SQLite.

A verification sensor polls the same count statements over many tables, each poke on a new
connection; parsing them with sqlglot was most of its cost. ``sql/fastcount.py`` recognises the
statement, this mixin resolves its tables and caches the plan engine-wide.
"""

from __future__ import annotations

from dataclasses import dataclass

from matrixone_lite.errors import no_database_selected, table_not_exist
from matrixone_lite.execution.names import INFO_SCHEMA, NameResolution
from matrixone_lite.results import Result, column_of
from matrixone_lite.sql import views
from matrixone_lite.sql.fastcount import CountBranch, parse_count_union
from matrixone_lite.storage import catalog as cat
from matrixone_lite.storage.catalog import DatabaseRow
from matrixone_lite.storage.physical import count_sql

COUNT_PLAN_CACHE = 256  # cached row-count plans (their keys are whole statements)
FAST_COUNT_CHUNK = 500  # scalar subqueries per SQLite statement (SQLite allows 2,000 columns)


@dataclass
class CountPlan:
    """A row-count statement resolved to SQLite (see ``FastCounts._fast_count``)."""

    branches: list[CountBranch]
    chunks: list[str]
    instants: list[int]
    cacheable: bool


class FastCounts(NameResolution):
    """The row-count fast path (mixed into ``EngineSession``)."""

    def _fast_count(self, text: str) -> Result | None:
        """Row-count statements (see ``sql/fastcount.py``) without sqlglot; None: general path.

        The plan (SQLite text per chunk of branches) is cached engine-wide per statement text,
        account, database and catalog version: a verification sensor polls the same statements,
        each poke on a new connection.
        """
        key = (text, self.account_id, self.database, self.storage.catalog_version, self._tx is not None)
        plans = self.engine.count_plans
        plan = plans.get(key)
        if plan is None:
            plan = self._count_plan(text)
            if plan is None:
                return None
            if plan.cacheable:
                if len(plans) >= COUNT_PLAN_CACHE:
                    plans.clear()
                plans[key] = plan
        else:
            for at in plan.instants:
                self.storage.check_readable(at)  # GC may have moved on since the plan was made
        counts: list[int] = []
        for sql in plan.chunks:
            counts.extend(self.conn.execute(sql).fetchone())
        rows = [tuple(n if it.count else it.value for it in b.items) for b, n in zip(plan.branches, counts, strict=True)]
        cols = [column_of(it.name, i, rows, None) for i, it in enumerate(plan.branches[0].items)]
        self._after_statement(True)
        return Result(cols, rows)

    def _count_plan(self, text: str) -> CountPlan | None:
        branches = parse_count_union(text)
        if branches is None:
            return None
        instants: dict[str, int] = {}
        catalogs: dict[tuple[str, int | None], tuple[DatabaseRow, dict[str, int]]] = {}
        parts: list[str] = []
        cacheable = True
        for b in branches:
            at = None
            if b.hint is not None:
                # only literal MO_TS instants mean the same thing on every run
                cacheable = cacheable and b.hint.kind == "MO_TS" and isinstance(b.hint.value, int)
                at = instants.get(b.hint_text)
                if at is None:
                    at = instants[b.hint_text] = self._hint_at(b.hint)
            if b.database is None and self.database is None:
                raise no_database_selected()
            dbl = (b.database or self.database or "").lower()
            if dbl in (INFO_SCHEMA, "mo_catalog") or dbl in self._system_dbs:
                return None  # virtual and system tables: the general path knows them
            got = catalogs.get((dbl, at))
            if got is None:  # one catalog read per database and instant, not per branch
                d = self._db(dbl, at)
                got = catalogs[(dbl, at)] = (d, cat.table_ids(self.conn, d.id, at))
            tid = got[1].get(b.table.lower())
            if tid is None and views.find(self._me, got[0].name, b.table, at) is not None:
                return None  # a view: the general path expands it
            if tid is None:
                raise table_not_exist(b.table.lower())
            parts.append(count_sql(tid, at, pending=self._tx is not None))
        chunks = [
            "SELECT " + ", ".join(f"({p})" for p in parts[i : i + FAST_COUNT_CHUNK])
            for i in range(0, len(parts), FAST_COUNT_CHUNK)
        ]
        return CountPlan(branches, chunks, sorted(set(instants.values())), cacheable)

