"""The sample DAGs' seed data (dags/matrixone_dag_support/seed.py) is the guide's, as in tests/support/seed.py.

Why: the demo DAG seeds a real deployment with its own copy of the guide's SQL, while every test
seeds from tests/support/seed.py (the guide verbatim). If either drifts, the DAG tests would prove
things about data the demo never creates; this pins the two to the same statements.
"""

from __future__ import annotations

import re

import pytest

from dags.matrixone_dag_support import seed as demo_seed
from tests.support import seed


def _normal(statement: str) -> str:
    """Whitespace-insensitive form: the guide's line breaks and indentation carry no meaning."""
    text = " ".join(statement.split())
    return re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", text))


@pytest.mark.parametrize(("account", "orders"), [("acc1", seed.ORDERS_ACC1), ("acc2", seed.ORDERS_ACC2)])
def test_demo_seed_is_the_guide_seed(account: str, orders: str) -> None:
    assert [_normal(s) for s in demo_seed.data_statements(account)] == [_normal(s) for s in
                                                                         [*seed.ACCOUNT_SQL, orders]]


def test_normal_form_still_tells_data_apart() -> None:
    """The comparison is not vacuous: a changed value or column is a difference."""
    assert _normal(seed.INSERT_PRODUCTS) != _normal(seed.INSERT_PRODUCTS.replace("1200.99", "1200.98"))
    assert _normal(seed.CREATE_ORDERS) != _normal(seed.CREATE_ORDERS.replace("quantity INT", "qty INT"))
