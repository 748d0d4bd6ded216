"""``--verify``: capture the target's state at T before the restore, compare after it.

The reference must be read *before* restoring: the restore rewrites the objects, so reading "T"
afterwards could read the restore's own result and prove nothing. The reading and comparing is
the domain layer's (:mod:`airflow_provider_matrixone.pitr.verify`, shared with the Airflow sensor);
this module only adapts it to a CLI target and turns the verdict into an exit status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.cli.targets import Target
from airflow_provider_matrixone.pitr import verify
from airflow_provider_matrixone.pitr.client import PitrOperations
from airflow_provider_matrixone.pitr.models import Level


@dataclass
class Report:
    ok: bool
    text: str
    data: dict[str, Any] = field(default_factory=dict)


def require_own_account(client: PitrOperations, target: Target) -> None:
    """MatrixOne shows an account's objects (now and at T) only to that account."""
    account = target.scope.account or client.account
    if target.scope.level is Level.CLUSTER or target.new_account or account.lower() != client.account.lower():
        raise UsageError("--verify", "--verify reads the restored objects, which MatrixOne shows only to their own "
                         "account: connect as that account's admin (or drop --verify)",
                         '--user "acc1#root" --account "acc1" --verify')


def capture(client: PitrOperations, target: Target, instant: datetime) -> verify.Reference:
    """The scope as it was at T, read through time travel (call before restoring).

    Fingerprints (exact, order-independent row hashes with the columns' names and types) catch
    changed rows that keep the count, renamed or retyped columns.
    """
    require_own_account(client, target)
    return verify.capture_reference(client, target.scope, instant, fingerprint=True)


def check(client: PitrOperations, target: Target, reference: verify.Reference) -> Report:
    """Per-object comparison of the live state with the reference; anything but VERIFIED fails.

    The restore has returned when this runs, so a missing table is a failure here, not a *wait*.
    """
    report = verify.verify(client, reference)
    ok = report.verdict == verify.VERIFIED and report.status == verify.STATUS_PASS
    return Report(ok, f"verification: {report.verdict}\n{report.render()}", report.to_dict())
