// Fault runs under load: while the mix runs at the expected peak, kills (SIGKILL) and restarts
// one component at a time: the cache Redis, the queue Redis, the payments subgraph, the store
// (FerretDB) and the cards worker. For each it reports the errors during the fault, the time to
// recover after the restart, the background jobs lost, duplicate charges and emails, and which
// operations kept succeeding while the component was down.
// Run after `npm run build`: npm run load:faults [-- --short]
// Options: --short (shorter phases), --rate N (visits/s instead of the saved expected peak),
// --only name[,name] (run only these faults), --users N (default 300).
import { setTimeout as sleep } from 'node:timers/promises';
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
import {
  formatMs,
  formatPercent,
  perSecond,
  summarize,
  summarizeByOperation,
} from './lib/stats.mjs';

/** The components killed, in order, with what each one's outage should leave working. */
const FAULTS = [
  { name: 'cache-redis', component: 'cache-redis' },
  { name: 'queue-redis', component: 'queue-redis' },
  { name: 'payments subgraph', component: 'payments' },
  { name: 'store', component: 'store' },
  { name: 'cards worker', component: 'cards-worker' },
];

/** A second counts as recovered when at most this share of its requests failed. */
const RECOVERED_ERROR_RATE = 0.01;
/** Consecutive recovered seconds that end a recovery. */
const RECOVERED_SECONDS = 3;
/** Success rate during the fault at which an operation counts as still served. */
const SERVED_SUCCESS_RATE = 0.99;

const options = parseArgs();
const short = Boolean(options.short);
const userCount = Number(options.users ?? 300);
const phases = short
  ? { beforeSeconds: 8, downSeconds: 8, afterSeconds: 14, settleSeconds: 60 }
  : { beforeSeconds: 20, downSeconds: 15, afterSeconds: 40, settleSeconds: 150 };
