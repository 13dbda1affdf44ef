#!/usr/bin/env bash
# Installs what is missing (test servers and browser included), builds, and
# runs every test with ctest. Benchmarks are not part of it: see bench/.
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${ORDERSTREAM_BUILD_DIR:-$source_dir/build}

"$source_dir/scripts/install-deps.sh" --tests
"$source_dir/scripts/build.sh"
cd "$build_dir"
ctest --output-on-failure --parallel 2 --timeout 600
