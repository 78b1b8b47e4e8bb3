-- Expected output of one `dwh transform` run, computed by PostgreSQL from the landed row
-- versions alone: an oracle written from the rules (docs of issue 5 and
-- /work/shared/reference/totesys_transform.md), independent of the engine and of models/totesys.
--
-- Input (plain SQL, no psql meta-commands, so tests can run it through libpq as one string):
--   schema v   one table per source table: the source's columns and types, every landed row
--              version, plus _run (ingest run ordinal, 1 = oldest) and _line (1-based line of
--              the version in that run's object);
--   v.params   (prev_run, last_run): this transform run consumes ingest runs prev_run+1 ..
--              last_run; runs 1 .. prev_run were consumed by earlier transform runs;
--   schema wh  the warehouse DDL (totesys_warehouse.sql in this folder), used as a check.
-- Output, schema out:
--   out.<table>       the rows the run writes for each of the 11 warehouse tables (warehouse
--                     columns in warehouse order, no *_record_id surrogate keys);
--   out.<table>_text  the same rows in the canonical text form the golden tests compare
--                     (every value text or NULL: dates YYYY-MM-DD, times HH:MM:SS.ffffff,
--                     decimals with their scale, booleans true/false);
--   out.schema_text   per warehouse column, the DuckDB type its Parquet column must read as.
--
-- The rules (the coordinator's decisions for issue 5):
--   facts     one row per landed row version of the consumed runs (history);
--   dims      for every natural key landed in the consumed runs, plus the rows a changed lookup
--             re-emits (department -> every dim_staff of that department; address ->
--             dim_location and every dim_counterparty pointing at it), one row holding the
--             latest version (by last_updated, then by ingest run) of the key and its lookups;
--   dim_date  every day from the earliest to the latest date any fact row refers to,
--             extended as facts arrive and never shrunk: a run emits the days of the range
--             over runs 1..last_run that were not in the range over runs 1..prev_run;
--             day_of_week ISO (Monday = 1), English day and month names without padding;
--   dim_staff.location: department.location, NULL -> 'Undefined';
--   dim_currency.currency_name: ISO 4217 English name (GBP, USD, EUR; others are errors);
--   money: numeric(10,2) stays numeric(10,2); plain warehouse numeric is Decimal(18,2).
-- When prev_run = 0 the run's output is a whole warehouse, so it is also inserted into the
-- warehouse DDL's tables: their keys, NOT NULLs and foreign keys (dim_date covering every fact
-- date included) must hold, or this script fails.

SET DateStyle = ISO;
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS out CASCADE;
CREATE SCHEMA out;

CREATE TEMP VIEW run_window AS SELECT prev_run, last_run FROM v.params;

-- Latest version of every key over the consumed runs.
CREATE TEMP VIEW cur_address AS
  SELECT DISTINCT ON (address_id) t.* FROM v.address t, run_window w WHERE t._run <= w.last_run
  ORDER BY address_id, last_updated DESC, _run DESC, _line DESC;
CREATE TEMP VIEW cur_counterparty AS
  SELECT DISTINCT ON (counterparty_id) t.* FROM v.counterparty t, run_window w WHERE t._run <= w.last_run
  ORDER BY counterparty_id, last_updated DESC, _run DESC, _line DESC;
CREATE TEMP VIEW cur_currency AS
  SELECT DISTINCT ON (currency_id) t.* FROM v.currency t, run_window w WHERE t._run <= w.last_run
  ORDER BY currency_id, last_updated DESC, _run DESC, _line DESC;
CREATE TEMP VIEW cur_department AS
  SELECT DISTINCT ON (department_id) t.* FROM v.department t, run_window w WHERE t._run <= w.last_run
  ORDER BY department_id, last_updated DESC, _run DESC, _line DESC;
CREATE TEMP VIEW cur_design AS
  SELECT DISTINCT ON (design_id) t.* FROM v.design t, run_window w WHERE t._run <= w.last_run
  ORDER BY design_id, last_updated DESC, _run DESC, _line DESC;
CREATE TEMP VIEW cur_staff AS
  SELECT DISTINCT ON (staff_id) t.* FROM v.staff t, run_window w WHERE t._run <= w.last_run
  ORDER BY staff_id, last_updated DESC, _run DESC, _line DESC;
CREATE TEMP VIEW cur_payment_type AS
  SELECT DISTINCT ON (payment_type_id) t.* FROM v.payment_type t, run_window w WHERE t._run <= w.last_run
  ORDER BY payment_type_id, last_updated DESC, _run DESC, _line DESC;
CREATE TEMP VIEW cur_transaction AS
  SELECT DISTINCT ON (transaction_id) t.* FROM v.transaction t, run_window w WHERE t._run <= w.last_run
  ORDER BY transaction_id, last_updated DESC, _run DESC, _line DESC;

-- Keys landed in the runs this transform run consumes.
CREATE TEMP VIEW new_address AS
  SELECT DISTINCT address_id FROM v.address t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;
CREATE TEMP VIEW new_counterparty AS
  SELECT DISTINCT counterparty_id FROM v.counterparty t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;
CREATE TEMP VIEW new_currency AS
  SELECT DISTINCT currency_id FROM v.currency t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;
CREATE TEMP VIEW new_department AS
  SELECT DISTINCT department_id FROM v.department t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;
CREATE TEMP VIEW new_design AS
  SELECT DISTINCT design_id FROM v.design t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;
CREATE TEMP VIEW new_staff AS
  SELECT DISTINCT staff_id FROM v.staff t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;
CREATE TEMP VIEW new_payment_type AS
  SELECT DISTINCT payment_type_id FROM v.payment_type t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;
CREATE TEMP VIEW new_transaction AS
  SELECT DISTINCT transaction_id FROM v.transaction t, run_window w WHERE t._run > w.prev_run AND t._run <= w.last_run;

-- ---------------------------------------------------------------------------------------------
-- Dimensions. LEFT JOINs, so that a missing lookup row shows as a NULL (which the warehouse
-- check below rejects) instead of silently dropping the row.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE out.dim_staff AS
SELECT s.staff_id::int                               AS staff_id,
       s.first_name::varchar                         AS first_name,
       s.last_name::varchar                          AS last_name,
       d.department_name::varchar                    AS department_name,
       COALESCE(d.location, 'Undefined')::varchar    AS location,
       s.email_address::varchar                      AS email_address
FROM cur_staff s LEFT JOIN cur_department d ON d.department_id = s.department_id
WHERE s.staff_id IN (SELECT staff_id FROM new_staff)
   OR s.department_id IN (SELECT department_id FROM new_department);

CREATE TABLE out.dim_location AS
SELECT a.address_id::int AS location_id, a.address_line_1::varchar AS address_line_1,
       a.address_line_2::varchar AS address_line_2, a.district::varchar AS district, a.city::varchar AS city,
       a.postal_code::varchar AS postal_code, a.country::varchar AS country, a.phone::varchar AS phone
FROM cur_address a
WHERE a.address_id IN (SELECT address_id FROM new_address);

CREATE TABLE out.dim_design AS
SELECT d.design_id::int AS design_id, d.design_name::varchar AS design_name,
       d.file_location::varchar AS file_location, d.file_name::varchar AS file_name
FROM cur_design d
WHERE d.design_id IN (SELECT design_id FROM new_design);

CREATE TABLE out.dim_currency AS
SELECT c.currency_id::int AS currency_id, c.currency_code::varchar AS currency_code,
       (CASE c.currency_code WHEN 'GBP' THEN 'Pound Sterling' WHEN 'USD' THEN 'US Dollar' WHEN 'EUR' THEN 'Euro' END)::varchar
         AS currency_name
FROM cur_currency c
WHERE c.currency_id IN (SELECT currency_id FROM new_currency);

CREATE TABLE out.dim_counterparty AS
SELECT c.counterparty_id::int                 AS counterparty_id,
       c.counterparty_legal_name::varchar     AS counterparty_legal_name,
       a.address_line_1::varchar              AS counterparty_legal_address_line_1,
       a.address_line_2::varchar              AS counterparty_legal_address_line_2,
       a.district::varchar                    AS counterparty_legal_district,
       a.city::varchar                        AS counterparty_legal_city,
       a.postal_code::varchar                 AS counterparty_legal_postal_code,
       a.country::varchar                     AS counterparty_legal_country,
       a.phone::varchar                       AS counterparty_legal_phone_number
FROM cur_counterparty c LEFT JOIN cur_address a ON a.address_id = c.legal_address_id
WHERE c.counterparty_id IN (SELECT counterparty_id FROM new_counterparty)
   OR c.legal_address_id IN (SELECT address_id FROM new_address);

CREATE TABLE out.dim_payment_type AS
SELECT p.payment_type_id::int AS payment_type_id, p.payment_type_name::text::varchar AS payment_type_name
FROM cur_payment_type p
WHERE p.payment_type_id IN (SELECT payment_type_id FROM new_payment_type);

CREATE TABLE out.dim_transaction AS
SELECT t.transaction_id::int AS transaction_id, t.transaction_type::text::varchar AS transaction_type,
       t.sales_order_id::int AS sales_order_id, t.purchase_order_id::int AS purchase_order_id
FROM cur_transaction t
WHERE t.transaction_id IN (SELECT transaction_id FROM new_transaction);

-- ---------------------------------------------------------------------------------------------
-- Facts: every landed version of the consumed runs.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE out.fact_sales_order AS
SELECT so.sales_order_id::int AS sales_order_id,
       so.created_at::date AS created_date, so.created_at::time AS created_time,
       so.last_updated::date AS last_updated_date, so.last_updated::time AS last_updated_time,
       so.staff_id::int AS sales_staff_id, so.counterparty_id::int AS counterparty_id,
       so.units_sold::int AS units_sold, so.unit_price::numeric(10,2) AS unit_price,
       so.currency_id::int AS currency_id, so.design_id::int AS design_id,
       so.agreed_payment_date::date AS agreed_payment_date, so.agreed_delivery_date::date AS agreed_delivery_date,
       so.agreed_delivery_location_id::int AS agreed_delivery_location_id
FROM v.sales_order so, run_window w
WHERE so._run > w.prev_run AND so._run <= w.last_run;

CREATE TABLE out.fact_purchase_order AS
SELECT po.purchase_order_id::int AS purchase_order_id,
       po.created_at::date AS created_date, po.created_at::time AS created_time,
       po.last_updated::date AS last_updated_date, po.last_updated::time AS last_updated_time,
       po.staff_id::int AS staff_id, po.counterparty_id::int AS counterparty_id,
       po.item_code::varchar AS item_code, po.item_quantity::int AS item_quantity,
       po.item_unit_price::numeric(18,2) AS item_unit_price, po.currency_id::int AS currency_id,
       po.agreed_delivery_date::date AS agreed_delivery_date, po.agreed_payment_date::date AS agreed_payment_date,
       po.agreed_delivery_location_id::int AS agreed_delivery_location_id
FROM v.purchase_order po, run_window w
WHERE po._run > w.prev_run AND po._run <= w.last_run;

CREATE TABLE out.fact_payment AS
SELECT p.payment_id::int AS payment_id,
       p.created_at::date AS created_date, p.created_at::time AS created_time,
       p.last_updated::date AS last_updated_date, p.last_updated::time AS last_updated_time,
       p.transaction_id::int AS transaction_id, p.counterparty_id::int AS counterparty_id,
       p.payment_amount::numeric(18,2) AS payment_amount, p.currency_id::int AS currency_id,
       p.payment_type_id::int AS payment_type_id, p.paid::boolean AS paid,
       p.payment_date::date AS payment_date
FROM v.payment p, run_window w
WHERE p._run > w.prev_run AND p._run <= w.last_run;

-- ---------------------------------------------------------------------------------------------
-- dim_date: the range of dates the facts of runs 1..last_run refer to, minus the range that
-- earlier transform runs (runs 1..prev_run) already emitted.
-- ---------------------------------------------------------------------------------------------
CREATE TEMP VIEW fact_dates AS
  SELECT so._run, x.d FROM v.sales_order so,
    LATERAL (VALUES (so.created_at::date), (so.last_updated::date),
                    (so.agreed_payment_date::date), (so.agreed_delivery_date::date)) x(d)
  UNION ALL
  SELECT po._run, x.d FROM v.purchase_order po,
    LATERAL (VALUES (po.created_at::date), (po.last_updated::date),
                    (po.agreed_payment_date::date), (po.agreed_delivery_date::date)) x(d)
  UNION ALL
  SELECT p._run, x.d FROM v.payment p,
    LATERAL (VALUES (p.created_at::date), (p.last_updated::date), (p.payment_date::date)) x(d);

CREATE TABLE out.dim_date AS
WITH now_range AS (SELECT min(d) AS lo, max(d) AS hi FROM fact_dates f, run_window w WHERE f._run <= w.last_run),
     before_range AS (SELECT min(d) AS lo, max(d) AS hi FROM fact_dates f, run_window w WHERE f._run <= w.prev_run),
     days AS (SELECT g::date AS d FROM now_range, generate_series(now_range.lo, now_range.hi, interval '1 day') g)
SELECT days.d AS date_id,
       extract(year FROM days.d)::int AS year,
       extract(month FROM days.d)::int AS month,
       extract(day FROM days.d)::int AS day,
       extract(isodow FROM days.d)::int AS day_of_week,
       to_char(days.d, 'FMDay')::varchar AS day_name,
       to_char(days.d, 'FMMonth')::varchar AS month_name,
       extract(quarter FROM days.d)::int AS quarter
FROM days, before_range
WHERE before_range.lo IS NULL OR days.d NOT BETWEEN before_range.lo AND before_range.hi;

-- ---------------------------------------------------------------------------------------------
-- The canonical text form, and the Parquet column types (as DuckDB names them) the warehouse
-- types map to: int -> INTEGER, date -> DATE, time -> TIME (micros), numeric(p,s) ->
-- DECIMAL(p,s), plain numeric -> DECIMAL(18,2), varchar -> VARCHAR, boolean -> BOOLEAN.
-- ---------------------------------------------------------------------------------------------
DO $$
DECLARE
  t text;
  cols text;
BEGIN
  FOR t IN SELECT table_name FROM information_schema.tables WHERE table_schema = 'out' AND table_type = 'BASE TABLE' LOOP
    SELECT string_agg(
             CASE c.data_type
               WHEN 'date' THEN format('to_char(%I, ''YYYY-MM-DD'')', c.column_name)
               WHEN 'time without time zone' THEN format('to_char(%I, ''HH24:MI:SS.US'')', c.column_name)
               WHEN 'boolean' THEN format('CASE WHEN %1$I THEN ''true'' WHEN NOT %1$I THEN ''false'' END', c.column_name)
               ELSE format('%I::text', c.column_name)
             END || format(' AS %I', c.column_name), ', ' ORDER BY c.ordinal_position)
      INTO cols
      FROM information_schema.columns c
     WHERE c.table_schema = 'out' AND c.table_name = t;
    EXECUTE format('CREATE VIEW out.%I AS SELECT %s FROM out.%I', t || '_text', cols, t);
  END LOOP;
END
$$;

CREATE VIEW out.schema_text AS
SELECT c.table_name::text AS table_name, c.column_name::text AS column_name,
       CASE c.data_type
         WHEN 'integer' THEN 'INTEGER'
         WHEN 'date' THEN 'DATE'
         WHEN 'time without time zone' THEN 'TIME'
         WHEN 'boolean' THEN 'BOOLEAN'
         WHEN 'character varying' THEN 'VARCHAR'
         WHEN 'numeric' THEN CASE WHEN c.numeric_precision IS NULL THEN 'DECIMAL(18,2)'
                                  ELSE format('DECIMAL(%s,%s)', c.numeric_precision, c.numeric_scale) END
       END AS duckdb_type
FROM information_schema.columns c
WHERE c.table_schema = 'wh' AND c.column_default IS NULL  -- the SERIAL *_record_id keys have one
ORDER BY c.table_name, c.ordinal_position;

-- The out tables must have exactly the warehouse's columns, in its order.
DO $$
DECLARE
  diff text;
BEGIN
  SELECT string_agg(format('%s.%s', coalesce(w.table_name, o.table_name), coalesce(w.column_name, o.column_name)), ', ')
    INTO diff
    FROM (SELECT table_name, column_name, row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position) AS pos
            FROM information_schema.columns WHERE table_schema = 'wh' AND column_default IS NULL) w
    FULL JOIN (SELECT table_name, column_name, ordinal_position AS pos
                 FROM information_schema.columns WHERE table_schema = 'out'
                  AND table_name IN (SELECT table_name FROM information_schema.tables
                                      WHERE table_schema = 'out' AND table_type = 'BASE TABLE')) o
      ON o.table_name = w.table_name AND o.pos = w.pos AND o.column_name = w.column_name
   WHERE w.column_name IS NULL OR o.column_name IS NULL;
  IF diff IS NOT NULL THEN
    RAISE EXCEPTION 'expected.sql: out tables differ from the warehouse DDL at %', diff;
  END IF;
