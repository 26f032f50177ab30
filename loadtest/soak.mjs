// Soak: runs the mix at the expected peak for ten minutes, samples every process's resident
// memory (VmRSS from /proc/<pid>/status) and reports whether it stays within +-10%.
// Run after `npm run build`: npm run load:soak [-- --short]
// Options: --short (60 s), --seconds N, --rate N (visits/s instead of the saved expected peak),
// --users N (default 300).
import { runLoad } from './lib/driver.mjs';
import { verifyEffects } from './lib/effects.mjs';
import { expectedPeak } from './lib/peak.mjs';
import {
  latencyChart,
  lineChartSvg,
  loadLine,
  machineLine,
  parseArgs,
  saveResult,
  table,
  writeChart,
  writeSection,
} from './lib/report.mjs';
import { prepareRun } from './lib/setup.mjs';
import { residentKiB } from './lib/stack.mjs';
import { formatMs, formatPercent, perSecond, summarize } from './lib/stats.mjs';

/** Allowed drift of resident memory between the start and the end of the soak. */
const MAX_DRIFT = 0.1;
/** Seconds between memory samples. */
const SAMPLE_EVERY_SECONDS = 5;

const options = parseArgs();
const short = Boolean(options.short);
const userCount = Number(options.users ?? 300);
const seconds = Number(options.seconds ?? (short ? 60 : 600));
// The first sixth of the run (at most a minute) is warm-up: caches fill, JIT compiles, pools
// open. The baseline is the mean of the next sixth, the end is the mean of the last sixth.
const windowSeconds = Math.min(60, seconds / 6);
const log = (line) => process.stdout.write(`${line}\n`);

async function main() {
  if (!(seconds >= 30))
    throw new Error(`--seconds must be at least 30, received ${options.seconds}`);
  const { stack, users } = await prepareRun({ userCount, log });
  try {
    const peak = await expectedPeak({
      rateOption: options.rate,
      gatewayUrl: stack.gatewayUrl,
      users,
      short,
      log,
    });
    log(`soak: ${seconds} s at ${peak.visitsPerSecond} visits/s (from ${peak.source})`);
    const samples = [];
    const sampling = [];
    const result = await runLoad({
      gatewayUrl: stack.gatewayUrl,
      users,
      phases: [{ rate: peak.visitsPerSecond, seconds }],
      onSecond(second) {
        if (second % SAMPLE_EVERY_SECONDS === 0)
          sampling.push(sampleMemory(stack, second, samples));
        if (second > 0 && second % 60 === 0) log(`  ${second} s`);
      },
    });
    await Promise.all(sampling);
    const effects = await verifyEffects(stack, result.effects, { timeoutSeconds: 60 });
    const memory = memoryReport(samples);
    const summary = summarize(result.requests, 0, seconds);
    for (const row of memory) {
      log(
        `${row.name}: baseline ${row.baselineMiB} MiB, end ${row.endMiB} MiB ` +
          `(${formatPercent(row.drift)}), min ${row.minMiB}, max ${row.maxMiB}: ` +
          `${row.within ? 'within' : 'OUTSIDE'} +-10%; RssAnon ${formatPercent(row.anonDrift)}`,
      );
    }
    log(
      `requests ${summary.count}, errors ${formatPercent(summary.errorRate)}, p95 ${formatMs(summary.p95)} ms, p99 ${formatMs(summary.p99)} ms`,
    );
    log(
      `background work: lost ${JSON.stringify(effects.lost)}, duplicates ${JSON.stringify(effects.duplicates)}`,
    );
    await saveResult('soak', { peak, seconds, memory, summary, effects });
    await writeReport({
      peak,
      samples,
      memory,
      summary,
      effects,
      result,
      storeBackend: stack.storeBackend,
      users: users.length,
    });
    log('wrote docs/benchmarks.md (section "Soak") and docs/benchmarks/soak-*.svg');
    if (memory.some((row) => !row.within)) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

/** Reads the RSS of every component's processes; a component's processes are summed. */
async function sampleMemory(stack, second, samples) {
  const sample = { second, kib: {}, anonKib: {} };
  for (const [name, component] of stack.components) {
    const values = await Promise.all(component.pids().map(residentKiB));
    const present = values.filter((value) => value !== undefined);
    if (present.length === 0) continue;
    sample.kib[name] = present.reduce((sum, value) => sum + value.rss, 0);
    sample.anonKib[name] = present.reduce((sum, value) => sum + value.anon, 0);
  }
  samples.push(sample);
}

/** Baseline, end, min and max per component, after warm-up, and the drift verdict. */
function memoryReport(samples) {
  samples.sort((a, b) => a.second - b.second);
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.kib)))];
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const toMiB = (kib) => Math.round((kib / 1024) * 10) / 10;
  return names.map((name) => {
    const series = samples
      .filter((sample) => sample.kib[name] !== undefined)
      .map((sample) => ({
        second: sample.second,
        kib: sample.kib[name],
        anonKib: sample.anonKib[name],
      }));
    const afterWarmUp = series.filter((point) => point.second >= windowSeconds);
    const baselinePoints = afterWarmUp.filter((point) => point.second < 2 * windowSeconds);
    const endPoints = afterWarmUp.filter((point) => point.second >= seconds - windowSeconds);
    const baseline = mean(baselinePoints.map((point) => point.kib));
    const end = mean(endPoints.map((point) => point.kib));
    const drift = end / baseline - 1;
    const anonDrift =
      mean(endPoints.map((point) => point.anonKib)) /
        mean(baselinePoints.map((point) => point.anonKib)) -
      1;
    return {
      name,
      startMiB: toMiB(series[0].kib),
      baselineMiB: toMiB(baseline),
      endMiB: toMiB(end),
      minMiB: toMiB(Math.min(...afterWarmUp.map((point) => point.kib))),
      maxMiB: toMiB(Math.max(...afterWarmUp.map((point) => point.kib))),
      drift,
      anonDrift,
      within: Math.abs(drift) <= MAX_DRIFT,
    };
  });
}

