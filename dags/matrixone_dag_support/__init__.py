"""Helpers shared by the sample DAGs (connections, verification, reports, demo data).

This package sits beside the DAG files and is listed in ``.airflowignore`` so the DAG processor
does not parse it; each DAG file puts ``dags/`` on ``sys.path`` before importing it (Airflow 3's
bundle loader does that too, a plain ``DagBag`` does not).
"""
