#!/usr/bin/env bash
# Load throughput (issue 6): `dwh load` of the processed output of N sales orders (plus the
# purchases and payments `dwh source generate` makes with them) into the indexed warehouse,
# against the baseline measured in the same run: `psql \copy` of the same fact rows from CSV
# into the same indexed tables (`dwh warehouse init`'s: primary key, the (natural key, version)
# UNIQUE constraint, foreign keys), dimensions already present. Ours includes everything a load
# does: checksums, Parquet decoding, staging, dimension upserts, the data-quality checks, the
# fact append and the control row. Also: peak RSS, and an incremental load after 1,000 changed
# sales orders (ingest and transform not counted). Targets: >= 0.8x the baseline's throughput,
# RSS <= 512 MiB, incremental <= 0.5 s.
#
# Usage: bench/load.sh [BUILD_DIR]   (default: build-bench, configured Release)
# Env:   BENCH_ORDERS=100000 sizes the workload by sales orders (default 10,000,000).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
orders="${BENCH_ORDERS:-10000000}"
model="$here/models/totesys"
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
bench_dwh "${1:-$here/build-bench}"
bench_work load
scale=$(bench_scale "$orders")
bench_cluster
base="${wh%/*}/baseline"
"$psql" "$wh" -qc "CREATE DATABASE baseline" >/dev/null
echo "generating scale $scale ($orders sales orders), ingest, transform..." >&2
"$dwh" source generate --url "$src" --scale "$scale" --seed 1 >/dev/null
mkdir -p landing processed
"$dwh" ingest --source "$src" --landing "file://$work/landing" --create-cursor-indexes >/dev/null 2>&1
"$dwh" transform --landing "file://$work/landing" --processed "file://$work/processed" --model "$model" >/dev/null 2>&1
"$dwh" warehouse init --warehouse "$wh" --model "$model" >/dev/null 2>&1
"$dwh" warehouse init --warehouse "$base" --model "$model" >/dev/null 2>&1

measure() { bench_measure "$@"; }

facts="fact_sales_order fact_purchase_order fact_payment"
cols() {  # the fact table's columns but its surrogate key, comma-separated
  "$psql" "$base" -Atc "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position) FROM \
    information_schema.columns WHERE table_name = '$1' AND column_default IS NULL"
}

# The baseline's input: the same fact rows as CSV, and the dimensions already in place. Built by
# one `dwh load` into the baseline database, then the facts exported and emptied (not timed).
"$dwh" load --processed "file://$work/processed" --warehouse "$base" >/dev/null 2>&1
for t in $facts; do
  "$psql" "$base" -qc "\copy (SELECT $(cols "$t") FROM $t) TO '$work/$t.csv' WITH (FORMAT csv)"
done
"$psql" "$base" -qc "TRUNCATE ${facts// /,}" >/dev/null
"$psql" "$base" -qc "VACUUM ANALYZE" >/dev/null
fact_rows=$(cat "$work"/fact_*.csv | wc -l)
copy_all=""
for t in $facts; do copy_all+="\\copy $t ($(cols "$t")) FROM '$work/$t.csv' WITH (FORMAT csv)"$'\n'; done
printf '%s' "$copy_all" > baseline.sql
"$psql" "$wh" -qc "CHECKPOINT" >/dev/null

measure ours "$dwh" load --processed "file://$work/processed" --warehouse "$wh"
"$psql" "$wh" -qc "CHECKPOINT" >/dev/null
measure base "$psql" "$base" -v ON_ERROR_STOP=1 -q -f baseline.sql
base_rows=$("$psql" "$base" -Atc "SELECT (SELECT count(*) FROM fact_sales_order) + (SELECT count(*) FROM fact_purchase_order) + (SELECT count(*) FROM fact_payment)")
ours_rows=$("$psql" "$wh" -Atc "SELECT (SELECT count(*) FROM fact_sales_order) + (SELECT count(*) FROM fact_purchase_order) + (SELECT count(*) FROM fact_payment)")
all_rows=$(grep -o '"rows":[0-9]*' ours.out | tail -1 | cut -d: -f2)

# Incremental: 1,000 changed sales orders through ingest and transform, then the load timed.
"$psql" "$src" -qc "UPDATE sales_order SET units_sold = units_sold + 1, last_updated = now() AT TIME ZONE 'UTC' \
  WHERE sales_order_id IN (SELECT sales_order_id FROM sales_order ORDER BY random() LIMIT 1000)"
"$dwh" ingest --source "$src" --landing "file://$work/landing" >/dev/null 2>&1
"$dwh" transform --landing "file://$work/landing" --processed "file://$work/processed" --model "$model" >/dev/null 2>&1
measure incr "$dwh" load --processed "file://$work/processed" --warehouse "$wh"
incr_rows=$(grep -o '"rows":[0-9]*' incr.out | tail -1 | cut -d: -f2)

read -r base_s base_rss < base.time
read -r ours_s ours_rss < ours.time
read -r incr_s incr_rss < incr.time
awk -v fr="$fact_rows" -v br="$base_rows" -v orr="$ours_rows" -v ar="$all_rows" -v bs="$base_s" -v os="$ours_s" \
    -v brss="$base_rss" -v orss="$ours_rss" -v is="$incr_s" -v ir="$incr_rows" -v irss="$incr_rss" 'BEGIN {
  printf "%-58s %10s %14s %10s\n", "fact rows into the indexed warehouse (" fr " in CSV)", "seconds", "fact rows/s", "peak RSS"
  printf "%-58s %10.2f %14.0f %6.0f MiB\n", "baseline: psql \\copy of the 3 fact tables from CSV (" br ")", bs, br/bs, brss/1024
  printf "%-58s %10.2f %14.0f %6.0f MiB\n", "dwh load: all 11 tables, checks, control row (" orr " facts)", os, orr/os, orss/1024
  printf "ratio (ours / baseline fact throughput): %.2fx   target >= 0.8x, RSS <= 512 MiB\n", bs/os
  printf "dwh load staged %s rows in all (dimensions included)\n", ar
  printf "incremental load after 1,000 changed sales orders: %.2f s (%s rows staged), peak RSS %.0f MiB   target <= 0.5 s\n", is, ir, irss/1024
}'
