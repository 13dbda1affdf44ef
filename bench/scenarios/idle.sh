# shellcheck shell=bash disable=SC2034
# Scenario "idle", sourced by bench/run-all.sh.
scenario_title="Idle streams: memory and connect time"
scenario_description="5,000 streams over 1,000 orders, held for 10 s without publishing. \
RSS per stream is (server RSS after the idle period minus server RSS before the first stream) divided by the established streams."
scenario_args=(--streams 5000 --orders 1000 --idle-seconds 10)
scenario_quick_args=(--streams 500 --orders 100 --idle-seconds 2)
scenario_time_limit=120
scenario_metrics=(established failed connect_p50_ms connect_p99_ms rss_per_stream_kib pss_per_stream_kib rss_idle_mib)
