# shellcheck shell=bash disable=SC2034
# Scenario "console", sourced by bench/run-all.sh. Runs only against OrderStream, with its
# console window open (offscreen) in the server process.
scenario_title="Console: the window open during the spread load"
scenario_description="The spread load (10,000 streams over 1,000 orders, 500 events/s for 10 s) against a server \
that runs inside the console, as \`orderstream\` without --headless does. A 10 ms timer on the GUI thread measures \
frame times: the time between two turns of the GUI event loop. The console reads the server's counts four times a \
second; \"shown\" figures are what its window displayed."
scenario_args=(--streams 10000 --orders 1000 --rate 500 --duration 10)
scenario_quick_args=(--streams 1000 --orders 100 --rate 200 --duration 3)
scenario_time_limit=180
scenario_metrics=(established delivered lost latency_p99_ms ui_frame_p50_ms ui_frame_p99_ms ui_frame_max_ms
    ui_streams_shown_max ui_events_shown server_events_published)
