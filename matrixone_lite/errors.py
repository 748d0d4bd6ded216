"""Errors that reach a MySQL client, with MatrixOne's codes and message texts.

Every failure the engine reports is an :class:`MOError`; the wire layer turns it into an ERR packet.
Message formats follow shared/reference/matrixone-pitr.md section 4.7.
"""

from __future__ import annotations


class MOError(Exception):
    """An error with a MySQL error code, message and SQLSTATE, as MatrixOne sends it."""

    def __init__(self, code: int, message: str, sqlstate: str = "HY000") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.sqlstate = sqlstate

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"MOError({self.code}, {self.message!r})"


def internal_error(text: str) -> MOError:
    """MatrixOne's generic 20101 error: ``internal error: <text>``."""
    return MOError(20101, f"internal error: {text}")


def syntax_error(near: str, column: int = 0, line: int = 1) -> MOError:
    """1064 with MatrixOne's parser wording."""
    return MOError(
        1064,
        "SQL parser error: You have an error in your SQL syntax; check the manual that corresponds to "
        f'your MatrixOne server version for the right syntax to use. syntax error at line {line} '
        f'column {column} near "{near}";',
        "42000",
    )


def unknown_database(name: str) -> MOError:
    return MOError(1049, f"Unknown database {name}", "42000")


def no_such_table(db: str, table: str) -> MOError:
    return MOError(1146, f"no such table {db}.{table}", "42S02")


def table_not_exist(table: str) -> MOError:
    """A query naming a missing table: MatrixOne's plan builder words (``moerr.NewNoSuchTable`` is
    only the DDL path's ``no such table db.t``)."""
    return MOError(1146, f'SQL parser error: table "{table}" does not exist', "42S02")


def access_denied(user: str) -> MOError:
    return MOError(1045, f"Access denied for user {user}", "28000")


def no_database_selected() -> MOError:
    return MOError(1046, "No database selected", "3D000")


def invalid_argument(arg: str, value: object) -> MOError:
    return MOError(20203, f"invalid argument {arg}, bad value {value}")


def invalid_input(text: str) -> MOError:
    return MOError(20301, f"invalid input: {text}")


def database_exists(name: str) -> MOError:
    return MOError(1007, f"Can't create database '{name}'; database exists", "HY000")


def table_exists(name: str) -> MOError:
    return MOError(1050, f"table {name} already exists", "42S01")


def duplicate_entry(value: str, key: str) -> MOError:
    return MOError(1062, f"Duplicate entry '{value}' for key '{key}'", "23000")


def column_not_null(column: str) -> MOError:
    return MOError(1048, f"Column '{column}' cannot be null", "23000")


def bad_field(column: str, where: str = "field list") -> MOError:
    return MOError(1054, f"Unknown column '{column}' in '{where}'", "42S22")


def not_supported(text: str) -> MOError:
    return MOError(20105, f"not supported: {text}")


def lock_wait_timeout() -> MOError:
    return MOError(1205, "Lock wait timeout exceeded; try restarting transaction")
