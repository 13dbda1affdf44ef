# shellcheck shell=bash disable=SC2034
# Scenario "fanout", sourced by bench/run-all.sh.
scenario_title="Fan-out to 1,000 subscribers of one order"
scenario_description="1,000 streams on one order, 200 events/s published to that order for 10 s \
(200,000 deliveries/s requested). Publishes go over 16 keep-alive connections without pipelining. \
With nchan the publish round trip was about as long as the delivery latency (40 to 100 ms), so with the default \
4 connections it reached fewer than 100 publishes/s on the 2-core machine. Compare \"publishes sent/s\" with 200."
scenario_args=(--streams 1000 --orders 1 --rate 200 --duration 10 --pub-connections 16)
scenario_quick_args=(--streams 200 --orders 1 --rate 100 --duration 3 --pub-connections 16)
scenario_time_limit=120
scenario_metrics=(pub_sent_per_s pub_acked expected delivered lost delivered_per_s latency_p50_ms latency_p99_ms latency_max_ms cpu_s)
