"""Golden SQL for every builder across MatrixOne 3.0.18, 4.0.0 and 4.2.0 (reference §2)."""

from __future__ import annotations

import pytest

from airflow_provider_matrixone.pitr import (
    Level,
    LevelMismatch,
    PermissionDenied,
    PitrRange,
    Scope,
    ServerVersion,
    UnsupportedByServerVersion,
    alter_pitr,
    count_rows,
    create_pitr,
    create_snapshot,
    drop_pitr,
    drop_snapshot,
    restore_pitr,
    restore_snapshot,
    show_databases,
    show_pitr,
    show_recovery_window,
    show_snapshots,
    show_tables,
    time_travel_hint,
)

V3 = ServerVersion.parse("8.0.30-MatrixOne-v3.0.18")
V40 = ServerVersion.parse("8.0.30-MatrixOne-v4.0.0")
V42 = ServerVersion.parse("8.0.30-MatrixOne-v4.2.0")
ALL_VERSIONS = [V3, V40, V42]
TS = "2024-10-28 17:30:00"
RNG = PitrRange.parse(1, "d")


def test_versions_parse() -> None:
    assert V3 == (3, 0, 18) and V40 == (4, 0, 0) and V42 == (4, 2, 0)
    assert ServerVersion.parse("v4.0.0-rc1").snapshot_restore_grammar == "brace"
    assert [v.snapshot_restore_grammar for v in ALL_VERSIONS] == ["from", "brace", "brace"]
    assert [v.has_account_prefix_restore for v in ALL_VERSIONS] == [False, False, True]
    assert [v.has_mo_ts_datetime for v in ALL_VERSIONS] == [False, False, True]
    assert all(v.has_as_of_timestamp for v in ALL_VERSIONS)
    assert not ServerVersion.parse("8.0.30-MatrixOne-v2.0.3").has_as_of_timestamp


CREATE_CASES = [
    ("sys", Scope.build("cluster"), False, "CREATE PITR `p1` FOR CLUSTER RANGE 1 'd'"),
    ("sys", Scope.build("account"), False, "CREATE PITR `p1` FOR ACCOUNT RANGE 1 'd'"),
    ("sys", Scope.build("account", account="sys"), False, "CREATE PITR `p1` FOR ACCOUNT RANGE 1 'd'"),
    ("sys", Scope.build("account", account="acc1"), True,
     "CREATE PITR IF NOT EXISTS `p1` FOR ACCOUNT `acc1` RANGE 1 'd'"),
    ("acc1", Scope.build("account"), False, "CREATE PITR `p1` FOR ACCOUNT RANGE 1 'd'"),
    ("acc1", Scope.build("account", account="acc1"), False, "CREATE PITR `p1` FOR ACCOUNT RANGE 1 'd'"),
    ("acc1", Scope.build("account", account="ACC1"), False, "CREATE PITR `p1` FOR ACCOUNT RANGE 1 'd'"),
    ("acc1", Scope.build("database", database="db1"), False, "CREATE PITR `p1` FOR DATABASE `db1` RANGE 1 'd'"),
    ("acc1", Scope.build("database", account="acc1", database="db1"), True,
     "CREATE PITR IF NOT EXISTS `p1` FOR DATABASE `db1` RANGE 1 'd'"),
    ("acc1", Scope.build("table", database="db1", table="t1"), False,
     "CREATE PITR `p1` FOR TABLE `db1` `t1` RANGE 1 'd'"),
]


@pytest.mark.parametrize(("caller", "scope", "ine", "expected"), CREATE_CASES)
def test_create_pitr(caller: str, scope: Scope, ine: bool, expected: str) -> None:
    assert create_pitr("p1", scope, RNG, caller_account=caller, if_not_exists=ine) == expected


@pytest.mark.parametrize(("value", "unit", "sql"), [
    (1, "h", "RANGE 1 'h'"), ("100", " D ", "RANGE 100 'd'"), (" 7 ", "MO", "RANGE 7 'mo'"), (2, "y", "RANGE 2 'y'"),
])
def test_create_pitr_units(value: object, unit: object, sql: str) -> None:
    got = create_pitr("p1", Scope.build("account"), PitrRange.parse(value, unit), caller_account="acc1")
    assert got == f"CREATE PITR `p1` FOR ACCOUNT {sql}"


