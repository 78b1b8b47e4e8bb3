#!/usr/bin/env bash
# Ingest throughput (issue 4): `dwh ingest` of sales_order at 10 M rows to a file:// store,
# against what a user would write by hand, measured in the same run:
#   psql -c "\copy (SELECT * FROM sales_order) TO STDOUT" | gzip -1 > file
# Also: peak RSS, rows/s of the full 11-table extract, and the wall time of an incremental run
# after 1,000 changed rows. Targets: >= 1.0x the baseline, RSS <= 256 MiB, incremental <= 0.5 s.
#
# Usage: bench/ingest.sh [BUILD_DIR]   (default: build-bench, configured Release)
# Env:   BENCH_ORDERS=1000000 sizes the workload by sales orders (default 10,000,000; the other
#        tables follow `dwh source generate`'s proportions).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
orders="${BENCH_ORDERS:-10000000}"
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
bench_dwh "${1:-$here/build-bench}"
bench_work ingest
scale=$(bench_scale "$orders")
bench_cluster
url="$src"
echo "generating scale $scale ($orders sales orders)..." >&2
gen_start=$(date +%s.%N)
"$dwh" source generate --url "$url" --scale "$scale" --seed 1 >/dev/null
gen_end=$(date +%s.%N)
so_rows=$("$psql" "$url" -Atc "SELECT count(*) FROM sales_order")
"$psql" "$url" -qc "VACUUM ANALYZE" >/dev/null
# After VACUUM ANALYZE the statistics count every row.
all_rows=$("$psql" "$url" -Atc "SELECT sum(n_live_tup) FROM pg_stat_user_tables")

measure() { bench_measure "$@"; }

# Warm the cache once so neither side pays the first read from disk.
"$psql" "$url" -qc "\copy (SELECT * FROM sales_order) TO '/dev/null'"

measure base bash -c "'$psql' '$url' -c \"\\copy (SELECT * FROM sales_order) TO STDOUT\" | gzip -1 > '$work/baseline.gz'"
mkdir -p "$work/land-so"
measure ours "$dwh" ingest --source "$url" --landing "file://$work/land-so" --tables sales_order
mkdir -p "$work/land-all"
measure full "$dwh" ingest --source "$url" --landing "file://$work/land-all"
change_1000() {
  "$psql" "$url" -qc "UPDATE sales_order SET units_sold = units_sold + 1, last_updated = now() AT TIME ZONE 'UTC' \
    WHERE sales_order_id IN (SELECT sales_order_id FROM sales_order ORDER BY random() LIMIT 1000)"
}
# The incremental run twice: as the source schema ships (no index on last_updated), then after
# `--create-cursor-indexes` built one per table (that run's time includes the index builds).
change_1000
measure noidx "$dwh" ingest --source "$url" --landing "file://$work/land-all"
measure mkidx "$dwh" ingest --source "$url" --landing "file://$work/land-all" --create-cursor-indexes
change_1000
measure incr "$dwh" ingest --source "$url" --landing "file://$work/land-all"
incr_rows=$(grep -o '"rows":[0-9]*' incr.err | tail -1 | cut -d: -f2)

read -r base_s base_rss < base.time
read -r ours_s ours_rss < ours.time
read -r full_s full_rss < full.time
read -r incr_s _ < incr.time
read -r noidx_s _ < noidx.time
read -r mkidx_s _ < mkidx.time
base_mb=$(du -m baseline.gz | cut -f1)
ours_mb=$(du -cm land-so/sales_order | tail -1 | cut -f1)
awk -v so="$so_rows" -v all="$all_rows" -v bs="$base_s" -v os="$ours_s" -v br="$base_rss" -v orss="$ours_rss" \
    -v fs="$full_s" -v frss="$full_rss" -v is="$incr_s" -v ns="$noidx_s" -v ms="$mkidx_s" -v ir="$incr_rows" -v bmb="$base_mb" -v omb="$ours_mb" \
    -v gs="$(awk -v a="$gen_start" -v b="$gen_end" 'BEGIN{print b-a}')" 'BEGIN {
  printf "generate: %d rows in %.1f s\n", all, gs
  printf "%-44s %10s %12s %10s %10s\n", "sales_order (" so " rows) to file://", "seconds", "rows/s", "out MB", "peak RSS"
  printf "%-44s %10.2f %12.0f %10d %7.0f MiB\n", "baseline: psql \\copy | gzip -1", bs, so/bs, bmb, br/1024
  printf "%-44s %10.2f %12.0f %10d %7.0f MiB\n", "dwh ingest --tables sales_order (JSONL.gz)", os, so/os, omb, orss/1024
  printf "ratio (ours / baseline throughput): %.2fx   target >= 1.0x, RSS <= 256 MiB\n", bs/os
  printf "full 11-table extract: %d rows in %.2f s = %.0f rows/s, peak RSS %.0f MiB\n", all, fs, all/fs, frss/1024
  printf "incremental run after 1,000 changed sales orders, no cursor index:  %.2f s\n", ns
  printf "run with --create-cursor-indexes (builds 11 indexes, CONCURRENTLY): %.2f s\n", ms
  printf "incremental run after 1,000 changed sales orders, cursor indexes:   %.2f s (%s rows landed)   target <= 0.5 s\n", is, ir
}'
