"""The per-connection session: splits COM_QUERY text and routes each statement.

Session statements (SET, USE, BEGIN/COMMIT/ROLLBACK, SELECT @@var, SHOW VARIABLES) are answered
here and mirrored into the EngineSession; MatrixOne-only statements go to ``mo/``; everything
else goes to ``EngineSession.execute``. Engine and mo/ calls run on this connection's own worker
thread (one per connection, so a SQLite connection always stays on one thread and a slow
statement never blocks the event loop or other sessions).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar
from zoneinfo import ZoneInfoNotFoundError

from mysql_mimic import ResultSet
from mysql_mimic.errors import MysqlError
from mysql_mimic.session import Session

from matrixone_lite.errors import MOError, syntax_error
from matrixone_lite.mo.context import StmtContext, zone_from_variable
from matrixone_lite.mo.lexer import Kind, split_statements, tokenize
from matrixone_lite.sql.sequence_functions import describing
from matrixone_lite.statements import Statement, StatementKind, classify
from matrixone_lite.wire import runaway, static_select
from matrixone_lite.wire.login import Login
from matrixone_lite.wire.redaction import redact, scrub
from matrixone_lite.wire.results import to_result_set
from matrixone_lite.wire.set_statement import SetStatements
from matrixone_lite.wire.variables import display, make_variables
from matrixone_lite.wire.worker import DaemonWorker

if TYPE_CHECKING:
    from matrixone_lite.engine import EngineSession, Result
    from matrixone_lite.wire.server_context import ServerContext

logger = logging.getLogger("matrixone_lite.wire")
T = TypeVar("T")


@dataclass
class Ok:
    affected_rows: int = 0
    last_insert_id: int = 0


Outcome: TypeAlias = ResultSet | Ok  # noqa: UP040


class StatementFailed(Exception):
    """A statement of a multi-statement query failed after earlier ones produced outcomes."""

    def __init__(self, outcomes: list[Outcome], error: MOError) -> None:
        super().__init__(error.message)
        self.outcomes = outcomes
        self.error = error


def to_mo_error(exc: BaseException, sql: str = "") -> MOError:
    """Map any exception from a statement to the error the client sees (no password in it)."""
    err = _to_mo_error(exc, sql)
    msg = scrub(err.message, sql)  # a syntax error's ``near "..."`` may quote the password
    return err if msg == err.message else MOError(err.code, msg, err.sqlstate)


def _to_mo_error(exc: BaseException, sql: str) -> MOError:
    if isinstance(exc, MOError):
        return exc
    if isinstance(exc, MysqlError):
        return MOError(int(exc.code), str(exc.msg))
    try:
        from sqlglot.errors import ParseError, TokenError

        if isinstance(exc, (ParseError, TokenError)):
            return syntax_error(sql, 0)
    except ImportError:  # pragma: no cover
        pass
    # redact()/scrub(): a failing CREATE ACCOUNT ... IDENTIFIED BY '...' must not log a password
    logger.error("unexpected %s while executing %r: %s", type(exc).__name__, redact(sql)[:200],
                 scrub(str(exc), sql))
    if redact(sql) == sql:  # a traceback repeats the exception's text, which may quote the secret
        logger.debug("traceback", exc_info=exc)
    return MOError(1105, scrub(str(exc), sql) or type(exc).__name__)


class LiteSession(SetStatements, Session):
    """mysql-mimic session bound to one engine session."""

    def __init__(self, server: ServerContext) -> None:
        super().__init__(variables=make_variables(server.version, server.zone_name))
        self.server = server
        self.login: Login | None = None
        self.esess: EngineSession | None = None
        self.user_vars: dict[str, Any] = {}
        self.database: str | None = None
        self.last_insert_id = 0
        self._pool = DaemonWorker("mo-lite-conn")
        self.running: runaway.Running | None = None  # the statement on the worker (KILL, limit, stop)

    # ---- worker thread ----
    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn, *args)

    async def run_cancellable(self, fn: Callable[..., T], *args: Any) -> T:
        """``run`` for a statement: interrupted on disconnect, KILL, server stop or the time limit."""
        es = self._es()
        self.running = running = runaway.Running(es.interrupt, str(args[0]) if args else "")
        limit = runaway.statement_limit(self.variables.get("max_execution_time"), self.server.max_execution_time)
        conn = self._connection
        try:
            return await runaway.run_guarded(
                self._pool, running, fn, args, limit_s=limit, counters=self.server.runaway,
                peer_gone=lambda: conn is not None and runaway.peer_gone(conn.stream))
        finally:
            self.running = None

    @property
    def conn_id(self) -> int:
        return self._connection.connection_id if self._connection is not None else 0

    # ---- lifecycle ----
    async def open_engine_session(self, login: Login) -> None:
        """Create the EngineSession after authentication (and apply the handshake database)."""
        self.login = login
        engine = self.server.engine
        self.esess = await self.run(engine.session, login.account, login.user, login.role)
        if self.database:
            db = self.database
            self.database = None
            await self.use(db)

    async def close_engine_session(self) -> None:
        """Close the EngineSession (rolls back an open transaction); never raises."""
        esess, self.esess = self.esess, None
        if esess is not None:
            try:
                await self.run(esess.close)
            except Exception:  # noqa: BLE001 - closing must not raise
                logger.warning("error closing session of connection %s", self.conn_id, exc_info=True)

    async def close(self) -> None:
        await self.close_engine_session()
        self._pool.shutdown(wait=False)
        await super().close()

    async def reset(self) -> None:
        """COM_RESET_CONNECTION / after COM_CHANGE_USER: drop the transaction and user variables."""
        self.user_vars.clear()
        if self.esess is not None and self.esess.in_transaction:
            await self.run(self.esess.rollback)

    async def use(self, database: str) -> None:
        es = self._es()
        await self.run(es.use, database)
        self.database = es.database

    def _es(self) -> EngineSession:
        if self.esess is None:
            raise MOError(1105, "session is not authenticated")
        return self.esess

    # ---- query entry points ----
    async def handle_query(self, sql: str, attrs: dict[str, str]) -> Any:  # type: ignore[override]
        """mysql-mimic's entry point (also used for COM_STMT_EXECUTE): last outcome only."""
        outcomes = await self.run_text(sql)
        last = outcomes[-1] if outcomes else Ok()
        return last if isinstance(last, ResultSet) else None

    async def run_text(self, sql: str) -> list[Outcome]:
        """Run every statement of a COM_QUERY; raises StatementFailed at the first error."""
        statements = split_statements(sql)
        if not statements:
            raise StatementFailed([], MOError(1065, "Query was empty", "42000"))
        outcomes: list[Outcome] = []
        for stmt in statements:
            try:
                outcomes.append(await self.run_statement(stmt))
            except Exception as exc:  # noqa: BLE001 - every failure becomes an ERR packet
                raise StatementFailed(outcomes, to_mo_error(exc, stmt)) from None
        return outcomes

    async def describe(self, sql: str) -> list[Any]:
        """Result columns a read statement would return (COM_STMT_PREPARE needs them up front).

        Runs the statement with NULL parameters; only SELECT/SHOW/WITH/DESCRIBE are run, because
        they have no side effects. Not written to the statement log: nothing was asked to run.
        """
        if classify(sql).head not in ("SELECT", "SHOW", "WITH", "DESCRIBE", "DESC"):
            return []
        try:
            with describing(self.esess):  # sequence functions: no side effect (sql/sequence_functions.py)
                outcome = await self.run_statement(sql, log=False)
        except Exception:  # noqa: BLE001 - the execute will report the real error
            return []
        return list(outcome.columns) if isinstance(outcome, ResultSet) else []

    async def run_statement(self, sql: str, *, log: bool = True) -> Outcome:
        login = self.login
        if log:
            self.server.statement_log_record(self.conn_id, login.account if login else "",
                                             login.user if login else "", sql)
        st = classify(sql)  # once: every layer below reads this (matrixone_lite/statements.py)
        kind, words = st.kind, st.words
        if kind is StatementKind.SET:  # SET ROLE r is a ROLE statement: the engine (mo/privileges.py)
            await self._set(sql)
            return Ok()
        if kind is StatementKind.USE:
            toks = tokenize(sql)
            if len(toks) < 2 or toks[1].kind not in (Kind.IDENT, Kind.QIDENT, Kind.STRING):
                raise syntax_error(sql, len(sql))
            await self.use(toks[1].value)
            return Ok()
        if kind is StatementKind.TRANSACTION:
            verb = {"BEGIN": "begin", "START": "begin", "COMMIT": "commit", "ROLLBACK": "rollback"}[st.head]
            await self.run(getattr(self._es(), verb))
            return Ok()
        if kind is StatementKind.SHOW:
            rest = tuple(w for w in words[1:] if w not in ("SESSION", "GLOBAL", "LOCAL"))
            if rest[:1] == ("VARIABLES",):
                return self._show_variables(sql)
            if rest[:1] in (("WARNINGS",), ("ERRORS",)):
                return to_result_set(["Level", "Code", "Message"], ["VARCHAR", "BIGINT", "VARCHAR"],
                                     [None] * 3, [])
            if rest[:1] == ("PROCESSLIST",) or rest[:2] == ("FULL", "PROCESSLIST"):
                return to_result_set(runaway.PROCESSLIST_COLUMNS, runaway.PROCESSLIST_TYPES, [None] * 8,
                                     runaway.processlist(self.server.connections, login.account if login else ""))
            if rest[:1] == ("STATUS",):
                return to_result_set(["Variable_name", "Value"], ["VARCHAR", "VARCHAR"], [None] * 2, [])
        if st.head == "SELECT":
            items = static_select.parse_static_select(sql)
            if items is not None:
                return self._static_select(items)
        if kind is StatementKind.MO:
            return self._outcome(await self.run(self._run_mo, st))
        if kind is StatementKind.KILL:
            runaway.kill(self.server.connections, login.account if login else "", list(words), sql)
            return Ok()
        es = self._es()
        result = await self.run_cancellable(es.execute, st)
        self.database = es.database
        return self._outcome(result)

    def _run_mo(self, st: Statement) -> Result:
        es = self._es()
        ctx = StmtContext(
            account=es.account, account_id=es.account_id, user=es.user, role=es.role,
            in_transaction=es.in_transaction,
            session_zone=self._session_zone(), server_zone=self.server.zone,
        )
        return self.server.mo.execute(st.sql, ctx)

    def _session_zone(self) -> Any:
        value = str(self.variables.get("time_zone") or "SYSTEM")
        try:
            return zone_from_variable(value, self.server.zone)
        except (ValueError, ZoneInfoNotFoundError):
            return self.server.zone

    def _outcome(self, result: Result) -> Outcome:
        if result.columns is None:
            if result.last_insert_id:
                self.last_insert_id = result.last_insert_id
            return Ok(result.affected_rows, result.last_insert_id)
        cols = result.columns
        return to_result_set([c.name for c in cols], [c.type for c in cols],
                             [getattr(c, "scale", None) for c in cols], result.rows)

    # ---- static selects / variables ----
    def _static_select(self, items: list[static_select.StaticItem]) -> Outcome:
        login = self.login

        def sysvar(name: str) -> Any:
            try:
                return display(self.variables.get(name))
            except MysqlError:
                raise MOError(1193, f"Unknown system variable '{name}'") from None

        def func(name: str) -> Any:
            es = self.esess
            account = login.account if login else ""
            user = login.user if login else ""
            role = es.role if es is not None else (login.role if login else "")
            values: dict[str, Any] = {
                "VERSION": self.variables.get("version"),
                "DATABASE": self.database, "SCHEMA": self.database,
                "USER": f"{account}:{user}@{self.server.client_host(self)}",
                "SESSION_USER": f"{account}:{user}", "SYSTEM_USER": f"{account}:{user}",
                "CURRENT_USER": f"{account}:{user}:{role}", "CONNECTION_ID": self.conn_id,
                "CURRENT_ROLE": role, "CURRENT_ROLE_NAME": role, "LAST_INSERT_ID": self.last_insert_id,
                "CURRENT_ACCOUNT_NAME": account, "CURRENT_ACCOUNT_ID": es.account_id if es else 0,
                "CURRENT_USER_NAME": user, "CURRENT_USER_ID": 0,
            }
            return values[name]

        labels, rows = static_select.evaluate(items, sysvar, lambda n: self.user_vars.get(n.lower()), func)
        types = ["BIGINT" if isinstance(v, int) else "DOUBLE" if isinstance(v, float) else "VARCHAR"
                 for v in rows[0]]
        return to_result_set(labels, types, [None] * len(labels), rows)

    def _show_variables(self, sql: str) -> Outcome:
        toks = tokenize(sql)
        rows = [(k, "" if v is None else ("ON" if v else "OFF") if isinstance(v, bool) else str(v))
                for k, v in self.variables.list()]
        for i, t in enumerate(toks):
            if t.is_word("LIKE") and toks[i + 1].kind is Kind.STRING:
                from matrixone_lite.mo.where import _like

                pat = _like(toks[i + 1].value)
                rows = [(k, v) for k, v in rows if pat.fullmatch(k)]
            if t.is_word("WHERE"):
                from matrixone_lite.mo.expressions import ExpressionParser
                from matrixone_lite.mo.where import matches

                p = ExpressionParser(sql, (4, 2, 0))
                p.pos = i + 1
                expr = p.expr()
                rows = [(k, v) for k, v in rows if matches(expr, {"variable_name": k, "value": v})]
                break
        return to_result_set(["Variable_name", "Value"], ["VARCHAR", "VARCHAR"], [None, None], rows)