def test_alter_drop_show_pitr() -> None:
    assert alter_pitr("p1", PitrRange.parse(2, "mo")) == "ALTER PITR `p1` RANGE 2 'mo'"
    assert alter_pitr("p1", RNG, if_exists=True) == "ALTER PITR IF EXISTS `p1` RANGE 1 'd'"
    assert drop_pitr("p1") == "DROP PITR `p1`"
    assert drop_pitr("p-1$", if_exists=True) == "DROP PITR IF EXISTS `p-1$`"
    assert show_pitr() == "SHOW PITR"
    assert show_pitr(name="P1") == "SHOW PITR WHERE pitr_name = 'p1'"
    assert show_pitr(name="p1", level="DATABASE", account="acc1", database="db1", table="t1") == (
        "SHOW PITR WHERE pitr_name = 'p1' AND pitr_level = 'database' AND account_name = 'acc1' "
        "AND database_name = 'db1' AND table_name = 't1'")


def test_show_recovery_window() -> None:
    assert show_recovery_window(Scope.build("account")) == "SHOW RECOVERY_WINDOW FOR ACCOUNT"
    assert show_recovery_window(Scope.build("account", "acc1")) == "SHOW RECOVERY_WINDOW FOR ACCOUNT `acc1`"
    assert show_recovery_window(Scope.build("database", database="d")) == "SHOW RECOVERY_WINDOW FOR DATABASE `d`"
    assert show_recovery_window(Scope.build("table", database="d", table="t")) == (
        "SHOW RECOVERY_WINDOW FOR TABLE `d` `t`")


RESTORE_CASES = [
    # (caller, scope, kwargs, expected) -- identical on every server line unless account_prefix
    ("acc1", Scope.build("account"), {}, f"RESTORE FROM PITR `p1` '{TS}'"),
    ("acc1", Scope.build("account", "acc1"), {"pitr_level": "account"}, f"RESTORE FROM PITR `p1` '{TS}'"),
    ("sys", Scope.build("account"), {"pitr_level": Level.ACCOUNT}, f"RESTORE FROM PITR `p1` '{TS}'"),
    ("sys", Scope.build("account", "acc1"), {}, f"RESTORE ACCOUNT `acc1` FROM PITR `p1` '{TS}'"),
    ("sys", Scope.build("account", "acc1"), {"pitr_level": "account"},
     f"RESTORE ACCOUNT `acc1` FROM PITR `p1` '{TS}'"),
    ("sys", Scope.build("account", "acc1"), {"pitr_level": "cluster"},
     f"RESTORE ACCOUNT `acc1` FROM PITR `p1` '{TS}' `acc1`"),
    ("sys", Scope.build("account", "acc2"), {"source_account": "acc1"},
     f"RESTORE ACCOUNT `acc2` FROM PITR `p1` '{TS}' `acc1`"),
    ("sys", Scope.build("account", "sys"), {"pitr_level": "cluster"},
     f"RESTORE ACCOUNT `sys` FROM PITR `p1` '{TS}' `sys`"),
    ("sys", Scope.build("cluster"), {"pitr_level": "cluster"}, f"RESTORE CLUSTER FROM PITR `p1` '{TS}'"),
    ("acc1", Scope.build("database", database="db1"), {}, f"RESTORE DATABASE `db1` FROM PITR `p1` '{TS}'"),
    ("acc1", Scope.build("database", database="db1"), {"pitr_level": "database"},
     f"RESTORE DATABASE `db1` FROM PITR `p1` '{TS}'"),
    ("acc1", Scope.build("database", account="acc1", database="db1"), {"pitr_level": "account"},
     f"RESTORE DATABASE `db1` FROM PITR `p1` '{TS}'"),
    ("acc1", Scope.build("table", database="db1", table="t1"), {"pitr_level": "table"},
     f"RESTORE DATABASE `db1` TABLE `t1` FROM PITR `p1` '{TS}'"),
    ("sys", Scope.build("table", database="db1", table="t1"), {},
     f"RESTORE DATABASE `db1` TABLE `t1` FROM PITR `p1` '{TS}'"),
]


