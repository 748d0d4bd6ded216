"""MatrixOneHook: a MySqlHook that knows MatrixOne accounts, drivers and PITR.

The hook is deliberately thin: it owns the connection (login composition, driver choice,
autocommit, server introspection) and executes SQL that the pure domain layer
(:mod:`airflow_provider_matrixone.pitr`) builds and validates. Operators and the sensor call the
typed methods below instead of writing SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.providers.common.sql.hooks.handlers import fetch_all_handler
from airflow.providers.mysql.hooks.mysql import MySqlHook

from airflow_provider_matrixone.pitr import errors, identifiers
from airflow_provider_matrixone.sql_io.driver import (
    QueryResult,
    redact_sql,
    translate_driver_error,
    typed_driver_errors,
)
from airflow_provider_matrixone.sql_io.operations import PitrOperations

CLIENTS = ("mysqlclient", "mysql-connector-python", "pymysql")

__all__ = ["MatrixOneHook", "redact_sql", "translate_driver_error"]


class MatrixOneHook(PitrOperations, MySqlHook):
    """Interact with MatrixOne: PITR, snapshots, restores and time-travel reads.

    :param matrixone_conn_id: Airflow connection id (type ``matrixone``), default ``matrixone_default``.
    :param account: overrides the connection's ``account`` extra.
    :param role: overrides the connection's ``role`` extra.
    :param client: overrides the connection's ``client`` extra
        (``mysqlclient`` | ``mysql-connector-python`` | ``pymysql``).
    :param server_timezone: zone in which the server reads RESTORE timestamps; detected when unset.
    :param read_timeout: seconds a statement may run before the driver gives up; ``None`` waits
        forever, which is what long restores need.
    """

    conn_name_attr = "matrixone_conn_id"
    default_conn_name = "matrixone_default"
    conn_type = "matrixone"
    hook_name = "MatrixOne"
    supports_autocommit = True
    DEFAULT_PORT = 6001
    DEFAULT_CONNECT_TIMEOUT = 10

    def __init__(
        self,
        *args: Any,
        account: str | None = None,
        role: str | None = None,
        client: str | None = None,
        server_timezone: str | None = None,
        read_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        # common.sql passes every connection extra as a keyword argument: the known ones are
        # named above, anything else (demo, charset, ...) is accepted and ignored by DbApiHook.
        super().__init__(*args, **kwargs)
        self._account_override = account
        self._role_override = role
        self._client_override = client
        self._timezone_override = server_timezone
        self.read_timeout = read_timeout
        self._server_info = None

    # ------------------------------------------------------------------ connection
    @property
    def _conn(self) -> Any:
        return self.connection

    def _extra(self, key: str) -> Any:
        value = self._conn.extra_dejson.get(key)
        if value in (None, ""):
            value = self._conn.extra_dejson.get(f"extra__matrixone__{key}")
        return None if value == "" else value

    @property
    def client_name(self) -> str:
        """The driver this hook connects with."""
        name = self._client_override or self._extra("client") or "mysqlclient"
        if name not in CLIENTS:
            raise errors.InvalidInput("client", f"unknown client {name!r}: use one of {', '.join(CLIENTS)}")
        return str(name)

    @property
    def login(self) -> identifiers.Login:
        """The MatrixOne login (account, user, role) this hook authenticates as."""
        return identifiers.parse_login(self.login_string)

    @property
    def login_string(self) -> str:
        """What the driver sends: the login as written, or composed from the account/role extras."""
        raw = self._conn.login or "root"
        account = self._account_override or self._extra("account")
        role = self._role_override or self._extra("role")
        return identifiers.compose_login(raw, account=account, role=role)

    def _port(self) -> int:
        return int(self._conn.port) if self._conn.port else self.DEFAULT_PORT

    def _connect_timeout(self) -> int:
        """Seconds to wait for the TCP connect and handshake (extra ``connect_timeout``, default 10):
        a black-holed server must not hang a sensor past its own timeout."""
        value = self._extra("connect_timeout")
        try:
            seconds = int(float(value)) if value is not None else self.DEFAULT_CONNECT_TIMEOUT
        except (TypeError, ValueError) as exc:
            raise errors.InvalidInput("connect_timeout", f"connect_timeout must be a number of seconds, got "
                                      f"{identifiers.describe_value(value)}") from exc
        return max(1, seconds)

    def _get_conn_config_mysql_client(self, conn: Any) -> dict:
        config = super()._get_conn_config_mysql_client(conn)
        config["user"] = self.login_string
        config["port"] = self._port()
        config["connect_timeout"] = self._connect_timeout()
        if self.read_timeout:
            config["read_timeout"] = int(self.read_timeout)
        return config

    def _get_conn_config_mysql_connector_python(self, conn: Any) -> dict:
        config = super()._get_conn_config_mysql_connector_python(conn)
        config["user"] = self.login_string
        config["port"] = self._port()
        config["connection_timeout"] = self._connect_timeout()
        if self.read_timeout:
            config["read_timeout"] = self.read_timeout
        return config

    def _get_conn_config_pymysql(self, conn: Any) -> dict:
        config: dict[str, Any] = {
            "user": self.login_string,
            "password": conn.password or "",
            "host": conn.host or "localhost",
            "port": self._port(),
            "database": self.schema or conn.schema or None,
            "charset": conn.extra_dejson.get("charset", "utf8mb4"),
            "connect_timeout": self._connect_timeout(),
        }
        if self.read_timeout:
            config["read_timeout"] = self.read_timeout
        if self.init_command:
            config["init_command"] = self.init_command
        if conn.extra_dejson.get("ssl"):
            config["ssl"] = conn.extra_dejson["ssl"]
        return config

    def get_conn(self) -> Any:
        """Connect with the chosen driver; PyMySQL is supported here (MySqlHook rejects it)."""
        conn = self._conn
        client = self.client_name
        if client == "pymysql":
            import pymysql

            return pymysql.connect(**self._get_conn_config_pymysql(conn))
        if client == "mysql-connector-python":
            import mysql.connector

            return mysql.connector.connect(**self._get_conn_config_mysql_connector_python(conn))
        try:
            import MySQLdb
        except ImportError as exc:  # pragma: no cover - depends on the machine
            raise RuntimeError(
                "mysqlclient is not installed; install it (apt: pkg-config default-libmysqlclient-dev "
                "build-essential) or set the connection extra client to pymysql"
            ) from exc
        return MySQLdb.connect(**self._get_conn_config_mysql_client(conn))

    def get_uri(self) -> str:
        """SQLAlchemy URI with the composed MatrixOne login and without leaking extras."""
        from urllib.parse import quote_plus

        conn = self._conn
        prefix = {
            "mysql-connector-python": "mysql+mysqlconnector",
            "pymysql": "mysql+pymysql",
        }.get(self.client_name, "mysql")
        auth = quote_plus(self.login_string)
        if conn.password:
            auth += ":" + quote_plus(conn.password)
        schema = self.schema or conn.schema or ""
        return f"{prefix}://{auth}@{conn.host or 'localhost'}:{self._port()}/{quote_plus(schema)}"

    # ------------------------------------------------------------------ PitrOperations plumbing
    def _open_connection(self) -> Any:
        return self.get_conn()

    def execute_many(self, sqls: Sequence[str]) -> list[QueryResult]:
        """Run statements in order through :meth:`DbApiHook.run` (one connection, autocommit on).

        The common-sql path owns the connection: :meth:`get_conn` (driver, login, timeouts),
        MySqlHook's ``set_autocommit``/``get_autocommit``, closing, and ``descriptions`` for the
        caller. What stays the provider's: each statement is logged through ``redact_sql`` (see
        :meth:`_run_command`), driver errors come back typed (``translate_driver_error``, which the
        lost-connection rule reads), and the result keeps each statement's columns.
        """
        if not sqls:
            return []
        with typed_driver_errors():
            results = self.run(_RedactedStatements(sqls), autocommit=True, handler=fetch_all_handler,
                               return_last=False)
        out: list[QueryResult] = []
        for description, rows in zip(self.descriptions, results or [], strict=True):
            out.append(([d[0] for d in (description or [])], [tuple(r) for r in (rows or [])]))
        return out

    def _run_command(self, cur: Any, sql_statement: str, parameters: Any) -> None:
        """DbApiHook's per-statement step, with the statement logged redacted.

        The base class logs the raw statement (a ``CREATE ACCOUNT ... IDENTIFIED BY`` would carry
        a password) and hands it to SQL lineage; PITR, snapshot and restore statements are not
        data lineage, so neither happens here.
        """
        if self.log_sql:
            self.log.info("MatrixOne SQL: %s", redact_sql(sql_statement))
        if parameters:
            cur.execute(sql_statement, parameters)
        else:
            cur.execute(sql_statement)

    def _server_timezone_setting(self) -> str | None:
        value = self._timezone_override or self._extra("server_timezone")
        return str(value) if value else None


class _RedactedStatements(list[str]):
    """The statements as DbApiHook.run iterates them, shown redacted wherever it logs the list
    (its debug line "Executing following statements against DB: %s")."""

    def __repr__(self) -> str:
        return repr([redact_sql(s) for s in self])

    __str__ = __repr__
