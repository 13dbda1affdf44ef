#!/usr/bin/env bash
# Configures and builds OrderStream in build/ (or $ORDERSTREAM_BUILD_DIR).
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${ORDERSTREAM_BUILD_DIR:-$source_dir/build}

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --parallel
