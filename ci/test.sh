#!/usr/bin/env bash
# The one command that installs everything and runs every test: the style checks (clang-format, shellcheck
# and clang-tidy), a warnings-as-errors build with its unit and integration suites,
# the same suites under ASan+UBSan with line coverage measured (a 90% floor per production
# folder), and a short fuzz run. Benchmarks are not part of it (see bench/README.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

"$here/ci/install-deps.sh"

export CCACHE_DIR="${CCACHE_DIR:-$here/.cache/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-2G}"
jobs="$(nproc)"
start=$(date +%s)

step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

# Style and coverage findings do not stop the run (the builds and tests still report theirs);
# any of them fails it at the end.
failed=()
check() {
  local name="$1"; shift
  "$@" || { failed+=("$name"); printf '\n==> %s FAILED\n' "$name"; }
}

# The production folders: what clang-tidy checks and coverage measures (ci/coverage.py too).
production="core|awsclient|local|source|pg|jobs/[^/]+|cli"

step "clang-format and shellcheck"
check clang-format bash -c "git ls-files -z '*.cpp' '*.hpp' '*.h' '*.cc' | xargs -0 clang-format --dry-run -Werror"
# -x follows the `. bench/lib.sh` of the bench scripts (their `source=` paths are from here).
check shellcheck shellcheck -x ci/*.sh bench/*.sh .ci/run

# Compile flags chosen for a cold 2-core CI machine, measured per object (cli/load_command.cpp,
# jobs/src/load.cpp, a load test): full debug info costs about 30% of an -O2 compile, so the
# optimised build has none; the ASan build keeps line tables (-g1), all its stack traces need,
# about 10% cheaper than -g. (Precompiled headers were tried and saved under 10%: these compiles
# are spent generating code, not parsing headers.)
step "build (warnings as errors)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DDWH_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

# clang-tidy over every production .cpp, with the Release build's compile commands
# (-Wno-unknown-warning-option: clang does not know some GCC flags, -Wno-restrict). It costs
# about 10 CPU-seconds a file, nearly all in the checks, not the parsing, so it runs at the
# lowest priority alongside the test suites, on the cores they leave idle while they wait on
# PostgreSQL and s3rver; its result is collected after them. .clang-tidy lists the checks.
step "clang-tidy (in the background, at nice 19)"
tidy_one() {
  local out
  out="$(clang-tidy -p build --quiet --extra-arg=-Wno-unknown-warning-option "$1" 2>&1)" && return 0
  printf '%s\n' "$out"
  return 1
}
export -f tidy_one
# shellcheck disable=SC2016  # $1 is the inner shell's
grep -o '"file": "[^"]*"' build/compile_commands.json | cut -d'"' -f4 | grep -E "^$here/($production)/" |
  sort -u | nice -n 19 xargs -P "$jobs" -n 1 bash -c 'tidy_one "$1"' _ >build/clang-tidy.log 2>&1 &
tidy_pid=$!
trap 'kill "$tidy_pid" 2>/dev/null || true' EXIT  # when a test step fails first

step "unit and integration tests"
ctest --test-dir build -L 'unit|integration' -j "$jobs" --output-on-failure --timeout 300

if [ "${DWH_SKIP_SANITIZE:-0}" != 1 ]; then
  step "build with AddressSanitizer + UBSan, instrumented for line coverage"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DDWH_SANITIZE=ON \
    -DDWH_COVERAGE=ON -DDWH_WERROR=ON >/dev/null
  # Counters from an earlier run would add to this one's.
  find build-asan -name '*.gcda' -delete
  cmake --build build-asan -j "$jobs" --target dwh dwh_unit_tests dwh_integration_tests
  step "unit and integration tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -L 'unit|integration' -j "$jobs" --output-on-failure --timeout 600
  step "line coverage of the production code (unit + integration suites)"
  # The floor is 90% per folder (issue 12). Several folders are below it today; until each is
  # tested up to it, the table and the folders below it are printed and the run goes on.
  /usr/bin/python3 ci/coverage.py build-asan 90 ||
    printf '\n==> coverage: folders above are below the 90%% floor (not yet enforced: see ci/README.md)\n'
fi

step "clang-tidy results"
# Every production folder is checked and every finding printed. The findings left in the tree
# (about forty when this was written, mostly [[nodiscard]], raw string literals and string
# concatenation) do not fail the run yet; clang-format and shellcheck do.
wait "$tidy_pid" || printf '\n==> clang-tidy: %s findings (not yet enforced: see ci/README.md)\n' \
  "$(grep -c 'error:' build/clang-tidy.log || true)"
cat build/clang-tidy.log

if [ "${DWH_SKIP_FUZZ:-0}" != 1 ] && [ -f tests/fuzz/CMakeLists.txt ]; then
  step "fuzz (libFuzzer, short run)"
  CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DDWH_BUILD_FUZZ=ON -DDWH_WERROR=ON >/dev/null
  cmake --build build-fuzz -j "$jobs" --target dwh_fuzz_parsers dwh_fuzz_parquet
  ctest --test-dir build-fuzz -L fuzz --output-on-failure
fi

if [ ${#failed[@]} -gt 0 ]; then
  step "FAILED: ${failed[*]}"
  exit 1
fi
step "all tests passed"
