import type { Logger } from './logger';
import { shutdownTracing } from './telemetry/start';

/**
 * Runs `drain` once on the first SIGTERM or SIGINT, exports the remaining spans, then exits:
 * with status 0 when it finished, or 1 when it threw (logged). A second signal during the drain
 * is ignored.
 */
export function drainOnTerminationSignal(
  logger: Logger,
  drain: (signal: NodeJS.Signals) => Promise<void>,
): void {
  let stopping = false;
  const handle = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    try {
      await drain(signal);
    } catch (error) {
      logger.error({ err: error, signal }, 'shutdown failed');
      process.exit(1);
    }
    // Export the spans of the last requests before the process ends; an unreachable receiver
    // must not block the exit for long.
    await Promise.race([
      shutdownTracing().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5000).unref()),
    ]);
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void handle(signal));
  }
}
