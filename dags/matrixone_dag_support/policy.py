"""PITR policy as code: parse, validate and diff a declarative list of PITRs.

An entry is ``{"name": "pitr_acc1", "level": "account", "account": "acc1", "range": "10h"}``
(``range`` is ``<1-100><h|d|mo|y>``; database/table entries add ``database``/``table``). Entries
are owned by the account that must create them: sys for cluster and account PITRs, the entry's
account for database and table PITRs (MatrixOne creates those only inside the own account).
"""

from __future__ import annotations

import json
import re
from typing import Any

from airflow_provider_matrixone.pitr import errors, identifiers
from airflow_provider_matrixone.pitr.models import Level, Pitr, PitrRange, Scope

POLICY_VARIABLE = "matrixone_pitr_policies"
_RANGE = re.compile(r"^\s*(\d{1,3})\s*(h|d|mo|y)\s*$", re.IGNORECASE)

DEFAULT_POLICY: list[dict[str, Any]] = [
    {"name": "policy_cluster", "level": "cluster", "range": "7d"},
]


def parse_range(value: Any) -> PitrRange:
    match = _RANGE.match(str(value)) if isinstance(value, (str, int)) else None
    if match is None:
        raise errors.InvalidInput("range", f"invalid range {identifiers.describe_value(value)}: use <1-100><h|d|mo|y> "
                                  "(example: 10h or 7d)")
    return PitrRange.parse(int(match.group(1)), match.group(2).lower())


def normalise(entry: Any, home_account: str) -> dict[str, Any]:
    """Validate one entry; adds ``owner`` (the account whose connection creates it)."""
    if not isinstance(entry, dict):
        raise errors.InvalidInput("policy", f"policy entries must be objects, got {identifiers.describe_value(entry)}")
    unknown = set(entry) - {"name", "level", "account", "database", "table", "range", "comment"}
    if unknown:
        raise errors.InvalidInput("policy", f"unknown policy keys {sorted(unknown)} in {entry.get('name')!r}")
    name = identifiers.validate_name(entry.get("name"), "pitr name", "pitr").lower()
    level = Level.parse(entry.get("level"))
    account = entry.get("account")
    scope = Scope.build(level, account=account, database=entry.get("database"), table=entry.get("table"))
    rng = parse_range(entry.get("range"))
    if level in (Level.CLUSTER, Level.ACCOUNT):
        owner = home_account
    else:
        owner = scope.account or home_account
    return {"name": name, "level": level.value, "account": scope.account, "database": scope.database,
            "table": scope.table, "range_value": rng.value, "range_unit": rng.unit.value, "owner": owner}


def load(raw: Any, home_account: str) -> tuple[list[dict[str, Any]], bool]:
    """Parse the Variable (a list, or ``{"pitrs": [...], "prune": bool}``); returns (entries, prune)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise errors.InvalidInput("policy", f"Variable {POLICY_VARIABLE} is not JSON: {exc}") from None
    prune = False
    if isinstance(raw, dict):
        prune = raw.get("prune", False)
        if not isinstance(prune, bool):
            raise errors.InvalidInput("prune", "prune must be true or false")
        raw = raw.get("pitrs")
    if not isinstance(raw, list):
        raise errors.InvalidInput("policy", f"the policy must be a JSON list of PITRs (Variable {POLICY_VARIABLE})")
    entries = [normalise(e, home_account) for e in raw]
    seen: set[tuple[str, str]] = set()
    for e in entries:
        key = (e["owner"].lower(), e["name"])
        if key in seen:
            raise errors.InvalidInput("policy", f"pitr {e['name']} appears twice for account {e['owner']}")
        seen.add(key)
    return entries, prune


def unmanaged(existing: list[Pitr], owner: str, entries: list[dict[str, Any]]) -> list[Pitr]:
    """PITRs an account created that the policy does not list."""
    names = {e["name"] for e in entries if e["owner"].lower() == owner.lower()}
    return [p for p in existing if p.name.lower() not in names and p.name != "sys_mo_catalog_pitr"]
