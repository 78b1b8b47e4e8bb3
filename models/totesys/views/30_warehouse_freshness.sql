-- How fresh the warehouse is: the newest source change it holds (the latest last_updated of any
-- fact version) and the last load recorded in the control table.
--
-- Each load records the newest change among the facts it appended (newest_source_change), so this
-- reads one row per load rather than every fact version: `dwh run` reads it after every run. Only a
-- warehouse whose loads predate that column (or a control table emptied by hand) falls back to
-- scanning the facts; COALESCE evaluates that scan only when it is needed.
CREATE OR REPLACE VIEW warehouse_freshness AS
SELECT
  COALESCE(
    (SELECT MAX(newest_source_change) FROM dwh_loaded_manifests),
    (SELECT MAX(CAST(last_updated_date AS timestamp) + last_updated_time) FROM (
       SELECT last_updated_date, last_updated_time FROM fact_sales_order
       UNION ALL SELECT last_updated_date, last_updated_time FROM fact_purchase_order
       UNION ALL SELECT last_updated_date, last_updated_time FROM fact_payment) f)) AS newest_source_change,
  (SELECT MAX(loaded_at) FROM dwh_loaded_manifests) AS last_load_at,
  (SELECT COUNT(*) FROM dwh_loaded_manifests) AS loads;
