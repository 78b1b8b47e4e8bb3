-- Changes between the first and the second ingest run: every kind the transform must follow.
--   department 3 renamed          -> dim_staff 17 and 22 re-emitted with the new name
--   department 4 location to NULL -> dim_staff 13 re-emitted with location 'Undefined'
--   address 16 new phone          -> dim_location 16, dim_counterparty 8 and 9 re-emitted
--   counterparty 1 new contact    -> dim_counterparty 1 emitted (its dim columns are unchanged)
--   sales order 4 amended         -> a second fact_sales_order row (later delivery date, so
--                                    dim_date grows to 2022-11-12)
--   payment 8 settled             -> a second fact_payment row (paid true)
--   a new sales order 6 with its transaction and payment; a new design 52 it uses
-- Timestamps are fixed, in the seed's period, so the expected rows never depend on the clock.
UPDATE department SET department_name = 'Manufacturing', last_updated = '2022-11-08 10:00:00.000' WHERE department_id = 3;
UPDATE department SET location = NULL, last_updated = '2022-11-08 10:00:00.001' WHERE department_id = 4;
UPDATE address SET phone = '2372 999999', last_updated = '2022-11-08 10:05:00.000' WHERE address_id = 16;
UPDATE counterparty SET commercial_contact = 'Jane Doe', last_updated = '2022-11-08 10:06:00.000' WHERE counterparty_id = 1;
UPDATE sales_order SET units_sold = 33000, agreed_delivery_date = '2022-11-12', last_updated = '2022-11-08 11:30:00.250'
 WHERE sales_order_id = 4;
UPDATE payment SET paid = true, last_updated = '2022-11-09 07:55:11.885' WHERE payment_id = 8;

INSERT INTO design (design_id, created_at, design_name, file_location, file_name, last_updated) VALUES
 (52, '2022-11-08 12:00:00.000', 'Cotton', '/home/user/dir', 'cotton-20221108-ab12.json', '2022-11-08 12:00:00.000');
INSERT INTO sales_order (sales_order_id, created_at, last_updated, design_id, staff_id, counterparty_id, units_sold, unit_price, currency_id, agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id) VALUES
 (6, '2022-11-08 12:00:00.001', '2022-11-08 12:00:00.001', 52, 13, 9, 1001, 4.00, 3, '2022-11-08', '2022-11-11', 2);
INSERT INTO transaction (transaction_id, transaction_type, sales_order_id, purchase_order_id, created_at, last_updated) VALUES
 (10, 'SALE', 6, NULL, '2022-11-08 12:00:00.001', '2022-11-08 12:00:00.001');
INSERT INTO payment (payment_id, created_at, last_updated, transaction_id, counterparty_id, payment_amount, currency_id, payment_type_id, paid, payment_date, company_ac_number, counterparty_ac_number) VALUES
 (10, '2022-11-08 12:00:00.001', '2022-11-08 12:00:00.001', 10, 9, 4004.00, 3, 1, false, '2022-11-11', 34567890, 9876543);
