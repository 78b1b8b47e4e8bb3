-- Rows added to the reference seed (tests/golden/totesys/totesys_oltp.sql) before the first
-- ingest run, for the edge cases the seed lacks: a department with a NULL location (dim_staff
-- shows 'Undefined'), unicode and quotes in names, an address with an empty (not NULL) line 2 and a NULL district,
-- two counterparties sharing one address, GBP orders, an unpaid payment (settled in run 2), a
-- time with trailing zero milliseconds. Values follow the real data's shapes.
INSERT INTO department (department_id, department_name, location, manager, created_at, last_updated) VALUES
 (9, 'Logistics', NULL, NULL, '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962');

INSERT INTO staff (staff_id, first_name, last_name, department_id, email_address, created_at, last_updated) VALUES
 (21, 'Zoë',  'Nguyễn',  9, 'zoe.nguyen@terrifictotes.com', '2022-11-03 14:20:51.563', '2022-11-03 14:20:51.563'),
 (22, 'Flavio', 'Kulas', 3, 'flavio.kulas@terrifictotes.com', '2022-11-03 14:20:51.563', '2022-11-03 14:20:51.563');

INSERT INTO address (address_id, address_line_1, address_line_2, district, city, postal_code, country, phone, created_at, last_updated) VALUES
 (31, '1 Rue de l''Église', '', NULL, 'Zürich', '8001', 'Switzerland', '4144 123456', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962');

INSERT INTO counterparty (counterparty_id, counterparty_legal_name, legal_address_id, commercial_contact, delivery_contact, created_at, last_updated) VALUES
 (5, 'D''Amore – Schmidt GmbH', 31, 'Kurt Müller', NULL, '2022-11-03 14:20:51.563', '2022-11-03 14:20:51.563'),
 (9, 'Ströman, "Kessler" and Sons', 16, 'Ada Lovelace', 'Łucja Wąs', '2022-11-03 14:20:51.563', '2022-11-03 14:20:51.563');

INSERT INTO sales_order (sales_order_id, created_at, last_updated, design_id, staff_id, counterparty_id, units_sold, unit_price, currency_id, agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id) VALUES
 (5, '2022-11-04 09:15:00.500', '2022-11-04 09:15:00.500', 51, 21, 5, 10000, 2.50, 1, '2022-11-10', '2022-11-09', 31);

INSERT INTO purchase_order (purchase_order_id, created_at, last_updated, staff_id, counterparty_id, item_code, item_quantity, item_unit_price, currency_id, agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id) VALUES
 (3, '2022-11-04 10:00:00.000', '2022-11-04 10:00:00.000', 17, 9, 'A1B2C3D', 999, 1000.00, 1, '2022-11-06', '2022-11-05', 16);

INSERT INTO transaction (transaction_id, transaction_type, sales_order_id, purchase_order_id, created_at, last_updated) VALUES
 (8, 'SALE',     5, NULL, '2022-11-04 09:15:00.500', '2022-11-04 09:15:00.500'),
 (9, 'PURCHASE', NULL, 3, '2022-11-04 10:00:00.000', '2022-11-04 10:00:00.000');

INSERT INTO payment (payment_id, created_at, last_updated, transaction_id, counterparty_id, payment_amount, currency_id, payment_type_id, paid, payment_date, company_ac_number, counterparty_ac_number) VALUES
 (8, '2022-11-04 09:15:00.500', '2022-11-04 09:15:00.500', 8, 5, 25000.00, 1, 1, false, '2022-11-09', 12345678, 87654321),
 (9, '2022-11-04 10:00:00.000', '2022-11-04 10:00:00.000', 9, 9, 999000.00, 1, 3, false, '2022-11-05', 23456789, 98765432);