@pytest.mark.parametrize("version", ALL_VERSIONS, ids=str)
@pytest.mark.parametrize(("caller", "scope", "kwargs", "expected"), RESTORE_CASES)
def test_restore_pitr(version: ServerVersion, caller: str, scope: Scope, kwargs: dict, expected: str) -> None:
    assert restore_pitr("p1", TS, scope, caller_account=caller, version=version, **kwargs) == expected


def test_restore_pitr_fraction_literal() -> None:
    got = restore_pitr("p1", "2024-08-08 15:42:20.249966", Scope.build("account"), caller_account="acc1",
                       version=V42)
    assert got == "RESTORE FROM PITR `p1` '2024-08-08 15:42:20.249966'"


@pytest.mark.parametrize(("scope", "expected"), [
    (Scope.build("database", database="db1"), f"RESTORE ACCOUNT `acc1` DATABASE `db1` FROM PITR `p1` '{TS}'"),
    (Scope.build("database", account="acc1", database="db1"),
     f"RESTORE ACCOUNT `acc1` DATABASE `db1` FROM PITR `p1` '{TS}'"),
    (Scope.build("table", database="db1", table="t1"),
     f"RESTORE ACCOUNT `acc1` DATABASE `db1` TABLE `t1` FROM PITR `p1` '{TS}'"),
])
def test_restore_pitr_account_prefix(scope: Scope, expected: str) -> None:
    assert restore_pitr("p1", TS, scope, caller_account="acc1", version=V42, account_prefix=True) == expected
    for old in (V3, V40):
        with pytest.raises(UnsupportedByServerVersion, match="4.1"):
            restore_pitr("p1", TS, scope, caller_account="acc1", version=old, account_prefix=True)


def test_restore_pitr_prefix_other_account_denied() -> None:
    with pytest.raises(PermissionDenied, match="account acc1 is not allowed to restore database db1"):
        restore_pitr("p1", TS, Scope.build("database", account="acc2", database="db1"), caller_account="acc1",
                     version=V42, account_prefix=True)


@pytest.mark.parametrize(("caller", "scope", "kwargs", "exc", "message"), [
    ("acc1", Scope.build("account", "acc2"), {}, PermissionDenied,
     "account acc1 is not allowed to restore other account acc2"),
    ("acc1", Scope.build("cluster"), {}, PermissionDenied, "account acc1 is not allowed to restore cluster level pitr p1"),
    ("sys", Scope.build("account", "acc1"), {"pitr_level": "database"}, LevelMismatch,
     "can not restore account acc1 by pitr p1"),
    ("acc1", Scope.build("account"), {"pitr_level": "table"}, LevelMismatch, "can not restore account acc1 by pitr p1"),
    ("sys", Scope.build("account", "acc1"), {"pitr_level": "account", "source_account": "acc2"}, LevelMismatch,
     "can not restore account acc1 by pitr p1, the pitr level is not cluster"),
    ("sys", Scope.build("database", database="db1"), {"pitr_level": "cluster"}, LevelMismatch,
     "cluster level pitr `cluster` is not allowed for database restore"),
    ("sys", Scope.build("table", database="db1", table="t1"), {"pitr_level": "cluster"}, LevelMismatch,
     "cluster level pitr `cluster` is not allowed for table restore"),
    ("sys", Scope.build("cluster"), {"pitr_level": "account"}, LevelMismatch,
     "restore level account is not allowed for cluster restore"),
    ("sys", Scope.build("account", "sys"), {"source_account": "acc1"}, LevelMismatch,
     "can not restore account acc1 to sys account by pitr p1"),
    ("sys", Scope.build("account", "acc1"), {"source_account": "sys"}, LevelMismatch,
     "can not restore sys account to new account acc1 by pitr p1"),
])
def test_restore_pitr_refusals_use_matrixone_wording(
    caller: str, scope: Scope, kwargs: dict, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc) as info:
        restore_pitr("p1", TS, scope, caller_account=caller, version=V42, **kwargs)
    assert str(info.value) == message


def test_create_pitr_refusals_use_matrixone_wording() -> None:
    with pytest.raises(PermissionDenied) as info:
        create_pitr("p1", Scope.build("cluster"), RNG, caller_account="acc1")
    assert str(info.value) == "only sys tenant can create cluster level pitr"
    with pytest.raises(PermissionDenied) as info:
        create_pitr("p1", Scope.build("account", "acc2"), RNG, caller_account="acc1")
    assert str(info.value) == "only sys tenant can create tenant level pitr for other tenant"


