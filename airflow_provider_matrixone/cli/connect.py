"""Connection set-up for ``mo-pitr``: password sources, PyMySQL, and the shared ``PitrClient``.

No Airflow here: the CLI must start fast and run on a host without Airflow installed.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.pitr import errors as domain
from airflow_provider_matrixone.pitr.identifiers import Login, parse_login
from airflow_provider_matrixone.sql_io.operations import PitrClient

PASSWORD_ENV = "MO_PASSWORD"
LOGGER_NAME = "airflow_provider_matrixone"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "warning": logging.WARNING,
           "error": logging.ERROR, "fatal": logging.CRITICAL}


def resolve_password(args: argparse.Namespace, stdin: TextIO | None = None) -> str:
    """--password, else $MO_PASSWORD, else a prompt on a terminal; never echoed anywhere."""
    if args.password is not None:
        return str(args.password)
    env = os.environ.get(PASSWORD_ENV)
    if env is not None:
        return env
    stream = stdin or sys.stdin
    if stream is not None and stream.isatty():
        return getpass.getpass(f"Password for {args.user}@{args.host}:{args.port}: ")
    raise UsageError("--password", f"no password: pass --password, set {PASSWORD_ENV}, or run on a terminal "
                     "to be prompted", f'{PASSWORD_ENV}=... mo-pitr pitr show --user "acc1#root"')


def parse_user(value: str) -> Login:
    try:
        return parse_login(value)
    except domain.InvalidInput as exc:
        raise UsageError("--user", str(exc), '--user "acc1#root"') from None


class LogSetup:
    """The handler ``mo-pitr`` installed, and the logger state to put back (``main`` runs in-process in tests)."""

    def __init__(self, handler: logging.Handler, level: int, propagate: bool) -> None:
        self.handler = handler
        self.level = level
        self.propagate = propagate


def configure_logging(args: argparse.Namespace) -> LogSetup:
    """Route the package's logs to stderr or --log_file at --log_level (mo_br default: error)."""
    level = _LEVELS.get(str(args.log_level).lower(), logging.ERROR)
    handler: logging.Handler
    if args.log_file in (None, "", "console"):
        handler = logging.StreamHandler(sys.stderr)
    else:
        handler = logging.FileHandler(args.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    setup = LogSetup(handler, logger.level, logger.propagate)
    logger.setLevel(level)
    logger.addHandler(handler)
    logger.propagate = False
    return setup


def release_logging(setup: LogSetup) -> None:
    logger = logging.getLogger(LOGGER_NAME)
    logger.removeHandler(setup.handler)
    logger.setLevel(setup.level)
    logger.propagate = setup.propagate
    setup.handler.close()


def pymysql_connect(host: str, port: int, user: str, password: str, *,
                    who: str = "", flags: str = "--host and --port") -> Callable[[], Any]:
    """A connect callable: one fresh autocommit connection per call (no leftover transaction).

    ``who`` opens and ``flags`` ends the message when the server cannot be reached (the access
    probe says it is the probe, and has its own flags).
    """
    import pymysql

    def connect() -> Any:
        try:
            return pymysql.connect(host=host, port=port, user=user, password=password, autocommit=True,
                                   connect_timeout=10, charset="utf8mb4")
        except pymysql.err.OperationalError as exc:
            code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
            text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
            if code in (2003, 2005, 2013):
                raise ConnectionFailed(f"{who}cannot connect to MatrixOne at {host}:{port}: {text} "
                                       f"(check {flags})") from None
            raise
    return connect


class ConnectionFailed(Exception):
    """The server could not be reached (exit 1)."""


def make_client(args: argparse.Namespace, stdin: TextIO | None = None) -> PitrClient:
    login = parse_user(args.user)
    password = resolve_password(args, stdin)
    logger = logging.getLogger(f"{LOGGER_NAME}.cli")
    return PitrClient(pymysql_connect(args.host, args.port, args.user, password), login,
                     server_timezone=args.server_timezone, log_sql=True, logger=logger)
