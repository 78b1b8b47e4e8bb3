#!/usr/bin/env bash
# Generation throughput (issue 3, section 6): `dwh source generate` at the scale that gives
# 10 M sales orders, against the limit, PostgreSQL's own COPY ... FROM 'file' of the same rows
# into the same schema, measured in the same run on the same throwaway cluster (`dwh local up`).
#
# How the two sides are made comparable:
#   * ours: the whole `dwh source generate` command (rows made, encoded and streamed over 4
#     connections in COPY binary format, then keys and foreign keys rebuilt, sequences set,
#     schema checked);
#   * baseline: the big tables ours produced are dumped with COPY ... TO 'file' (binary, and
#     text unless BENCH_TEXT=0), then loaded back the way ours loads, phase for phase: their
#     constraints dropped, 4 concurrent psql sessions each TRUNCATE + COPY ... FROM 'file'
#     (FREEZE) one table, the same 7 unique indexes + 4 ANALYZE run 4 at a time, primary keys
#     attached, foreign keys added NOT VALID and validated per table in 4 parallel chains (merge
#     joins for big parents), same session settings. The end state is `dwh source init`'s
#     schema on both sides (checked).
# Printed: rows/s of the load phase and end to end for each, the ratios, the total time.
# Targets: ours >= 0.7x the file COPY's rate; 10 M orders with transactions and payments <= 90 s.
#
# Usage: bench/source_generate.sh [BUILD_DIR]   (default: build-bench, configured Release)
# Env:   BENCH_SCALE=894 (default; 10 M sales orders), BENCH_SEED=1, BENCH_TEXT=0 skips the text-file baseline.
#        Disk: about 3 x 6 GB at the default scale (the database and the two dumps).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scale="${BENCH_SCALE:-894}"
seed="${BENCH_SEED:-1}"
with_text="${BENCH_TEXT:-1}"

py=/usr/bin/python3
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
bench_dwh "${1:-$here/build-bench}"
bench_work generate
bench_cluster
url="$src"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
q() { "$psql" -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }
qa() { "$psql" -X -A -t -v ON_ERROR_STOP=1 "$url" "$@"; }

# --- ours -------------------------------------------------------------------------------------
echo "generating scale $scale, seed $seed ..." >&2
t0=$(now)
DWH_LOG_LEVEL=info "$dwh" source generate --url "$url" --scale "$scale" --seed "$seed" >ours.out 2>ours.log
t1=$(now)
ours_wall=$(elapsed "$t0" "$t1")
read -r ours_prepare ours_load ours_indexes ours_fks ours_finish ours_total < <("$py" - ours.log <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if d.get("message") == "source generate finished":
        f = d["figures"]; p = f["phases"]
        print(p["prepare"], p["load"], p["indexes"], p["foreign_keys"], p["finish"], f["seconds"])
PY
)

big="sales_order purchase_order transaction payment"
rows_of() { qa -c "SELECT count(*) FROM $1"; }
big_rows=0
for t in $big; do big_rows=$((big_rows + $(rows_of "$t"))); done
all_rows=$big_rows
for t in address counterparty currency department design staff payment_type; do all_rows=$((all_rows + $(rows_of "$t"))); done
sales_rows=$(rows_of sales_order)

# --- the baseline -----------------------------------------------------------------------------
mkdir dump
if [ "$(id -u)" = 0 ]; then chown postgres dump; else chmod 777 dump; fi
echo "dumping the generated tables ..." >&2
for t in $big; do
  q -c "COPY $t TO '$work/dump/$t.binary' (FORMAT binary)"
  [ "$with_text" = 1 ] && q -c "COPY $t TO '$work/dump/$t.text'"
done

# The constraints exactly as init made them, read from the catalog before they are dropped.
tables_sql="('sales_order','purchase_order','transaction','payment')"
qa -F $'\t' -c "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid),
                  (SELECT t.relname IN ('sales_order','purchase_order','transaction','payment') FROM pg_class t WHERE t.oid = confrelid)
                FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text IN $tables_sql
                ORDER BY conrelid::regclass::text, conname" >fks.tsv
qa -F $'\t' -c "SELECT tablename, indexname, indexdef FROM pg_indexes
                WHERE schemaname = 'public' AND tablename IN $tables_sql" >indexes.tsv

export PGOPTIONS="-c synchronous_commit=off -c maintenance_work_mem=512MB -c work_mem=256MB -c max_parallel_maintenance_workers=0"

