// Finds the throughput at which the graph saturates: the arrival rate is raised step by step
// until the graph no longer keeps up with it or its p99 latency crosses a bound.
import { runLoad } from './driver.mjs';
import { summarize } from './stats.mjs';

/** Share of the offered visits that must complete within a step for the graph to keep up. */
const KEEP_UP_RATIO = 0.9;
/** Error rate above which a step counts as broken. */
const MAX_ERROR_RATE = 0.05;

/**
 * Steps the visit rate from `startRate` up by `factor` each `stepSeconds` until a step breaks:
 * fewer than 90% of the offered visits complete, p99 exceeds `p99BoundMs`, over 5% of
 * requests fail, or arrivals are dropped because every user is busy. A step that broke on p99
 * alone is repeated once. Returns every step and
 * the saturation throughput, the highest rate of completed visits (and of successful
 * requests) that any step reached.
 */
export async function findSaturation({
  gatewayUrl,
  users,
  stepSeconds,
  startRate = 5,
  factor = 1.5,
  maxSteps = 12,
  p99BoundMs = 2000,
  log = () => {},
}) {
  const steps = [];
  let rate = startRate;
  let repeated = false;
  for (let index = 0; index < maxSteps; index += 1) {
    const result = await runLoad({ gatewayUrl, users, phases: [{ rate, seconds: stepSeconds }] });
    // The first second ramps up from idle, so it is left out of the step's latencies.
    const summary = summarize(result.requests, 1, stepSeconds);
    const visitsPerSecond = result.visits.completed / stepSeconds;
    const reasons = [];
    if (visitsPerSecond < KEEP_UP_RATIO * rate) reasons.push('fell behind the arrival rate');
    if (summary.p99 > p99BoundMs) reasons.push(`p99 above ${p99BoundMs} ms`);
    if (summary.errorRate > MAX_ERROR_RATE) reasons.push('error rate above 5%');
    if (result.visits.dropped > 0) reasons.push(`${result.visits.dropped} arrivals dropped`);
    const step = {
      offeredRate: rate,
      visitsPerSecond,
      requestsPerSecond: summary.throughput,
      p50: summary.p50,
      p95: summary.p95,
      p99: summary.p99,
      errorRate: summary.errorRate,
      dropped: result.visits.dropped,
      broken: reasons.join(', '),
    };
    steps.push(step);
    log(
      `step ${rate.toFixed(1)} visits/s: ${visitsPerSecond.toFixed(1)} visits/s, ` +
        `${summary.throughput.toFixed(1)} requests/s, p99 ${Math.round(summary.p99)} ms` +
        (step.broken ? ` (${step.broken})` : ''),
    );
    // On a shared machine one slow moment can push a step's p99 over the bound. A step that
    // kept up and broke only on latency is run once more, and only a second break counts.
    const latencyOnly = reasons.length === 1 && reasons[0].startsWith('p99');
    if (step.broken && latencyOnly && !repeated) {
      repeated = true;
      step.broken += ' (repeated once to confirm)';
      continue;
    }
    if (step.broken) break;
    repeated = false;
    rate *= factor;
  }
  const confirmed = steps.filter((step) => !step.broken.endsWith('(repeated once to confirm)'));
  const best = confirmed.reduce((top, step) =>
    step.visitsPerSecond > top.visitsPerSecond ? step : top,
  );
  return {
    steps,
    saturationVisitsPerSecond: best.visitsPerSecond,
    saturationRequestsPerSecond: Math.max(...confirmed.map((step) => step.requestsPerSecond)),
    saturated: Boolean(steps.at(-1).broken),
  };
}
