"""The seed guide's scenario (shared/reference/seed-mo_br-pitr-guide.md), as data.

Two tenants with the same schema: db1.products (9 rows) and db2.orders (3 rows, order_date from
CURRENT_TIMESTAMP). The guide's two typos (``--rangeunit "d "``, ``17:30: 00``) are not repeated.
"""

from __future__ import annotations

import hashlib
import hmac

ACCOUNTS = ("acc1", "acc2")
ADMIN_NAME = "root"

PRODUCTS_DDL = (
    "CREATE TABLE products (id INT PRIMARY KEY AUTO_INCREMENT, product_name VARCHAR(100) NOT NULL, "
    "category VARCHAR(50), price DECIMAL(10, 2) NOT NULL, stock_quantity INT NOT NULL)"
)
PRODUCTS_ROWS = (
    "INSERT INTO products (product_name, category, price, stock_quantity) VALUES "
    "('Gaming Laptop', 'Electronics', 1200.99, 30), ('Wireless Mouse', 'Accessories', 25.50, 100), "
    "('Mechanical Keyboard', 'Accessories', 75.00, 50), ('Smartphone', 'Electronics', 699.99, 50), "
    "('Headphones', 'Accessories', 199.99, 80), ('Tablet', 'Electronics', 299.99, 40), "
    "('Smartwatch', 'Accessories', 149.99, 60), ('Charger', 'Accessories', 19.99, 200), "
    "('Webcam', 'Electronics', 59.99, 75)"
)
ORDERS_DDL = (
    "CREATE TABLE orders (id int PRIMARY KEY auto_increment, product_name VARCHAR(100) NOT NULL, "
    "quantity INT NOT NULL, order_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP)"
)
ORDERS_ROWS = {
    "acc1": "INSERT INTO orders (product_name, quantity) VALUES ('Laptop', 2), ('Mouse', 5), ('Keyboard', 3)",
    "acc2": "INSERT INTO orders (product_name, quantity) VALUES ('Smartphone', 10), ('Headphones', 15), ('Tablet', 7)",
}

# (name, level, account the PITR is created by, range value, unit): as in the guide, pitr1 is the
# sys operator's cluster PITR and each tenant admin creates its own account PITR.
PITRS = (
    ("pitr1", "cluster", "sys", 1, "d"),
    ("pitr2", "account", "acc1", 10, "h"),
    ("pitr3", "account", "acc2", 10, "h"),
)

EXPECTED_DATABASES = ["db1", "db2"]
EXPECTED_PRODUCTS = 9
EXPECTED_ORDER_IDS = [1, 2, 3]


def data_statements(account: str) -> list[str]:
    """The guide's 'Create business data' block for one tenant."""
    return [
        "create database db1",
        "use db1",
        PRODUCTS_DDL,
        PRODUCTS_ROWS,
        "create database db2",
        "use db2",
        ORDERS_DDL,
        ORDERS_ROWS[account],
    ]


def upgrade_error_statements(account: str) -> list[str]:
    """The guide's 'Simulate upgrade error' block."""
    if account == "acc1":
        return ["drop database db1", "drop database db2"]
    return ["drop database db1", "use db2", "truncate table orders"]


def tenant_password(sys_password: str, account: str) -> str:
    """A per-run tenant admin password derived from the sys password: never stored, never '111'.

    Deriving it lets separate tasks log in as the tenant without passing a secret through XCom.
    """
    key = (sys_password or "matrixone-demo").encode()
    return "demo-" + hmac.new(key, f"matrixone-demo:{account}".encode(), hashlib.sha256).hexdigest()[:24]