baseline() {  # baseline FORMAT -> prints "prepare load indexes fks total"
  local format="$1" t a b c d e
  a=$(now)
  {
    echo "BEGIN;"
    while IFS=$'\t' read -r table name def _; do echo "ALTER TABLE $table DROP CONSTRAINT $name;"; done <fks.tsv
    while IFS=$'\t' read -r table name def; do
      case "$name" in *_pkey) echo "ALTER TABLE $table DROP CONSTRAINT $name;" ;; *) echo "DROP INDEX $name;" ;; esac
    done <indexes.tsv
    echo "COMMIT;"
  } | q >/dev/null
  b=$(now)
  for t in $big; do
    q -c "BEGIN" -c "TRUNCATE $t" -c "COPY $t FROM '$work/dump/$t.$format' (FORMAT $format, FREEZE)" -c "COMMIT" >/dev/null &
  done
  wait
  c=$(now)
  # Biggest tables' indexes first, then ANALYZE; 4 at a time, as ours.
  { for t in transaction payment sales_order purchase_order; do
      awk -F'\t' -v t="$t" '$1 == t {print $3}' indexes.tsv
    done
    for t in $big; do echo "ANALYZE $t"; done
  } | tr '\n' '\0' | xargs -0 -P 4 -I{} "$psql" -X -q -v ON_ERROR_STOP=1 "$url" -c "{}" >/dev/null
  for t in $big; do q -c "ALTER TABLE $t ADD CONSTRAINT ${t}_pkey PRIMARY KEY USING INDEX ${t}_pkey" >/dev/null; done
  d=$(now)
  { echo "BEGIN;"
    while IFS=$'\t' read -r table name def _; do echo "ALTER TABLE $table ADD CONSTRAINT $name $def NOT VALID;"; done <fks.tsv
    echo "COMMIT;"
  } | q >/dev/null
  for t in $big; do
    { awk -F'\t' -v t="$t" '$1 == t && $4 == "t" {print "SET enable_hashjoin = off; ALTER TABLE " $1 " VALIDATE CONSTRAINT " $2 "; RESET enable_hashjoin;"}' fks.tsv
      awk -F'\t' -v t="$t" '$1 == t && $4 != "t" {print "ALTER TABLE " $1 " VALIDATE CONSTRAINT " $2 ";"}' fks.tsv
    } | q >/dev/null &
  done
  wait
  e=$(now)
  echo "$(elapsed "$a" "$b") $(elapsed "$b" "$c") $(elapsed "$c" "$d") $(elapsed "$d" "$e") $(elapsed "$a" "$e")"
}

check_state() {
  local out
  out="$("$dwh" source init --url "$url")"
  case "$out" in *"already initialised"*) ;; *) echo "schema differs after the $1 baseline: $out" >&2; exit 1 ;; esac
  local n=0 t
  for t in $big; do n=$((n + $(rows_of "$t"))); done
  [ "$n" = "$big_rows" ] || { echo "$1 baseline loaded $n rows, expected $big_rows" >&2; exit 1; }
}

echo "baseline: COPY FROM binary files ..." >&2
read -r bin_prepare bin_load bin_indexes bin_fks bin_total < <(baseline binary)
check_state binary
if [ "$with_text" = 1 ]; then
  echo "baseline: COPY FROM text files ..." >&2
  read -r txt_prepare txt_load txt_indexes txt_fks txt_total < <(baseline text)
  check_state text
fi

# --- report -----------------------------------------------------------------------------------
awk -v scale="$scale" -v seed="$seed" -v all="$all_rows" -v bigr="$big_rows" -v so="$sales_rows" \
    -v op="$ours_prepare" -v ol="$ours_load" -v oi="$ours_indexes" -v of="$ours_fks" -v ofin="$ours_finish" \
    -v ot="$ours_total" -v ow="$ours_wall" \
    -v bp="$bin_prepare" -v bl="$bin_load" -v bi="$bin_indexes" -v bf="$bin_fks" -v bt="$bin_total" \
    -v text="$with_text" -v tp="${txt_prepare:-0}" -v tl="${txt_load:-0}" -v ti="${txt_indexes:-0}" \
    -v tf="${txt_fks:-0}" -v tt="${txt_total:-0}" 'BEGIN {
  printf "dwh source generate --scale %s --seed %s: %d rows, %d of them in the 4 big tables (%d sales orders)\n", scale, seed, all, bigr, so
  printf "%-40s %9s %12s %9s %9s %9s %12s\n", "", "load s", "load rows/s", "index s", "FK s", "total s", "total rows/s"
  printf "%-40s %9.2f %12.0f %9.2f %9.2f %9.2f %12.0f\n", "ours: dwh source generate", ol, bigr/ol, oi, of, ow, all/ow
  printf "%-40s %9.2f %12.0f %9.2f %9.2f %9.2f %12.0f\n", "baseline: COPY FROM binary file", bl, bigr/bl, bi, bf, bt, bigr/bt
  if (text == 1)
    printf "%-40s %9.2f %12.0f %9.2f %9.2f %9.2f %12.0f\n", "baseline: COPY FROM text file", tl, bigr/tl, ti, tf, tt, bigr/tt
  printf "ours, other steps: prepare (checks, small tables, drop constraints) %.2f s, finish (sequences, schema check) %.2f s\n", op, ofin
  printf "baseline, other steps: drop constraints %.2f s (its small tables stay loaded; not counted)\n", bp
  printf "ratio ours / COPY FROM binary file (rows/s): load %.2fx, end to end %.2fx   target >= 0.7x\n", bl/ol, bt/ow
  if (text == 1)
    printf "ratio ours / COPY FROM text file   (rows/s): load %.2fx, end to end %.2fx\n", tl/ol, tt/ow
  printf "total time for %d sales orders with their transactions and payments: %.1f s   target <= 90 s (at 10 M)\n", so, ow
}'
