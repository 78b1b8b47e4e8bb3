#!/usr/bin/env bash
# S3 throughput: our client (`dwh aws s3 cp`) against the AWS CLI (`aws s3 sync` / `aws s3 cp`)
# on the same data, against the same local S3 server (@20minutes/s3rver), in the same run.
#
# Workload (issue 2): upload then download 1 GiB as 100 x 10 MiB objects, and 10,000 x 4 KiB
# objects. Also: peak RSS of a 1 GiB streamed multipart upload, and the stripped binary size.
#
# Usage: bench/s3_throughput.sh [BUILD_DIR]   (default: build-bench, configured Release)
# Env:   BENCH_SCALE=0.1 shrinks the workload for a quick look (figures then cover less data).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(mkdir -p "${1:-$here/build-bench}" && cd "${1:-$here/build-bench}" && pwd)"
scale="${BENCH_SCALE:-1}"

if [ ! -x "$build/cli/dwh" ]; then
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDWH_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target dwh >/dev/null
dwh="$build/cli/dwh"

work="$(mktemp -d /tmp/dwh-bench.XXXXXX)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

big_n=$(awk -v s="$scale" 'BEGIN{n=int(100*s); print (n<1?1:n)}')
small_n=$(awk -v s="$scale" 'BEGIN{n=int(10000*s); print (n<1?1:n)}')
huge_mib=$(awk -v s="$scale" 'BEGIN{n=int(1024*s); print (n<16?16:n)}')

echo "generating data: $big_n x 10 MiB, $small_n x 4 KiB, one $huge_mib MiB stream" >&2
mkdir -p "$work/big" "$work/small"
# Random bytes: a compressible or repeated body would flatter neither client, but keep it honest.
openssl rand -out "$work/seed" $((10 << 20))
for i in $(seq -w 1 "$big_n"); do
  # Each object differs (a unique 16-byte head) so no server-side dedup could help.
  { printf '%-16s' "obj$i"; tail -c +17 "$work/seed"; } > "$work/big/obj-$i.bin"
done
/usr/bin/python3 - "$work/small" "$small_n" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    sub = os.path.join(d, f"d{i // 1000:02d}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"f{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(4096))
PY

port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$work/s3data"
NODE_OPTIONS=--openssl-legacy-provider NODE_PATH="$here/.node/node_modules" \
  node "$here/tests/support/s3rver_launcher.js" -d "$work/s3data" -a 127.0.0.1 -p "$port" --silent \
  >"$work/s3rver.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_ENDPOINT_URL="http://127.0.0.1:$port"
printf '[default]\ns3 =\n  addressing_style = path\n' > "$work/aws-config"
export AWS_CONFIG_FILE="$work/aws-config" DWH_LOG_LEVEL=warn
aws_cli() { aws --endpoint-url "http://127.0.0.1:$port" "$@" >/dev/null; }
aws_cli s3 mb s3://bench

now() { date +%s.%N; }
declare -A secs
timed() {  # timed NAME command...
  local name="$1"; shift
  local t0 t1; t0=$(now); "$@"; t1=$(now)
  secs[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
}
same_tree() { diff -rq "$1" "$2" >/dev/null || { echo "MISMATCH: $1 vs $2" >&2; exit 1; }; }

for shape in big small; do
  timed "ours-up-$shape"   "$dwh" aws s3 cp --recursive "$work/$shape" "s3://bench/ours-$shape/"
  timed "ours-down-$shape" "$dwh" aws s3 cp --recursive "s3://bench/ours-$shape/" "$work/ours-$shape-down"
  same_tree "$work/$shape" "$work/ours-$shape-down"
  timed "cli-up-$shape"    aws_cli s3 sync "$work/$shape" "s3://bench/cli-$shape/"
  timed "cli-down-$shape"  aws_cli s3 sync "s3://bench/cli-$shape/" "$work/cli-$shape-down"
  same_tree "$work/$shape" "$work/cli-$shape-down"
  rm -rf "$work/ours-$shape-down" "$work/cli-$shape-down"
done

bytes_big=$((big_n * 10 * 1048576)); bytes_small=$((small_n * 4096))
row() {  # row LABEL BYTES OBJECTS OURS_SECS CLI_SECS
  awk -v l="$1" -v b="$2" -v n="$3" -v o="$4" -v c="$5" 'BEGIN{
    printf "%-22s %10.1f %10.1f %12.0f %12.0f %7.2fx\n", l, b/1048576/o, b/1048576/c, n/o, n/c, c/o }'
}
echo
echo "S3 throughput against @20minutes/s3rver on 127.0.0.1 (same data, same run)"
printf "%-22s %10s %10s %12s %12s %8s\n" "workload" "ours MB/s" "cli MB/s" "ours obj/s" "cli obj/s" "ratio"
row "upload $big_n x 10 MiB"    "$bytes_big"   "$big_n"   "${secs[ours-up-big]}"     "${secs[cli-up-big]}"
row "download $big_n x 10 MiB"  "$bytes_big"   "$big_n"   "${secs[ours-down-big]}"   "${secs[cli-down-big]}"
row "upload $small_n x 4 KiB"   "$bytes_small" "$small_n" "${secs[ours-up-small]}"   "${secs[cli-up-small]}"
row "download $small_n x 4 KiB" "$bytes_small" "$small_n" "${secs[ours-down-small]}" "${secs[cli-down-small]}"
echo "(MB/s here is MiB/s; ratio = cli seconds / ours seconds, >1 means ours is faster)"

# Peak RSS of a streamed multipart upload of $huge_mib MiB read from stdin.
openssl rand -out "$work/huge.bin" $((huge_mib << 20))
rss_kib=$( { /usr/bin/time -f '%M' "$dwh" aws s3 cp - "s3://bench/huge.bin" < "$work/huge.bin" ; } 2>&1 >/dev/null | tail -1)
cli_rss_kib=$( { /usr/bin/time -f '%M' aws --endpoint-url "http://127.0.0.1:$port" s3 cp - "s3://bench/huge-cli.bin" < "$work/huge.bin" >/dev/null ; } 2>&1 | tail -1)
"$dwh" aws s3 cp "s3://bench/huge.bin" - | cmp - "$work/huge.bin" || { echo "MISMATCH: huge.bin" >&2; exit 1; }
printf "peak RSS, %d MiB multipart upload from stdin: ours %.1f MiB, aws cli %.1f MiB (target: ours <= 64 MiB)\n" \
  "$huge_mib" "$(awk -v k="$rss_kib" 'BEGIN{print k/1024}')" "$(awk -v k="$cli_rss_kib" 'BEGIN{print k/1024}')"

strip -o "$work/dwh.stripped" "$dwh"
printf "stripped dwh binary: %.2f MiB (%d bytes)\n" "$(awk -v b="$(stat -c %s "$work/dwh.stripped")" 'BEGIN{print b/1048576}')" \
  "$(stat -c %s "$work/dwh.stripped")"
