-- The current state of every payment (newest version: a settled payment shows paid = true).
CREATE OR REPLACE VIEW fact_payment_current AS
SELECT * FROM (
  SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.payment_id
                                 ORDER BY f.last_updated_date DESC, f.last_updated_time DESC, f.payment_record_id DESC) AS version_rank
  FROM fact_payment f
) v WHERE version_rank = 1;
