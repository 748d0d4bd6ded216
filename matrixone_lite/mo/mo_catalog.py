"""Read-only ``mo_catalog.mo_database / mo_tables / mo_columns / mo_account / mo_user``.

Why: MatrixOne tools (and MatrixOne's own restore code) read the catalog through these tables,
e.g. ``select datname from mo_catalog.mo_database {snapshot = 's'} where account_id = 1`` or
``select count(*) from mo_catalog.mo_tables where account_id = 2``. matrixone_lite keeps its catalog
in ``__mo_accounts / __mo_users / __mo_databases / __mo_tables`` (versioned rows), so each table is
a SELECT over those with MatrixOne's column names and order (``pkg/catalog/types.go``
``MoDatabaseSchema`` / ``MoTablesSchema`` / ``MoColumnsSchema``; ``mo_account`` and ``mo_user`` from
``pkg/frontend/predefined.go``), run on the session's own connection so it sees the session's
uncommitted DDL like every other read.

Visibility follows MatrixOne: a tenant sees its own rows; sys sees every account's rows of
``mo_database / mo_tables / mo_columns`` (it filters by ``account_id`` itself) and is the only one
with ``mo_account``. A time-travel hint reads the catalog as of that instant.
Only user databases and tables are listed (MatrixOne also lists its system databases and tables).
"""

from __future__ import annotations

SYS_ID = 0
MO_SNAPSHOTS_VIEW = ("SELECT snapshot_id, sname, ts, level, account_name, database_name, table_name, "  # noqa: S608
                     "obj_id, kind FROM __mo_snapshots WHERE owner_account = ")
MO_PITR_VIEW = ("SELECT pitr_id, pitr_name, create_account, create_time, modified_time, level, account_id, "  # noqa: S608
                "account_name, database_name, table_name, obj_id, pitr_length, pitr_unit, pitr_status, "
                "pitr_status_changed_time, kind FROM __mo_pitr")

# mo_catalog tables every account has (authenticate.go predefinedTables / sysAccountTables);
# any other mo_catalog name counts as a cluster table (isClusterTable, decided by name alone)
_PREDEFINED_MO_CATALOG = frozenset((
    "mo_database", "mo_tables", "mo_columns", "mo_account", "mo_user", "mo_role", "mo_user_grant",
    "mo_role_grant", "mo_role_privs", "mo_user_defined_function", "mo_stored_procedure",
    "mo_mysql_compatibility_mode", "mo_increment_columns", "mo_indexes", "mo_table_partitions", "mo_pubs",
    "mo_stages", "mo_sessions", "mo_configurations", "mo_locks", "mo_variables", "mo_transactions",
    "mo_cache", "mo_foreign_keys", "mo_snapshots", "mo_version", "mo_upgrade", "mo_upgrade_tenant",
))


def is_cluster_table(database: str, table: str) -> bool:
    """MatrixOne's ``isClusterTable``: a non-predefined, non-index table name in mo_catalog."""
    return database == "mo_catalog" and table not in _PREDEFINED_MO_CATALOG and not table.startswith("__mo_index_")


# MatrixOne's fixed ids: role moadmin 0, public 1, accountadmin 2; user root 0 (sys), admin 2 (tenant);
# a custom role's id is its __mo_roles.role_id (storage/roles.py)
_ROLE_ID = ("CASE {r} WHEN 'moadmin' THEN 0 WHEN 'public' THEN 1 WHEN 'accountadmin' THEN 2 ELSE "
            "(SELECT ro.role_id FROM __mo_roles ro WHERE ro.account_id = {acc} AND ro.name = {r} "
            "AND ro.dropped_ts IS NULL) END")


def _alive(alias: str, at: int | None) -> str:
    """``storage.catalog.visible`` as literal SQL (``at`` is an int, never client text)."""
    if at is None:
        return f"{alias}.dropped_ts IS NULL"
    at = int(at)
    return (f"{alias}.created_ts >= 0 AND {alias}.created_ts <= {at} AND "
            f"({alias}.dropped_ts IS NULL OR {alias}.dropped_ts = -1 OR {alias}.dropped_ts > {at})")


