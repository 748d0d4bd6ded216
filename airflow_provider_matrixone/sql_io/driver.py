"""Driver-facing helpers shared by every I/O path: error translation, redaction, autocommit.

Why its own module: the operations class, the batched reader, the hook and the access sensor all
need the same translation of driver exceptions and the same password redaction, and keeping them
apart keeps :mod:`.operations` under the module-size limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow_provider_matrixone.pitr import errors

SYSTEM_DATABASES = frozenset(
    {"information_schema", "mo_catalog", "mysql", "system", "system_metrics", "mo_task", "mo_debug"}
)
_SECRET_PATTERN = re.compile(r"(IDENTIFIED\s+BY\s+)('(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\")", re.IGNORECASE)

Rows = list[tuple[Any, ...]]
QueryResult = tuple[list[str], Rows]


def redact_sql(sql: str) -> str:
    """Hide passwords (``IDENTIFIED BY '...'``) before a statement reaches a log."""
    return _SECRET_PATTERN.sub(r"\1'***'", sql)


def translate_driver_error(exc: BaseException) -> errors.MatrixOneError | None:
    """Turn a driver exception (mysqlclient, mysql-connector-python, PyMySQL) into a typed error."""
    code: int | None = None
    message: str | None = None
    errno = getattr(exc, "errno", None)
    if isinstance(errno, int) and errno > 0:
        code, message = errno, str(getattr(exc, "msg", "") or exc)
    elif len(getattr(exc, "args", ())) >= 2 and isinstance(exc.args[0], int):
        code, message = exc.args[0], str(exc.args[1])
    if code is None or message is None:
        return None
    return errors.map_server_error(code, message)


@contextmanager
def typed_driver_errors(on_failure: Callable[[], None] | None = None) -> Iterator[None]:
    """Driver exceptions leave as typed :mod:`~airflow_provider_matrixone.pitr.errors` (one mapping for
    the hook's ``run`` path, ``PitrClient`` and ``BatchReader``); ``on_failure`` runs first, e.g. to
    drop a broken connection. An exception without a server code is re-raised as it is."""
    try:
        yield
    except errors.MatrixOneError:
        raise
    except Exception as exc:
        if on_failure is not None:
            on_failure()
        mapped = translate_driver_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


def as_naive_datetime(value: Any) -> datetime:
    """A driver's DATETIME (object or text) as a naive datetime, for clock and zone arithmetic."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def measure_skew(server_utc: Any, before: datetime, after: datetime) -> timedelta:
    """Server clock minus local clock; zero unless the difference exceeds two seconds."""
    if server_utc is None:
        return timedelta(0)
    try:
        server = as_naive_datetime(server_utc).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return timedelta(0)
    local_mid = before + (after - before) / 2
    skew = server - local_mid.astimezone(UTC)
    # UTC_TIMESTAMP() truncates to the second: compare against the half-second it stands for.
    skew += timedelta(milliseconds=500)
    return skew if abs(skew) > timedelta(seconds=2) else timedelta(0)


def set_autocommit(conn: Any, autocommit: bool) -> None:
    """mysql-connector exposes a property, mysqlclient and PyMySQL a method."""
    attr = getattr(type(conn), "autocommit", None)
    if isinstance(attr, property):
        conn.autocommit = autocommit
    else:
        conn.autocommit(autocommit)
