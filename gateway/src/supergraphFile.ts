import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@heartfelt/kit';

/**
 * Supplies the gateway with the supergraph SDL from a file, and hands it every new version of
 * the file. When a new version fails to load (a syntax or composition error), the gateway keeps
 * serving the previous supergraph and the failure is logged.
 */
export function supergraphFromFile(options: {
  path: string;
  pollIntervalMs: number;
  logger: Logger;
}): SupergraphSdlHook {
  const { path, pollIntervalMs, logger } = options;

  return async ({ update }) => {
    let current = readFileSync(path, 'utf8');
    logger.info({ path }, 'loaded the supergraph');

    // Polling stat() rather than fs.watch: it survives editors and Kubernetes ConfigMaps that
    // replace the file (or the symlink to it) instead of writing in place.
    const onChange = () => {
      let next: string;
      try {
        next = readFileSync(path, 'utf8');
      } catch (error) {
        logger.error({ err: error, path }, 'cannot read the supergraph; keeping the current one');
        return;
      }
      if (next === current) return;
      try {
        update(next);
        current = next;
        logger.info({ path }, 'reloaded the supergraph');
      } catch (error) {
        logger.error({ err: error, path }, 'new supergraph is invalid; keeping the current one');
      }
    };
    if (pollIntervalMs > 0) watchFile(path, { interval: pollIntervalMs }, onChange);

    return {
      supergraphSdl: current,
      cleanup: async () => unwatchFile(path, onChange),
    };
  };
}
