import { parseArgs } from 'node:util';
import {
  ConfigError,
  createCacheRedis,
  createLogger,
  loadConfig,
  readSlowResolverReport,
  type SlowResolverReport,
} from '@heartfelt/kit';
import { z } from 'zod';

const USAGE = `Usage: npm run report:slow-resolvers -- [--minutes 15] [--limit 20] [--json]

Prints the slowest resolvers of the last --minutes (1 to 120) by p95 duration, from the resolver
span samples the subgraphs write to the cache Redis (REDIS_URL, default redis://127.0.0.1:6380)
while tracing is on.`;

const settings = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6380'),
};

const options = z.object({
  minutes: z.coerce.number().int().min(1).max(120),
  limit: z.coerce.number().int().min(1).max(200),
});

/** Formats the report as a fixed-width table, one resolver a line. */
export function formatSlowResolverReport(report: SlowResolverReport): string {
  const header = ['resolver', 'service', 'count', 'p50 ms', 'p95 ms', 'max ms', 'slowest trace'];
  const rows = report.resolvers.map((row) => [
    row.resolver,
    row.service,
    String(row.count),
    row.p50Ms.toFixed(1),
    row.p95Ms.toFixed(1),
    row.maxMs.toFixed(1),
    row.slowestTraceId,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const title = `Slowest resolvers since ${report.since} (${report.minutes} min, ${report.samples} samples)`;
  if (rows.length === 0) {
    return `${title}\nNo resolver spans recorded: is tracing on (OTEL_EXPORTER_OTLP_ENDPOINT) and TRACE_SLOW_RESOLVER_SAMPLES above 0?`;
  }
  return [title, line(header), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '15' },
      limit: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const parsed = options.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(
      `Invalid option: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}\n${USAGE}\n`,
    );
    process.exit(64);
  }
  let redisUrl: string;
  try {
    redisUrl = loadConfig(settings).REDIS_URL;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }

  const redis = createCacheRedis(redisUrl, createLogger('slow-resolver-report', 'warn'));
  try {
    await new Promise((resolve, reject) => {
      redis.once('ready', resolve);
      setTimeout(
        () => reject(new Error('the cache Redis (REDIS_URL) did not respond within 5 s')),
        5000,
      ).unref();
    });
    const report = await readSlowResolverReport(redis, parsed.data);
    process.stdout.write(
      values.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${formatSlowResolverReport(report)}\n`,
    );
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`report:slow-resolvers failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
