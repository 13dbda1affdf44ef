# shellcheck shell=bash disable=SC2034
# Scenario "scale", sourced by bench/run-all.sh.
scenario_title="Scale: 19,000 streams"
scenario_description="19,000 streams over 1,000 orders (19 per order), 500 events/s round-robin over the orders for 10 s \
(9,500 deliveries/s expected). The load generator and the server each hold about 19,000 sockets, under the \
per-process open-file limit of 20,000. Streams that fail or that the server closes are listed below the table."
scenario_args=(--streams 19000 --orders 1000 --rate 500 --duration 10 --connect-timeout 20)
scenario_quick_args=(--streams 2000 --orders 100 --rate 200 --duration 3)
scenario_time_limit=300
scenario_metrics=(established failed closed_by_server connect_p99_ms expected delivered lost latency_p50_ms latency_p99_ms cpu_s rss_per_stream_kib)
