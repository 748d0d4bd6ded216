"""Provider metadata read by Airflow's ProvidersManager through the entry point.

Airflow 3.3 builds the connection form from ``conn-fields`` / ``ui-field-behaviour`` declared
here, without importing the hook, so this module must import nothing heavy.
"""

from __future__ import annotations

from typing import Any

HOOK_CLASS = "airflow_provider_matrixone.hooks.matrixone.MatrixOneHook"


def get_provider_info() -> dict[str, Any]:
    """Return the provider description Airflow expects (see provider_info.schema.json)."""
    return {
        "package-name": "airflow-provider-matrixone",
        "name": "MatrixOne",
        "description": "MatrixOne point-in-time recovery (PITR): policies, snapshots, verified restores.",
        "integrations": [
            {
                "integration-name": "MatrixOne",
                "external-doc-url": "https://docs.matrixorigin.cn/",
                "tags": ["software"],
            }
        ],
        "hooks": [
            {
                "integration-name": "MatrixOne",
                "python-modules": ["airflow_provider_matrixone.hooks.matrixone"],
            }
        ],
        "operators": [
            {
                "integration-name": "MatrixOne",
                "python-modules": [
                    "airflow_provider_matrixone.operators.pitr",
                    "airflow_provider_matrixone.operators.restore",
                    "airflow_provider_matrixone.operators.snapshot",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": "MatrixOne",
                "python-modules": ["airflow_provider_matrixone.sensors.restore"],
            }
        ],
        "triggers": [
            {
                "integration-name": "MatrixOne",
                "python-modules": ["airflow_provider_matrixone.triggers.restore"],
            }
        ],
        "connection-types": [
            {
                "connection-type": "matrixone",
                "hook-class-name": HOOK_CLASS,
                "hook-name": "MatrixOne",
                "ui-field-behaviour": {
                    "hidden-fields": [],
                    "relabeling": {"schema": "Database", "login": "User (user, account#user or account#user#role)"},
                    "placeholders": {
                        "host": "127.0.0.1",
                        "port": "6001",
                        "login": "root  or  acc1#root",
                        "schema": "optional default database",
                    },
                },
                "conn-fields": {
                    "account": {
                        "label": "Account (tenant)",
                        "description": "MatrixOne account the user belongs to; empty means sys. "
                        "Ignored when the login already reads account#user.",
                        "schema": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_$-]{0,64}$"},
                    },
                    "role": {
                        "label": "Role",
                        "description": "Role to activate at login (account#user#role); empty uses the user's default role.",
                        "schema": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_$-]{0,64}$"},
                    },
                    "client": {
                        "label": "Driver",
                        "description": "Python driver used to connect.",
                        "schema": {
                            "type": ["string", "null"],
                            "enum": ["mysqlclient", "mysql-connector-python", "pymysql", None],
                            "default": "mysqlclient",
                        },
                    },
                    "server_timezone": {
                        "label": "Server time zone override",
                        "description": "IANA zone (or +hh:mm) in which the MatrixOne server reads RESTORE "
                        "timestamps. Leave empty to detect it from the server.",
                        "schema": {"type": ["string", "null"]},
                    },
                },
            }
        ],
    }
