# shellcheck shell=bash disable=SC2034
# Scenario "roundtrip", sourced by bench/run-all.sh.
scenario_title="Publish round trip with 10,000 idle streams"
scenario_description="10,000 idle streams over 1,000 orders stay open while 100 events/s are published for 10 s to an \
order that has no subscribers. Round trip is from writing the request to reading the complete response."
scenario_args=(--streams 10000 --orders 1000 --rate 100 --duration 10 --pub-order bench-no-subscribers)
scenario_quick_args=(--streams 1000 --orders 100 --rate 50 --duration 3 --pub-order bench-no-subscribers)
scenario_time_limit=180
scenario_metrics=(established pub_acked pub_rejected pub_rtt_p50_ms pub_rtt_p99_ms cpu_s)
