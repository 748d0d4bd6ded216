"""Declaring and emitting the verified-restore ``AssetAlias`` (the Airflow half of ``proof.assets``).

Why in ``__init__``: Airflow records a task's outlets when the DAG is parsed, so the alias must be
declared as an outlet when the operator is built, not when it runs. The events themselves are
added at runtime to ``context["outlet_events"][AssetAlias(name)]`` and only for a VERIFIED scope.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS, asset_events

__all__ = ["DEFAULT_ASSET_ALIAS", "declare_alias", "emit_check_events", "emit_events"]


def declare_alias(asset_alias: str | None, kwargs: dict[str, Any]) -> str | None:
    """Add ``AssetAlias(asset_alias)`` to ``kwargs["outlets"]``; returns the name (``None``/``""``: off)."""
    name = (asset_alias or "").strip() or None
    if name is None:
        return None
    from airflow.sdk import AssetAlias

    kwargs["outlets"] = [*(kwargs.get("outlets") or []), AssetAlias(name)]
    return name


def emit_events(context: Any, alias: str, events: Sequence[dict[str, Any]], log: logging.Logger | Any) -> list[str]:
    """Add the described events to the alias' outlet events; returns the URIs added.

    A context without ``outlet_events`` (``execute`` called outside Airflow's task runner) has no
    place to put them: the events are logged as not emitted instead of failing a verified restore.
    """
    from airflow.sdk import Asset, AssetAlias

    outlet_events = context.get("outlet_events") if hasattr(context, "get") else None
    if outlet_events is None:
        log.warning("no outlet_events in the task context (not run by Airflow's task runner): %d asset event(s) "
                    "for alias %s not emitted", len(events), alias)
        return []
    accessor = outlet_events[AssetAlias(alias)]
    for event in events:
        accessor.add(Asset(uri=event["uri"], name=event["uri"]), extra=event["extra"])
    log.info("asset events for %d verified table(s) on alias %s", len(events), alias)
    return [e["uri"] for e in events]


def emit_check_events(context: Any, alias: str, hook: Any, check: dict[str, Any], log: logging.Logger | Any, *,
                      pitr: str | None = None, snapshot: str | None = None) -> list[str]:
    """The restore operators' events: one per table of a VERIFIED ``check`` (none otherwise).

    ``hook`` is the connection that verified (its host and port name the assets).
    """
    conn = hook.connection
    events = asset_events(check.get("objects") or (), verdict=check.get("verdict"), host=str(conn.host or "localhost"),
                          port=hook._port(), account=str(check.get("account") or hook.account),
                          at_utc=check.get("reference_at_utc"), pitr=pitr, snapshot=snapshot)
    return emit_events(context, alias, events, log) if events else []
