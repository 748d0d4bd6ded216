"""The seed guide's SQL (shared/reference/seed-mo_br-pitr-guide.md) for acc1 and acc2."""

PRODUCTS = """
create database db1;
use db1;
CREATE TABLE products (
    id INT PRIMARY KEY AUTO_INCREMENT,
product_name VARCHAR(100) NOT NULL,
    category VARCHAR(50),
    price DECIMAL(10, 2) NOT NULL,
    stock_quantity INT NOT NULL
);
INSERT INTO products (product_name, category, price, stock_quantity) VALUES
('Gaming Laptop', 'Electronics', 1200.99, 30),
('Wireless Mouse', 'Accessories', 25.50, 100),
('Mechanical Keyboard', 'Accessories', 75.00, 50),
('Smartphone', 'Electronics', 699.99, 50),
('Headphones', 'Accessories', 199.99, 80),
('Tablet', 'Electronics', 299.99, 40),
('Smartwatch', 'Accessories', 149.99, 60),
('Charger', 'Accessories', 19.99, 200),
('Webcam', 'Electronics', 59.99, 75);
create database db2;
use db2;
CREATE TABLE orders (
    id int PRIMARY KEY auto_increment,
    product_name VARCHAR(100) NOT NULL,
    quantity INT NOT NULL,
    order_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP
)
"""

ORDERS_ACC1 = "INSERT INTO orders (product_name, quantity) VALUES ('Laptop', 2), ('Mouse', 5), ('Keyboard', 3)"
ORDERS_ACC2 = "INSERT INTO orders (product_name, quantity) VALUES ('Smartphone', 10), ('Headphones', 15), ('Tablet', 7)"
