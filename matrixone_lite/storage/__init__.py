"""Storage layer: one SQLite file, versioned catalog, row history, restore primitives, GC."""

from matrixone_lite.storage.catalog import (
    AccountRow,
    ColumnDef,
    DatabaseRow,
    TableRow,
    TableSchema,
    UserRow,
)
from matrixone_lite.storage.storage import (
    SKIP_RESTORE_DATABASES,
    SYSTEM_DATABASES,
    Storage,
    Tx,
    auth_string,
)

__all__ = [
    "AccountRow",
    "ColumnDef",
    "DatabaseRow",
    "SKIP_RESTORE_DATABASES",
    "SYSTEM_DATABASES",
    "Storage",
    "TableRow",
    "TableSchema",
    "Tx",
    "UserRow",
    "auth_string",
]
