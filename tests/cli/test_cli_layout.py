"""mo-pitr output layouts and command-line -> restore mapping, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from airflow_provider_matrixone.cli import output
from airflow_provider_matrixone.cli.errors import UsageError
from airflow_provider_matrixone.cli.targets import pitr_target, snapshot_target
from airflow_provider_matrixone.pitr import statements
from airflow_provider_matrixone.pitr.identifiers import parse_login
from airflow_provider_matrixone.pitr.models import Level, Pitr, PitrRange, RecoveryWindow, Snapshot
from airflow_provider_matrixone.pitr.versions import ServerVersion
from airflow_provider_matrixone.pitr.window import range_start

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2024, 10, 28, 9, 22, 26, tzinfo=UTC)  # 17:22:26 in Shanghai


def make_pitr(name: str, level: str, account: str | None = None, database: str | None = None,
              table: str | None = None, value: int = 1, unit: str = "d") -> Pitr:
    return Pitr(name, Level(level), account, database, table, PitrRange.parse(value, unit), CREATED, CREATED)


class TestPitrShowLayout:
    def test_header_and_rows_are_mo_br_layout(self) -> None:
        pitrs = [make_pitr("pitr1", "cluster"), make_pitr("pitr2", "account", "acc1", value=10, unit="h"),
                 make_pitr("pitr_t", "table", "acc1", "db2", "orders", 100, "mo")]
        lines = output.pitr_table(pitrs, SHANGHAI).split("\n")
        header = [c.strip() for c in lines[0].split("\t")]
        assert header == ["PITR NAME", "CREATED TIME", "MODIFIED TIME", "PITR LEVEL", "ACCOUNT NAME",
                          "DATABASE NAME", "TABLE NAME", "PITR LENGTH", "PITR UNIT"]
        rows = [[c.strip() for c in line.split("\t")] for line in lines[1:]]
        assert rows[0] == ["pitr1", "2024-10-28 17:22:26", "2024-10-28 17:22:26", "cluster", "*", "*", "*", "1", "d"]
        assert rows[1] == ["pitr2", "2024-10-28 17:22:26", "2024-10-28 17:22:26", "account", "acc1", "*", "*", "10",
                           "h"]
        assert rows[2][4:] == ["acc1", "db2", "orders", "100", "mo"]
        # every line has the same tab structure; cells padded to the column width, length right-aligned
        assert all(line.count("\t") == 8 for line in lines)
        assert lines[1].split("\t")[7] == "          1"  # width of "PITR LENGTH"
        assert lines[1].split("\t")[0] == "pitr1 ".ljust(9)

    def test_times_follow_the_server_zone(self) -> None:
        row = output.pitr_rows([make_pitr("p", "cluster")], UTC)[0]
        assert row[1] == "2024-10-28 09:22:26"

    def test_empty_list_is_just_the_header(self) -> None:
        assert output.pitr_table([], SHANGHAI) == "\t".join(output.PITR_HEADER)


class TestSnapshotLayout:
    def test_header_and_utc_nanoseconds(self) -> None:
        ts = datetime(2024, 10, 28, 9, 30, 0, 123456, tzinfo=UTC)
        ns = int(ts.timestamp()) * 1_000_000_000 + 123456789
        snap = Snapshot("snap1", ts, ns, Level.ACCOUNT, "acc1", None, None)
        lines = output.snapshot_table([snap]).split("\n")
        assert [c.strip() for c in lines[0].split("\t")] == ["SNAPSHOT NAME", "TIMESTAMP", "SNAPSHOT LEVEL",
                                                             "ACCOUNT NAME", "DATABASE NAME", "TABLE NAME"]
        assert [c.strip() for c in lines[1].split("\t")] == ["snap1", "2024-10-28 09:30:00.123456789", "account",
                                                             "acc1", "", ""]

    def test_trailing_zeros_trimmed(self) -> None:
        ts = datetime(2024, 10, 28, 9, 30, 0, tzinfo=UTC)
        ns = int(ts.timestamp()) * 1_000_000_000 + 500_000_000
        assert output.snapshot_timestamp(Snapshot("s", ts, ns, Level.CLUSTER, None, None, None)) == \
            "2024-10-28 09:30:00.5"


class TestWindow:
    def test_bar_shows_recoverable_share(self) -> None:
        now = CREATED + timedelta(hours=5)
        pitr = make_pitr("pitr2", "account", "acc1", value=10, unit="h")
        start = range_start(now, pitr.range)
        win = RecoveryWindow(max(CREATED, start), now)
        bar = output.window_bar(pitr, win, start)
        assert bar == "pitr2 [" + "-" * 20 + "#" * 20 + "] 5h0m of 10h recoverable"

    def test_text_has_server_local_and_utc(self) -> None:
        now = CREATED + timedelta(days=2)
        pitr = make_pitr("pitr1", "cluster", value=1, unit="d")
        start = range_start(now, pitr.range)
        win = RecoveryWindow(max(CREATED, start), now)
        text = output.window_text(pitr, win, start, SHANGHAI, ZoneInfo("Europe/Paris"))
        assert "2024-10-29 17:22:26 Asia/Shanghai (server)" in text
        assert "2024-10-29 10:22:26 Europe/Paris (local)" in text
        assert "2024-10-29 09:22:26 UTC" in text
        assert "#" * 40 in text  # whole range recoverable

    def test_two_zones(self) -> None:
        instant = datetime(2024, 10, 28, 9, 30, tzinfo=UTC)
        assert output.two_zones(instant, SHANGHAI) == \
            "2024-10-28 09:30:00 UTC = 2024-10-28 17:30:00 Asia/Shanghai (server)"


V42 = ServerVersion(4, 2, 0)
SYS = parse_login("root")
ACC1 = parse_login("acc1#root")


def restore_sql(login_text: str, pitr: Pitr, **flags: object) -> str:
    login = parse_login(login_text)
    defaults: dict[str, object] = {"cluster": False, "account": None, "database": None, "table": None,
                                   "new_account": None}
    defaults.update(flags)
    target = pitr_target(pitr, login, **defaults)  # type: ignore[arg-type]
    return statements.restore_pitr(pitr.name, "2024-10-28 17:30:00", target.scope, caller_account=login.account,
                                   version=V42, source_account=target.source_account, pitr_level=pitr.level)


class TestRestoreMapping:
    """The issue's command -> SQL table for each user kind and level."""

    def test_tenant_own_account(self) -> None:
        sql = restore_sql("acc1#root", make_pitr("pitr2", "account", "acc1"), account="acc1")
        assert sql == "RESTORE FROM PITR `pitr2` '2024-10-28 17:30:00'"

    def test_tenant_database_and_table(self) -> None:
        pitr = make_pitr("pitr3", "account", "acc2")
        assert restore_sql("acc2#root", pitr, account="acc2", database="db1") == \
            "RESTORE DATABASE `db1` FROM PITR `pitr3` '2024-10-28 17:30:00'"
        assert restore_sql("acc2#root", pitr, account="acc2", database="db2", table="orders") == \
            "RESTORE DATABASE `db2` TABLE `orders` FROM PITR `pitr3` '2024-10-28 17:30:00'"

    def test_sys_account_level_pitr_restores_in_place(self) -> None:
        sql = restore_sql("root", make_pitr("pacc1", "account", "acc1"), account="acc1")
        assert sql == "RESTORE ACCOUNT `acc1` FROM PITR `pacc1` '2024-10-28 17:30:00'"

    def test_sys_cluster_pitr_for_one_account(self) -> None:
        sql = restore_sql("root", make_pitr("pitr1", "cluster"), account="acc1")
        assert sql == "RESTORE ACCOUNT `acc1` FROM PITR `pitr1` '2024-10-28 17:30:00' `acc1`"

    def test_sys_cluster(self) -> None:
        assert restore_sql("root", make_pitr("pitr1", "cluster"), cluster=True) == \
            "RESTORE CLUSTER FROM PITR `pitr1` '2024-10-28 17:30:00'"

    def test_sys_new_account_from_account_pitr(self) -> None:
        sql = restore_sql("root", make_pitr("pacc1", "account", "acc1"), account="acc1", new_account="acc9")
        assert sql == "RESTORE ACCOUNT `acc9` FROM PITR `pacc1` '2024-10-28 17:30:00'"

    def test_sys_new_account_from_cluster_pitr_names_source(self) -> None:
        sql = restore_sql("root", make_pitr("pitr1", "cluster"), account="acc1", new_account="acc9")
        assert sql == "RESTORE ACCOUNT `acc9` FROM PITR `pitr1` '2024-10-28 17:30:00' `acc1`"

    def test_no_scope_flag_restores_what_the_pitr_covers(self) -> None:
        assert restore_sql("acc1#root", make_pitr("p", "database", "acc1", "db1")) == \
            "RESTORE DATABASE `db1` FROM PITR `p` '2024-10-28 17:30:00'"
        assert restore_sql("acc1#root", make_pitr("p", "account", "acc1")) == \
            "RESTORE FROM PITR `p` '2024-10-28 17:30:00'"

    def test_new_account_needs_source_with_cluster_pitr(self) -> None:
        with pytest.raises(UsageError) as info:
            pitr_target(make_pitr("pitr1", "cluster"), SYS, cluster=False, account=None, database=None, table=None,
                        new_account="acc9")
        assert info.value.flag == "--account"

    def test_new_account_rejects_other_account_than_the_pitrs(self) -> None:
        with pytest.raises(UsageError) as info:
            pitr_target(make_pitr("pacc1", "account", "acc1"), SYS, cluster=False, account="acc2", database=None,
                        table=None, new_account="acc9")
        assert info.value.flag == "--account" and "covers account acc1" in str(info.value)

    def test_new_account_needs_account_level_pitr(self) -> None:
        with pytest.raises(UsageError):
            pitr_target(make_pitr("p", "database", "acc1", "db1"), SYS, cluster=False, account="acc1",
                        database=None, table=None, new_account="acc9")

    def test_confirmation_only_for_in_place_account_and_cluster(self) -> None:
        def needs(pitr: Pitr, login: str, **flags: object) -> bool:
            defaults: dict[str, object] = {"cluster": False, "account": None, "database": None, "table": None,
                                           "new_account": None}
            defaults.update(flags)
            return pitr_target(pitr, parse_login(login), **defaults).needs_confirmation  # type: ignore[arg-type]

        acc = make_pitr("p", "account", "acc1")
        assert needs(acc, "acc1#root", account="acc1")
        assert needs(make_pitr("c", "cluster"), "root", cluster=True)
        assert not needs(acc, "acc1#root", account="acc1", database="db1")
        assert not needs(acc, "root", account="acc1", new_account="acc9")


