#!/usr/bin/env node
// Builds the Markdown benchmark page from the files that bench/run-all.sh writes:
//   --scenarios FILE  one JSON object per line: name, title, description, args, metrics
//   --results FILE    one JSON object per line: scenario, server, loadgen_exit, server_alive, result
//   --out FILE        Markdown output
// Machine facts, the command line and the quick flag come from BENCH_* environment variables.
'use strict';

const fs = require('fs');

// Columns of every table, in order. The ratio column follows OrderStream.
const SERVER_ORDER = ['orderstream', 'nchan1', 'nchan2', 'node'];
const RATIO_BASE = 'nchan1';

// Figures a scenario can list in its metrics. `value` derives a figure from a loadgen result.
const METRICS = {
  established: { label: 'Streams established', digits: 0, better: 'higher' },
  failed: { label: 'Streams failed', digits: 0, better: 'lower' },
  closed_by_server: { label: 'Streams closed by server', digits: 0, better: 'lower' },
  connect_p50_ms: { label: 'Connect p50 (ms)', digits: 2, better: 'lower' },
  connect_p99_ms: { label: 'Connect p99 (ms)', digits: 2, better: 'lower' },
  rss_per_stream_kib: { label: 'Server RSS per stream (KiB)', digits: 2, better: 'lower' },
  pss_per_stream_kib: { label: 'Server PSS per stream (KiB)', digits: 2, better: 'lower' },
  rss_idle_mib: {
    label: 'Server RSS with streams (MiB)',
    digits: 1,
    better: 'lower',
    value: (r) => (r.rss_idle_kib == null ? null : r.rss_idle_kib / 1024),
  },
  pub_sent_per_s: { label: 'Publishes sent/s', digits: 0, better: 'higher' },
  pub_acked: { label: 'Publishes acknowledged (2xx)', digits: 0, better: 'higher' },
  pub_rejected: { label: 'Publishes rejected (non-2xx)', digits: 0, better: 'lower' },
  pub_failed: { label: 'Publishes without response', digits: 0, better: 'lower' },
  pub_rtt_p50_ms: { label: 'Publish round trip p50 (ms)', digits: 3, better: 'lower' },
  pub_rtt_p99_ms: { label: 'Publish round trip p99 (ms)', digits: 3, better: 'lower' },
  expected: { label: 'Deliveries expected', digits: 0, better: null },
  delivered: { label: 'Deliveries received', digits: 0, better: 'higher' },
  lost: { label: 'Lost (expected - received)', digits: 0, better: 'lower' },
  delivered_per_s: { label: 'Delivered events/s', digits: 0, better: 'higher' },
  latency_p50_ms: { label: 'Latency p50 (ms)', digits: 2, better: 'lower' },
  latency_p99_ms: { label: 'Latency p99 (ms)', digits: 2, better: 'lower' },
  latency_max_ms: { label: 'Latency max (ms)', digits: 2, better: 'lower' },
  cpu_s: { label: 'Server CPU (s)', digits: 2, better: 'lower' },
  ui_frame_p50_ms: { label: 'Console GUI thread frame p50 (ms)', digits: 1, better: 'lower' },
  ui_frame_p99_ms: { label: 'Console GUI thread frame p99 (ms)', digits: 1, better: 'lower' },
  ui_frame_max_ms: { label: 'Console GUI thread frame max (ms)', digits: 1, better: 'lower' },
  ui_streams_shown_max: { label: 'Open streams shown by the console (max)', digits: 0, better: null },
  ui_events_shown: { label: 'Events published shown by the console', digits: 0, better: null },
  server_events_published: { label: 'Events published (server)', digits: 0, better: null },
};

function parseArguments(argv) {
  const settings = {};
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!['scenarios', 'results', 'out'].includes(name) || argv[i + 1] === undefined) {
      throw new Error(`invalid argument ${argv[i]}; expected --scenarios FILE --results FILE --out FILE`);
    }
    settings[name] = argv[i + 1];
  }
  for (const name of ['scenarios', 'results', 'out']) {
    if (!settings[name]) {
      throw new Error(`missing --${name}`);
    }
  }
  return settings;
}

