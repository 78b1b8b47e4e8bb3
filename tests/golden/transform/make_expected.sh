#!/usr/bin/env bash
# Recomputes tests/golden/transform/expected/ from the checked-in landing, with PostgreSQL only
# (expected.sql), never with dwh transform. Needs a dwh binary only for `dwh local up`.
# Usage: tests/golden/transform/make_expected.sh DWH_BINARY [LANDING_DIR] [OUT_DIR]
#
# Writes, for the three transform runs the golden test makes:
#   expected/full/<table>.csv    one run consuming both ingest runs
#   expected/step1/<table>.csv   a first run that sees only ingest run 1
#   expected/step2/<table>.csv   the next run, after ingest run 2 has landed
# and expected/schema.csv (table, column, DuckDB type of each Parquet column).
# Canonical form: PostgreSQL's COPY CSV with a header, NULL as an empty unquoted field, data
# lines sorted bytewise (LC_ALL=C).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
dwh="$(realpath "${1:?usage: make_expected.sh DWH_BINARY [LANDING_DIR] [OUT_DIR]}")"
landing="$(realpath "${2:-$here/landing}")"
out="${3:-$here/expected}"
psql=/usr/lib/postgresql/15/bin/psql
tables="dim_date dim_staff dim_location dim_design dim_currency dim_counterparty dim_payment_type dim_transaction
        fact_sales_order fact_purchase_order fact_payment"
sources="address counterparty currency department design staff payment_type sales_order purchase_order transaction payment"

work="$(mktemp -d /tmp/dwh-golden-expected.XXXXXX)"
chmod 755 "$work"
cleanup() { (cd "$work" && "$dwh" local down --purge >/dev/null 2>&1) || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
"$dwh" local up >/dev/null
admin="$("$dwh" local status | awk '/^source/{print $2}')"
port="$(echo "$admin" | sed -E 's#.*:([0-9]+)/.*#\1#')"
db="postgresql://postgres@127.0.0.1:$port/golden_expected"
q() { "$psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

q "$admin" -c "CREATE DATABASE golden_expected ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
# The source's types: the reference OLTP DDL in schema oltp (its seed rows are not used).
q "$db" -c "CREATE SCHEMA oltp" -c "CREATE SCHEMA wh" -c "CREATE SCHEMA v"
PGOPTIONS="-c search_path=oltp" q "$db" -f "$repo/tests/golden/totesys/totesys_oltp.sql" >/dev/null
PGOPTIONS="-c search_path=wh" q "$db" -f "$here/totesys_warehouse.sql" >/dev/null
q "$db" -c "CREATE TABLE landed (run int, tbl text, line int, doc jsonb)"
"$here/load_landing.py" "$landing" | q "$db" -c "\\copy landed FROM STDIN (FORMAT csv)"
for t in $sources; do
  q "$db" -c "CREATE TABLE v.$t (LIKE oltp.$t)" -c "ALTER TABLE v.$t ADD COLUMN _run int, ADD COLUMN _line int" \
          -c "INSERT INTO v.$t SELECT (jsonb_populate_record(NULL::oltp.$t, doc)).*, run, line FROM landed WHERE tbl = '$t'"
done
q "$db" -c "CREATE TABLE v.params (prev_run int NOT NULL, last_run int NOT NULL)"
runs="$(q "$db" -At -c "SELECT max(run) FROM landed")"
[ "$runs" = 2 ] || { echo "expected a landing with 2 ingest runs, found $runs" >&2; exit 1; }

export_run() {  # export_run DIR PREV LAST
  local dir="$out/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  q "$db" -c "TRUNCATE v.params" -c "INSERT INTO v.params VALUES ($2, $3)"
  q "$db" -f "$here/expected.sql"
  for t in $tables; do
    q "$db" -c "\\copy (SELECT * FROM out.${t}_text) TO '$work/$t.csv' (FORMAT csv, HEADER)"
    { head -n 1 "$work/$t.csv"; tail -n +2 "$work/$t.csv" | LC_ALL=C sort; } > "$dir/$t.csv"
  done
}
export_run full 0 2
export_run step1 0 1
export_run step2 1 2
q "$db" -c "\\copy (SELECT * FROM out.schema_text) TO '$work/schema.csv' (FORMAT csv, HEADER)"
cp "$work/schema.csv" "$out/schema.csv"
for d in full step1 step2; do
  printf '%-6s' "$d:" >&2
  for t in $tables; do printf ' %s %d' "$t" $(( $(wc -l < "$out/$d/$t.csv") - 1 )) >&2; done
  echo >&2
done