def _time(col: str) -> str:
    """A ns commit stamp as MatrixOne's ``created_time`` (UTC; NULL while uncommitted)."""
    return f"CASE WHEN {col} >= 0 THEN datetime({col} / 1000000000, 'unixepoch') END"


def _owner(account_col: str) -> str:
    return f"CASE WHEN {account_col} = 0 THEN 0 ELSE 2 END"


def _scope(account_id: int, col: str) -> str:
    return "1" if account_id == SYS_ID else f"{col} = {int(account_id)}"


def _mo_database(account_id: int, at: int | None) -> str:
    return (
        "SELECT d.id AS dat_id, d.name AS datname, 'def' AS dat_catalog_name, "  # noqa: S608 - ints and constant fragments only
        "'create database ' || d.name AS dat_createsql, "
        f"{_owner('d.account_id')} AS owner, {_owner('d.account_id')} AS creator, "
        f"{_time('d.created_ts')} AS created_time, d.account_id AS account_id, '' AS dat_type "
        f"FROM __mo_databases d WHERE {_alive('d', at)} AND {_scope(account_id, 'd.account_id')}"
    )


def _tables(account_id: int, at: int | None) -> str:
    return (f"FROM __mo_tables t JOIN __mo_databases d ON d.id = t.database_id "
            f"WHERE {_alive('t', at)} AND {_alive('d', at)} AND {_scope(account_id, 'd.account_id')}")


# A view's rel_id: views are numbered in __mo_views, apart from tables, so they are shifted past them
VIEW_REL_ID_BASE = 1 << 32
# viewdef is Go's json.Marshal of plan.ViewData{Stmt, DefaultDatabase}: it escapes <, > and & as \u00XX
_VIEWDEF = ("replace(replace(replace(json_object('Stmt', v.create_sql, 'DefaultDatabase', "
            "coalesce(v.default_db, '')), '<', '\\u003c'), '>', '\\u003e'), '&', '\\u0026')")


def _mo_tables(account_id: int, at: int | None) -> str:
    # relkind as MatrixOne (pkg/catalog/types.go): 'r' table, 'S' sequence, 'v' view
    tables = (
        "SELECT t.id AS rel_id, t.name AS relname, d.name AS reldatabase, d.id AS reldatabase_id, "
        "'p' AS relpersistence, "
        "CASE WHEN substr(t.ddl, 1, 15) = 'CREATE SEQUENCE' THEN 'S' ELSE 'r' END AS relkind, "
        "'' AS rel_comment, t.ddl AS rel_createsql, "
        f"{_time('t.created_ts')} AS created_time, {_owner('d.account_id')} AS creator, "
        f"{_owner('d.account_id')} AS owner, d.account_id AS account_id, 0 AS partitioned, "
        "'' AS partition_info, '' AS viewdef, '' AS \"constraint\", 0 AS rel_version, 1 AS catalog_version "
        + _tables(account_id, at)
    )
    views = (
        f"SELECT {VIEW_REL_ID_BASE} + v.id, v.name, d.name, d.id, 'p', 'v', '', v.create_sql, "  # noqa: S608 - ints and constant fragments only
        f"{_time('v.created_ts')}, {_owner('d.account_id')}, {_owner('d.account_id')}, d.account_id, 0, '', "
        f"{_VIEWDEF}, '', 0, 1 "
        f"FROM __mo_views v JOIN __mo_databases d ON d.id = v.database_id "
        f"WHERE {_alive('v', at)} AND {_alive('d', at)} AND {_scope(account_id, 'd.account_id')}"
    )
    return f"{tables} UNION ALL {views}"


