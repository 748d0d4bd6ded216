"""Fixtures for sensor tests: the same fresh seeded tenant and connections as the operator tests."""

from tests.operators.conftest import root_conn, tenant  # noqa: F401  (fixtures, found by name)
