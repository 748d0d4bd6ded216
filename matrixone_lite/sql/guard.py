"""Keep a tenant's SQL away from the engine's internals.

Every user table is stored as SQLite tables ``t_N``/``h_N`` whose extra columns (``__mo_ts``,
``__mo_begin``, ``__mo_end``) carry the commit history, next to catalog tables ``__mo_*`` and
SQLite's own ``sqlite_*`` tables, pragmas and table-valued functions. Table references are
already resolved through the catalog (a name never reaches SQLite as written), but column
references, INSERT column lists and function calls are passed through. Without this check a
tenant could forge history (``INSERT ... (__mo_ts) VALUES (5)`` makes a row look committed at
an earlier instant, and time travel and restores trust it) or read other tenants' catalog rows
(``SELECT * FROM pragma_table_info('__mo_users')``).

MatrixOne has neither these columns nor these functions, so they are refused with the errors
MatrixOne gives for an unknown column (1054) or function (20105 ``function or operator``).
"""

from __future__ import annotations

import sqlite3

from sqlglot import exp

from matrixone_lite.errors import MOError, bad_field, not_supported
from matrixone_lite.storage.reserved import is_internal_column

# SQLite functions MatrixOne does not have and that expose or reach outside the tenant's data
_DENIED_PREFIXES = ("sqlite_", "pragma_", "fts3", "fts4", "fts5", "rtree")
_DENIED = {"load_extension", "json_each", "json_tree", "zipfile", "readfile", "writefile", "edit",
           "generate_series", "carray", "dbstat", "sqlar_compress", "sqlar_uncompress"}


# lite's own plumbing, callable only by the engine (the SQLite authorizer must let the engine's nested
# calls through, so these are refused where a client's text is checked): the native library's
# connection-handle entry point, the fingerprint aggregate (its second argument is SQL it runs:
# execution/fingerprints.py) and the Python twins the native functions fall back to
_ENGINE_ONLY = {"mo_native_handle", "mo_fp_agg", "mo_fp_agg_buckets"}
_ENGINE_ONLY_PREFIX = "mo_py_"


def engine_only_function(name: str) -> bool:
    n = name.lower()
    return n in _ENGINE_ONLY or n.startswith(_ENGINE_ONLY_PREFIX)


def denied_function(name: str) -> bool:
    n = name.lower()
    return n in _DENIED or n.startswith(_DENIED_PREFIXES)


def unknown_function(name: str) -> MOError:
    """MatrixOne's error for a function it does not know."""
    return not_supported(f"function or operator '{name.lower()}'")


def _function_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this)
    if isinstance(node, exp.Func):
        return node.sql_name()
    return node.key


def check_statement(tree: exp.Expression) -> None:
    """Raise if the statement names an internal column, a table function or a denied function."""
    for node in tree.walk():
        if isinstance(node, exp.Table):
            src = node.this
            if src is not None and not isinstance(src, exp.Identifier):
                # ``FROM pragma_table_info('x')``, ``FROM json_each(...)``: SQLite table-valued
                # functions; MatrixOne's own (unnest, generate_series...) are not emulated here
                raise unknown_function(_function_name(src))
        elif isinstance(node, exp.Column):
            if is_internal_column(node.name):
                raise bad_field(node.name)
        elif isinstance(node, exp.Schema) and isinstance(node.parent, exp.Insert):
            for ident in node.expressions:
                if is_internal_column(ident.name):
                    raise bad_field(ident.name)
        elif isinstance(node, exp.Anonymous):
            # ``node.name``, not ``str(node.this)``: a back-quoted call (`` `mo_fp_agg`(...) ``) has
            # an Identifier there, whose str() keeps the quotes and so matched no name below
            if denied_function(node.name) or engine_only_function(node.name):
                raise unknown_function(node.name)
        elif isinstance(node, exp.Pragma):
            raise unknown_function(node.key)


_DENIED_READS = {"json_each", "json_tree", "dbstat", "sqlite_dbpage", "sqlite_stmt", "generate_series"}
_DENY_CODES = {sqlite3.SQLITE_PRAGMA, sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH}


def authorize(action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None) -> int:
    """SQLite authorizer of session connections: the second line behind :func:`check_statement`.

    Whatever SQL reaches a session's connection (a translation the guard did not foresee, a
    fast path), SQLite itself refuses pragmas (including ``pragma_*`` table functions),
    ATTACH/DETACH, the denied functions and reads of table-valued functions such as
    ``json_each``. The engine's
    own statements on these connections need none of them (PRAGMAs run before it is installed).
    """
    if action in _DENY_CODES:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and arg2 is not None and denied_function(arg2):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_READ and arg1 is not None and arg1.lower() in _DENIED_READS:
        return sqlite3.SQLITE_DENY  # (``sqlite_master`` stays readable: the engine resolves names with it)
    return sqlite3.SQLITE_OK
