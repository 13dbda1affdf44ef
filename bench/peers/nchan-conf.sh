#!/usr/bin/env bash
# Writes an nginx + nchan configuration for the benchmarks into a prefix directory.
# Usage: nchan-conf.sh PREFIX_DIR PORT WORKERS
# Prints the nginx command line that starts the server in the foreground.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 PREFIX_DIR PORT WORKERS" >&2
    exit 2
fi
prefix=$1
port=$2
workers=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! [[ $port =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
    echo "error: invalid port '$port'" >&2
    exit 2
fi
if ! [[ $workers =~ ^[0-9]+$ ]] || (( workers < 1 )); then
    echo "error: invalid worker count '$workers'" >&2
    exit 2
fi

module=$(dpkg -L libnginx-mod-nchan 2>/dev/null | grep -m1 '/ngx_nchan_module\.so$' || true)
if [[ -z $module || ! -f $module ]]; then
    echo "error: ngx_nchan_module.so not found; install it with: apt-get install nginx-light libnginx-mod-nchan" >&2
    exit 1
fi

# Each worker may open as many files as the hard limit allows. worker_connections sizes nginx's
# connection table, which is separate from the file limit. With worker_connections 19,950, one
# nginx 1.22.1 worker logged "worker_connections are not enough, reusing connections", closed
# idle connections and kept 18,703 of 19,000 streams. That is 19,950 minus 1/16 of it, so nginx
# appears to reclaim connections once less than 1/16 of the table is free. A table of twice the
# file limit avoids this, and the file limit still caps the sockets.
hard_limit=$(ulimit -Hn)
if [[ $hard_limit == unlimited ]]; then
    hard_limit=65536
fi
nofile=$hard_limit
worker_connections=$(( nofile * 2 ))

mkdir -p "$prefix/tmp/body" "$prefix/tmp/proxy" "$prefix/tmp/fastcgi" "$prefix/tmp/uwsgi" "$prefix/tmp/scgi"
# When nginx starts as root its workers run as an unprivileged user and must reach the temp paths.
chmod 0755 "$prefix"
chmod 0777 "$prefix/tmp" "$prefix/tmp/"*

sed -e "s|@NCHAN_MODULE@|$module|" \
    -e "s|@WORKERS@|$workers|" \
    -e "s|@NOFILE@|$nofile|" \
    -e "s|@WORKER_CONNECTIONS@|$worker_connections|" \
    -e "s|@PORT@|$port|" \
    "$here/nchan.conf.in" > "$prefix/nginx.conf"

echo "nginx -c $prefix/nginx.conf -p $prefix/ -g 'daemon off;'"
