"""Moved to :mod:`airflow_provider_matrixone.proof.access` (the restore workflow proves access too)."""

from airflow_provider_matrixone.proof.access import login_name, probe_access

__all__ = ["login_name", "probe_access"]
