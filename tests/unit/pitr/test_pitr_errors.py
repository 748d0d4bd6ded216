"""map_server_error over MatrixOne's error catalog (reference §4.7)."""

from __future__ import annotations

import pytest

from airflow_provider_matrixone.pitr import (
    InvalidInput,
    LevelMismatch,
    MatrixOneError,
    ObjectNotFound,
    PermissionDenied,
    PitrAlreadyExists,
    PitrNotFound,
    ServerError,
    SnapshotAlreadyExists,
    SnapshotNotFound,
    TimestampOutsideWindow,
    map_server_error,
)

CATALOG = [
    ("pitr p1 does not exist", PitrNotFound),
    ("find 0 pitr records by name(p1), expect only 1", PitrNotFound),
    ("pitr p1 already exists", PitrAlreadyExists),
    ("cluster level pitr already exists", PitrAlreadyExists),
    ("account `acc1` already has a pitr", PitrAlreadyExists),
    ("database `db1` already has a pitr", PitrAlreadyExists),
    ("database `db1` table `t1` already has a pitr", PitrAlreadyExists),
    ("snapshot s1 already exists", SnapshotAlreadyExists),
    ("snapshot s1 does not exist", SnapshotNotFound),
    ("find 0 snapshot records by name(s1), expect only 1", SnapshotNotFound),
    ("input timestamp 2024-10-28 17:00:00 is less than the pitr valid time 2024-10-28 18:00:00", TimestampOutsideWindow),
    ("input timestamp 2024-10-20 17:00:00 is less than the pitr range minest timestamp 2024-10-27 18:00:00",
     TimestampOutsideWindow),
    ("input timestamp 2030-10-28 17:00:00 is bigger than now timestamp 2024-10-28 18:00:00", TimestampOutsideWindow),
    ("do not have privilege to execute the statement", PermissionDenied),
    ("only sys tenant can create cluster level pitr", PermissionDenied),
    ("only sys tenant can create tenant level pitr for other tenant", PermissionDenied),
    ("only sys tenant can create cluster level snapshot", PermissionDenied),
    ("account acc1 is not allowed to restore other account acc2", PermissionDenied),
    ("account acc1 is not allowed to restore cluster level pitr p1", PermissionDenied),
    ("non-sys account can't restore cluster level snapshot", PermissionDenied),
    ("can not restore account acc1 by pitr p1", LevelMismatch),
    ("can not restore sys account to new account acc1 by pitr p1", LevelMismatch),
    ("can not restore account acc1 by pitr p1, source account is empty", LevelMismatch),
    ("restore level cluster is not allowed for account restore", LevelMismatch),
    ("restore level account is not allowed for cluster restore", LevelMismatch),
    ("cluster level pitr `cluster` is not allowed for database restore", LevelMismatch),
    ("pitr p1 is not allowed to restore account acc1", LevelMismatch),
    ("can't restore account from db or table level snapshot", LevelMismatch),
    ("can't restore db from cluster level snapshot", LevelMismatch),
    ("account acc1 does not exist", ObjectNotFound),
    ("database db1 does not exist", ObjectNotFound),
    ("table db1.t1 does not exist", ObjectNotFound),
    ("database 'db1' does not exists at timestamp: 1730107800000000000", ObjectNotFound),
    ("database 'db1' table 't1' does not exists at timestamp: 1730107800000000000", ObjectNotFound),
    ("table 't1' not exists at pitr 'p1'", ObjectNotFound),
    ("no such account, account name: acc9", ObjectNotFound),
    ("invalid pitr value 0", InvalidInput),
    ("invalid pitr unit day", InvalidInput),
    ("pitr name is reserved", InvalidInput),
    ("invalid input", InvalidInput),
    ("unclassified statement appears in uncommitted transaction", ServerError),
]


@pytest.mark.parametrize(("text", "exc"), CATALOG)
def test_catalog_mapping(text: str, exc: type[MatrixOneError]) -> None:
    message = f"internal error: {text}"
    err = map_server_error(20101, message)
    assert type(err) is exc
    assert err.code == 20101
    assert err.server_message == message
    assert text in str(err)


@pytest.mark.parametrize(("code", "message"), [
    (1064, "SQL parser error: You have an error in your SQL syntax; ... near \"if not exists\";"),
    (1105, 'parsing time "2024-10-28 17:30: 00" as "2006-01-02 15:04:05": cannot parse " 00" as "05"'),
    (20203, "invalid argument invalid timestamp value, no corresponding snapshot , bad value 1"),
    (None, "pitr p1 does not exist"),
])
def test_other_codes_are_server_errors(code: int | None, message: str) -> None:
    err = map_server_error(code, message)
    assert type(err) is ServerError
    assert err.code == code and err.server_message == message and str(err) == message


def test_invalid_input_is_value_error() -> None:
    err = InvalidInput("database", "invalid database 'x;': nope")
    assert isinstance(err, ValueError) and isinstance(err, MatrixOneError)
    assert err.field == "database"
    assert str(InvalidInput("range unit", "bad")) == "range unit: bad"
