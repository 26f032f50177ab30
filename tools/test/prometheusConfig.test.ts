import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePromtool } from '@heartfelt/devstack';
import { repoRoot } from './deploy/codeInventory';

// The Prometheus configuration of docker-compose.yml, as Prometheus itself would load it.
// deployManifests.test.ts checks its targets against the compose services, and
// deployServices.test.ts checks the Grafana dashboard against the metrics the processes expose.

const execFileAsync = promisify(execFile);

it(
  'passes promtool check config',
  async () => {
    const promtool = await ensurePromtool({ projectRoot: repoRoot });
    const config = path.join(repoRoot, 'deploy', 'compose', 'prometheus.yml');
    const result = await execFileAsync(promtool, ['check', 'config', '--lint=all', config]).then(
      ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    expect(result).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') as string });
    expect(result.output).not.toMatch(/WARNING|FAILED/);
  },
  20 * 60_000,
);
