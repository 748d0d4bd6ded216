"""Compatibility names for branches written before tests/support/seed.py: import from there instead.

Nothing here is a copy: every name is the shared seed module's object.
"""

from tests.support.seed import ACCOUNT_SCRIPT as PRODUCTS
from tests.support.seed import ORDERS_ACC1, ORDERS_ACC2

__all__ = ["ORDERS_ACC1", "ORDERS_ACC2", "PRODUCTS"]
