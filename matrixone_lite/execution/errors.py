"""SQLite exceptions as the MatrixOne errors a client sees (integrity, operational)."""

from __future__ import annotations

import sqlite3

from matrixone_lite.errors import MOError, bad_field, column_not_null, duplicate_entry, syntax_error
from matrixone_lite.sql import sqlite_errors
from matrixone_lite.sql.decimal import take_error as take_exact_error


def integrity_error(e: sqlite3.IntegrityError) -> MOError:
    msg = str(e)
    if "NOT NULL constraint failed" in msg:
        return column_not_null(msg.rsplit(".", 1)[-1])
    if "UNIQUE constraint failed" in msg:
        cols = [c.split(".")[-1] for c in msg.split(":", 1)[1].split(",")]
        return duplicate_entry("?", ",".join(c.strip() for c in cols))  # value unknown here
    return sqlite_errors.to_mo(msg, "")


def operational_error(e: sqlite3.OperationalError, sql: str) -> MOError:
    msg = str(e)
    if "user-defined function raised exception" in msg and (parked := take_exact_error()) is not None:
        return parked  # raised inside mo_dec_in & co (sql/decimal.py)
    if msg.startswith("no such column:"):
        return bad_field(msg.split(":", 1)[1].strip())
    if "syntax error" in msg or msg.startswith("near "):
        return syntax_error(sql[:40], 0)
    if "database is locked" in msg:
        return MOError(1205, "Lock wait timeout exceeded; try restarting transaction")
    return sqlite_errors.to_mo(msg, sql)
