"""``--verify``: refuse early what MatrixOne could not verify; the verification is the workflow's.

Capturing the state at T before the restore and comparing after it is
:func:`airflow_provider_matrixone.restore.run_restore` (shared with the operator and the DAG);
this module only checks, before the confirmation prompt, that the login can read the target.
"""

from __future__ import annotations

from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.cli.targets import Target
from airflow_provider_matrixone.pitr.models import Level
from airflow_provider_matrixone.sql_io.operations import PitrOperations


def require_own_account(client: PitrOperations, target: Target) -> None:
    """MatrixOne shows an account's objects (now and at T) only to that account."""
    account = target.scope.account or client.account
    if target.scope.level is Level.CLUSTER or target.new_account or account.lower() != client.account.lower():
        raise UsageError("--verify", "--verify reads the restored objects, which MatrixOne shows only to their own "
                         "account: connect as that account's admin (or drop --verify)",
                         '--user "acc1#root" --account "acc1" --verify')
