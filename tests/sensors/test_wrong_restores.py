"""The wrong-restore corpus of issue 13 (objects): each case is caught by the DEFAULT verification, with its sentence.

Every case builds the same database (a parent and a child table joined by a foreign key, a unique
and an invisible index, a view, a sequence that has handed out values) and an application role
with a grant, takes T, then leaves the state the way a wrong MatrixOne restore left it in 2026
(reference §11.3: #27078 index made visible, #26070 view dropped, #27049 sequence dropped, #26640
grant lost, #27116 another database's table restored, #27117 FK parent skipped). Some cases are
real restores on matrixone_lite, which emulates the v4.2.0 bugs; the last test is the correct
restore of all of it on a newer server, which must be VERIFIED (no false alarm).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pendulum
import pytest

from airflow_provider_matrixone.operators._common import make_hook
from airflow_provider_matrixone.pitr.models import Scope
from airflow_provider_matrixone.pitr.verify import VerificationReport
from airflow_provider_matrixone.sql_io.capture import capture_reference, verify
from tests.operators.support import (
    TEST_PASSWORD,
    make_tenant,
    new_account,
    now_after_pitr,
    set_connection,
    tenant_sql,
)
from tests.provider.support import TENANT_PASSWORD
from tests.support.seed import CREATE_ORDERS

SETUP = [
    "create database pf",
    "use pf",
    "create table pf.p (id int primary key, n varchar(9))",
    "create unique index uk_n on pf.p (n)",
    "create table pf.ch (id int primary key, pid int, g int, key ix_g (g) invisible, "
    "constraint fk_p foreign key (pid) references pf.p (id))",
    "insert into pf.p values (1, 'a'), (2, 'b')",
    "insert into pf.ch values (10, 1, 5), (11, 2, 6)",
    "create table pf.log (g int, key ix_log (g))",  # no primary key: its only index
    "create view pf.v as select id, n from pf.p",
    "create sequence pf.s start with 5",
    "select nextval('s')",
    "select nextval('s')",
    "create role r_app",
    "grant select on table pf.p to r_app",
    "create user app identified by 'pw-app-12345' default role r_app",
    "create user ops identified by 'pw-ops-12345'",
    "grant r_app to ops",
]


def _at_t(server: Any, account: str) -> pendulum.DateTime:
    tenant_sql(server, account, ["create pitr p_all for account range 1 'd'", *SETUP])
    return now_after_pitr()


def _verify(conn_id: str, account: str, t: pendulum.DateTime, level: str) -> VerificationReport:
    hook = make_hook(conn_id)
    scope = Scope.build(level, account=account, database=None if level == "account" else "pf")
    return verify(hook, capture_reference(hook, scope, t))


def _mismatch(report: VerificationReport, *sentences: str) -> None:
    text = report.render()
    assert report.verdict == "MISMATCH", text
    assert report.status == "fail", text  # an object difference is a failure, never "restore still running"
    for sentence in sentences:
        assert sentence in text, text


# case: (level, the state a wrong restore leaves, the sentences the verification must say)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    "index_dropped": ("database", ["drop index ix_g on pf.ch"],
                      ["index pf.ch.ix_g (g) existed at T and is missing now"]),
    "only_index_of_a_keyless_table_dropped": ("database", ["drop index ix_log on pf.log"],
                                              ["index pf.log.ix_log (g) existed at T and is missing now"]),
    "unique_index_dropped": ("database", ["drop index uk_n on pf.p"],
                             ["unique index pf.p.uk_n (n) existed at T and is missing now"]),
    "index_made_visible": ("database", ["alter table pf.ch alter index ix_g visible"],
                           ["index pf.ch.ix_g was invisible at T and is visible now"]),
    "foreign_key_missing": ("database", ["alter table pf.ch drop foreign key fk_p"],
                            ["foreign key pf.ch.fk_p (pid) -> pf.p (id) existed at T and is missing now"]),
    "view_missing": ("database", ["drop view pf.v"], ["view pf.v existed at T and is missing now"]),
    "view_redefined": ("database", ["create or replace view pf.v as select id from pf.p"],
                       ["view pf.v is defined differently now: at T `create view pf.v as select id, n from pf.p`, "
                        "now `create or replace view pf.v as select id from pf.p`"]),
    "sequence_missing": ("database", ["drop sequence pf.s"], ["sequence pf.s existed at T and is missing now"]),
    "sequence_reset": ("database", ["drop sequence pf.s", "create sequence pf.s start with 5"],
                       ["sequence pf.s was reset: its last value was 6 at T and is"]),
    "grant_lost": ("account", ["revoke select on table pf.p from r_app"],
                   ["grant select on table pf.p to role r_app existed at T and is missing now"]),
    "role_membership_lost": ("account", ["revoke r_app from ops"],
                             ["role r_app was granted to user ops at T and is not now"]),
    "role_missing": ("account", ["drop role r_app"],
                     ["role r_app existed at T and is missing now",
                      "grant select on table pf.p to role r_app existed at T and is missing now"]),
    "user_missing": ("account", ["drop user app"], ["user app existed at T and is missing now"]),
    "table_from_another_database": ("database", ["create table pf.orders (id int primary key, item varchar(9))",
                                                 "insert into pf.orders select id, 'x' from db2.orders"],
                                    ["table pf.orders did not exist at T and exists now"]),
    # the same, as MatrixOne #27116 left it: an exact copy of db2.orders (same columns and rows); an
    # account reference holds db2 at T, so the default verification names the table it came from
    "table_from_another_database_named": ("account", ["use pf", CREATE_ORDERS, "insert into pf.orders select * from db2.orders"],
                                          ["table pf.orders is not part of pf at T; its content (3 rows, same columns) "
                                           "matches db2.orders at T (a restore from another database's snapshot? "
                                           "MatrixOne #27116)"]),
    "extra_table": ("database", ["create table pf.later (id int)"], ["table pf.later did not exist at T and exists now"]),
    "extra_view": ("database", ["create view pf.v2 as select id from pf.p"],
                   ["view pf.v2 did not exist at T and exists now"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_restore_is_caught_by_default(case: str, tenant: SimpleNamespace, mo_server: Any) -> None:
    level, change, sentences = CASES[case]
    t = _at_t(mo_server, tenant.name)
    tenant_sql(mo_server, tenant.name, change)
    _mismatch(_verify(tenant.conn_id, tenant.name, t, level), *sentences)


def _local(t: pendulum.DateTime) -> str:
    """RESTORE reads its timestamp in the server's zone (Asia/Shanghai here), to the microsecond."""
    return t.in_timezone("Asia/Shanghai").strftime("%Y-%m-%d %H:%M:%S.%f")


