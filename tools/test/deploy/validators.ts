import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DeployTools } from '../../src/deploy/deployTools';

const execFileAsync = promisify(execFile);

/** kubeconform's summary of one run. */
export interface KubeconformReport {
  summary: { valid: number; invalid: number; errors: number; skipped: number };
  /** Messages of the invalid resources and of those without a schema. */
  problems: string[];
}

/**
 * Validates Kubernetes resources (YAML, several documents) with kubeconform in strict mode
 * against the locally generated schemas. A resource whose kind has no schema counts as an
 * error, not as skipped.
 */
export function runKubeconform(tools: DeployTools, yamlText: string): Promise<KubeconformReport> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tools.kubeconform,
      ['-strict', '-summary', '-output', 'json', '-schema-location', tools.schemaLocation, '-'],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        // kubeconform exits with 1 when a resource is invalid; its JSON report lists them.
        try {
          const report = JSON.parse(stdout) as {
            resources: Array<{ kind: string; name: string; status: string; msg: string }>;
            summary: KubeconformReport['summary'];
          };
          resolve({
            summary: report.summary,
            problems: report.resources.map((r) => `${r.kind} ${r.name}: ${r.status} ${r.msg}`),
          });
        } catch {
          reject(error ?? new Error(`kubeconform printed no JSON report: ${stdout.slice(0, 500)}`));
        }
      },
    );
    child.stdin!.end(yamlText);
  });
}

/** Runs compose-config on files and returns its exit status and error output. */
export async function tryComposeConfig(
  tools: DeployTools,
  files: string[],
): Promise<{ ok: boolean; stderr: string }> {
  try {
    await execFileAsync(tools.composeConfig, files, { env: { PATH: process.env.PATH ?? '' } });
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: (error as { stderr?: string }).stderr ?? String(error) };
  }
}
