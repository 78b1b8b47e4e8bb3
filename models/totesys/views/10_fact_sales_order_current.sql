-- The current state of every sales order: the newest of its versions in fact_sales_order
-- (the fact keeps one row per version, for history).
CREATE OR REPLACE VIEW fact_sales_order_current AS
SELECT * FROM (
  SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.sales_order_id
                                 ORDER BY f.last_updated_date DESC, f.last_updated_time DESC, f.sales_record_id DESC) AS version_rank
  FROM fact_sales_order f
) v WHERE version_rank = 1;
