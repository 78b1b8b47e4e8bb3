#!/usr/bin/env bash
# Rebuilds tests/golden/transform/landing/: two real `dwh ingest` runs over a throwaway
# PostgreSQL 15 (`dwh local up`) holding the reference seed rows.
#   run 1: tests/golden/totesys/totesys_oltp.sql (DDL + real seed rows) + source/run1_extra.sql
#   run 2: after source/run2_changes.sql
# Usage: tests/golden/transform/make_landing.sh DWH_BINARY [OUT_DIR]   (default OUT_DIR: landing/ here)
#
# Why the server runs under libfaketime (Debian package `faketime`, needed only here): the
# changes of run 2 carry fixed timestamps in the seed's period (2022-11-08 onwards), so the
# expected rows never depend on the clock; but ingest scans only last_updated >= a floor taken
# from the server's clock at the previous run (docs/ingest.md, "Late commits"). With the
# server's clock set back to 2022-11-07 (a whole-day offset, so it still ticks), run 1's floor
# falls before every change of run 2. `dwh` itself runs on the real clock (run ids are real).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
dwh="$(realpath "${1:?usage: make_landing.sh DWH_BINARY [OUT_DIR]}")"
out="${2:-$here/landing}"
psql=/usr/lib/postgresql/15/bin/psql

work="$(mktemp -d /tmp/dwh-golden-landing.XXXXXX)"
chmod 755 "$work"
cleanup() {
  (cd "$work" && "$dwh" local down --purge >/dev/null 2>&1) || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
faketime_lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$faketime_lib" ] || { echo "needs $faketime_lib (apt-get install faketime)" >&2; exit 1; }
days_back=$(( ( $(date -u +%s) - $(date -u -d 2022-11-07 +%s) ) / 86400 ))
LD_PRELOAD="$faketime_lib" FAKETIME="-${days_back}d" FAKETIME_DONT_FAKE_MONOTONIC=1 "$dwh" local up >/dev/null
admin="$("$dwh" local status | awk '/^source/{print $2}')"
[ -n "$admin" ] || { echo "no local cluster URL" >&2; exit 1; }
port="$(echo "$admin" | sed -E 's#.*:([0-9]+)/.*#\1#')"
q() { "$psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

q "$admin" -c "DROP DATABASE IF EXISTS golden" -c "CREATE DATABASE golden"
src="postgresql://postgres@127.0.0.1:$port/golden"
q "$src" -f "$repo/tests/golden/totesys/totesys_oltp.sql" >/dev/null
q "$src" -f "$here/source/run1_extra.sql"
server_day="$("$psql" -X -At "$src" -c "SELECT clock_timestamp()::date")"
[ "$server_day" = 2022-11-07 ] || { echo "the server's clock says $server_day, expected 2022-11-07" >&2; exit 1; }

rm -rf "$out" && mkdir -p "$out"
"$dwh" ingest --source "$src" --landing "file://$out" >"$work/run1.json"
q "$src" -f "$here/source/run2_changes.sql"
"$dwh" ingest --source "$src" --landing "file://$out" >"$work/run2.json"
echo "landing written to $out:" >&2
(cd "$out" && find . -type f | sort) >&2
