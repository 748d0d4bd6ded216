"""The provider's I/O layer: statement execution, introspection and batched reads over DB-API.

Why apart from :mod:`airflow_provider_matrixone.pitr`: ``pitr`` is the pure domain layer (SQL
building, parsing, validation, verdicts) and is checked to import no driver and read no clock
(``tests/unit/pitr/test_pitr_is_pure.py``); everything that opens a connection lives here.
Deliberately imports nothing, so ``pitr`` modules can import it lazily without a cycle.
"""
