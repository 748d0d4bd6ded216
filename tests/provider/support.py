"""Helpers for provider tests: plain-driver SQL and the seed guide's tenant data."""

from __future__ import annotations

import os
from typing import Any

import pymysql

TEST_PASSWORD = os.environ["MO_TEST_PASSWORD"]

TENANT_PASSWORD = "tenant-" + TEST_PASSWORD


def sql_as(server: Any, login: str, password: str, statements: list[str], database: str | None = None) -> list:
    """Run statements over a plain PyMySQL connection (autocommit) and return the last result."""
    conn = pymysql.connect(
        host=server.host, port=server.port, user=login, password=password, database=database, autocommit=True
    )
    try:
        result: list = []
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
                result = list(cur.fetchall()) if cur.description else []
        return result
    finally:
        conn.close()


def root_sql(server: Any, statements: list[str]) -> list:
    return sql_as(server, "root", TEST_PASSWORD, statements)


def tenant_sql(server: Any, account: str, statements: list[str]) -> list:
    return sql_as(server, f"{account}#admin", TENANT_PASSWORD, statements)


def make_tenant(server: Any, account: str) -> None:
    """(Re)create a tenant with the seed guide's data: db1.products (9 rows), db2.orders (3 rows)."""
    root_sql(
        server,
        [
            f"drop account if exists {account}",
            f"create account {account} admin_name 'admin' identified by '{TENANT_PASSWORD}'",
        ],
    )
    tenant_sql(
        server,
        account,
        [
            "create database db1",
            "use db1",
            "CREATE TABLE products (id INT PRIMARY KEY AUTO_INCREMENT, product_name VARCHAR(100) NOT NULL,"
            " category VARCHAR(50), price DECIMAL(10, 2) NOT NULL, stock_quantity INT NOT NULL)",
            "INSERT INTO products (product_name, category, price, stock_quantity) VALUES"
            " ('Gaming Laptop', 'Electronics', 1200.99, 30), ('Wireless Mouse', 'Accessories', 25.50, 100),"
            " ('Mechanical Keyboard', 'Accessories', 75.00, 50), ('Smartphone', 'Electronics', 699.99, 50),"
            " ('Headphones', 'Accessories', 199.99, 80), ('Tablet', 'Electronics', 299.99, 40),"
            " ('Smartwatch', 'Accessories', 149.99, 60), ('Charger', 'Accessories', 19.99, 200),"
            " ('Webcam', 'Electronics', 59.99, 75)",
            "create database db2",
            "use db2",
            "CREATE TABLE orders (id int PRIMARY KEY auto_increment, product_name VARCHAR(100) NOT NULL,"
            " quantity INT NOT NULL, order_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP)",
            "INSERT INTO orders (product_name, quantity) VALUES ('Smartphone', 10), ('Headphones', 15), ('Tablet', 7)",
        ],
    )