def _mo_columns(account_id: int, at: int | None) -> str:
    # No json_each: the session authorizer denies SQLite's table-valued functions to tenant SQL, and
    # this text runs inside a tenant's query. A bounded number series indexes the column array instead.
    c = "json_extract(t.columns_json, '$.columns[' || c.key || '].{}')"
    return (
        "SELECT t.id || '-' || " + c.format("name") + " AS att_uniq_name, d.account_id AS account_id, "  # noqa: S608 - ints and constant fragments only
        "d.id AS att_database_id, d.name AS att_database, t.id AS att_relname_id, t.name AS att_relname, "
        + c.format("name") + " AS attname, " + c.format("type_text") + " AS atttyp, "
        "c.key + 1 AS attnum, 0 AS att_length, "
        "CASE WHEN " + c.format("nullable") + " THEN 0 ELSE 1 END AS attnotnull, "
        "CASE WHEN " + c.format("default") + " IS NULL THEN 0 ELSE 1 END AS atthasdef, "
        "coalesce(" + c.format("default") + ", '') AS att_default, 0 AS attisdropped, "
        "CASE WHEN instr(lower(coalesce(json_extract(t.columns_json, '$.primary_key'), '[]')), "
        "lower(json_quote(" + c.format("name") + "))) > 0 THEN 'p' ELSE 'n' END AS att_constraint_type, "
        "CASE WHEN lower(" + c.format("type_text") + ") LIKE '%unsigned%' THEN 1 ELSE 0 END AS att_is_unsigned, "
        "CASE WHEN " + c.format("auto_increment") + " THEN 1 ELSE 0 END AS att_is_auto_increment, "  # noqa: S608 - constant fragments only
        "'' AS att_comment, 0 AS att_is_hidden, 0 AS attr_has_update, '' AS attr_update, "
        "0 AS attr_is_clusterby, c.key AS attr_seqnum, '' AS attr_enum "
        "FROM __mo_tables t JOIN __mo_databases d ON d.id = t.database_id, "
        "(WITH RECURSIVE s(key) AS (SELECT 0 UNION ALL SELECT key + 1 FROM s WHERE key + 1 < "
        "(SELECT max(json_array_length(columns_json, '$.columns')) FROM __mo_tables)) SELECT key FROM s) c "
        "WHERE c.key < json_array_length(t.columns_json, '$.columns') "
        f"AND {_alive('t', at)} AND {_alive('d', at)} AND {_scope(account_id, 'd.account_id')}"
    )


def _mo_account(at: int | None) -> str:
    admin = ("(SELECT u.name FROM __mo_users u WHERE u.account_id = a.id "
             "AND u.default_role IN ('moadmin', 'accountadmin') ORDER BY u.id LIMIT 1)")
    return (
        f"SELECT a.id AS account_id, a.name AS account_name, {admin} AS admin_name, 'open' AS status, "  # noqa: S608 - ints and constant fragments only
        f"{_time('a.created_ts')} AS created_time, coalesce(a.comment, '') AS comments, 0 AS version, "
        "NULL AS suspended_time, '1.2.0' AS create_version "
        f"FROM __mo_accounts a WHERE {_alive('a', at)}"
    )


def _mo_user(account_id: int, at: int | None) -> str:
    return (
        "SELECT u.id AS user_id, 'localhost' AS user_host, u.name AS user_name, "  # noqa: S608 - ints and constant fragments only
        "'*' || upper(u.auth_string) AS authentication_string, 'unlock' AS status, "
        f"{_time('u.created_ts')} AS created_time, NULL AS expired_time, 'PASSWORD' AS login_type, "
        f"{_owner('u.account_id')} AS creator, {_owner('u.account_id')} AS owner, "
        f"{_ROLE_ID.format(r='u.default_role', acc='u.account_id')} AS default_role "
        f"FROM __mo_users u WHERE {_alive('u', at)} AND u.account_id = {int(account_id)}"
    )


def catalog_view(account_id: int, name: str, at: int | None = None) -> str | None:
    """The SELECT standing for ``mo_catalog.<name>`` for this account (None: not one of these)."""
    if name == "mo_snapshots":  # each account has its own (matrixone-pitr.md §3.5)
        return MO_SNAPSHOTS_VIEW + str(int(account_id))
    if name == "mo_pitr" and account_id == SYS_ID:  # sys only (§3.4)
        return MO_PITR_VIEW
    if name == "mo_database":
        return _mo_database(account_id, at)
    if name == "mo_tables":
        return _mo_tables(account_id, at)
    if name == "mo_columns":
        return _mo_columns(account_id, at)
    if name == "mo_account" and account_id == SYS_ID:
        return _mo_account(at)
    if name == "mo_user":
        return _mo_user(account_id, at)
    if name in ("mo_role", "mo_user_grant", "mo_role_privs", "mo_role_grant"):
        from matrixone_lite.mo.mo_catalog_roles import role_view

        return role_view(name, account_id, at)
    return None