END
$$;

-- A whole warehouse (prev_run = 0) must satisfy the warehouse DDL's constraints.
DO $$
BEGIN
  IF (SELECT prev_run FROM v.params) = 0 THEN
    TRUNCATE wh.fact_sales_order, wh.fact_purchase_order, wh.fact_payment, wh.dim_date, wh.dim_staff,
             wh.dim_location, wh.dim_design, wh.dim_currency, wh.dim_counterparty, wh.dim_payment_type,
             wh.dim_transaction;
    INSERT INTO wh.dim_date SELECT * FROM out.dim_date;
    INSERT INTO wh.dim_staff SELECT * FROM out.dim_staff;
    INSERT INTO wh.dim_location SELECT * FROM out.dim_location;
    INSERT INTO wh.dim_design SELECT * FROM out.dim_design;
    INSERT INTO wh.dim_currency SELECT * FROM out.dim_currency;
    INSERT INTO wh.dim_counterparty SELECT * FROM out.dim_counterparty;
    INSERT INTO wh.dim_payment_type SELECT * FROM out.dim_payment_type;
    INSERT INTO wh.dim_transaction SELECT * FROM out.dim_transaction;
    INSERT INTO wh.fact_sales_order (sales_order_id, created_date, created_time, last_updated_date, last_updated_time,
        sales_staff_id, counterparty_id, units_sold, unit_price, currency_id, design_id, agreed_payment_date,
        agreed_delivery_date, agreed_delivery_location_id)
      SELECT * FROM out.fact_sales_order;
    INSERT INTO wh.fact_purchase_order (purchase_order_id, created_date, created_time, last_updated_date,
        last_updated_time, staff_id, counterparty_id, item_code, item_quantity, item_unit_price, currency_id,
        agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id)
      SELECT * FROM out.fact_purchase_order;
    INSERT INTO wh.fact_payment (payment_id, created_date, created_time, last_updated_date, last_updated_time,
        transaction_id, counterparty_id, payment_amount, currency_id, payment_type_id, paid, payment_date)
      SELECT * FROM out.fact_payment;
  END IF;
END
$$;
