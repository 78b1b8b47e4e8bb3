#!/usr/bin/env bash
# The pipeline end to end (issue 7): `dwh run` (ingest -> transform -> load, file:// stores, the
# indexed PostgreSQL warehouse), timed
#   1. as a full run over N sales orders (with their purchases, transactions and payments), next
#      to the sum of the per-job baselines measured in the same run on the same data:
#        copy-out   `psql \copy (SELECT * FROM t) TO STDOUT | gzip -1` of the 11 source tables,
#        transform  DuckDB (bench/tools/duckdb_transform.mjs) over the landed files, writing Parquet,
#        copy-in    `psql \copy t FROM csv` of the 11 warehouse tables into an empty warehouse
#                   with the same schema (`dwh warehouse init`: keys, constraints, foreign keys);
#   2. as an incremental run after 1,000 changed sales orders, with its per-stage breakdown.
# Targets: full run faster than the baselines' sum; incremental run <= 2 s.
#
# The source gets an index on each cursor column first (not timed): incremental runs need them
# (docs/ingest.md), and a production source has them (`dwh ingest --create-cursor-indexes`).
#
# Usage: bench/pipeline.sh [BUILD_DIR]   (default: build-bench, configured Release)
# Env:   BENCH_ORDERS (default 10,000,000 sales orders), BENCH_KEEP=1 keeps the work directory,
#        BENCH_DWH=path/to/dwh uses that (Release) binary instead of building one.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
orders="${BENCH_ORDERS:-10000000}"
model="$here/models/totesys"
node_modules="$here/.node/node_modules"
[ -d "$node_modules/@duckdb/node-api" ] || { echo "needs @duckdb/node-api under $node_modules (ci/install-deps.sh)" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
bench_dwh "${1:-$here/build-bench}"
bench_work pipeline
scale=$(bench_scale "$orders")
bench_cluster
base="${wh%/*}/baseline"
"$psql" "$wh" -qc "CREATE DATABASE baseline" >/dev/null
echo "generating scale $scale ($orders sales orders)..." >&2
"$dwh" source generate --url "$src" --scale "$scale" --seed 1 >/dev/null
tables="address counterparty currency department design staff payment_type sales_order purchase_order transaction payment"
for t in $tables; do "$psql" "$src" -qc "CREATE INDEX ${t}_last_updated ON $t (last_updated)"; done
"$psql" "$src" -qc "VACUUM ANALYZE" >/dev/null
mkdir -p lake/landing lake/processed copyout duckdb copyin
cat > dwh.toml <<EOF
[source]
url = "$src"
[landing]
url = "file://$work/lake/landing"
[processed]
url = "file://$work/lake/processed"
[warehouse]
url = "$wh"
[model]
dir = "$model"
EOF

measure() { bench_measure "$@"; }
mib() { awk -v k="$1" 'BEGIN{printf "%.0f", k/1024}'; }
stage() {  # stage FILE NAME -> seconds of that stage in a `dwh run --json` summary
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(next(x["seconds"] for x in s["stages"] if x["stage"]==sys.argv[2]))' "$1" "$2"
}
total_rows() {  # total_rows FILE NAME -> rows of that stage
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(next(x["rows"] for x in s["stages"] if x["stage"]==sys.argv[2]))' "$1" "$2"
}

echo "full dwh run..." >&2
"$psql" "$src" -qc "CHECKPOINT" >/dev/null
measure full "$dwh" run --config dwh.toml --json
grep -q '"ok":true' full.out || { echo "the full run failed: $(cat full.out)" >&2; exit 1; }

echo "baselines..." >&2
copy_out=""
for t in $tables; do copy_out+="$psql '$src' -qc \"\\\\copy (SELECT * FROM $t) TO STDOUT\" | gzip -1 > copyout/$t.tsv.gz"$'\n'; done
printf 'set -euo pipefail\n%s' "$copy_out" > copy_out.sh
measure base_out bash copy_out.sh
measure base_duck env NODE_PATH="$node_modules" node "$here/bench/tools/duckdb_transform.mjs" "$work/lake/landing" "$work/duckdb"
# The copy-in's input: what our load put in the warehouse, as CSV (not timed), into an empty
# warehouse of the same schema; dimensions first, so the foreign keys hold.
"$dwh" warehouse init --warehouse "$base" --model "$model" >/dev/null 2>&1
wh_tables="dim_date dim_staff dim_location dim_design dim_currency dim_counterparty dim_payment_type dim_transaction fact_sales_order fact_purchase_order fact_payment"
cols() {  # every column but a generated surrogate key
  "$psql" "$base" -Atc "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position) FROM \
    information_schema.columns WHERE table_schema = 'public' AND table_name = '$1' AND column_default IS NULL"
}
copy_in=""
for t in $wh_tables; do
  c="$(cols "$t")"
  "$psql" "$wh" -qc "\\copy (SELECT $c FROM $t) TO '$work/copyin/$t.csv' WITH (FORMAT csv)"
  copy_in+="\\copy $t ($c) FROM '$work/copyin/$t.csv' WITH (FORMAT csv)"$'\n'
done
printf '%s' "$copy_in" > copy_in.sql
"$psql" "$base" -qc "CHECKPOINT" >/dev/null
measure base_in "$psql" "$base" -v ON_ERROR_STOP=1 -q -f copy_in.sql

echo "incremental dwh run after 1,000 changed sales orders..." >&2
"$psql" "$src" -qc "UPDATE sales_order SET units_sold = units_sold + 1, last_updated = now() AT TIME ZONE 'UTC' \
  WHERE sales_order_id IN (SELECT sales_order_id FROM sales_order ORDER BY random() LIMIT 1000)"
measure incr "$dwh" run --config dwh.toml --json
grep -q '"ok":true' incr.out || { echo "the incremental run failed: $(cat incr.out)" >&2; exit 1; }

# What each run does after its stages: the freshness read (the warehouse_freshness view).
fresh_start=$(date +%s.%N)
"$psql" "$wh" -Atc "SELECT * FROM warehouse_freshness" >/dev/null
fresh_s=$(awk -v a="$fresh_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')

read -r full_s full_rss < full.time
read -r out_s out_rss < base_out.time
read -r duck_s duck_rss < base_duck.time
read -r in_s in_rss < base_in.time
read -r incr_s incr_rss < incr.time
src_rows=$("$psql" "$src" -Atc "SELECT sum(n_live_tup) FROM pg_stat_user_tables")
wh_rows=$(cat copyin/*.csv | wc -l)
printf '%-62s %9s %10s\n' "full run: $orders sales orders, $src_rows source rows, $wh_rows warehouse rows" "seconds" "peak RSS"
printf '%-62s %9.2f %6.0f MiB\n' "dwh run (ingest + transform + load, one process)" "$full_s" "$(mib "$full_rss")"
printf '%-62s %9.2f\n' "  ingest" "$(stage full.out ingest)"
printf '%-62s %9.2f\n' "  transform" "$(stage full.out transform)"
printf '%-62s %9.2f\n' "  load" "$(stage full.out load)"
printf '%-62s %9.2f %6.0f MiB\n' "baseline copy-out: psql \\copy | gzip -1, 11 tables" "$out_s" "$(mib "$out_rss")"
printf '%-62s %9.2f %6.0f MiB\n' "baseline transform: DuckDB (2 threads), 11 tables to Parquet" "$duck_s" "$(mib "$duck_rss")"
printf '%-62s %9.2f %6.0f MiB\n' "baseline copy-in: psql \\copy of 11 tables, indexed warehouse" "$in_s" "$(mib "$in_rss")"
awk -v a="$out_s" -v b="$duck_s" -v c="$in_s" -v f="$full_s" 'BEGIN {
  printf "%-62s %9.2f\n", "sum of the baselines", a + b + c
  printf "ratio (sum of baselines / dwh run): %.2fx   target > 1.0x (ours faster)\n", (a + b + c) / f
}'
printf '\nincremental run after 1,000 changed sales orders: %.2f s wall (process), peak RSS %.0f MiB   target <= 2 s\n' \
  "$incr_s" "$(mib "$incr_rss")"
for s in ingest transform load; do
  printf '  %-10s %6.2f s  %8s rows\n' "$s" "$(stage incr.out $s)" "$(total_rows incr.out $s)"
done
printf '  %-10s %6.2f s  (SELECT * FROM warehouse_freshness, timed apart by psql)\n' "freshness" "$fresh_s"
