"""``EngineSession`` split by concern: one mixin per kind of work a statement needs.

``engine.py`` keeps the session's state, ``execute`` and the top-level dispatch on the
statement's classification (``matrixone_lite/statements.py``); the mixins here hold the rest:
``names`` (databases, tables, views, system tables, time-travel hints), ``queries`` (the general
SQL path: cache, translation, SELECT), ``dml``, ``ddl``, ``show`` (SHOW/DESCRIBE) and ``counts``
(row counts without sqlglot). ``errors`` maps SQLite exceptions to MatrixOne's errors.
Why mixins and not collaborator objects: ``sql/`` and ``mo/`` call these methods on the session
(``s._table``, ``s._finish_show``, ``es._translate``), and the hot path of a point query
stays one attribute lookup deep; see docs/lite/design.md, "Engine session by concern".
"""
