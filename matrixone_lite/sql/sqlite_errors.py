"""SQLite's error messages turned into MatrixOne's, so a client never sees the storage engine's words.

The engine catches every ``sqlite3`` error a statement raises; before this module the message went
out as ``internal error: <SQLite's text>`` (``no such function: FOO``, ``table t_1 has no column
named zz``, which also leaked the physical table name, ``1 values for 3 columns``). Each known
message maps to the code and text MatrixOne gives for the same mistake (from MatrixOne's
``test/distributed/cases/**/*.result`` and ``pkg/common/moerr``); anything else becomes one fixed
MatrixOne-style internal error, and SQLite's original text goes to the server log only.
"""

from __future__ import annotations

import logging
import re

from matrixone_lite.errors import MOError, bad_field, internal_error, not_supported, syntax_error

log = logging.getLogger(__name__)

_NO_FUNCTION = re.compile(r"^no such function: (?P<name>\S+)$")
_NO_COLUMN = re.compile(r"^table \S+ has no column named (?P<col>.+)$")
_COUNT = re.compile(r"^\d+ values for \d+ columns$|^all VALUES must have the same number of terms$")
_AMBIGUOUS = re.compile(r"^ambiguous column name: (?P<col>.+)$")
_ARGS = re.compile(r"^wrong number of arguments to function (?P<name>\w+)\(\)$")
_CHECK = re.compile(r"^CHECK constraint failed: (?P<name>.+)$")


def to_mo(msg: str, sql: str) -> MOError:
    """MatrixOne's error for a statement SQLite refused with ``msg``."""
    if m := _NO_FUNCTION.match(msg):
        # an unknown function: MatrixOne's ``function or operator`` refusal (e.g. 'twomult')
        return not_supported(f"function or operator '{m.group('name').lower()}'")
    if m := _NO_COLUMN.match(msg):
        return bad_field(m.group("col").strip())
    if _COUNT.match(msg):
        return MOError(1136, "Column count doesn't match value count at row 1", "21S01")
    if m := _AMBIGUOUS.match(msg):
        col = m.group("col").split(".")[-1]
        return internal_error(f"Column '{col}' in field list is ambiguous")  # plan/dml_context.go
    if m := _ARGS.match(msg):
        return MOError(20203, f"invalid argument function {m.group('name').lower()}, bad value [wrong number of arguments]")
    if m := _CHECK.match(msg):
        return MOError(3819, f"constraint violation: Check constraint '{m.group('name')}' is violated")
    if msg in ("incomplete input", "unrecognized token") or msg.startswith(("near ", "unrecognized token")):
        return syntax_error(sql[:40], 0)
    if msg == "malformed JSON":
        return MOError(20301, "invalid input: json text is not valid")
    if msg == "datatype mismatch":
        return MOError(20203, "invalid argument operand type, bad value [datatype mismatch]")
    # SQLite's text may quote a value of the statement: log it only when it quotes nothing
    log.info("storage error not mapped to a MatrixOne text: %s", msg if not re.search("['\"`]", msg) else "<quoted>")
    return internal_error("the storage engine could not execute the statement")