def test_real_v420_database_restore_drops_the_sequence(tenant: SimpleNamespace, mo_server: Any) -> None:
    """MatrixOne v4.2.0 restores a database without its sequences and reports success (#27049)."""
    t = _at_t(mo_server, tenant.name)
    tenant_sql(mo_server, tenant.name, ["delete from pf.ch where id = 11", "drop view pf.v",
                                        f"restore database pf from pitr p_all '{_local(t)}'"])
    report = _verify(tenant.conn_id, tenant.name, t, "database")
    _mismatch(report, "sequence pf.s existed at T and is missing now")
    assert [r.name for r in report.problems] == ["pf.s"], report.render()  # the view and the rows came back


def test_real_v420_restore_table_skips_the_fk_parent(tenant: SimpleNamespace, mo_server: Any) -> None:
    """v4.2.0 skips RESTORE of a table a foreign key references and reports success (#27117)."""
    t = _at_t(mo_server, tenant.name)
    tenant_sql(mo_server, tenant.name, ["update pf.p set n = 'z' where id = 2",
                                        f"restore database pf table p from pitr p_all '{_local(t)}'"])
    report = _verify(tenant.conn_id, tenant.name, t, "database")
    _mismatch(report, "table pf.p has the same 2 rows count as at T but different values")


@pytest.fixture(scope="module")
def new_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server after v4.2.0: restores bring sequences back with their state (#27401)."""
    from matrixone_lite import LiteServer

    with LiteServer(data_dir=tmp_path_factory.mktemp("mo-wrong-restores"), port=0, version="4.3.0",
                    timezone="Asia/Shanghai", root_password=TEST_PASSWORD) as srv:
        yield srv


@pytest.mark.parametrize("level", ["database", "account"])
def test_correct_restore_of_every_object_is_verified(level: str, new_server: Any) -> None:
    """Every wrong state of the corpus at once, then a correct restore: VERIFIED, no false alarm."""
    name = new_account("wr")
    make_tenant(new_server, name)
    conn_id = set_connection(f"mo_wr_{name}", new_server, f"{name}#admin", TENANT_PASSWORD)
    t = _at_t(new_server, name)
    damage = [*CASES["index_made_visible"][1], *CASES["unique_index_dropped"][1], *CASES["foreign_key_missing"][1],
              *CASES["view_redefined"][1], *CASES["sequence_reset"][1], *CASES["table_from_another_database"][1],
              *CASES["extra_view"][1], "update pf.p set n = 'z' where id = 2"]
    if level == "account":
        damage += [*CASES["grant_lost"][1], *CASES["role_membership_lost"][1], "create role r_later"]
    tenant_sql(new_server, name, damage)
    assert _verify(conn_id, name, t, level).verdict == "MISMATCH"
    target = "" if level == "account" else "database pf "  # a tenant restores its own account without naming it
    tenant_sql(new_server, name, [f"restore {target}from pitr p_all '{_local(t)}'"])
    report = _verify(conn_id, name, t, level)
    assert report.verdict == "VERIFIED", report.render()
    assert report.objects and "indexes, foreign keys, views, sequences" in report.summary()