def test_snapshot_create_drop_show() -> None:
    assert create_snapshot("s1", Scope.build("cluster")) == "CREATE SNAPSHOT `s1` FOR CLUSTER"
    assert create_snapshot("s1", Scope.build("account")) == "CREATE SNAPSHOT `s1` FOR ACCOUNT"
    assert create_snapshot("s1", Scope.build("account", "acc1"), if_not_exists=True) == (
        "CREATE SNAPSHOT IF NOT EXISTS `s1` FOR ACCOUNT `acc1`")
    assert create_snapshot("s1", Scope.build("database", database="db1")) == "CREATE SNAPSHOT `s1` FOR DATABASE `db1`"
    assert create_snapshot("s1", Scope.build("table", database="db1", table="t1")) == (
        "CREATE SNAPSHOT `s1` FOR TABLE `db1` `t1`")
    assert drop_snapshot("s1") == "DROP SNAPSHOT `s1`"
    assert drop_snapshot("s1", if_exists=True) == "DROP SNAPSHOT IF EXISTS `s1`"
    assert show_snapshots() == "SHOW SNAPSHOTS"
    assert show_snapshots(name="S1") == "SHOW SNAPSHOTS WHERE snapshot_name = 's1'"


SNAP_RESTORE = [
    # scope, to_account, v3, v4 (4.0.0 and 4.2.0 identical)
    (Scope.build("cluster"), None, "RESTORE CLUSTER FROM SNAPSHOT `s1`", "RESTORE CLUSTER {SNAPSHOT = 's1'}"),
    (Scope.build("account", "acc1"), None, "RESTORE ACCOUNT `acc1` FROM SNAPSHOT `s1`",
     "RESTORE ACCOUNT `acc1` {SNAPSHOT = 's1'}"),
    (Scope.build("account", "acc1"), "acc2", "RESTORE ACCOUNT `acc1` FROM SNAPSHOT `s1` TO ACCOUNT `acc2`",
     "RESTORE ACCOUNT `acc1` {SNAPSHOT = 's1'} TO ACCOUNT `acc2`"),
    (Scope.build("database", "acc1", "db1"), None, "RESTORE ACCOUNT `acc1` DATABASE `db1` FROM SNAPSHOT `s1`",
     "RESTORE DATABASE `acc1`.`db1` {SNAPSHOT = 's1'}"),
    (Scope.build("table", "acc1", "db1", "t1"), None,
     "RESTORE ACCOUNT `acc1` DATABASE `db1` TABLE `t1` FROM SNAPSHOT `s1`",
     "RESTORE TABLE `acc1`.`db1`.`t1` {SNAPSHOT = 's1'}"),
]


@pytest.mark.parametrize(("scope", "to", "v3_sql", "v4_sql"), SNAP_RESTORE)
def test_restore_snapshot(scope: Scope, to: str | None, v3_sql: str, v4_sql: str) -> None:
    assert restore_snapshot("s1", scope, version=V3, to_account=to) == v3_sql
    assert restore_snapshot("s1", scope, version=V40, to_account=to) == v4_sql
    assert restore_snapshot("s1", scope, version=V42, to_account=to) == v4_sql


def test_restore_snapshot_v4_only_forms() -> None:
    db = Scope.build("database", database="db1")
    tbl = Scope.build("table", database="db1", table="t1")
    for version in (V40, V42):
        assert restore_snapshot("s1", db, version=version) == "RESTORE DATABASE `db1` {SNAPSHOT = 's1'}"
        assert restore_snapshot("s1", tbl, version=version, to_account="acc2") == (
            "RESTORE TABLE `db1`.`t1` {SNAPSHOT = 's1'} TO ACCOUNT `acc2`")
        assert restore_snapshot("s1", Scope.build("database", "acc1", "db1"), version=version,
                                to_account="acc2") == "RESTORE DATABASE `acc1`.`db1` {SNAPSHOT = 's1'} TO ACCOUNT `acc2`"
    with pytest.raises(UnsupportedByServerVersion):
        restore_snapshot("s1", Scope.build("database", "acc1", "db1"), version=V3, to_account="acc2")


