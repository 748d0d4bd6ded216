"""Declaring and emitting the verified-restore ``AssetAlias`` (the Airflow half of ``proof.assets``).

Why in ``__init__``: Airflow records a task's outlets when the DAG is parsed, so the alias must be
declared as an outlet when the operator is built, not when it runs. The events themselves are
added at runtime to ``context["outlet_events"][AssetAlias(name)]`` and only for a VERIFIED scope.

Why in ``partial()`` too (:class:`DeclaresAssetAlias`): a mapped task
(``Op.partial(...).expand(...)``) is parsed without calling ``__init__``; Airflow only calls it
when each instance is unmapped to run. Declared in ``__init__`` alone, the parsed (serialized)
mapped task had no outlet, so the DAG's asset graph and the scheduler never saw the alias its
instances emitted on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

from airflow_provider_matrixone.proof.assets import DEFAULT_ASSET_ALIAS, asset_events

__all__ = ["DEFAULT_ASSET_ALIAS", "DeclaresAssetAlias", "declare_alias", "emit_check_events", "emit_events"]


def declare_alias(asset_alias: str | None, kwargs: dict[str, Any]) -> str | None:
    """Add ``AssetAlias(asset_alias)`` to ``kwargs["outlets"]``; returns the name (``None``/``""``: off).

    Idempotent: an unmapped instance gets the outlets its ``partial()`` already declared, and must
    not declare the alias twice.
    """
    name = (asset_alias or "").strip() or None
    if name is None:
        return None
    from airflow.sdk import AssetAlias

    outlets = list(kwargs.get("outlets") or [])
    if AssetAlias(name) not in outlets:
        outlets.append(AssetAlias(name))
    kwargs["outlets"] = outlets
    return name


class DeclaresAssetAlias:
    """Mixin (before ``BaseOperator``) declaring the alias of a *mapped* task when the DAG is parsed.

    ``asset_alias`` is read from the ``partial()`` arguments, else the ``default_args`` (the
    partial's, then the DAG's), else :data:`DEFAULT_ASSET_ALIAS`, and pinned into the partial's
    arguments, so each unmapped instance's ``__init__`` gets the very alias that was declared (Airflow
    drops a partial's non-``BaseOperator`` ``default_args`` when it unmaps). Pinned, it cannot also be
    mapped: ``expand(asset_alias=[...])`` is refused when the DAG is parsed, as outlets are fixed
    then. A non-string value (an ``XComArg``) is left alone and declares nothing here.
    """

    @classmethod
    def partial(cls, **kwargs: Any) -> Any:
        from airflow.sdk import BaseOperator
        from airflow.sdk.bases.operator import partial as sdk_partial

        alias = _partial_alias(kwargs)
        if alias is None or isinstance(alias, str):
            kwargs["asset_alias"] = alias
            declare_alias(alias, kwargs)
        return sdk_partial(cast("type[BaseOperator]", cls), **kwargs)  # the mixin only sits on operators


def _partial_alias(kwargs: dict[str, Any]) -> Any:
    """The ``asset_alias`` a non-mapped task built with these arguments would get (task groups' defaults aside)."""
    if "asset_alias" in kwargs:
        return kwargs["asset_alias"]
    from airflow.sdk.definitions._internal.contextmanager import DagContext

    dag = kwargs.get("dag") or DagContext.get_current()
    for defaults in (kwargs.get("default_args"), getattr(dag, "default_args", None)):
        if defaults and "asset_alias" in defaults:
            return defaults["asset_alias"]
    return DEFAULT_ASSET_ALIAS


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
