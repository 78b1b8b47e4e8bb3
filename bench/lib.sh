# shellcheck shell=bash
# The set-up the bench scripts share. Source it after setting `here` (the repository root):
#   bench_dwh BUILD_DIR     sets $dwh: BENCH_DWH if set (an already built Release binary), else
#                           BUILD_DIR's, configured Release and built if needed
#   bench_work NAME         makes and enters $work (/tmp/dwh-bench-NAME.*); on exit the local
#                           cluster there is stopped and the folder removed (BENCH_KEEP=1 keeps it)
#   bench_cluster           `dwh local up` in $work; sets $src and $wh, initialises the source schema
#   bench_scale ORDERS      prints the `dwh source generate` scale for ORDERS sales orders
#   bench_measure NAME CMD  runs CMD under /usr/bin/time: NAME.time holds "seconds rss_kib",
#                           NAME.out and NAME.err its output; a failure stops the script
: "${here:?bench/lib.sh: set here (the repository root) before sourcing it}"
# shellcheck disable=SC2034  # used by the scripts that source this file
psql=/usr/lib/postgresql/15/bin/psql

bench_dwh() {
  if [ -n "${BENCH_DWH:-}" ]; then
    dwh="$BENCH_DWH"
    return
  fi
  local build
  build="$(mkdir -p "$1" && cd "$1" && pwd)"
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDWH_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build "$build" --target dwh >/dev/null
  dwh="$build/cli/dwh"
}

bench_cleanup() {
  (cd "$work" && "$dwh" local down >/dev/null 2>&1) || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}

bench_work() {
  work="$(mktemp -d "/tmp/dwh-bench-$1.XXXXXX")"
  chmod 755 "$work"  # the server runs as postgres when we are root
  trap bench_cleanup EXIT
  cd "$work" || exit 1
}

bench_cluster() {
  "$dwh" local up >/dev/null
  src="$("$dwh" local status | awk '/^source/{print $2}')"
  wh="$("$dwh" local status | awk '/^warehouse/{print $2}')"
  if [ -z "$src" ] || [ -z "$wh" ]; then echo "no local cluster URLs" >&2; exit 1; fi
  "$dwh" source init --url "$src" >/dev/null
}

bench_scale() {  # scale 1 has 11,187 sales orders (dwh::source::counts_for_scale)
  awk -v n="$1" 'BEGIN{printf "%.4f", n/11187}'
}

bench_measure() {
  local name="$1"; shift
  if ! /usr/bin/time -f "%e %M" -o "$name.time" "$@" >"$name.out" 2>"$name.err"; then
    echo "$name failed:" >&2; tail -20 "$name.err" >&2; exit 1
  fi
}
