#!/usr/bin/env bash
# The README's first command: installs what the build needs (by package name, idempotent),
# builds `dwh` and runs `dwh demo`: a throwaway PostgreSQL, a generated totesys source, the
# whole pipeline into a file:// lake under .dwh/demo/, a few seconds of live source changes,
# an incremental run and the dashboard (.dwh/demo/report.html). Nothing touches the cloud.
# Extra arguments go to `dwh demo` (e.g. ./ci/demo.sh --keep).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

"$here/ci/install-deps.sh"
export CCACHE_DIR="${CCACHE_DIR:-$here/.cache/ccache}"
cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DDWH_BUILD_TESTS=OFF >/dev/null
cmake --build build-demo --target dwh
# PostgreSQL refuses to run as root; as root `dwh local up` runs the server as the postgres user,
# which must be able to reach the state folder.
chmod o+x "$here" 2>/dev/null || true
exec ./build-demo/cli/dwh demo "$@"
