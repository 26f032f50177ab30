// Summaries of recorded requests: error rates, latency percentiles and per-second series.

/** Returns the p-th percentile (0-100) of already sorted numbers, nearest-rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

/** Summarizes the requests that started in [fromSeconds, toSeconds). */
export function summarize(requests, fromSeconds = 0, toSeconds = Infinity) {
  const inWindow = requests.filter(
    (request) => request.at >= fromSeconds * 1000 && request.at < toSeconds * 1000,
  );
  const durations = inWindow.map((request) => request.ms).sort((a, b) => a - b);
  const byOutcome = { ok: 0, http: 0, graphql: 0, network: 0 };
  for (const request of inWindow) byOutcome[request.outcome] += 1;
  const errors = inWindow.length - byOutcome.ok;
  const span = Math.min(toSeconds, lastSecondOf(requests)) - fromSeconds;
  return {
    count: inWindow.length,
    errors,
    errorRate: inWindow.length === 0 ? 0 : errors / inWindow.length,
    byOutcome,
    // Successful requests per second of the window.
    throughput: span > 0 ? byOutcome.ok / span : 0,
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    p99: percentile(durations, 99),
  };
}

function lastSecondOf(requests) {
  let last = 0;
  for (const request of requests) last = Math.max(last, request.at / 1000);
  return Math.ceil(last);
}

/** Returns one summary per operation name. */
export function summarizeByOperation(requests, fromSeconds, toSeconds) {
  const names = [...new Set(requests.map((request) => request.op))].sort();
  return Object.fromEntries(
    names.map((name) => [
      name,
      summarize(
        requests.filter((request) => request.op === name),
        fromSeconds,
        toSeconds,
      ),
    ]),
  );
}

/**
 * Returns per-second points `{ second, count, errors, p50, p95, p99 }` by request start, over
 * `seconds` seconds.
 */
export function perSecond(requests, seconds) {
  const buckets = Array.from({ length: seconds }, () => ({ durations: [], errors: 0 }));
  for (const request of requests) {
    const bucket = buckets[Math.floor(request.at / 1000)];
    if (!bucket) continue;
    bucket.durations.push(request.ms);
    if (request.outcome !== 'ok') bucket.errors += 1;
  }
  return buckets.map((bucket, second) => {
    const sorted = bucket.durations.sort((a, b) => a - b);
    return {
      second,
      count: sorted.length,
      errors: bucket.errors,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    };
  });
}

/** Formats milliseconds for a table: one decimal under 10 ms, whole numbers above. */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

/** Formats a rate in [0, 1] as a percentage with two decimals. */
export function formatPercent(rate) {
  return `${(rate * 100).toFixed(2)}%`;
}