class TestSnapshotTargets:
    def test_defaults_follow_the_snapshot(self) -> None:
        ts = datetime(2024, 10, 28, tzinfo=UTC)
        snap = Snapshot("s1", ts, 1, Level.ACCOUNT, "acc1", None, None)
        t = snapshot_target(snap, SYS, account=None, database=None, table=None, new_account=None)
        assert statements.restore_snapshot("s1", t.scope, version=V42) == "RESTORE ACCOUNT `acc1` {SNAPSHOT = 's1'}"
        t = snapshot_target(snap, SYS, account=None, database="db1", table="t1", new_account=None)
        assert statements.restore_snapshot("s1", t.scope, version=V42) == \
            "RESTORE TABLE `acc1`.`db1`.`t1` {SNAPSHOT = 's1'}"
        t = snapshot_target(snap, SYS, account="acc1", database=None, table=None, new_account="acc9")
        assert statements.restore_snapshot("s1", t.scope, version=V42, to_account=t.new_account) == \
            "RESTORE ACCOUNT `acc1` {SNAPSHOT = 's1'} TO ACCOUNT `acc9`"
        cluster = Snapshot("c1", ts, 1, Level.CLUSTER, None, None, None)
        t = snapshot_target(cluster, SYS, account=None, database=None, table=None, new_account=None)
        assert statements.restore_snapshot("c1", t.scope, version=V42) == "RESTORE CLUSTER {SNAPSHOT = 'c1'}"
