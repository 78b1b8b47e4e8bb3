-- The current state of every purchase order (newest version).
CREATE OR REPLACE VIEW fact_purchase_order_current AS
SELECT * FROM (
  SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.purchase_order_id
                                 ORDER BY f.last_updated_date DESC, f.last_updated_time DESC, f.purchase_record_id DESC) AS version_rank
  FROM fact_purchase_order f
) v WHERE version_rank = 1;
