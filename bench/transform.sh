#!/usr/bin/env bash
# Transform throughput (issue 5): `dwh transform` over a landing zone holding a full extract of
# 10 M sales orders (and their purchases, transactions, payments), against DuckDB doing the same
# work in the same run: bench/tools/duckdb_transform.mjs (Node, @duckdb/node-api, 2 threads)
# reads the same .jsonl.gz files with read_json (explicit column types), computes the same 11
# tables with SQL (bench/tools/duckdb_transform.sql) and writes one SNAPPY Parquet per table.
# Also: our peak RSS, and the wall time of an incremental transform after 1,000 changed source
# rows (900 amended sales orders, 98 payments settled, one department renamed, one address
# changed) and the ingest that lands them.
# Targets: ours >= 1.0x DuckDB's throughput (aim 1.5x), peak RSS <= 512 MiB, incremental <= 0.5 s.
#
# Usage: bench/transform.sh [BUILD_DIR]   (default: build-bench, configured Release)
# Env:   BENCH_ORDERS=100000 sizes the workload by sales orders (default 10,000,000; the other
#        tables follow `dwh source generate`'s proportions). BENCH_KEEP=1 keeps the work dir.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
orders="${BENCH_ORDERS:-10000000}"
node_modules="$here/.node/node_modules"
[ -d "$node_modules/@duckdb/node-api" ] || { echo "needs @duckdb/node-api under $node_modules" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
bench_dwh "${1:-$here/build-bench}"
bench_work transform
scale=$(bench_scale "$orders")
bench_cluster
url="$src"
echo "generating scale $scale ($orders sales orders)..." >&2
"$dwh" source generate --url "$url" --scale "$scale" --seed 1 >/dev/null 2>generate.err
mkdir -p landing processed duckdb
echo "ingesting..." >&2
"$dwh" ingest --source "$url" --landing "file://$work/landing" >/dev/null 2>ingest1.err
landed_mb=$(du -sm landing | cut -f1)

measure() { bench_measure "$@"; }
# Parquet row counts of every table, read back by DuckDB (our files: all runs so far; DuckDB's: one file each).
count_rows() {  # count_rows GLOB_PREFIX GLOB_SUFFIX -> "table rows" lines
  local sql="" t
  for t in dim_date dim_staff dim_location dim_design dim_currency dim_counterparty dim_payment_type \
           dim_transaction fact_sales_order fact_purchase_order fact_payment; do
    [ -n "$sql" ] && sql="$sql UNION ALL "
    sql="$sql SELECT '$t' AS t, (SELECT count(*) FROM read_parquet('$1$t$2')) AS n"
  done
  NODE_PATH="$node_modules" node "$here/tests/tools/duckdb_query.mjs" "$sql" |
    /usr/bin/python3 -c 'import json,sys; [print(r["t"], r["n"]) for r in json.load(sys.stdin)]'
}

# Warm the page cache for both sides alike.
cat landing/*/*/*/*/*.jsonl.gz >/dev/null

echo "dwh transform (full)..." >&2
measure ours "$dwh" transform --landing "file://$work/landing" --processed "file://$work/processed" \
  --model "$here/models/totesys"
echo "DuckDB baseline..." >&2
measure duck env NODE_PATH="$node_modules" node "$here/bench/tools/duckdb_transform.mjs" "$work/landing" "$work/duckdb"

count_rows "$work/processed/" "/**/*.parquet" > ours.rows
count_rows "$work/duckdb/" ".parquet" > duck.rows

# Incremental: 1,000 changed source rows, one ingest run, then transform alone is timed.
"$psql" -X -q -v ON_ERROR_STOP=1 "$url" <<'SQL'
UPDATE sales_order SET units_sold = units_sold + 1, last_updated = now() AT TIME ZONE 'UTC'
 WHERE sales_order_id IN (SELECT sales_order_id FROM sales_order ORDER BY random() LIMIT 900);
UPDATE payment SET paid = true, last_updated = now() AT TIME ZONE 'UTC'
 WHERE payment_id IN (SELECT payment_id FROM payment WHERE NOT paid ORDER BY random() LIMIT 98);
UPDATE department SET department_name = department_name || ' (renamed)', last_updated = now() AT TIME ZONE 'UTC'
 WHERE department_id = 3;
UPDATE address SET phone = '0000 000000', last_updated = now() AT TIME ZONE 'UTC'
 WHERE address_id = (SELECT legal_address_id FROM counterparty ORDER BY counterparty_id LIMIT 1);
SQL
measure incr_ingest "$dwh" ingest --source "$url" --landing "file://$work/landing"
incr_landed=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' incr_ingest.out 2>/dev/null || echo "?")
measure incr "$dwh" transform --landing "file://$work/landing" --processed "file://$work/processed" \
  --model "$here/models/totesys"
count_rows "$work/processed/" "/**/*.parquet" > ours_after.rows

read -r ours_s ours_rss < ours.time
read -r duck_s duck_rss < duck.time
read -r incr_ingest_s _ < incr_ingest.time
read -r incr_s incr_rss < incr.time
duck_inner=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' duck.out)
ours_mb=$(du -sm processed | cut -f1)
duck_mb=$(du -sm duckdb | cut -f1)

echo
echo "landing: $orders sales orders requested, $landed_mb MB of .jsonl.gz"
printf '%-22s %14s %14s %14s\n' "table" "ours rows" "duckdb rows" "ours after incr"
total_ours=0; total_duck=0; mismatch=0
while read -r t n; do
  d=$(awk -v t="$t" '$1==t{print $2}' duck.rows)
  a=$(awk -v t="$t" '$1==t{print $2}' ours_after.rows)
  printf '%-22s %14s %14s %14s%s\n' "$t" "$n" "$d" "$a" "$([ "$n" = "$d" ] || echo '   <- differs')"
  [ "$n" = "$d" ] || mismatch=1
  total_ours=$((total_ours + n)); total_duck=$((total_duck + d))
done < ours.rows
awk -v os="$ours_s" -v ds="$duck_s" -v di="$duck_inner" -v orss="$ours_rss" -v drss="$duck_rss" \
    -v ro="$total_ours" -v rd="$total_duck" -v omb="$ours_mb" -v dmb="$duck_mb" \
    -v is="$incr_s" -v irss="$incr_rss" -v iis="$incr_ingest_s" -v il="$incr_landed" 'BEGIN {
  printf "\n%-46s %9s %12s %9s %10s\n", "full transform, 11 tables", "seconds", "rows/s", "out MB", "peak RSS"
  printf "%-46s %9.2f %12.0f %9d %6.0f MiB\n", "dwh transform", os, ro/os, omb, orss/1024
  printf "%-46s %9.2f %12.0f %9d %6.0f MiB\n", "DuckDB (node, 2 threads, SQL + COPY snappy)", ds, rd/ds, dmb, drss/1024
  printf "  (DuckDB time inside Node, without process start: %.2f s)\n", di
  printf "ratio (ours / DuckDB throughput, wall): %.2fx   target >= 1.0x (aim 1.5x); our peak RSS %.0f MiB, target <= 512 MiB\n", ds/os, orss/1024
  printf "incremental: 1,000 changed source rows, ingest %.2f s (%s rows landed), then dwh transform %.2f s (peak RSS %.0f MiB)   target <= 0.5 s\n", iis, il, is, irss/1024
}'
[ "$mismatch" = 0 ] || echo "WARNING: row counts differ between dwh transform and DuckDB (see above)"
