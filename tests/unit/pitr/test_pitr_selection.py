"""PITR selection precedence (pitr/selection.py): table > database > account > cluster, the
account's own PITR before sys's when equally specific, and only what MatrixOne lets the creator
restore (reference matrixone-pitr.md §4.1, §4.4). Pure: no server needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Level, Pitr, PitrRange, RangeUnit
from airflow_provider_matrixone.pitr.selection import can_restore, select_pitr

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
T = NOW - timedelta(minutes=30)
CREATED = NOW - timedelta(hours=1)


def pitr(name: str, level: Level, account: str | None = None, database: str | None = None,
         table: str | None = None, hours: int = 2, created: datetime = CREATED) -> Pitr:
    return Pitr(name=name, level=level, account=account, database=database, table=table,
                range=PitrRange(hours, RangeUnit.HOUR), created=created, modified=created)


SYS_CLUSTER = pitr("cl", Level.CLUSTER)
SYS_FOR_ACC1 = pitr("sys_acc1", Level.ACCOUNT, account="acc1")
OWN_ACC1 = pitr("own_acc1", Level.ACCOUNT, account="acc1")
OWN_DB1 = pitr("own_db1", Level.DATABASE, account="acc1", database="db1")
OWN_T1 = pitr("own_t1", Level.TABLE, account="acc1", database="db1", table="t1")


def pick(visible: dict[str, list[Pitr]], **kw: object) -> tuple[str, str, str | None]:
    sel = select_pitr(visible, instant=kw.pop("instant", T), now=NOW, **kw)  # type: ignore[arg-type]
    return sel.pitr.name, sel.run_as, sel.source_account


def test_issue_12_account_restore_prefers_the_accounts_own_pitr_over_sys_cluster() -> None:
    """The bug: level=account account=acc1, no name, chose sys's cluster PITR."""
    visible = {"sys": [SYS_CLUSTER], "acc1": [OWN_ACC1]}
    assert pick(visible, level="account", account="acc1") == ("own_acc1", "acc1", None)


def test_own_account_pitr_beats_sys_account_pitr_when_equally_specific() -> None:
    visible = {"sys": [SYS_CLUSTER, SYS_FOR_ACC1], "acc1": [OWN_ACC1]}
    assert pick(visible, level="account", account="acc1") == ("own_acc1", "acc1", None)


def test_sys_account_pitr_beats_sys_cluster_pitr() -> None:
    visible = {"sys": [SYS_CLUSTER, SYS_FOR_ACC1]}
    assert pick(visible, level="account", account="acc1") == ("sys_acc1", "sys", None)


def test_cluster_pitr_restores_one_account_with_a_source() -> None:
    assert pick({"sys": [SYS_CLUSTER]}, level="account", account="acc1") == ("cl", "sys", "acc1")


def test_database_restore_prefers_table_then_database_then_account() -> None:
    visible = {"sys": [SYS_CLUSTER, SYS_FOR_ACC1], "acc1": [OWN_ACC1, OWN_DB1, OWN_T1]}
    assert pick(visible, level="table", account="acc1", database="db1", table="t1")[:2] == ("own_t1", "acc1")
    assert pick(visible, level="database", account="acc1", database="db1")[:2] == ("own_db1", "acc1")
    assert pick(visible, level="database", account="acc1", database="db2")[:2] == ("own_acc1", "acc1")
    # a table PITR never restores a whole database; another table's PITR never restores this one
    assert pick(visible, level="table", account="acc1", database="db1", table="t2")[0] == "own_db1"


def test_sys_pitrs_never_restore_a_tenant_database() -> None:
    with pytest.raises(errors.PitrNotFound, match="account\\(s\\) sys"):
        select_pitr({"sys": [SYS_CLUSTER, SYS_FOR_ACC1]}, level="database", account="acc1", database="db1",
                    instant=T, now=NOW)


def test_cluster_restore_needs_sys_cluster_pitr() -> None:
    assert pick({"sys": [SYS_FOR_ACC1, SYS_CLUSTER]}, level="cluster", account=None) == ("cl", "sys", None)
    with pytest.raises(errors.PitrNotFound):
        select_pitr({"acc1": [OWN_ACC1]}, level="cluster", account=None, instant=T, now=NOW)


def test_restore_beside_needs_sys() -> None:
    visible = {"sys": [SYS_CLUSTER, SYS_FOR_ACC1], "acc1": [OWN_ACC1]}
    assert pick(visible, level="account", account="acc1", target_account="acc9") == ("sys_acc1", "sys", None)
    assert not can_restore(OWN_ACC1, "acc1", "account", "acc1", target_account="acc9")


def test_a_pitr_whose_window_misses_t_is_skipped() -> None:
    young = pitr("young", Level.ACCOUNT, account="acc1", created=T + timedelta(minutes=1))
    visible = {"sys": [SYS_CLUSTER], "acc1": [young]}
    assert pick(visible, level="account", account="acc1")[0] == "cl"
    # T == created is refused by MatrixOne (strictly after), so the window is open at its start
    assert pick({"sys": [SYS_CLUSTER], "acc1": [pitr("eq", Level.ACCOUNT, account="acc1", created=T)]},
                level="account", account="acc1")[0] == "cl"
    with pytest.raises(errors.PitrNotFound, match="no pitr that can restore account acc1"):
        select_pitr({"acc1": [young]}, level="account", account="acc1", instant=T, now=NOW)
    with pytest.raises(errors.PitrNotFound):
        select_pitr({"sys": [SYS_CLUSTER]}, level="account", account="acc1", instant=NOW + timedelta(seconds=1),
                    now=NOW)


def test_a_named_pitr_is_found_in_either_account_and_not_window_filtered() -> None:
    young = pitr("young", Level.ACCOUNT, account="acc1", created=T + timedelta(minutes=1))
    visible = {"sys": [SYS_CLUSTER], "acc1": [OWN_ACC1, young]}
    assert pick(visible, level="account", account="acc1", pitr_name="CL") == ("cl", "sys", "acc1")
    assert pick(visible, level="account", account="acc1", pitr_name="young")[:2] == ("young", "acc1")
    with pytest.raises(errors.PitrNotFound, match="no pitr named own_db1"):
        select_pitr(visible, level="account", account="acc1", pitr_name="own_db1", instant=T, now=NOW)


def test_ties_are_deterministic_longest_history_first() -> None:
    older = pitr("b_older", Level.DATABASE, account="acc1", database="db1", created=CREATED - timedelta(minutes=5))
    newer = pitr("a_newer", Level.DATABASE, account="acc1", database="db1")
    assert pick({"acc1": [newer, older]}, level="database", account="acc1", database="db1")[0] == "b_older"


def test_the_reason_names_the_choice_and_the_alternatives() -> None:
    sel = select_pitr({"sys": [SYS_CLUSTER], "acc1": [OWN_ACC1]}, level="account", account="acc1",
                      instant=T, now=NOW)
    assert sel.reason.startswith("own_acc1: account-level PITR created by acc1 (the account itself)")
    assert "cl (cluster, by sys)" in sel.reason