function readJsonLines(path) {
  if (!fs.existsSync(path)) {
    return [];
  }
  return fs
    .readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line);
      } catch (error) {
        throw new Error(`${path} line ${index + 1}: invalid JSON: ${error.message}`);
      }
    });
}

function serverLabel(server) {
  const workers = process.env.BENCH_ORDERSTREAM_WORKERS || '2';
  switch (server) {
    case 'orderstream':
      return `OrderStream (${workers} workers)`;
    case 'nchan1':
      return 'nchan (1 worker)';
    case 'nchan2':
      return `nchan (${workers} workers)`;
    case 'node':
      return 'Node.js http';
    default:
      return server;
  }
}

function metricValue(name, result) {
  if (!result) {
    return null;
  }
  const metric = METRICS[name];
  const value = metric && metric.value ? metric.value(result) : result[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function formatNumber(value, digits) {
  if (value === null) {
    return 'n/a';
  }
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatRatio(value, base) {
  if (value === null || base === null || base === 0) {
    return 'n/a';
  }
  return `${(value / base).toFixed(2)}x`;
}

function formatCounts(counts) {
  return Object.entries(counts || {})
    .map(([reason, count]) => `${reason} (${count})`)
    .join('; ');
}

// Returns notes on failures, closes, publish errors and server exits of one scenario.
function collectNotes(runs, servers) {
  const notes = [];
  for (const server of servers) {
    const run = runs[server];
    const label = serverLabel(server);
    if (!run) {
      continue;
    }
    if (!run.result) {
      notes.push(`${label}: no result (${run.error || `loadgen exit status ${run.loadgen_exit}`}).`);
      continue;
    }
    const r = run.result;
    if (r.interrupted) {
      notes.push(`${label}: the load generator was interrupted; figures are partial.`);
    }
    if (r.connect_phase_timed_out) {
      notes.push(`${label}: not every stream was established within the connect phase limit.`);
    }
    if (r.failed > 0) {
      notes.push(`${label}: ${r.failed} streams failed: ${formatCounts(r.failure_reasons)}.`);
    }
    if (r.closed_by_server > 0) {
      notes.push(`${label}: server closed ${r.closed_by_server} streams: ${formatCounts(r.close_reasons)}.`);
    }
    if (r.pub_unsent > 0) {
      notes.push(`${label}: ${r.pub_unsent} of ${r.pub_planned} planned publishes were not sent in time.`);
    }
    const errors = formatCounts(r.pub_errors);
    if (errors) {
      notes.push(`${label}: publish errors: ${errors}.`);
    }
    if (r.pub_rejected > 0) {
      notes.push(`${label}: publish statuses: ${formatCounts(r.pub_statuses)}.`);
    }
    if (r.non_event_stream_content_type > 0) {
      notes.push(`${label}: ${r.non_event_stream_content_type} streams lacked Content-Type: text/event-stream.`);
    }
    if (run.server_alive === false) {
      notes.push(`${label}: the server process had exited when the scenario ended.`);
    }
  }
  return notes;
}

function renderScenario(scenario, runs, servers, quick) {
  const lines = [];
  lines.push(`## ${scenario.name}: ${scenario.title}`, '');
  lines.push(scenario.description, '');
  if (quick) {
    lines.push('Quick run: the figures come from the smaller arguments below, not the counts above.', '');
  }
  lines.push(`Load generator arguments: \`${scenario.args}\``, '');

  const columns = servers.flatMap((server) =>
    server === 'orderstream' && servers.includes(RATIO_BASE) ? [server, 'ratio'] : [server]
  );
  const header = columns.map((column) =>
    column === 'ratio' ? `OrderStream / ${serverLabel(RATIO_BASE)}` : serverLabel(column)
  );
  lines.push(`| Figure | ${header.join(' | ')} |`);
  lines.push(`|---|${columns.map(() => '---:').join('|')}|`);

  for (const name of scenario.metrics) {
    const metric = METRICS[name] || { label: name, digits: 2, better: null };
    const hint = metric.better ? ` (${metric.better} is better)` : '';
    const cells = columns.map((column) => {
      if (column === 'ratio') {
        return formatRatio(
          metricValue(name, runs.orderstream && runs.orderstream.result),
          metricValue(name, runs[RATIO_BASE] && runs[RATIO_BASE].result)
        );
      }
      return formatNumber(metricValue(name, runs[column] && runs[column].result), metric.digits);
    });
    lines.push(`| ${metric.label}${hint} | ${cells.join(' | ')} |`);
  }
  lines.push('');

  const notes = collectNotes(runs, servers);
  if (notes.length > 0) {
    lines.push('Notes:', '');
    for (const note of notes) {
      lines.push(`- ${note}`);
    }
    lines.push('');
  }
  return lines;
}

function main() {
  const settings = parseArguments(process.argv);
  const scenarios = readJsonLines(settings.scenarios);
  const results = readJsonLines(settings.results);
  const env = process.env;
  const quick = env.BENCH_QUICK === '1';

  const servers = SERVER_ORDER.filter((server) => (env.BENCH_SERVERS || '').split(',').includes(server));
  const runsByScenario = new Map();
  for (const run of results) {
    if (!runsByScenario.has(run.scenario)) {
      runsByScenario.set(run.scenario, {});
    }
    runsByScenario.get(run.scenario)[run.server] = run;
  }

  const lines = [];
  lines.push('# OrderStream benchmarks', '');
  if (quick) {
    lines.push(
      '> **Quick smoke run (`--quick`).** Counts and durations are reduced so the run only checks that the',
      '> benchmark kit works. These figures are not benchmark results; run `bench/run-all.sh` without',
      '> `--quick` for those.',
      ''
    );
  }
  lines.push(`Generated by \`bench/run-all.sh\` on ${env.BENCH_DATE}.`, '');
  lines.push('Command:', '', '```', env.BENCH_COMMAND, '```', '');
  if (env.BENCH_FAILED_SERVERS) {
    lines.push(`Servers that did not start, with no figures: ${env.BENCH_FAILED_SERVERS}.`, '');
  }

  lines.push('## Machine', '', '| | |', '|---|---|');
  lines.push(`| CPUs (\`nproc\`) | ${env.BENCH_NPROC} |`);
  lines.push(`| CPU model (\`lscpu\`) | ${env.BENCH_CPU_MODEL} |`);
  lines.push(`| Memory | ${env.BENCH_MEMORY} |`);
  lines.push(`| Kernel | ${env.BENCH_KERNEL} |`);
  lines.push(`| Distribution | ${env.BENCH_DISTRIBUTION} |`);
  lines.push(`| Open-file limit per process | ${env.BENCH_NOFILE} |`);
  lines.push(`| OrderStream | ${env.BENCH_ORDERSTREAM_VERSION} |`);
  lines.push(`| Peers | ${env.BENCH_PEER_VERSIONS} |`);
  lines.push('');
  lines.push(
    'The load generator (`orderstream-loadgen`) runs on the same machine and shares its CPUs with the server.',
    'All traffic goes over 127.0.0.1. Every scenario starts a fresh server process on a free port.',
    ''
  );

  lines.push('## How to read the tables', '');
  lines.push(
    '- Each column is one server; "OrderStream / nchan (1 worker)" divides the OrderStream figure by the',
    '  nchan figure of the same run (below 1 means OrderStream has the smaller figure).',
    '- Latency is from the `sentAt` time stamp written into each published event to the moment the',
    '  load generator parsed it from a stream (CLOCK_REALTIME on both sides, same machine).',
    '- "Deliveries expected" is, for each acknowledged publish, the number of open streams of its order;',
    '  "Lost" is expected minus received, so 0 means nothing was lost.',
    '- Server CPU is user + system time of the server processes (nginx master and workers summed) from',
    '  the first publish until every expected event arrived or the settle limit passed.',
    '- RSS per stream sums the RSS of all server processes. With several nginx workers that counts shared',
    '  memory once per worker, so PSS per stream (shared pages split between processes) is shown too.',
    '  PSS also moves when other processes that map the same libraries start or exit, so for a',
    '  single-process server RSS is the steadier figure.',
    ''
  );

  for (const scenario of scenarios) {
    lines.push(...renderScenario(scenario, runsByScenario.get(scenario.name) || {}, servers, quick));
  }

  fs.writeFileSync(settings.out, `${lines.join('\n')}\n`);
}

try {
  main();
} catch (error) {
  console.error(`report.js: ${error.message}`);
  process.exit(1);
}
