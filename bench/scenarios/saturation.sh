# shellcheck shell=bash disable=SC2034
# Scenario "saturation", sourced by bench/run-all.sh.
scenario_title="Saturation: 1,000 events/s requested for 1,000 subscribers"
scenario_description="1,000 streams on one order, 1,000 events/s requested for 10 s (1,000,000 deliveries/s requested). \
Publishes go over 16 keep-alive connections without pipelining, so a server that acknowledges slowly gets fewer publishes. \
Compare \"publishes sent/s\" with the requested rate. Lost is expected minus delivered after a settle phase of up to 10 s. \
The load generator shares the 2 cores with the server, so at this rate it competes with the server for CPU."
scenario_args=(--streams 1000 --orders 1 --rate 1000 --duration 10 --pub-connections 16 --settle-seconds 10)
scenario_quick_args=(--streams 200 --orders 1 --rate 500 --duration 3 --pub-connections 16 --settle-seconds 5)
scenario_time_limit=150
scenario_metrics=(pub_sent_per_s pub_acked pub_rejected pub_failed expected delivered lost delivered_per_s latency_p99_ms cpu_s)
