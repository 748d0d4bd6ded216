"""Session/system variables as a MatrixOne server reports them.

Extends mysql-mimic's schema with MatrixOne's defaults and the variables its SDK and the common
drivers set, so ``SET`` of those succeeds instead of 1193.
"""

from __future__ import annotations

from typing import Any

from mysql_mimic.variables import SYSTEM_VARIABLES, GlobalVariables, SessionVariables, VariableSchema

from matrixone_lite.errors import MOError

SQL_MODE = ("ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
            "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")


def server_version(version: str) -> str:
    """The version string MatrixOne reports (configuration.go:78)."""
    return f"8.0.30-MatrixOne-v{version}"


def make_schema(version: str, server_zone: str) -> dict[str, VariableSchema]:
    schema = dict(SYSTEM_VARIABLES)
    schema.update({
        "version": (str, server_version(version), False),
        "version_comment": (str, "MatrixOne", False),
        "time_zone": (str, "SYSTEM", True),
        "system_time_zone": (str, server_zone, False),
        "sql_mode": (str, SQL_MODE, True),
        "lower_case_table_names": (int, 1, True),
        "transaction_isolation": (str, "REPEATABLE-READ", True),
        "tx_isolation": (str, "REPEATABLE-READ", True),
        "transaction_read_only": (bool, False, True),
        "tx_read_only": (bool, False, True),
        "sql_safe_updates": (bool, False, True),
        "foreign_key_checks": (bool, True, True),
        "unique_checks": (bool, True, True),
        "sql_quote_show_create": (bool, True, True),
        "innodb_lock_wait_timeout": (int, 50, True),
        "lock_wait_timeout": (int, 31536000, True),
        "max_connections": (int, 1000, True),
        "port": (int, 6001, False),
        "hostname": (str, "matrixone-lite", False),
        "save_query_result": (bool, False, True),
        "query_result_maxsize": (int, 100, True),
        "query_result_timeout": (int, 24, True),
        "experimental_ivf_index": (bool, False, True),
        "experimental_hnsw_index": (bool, False, True),
        "experimental_fulltext_index": (bool, False, True),
        "ob_compatible": (bool, False, True),
        "profiling": (bool, False, True),
        "character_set_system": (str, "utf8mb3", False),
        "character_set_filesystem": (str, "binary", True),
        "div_precision_increment": (int, 4, True),
        "group_concat_max_len": (int, 1024, True),
        "autocommit": (bool, True, True),
    })
    return schema


def make_variables(version: str, server_zone: str) -> SessionVariables:
    return SessionVariables(GlobalVariables(make_schema(version, server_zone)))


def coerce(variables: SessionVariables, name: str, raw: Any) -> Any:
    """Convert a SET value to the variable's type (ON/OFF and 1/0 for booleans); 1193/1231 on errors."""
    schema = variables.schema.get(name.lower())
    if schema is None:
        raise MOError(1193, f"Unknown system variable '{name}'", "HY000")
    type_, _default, _dynamic = schema
    if raw is None:
        return None
    if type_ is bool:
        text = str(raw).strip().upper()
        if text in ("ON", "TRUE", "1", "YES"):
            return True
        if text in ("OFF", "FALSE", "0", "NO"):
            return False
        raise MOError(1231, f"Variable '{name}' can't be set to the value of '{raw}'", "42000")
    if type_ is int:
        try:
            return int(str(raw).strip())
        except ValueError:
            raise MOError(1232, f"Incorrect argument type to variable '{name}'", "42000") from None
    return str(raw)


def display(value: Any) -> Any:
    """How SELECT @@var returns a value (booleans as 1/0)."""
    if isinstance(value, bool):
        return int(value)
    return value
