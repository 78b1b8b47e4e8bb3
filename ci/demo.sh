#!/usr/bin/env bash
# The README's first command. Until the pipeline demo exists it builds `dwh`, starts the local
# S3 server (@20minutes/s3rver, which checks SigV4 signatures) on a free loopback port, and
# runs an S3 round trip through our client so you can watch it work. Nothing touches the cloud.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

"$here/ci/install-deps.sh"
export CCACHE_DIR="${CCACHE_DIR:-$here/.cache/ccache}"
cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DDWH_BUILD_TESTS=OFF >/dev/null
cmake --build build-demo --target dwh

port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
data="$(mktemp -d)"
NODE_OPTIONS=--openssl-legacy-provider NODE_PATH="$here/.node/node_modules" \
  node "$here/tests/support/s3rver_launcher.js" -d "$data" -a 127.0.0.1 -p "$port" --silent >"$data.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data" "$data.log"' EXIT
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

echo "local S3 server (s3rver, checks SigV4) on http://127.0.0.1:$port"
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
  AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true \
  ./build-demo/cli/dwh aws s3 roundtrip --bucket dwh-demo
