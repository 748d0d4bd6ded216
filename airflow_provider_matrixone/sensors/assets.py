"""Moved to :mod:`airflow_provider_matrixone.proof.assets` (the restore operators emit the same events)."""

from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS, asset_events, asset_uri, metrics

__all__ = ["DEFAULT_ASSET_ALIAS", "asset_events", "asset_uri", "metrics"]
