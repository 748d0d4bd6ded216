"""A correct account restore of a scope that holds a view verifies (no false alarm).

Found in a real Airflow deployment (api-server, scheduler, dag-processor, triggerer): the restore
DAG's account restore of acc1, whose db1 held a view, failed with ``UNVERIFIABLE: table db1.cheap:
its columns could not be read`` although every table and the view were back as at T — the
post-restore check counted and fingerprinted the view as a table.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator
from tests.operators.support import context, now_after_pitr, set_connection, tenant_sql
from tests.provider.support import TENANT_PASSWORD


def test_account_restore_of_a_scope_with_a_view_verifies(tenant: SimpleNamespace, mo_server: Any) -> None:
    tenant_sql(mo_server, tenant.name, [
        "create view db1.cheap as select id, product_name from db1.products where price < 100",
        "create pitr pv for account range 1 'd'",
    ])
    t = now_after_pitr()
    tenant_sql(mo_server, tenant.name, ["drop view db1.cheap", "delete from db1.products where id > 2"])
    conn_id = set_connection(f"view_{tenant.name}", mo_server, f"{tenant.name}#admin", TENANT_PASSWORD,
                             client="pymysql")
    out = MatrixOnePITRRestoreOperator(task_id="r", pitr_name="pv", timestamp=t.isoformat(), level="account",
                                       safety_snapshot=False, matrixone_conn_id=conn_id).execute(context())
    assert out["check"]["status"] == "pass", out["check"]
    rows = tenant_sql(mo_server, tenant.name, ["select count(*) from db1.cheap"])
    assert rows, "the view is back and readable"
