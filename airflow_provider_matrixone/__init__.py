"""Apache Airflow provider for MatrixOne point-in-time recovery.

Importing this package must stay cheap and must not import Airflow: the ``mo-pitr``
command-line tool and the pure domain layer (:mod:`airflow_provider_matrixone.pitr`)
run without it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
