#!/usr/bin/env bash
# Installs the Debian packages OrderStream needs that are not installed yet.
#   scripts/install-deps.sh          packages to build and run the console
#   scripts/install-deps.sh --tests  also the browser, Redis server, curl and the
#                                    package checkers the tests run
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev libqt6sql6-sqlite
    libasio-dev libssl-dev libhiredis-dev
)
if [[ "${1:-}" == "--tests" ]]; then
    packages+=(chromium redis-server curl dpkg-dev desktop-file-utils appstream)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
fi

echo "Installing: ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
