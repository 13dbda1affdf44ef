#!/usr/bin/env bash
# Runs the example of docs/deployment.md on loopback and checks it: a
# redis-server, two headless OrderStream instances sharing it, and nginx in
# front of them as docs/deployment.md configures it. Everything runs from a
# temporary folder on free ports and is stopped at the end.
#
# Usage: scripts/cluster-example.sh [BUILD_DIR]
# Needs redis-server, redis-cli, curl and nginx (Debian: redis-server curl nginx-light).
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-${ORDERSTREAM_BUILD_DIR:-$source_dir/build}}
orderstream=$build_dir/app/orderstream
for tool in redis-server redis-cli curl nginx ss; do
    command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done
[[ -x $orderstream ]] || { echo "error: $orderstream not found; run scripts/build.sh" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# A port that nothing listens on now.
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! ss -Htln "sport = :$port" | grep -q .; then
            echo "$port"
            return
        fi
    done
    echo "error: no free port found" >&2
    exit 1
}

# Waits up to 10 s for a command to succeed.
wait_for() {
    for _ in $(seq 1 100); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "error: timed out waiting for: $*" >&2
    return 1
}

fail() { echo "FAIL: $*" >&2; exit 1; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly yes \
    --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
wait_for redis-cli -p "$redis_port" ping

# Both instances verify tokens with the same secret.
secret="$work/jwt-secret"
(umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$secret")
publisher=$("$orderstream" token --jwt-secret-file "$secret" --subject fulfilment --publisher)
customer=$("$orderstream" token --jwt-secret-file "$secret" --subject alice --orders ORD-1)

start_instance() {
    local name=$1 port=$2
    "$orderstream" --headless --bind 127.0.0.1 --port "$port" --instance-id "$name" \
        --redis "redis://127.0.0.1:$redis_port" --jwt-secret-file "$secret" \
        --trusted-proxy 127.0.0.1 \
        >"$work/$name.log" 2>&1 &
    pids+=($!)
    wait_for curl -fsS "http://127.0.0.1:$port/healthz"
}
port_a=$(free_port)
start_instance a "$port_a"
port_b=$(free_port)
start_instance b "$port_b"

# nginx with the location block of docs/deployment.md.
nginx_port=$(free_port)
mkdir -p "$work/nginx/tmp"
cat >"$work/nginx/nginx.conf" <<CONF
pid nginx.pid;
error_log error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp;
    uwsgi_temp_path tmp; scgi_temp_path tmp;
    upstream orderstream {
        server 127.0.0.1:$port_a;
        server 127.0.0.1:$port_b;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            proxy_pass http://orderstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }
    }
}
CONF
nginx -p "$work/nginx/" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_for curl -fsS "http://127.0.0.1:$nginx_port/healthz"

publish() {
    local port=$1 status=$2
    curl -fsS -X POST -H "Authorization: Bearer $publisher" -H 'Content-Type: application/json' \
        -d "{\"status\":\"$status\"}" "http://127.0.0.1:$port/orders/ORD-1/events" |
        sed -n 's/.*"id":\([0-9]*\).*/\1/p'
}
count_events() { grep -c '^event: order.update' "$1" 2>/dev/null || true; }
# Waits up to 10 s until file contains count events.
wait_for_events() {
    local file=$1 count=$2
    for _ in $(seq 1 100); do
        [[ $(count_events "$file") -ge $count ]] && return 0
        sleep 0.1
    done
    fail "$file has $(count_events "$file") events, expected $count"
}

echo "1. A stream on instance a receives what is published on instance b"
curl -sN -H "Authorization: Bearer $customer" "http://127.0.0.1:$port_a/orders/ORD-1/events" \
    >"$work/stream-a" &
stream_pid=$!
pids+=("$stream_pid")
wait_for grep -q '^retry:' "$work/stream-a"
ids=()
for status in Activating Provisioning Active; do
    ids+=("$(publish "$port_b" "$status")")
done
wait_for_events "$work/stream-a" 3
for id in "${ids[@]}"; do
    grep -q "^id: $id\$" "$work/stream-a" || fail "event $id is missing from the stream on a"
done
kill "$stream_pid"
echo "   ok: events ${ids[*]} published on b arrived on a"

echo "2. Reconnecting to instance b with Last-Event-ID misses nothing"
curl -sN --max-time 3 -H "Authorization: Bearer $customer" -H "Last-Event-ID: ${ids[0]}" \
    "http://127.0.0.1:$port_b/orders/ORD-1/events" >"$work/stream-b" || true
replayed=$(sed -n 's/^id: //p' "$work/stream-b" | tr '\n' ' ')
[[ $replayed == "${ids[1]} ${ids[2]} " ]] || fail "replayed ids '$replayed', expected '${ids[1]} ${ids[2]} '"
echo "   ok: b replayed ${ids[1]} and ${ids[2]}"

echo "3. Through nginx, a stream gets each event at once"
curl -sN -H "Authorization: Bearer $customer" "http://127.0.0.1:$nginx_port/orders/ORD-1/events" \
    >"$work/stream-proxy" &
stream_pid=$!
pids+=("$stream_pid")
wait_for grep -q '^retry:' "$work/stream-proxy"
for n in 1 2 3 4; do
    id=$(publish "$nginx_port" "step $n")
    for _ in $(seq 1 100); do
        grep -q "^id: $id\$" "$work/stream-proxy" && break
        sleep 0.1
    done
    grep -q "^id: $id\$" "$work/stream-proxy" || fail "event $id did not pass nginx"
done
echo "   ok: 4 events published through nginx arrived through nginx"

curl -fsS "http://127.0.0.1:$port_a/metrics" | grep -q '^orderstream_cluster_instances 2$' ||
    fail "instance a does not see 2 instances in /metrics"
echo "4. ok: /metrics of instance a counts 2 instances"
echo "PASS"
