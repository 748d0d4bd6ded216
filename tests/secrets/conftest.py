"""The sample-DAG fixtures (DagBag, run_dag, sys connection) reused by the secrets scan."""

from tests.dags.conftest import dagbag, run_dag, sys_conn  # noqa: F401