@pytest.mark.parametrize("version", ALL_VERSIONS, ids=str)
def test_time_travel_reads(version: ServerVersion) -> None:
    ns = 1730107800123456789
    assert time_travel_hint(at_ns=ns) == "{MO_TS = 1730107800123456789}"
    assert time_travel_hint(snapshot="s1") == "{SNAPSHOT = 's1'}"
    assert show_databases() == "SHOW DATABASES"
    assert show_databases(ns) == "SHOW DATABASES {MO_TS = 1730107800123456789}"
    assert show_databases(snapshot="s1") == "SHOW DATABASES {SNAPSHOT = 's1'}"
    assert show_tables("db1") == "SHOW TABLES FROM `db1`"
    assert show_tables("db1", ns) == "SHOW TABLES FROM `db1` {MO_TS = 1730107800123456789}"


def test_count_rows_batches() -> None:
    tables = [("db1", f"t{i}") for i in range(5)]
    batches = count_rows(tables, at_ns=17, batch_size=2)
    assert len(batches) == 3
    assert batches[0] == (
        "SELECT 'db1' AS db_name, 't0' AS table_name, COUNT(*) AS row_count FROM `db1`.`t0` {MO_TS = 17} "
        "UNION ALL SELECT 'db1' AS db_name, 't1' AS table_name, COUNT(*) AS row_count FROM `db1`.`t1` {MO_TS = 17}")
    assert batches[2] == "SELECT 'db1' AS db_name, 't4' AS table_name, COUNT(*) AS row_count FROM `db1`.`t4` {MO_TS = 17}"
    assert count_rows([("d", "t")]) == ["SELECT 'd' AS db_name, 't' AS table_name, COUNT(*) AS row_count FROM `d`.`t`"]
    assert count_rows([]) == []


@pytest.mark.parametrize("version", ALL_VERSIONS, ids=str)
def test_seed_scenario(version: ServerVersion) -> None:
    """The seed guide's mo_br flow (typos repaired by the input layer) as the SQL we send."""
    seed_unit = PitrRange.parse(1, "d ")
    assert create_pitr("pitr1", Scope.build("cluster"), seed_unit, caller_account="sys") == (
        "CREATE PITR `pitr1` FOR CLUSTER RANGE 1 'd'")
    assert create_pitr("pitr2", Scope.build("account", "acc1"), PitrRange.parse(10, "h"), caller_account="acc1") == (
        "CREATE PITR `pitr2` FOR ACCOUNT RANGE 10 'h'")
    assert restore_pitr("pitr2", TS, Scope.build("account", "acc1"), caller_account="acc1", version=version) == (
        f"RESTORE FROM PITR `pitr2` '{TS}'")
    assert restore_pitr("pitr3", TS, Scope.build("database", "acc2", "db1"), caller_account="acc2",
                        version=version) == f"RESTORE DATABASE `db1` FROM PITR `pitr3` '{TS}'"
    assert restore_pitr("pitr3", TS, Scope.build("table", "acc2", "db2", "orders"), caller_account="acc2",
                        version=version) == f"RESTORE DATABASE `db2` TABLE `orders` FROM PITR `pitr3` '{TS}'"


def test_account_statements_golden() -> None:
    from airflow_provider_matrixone.pitr import statements as st
    from airflow_provider_matrixone.pitr.errors import InvalidInput

    assert st.create_account("acc1", "root", "p'w\\d") == (
        "CREATE ACCOUNT `acc1` ADMIN_NAME 'root' IDENTIFIED BY 'p''w\\\\d'"
    )
    assert st.create_account("acc1", "root", "pw", if_not_exists=True).startswith("CREATE ACCOUNT IF NOT EXISTS `acc1`")
    assert st.drop_account("acc1") == "DROP ACCOUNT `acc1`"
    assert st.drop_account("acc1", if_exists=True) == "DROP ACCOUNT IF EXISTS `acc1`"
    for bad in ("acc 1", "a`b", "", "x'drop"):
        with pytest.raises(InvalidInput):
            st.create_account(bad, "root", "pw")
        with pytest.raises(InvalidInput):
            st.drop_account(bad)
    with pytest.raises(InvalidInput, match="admin password"):
        st.create_account("acc1", "root", "bad\npw")
