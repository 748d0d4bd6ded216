"""Airflow helpers for tests that build a DAG inside the test and run it with ``dag.test()``."""

from __future__ import annotations

import tempfile
from typing import Any


def register_dag(dag: Any) -> None:
    """dag.test() runs only serialized DAGs of a bundle: write this in-test DAG to the metadata DB."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
    from airflow.utils.session import create_session

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    bag = DagBag(dag_folder=tempfile.mkdtemp(), collect_dags=False)
    bag.dags[dag.dag_id] = dag
    sync_bag_to_db(bag, "dags-folder", None)
