"""Is this driver exception a lost or unreachable connection (not a server answer)?

Pure classification of exceptions from PyMySQL, mysqlclient and mysql-connector, used by the
restore workflow (did the RESTORE land despite a dropped connection?) and by the sensor (ride out
a restarting server). One place, so every caller agrees on what "lost" means.
"""

from __future__ import annotations

#: MySQL client error codes meaning the connection went away mid-statement.
LOST_CONNECTION_CODES = frozenset({2006, 2013, 2055})
# Client-side "cannot connect" codes (2002 socket, 2003 TCP refused/timed out) plus the lost ones:
# the server may be restarting or the network flapping, which a waiting sensor should ride out.
UNREACHABLE_CODES = LOST_CONNECTION_CODES | frozenset({2002, 2003})


def is_lost_connection(exc: BaseException, codes: frozenset[int] = LOST_CONNECTION_CODES) -> bool:
    """True for 'server has gone away' / 'lost connection' from any of the three drivers."""
    code = getattr(exc, "code", None)
    if code is None:
        code = getattr(exc, "errno", None)
    if code is None and getattr(exc, "args", None) and isinstance(exc.args[0], int):
        code = exc.args[0]
    if code in codes:
        return True
    cause = exc.__cause__
    return cause is not None and cause is not exc and is_lost_connection(cause, codes)


def is_unreachable(exc: BaseException) -> bool:
    """True when the server could not be reached or the connection broke (not a server answer)."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    return is_lost_connection(exc, UNREACHABLE_CODES)