async function writeReport({
  peak,
  samples,
  memory,
  summary,
  effects,
  result,
  storeBackend,
  users,
}) {
  const latency = await writeChart(
    'soak-latency.svg',
    latencyChart(perSecond(result.requests, seconds), {
      title: `Soak at the expected peak (${peak.visitsPerSecond} visits/s): latency per second`,
      markers: [{ x: windowSeconds, label: 'end of warm-up' }],
    }),
  );
  const rss = await writeChart(
    'soak-rss.svg',
    lineChartSvg({
      title: 'Resident memory (VmRSS) per component during the soak',
      xLabel: 'seconds since the run started',
      yLabel: 'MiB',
      markers: [{ x: windowSeconds, label: 'end of warm-up' }],
      series: memory.map((row) => ({
        name: row.name,
        points: samples
          .filter((sample) => sample.kib[row.name] !== undefined)
          .map((sample) => ({ x: sample.second, y: sample.kib[row.name] / 1024 })),
      })),
    }),
  );
  const command = short ? 'npm run load:soak -- --short' : 'npm run load:soak';
  const verdict = memory.every((row) => row.within)
    ? 'Every process stayed within +-10%.'
    : `Outside +-10%: ${memory
        .filter((row) => !row.within)
        .map((row) => row.name)
        .join(', ')}.`;
  await writeSection(
    'soak',
    `## Soak (latest run)

Machine: ${machineLine()}. Store: FerretDB over ${storeBackend === 'postgresql' ? 'a private PostgreSQL' : 'SQLite'}. ${users} seeded users, each logged in with its own token.
${loadLine()}

Command: \`npm run build && ${command}\`

The mix ran for ${seconds} s at the expected peak, ${peak.visitsPerSecond} visits/s (from ${peak.source}).
VmRSS of every process was read from \`/proc/<pid>/status\` every ${SAMPLE_EVERY_SECONDS} s (PostgreSQL: the
postmaster and its backends, summed). The first ${windowSeconds} s are warm-up. The baseline is the mean of the
next ${windowSeconds} s and the end is the mean of the last ${windowSeconds} s. A process passes when the end is within
+-10% of its baseline. Min and max are over everything after warm-up. ${verdict}
The last column is the same comparison for RssAnon, the private memory alone. It leaves out
shared pages, such as PostgreSQL's shared buffers, which each backend's VmRSS counts once it
has touched them. Because code and other shared pages stay constant, RssAnon moves by a larger
share than VmRSS when the heap grows or shrinks.

${table(
  [
    'process',
    'first sample MiB',
    'baseline MiB',
    'end MiB',
    'change',
    'min MiB',
    'max MiB',
    'within +-10%',
    'RssAnon change',
  ],
  memory.map((row) => [
    row.name,
    String(row.startMiB),
    String(row.baselineMiB),
    String(row.endMiB),
    formatPercent(row.drift),
    String(row.minMiB),
    String(row.maxMiB),
    row.within ? 'yes' : 'no',
    formatPercent(row.anonDrift),
  ]),
)}

Requests: ${summary.count}, error rate ${formatPercent(summary.errorRate)} (GraphQL errors ${summary.byOutcome.graphql}),
p50 ${formatMs(summary.p50)} ms, p95 ${formatMs(summary.p95)} ms, p99 ${formatMs(summary.p99)} ms. Background work: ${effects.started.deliveries}
deliveries, ${effects.started.paidCheckouts} paid checkouts, ${effects.started.generations} AI generations; lost ${effects.lost.total};
duplicate charges ${effects.duplicates.charges}, duplicate emails ${effects.duplicates.deliveries + effects.duplicates.outboxEmails}.

![Latency per second during the soak](${latency})

![Resident memory per component during the soak](${rss})
`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
