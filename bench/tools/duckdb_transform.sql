-- The DuckDB baseline of bench/transform.sh: the 11 warehouse tables computed with SQL from the
-- landed .jsonl.gz files, by the rules our transform follows (tests/golden/transform/expected.sql
-- is the reference rendering of them), each written as one SNAPPY Parquet file.
-- ${LANDING} and ${OUT} are replaced by duckdb_transform.mjs; statements end with ";" at the end
-- of a line; a COPY's row count is reported per table.
-- Facts: every landed version. Dims: the latest version of each key (by last_updated, then by
-- the landing object's run id, which sorts by time). dim_date: every day from the earliest to
-- the latest date the facts refer to. Types as in the warehouse: int -> INTEGER, numeric(10,2)
-- -> DECIMAL(10,2), plain numeric -> DECIMAL(18,2), timestamps split into DATE and TIME.

COPY (
  SELECT sales_order_id, created_at::DATE AS created_date, created_at::TIME AS created_time,
         last_updated::DATE AS last_updated_date, last_updated::TIME AS last_updated_time,
         staff_id AS sales_staff_id, counterparty_id, units_sold, unit_price::DECIMAL(10,2) AS unit_price,
         currency_id, design_id, agreed_payment_date::DATE AS agreed_payment_date,
         agreed_delivery_date::DATE AS agreed_delivery_date, agreed_delivery_location_id
  FROM read_json('${LANDING}/sales_order/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    columns = {sales_order_id: 'INTEGER', created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP', design_id: 'INTEGER',
               staff_id: 'INTEGER', counterparty_id: 'INTEGER', units_sold: 'INTEGER', unit_price: 'DECIMAL(10,2)',
               currency_id: 'INTEGER', agreed_delivery_date: 'VARCHAR', agreed_payment_date: 'VARCHAR',
               agreed_delivery_location_id: 'INTEGER'})
) TO '${OUT}/fact_sales_order.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT purchase_order_id, created_at::DATE AS created_date, created_at::TIME AS created_time,
         last_updated::DATE AS last_updated_date, last_updated::TIME AS last_updated_time,
         staff_id, counterparty_id, item_code, item_quantity, item_unit_price::DECIMAL(18,2) AS item_unit_price,
         currency_id, agreed_delivery_date::DATE AS agreed_delivery_date,
         agreed_payment_date::DATE AS agreed_payment_date, agreed_delivery_location_id
  FROM read_json('${LANDING}/purchase_order/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    columns = {purchase_order_id: 'INTEGER', created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP', staff_id: 'INTEGER',
               counterparty_id: 'INTEGER', item_code: 'VARCHAR', item_quantity: 'INTEGER',
               item_unit_price: 'DECIMAL(10,2)', currency_id: 'INTEGER', agreed_delivery_date: 'VARCHAR',
               agreed_payment_date: 'VARCHAR', agreed_delivery_location_id: 'INTEGER'})
) TO '${OUT}/fact_purchase_order.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT payment_id, created_at::DATE AS created_date, created_at::TIME AS created_time,
         last_updated::DATE AS last_updated_date, last_updated::TIME AS last_updated_time,
         transaction_id, counterparty_id, payment_amount::DECIMAL(18,2) AS payment_amount, currency_id,
         payment_type_id, paid, payment_date::DATE AS payment_date
  FROM read_json('${LANDING}/payment/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    columns = {payment_id: 'INTEGER', created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP', transaction_id: 'INTEGER',
               counterparty_id: 'INTEGER', payment_amount: 'DECIMAL(10,2)', currency_id: 'INTEGER',
               payment_type_id: 'INTEGER', paid: 'BOOLEAN', payment_date: 'VARCHAR', company_ac_number: 'INTEGER',
               counterparty_ac_number: 'INTEGER'})
) TO '${OUT}/fact_payment.parquet' (FORMAT parquet, COMPRESSION snappy);

-- The date range from the facts just written (their date columns, read back column-wise).
COPY (
  WITH bounds AS (
    SELECT min(lo) AS lo, max(hi) AS hi FROM (
      SELECT least(min(created_date), min(last_updated_date), min(agreed_payment_date), min(agreed_delivery_date)) AS lo,
             greatest(max(created_date), max(last_updated_date), max(agreed_payment_date), max(agreed_delivery_date)) AS hi
        FROM read_parquet('${OUT}/fact_sales_order.parquet')
      UNION ALL
      SELECT least(min(created_date), min(last_updated_date), min(agreed_payment_date), min(agreed_delivery_date)),
             greatest(max(created_date), max(last_updated_date), max(agreed_payment_date), max(agreed_delivery_date))
        FROM read_parquet('${OUT}/fact_purchase_order.parquet')
      UNION ALL
      SELECT least(min(created_date), min(last_updated_date), min(payment_date)),
             greatest(max(created_date), max(last_updated_date), max(payment_date))
        FROM read_parquet('${OUT}/fact_payment.parquet')))
  SELECT d::DATE AS date_id, year(d)::INTEGER AS year, month(d)::INTEGER AS month, day(d)::INTEGER AS day,
         isodow(d)::INTEGER AS day_of_week, dayname(d) AS day_name, monthname(d) AS month_name,
         quarter(d)::INTEGER AS quarter
  FROM bounds, range(bounds.lo::TIMESTAMP, bounds.hi::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) r(d)
) TO '${OUT}/dim_date.parquet' (FORMAT parquet, COMPRESSION snappy);

