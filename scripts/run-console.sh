#!/usr/bin/env bash
# Installs what is missing, builds, and starts the console with the server on
# 127.0.0.1:8080. Arguments are passed to orderstream (see --help).
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${ORDERSTREAM_BUILD_DIR:-$source_dir/build}

"$source_dir/scripts/install-deps.sh"
"$source_dir/scripts/build.sh"
exec "$build_dir/app/orderstream" "$@"
