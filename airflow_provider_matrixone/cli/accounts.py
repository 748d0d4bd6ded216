"""``--new_account`` support: flag checks, and creating the account for a restore.

The SQL comes from the domain layer (``statements.create_account`` / ``drop_account``). The
password never leaves this module except inside the statement, which the client redacts in logs.
"""

from __future__ import annotations

import os
from typing import Any

from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.pitr import errors as domain
from airflow_provider_matrixone.pitr import statements
from airflow_provider_matrixone.pitr.identifiers import validate_name

NEW_ADMIN_PASSWORD_ENV = "MO_NEW_ADMIN_PASSWORD"
MAX_PASSWORD_LENGTH = 128


def new_account_flags(new_account: str | None, admin_name: str | None, admin_password: str | None) -> str | None:
    """Check the three flags go together; returns the password (flag, else $MO_NEW_ADMIN_PASSWORD)."""
    password = admin_password if admin_password is not None else os.environ.get(NEW_ADMIN_PASSWORD_ENV)
    if new_account is None:
        for flag, value in (("--new_admin_name", admin_name), ("--new_admin_password", admin_password)):
            if value is not None:
                raise UsageError(flag, f"{flag} only applies with --new_account",
                                 '--new_account "acc1_copy" --new_admin_name "admin" --new_admin_password "..."')
        return None
    try:
        validate_name(new_account, "new account", "account")
    except domain.InvalidInput as exc:
        raise UsageError("--new_account", str(exc).replace("new account: ", ""), '--new_account "acc1_copy"') from None
    if not admin_name:
        raise UsageError("--new_admin_name", "--new_account needs --new_admin_name (the new account's admin user)",
                         '--new_account "acc1_copy" --new_admin_name "admin" --new_admin_password "..."')
    try:
        validate_name(admin_name, "admin name", "user")
    except domain.InvalidInput as exc:
        raise UsageError("--new_admin_name", str(exc).replace("admin name: ", ""), '--new_admin_name "admin"') from None
    if not password:
        raise UsageError("--new_admin_password", "--new_account needs --new_admin_password (or the environment "
                         f"variable {NEW_ADMIN_PASSWORD_ENV})", '--new_admin_password "..."')
    if len(password) > MAX_PASSWORD_LENGTH or any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise UsageError("--new_admin_password", "the new admin password must be 1-128 printable characters",
                         '--new_admin_password "..."')
    return password


def create_account_sql(name: str, admin_name: str, password: str) -> str:
    """``CREATE ACCOUNT a ADMIN_NAME 'u' IDENTIFIED BY 'pw'`` with every part validated and quoted."""
    return statements.create_account(name, admin_name, password)


def restore_into_new_account(client: Any, progress: Any, account: str, create_sql: str, restore_sql: str) -> None:
    """Create the account, then restore into it; if the restore fails, drop the account again.

    A half-made copy is worse than none: it looks like a restored tenant and holds the name.
    """
    progress.phase(f"creating account {account} ...")
    client.execute(create_sql)
    try:
        client.execute(restore_sql)
    except BaseException:
        progress.phase(f"restore failed: dropping the account {account} created for it ...")
        try:
            client.execute(statements.drop_account(account, if_exists=True))
        except Exception as cleanup_error:  # report both; the restore error is the one raised
            progress.phase(f"could not drop account {account}: {cleanup_error}; drop it by hand")
        raise
