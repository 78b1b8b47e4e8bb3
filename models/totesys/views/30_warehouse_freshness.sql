-- How fresh the warehouse is: the newest source change it holds (the latest last_updated of any
-- fact version) and the last load recorded in the control table.
--
-- Each load records the newest change among the fact versions it staged (newest_source_change),
-- so this reads one row per load instead of every fact version: `dwh run` reads it after every
-- run, and at 28 M fact rows the scan took seconds. (No fallback scan of the facts here: even
-- when never executed, its estimated cost makes PostgreSQL JIT-compile the query, 100+ ms.
-- `dwh warehouse init` fills the figure in once for a control table from an earlier release.)
CREATE OR REPLACE VIEW warehouse_freshness AS
SELECT
  (SELECT MAX(newest_source_change) FROM dwh_loaded_manifests) AS newest_source_change,
  (SELECT MAX(loaded_at) FROM dwh_loaded_manifests) AS last_load_at,
  (SELECT COUNT(*) FROM dwh_loaded_manifests) AS loads;
