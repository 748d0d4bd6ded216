"""PITR policy operators: create (idempotent), alter, drop.

Each one checks SHOW PITR first and then acts, so re-running a DAG converges instead of failing
on "already exists" / "does not exist" (check-then-act, as the AlloyDB operators do).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from airflow_provider_matrixone.operators._common import (
    DEFAULT_CONN_ID,
    as_choice,
    domain_errors,
    make_hook,
    optional_str,
)
from airflow_provider_matrixone.pitr import errors
from airflow_provider_matrixone.pitr.models import Level, Pitr, PitrRange, Scope


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").lower() == (b or "").lower()


def covers(pitr: Pitr, scope: Scope, caller: str) -> bool:
    """Does ``pitr`` protect exactly the object ``scope`` names (for this caller)?"""
    if pitr.level is not scope.level:
        return False
    if scope.level is Level.CLUSTER:
        return True
    if scope.level is Level.ACCOUNT:
        return _same(pitr.account, scope.account or caller)
    if not _same(pitr.database, scope.database):
        return False
    return scope.level is Level.DATABASE or _same(pitr.table, scope.table)


def pitr_result(hook: Any, pitr: Pitr, action: str) -> dict[str, Any]:
    """JSON-able XCom: the PITR, its recovery window now, and what this task did."""
    out = pitr.to_dict()
    out["range"] = str(pitr.range)
    out["objects"] = pitr.scope.to_dict()
    out["recovery_window"] = hook.recovery_window(pitr).to_dict()
    out["action"] = action
    return out


class MatrixOnePITRCreateOperator(BaseOperator):
    """Create a PITR, idempotently.

    :param pitr_name: PITR name (1-64 of ``A-Z a-z 0-9 _ $ -``).
    :param level: ``cluster`` | ``account`` | ``database`` | ``table``.
    :param account: for level account (sys only for another account); defaults to the connection's.
    :param database: for level database / table.
    :param table: for level table.
    :param range_value: 1-100.
    :param range_unit: ``h`` | ``d`` | ``mo`` | ``y``.
    :param if_exists: when a PITR of that name exists: ``skip`` (keep it; same spec is success),
        ``update`` (ALTER its range when it differs), ``fail``.
    :param matrixone_conn_id: Airflow connection id.
    """

    template_fields: Sequence[str] = (
        "matrixone_conn_id", "pitr_name", "level", "account", "database", "table", "range_value", "range_unit",
        "if_exists",
    )
    ui_color = "#d6ecff"

    def __init__(
        self,
        *,
        pitr_name: str,
        level: str,
        account: str | None = None,
        database: str | None = None,
        table: str | None = None,
        range_value: int | str = 1,
        range_unit: str = "d",
        if_exists: str = "skip",
        matrixone_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pitr_name = pitr_name
        self.level = level
        self.account = account
        self.database = database
        self.table = table
        self.range_value = range_value
        self.range_unit = range_unit
        self.if_exists = if_exists
        self.matrixone_conn_id = matrixone_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        with domain_errors(f"create pitr {self.pitr_name}"):
            mode = as_choice(self.if_exists, "if_exists", ("skip", "update", "fail"))
            scope = Scope.build(self.level, account=optional_str(self.account), database=optional_str(self.database),
                                table=optional_str(self.table))
            rng = PitrRange.parse(self.range_value, self.range_unit)
            hook = make_hook(self.matrixone_conn_id)
            from airflow_provider_matrixone.pitr import statements

            # Validates name, permission and combination before any statement is sent.
            statements.create_pitr(self.pitr_name, scope, rng, caller_account=hook.account)
            existing = hook.get_pitr(self.pitr_name)
            if existing is not None:
                return self._existing(hook, existing, scope, rng, mode)
            other = next((p for p in hook.list_pitrs() if covers(p, scope, hook.account)), None)
            if other is not None:
                raise errors.PitrAlreadyExists(
                    f"pitr {other.name} already covers {self._describe(scope, hook.account)}; MatrixOne allows one "
                    f"pitr per object: reuse {other.name} or drop it first")
            pitr = hook.create_pitr(self.pitr_name, scope.level, account=scope.account, database=scope.database,
                                    table=scope.table, range_value=rng.value, range_unit=rng.unit.value)
            self.log.info("created pitr %s for %s, range %s", pitr.name, self._describe(scope, hook.account), rng)
            return pitr_result(hook, pitr, "created")

    @staticmethod
    def _describe(scope: Scope, caller: str) -> str:
        if scope.level is Level.CLUSTER:
            return "the cluster"
        if scope.level is Level.ACCOUNT:
            return f"account {scope.account or caller}"
        if scope.level is Level.DATABASE:
            return f"database {scope.database}"
        return f"table {scope.database}.{scope.table}"

    def _existing(self, hook: Any, pitr: Pitr, scope: Scope, rng: PitrRange, mode: str) -> dict[str, Any]:
        if mode == "fail":
            raise errors.PitrAlreadyExists(f"pitr {pitr.name} already exists (if_exists=fail)")
        if not covers(pitr, scope, hook.account):
            raise errors.PitrAlreadyExists(
                f"pitr {pitr.name} already exists for {pitr.level.value} "
                f"{pitr.table and f'{pitr.database}.{pitr.table}' or pitr.database or pitr.account or ''}".rstrip()
                + f", not for {self._describe(scope, hook.account)}; choose another name or drop it first")
        if pitr.range == rng:
            self.log.info("pitr %s already exists with the same spec (range %s): nothing to do", pitr.name, rng)
            return pitr_result(hook, pitr, "unchanged")
        if mode == "skip":
            self.log.warning("pitr %s exists with range %s, requested %s; if_exists=skip keeps it", pitr.name,
                             pitr.range, rng)
            return pitr_result(hook, pitr, "unchanged")
        altered = hook.alter_pitr(pitr.name, rng.value, rng.unit.value)
        self.log.info("pitr %s range changed from %s to %s", pitr.name, pitr.range, rng)
        return pitr_result(hook, altered or pitr, "updated")


class MatrixOnePITRAlterOperator(BaseOperator):
    """Change a PITR's range (``ALTER PITR p RANGE n 'u'``).

    :param if_missing: ``skip`` (log and succeed) or ``fail`` when the PITR does not exist.
    """

    template_fields: Sequence[str] = ("matrixone_conn_id", "pitr_name", "range_value", "range_unit", "if_missing")
    ui_color = "#d6ecff"

    def __init__(
        self,
        *,
        pitr_name: str,
        range_value: int | str,
        range_unit: str,
        if_missing: str = "fail",
        matrixone_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pitr_name = pitr_name
        self.range_value = range_value
        self.range_unit = range_unit
        self.if_missing = if_missing
        self.matrixone_conn_id = matrixone_conn_id

    def execute(self, context: Any) -> dict[str, Any] | None:
        with domain_errors(f"alter pitr {self.pitr_name}"):
            mode = as_choice(self.if_missing, "if_missing", ("skip", "fail"))
            rng = PitrRange.parse(self.range_value, self.range_unit)
            from airflow_provider_matrixone.pitr import statements

            statements.alter_pitr(self.pitr_name, rng)
            hook = make_hook(self.matrixone_conn_id)
            pitr = hook.get_pitr(self.pitr_name)
            if pitr is None:
                if mode == "skip":
                    self.log.info("pitr %s does not exist: nothing to alter (if_missing=skip)", self.pitr_name)
                    return None
                raise errors.PitrNotFound(f"pitr {self.pitr_name} does not exist (for account {hook.account})")
            if pitr.range == rng:
                self.log.info("pitr %s already has range %s", pitr.name, rng)
                return pitr_result(hook, pitr, "unchanged")
            altered = hook.alter_pitr(pitr.name, rng.value, rng.unit.value)
            self.log.info("pitr %s range changed from %s to %s", pitr.name, pitr.range, rng)
            return pitr_result(hook, altered or pitr, "updated")


class MatrixOnePITRDropOperator(BaseOperator):
    """Drop a PITR.

    :param if_missing: ``skip`` (succeed when it is already gone) or ``fail``.
    """

    template_fields: Sequence[str] = ("matrixone_conn_id", "pitr_name", "if_missing")
    ui_color = "#d6ecff"

    def __init__(
        self, *, pitr_name: str, if_missing: str = "skip", matrixone_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.pitr_name = pitr_name
        self.if_missing = if_missing
        self.matrixone_conn_id = matrixone_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        with domain_errors(f"drop pitr {self.pitr_name}"):
            mode = as_choice(self.if_missing, "if_missing", ("skip", "fail"))
            from airflow_provider_matrixone.pitr import statements

            statements.drop_pitr(self.pitr_name)
            hook = make_hook(self.matrixone_conn_id)
            pitr = hook.get_pitr(self.pitr_name)
            if pitr is None:
                if mode == "fail":
                    raise errors.PitrNotFound(f"pitr {self.pitr_name} does not exist (for account {hook.account})")
                self.log.info("pitr %s does not exist: nothing to drop (if_missing=skip)", self.pitr_name)
                return {"name": self.pitr_name, "action": "absent"}
            hook.drop_pitr(pitr.name)
            self.log.info("dropped pitr %s", pitr.name)
            return {**pitr.to_dict(), "action": "dropped"}


# The restore operator lives in its own module (it is the largest); it is a PITR operator, so it
# is importable from here too, as the documented layout says.
from airflow_provider_matrixone.operators.restore import MatrixOnePITRRestoreOperator  # noqa: E402

__all__ = [
    "MatrixOnePITRAlterOperator",
    "MatrixOnePITRCreateOperator",
    "MatrixOnePITRDropOperator",
    "MatrixOnePITRRestoreOperator",
]
