"""PitrClient: the typed PITR / snapshot / time-travel API over any DB-API connection.

The Airflow hook and the ``mo-pitr`` CLI both drive MatrixOne through this class, so they send
the same SQL and run the same client-side checks. It knows nothing about Airflow: it is given a
``connect`` callable returning a DB-API connection and a logger.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import pendulum

from airflow_provider_matrixone.pitr import errors, show, statements, timestamps, window
from airflow_provider_matrixone.pitr.coverage import check_pitr_covers
from airflow_provider_matrixone.pitr.identifiers import Login
from airflow_provider_matrixone.pitr.models import (
    Level,
    Pitr,
    PitrRange,
    RecoveryWindow,
    Scope,
    ServerInfo,
    Snapshot,
)
from airflow_provider_matrixone.pitr.versions import ServerVersion
from airflow_provider_matrixone.sql_io.driver import (
    SYSTEM_DATABASES,
    QueryResult,
    as_naive_datetime,
    measure_skew,
    redact_sql,
    set_autocommit,
    typed_driver_errors,
)


class PitrOperations:
    """Typed MatrixOne PITR operations, shared by :class:`PitrClient` and ``MatrixOneHook``.

    Subclasses provide :meth:`_open_connection` (a new DB-API connection per call: a fresh
    connection never carries an open transaction, which MatrixOne's PITR statements refuse),
    ``login`` (decides tenant vs sys SQL forms), ``log_sql``, ``log`` and
    :meth:`_server_timezone_setting` (zone in which the server reads RESTORE literals; ``None``
    detects it).
    """

    log_sql: bool
    _server_info: ServerInfo | None = None

    if TYPE_CHECKING:
        # DbApiHook's name and signature: MatrixOneHook inherits MySqlHook's (mysqlclient's method vs
        # mysql-connector's property), PitrClient defines it; not defined here, so it cannot shadow
        # MySqlHook's in the hook's MRO.
        def set_autocommit(self, conn: Any, autocommit: bool) -> None: ...

    @property
    def login(self) -> Login:
        raise NotImplementedError

    def _open_connection(self) -> Any:
        raise NotImplementedError

    def _server_timezone_setting(self) -> str | tzinfo | None:
        return None

    @property
    def _logger(self) -> Any:
        return getattr(self, "log", None) or logging.getLogger(__name__)

    @property
    def account(self) -> str:
        return self.login.account

    # ------------------------------------------------------------------ execution
    def execute(self, sql: str) -> QueryResult:
        """Run one statement with autocommit (MatrixOne refuses PITR statements in a transaction)."""
        return self.execute_many([sql])[0]

    def execute_many(self, sqls: Sequence[str]) -> list[QueryResult]:
        """Run statements over one connection, in order; errors come back typed."""
        results: list[QueryResult] = []
        with typed_driver_errors(), closing(self._open_connection()) as conn:
            self.set_autocommit(conn, True)
            with closing(conn.cursor()) as cur:
                for sql in sqls:
                    if self.log_sql:
                        self._logger.info("MatrixOne SQL: %s", redact_sql(sql))
                    cur.execute(sql)
                    columns = [d[0] for d in (cur.description or [])]
                    rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
                    results.append((columns, rows))
        return results

    # ------------------------------------------------------------------ introspection
    def get_server_info(self, refresh: bool = False) -> ServerInfo:
        """Version, server and session zones and identity, cached."""
        if self._server_info is not None and not refresh:
            return self._server_info
        before = pendulum.now("UTC")
        (_, rows), (_, clock) = self.execute_many(
            ["SELECT version(), @@time_zone, @@system_time_zone", "SELECT UTC_TIMESTAMP()"]
        )
        self._clock_skew = measure_skew(clock[0][0] if clock and clock[0] else None, before, pendulum.now("UTC"))
        version_string, session_tz, system_tz = (str(v) if v is not None else "" for v in rows[0])
        version = ServerVersion.parse(version_string)
        server_zone = self._detect_server_zone(system_tz)
        if session_tz.upper() in ("", "SYSTEM"):
            session_zone = server_zone
        else:
            session_zone = timestamps.resolve_zone(session_tz)
        self._server_info = ServerInfo(
            version=version,
            version_string=version_string,
            timezone=server_zone,
            session_timezone=session_zone,
            account=self.login.account,
            user=self.login.user,
            role=self.login.role,
        )
        return self._server_info

    def _detect_server_zone(self, system_tz: str) -> tzinfo:
        override = self._server_timezone_setting()
        if override:
            if isinstance(override, tzinfo):
                return override
            return timestamps.resolve_zone(str(override))
        if system_tz:
            try:
                return timestamps.resolve_zone(system_tz)
            except errors.InvalidInput:
                pass
        # Not an IANA name (MySQL-style "CST"): measure the server's current offset, with the
        # session zone reset to SYSTEM so NOW() is the server's local time, not the session's.
        _, (_, rows) = self.execute_many(["SET time_zone = 'SYSTEM'", "SELECT NOW(), UTC_TIMESTAMP()"])
        local, utc = (as_naive_datetime(v) for v in rows[0])
        minutes = int(round((local - utc).total_seconds() / 900.0) * 15)
        self._logger.warning(
            "server time zone %r is not an IANA name; using the fixed offset %+d min. Set server_timezone "
            "to an IANA zone to handle DST correctly.",
            system_tz,
            minutes,
        )
        return pendulum.fixed_timezone(minutes * 60)

    @property
    def version(self) -> ServerVersion:
        return self.get_server_info().version

    @property
    def server_timezone(self) -> tzinfo:
        zone = self.get_server_info().timezone
        return zone if isinstance(zone, tzinfo) else timestamps.resolve_zone(zone)

    @property
    def session_timezone(self) -> tzinfo:
        zone = self.get_server_info().session_timezone
        if zone is None:
            return self.server_timezone
        return zone if isinstance(zone, tzinfo) else timestamps.resolve_zone(zone)

    _clock_skew: timedelta = timedelta(0)

    def now(self) -> pendulum.DateTime:
        """The server's current instant in UTC: MatrixOne checks the window against its own clock.

        The local clock corrected by the skew measured at introspection (only a skew over two
        seconds is applied: ``UTC_TIMESTAMP()`` has one-second resolution).
        """
        return pendulum.now("UTC") + self._clock_skew

    def resolve_timestamp(self, value: Any, timezone: str | tzinfo | None = None) -> timestamps.ParsedTimestamp:
        """Parse a user timestamp; ``timezone="server"`` means the MatrixOne server's zone."""
        zone: Any = self.server_timezone if timezone == "server" else timezone
        parsed = timestamps.parse_timestamp(value, zone=zone)
        if parsed.note:
            self._logger.info("timestamp: %s", parsed.note)
        return parsed

    # ------------------------------------------------------------------ PITR
    def create_pitr(
        self,
        name: str,
        level: str | Level,
        *,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        range_value: int | str = 1,
        range_unit: str = "d",
        if_not_exists: bool = False,
    ) -> Pitr:
        scope = Scope.build(level, account=account, database=database, table=table)
        rng = PitrRange.parse(range_value, range_unit)
        self.execute(statements.create_pitr(name, scope, rng, caller_account=self.account, if_not_exists=if_not_exists))
        pitr = self.get_pitr(name)
        if pitr is None:
            raise errors.PitrNotFound(f"pitr {name} was created but SHOW PITR does not list it")
        return pitr

    def alter_pitr(self, name: str, range_value: int | str, range_unit: str, *, if_exists: bool = False) -> Pitr | None:
        rng = PitrRange.parse(range_value, range_unit)
        self.execute(statements.alter_pitr(name, rng, if_exists=if_exists))
        return self.get_pitr(name)

    def drop_pitr(self, name: str, *, if_exists: bool = False) -> None:
        self.execute(statements.drop_pitr(name, if_exists=if_exists))

    def list_pitrs(self) -> list[Pitr]:
        """PITRs created by this account (MatrixOne scopes SHOW PITR to the creator)."""
        columns, rows = self.execute(statements.show_pitr())
        return show.parse_show_pitr(columns, rows, self.session_timezone)

    def get_pitr(self, name: str) -> Pitr | None:
        columns, rows = self.execute(statements.show_pitr(name=name))
        found = show.parse_show_pitr(columns, rows, self.session_timezone)
        return found[0] if found else None

    def require_pitr(self, name: str) -> Pitr:
        pitr = self.get_pitr(name)
        if pitr is None:
            raise errors.PitrNotFound(f"pitr {name} does not exist (for account {self.account})")
        return pitr

    def recovery_window(self, pitr: Pitr, now: datetime | None = None) -> RecoveryWindow:
        """Earliest = max(created, now - range); latest = now."""
        return window.recovery_window(pitr, now or self.now())

    def build_restore_pitr(
        self,
        pitr: Pitr,
        instant: datetime,
        scope: Scope,
        *,
        source_account: str | None = None,
        account_prefix: bool = False,
        now: datetime | None = None,
    ) -> tuple[str, str]:
        """Check the window client-side and build the RESTORE; returns (sql, server literal)."""
        zone = self.server_timezone
        window.check_restore_window(instant, pitr, now or self.now(), zone)
        literal = timestamps.render_for_server(instant, zone)
        sql = statements.restore_pitr(
            pitr.name,
            literal,
            scope,
            caller_account=self.account,
            version=self.version,
            source_account=source_account,
            pitr_level=pitr.level,
            account_prefix=account_prefix,
        )
        return sql, literal

    def restore_pitr(
        self,
        name: str,
        timestamp: Any,
        level: str | Level,
        *,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        source_account: str | None = None,
        timezone: str | tzinfo | None = None,
        account_prefix: bool = False,
    ) -> dict[str, Any]:
        """Restore a scope from a PITR after parsing the timestamp and checking the window."""
        parsed = self.resolve_timestamp(timestamp, timezone)
        pitr = self.require_pitr(name)
        scope = Scope.build(level, account=account, database=database, table=table)
        check_pitr_covers(pitr, scope, self.account)
        sql, literal = self.build_restore_pitr(
            pitr, parsed.instant, scope, source_account=source_account, account_prefix=account_prefix
        )
        start = time.monotonic()
        self.execute(sql)
        return {
            "pitr_name": pitr.name,
            "sql": sql,
            "timestamp_utc": parsed.instant.isoformat(),
            "timestamp_server": literal,
            "server_timezone": str(self.server_timezone),
            "duration_s": round(time.monotonic() - start, 6),
        }

    # ------------------------------------------------------------------ snapshots
    def create_snapshot(
        self,
        name: str,
        level: str | Level,
        *,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        if_not_exists: bool = False,
    ) -> Snapshot:
        scope = Scope.build(level, account=account, database=database, table=table)
        self.execute(statements.create_snapshot(name, scope, if_not_exists=if_not_exists))
        snap = self.get_snapshot(name)
        if snap is None:
            raise errors.SnapshotNotFound(f"snapshot {name} was created but SHOW SNAPSHOTS does not list it")
        return snap

    def drop_snapshot(self, name: str, *, if_exists: bool = False) -> None:
        self.execute(statements.drop_snapshot(name, if_exists=if_exists))

    def list_snapshots(self) -> list[Snapshot]:
        columns, rows = self.execute(statements.show_snapshots())
        return show.parse_show_snapshots(columns, rows)

    def get_snapshot(self, name: str) -> Snapshot | None:
        columns, rows = self.execute(statements.show_snapshots(name=name))
        found = show.parse_show_snapshots(columns, rows)
        return found[0] if found else None

    def restore_snapshot(
        self,
        name: str,
        level: str | Level,
        *,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        to_account: str | None = None,
    ) -> dict[str, Any]:
        scope = Scope.build(level, account=account or self.account, database=database, table=table)
        sql = statements.restore_snapshot(name, scope, version=self.version, to_account=to_account)
        start = time.monotonic()
        self.execute(sql)
        return {"snapshot_name": name, "sql": sql, "duration_s": round(time.monotonic() - start, 6)}

    # ------------------------------------------------------------------ time-travel reads
    @staticmethod
    def at_ns(at: Any) -> int | None:
        """None, epoch ns, an aware datetime or an RFC 3339 string -> epoch ns."""
        if at is None:
            return None
        if isinstance(at, int) and not isinstance(at, bool):
            return at
        return timestamps.to_epoch_ns(timestamps.parse_timestamp(at).instant)

    def list_databases(self, at: Any = None, *, include_system: bool = False) -> list[str]:
        _, rows = self.execute(statements.show_databases(self.at_ns(at)))
        names = [str(r[0]) for r in rows]
        if not include_system:
            names = [n for n in names if n.lower() not in SYSTEM_DATABASES]
        return sorted(names)

    def list_tables(self, database: str, at: Any = None) -> list[str]:
        _, rows = self.execute(statements.show_tables(database, self.at_ns(at)))
        return sorted(str(r[0]) for r in rows)

    def list_scope_tables(self, databases: Iterable[str], at: Any = None) -> list[tuple[str, str]]:
        """Every (database, table) of the given databases, in one connection."""
        at_ns = self.at_ns(at)
        dbs = list(databases)
        results = self.execute_many([statements.show_tables(db, at_ns) for db in dbs])
        pairs: list[tuple[str, str]] = []
        for db, (_, rows) in zip(dbs, results, strict=True):
            pairs.extend((db, str(r[0])) for r in rows)
        return sorted(pairs)

    def count_rows(self, tables: Iterable[tuple[str, str]], at: Any = None) -> dict[str, int]:
        """Row counts keyed ``db.table``, batched into few UNION ALL round trips."""
        pairs = list(tables)
        if not pairs:
            return {}
        counts: dict[str, int] = {}
        for _, rows in self.execute_many(statements.count_rows(pairs, at_ns=self.at_ns(at))):
            for db_name, table_name, n in rows:
                counts[f"{db_name}.{table_name}"] = int(n)
        return counts


class PitrClient(PitrOperations):
    """PitrOperations over a plain connect callable: what ``mo-pitr`` uses, no Airflow needed."""

    def __init__(
        self,
        connect: Callable[[], Any],
        login: Login,
        *,
        server_timezone: str | tzinfo | None = None,
        log_sql: bool = True,
        logger: logging.Logger | None = None,
    ) -> None:
        self._connect = connect
        self._login = login
        self._timezone = server_timezone
        self.log_sql = log_sql
        self.log = logger or logging.getLogger("airflow_provider_matrixone.pitr")
        self._server_info = None

    @property
    def login(self) -> Login:
        return self._login

    def _open_connection(self) -> Any:
        return self._connect()

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        """What MySqlHook.set_autocommit does for the hook, for a plain DB-API connection."""
        set_autocommit(conn, autocommit)

    def _server_timezone_setting(self) -> str | tzinfo | None:
        return self._timezone
