#!/usr/bin/env bash
# Runs the benchmark scenarios in bench/scenarios/ against OrderStream, nginx + nchan (1 worker and
# ORDERSTREAM_WORKERS workers) and the Node.js peer, one fresh server per scenario on a free
# 127.0.0.1 port, and writes a Markdown page with one table per scenario.
#
# Environment:
#   ORDERSTREAM_BIN      server binary (default: build/app/orderstream)
#   ORDERSTREAM_WORKERS  --workers of OrderStream and the worker count of "nchan2" (default: 2)
#   ORDERSTREAM_FLAGS    extra OrderStream flags, split on spaces (default: empty; the script
#                        always passes --no-auth and a fresh --journal)
#   LOADGEN              prebuilt orderstream-loadgen (default: build it from bench/ with CMake)
#   CONSOLE_BENCH        orderstream-console-bench for the "console" scenario
#                        (default: build/bench/orderstream-console-bench)
#   BENCH_BUILD_DIR      CMake build directory for the load generator (default: $TMPDIR/orderstream-bench-build)
#   BENCH_STATE_DIR      PID files of running scenario servers (default: $TMPDIR/orderstream-bench-state)
set -euo pipefail

readonly ALL_SCENARIOS=(idle fanout saturation spread scale roundtrip console)
readonly ALL_SERVERS=(orderstream nchan1 nchan2 node)
readonly HOST=127.0.0.1

usage() {
    cat <<'EOF'
Usage: bench/run-all.sh [--quick] [--only NAME[,NAME..]] [--servers LIST] [--out FILE]

  --quick           smaller counts and durations, for a smoke test; the page is marked as such
                    and goes to $TMPDIR/orderstream-benchmarks-quick.md unless --out is given
  --only NAMES      run only these scenarios: idle, fanout, saturation, spread, scale, roundtrip,
                    console
  --servers LIST    comma-separated servers (default: orderstream,nchan1,nchan2,node)
  --out FILE        Markdown output (default: docs/benchmarks.md, or the quick path above)

See the top of this file for the environment variables (ORDERSTREAM_FLAGS and others).
EOF
}

