"""Helpers shared by every test folder, so that each job is written once.

- ``sql``: connect as a login (``acc#user``) with PyMySQL or mysqlclient and run statements.
- ``seed``: the seed guide's scenario (acc1/acc2, db1.products, db2.orders) and account set-up.
- ``serve``: ``matrixone-lite serve`` in a subprocess (killable, restartable, SIGTERM-able).
- ``proxy``: one TCP proxy that cuts, swallows, delays or black-holes traffic (network faults).

Imported as ``tests.support.<module>``: tests/conftest.py puts the repository root first on
sys.path and pytest runs with ``--import-mode=importlib``, so ``tests`` is a namespace package.
See docs/testing.md.
"""
