"""Shared plumbing of the MatrixOne operators: hooks, flag coercion, error mapping, phase timing.

Operators stay thin: they coerce templated values, call the domain layer through the hook and
turn the domain's typed errors into Airflow's failure semantics. Nothing here touches the
network at import time or in ``__init__``.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException

from airflow_provider_matrixone.pitr import errors

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

#: MySQL client error codes meaning the connection went away mid-statement.
LOST_CONNECTION_CODES = frozenset({2006, 2013, 2055})
# Client-side "cannot connect" codes (2002 socket, 2003 TCP refused/timed out) plus the lost ones:
# the server may be restarting or the network flapping, which a waiting sensor should ride out.
UNREACHABLE_CODES = LOST_CONNECTION_CODES | frozenset({2002, 2003})

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


class PhaseTimer:
    """Logs each phase with its duration and keeps them for the XCom result."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.phases: list[dict[str, Any]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.log.info("phase %s: start", name)
        start = time.monotonic()
        status = "ok"
        try:
            yield
        except BaseException:
            status = "failed"
            raise
        finally:
            duration = round(time.monotonic() - start, 6)
            self.phases.append({"phase": name, "duration_s": duration, "status": status})
            self.log.info("phase %s: %s in %.3f s", name, status, duration)

    def skipped(self, name: str, why: str) -> None:
        self.phases.append({"phase": name, "duration_s": 0.0, "status": f"skipped: {why}"})
        self.log.info("phase %s: skipped (%s)", name, why)


def run_identity(context: Any, task: Any) -> tuple[str, str, str, int, int]:
    """(dag_id, task_id, run_id, map_index, try_number) from a context, tolerant of test contexts."""
    ti = context.get("ti") if hasattr(context, "get") else None
    dag_id = str(getattr(ti, "dag_id", None) or getattr(task, "dag_id", None) or "dag")
    task_id = str(getattr(ti, "task_id", None) or getattr(task, "task_id", "task"))
    run_id = str(getattr(ti, "run_id", None) or (context.get("run_id") if hasattr(context, "get") else None) or "run")
    map_index = getattr(ti, "map_index", -1)
    try_number = getattr(ti, "try_number", None) or (context.get("try_number") if hasattr(context, "get") else 1) or 1
    return dag_id, task_id, run_id, int(map_index if map_index is not None else -1), int(try_number)


def safety_snapshot_name(dag_id: str, task_id: str, run_id: str, map_index: int, scope_key: str) -> str:
    """Deterministic, valid (``[a-z0-9_]``, <= 64 chars) snapshot name for one run and scope.

    The same task retry computes the same name, so a retry finds the snapshot of its first
    attempt instead of snapshotting an already-restored scope.
    """
    digest = hashlib.sha256("\x1f".join((dag_id, task_id, run_id, str(map_index), scope_key)).encode()).hexdigest()
    slug = re.sub(r"[^a-z0-9]+", "_", scope_key.lower()).strip("_")[:30]
    return f"mo_safety_{digest[:16]}_{slug}"[:64].rstrip("_")