const log = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const only = typeof options.only === 'string' ? options.only.split(',') : undefined;
  const faults = FAULTS.filter((fault) => !only || only.includes(fault.component));
  if (faults.length === 0) {
    throw new Error(
      `--only matched no fault; names: ${FAULTS.map((fault) => fault.component).join(',')}`,
    );
  }
  const { stack, users } = await prepareRun({ userCount, log });
  try {
    const peak = await expectedPeak({
      rateOption: options.rate,
      gatewayUrl: stack.gatewayUrl,
      users,
      short,
      log,
    });
    log(`running the mix at ${peak.visitsPerSecond} visits/s (expected peak, from ${peak.source})`);
    const results = [];
    for (const fault of faults) {
      results.push(await runFault(stack, users, peak.visitsPerSecond, fault));
    }
    await saveResult('faults', { peak, results });
    await writeReport(peak, results, stack.storeBackend, users.length);
    log(
      'wrote docs/benchmarks.md (section "Fault runs under load") and docs/benchmarks/fault-*.svg',
    );
    const failed = results.filter(
      (result) => result.effects.lost.total > 0 || duplicatesOf(result) > 0,
    );
    if (failed.length > 0) {
      log(`jobs lost or duplicated in: ${failed.map((result) => result.name).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await stack.stop();
  }
}

/** Runs the mix, kills the component after `beforeSeconds`, restarts it `downSeconds` later. */
async function runFault(stack, users, rate, fault) {
  const component = stack.components.get(fault.component);
  const total = phases.beforeSeconds + phases.downSeconds + phases.afterSeconds;
  const timeline = {};
  const actions = [];
  const startedAt = performance.now();
  const elapsed = () => (performance.now() - startedAt) / 1000;
  log(
    `${fault.name}: ${phases.beforeSeconds} s of load, kill, restart after ${phases.downSeconds} s`,
  );

  const result = await runLoad({
    gatewayUrl: stack.gatewayUrl,
    users,
    phases: [{ rate, seconds: total }],
    onSecond(second) {
      if (second === phases.beforeSeconds) {
        actions.push(
          component.kill().then(() => {
            timeline.killedAt = elapsed();
          }),
        );
      }
      if (second === phases.beforeSeconds + phases.downSeconds) {
        actions.push(
          Promise.all(actions.splice(0)).then(async () => {
            timeline.restartAt = elapsed();
            await component.restart();
            timeline.readyAt = elapsed();
          }),
        );
      }
    },
  });
  await Promise.all(actions);
  // The load clock and the fault clock start a few ms apart; the load clock is the reference.
  const summary = summarizeFault(result, timeline, total);
  log(
    `  errors during the fault ${summary.duringFault.errors}/${summary.duringFault.count}, ` +
      `recovered ${summary.recoverySeconds === null ? 'not within the run' : `${summary.recoverySeconds} s after the restart`}; ` +
      `still served: ${summary.served.join(', ') || 'none'}`,
  );
  log(`  waiting up to ${phases.settleSeconds} s for background work to finish`);
  const effects = await verifyEffects(stack, result.effects, {
    timeoutSeconds: phases.settleSeconds,
  });
  log(
    `  started ${JSON.stringify(effects.started)}, lost ${JSON.stringify(effects.lost)}, duplicates ${JSON.stringify(effects.duplicates)}`,
  );
  const points = perSecond(result.requests, total);
  const chart = await writeChart(
    `fault-${fault.component}.svg`,
    latencyChart(points, {
      title: `Latency per second while the ${fault.name} is killed and restarted`,
      markers: [
        { x: timeline.killedAt, label: 'kill' },
        { x: timeline.readyAt, label: 'ready' },
      ],
    }),
  );
  // Give the graph a moment between faults, so one fault's tail is not counted in the next.
  await sleep(2000);
  return {
    name: fault.name,
    component: fault.component,
    timeline,
    ...summary,
    effects,
    sampleErrors: result.sampleErrors,
    chart,
    errorsPerSecond: points.map((point) => ({ x: point.second, y: point.errors })),
  };
}

/** Errors during the fault, recovery time after the restart, and operations still served. */
function summarizeFault(result, timeline, total) {
  const duringFault = summarize(result.requests, timeline.killedAt, timeline.readyAt);
  const byOperation = summarizeByOperation(result.requests, timeline.killedAt, timeline.readyAt);
  const served = Object.entries(byOperation)
    .filter(([, summary]) => summary.count > 0 && 1 - summary.errorRate >= SERVED_SUCCESS_RATE)
    .map(([name]) => name);
  const failing = Object.entries(byOperation)
    .filter(([, summary]) => summary.count > 0 && 1 - summary.errorRate < SERVED_SUCCESS_RATE)
    .map(([name, summary]) => {
      const partial = result.requests.filter(
        (request) =>
          request.op === name &&
          request.partial &&
          request.at >= timeline.killedAt * 1000 &&
          request.at < timeline.readyAt * 1000,
      ).length;
      const note = partial > 0 ? `, ${partial} of ${summary.count} with partial data` : '';
      return `${name} ${formatPercent(1 - summary.errorRate)} success${note}`;
    });

  const points = perSecond(result.requests, total);
  const firstAfter = Math.floor(timeline.readyAt);
  let recoverySeconds = null;
  for (let second = firstAfter; second + RECOVERED_SECONDS <= total; second += 1) {
    const window = points.slice(second, second + RECOVERED_SECONDS);
    const healthy = window.every(
      (point) => point.count > 0 && point.errors / point.count <= RECOVERED_ERROR_RATE,
    );
    if (healthy) {
      recoverySeconds = Math.max(0, Math.round((second - timeline.readyAt) * 10) / 10);
      break;
    }
  }
  return {
    duringFault,
    before: summarize(result.requests, 1, timeline.killedAt),
    after:
      recoverySeconds === null
        ? null
        : summarize(result.requests, timeline.readyAt + recoverySeconds, total),
    recoverySeconds,
    served,
    failing,
  };
}

function duplicatesOf(result) {
  const { charges, deliveries, repeatedSends, outboxEmails } = result.effects.duplicates;
  return charges + deliveries + repeatedSends + outboxEmails;
}

async function writeReport(peak, results, storeBackend, users) {
  const errorsChart = await writeChart(
    'fault-errors.svg',
    lineChartSvg({
      title: 'Failed requests per second in each fault run (kill at the first marker)',
      xLabel: 'seconds since the run started',
      yLabel: 'failed requests per second',
      markers: [
        { x: phases.beforeSeconds, label: 'kill' },
        { x: phases.beforeSeconds + phases.downSeconds, label: 'restart' },
      ],
      series: results.map((result) => ({ name: result.component, points: result.errorsPerSecond })),
    }),
  );
  const command = `npm run load:faults${short ? ' -- --short' : ''}`;
  const rows = results.map((result) => [
    result.name,
    `${(result.timeline.readyAt - result.timeline.killedAt).toFixed(1)} s`,
    `${result.duringFault.errors} / ${result.duringFault.count} (${formatPercent(result.duringFault.errorRate)})`,
    result.recoverySeconds === null ? 'not recovered' : `${result.recoverySeconds} s`,
    `${result.effects.lost.total} of ${result.effects.started.deliveries + result.effects.started.paidCheckouts + result.effects.started.generations}`,
    `${result.effects.duplicates.charges} charges, ${result.effects.duplicates.deliveries + result.effects.duplicates.outboxEmails} emails, ${result.effects.duplicates.repeatedSends} resends`,
    String(result.effects.duplicates.chargedNotPaid),
    result.served.join(', ') || 'none',
  ]);
  const details = results
    .map(
      (result) =>
        `- **${result.name}**: before the kill p99 ${formatMs(result.before.p99)} ms; ` +
        `operations below ${formatPercent(SERVED_SUCCESS_RATE)} success during the fault: ${result.failing.join(', ') || 'none'}. ` +
        `Background work started: ${result.effects.started.deliveries} deliveries, ` +
        `${result.effects.started.paidCheckouts} paid checkouts (of ${result.effects.started.checkouts} attempted), ` +
        `${result.effects.started.generations} AI generations (${result.effects.failedGenerations} ended FAILED). ` +
        `Lost: ${JSON.stringify(result.effects.lost)}. First error message per operation: ` +
        `${
          Object.entries(result.sampleErrors)
            .map(([key, entry]) => `${key} x${entry.count} "${entry.message.slice(0, 90)}"`)
            .join('; ') || 'none'
        }. [latency chart](${result.chart})`,
    )
    .join('\n');
  await writeSection(
    'faults',
    `## Fault runs under load (latest run)

Machine: ${machineLine()}. Store: FerretDB over ${storeBackend === 'postgresql' ? 'a private PostgreSQL' : 'SQLite'}. ${users} seeded users, each logged in with its own token.
${loadLine()}

Command: \`npm run build && ${command}\`

The mix runs at the expected peak, ${peak.visitsPerSecond} visits/s (from ${peak.source}). In each run the
component gets SIGKILL after ${phases.beforeSeconds} s and is started again (same port, same data) ${phases.downSeconds} s later;
load continues for ${phases.afterSeconds} s after that. The store fault kills FerretDB; its PostgreSQL keeps running.
The killed subgraph is payments and the killed worker is cards-worker, which sends the deliveries.

- *Errors during the fault*: failed requests (non-2xx, network errors, or GraphQL errors in a 200)
  that started between the kill and the restarted process being ready.
- *Recovery*: seconds from ready until the first of ${RECOVERED_SECONDS} consecutive seconds with at most
  ${formatPercent(RECOVERED_ERROR_RATE)} failed requests.
- *Jobs lost*: after the run the script waits up to ${phases.settleSeconds} s, then counts scheduled
  cards not SENT, paid orders without their payment event in \`payment_events\`, and AI
  generations still PENDING. It must be 0.
- *Duplicates*: sandbox charges beyond one per order (for every attempted checkout, including
  those retried with the same idempotency key), deliveries or outbox emails beyond one per card, and
  deliveries whose email went to the mailer more than once (\`sendAttempts\` above 1). They must be 0.
- *Charged, not PAID*: orders that have a sandbox charge but are not PAID, such as a checkout whose
  client gave up after its retries.
- *Still served*: operations with at least ${formatPercent(SERVED_SUCCESS_RATE)} success during the fault.

${table(
  [
    'killed',
    'down until ready',
    'errors during the fault',
    'recovery after ready',
    'jobs lost',
    'duplicates',
    'charged, not PAID',
    'still served',
  ],
  rows,
)}

${details}

![Failed requests per second in each fault run](${errorsChart})
`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
