"""Which connections verify a restore operator's run: fail closed when none can read the scope.

Why: MatrixOne lets an account read only its own data, so when sys restores another account's
PITR or snapshot (or restores into ``target_account`` / ``to_account``) the reference at T and the
restored scope must be read through logins of those accounts. A restore that cannot be proved
must not pass for a verified one, nor silently run unverified: the lead's call for issues 12 and
13. So, for each of the two readers: the connection given (``reference_conn_id`` /
``verify_conn_id``), else the task's own connection when it already is that account, else the
provider's account-connection resolver (:mod:`airflow_provider_matrixone.hooks.routing`: the
``matrixone_account_connections`` Variable, then the ``matrixone_<account>`` convention); if none
is usable the task is refused before any statement that changes anything, with a sentence naming
what to give (after the plan's own guards, read-only, so a wrong request is named as such first). Turning verification off (``verify=False`` / ``capture_reference=False``) is the
explicit way to restore unverified. Both restore operators call :func:`verification_readers`.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Level
from airflow_provider_matrixone.restore.request import RestoreRequest
from airflow_provider_matrixone.restore.run import plan

__all__ = ["ReadersRefused", "verification_readers"]


class ReadersRefused(errors.InvalidInput):
    """No login of the account whose data the verification must read: refused before any change."""


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


def verification_readers(hook: Any, conn_id: str, request: RestoreRequest, *, reference_conn_id: str | None,
                         verify_conn_id: str | None, opt_out: str) -> tuple[Any, Any]:
    """(reads the source at T, reads the restored scope now) for a verified ``request``.

    ``hook`` is the task's own connection (``conn_id``); ``opt_out`` names the operator's switch
    that restores unverified (``verify=False`` or ``capture_reference=False``) for the refusal.
    A cluster restore reads the connected account (its own data), so ``hook`` serves both.
    """
    from airflow_provider_matrixone.hooks import routing
    from airflow_provider_matrixone.operators._common import make_hook

    given = {"reference_conn_id": reference_conn_id, "verify_conn_id": verify_conn_id}
    if request.level is Level.CLUSTER:
        return (make_hook(reference_conn_id) if reference_conn_id else hook,
                make_hook(verify_conn_id) if verify_conn_id else hook)
    source = request.account or hook.account
    wanted = {"reference_conn_id": source, "verify_conn_id": request.target_account or source}
    router: Any = None
    readers: list[Any] = []
    for field, account in wanted.items():
        explicit = given[field]
        if explicit:
            readers.append(make_hook(explicit))  # checked by the plan's reads (AccountMismatch names it)
            continue
        if _same(hook.account, account):
            readers.append(hook)
            continue
        if router is None:
            router = routing.Router(hook, conn_id, make_hook, routing.resolver())
        try:
            readers.append(router.account_ops(account))
        except errors.InvalidInput as exc:
            # the request's own faults (level/object, target, window...) are named first, as they
            # would be without this step: the plan's guards alone, read-only
            plan(hook, request, list_objects=False)
            raise ReadersRefused(
                "connection",
                f"verification must read account '{account}' but connection '{conn_id}' is logged in to account "
                f"'{hook.account}' (MatrixOne lets an account read only its own data), and no connection of account "
                f"'{account}' was found: {exc}. Nothing was changed: give "
                f"{field} (a login of account '{account}'), or {opt_out} to restore unverified on purpose",
            ) from None
    return readers[0], readers[1]
