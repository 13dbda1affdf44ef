#!/usr/bin/env bash
# Renders the operations console with live loopback traffic into a PNG.
#
# Usage: scripts/screenshot.sh [OUTPUT.png] [extra orderstream_screenshot options]
#   OUTPUT.png defaults to docs/console.png in the repository.
#   ORDERSTREAM_BUILD_DIR selects the CMake build directory (default: build).
#
# The tool starts the server on a free 127.0.0.1 port, opens SSE streams,
# publishes events and grabs the main window, all under the offscreen
# platform, so no display is needed.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${ORDERSTREAM_BUILD_DIR:-$repo_dir/build}"
output="${1:-$repo_dir/docs/console.png}"
shift || true

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    echo "screenshot.sh: no CMake build in $build_dir; configure one first, for example:" >&2
    echo "  cmake -S $repo_dir -B $build_dir -G Ninja" >&2
    exit 1
fi

cmake --build "$build_dir" --target orderstream_screenshot
QT_QPA_PLATFORM=offscreen "$build_dir/ui/orderstream_screenshot" --output "$output" "$@"
