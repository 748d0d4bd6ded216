"""Shared plumbing of the MatrixOne operators: hooks, flag coercion, error mapping, phase timing.

Operators stay thin: they coerce templated values, call the domain layer through the hook and
turn the domain's typed errors into Airflow's failure semantics. Nothing here touches the
network at import time or in ``__init__``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.flags import DryRun, parse_dry_run
from airflow_provider_matrixone.pitr.lost_connection import (  # noqa: F401 (re-exported)
    LOST_CONNECTION_CODES,
    UNREACHABLE_CODES,
    is_lost_connection,
    is_unreachable,
)

if TYPE_CHECKING:
    from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook

DEFAULT_CONN_ID = "matrixone_default"

#: Errors a retry cannot fix: fail the task at once, with the domain's message.
PERMANENT_ERRORS: tuple[type[errors.MatrixOneError], ...] = (
    errors.InvalidInput,
    errors.PermissionDenied,
    errors.LevelMismatch,
    errors.TimestampOutsideWindow,
    errors.PitrNotFound,
    errors.PitrAlreadyExists,
    errors.SnapshotNotFound,
    errors.SnapshotAlreadyExists,
    errors.ObjectNotFound,
    errors.UnsupportedByServerVersion,
)

_ACTION_LIMIT = 120


def make_hook(conn_id: str, **kwargs: Any) -> MatrixOneHook:
    """Build the hook lazily (import inside: keeps DAG parsing light)."""
    from airflow_provider_matrixone.hooks.matrixone import MatrixOneHook

    return MatrixOneHook(matrixone_conn_id=conn_id, **kwargs)


def as_bool(value: Any, field: str) -> bool:
    """Templated flags arrive as strings ("False"); the one strict parser of ``pitr.flags`` decides.

    Blank, ``"None"`` and ``"null"`` (an unset template) are errors, never ``False``: see
    :func:`airflow_provider_matrixone.pitr.flags.parse_bool`.
    """
    from airflow_provider_matrixone.pitr.flags import parse_bool

    return parse_bool(value, field)


def as_choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if isinstance(value, str) and value.strip().lower() in choices:
        return value.strip().lower()
    raise errors.InvalidInput(field, f"{field} must be one of {', '.join(choices)}, got {errors_describe(value)}")


def as_float(value: Any, field: str, *, minimum: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise errors.InvalidInput(field, f"{field} must be a number, got {errors_describe(value)}") from None
    if number < minimum or number != number:
        raise errors.InvalidInput(field, f"{field} must be >= {minimum}, got {errors_describe(value)}")
    return number


def optional_str(value: Any) -> str | None:
    """Templates render ``None`` as ``"None"`` and unset params as ``""``: both mean absent."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in ("", "None", "null"):
        return None
    return value if isinstance(value, str) else str(value)


def errors_describe(value: Any) -> str:
    from airflow_provider_matrixone.pitr.identifiers import describe_value

    return describe_value(value)


@contextmanager
def domain_errors(action: str) -> Iterator[None]:
    """Map the domain's permanent errors to AirflowFailException (no retry), others to AirflowException."""
    if not action.isprintable():  # control characters from user input must not forge log lines
        action = ascii(action)[1:-1]
    if len(action) > _ACTION_LIMIT:  # the action names user input: a huge value must not flood the log
        action = f"{action[:_ACTION_LIMIT]}... ({len(action)} characters)"
    try:
        yield
    except PERMANENT_ERRORS as exc:
        raise AirflowFailException(f"{action}: {exc}") from exc
    except errors.MatrixOneError as exc:
        raise AirflowException(f"{action}: {exc}") from exc


def run_identity(context: Any, task: Any) -> tuple[str, str, str, int, int]:
    """(dag_id, task_id, run_id, map_index, try_number) from a context, tolerant of test contexts."""
    ti = context.get("ti") if hasattr(context, "get") else None
    dag_id = str(getattr(ti, "dag_id", None) or getattr(task, "dag_id", None) or "dag")
    task_id = str(getattr(ti, "task_id", None) or getattr(task, "task_id", "task"))
    run_id = str(getattr(ti, "run_id", None) or (context.get("run_id") if hasattr(context, "get") else None) or "run")
    map_index = getattr(ti, "map_index", -1)
    try_number = getattr(ti, "try_number", None) or (context.get("try_number") if hasattr(context, "get") else 1) or 1
    return dag_id, task_id, run_id, int(map_index if map_index is not None else -1), int(try_number)


def workflow_flags(task: Any, verify_field: str = "capture_reference") -> tuple[DryRun, dict[str, bool]]:
    """The restore workflow's flags from a restore operator's arguments (PITR and snapshot restores alike).

    ``verify_field`` is the operator's name for "verify": ``capture_reference`` (PITR restore) or
    ``verify`` (snapshot restore).

    ``dry_run`` fails safe (an ambiguous value means a dry run, with a warning); the others take
    true/false, yes/no or 1/0 and fail the task on anything else, before any statement.
    """
    dry_run = parse_dry_run(task.dry_run_only)
    if dry_run.note:
        task.log.warning("%s", dry_run.note)
    return dry_run, {"safety_snapshot": as_bool(task.safety_snapshot, "safety_snapshot"),
                     "verify": as_bool(getattr(task, verify_field), verify_field),
                     "fingerprint": as_bool(task.fingerprint, "fingerprint")}


def workflow_run_key(context: Any, task: Any) -> tuple[str, int]:
    """(run key, try number): the key names the undo point; default ``<dag>/<task>/<run>/<map index>``."""
    dag_id, task_id, run_id, map_index, try_number = run_identity(context, task)
    return optional_str(task.run_key) or f"{dag_id}/{task_id}/{run_id}/{map_index}", try_number
