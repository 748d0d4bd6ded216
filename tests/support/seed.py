"""The seed guide's scenario (shared/reference/seed-mo_br-pitr-guide.md), written once.

Why one module: lite, operator, sensor, CLI and DAG tests all start from the guide's data
(acc1/acc2, db1.products with 9 rows, db2.orders with 3 rows); a copy per folder drifts.
The SQL is the guide's text verbatim (its odd indentation included), so lite's fidelity tests
run exactly what a user pastes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.support.sql import sql_as

CREATE_PRODUCTS = """CREATE TABLE products (
    id INT PRIMARY KEY AUTO_INCREMENT,
product_name VARCHAR(100) NOT NULL,
    category VARCHAR(50),
    price DECIMAL(10, 2) NOT NULL,
    stock_quantity INT NOT NULL
)"""
INSERT_PRODUCTS = """INSERT INTO products (product_name, category, price, stock_quantity) VALUES
('Gaming Laptop', 'Electronics', 1200.99, 30),
('Wireless Mouse', 'Accessories', 25.50, 100),
('Mechanical Keyboard', 'Accessories', 75.00, 50),
('Smartphone', 'Electronics', 699.99, 50),
('Headphones', 'Accessories', 199.99, 80),
('Tablet', 'Electronics', 299.99, 40),
('Smartwatch', 'Accessories', 149.99, 60),
('Charger', 'Accessories', 19.99, 200),
('Webcam', 'Electronics', 59.99, 75)"""
CREATE_ORDERS = """CREATE TABLE orders (
    id int PRIMARY KEY auto_increment,
    product_name VARCHAR(100) NOT NULL,
    quantity INT NOT NULL,
    order_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP
)"""
ORDERS_ACC1 = "INSERT INTO orders (product_name, quantity) VALUES ('Laptop', 2), ('Mouse', 5), ('Keyboard', 3)"
ORDERS_ACC2 = "INSERT INTO orders (product_name, quantity) VALUES ('Smartphone', 10), ('Headphones', 15), ('Tablet', 7)"

#: Everything the guide runs in each account before its own INSERT INTO orders.
ACCOUNT_SQL = ["create database db1", "use db1", CREATE_PRODUCTS, INSERT_PRODUCTS,
               "create database db2", "use db2", CREATE_ORDERS]
#: ACCOUNT_SQL as one ';'-separated script (no literal in it contains ';').
ACCOUNT_SCRIPT = ";\n".join(ACCOUNT_SQL)

#: SHOW DATABASES of a seeded tenant, in MatrixOne's order.
GUIDE_DATABASES = ["db1", "db2", "information_schema", "mo_catalog", "mysql", "system", "system_metrics"]
#: Databases every account has that no test created (skip them when listing user data).
SYSTEM_DATABASES = frozenset({"information_schema", "mo_catalog", "mysql", "system", "system_metrics", "mo_task",
                              "mo_debug"})


def create_account(server: Any, account: str, *, root_password: str, admin_password: str,
                   statements: Iterable[str] = (), admin: str = "admin") -> None:
    """(Re)create ``account`` with admin ``admin`` as sys root, then run ``statements`` as that admin."""
    sql_as(server, "root", root_password, [
        f"drop account if exists {account}",
        f"create account {account} admin_name '{admin}' identified by '{admin_password}'",
    ])
    statements = list(statements)
    if statements:
        sql_as(server, f"{account}#{admin}", admin_password, statements)


def seed_account(server: Any, account: str, *, root_password: str, admin_password: str,
                 orders: str = ORDERS_ACC2, admin: str = "admin") -> None:
    """(Re)create ``account`` with the guide's data: db1.products (9 rows), db2.orders (3 rows by default)."""
    create_account(server, account, root_password=root_password, admin_password=admin_password,
                   statements=[*ACCOUNT_SQL, orders], admin=admin)


def user_databases(server: Any, login: str, password: str, *, port: int | None = None) -> list[str]:
    """SHOW DATABASES without the system ones, sorted."""
    return sorted(r[0] for r in sql_as(server, login, password, ["show databases"], port=port)
                  if r[0] not in SYSTEM_DATABASES)
