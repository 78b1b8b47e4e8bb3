#!/usr/bin/env bash
# Installs every build and test dependency by package name. Idempotent: apt and npm
# skip what is already present, so running it twice costs seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev clang-tidy clang-format
  shellcheck gcovr
  libcurl4-openssl-dev libssl-dev libxml2-dev nlohmann-json3-dev
  libtbb-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libzstd-dev libdeflate-dev libsnappy-dev
  libsimdjson-dev libtomlplusplus-dev
  postgresql libpqxx-dev libpq-dev
  awscli python3-botocore
  nodejs
  curl socat procps time
  chromium hyperfine
)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian splits npm out of nodejs; the NodeSource build bundles it and conflicts with it.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node packages live in a project-local folder that git ignores (.node/).
NPM_PACKAGES=("@20minutes/s3rver@5.0.0" "@duckdb/node-api@1.5.6-r.1" "hyparquet@1.31.5" "hyparquet-compressors@1.1.2")
mkdir -p "$here/.node"
need_npm=0
for spec in "${NPM_PACKAGES[@]}"; do
  name="${spec%@*}"
  [ -f "$here/.node/node_modules/$name/package.json" ] || need_npm=1
done
if [ $need_npm = 1 ]; then
  echo "install-deps: npm installing ${NPM_PACKAGES[*]}"
  (cd "$here/.node" && [ -f package.json ] || echo '{"name":"dwhkit-node-tools","private":true}' > "$here/.node/package.json"
   cd "$here/.node" && npm install --no-audit --no-fund --loglevel=error "${NPM_PACKAGES[@]}")
fi