CREATE TEMP TABLE cur_department AS
  SELECT * FROM read_json('${LANDING}/department/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {department_id: 'INTEGER', department_name: 'VARCHAR', location: 'VARCHAR', manager: 'VARCHAR',
               created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP'})
  QUALIFY row_number() OVER (PARTITION BY department_id ORDER BY last_updated DESC, filename DESC) = 1;

CREATE TEMP TABLE cur_address AS
  SELECT * FROM read_json('${LANDING}/address/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {address_id: 'INTEGER', address_line_1: 'VARCHAR', address_line_2: 'VARCHAR', district: 'VARCHAR',
               city: 'VARCHAR', postal_code: 'VARCHAR', country: 'VARCHAR', phone: 'VARCHAR',
               created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP'})
  QUALIFY row_number() OVER (PARTITION BY address_id ORDER BY last_updated DESC, filename DESC) = 1;

COPY (
  SELECT s.staff_id, s.first_name, s.last_name, d.department_name, coalesce(d.location, 'Undefined') AS location,
         s.email_address
  FROM read_json('${LANDING}/staff/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {staff_id: 'INTEGER', first_name: 'VARCHAR', last_name: 'VARCHAR', department_id: 'INTEGER',
               email_address: 'VARCHAR', created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP'}) s
  JOIN cur_department d ON d.department_id = s.department_id
  QUALIFY row_number() OVER (PARTITION BY s.staff_id ORDER BY s.last_updated DESC, s.filename DESC) = 1
) TO '${OUT}/dim_staff.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT address_id AS location_id, address_line_1, address_line_2, district, city, postal_code, country, phone
  FROM cur_address
) TO '${OUT}/dim_location.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT design_id, design_name, file_location, file_name
  FROM read_json('${LANDING}/design/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {design_id: 'INTEGER', created_at: 'TIMESTAMP', design_name: 'VARCHAR', file_location: 'VARCHAR',
               file_name: 'VARCHAR', last_updated: 'TIMESTAMP'})
  QUALIFY row_number() OVER (PARTITION BY design_id ORDER BY last_updated DESC, filename DESC) = 1
) TO '${OUT}/dim_design.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT currency_id, currency_code,
         CASE currency_code WHEN 'GBP' THEN 'Pound Sterling' WHEN 'USD' THEN 'US Dollar' WHEN 'EUR' THEN 'Euro'
           ELSE error('unmapped currency code ' || currency_code) END AS currency_name
  FROM read_json('${LANDING}/currency/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {currency_id: 'INTEGER', currency_code: 'VARCHAR', created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP'})
  QUALIFY row_number() OVER (PARTITION BY currency_id ORDER BY last_updated DESC, filename DESC) = 1
) TO '${OUT}/dim_currency.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT c.counterparty_id, c.counterparty_legal_name,
         a.address_line_1 AS counterparty_legal_address_line_1, a.address_line_2 AS counterparty_legal_address_line_2,
         a.district AS counterparty_legal_district, a.city AS counterparty_legal_city,
         a.postal_code AS counterparty_legal_postal_code, a.country AS counterparty_legal_country,
         a.phone AS counterparty_legal_phone_number
  FROM read_json('${LANDING}/counterparty/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {counterparty_id: 'INTEGER', counterparty_legal_name: 'VARCHAR', legal_address_id: 'INTEGER',
               commercial_contact: 'VARCHAR', delivery_contact: 'VARCHAR', created_at: 'TIMESTAMP',
               last_updated: 'TIMESTAMP'}) c
  JOIN cur_address a ON a.address_id = c.legal_address_id
  QUALIFY row_number() OVER (PARTITION BY c.counterparty_id ORDER BY c.last_updated DESC, c.filename DESC) = 1
) TO '${OUT}/dim_counterparty.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT payment_type_id, payment_type_name
  FROM read_json('${LANDING}/payment_type/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {payment_type_id: 'INTEGER', payment_type_name: 'VARCHAR', created_at: 'TIMESTAMP',
               last_updated: 'TIMESTAMP'})
  QUALIFY row_number() OVER (PARTITION BY payment_type_id ORDER BY last_updated DESC, filename DESC) = 1
) TO '${OUT}/dim_payment_type.parquet' (FORMAT parquet, COMPRESSION snappy);

COPY (
  SELECT transaction_id, transaction_type, sales_order_id, purchase_order_id
  FROM read_json('${LANDING}/transaction/**/*.jsonl.gz', format = 'newline_delimited', compression = 'gzip',
    filename = true,
    columns = {transaction_id: 'INTEGER', transaction_type: 'VARCHAR', sales_order_id: 'INTEGER',
               purchase_order_id: 'INTEGER', created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP'})
  QUALIFY row_number() OVER (PARTITION BY transaction_id ORDER BY last_updated DESC, filename DESC) = 1
) TO '${OUT}/dim_transaction.parquet' (FORMAT parquet, COMPRESSION snappy);