log() {
    printf '[run-all %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Prints $1 as a JSON string literal.
json_string() {
    local text=$1
    text=${text//\\/\\\\}
    text=${text//\"/\\\"}
    text=${text//$'\n'/\\n}
    text=${text//$'\t'/\\t}
    printf '"%s"' "$text"
}

contains() {
    local needle=$1 item
    shift
    for item in "$@"; do
        [[ $item == "$needle" ]] && return 0
    done
    return 1
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$repo/bench
# Prints $1 quoted for the shell only when it needs quoting.
shell_word() {
    if [[ $1 =~ ^[A-Za-z0-9_./,=:@+-]+$ ]]; then
        printf '%s' "$1"
    else
        printf '%q' "$1"
    fi
}

original_command="bench/run-all.sh"
for argument in "$@"; do
    original_command+=" $(shell_word "$argument")"
done
for variable in ORDERSTREAM_BIN ORDERSTREAM_WORKERS ORDERSTREAM_FLAGS LOADGEN; do
    if [[ -n ${!variable:-} ]]; then
        original_command="$variable=$(shell_word "${!variable}") $original_command"
    fi
done

quick=0
only=""
servers_list=$(IFS=,; echo "${ALL_SERVERS[*]}")
out=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) quick=1; shift ;;
        --only) [[ $# -ge 2 ]] || die "--only needs a scenario name"; only=$2; shift 2 ;;
        --servers) [[ $# -ge 2 ]] || die "--servers needs a list"; servers_list=$2; shift 2 ;;
        --out) [[ $# -ge 2 ]] || die "--out needs a file name"; out=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done

scenarios=()
if [[ -n $only ]]; then
    IFS=, read -r -a scenarios <<< "$only"
else
    scenarios=("${ALL_SCENARIOS[@]}")
fi
for name in "${scenarios[@]}"; do
    contains "$name" "${ALL_SCENARIOS[@]}" || die "unknown scenario '$name'; known: ${ALL_SCENARIOS[*]}"
done
IFS=, read -r -a servers <<< "$servers_list"
[[ ${#servers[@]} -gt 0 ]] || die "--servers is empty"
for name in "${servers[@]}"; do
    contains "$name" "${ALL_SERVERS[@]}" || die "unknown server '$name'; known: ${ALL_SERVERS[*]}"
done

if [[ -z $out ]]; then
    if [[ $quick == 1 ]]; then
        out=${TMPDIR:-/tmp}/orderstream-benchmarks-quick.md
    else
        out=$repo/docs/benchmarks.md
    fi
fi

ORDERSTREAM_BIN=${ORDERSTREAM_BIN:-$repo/build/app/orderstream}
CONSOLE_BENCH=${CONSOLE_BENCH:-$repo/build/bench/orderstream-console-bench}
if contains console "${scenarios[@]}" && [[ ! -x $CONSOLE_BENCH ]]; then
    die "$CONSOLE_BENCH not found; build the project (scripts/build.sh) or set CONSOLE_BENCH"
fi
ORDERSTREAM_WORKERS=${ORDERSTREAM_WORKERS:-2}
ORDERSTREAM_FLAGS=${ORDERSTREAM_FLAGS:-}
read -r -a orderstream_flags <<< "$ORDERSTREAM_FLAGS"
[[ $ORDERSTREAM_WORKERS =~ ^[1-9][0-9]*$ ]] || die "invalid ORDERSTREAM_WORKERS '$ORDERSTREAM_WORKERS'"

# --- Prerequisites -----------------------------------------------------------------------------

command -v node > /dev/null || die "node not found; the Node.js peer and the report need Node.js 18 or later"
command -v ss > /dev/null || die "ss not found; install iproute2"
command -v flock > /dev/null || die "flock not found; install util-linux"
if contains orderstream "${servers[@]}" && [[ ! -x $ORDERSTREAM_BIN ]]; then
    die "OrderStream binary $ORDERSTREAM_BIN not found; build it (cmake --build build) or set ORDERSTREAM_BIN, or leave it out with --servers nchan1,nchan2,node"
fi
if contains nchan1 "${servers[@]}" || contains nchan2 "${servers[@]}"; then
    command -v nginx > /dev/null || die "nginx not found; install it with: apt-get install nginx-light libnginx-mod-nchan"
fi

state_dir=${BENCH_STATE_DIR:-${TMPDIR:-/tmp}/orderstream-bench-state}
mkdir -p "$state_dir"
exec 9> "$state_dir/lock"
flock -n 9 || die "another bench/run-all.sh is running (lock $state_dir/lock is taken); wait for it to finish"

# Each running scenario server has a state file "<pid> <port> <executable>". A live one left by an
# earlier run (for example after kill -9) would share the CPUs and skew every figure.
for state_file in "$state_dir"/*.server; do
    [[ -e $state_file ]] || continue
    read -r old_pid old_port old_exe < "$state_file" || true
    if [[ -n ${old_pid:-} ]] && kill -0 "$old_pid" 2> /dev/null \
        && [[ $(readlink "/proc/$old_pid/exe" 2> /dev/null || true) == "$old_exe" ]]; then
        die "scenario server $old_exe from an earlier run is still running (PID $old_pid, $HOST:$old_port); stop it with: kill $old_pid"
    fi
    rm -f "$state_file"
done

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/orderstream-bench-run.XXXXXX")
results=$run_dir/results.jsonl
scenario_file=$run_dir/scenarios.jsonl
: > "$results"
: > "$scenario_file"
log "run directory: $run_dir"

# --- Server management -------------------------------------------------------------------------

SERVER_PID=""
SERVER_PORT=""
SERVER_STATE_FILE=""
LOADGEN_PID=""

# Prints a free TCP port below the ephemeral range (32768 and up), where the load generator's
# client sockets get their ports.
pick_port() {
    local port
    for _ in $(seq 1 200); do
        port=$(( 20000 + RANDOM % 12000 ))
        if [[ -z $(ss -Htan "( sport = :$port or dport = :$port )" 2> /dev/null) ]]; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Waits until process $1 listens on port $2, at most $3 seconds.
wait_listening() {
    local pid=$1 port=$2 limit=$3
    for _ in $(seq 1 $(( limit * 10 ))); do
        kill -0 "$pid" 2> /dev/null || return 1
        if ss -Hltnp "sport = :$port" 2> /dev/null | grep -q "pid=$pid,"; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# Starts server $1 for scenario $2 and sets SERVER_PID and SERVER_PORT.
start_server() {
    local server=$1 scenario=$2 port logfile prefix workers executable
    port=$(pick_port) || { log "no free port found"; return 1; }
    logfile=$run_dir/$scenario.$server.server.log

    case $server in
        orderstream)
            if [[ $scenario == console ]]; then
                # The console window (offscreen) with its server, reporting GUI frame times.
                executable=$(readlink -f "$CONSOLE_BENCH")
                "$CONSOLE_BENCH" --port "$port" --workers "$ORDERSTREAM_WORKERS" \
                    --stats "$run_dir/console.stats.json" > "$logfile" 2>&1 &
                SERVER_PID=$!
                SERVER_PORT=$port
                SERVER_STATE_FILE=$state_dir/$SERVER_PID.server
                echo "$SERVER_PID $port $executable" > "$SERVER_STATE_FILE"
                wait_listening "$SERVER_PID" "$port" 30 || { stop_server; return 1; }
                log "console started: PID $SERVER_PID on $HOST:$port"
                return 0
            fi
            executable=$(readlink -f "$ORDERSTREAM_BIN")
            # A fresh journal per scenario, inside the run directory. Authentication is off, like
            # on the peers, so every server does the same work per request.
            "$ORDERSTREAM_BIN" --headless --bind "$HOST" --port "$port" --workers "$ORDERSTREAM_WORKERS" \
                --journal "$run_dir/$scenario.journal.db" --no-auth \
                "${orderstream_flags[@]}" > "$logfile" 2>&1 &
            ;;
        nchan1|nchan2)
            workers=1
            if [[ $server == nchan2 ]]; then
                workers=$ORDERSTREAM_WORKERS
            fi
            prefix=$run_dir/nginx-$scenario-$server
            "$bench/peers/nchan-conf.sh" "$prefix" "$port" "$workers" > /dev/null
            executable=$(readlink -f "$(command -v nginx)")
            nginx -c "$prefix/nginx.conf" -p "$prefix/" -g 'daemon off;' > "$logfile" 2>&1 &
            ;;
        node)
            executable=$(readlink -f "$(command -v node)")
            node "$bench/peers/node-sse.js" --host "$HOST" --port "$port" > "$logfile" 2>&1 &
            ;;
    esac
    SERVER_PID=$!
    SERVER_PORT=$port
    SERVER_STATE_FILE=$state_dir/$SERVER_PID.server
    echo "$SERVER_PID $port $executable" > "$SERVER_STATE_FILE"

    if ! wait_listening "$SERVER_PID" "$port" 15; then
        log "$server did not listen on $HOST:$port within 15 s; last lines of $logfile:"
        tail -n 20 "$logfile" >&2 || true
        stop_server
        return 1
    fi
    log "$server started: PID $SERVER_PID on $HOST:$port"
}

# Stops the current server by PID: SIGTERM, then SIGKILL after 10 s, including its child
# processes (nginx workers), which are listed by PID before the parent goes away.
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    local pid=$SERVER_PID children
    children=$(ps -o pid= --ppid "$pid" 2> /dev/null || true)
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2> /dev/null; then
        log "PID $pid still running 10 s after SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2> /dev/null || true
    fi
    wait "$pid" 2> /dev/null || true
    for child in $children; do
        if kill -0 "$child" 2> /dev/null; then
            kill -KILL "$child" 2> /dev/null || true
        fi
    done
    rm -f "$SERVER_STATE_FILE"
    SERVER_PID=""
    SERVER_STATE_FILE=""
}

cleanup() {
    local status=$?
    if [[ -n $LOADGEN_PID ]]; then
        # timeout passes SIGTERM on to the load generator, which prints partial results and exits.
        kill -TERM "$LOADGEN_PID" 2> /dev/null || true
        wait "$LOADGEN_PID" 2> /dev/null || true
    fi
    stop_server
    if [[ $status -ne 0 ]]; then
        log "stopped with exit status $status; logs are in $run_dir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Load generator ----------------------------------------------------------------------------

if [[ -z ${LOADGEN:-} ]]; then
    build_dir=${BENCH_BUILD_DIR:-${TMPDIR:-/tmp}/orderstream-bench-build}
    generator=()
    if [[ ! -f $build_dir/CMakeCache.txt ]] && command -v ninja > /dev/null; then
        generator=(-G Ninja)
    fi
    log "building orderstream-loadgen in $build_dir"
    cmake -S "$bench" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release > "$run_dir/build.log" 2>&1 \
        && cmake --build "$build_dir" --target orderstream-loadgen >> "$run_dir/build.log" 2>&1 \
        || { tail -n 30 "$run_dir/build.log" >&2; die "building orderstream-loadgen failed; see $run_dir/build.log"; }
    LOADGEN=$build_dir/orderstream-loadgen
fi
[[ -x $LOADGEN ]] || die "load generator $LOADGEN not found or not executable"

# --- Scenarios ---------------------------------------------------------------------------------

failed_servers=()
for scenario in "${scenarios[@]}"; do
    unset scenario_title scenario_description scenario_args scenario_quick_args scenario_time_limit scenario_metrics
    # shellcheck source=/dev/null
    source "$bench/scenarios/$scenario.sh"
    # shellcheck disable=SC2154 # the scenario file sets these
    if [[ -z ${scenario_title:-} || -z ${scenario_description:-} || -z ${scenario_time_limit:-} \
        || -z ${scenario_args[*]:-} || -z ${scenario_quick_args[*]:-} || -z ${scenario_metrics[*]:-} ]]; then
        die "bench/scenarios/$scenario.sh must set scenario_title, scenario_description, scenario_args, scenario_quick_args, scenario_time_limit and scenario_metrics"
    fi
    if [[ $quick == 1 ]]; then
        args=("${scenario_quick_args[@]}")
        time_limit=$(( scenario_time_limit / 2 ))
    else
        args=("${scenario_args[@]}")
        time_limit=$scenario_time_limit
    fi
    metrics_json=$(printf '"%s",' "${scenario_metrics[@]}")
    printf '{"name":%s,"title":%s,"description":%s,"args":%s,"metrics":[%s]}\n' \
        "$(json_string "$scenario")" "$(json_string "$scenario_title")" \
        "$(json_string "$scenario_description")" "$(json_string "${args[*]}")" \
        "${metrics_json%,}" >> "$scenario_file"

    for server in "${servers[@]}"; do
        # Only OrderStream has a console.
        if [[ $scenario == console && $server != orderstream ]]; then
            continue
        fi
        log "scenario $scenario, server $server"
        if ! start_server "$server" "$scenario"; then
            contains "$server" "${failed_servers[@]+"${failed_servers[@]}"}" || failed_servers+=("$server")
            printf '{"scenario":"%s","server":"%s","loadgen_exit":null,"server_alive":false,"error":"server did not start","result":null}\n' \
                "$scenario" "$server" >> "$results"
            continue
        fi

        json_out=$run_dir/$scenario.$server.json
        loadgen_log=$run_dir/$scenario.$server.loadgen.log
        rm -f "$json_out"
        loadgen_exit=0
        # In the background, so that a SIGTERM to this script runs the cleanup trap at once.
        timeout --signal=TERM --kill-after=10 "$time_limit" \
            "$LOADGEN" --host "$HOST" --port "$SERVER_PORT" --server-pid "$SERVER_PID" --no-progress \
            --json-out "$json_out" "${args[@]}" > "$loadgen_log" 2>&1 &
        LOADGEN_PID=$!
        wait "$LOADGEN_PID" || loadgen_exit=$?
        LOADGEN_PID=""

        server_alive=true
        kill -0 "$SERVER_PID" 2> /dev/null || server_alive=false
        stop_server

        if [[ $scenario == console && -s $json_out && -s $run_dir/console.stats.json ]]; then
            node -e 'const fs = require("fs");
                const result = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
                Object.assign(result, JSON.parse(fs.readFileSync(process.argv[2], "utf8")));
                fs.writeFileSync(process.argv[1], JSON.stringify(result));' \
                "$json_out" "$run_dir/console.stats.json"
        fi
        result=null
        [[ -s $json_out ]] && result=$(< "$json_out")
        error=""
        if [[ $loadgen_exit -eq 124 || $loadgen_exit -eq 137 ]]; then
            error="load generator stopped by the $time_limit s time limit"
        elif [[ $loadgen_exit -ne 0 ]]; then
            error="load generator exit status $loadgen_exit: $(tail -n 1 "$loadgen_log")"
        fi
        printf '{"scenario":"%s","server":"%s","loadgen_exit":%d,"server_alive":%s,"error":%s,"result":%s}\n' \
            "$scenario" "$server" "$loadgen_exit" "$server_alive" "$(json_string "$error")" "$result" >> "$results"
        sed -n '1,/^{/p' "$loadgen_log" | grep -v '^{' >&2 || true
    done
done

# --- Report ------------------------------------------------------------------------------------

orderstream_version="not run"
if contains orderstream "${servers[@]}"; then
    orderstream_version="$(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo 'no commit')"
    if [[ -n $(git -C "$repo" status --porcelain 2> /dev/null | head -n 1) ]]; then
        orderstream_version+=" (working tree has uncommitted changes)"
    fi
    orderstream_version+=", flags: --workers $ORDERSTREAM_WORKERS${ORDERSTREAM_FLAGS:+ $ORDERSTREAM_FLAGS}"
fi
peer_versions=()
if contains nchan1 "${servers[@]}" || contains nchan2 "${servers[@]}"; then
    peer_versions+=("$(nginx -v 2>&1 | sed 's/^nginx version: //'), nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2> /dev/null || echo unknown)")
fi
if contains node "${servers[@]}"; then
    peer_versions+=("Node.js $(node --version)")
fi

mkdir -p "$(dirname "$out")"
# Text written by people below this marker (targets, analysis) survives a new run.
analysis_marker='<!-- Written by hand below this line; bench/run-all.sh keeps it. -->'
analysis=""
if [[ -f $out ]] && grep -qF "$analysis_marker" "$out"; then
    analysis=$(awk -v marker="$analysis_marker" 'found || index($0, marker) { found = 1; print }' "$out")
fi
BENCH_QUICK=$quick \
BENCH_SERVERS=$(IFS=,; echo "${servers[*]}") \
BENCH_FAILED_SERVERS=$(IFS=,; echo "${failed_servers[*]+"${failed_servers[*]}"}") \
BENCH_ORDERSTREAM_WORKERS=$ORDERSTREAM_WORKERS \
BENCH_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" \
BENCH_COMMAND="$original_command" \
BENCH_NPROC="$(nproc)" \
BENCH_CPU_MODEL="$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)" \
BENCH_MEMORY="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" \
BENCH_KERNEL="$(uname -sr)" \
BENCH_DISTRIBUTION="$(. /etc/os-release && echo "$PRETTY_NAME")" \
BENCH_NOFILE="$(ulimit -Hn)" \
BENCH_ORDERSTREAM_VERSION="$orderstream_version" \
BENCH_PEER_VERSIONS="$(printf '%s; ' "${peer_versions[@]+"${peer_versions[@]}"}" | sed 's/; $//')" \
    node "$bench/scenarios/report.js" --scenarios "$scenario_file" --results "$results" --out "$out"
if [[ -n $analysis ]]; then
    printf '\n%s\n' "$analysis" >> "$out"
fi

log "wrote $out (raw results: $results)"
