"""Exception hierarchy shared by the hook, operators and ``mo-pitr``.

Every failure the domain layer can detect client-side gets its own type so callers can decide
(retry, alert, fail the DAG run) without parsing strings. Server errors are mapped onto the same
types by :func:`map_server_error` so a refusal looks the same whether we or MatrixOne caught it.
"""

from __future__ import annotations

import re

__all__ = [
    "InvalidInput",
    "LevelMismatch",
    "MatrixOneError",
    "ObjectNotFound",
    "PermissionDenied",
    "PitrAlreadyExists",
    "PitrNotFound",
    "ServerError",
    "SnapshotAlreadyExists",
    "SnapshotNotFound",
    "TimestampOutsideWindow",
    "UnsupportedByServerVersion",
    "map_server_error",
]

#: MatrixOne sends "internal" failures with this code and an ``internal error: `` prefix.
INTERNAL_ERROR_CODE = 20101
_INTERNAL_PREFIX = "internal error: "


class MatrixOneError(Exception):
    """Base class; ``code``/``server_message`` are set when the error came from the server."""

    def __init__(self, message: str, *, code: int | None = None, server_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.server_message = server_message

    def __str__(self) -> str:
        return self.message


class InvalidInput(MatrixOneError, ValueError):
    """A user-supplied value was rejected before any SQL was built; ``field`` names it."""

    def __init__(
        self, field: str, message: str, *, code: int | None = None, server_message: str | None = None
    ) -> None:
        self.field = field
        if field not in message:
            message = f"{field}: {message}"
        super().__init__(message, code=code, server_message=server_message)


class PitrNotFound(MatrixOneError):
    """The named PITR does not exist for the calling account (lookups are per creator)."""


class PitrAlreadyExists(MatrixOneError):
    """Duplicate PITR name, or the object is already covered by an active PITR of this creator."""


class SnapshotNotFound(MatrixOneError):
    """The named snapshot does not exist in the calling account."""


class SnapshotAlreadyExists(MatrixOneError):
    """Duplicate snapshot name."""


class ObjectNotFound(MatrixOneError):
    """An account, database or table does not exist (now or at the restore timestamp)."""


class TimestampOutsideWindow(MatrixOneError):
    """The restore timestamp is before the PITR was created, older than its range, or in the future."""


class PermissionDenied(MatrixOneError):
    """The caller's account/role may not perform the operation (e.g. a tenant naming another account)."""


class UnsupportedByServerVersion(MatrixOneError):
    """The requested statement form does not exist in the connected server's grammar."""


class LevelMismatch(MatrixOneError):
    """The PITR/snapshot level cannot serve the requested restore level (e.g. table PITR for an account)."""


class ServerError(MatrixOneError):
    """Any server error without a more specific mapping; keeps code and text."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message, code=code, server_message=message)


# Order matters: specific texts before generic ones ("pitr x does not exist" before "does not exist").
_RULES: list[tuple[re.Pattern[str], type[MatrixOneError]]] = [
    (re.compile(r"^pitr \S+ does not exist$"), PitrNotFound),
    (re.compile(r"^find \d+ pitr records by name"), PitrNotFound),
    (re.compile(r"^pitr \S+ already exists$"), PitrAlreadyExists),
    (re.compile(r"^cluster level pitr already exists$"), PitrAlreadyExists),
    (re.compile(r"already has a pitr$"), PitrAlreadyExists),
    (re.compile(r"^snapshot \S+ already exists$"), SnapshotAlreadyExists),
    (re.compile(r"^snapshot \S+ does not exist$"), SnapshotNotFound),
    (re.compile(r"^find \d+ snapshot records by name"), SnapshotNotFound),
    (re.compile(r"^(input timestamp|ts) .* (is less than|is bigger than)"), TimestampOutsideWindow),
    (re.compile(r"do not have privilege"), PermissionDenied),
    (re.compile(r"^only sys tenant can"), PermissionDenied),
    (re.compile(r"^account \S+ is not allowed to restore"), PermissionDenied),
    (re.compile(r"^non-sys account"), PermissionDenied),
    (re.compile(r"^can not restore .* by pitr"), LevelMismatch),
    (re.compile(r"^restore level \S+ is not allowed for"), LevelMismatch),
    (re.compile(r"^cluster level pitr .* is not allowed for"), LevelMismatch),
    (re.compile(r"^pitr \S+ is not allowed to restore"), LevelMismatch),
    (re.compile(r"^can't restore (account from|db from)"), LevelMismatch),
    (re.compile(r"is not cluster level snapshot$"), LevelMismatch),
    (re.compile(r"does not match snapshot\."), LevelMismatch),
    (re.compile(r"does not exists? at timestamp"), ObjectNotFound),
    (re.compile(r"not exists at (pitr|snapshot)"), ObjectNotFound),
    (re.compile(r"^no such account"), ObjectNotFound),
    (re.compile(r"does not exist$"), ObjectNotFound),
]

_INVALID_INPUT_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^invalid pitr value"), "range value"),
    (re.compile(r"^invalid pitr unit"), "range unit"),
    (re.compile(r"^pitr name is reserved$"), "pitr name"),
    (re.compile(r"^invalid input$"), "name"),
]


def map_server_error(code: int | None, message: str) -> MatrixOneError:
    """Turn a server error (code, text) into the matching exception, keeping both on the result.

    Only code 20101 texts are classified (MatrixOne's validation/refusal path, reference §4.7);
    parse errors (1064), time-parse and I/O failures (1105) and unknown texts become ``ServerError``.
    """
    text = message or ""
    if code != INTERNAL_ERROR_CODE:
        return ServerError(code, text)
    body = text[len(_INTERNAL_PREFIX) :] if text.startswith(_INTERNAL_PREFIX) else text
    body = body.strip()
    for pattern, field in _INVALID_INPUT_RULES:
        if pattern.search(body):
            return InvalidInput(field, f"{field} rejected by server: {body}", code=code, server_message=text)
    for pattern, exc_type in _RULES:
        if pattern.search(body):
            return exc_type(body, code=code, server_message=text)
    return ServerError(code, text)
