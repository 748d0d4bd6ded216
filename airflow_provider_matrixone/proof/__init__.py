"""What happens after a scope verifies, shared by the verification sensor and the restore workflow.

Why a provider-level package: the sensor and the restore workflow's own verify step (``restore/``,
which has no Airflow imports) must prove access and describe asset events the same way. Nothing
here imports Airflow; emitting the events into a task's context is ``operators/_assets.py``.
"""
