BEGIN;
LOCK dwh_loaded_manifests;
SELECT count(*) FROM dwh_loaded_manifests WHERE run_id = '20261121T102233123Z-1a2b3c4d';
SELECT run_id FROM dwh_loaded_manifests ORDER BY run_id DESC LIMIT 1;
SELECT to_char(MAX(newest), 'YYYY-MM-DD HH24:MI:SS.US') FROM (SELECT MAX(CAST("last_updated_date" AS timestamp) + "last_updated_time") AS newest FROM "_dwh_stage_fact_payment" UNION ALL SELECT MAX(CAST("last_updated_date" AS timestamp) + "last_updated_time") AS newest FROM "_dwh_stage_fact_purchase_order" UNION ALL SELECT MAX(CAST("last_updated_date" AS timestamp) + "last_updated_time") AS newest FROM "_dwh_stage_fact_sales_order") f;
INSERT INTO dwh_loaded_manifests (run_id, manifest_key, manifest_sha256, model, row_counts, load_seconds, newest_source_change) VALUES ('20261121T102233123Z-1a2b3c4d', '_manifests/transform/20261121T102233123Z-1a2b3c4d.json', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'totesys', '{"dim_date":{"staged":10,"written":10}}', 1.500, CAST('2026-11-21 10:22:33.123000' AS timestamp));
COMMIT;
SELECT trim(file_name), trim(column_name), error_code, trim(error_message) FROM sys_load_error_detail WHERE session_id = pg_backend_pid() ORDER BY start_time DESC LIMIT 5;
