# shellcheck shell=bash disable=SC2034
# Scenario "spread", sourced by bench/run-all.sh.
scenario_title="Spread: 10,000 streams over 1,000 orders"
scenario_description="10,000 streams over 1,000 orders (10 per order), 500 events/s round-robin over the orders for 10 s \
(5,000 deliveries/s expected)."
scenario_args=(--streams 10000 --orders 1000 --rate 500 --duration 10)
scenario_quick_args=(--streams 1000 --orders 100 --rate 200 --duration 3)
scenario_time_limit=180
scenario_metrics=(established expected delivered lost delivered_per_s latency_p50_ms latency_p99_ms cpu_s)
