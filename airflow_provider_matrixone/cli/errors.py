"""Exit codes and the mapping from domain errors to ``mo-pitr`` messages.

Operators script ``mo-pitr`` like ``mo_br``, so the exit code must say *whose* fault a failure is:
2 = the command line (fix the flag shown), 1 = the server refused or failed (its code and text shown).
"""

from __future__ import annotations

import re

from airflow_provider_matrixone.pitr import errors as domain

_DOMAIN_EXAMPLE = re.compile(r"\s*\(example: [^()]*(?:\([^()]*\)[^()]*)*\)\s*$")

EXIT_OK = 0
EXIT_SERVER = 1
EXIT_USAGE = 2

#: Domain field name -> (flag, accepted example). Used to name the flag in validation messages.
FIELD_FLAGS: dict[str, tuple[str, str]] = {
    "pitr name": ("--pname", '--pname "pitr1"'),
    "snapshot name": ("--sname", '--sname "snap1"'),
    "range value": ("--rangevalue", "--rangevalue 10"),
    "range unit": ("--rangeunit", '--rangeunit "h"  (one of h, d, mo, y)'),
    "level": ("--level", '--level "account"  (cluster, account, database or table)'),
    "account": ("--account", '--account "acc1"'),
    "source account": ("--account", '--account "acc1"'),
    "to account": ("--new_account", '--new_account "acc1_copy"'),
    "new account": ("--new_account", '--new_account "acc1_copy"'),
    "admin name": ("--new_admin_name", '--new_admin_name "admin"'),
    "database": ("--database", '--database "db1"'),
    "table": ("--table", '--table "orders"'),
    "timestamp": ("--timestamp", '--timestamp "2024-10-28 17:30:00"  (server zone) or "2024-10-28T09:30:00Z"'),
    "zone": ("--timezone", '--timezone "Asia/Shanghai"  (or "UTC", "+08:00")'),
    "login": ("--user", '--user "acc1#root"  (account#user, or user for sys)'),
    "user": ("--user", '--user "acc1#root"'),
}


class UsageError(Exception):
    """A command-line problem found by ``mo-pitr`` itself (exit 2): names the flag, shows an example."""

    def __init__(self, flag: str, message: str, example: str | None = None) -> None:
        self.flag = flag
        self.example = example
        super().__init__(message)

    def render(self) -> str:
        text = f"{self.flag}: {self}" if self.flag and self.flag not in str(self) else str(self)
        if self.example and "example" not in text:
            text += f" (example: {self.example})"
        return text


class Refused(Exception):
    """The operator declined, or confirmation was needed but impossible (exit 2)."""


def flag_for_field(field: str, snapshot: bool = False) -> tuple[str, str]:
    """Flag and example for a domain field; snapshot commands spell the database flag ``--db``."""
    flag, example = FIELD_FLAGS.get(field, (f"--{field.replace(' ', '_')}", ""))
    if snapshot and flag == "--database":
        flag, example = "--db", '--db "db1"'
    return flag, example


def classify(exc: domain.MatrixOneError, *, snapshot: bool = False) -> tuple[int, str]:
    """Exit code and one-line message for a domain error.

    Errors carrying a server code came from MatrixOne (exit 1, code and text shown). Errors
    without one were caught client-side before any SQL was sent: the user must change the
    command line, so they are usage errors (exit 2) naming the flag.
    """
    if exc.code is not None:
        text = exc.server_message or str(exc)
        return EXIT_SERVER, f"MatrixOne error {exc.code}: {text}"
    if isinstance(exc, domain.InvalidInput):
        flag, example = flag_for_field(exc.field, snapshot)
        message = str(exc)
        if message.startswith(f"{exc.field}: "):
            message = message[len(exc.field) + 2 :]
        if example:
            # The domain's examples speak API terms (``database=db1``); show the flag form instead.
            message = _DOMAIN_EXAMPLE.sub("", message).rstrip()
            return EXIT_USAGE, f"{flag}: {message} (example: {example})"
        return EXIT_USAGE, f"{flag}: {message}"
    if isinstance(exc, domain.TimestampOutsideWindow):
        return EXIT_USAGE, (f"--timestamp: {exc} (run `mo-pitr pitr window --pname <name>` for the "
                            "recoverable window; example: --timestamp \"2024-10-28 17:30:00\")")
    if isinstance(exc, (domain.PermissionDenied, domain.LevelMismatch, domain.UnsupportedByServerVersion)):
        return EXIT_USAGE, (f"{exc} (refused before sending anything; check --user, --account, --database, "
                            "--table and the PITR's level shown by `mo-pitr pitr show`)")
    if isinstance(exc, (domain.PitrNotFound, domain.SnapshotNotFound)):
        flag = "--sname" if isinstance(exc, domain.SnapshotNotFound) else "--pname"
        return EXIT_USAGE, f"{flag}: {exc} (list them with `mo-pitr {'snapshot' if flag == '--sname' else 'pitr'} show`)"
    return EXIT_SERVER, str(exc)
