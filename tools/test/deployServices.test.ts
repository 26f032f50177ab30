import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, spawnManaged, type ManagedProcess } from '@heartfelt/devstack';
import { startDataServices, type DataServices } from '@heartfelt/testkit';
import { ensureDeployTools, type DeployTools } from '../src/deploy/deployTools';
import {
  findEntryPoints,
  findSettingDefinitions,
  repoRoot,
  type EntryPoint,
} from './deploy/codeInventory';
import {
  buildKustomization,
  composeProcesses,
  kubernetesOverlays,
  kubernetesProcesses,
  loadComposeProject,
  overlayFolder,
  podLabelsOf,
  podSpecOf,
  type ComposeProject,
  type DeployedProcess,
  type Resource,
} from './deploy/deployments';
import {
  matchesGlob,
  parseDockerfile,
  runtimeCopyGlobs,
  stageEnvironment,
  stageHealthcheck,
} from './deploy/dockerfile';
import {
  planLocalRun,
  writeConfigMapFolder,
  type InfrastructureRole,
  type LocalRun,
} from './deploy/localRun';

// Starts every process of docker-compose.yml and of each Kubernetes overlay as the files
// describe it: the built script, in production mode, with exactly the image's and the
// manifest's environment, where only in-cluster addresses, ports, Secret values and mounted
// folders are replaced by local ones. Each platform's processes start in parallel against one
// FerretDB and two Redis servers.

const execFileAsync = promisify(execFile);
const READY_TIMEOUT_MS = 120_000;
const platforms = ['compose', ...kubernetesOverlays.map((overlay) => `kubernetes/${overlay}`)];
const entryPoints = findEntryPoints();
const settings = findSettingDefinitions();
const stages = parseDockerfile();
const imageEnv = stageEnvironment(stages.at(-1)!);
const recorder = path.join(repoRoot, 'tools', 'dist', 'deploy', 'recordProcessInputs.js');

/** What happened to one process of one platform. */
interface Outcome {
  run: LocalRun;
  managed?: ManagedProcess;
  output: string[];
  /** Why it did not become ready (or, for a job, why it did not end as expected). */
  failure?: string;
  recordFile: string;
  exitCode?: number | null;
  stopSeconds?: number;
  metrics?: string;
}

let tools: DeployTools;
let data: DataServices;
let scratchDir: string;
let compose: ComposeProject;
const resourcesByOverlay = new Map<string, Resource[]>();
const outcomes = new Map<string, Map<string, Outcome>>();

function entryOf(name: string): EntryPoint {
  return entryPoints.find((entry) => entry.name === name)!;
}

function composeRole(host: string): InfrastructureRole | undefined {
  const service = compose.services[host];
  if (!service) return undefined;
  if (service.image?.startsWith('mongo')) return 'store';
  if (service.image?.startsWith('redis')) {
    return service.command?.includes('noeviction') ? 'queue' : 'cache';
  }
  return undefined;
}

function kubernetesRole(resources: Resource[], host: string): InfrastructureRole | undefined {
  const service = resources.find((r) => r.kind === 'Service' && r.metadata.name === host);
  if (!service) return undefined;
  const selector = (service.spec as { selector: Record<string, string> }).selector;
  const workload = resources.find(
    (r) =>
      (r.kind === 'Deployment' || r.kind === 'StatefulSet') &&
      Object.entries(selector).every(([key, value]) => podLabelsOf(r)[key] === value),
  );
  const container = workload && podSpecOf(workload)!.containers[0]!;
  if (!container?.image.startsWith('redis')) return undefined;
  const args = (container as { args?: string[] }).args ?? [];
  return args.includes('noeviction') ? 'queue' : 'cache';
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

async function returnsOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts one local run and waits until its readiness path returns 200, or a job exits. */
async function start(run: LocalRun, recordFile: string): Promise<Outcome> {
  const outcome: Outcome = { run, output: [], recordFile };
  outcome.managed = await spawnManaged({
    name: `${run.process.platform} ${run.process.name}`,
    command: process.execPath,
    args: [run.script],
    // Exactly the planned variables, plus PATH and the recorder: nothing from this process.
    env: {
      PATH: process.env.PATH ?? '',
      ...run.env,
      NODE_OPTIONS: `--require ${recorder}`,
      HEARTFELT_RECORD_FILE: recordFile,
    },
    cwd: repoRoot,
    onOutput: (line) => outcome.output.push(line),
  });
  let exited = false;
  void outcome.managed.exited.then((code) => {
    exited = true;
    outcome.exitCode = code;
  });

  if (run.process.oneShot) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise((resolve) => (timer = setTimeout(resolve, 60_000)));
    await Promise.race([outcome.managed.exited, timedOut]);
    clearTimeout(timer);
    if (!exited) {
      await outcome.managed.stop();
      outcome.failure = 'did not exit within 60 s';
    }
    return outcome;
  }

  const url = `http://127.0.0.1:${run.port}${run.process.probes.readiness}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      outcome.failure = `exited with code ${outcome.exitCode} before ${url} returned 200`;
      return outcome;
    }
    if (await returnsOk(url)) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  outcome.failure = `${url} did not return 200 within ${READY_TIMEOUT_MS} ms`;
  return outcome;
}

function describeFailure(outcome: Outcome): string | undefined {
  if (outcome.failure === undefined) return undefined;
  return `${outcome.failure}\n${outcome.output.slice(-15).join('\n')}`;
}

/** Plans and starts every process of a platform in parallel. */
async function startPlatform(platform: string, processes: DeployedProcess[]): Promise<void> {
  const longRunning = processes.filter((p) => !p.oneShot);
  const ports = await freePorts(longRunning.length);
  const context = {
    data,
    ports: new Map(longRunning.map((p, index) => [p.name, ports[index]!])),
    scratchDir: path.join(scratchDir, platform.replace('/', '-')),
    infrastructureRole: (host: string) =>
      platform === 'compose'
        ? composeRole(host)
        : kubernetesRole(resourcesByOverlay.get(platform.split('/')[1]!)!, host),
  };
  const results = await Promise.all(
    processes.map((deployed) => {
      const script = path.join(repoRoot, entryOf(deployed.name).script);
      const run = planLocalRun(deployed, script, imageEnv, context);
      const recordFile = path.join(
        scratchDir,
        `${platform.replace('/', '-')}-${deployed.name}.jsonl`,
      );
      return start(run, recordFile);
    }),
  );
  outcomes.set(platform, new Map(results.map((outcome) => [outcome.run.process.name, outcome])));
}

beforeAll(async () => {
  tools = await ensureDeployTools(repoRoot, (line) => console.log(line));
  scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heartfelt-deploy-'));
  [data, compose] = await Promise.all([startDataServices(), loadComposeProject(tools)]);
  for (const overlay of kubernetesOverlays) {
    resourcesByOverlay.set(overlay, await buildKustomization(tools, overlayFolder(overlay)));
  }
  const started = Date.now();
  await startPlatform('compose', composeProcesses(compose));
  for (const overlay of kubernetesOverlays) {
    const platform = `kubernetes/${overlay}`;
    await startPlatform(platform, kubernetesProcesses(platform, resourcesByOverlay.get(overlay)!));
  }
  console.log(`deployed processes started in ${Math.round((Date.now() - started) / 1000)} s`);
}, 20 * 60_000);

afterAll(async () => {
  const running = [...outcomes.values()].flatMap((byName) => [...byName.values()]);
  await Promise.all(running.map((outcome) => outcome.managed?.stop()));
  await data?.stop();
  if (scratchDir) fs.rmSync(scratchDir, { recursive: true, force: true });
}, 60_000);

function outcomesOf(platform: string): Outcome[] {
  return [...outcomes.get(platform)!.values()];
}

function longRunningOf(platform: string): Outcome[] {
  return outcomesOf(platform).filter((outcome) => !outcome.run.process.oneShot);
}

/** Reads what the recorder wrote: the variables read and, after exit, modules and files. */
function readRecord(outcome: Outcome): { env: Set<string>; modules: string[]; files: string[] } {
  const lines = fs.existsSync(outcome.recordFile)
    ? fs.readFileSync(outcome.recordFile, 'utf8').trim().split('\n')
    : [];
  const record = { env: new Set<string>(), modules: [] as string[], files: [] as string[] };
  for (const line of lines.filter((l) => l !== '')) {
    const entry = JSON.parse(line) as { env?: string; modules?: string[]; files?: string[] };
    if (entry.env) record.env.add(entry.env);
    if (entry.modules) record.modules = entry.modules;
    if (entry.files) record.files = entry.files;
  }
  return record;
}

describe.each(platforms)('%s', (platform) => {
  it('starts every process with the manifest environment', () => {
    for (const outcome of longRunningOf(platform)) {
      expect({ process: outcome.run.process.name, failure: describeFailure(outcome) }).toEqual({
        process: outcome.run.process.name,
        failure: undefined,
      });
    }
  });

  it('runs every process with NODE_ENV=production', () => {
    for (const outcome of outcomesOf(platform)) {
      expect({ process: outcome.run.process.name, NODE_ENV: outcome.run.env.NODE_ENV }).toEqual({
        process: outcome.run.process.name,
        NODE_ENV: 'production',
      });
    }
  });

  it('runs the sharding job up to the router check', () => {
    // FerretDB is no mongos router, so the job must get past configuration and connection and
    // stop at its router check; exit status 78 would mean a rejected setting.
    const job = outcomesOf(platform).find((outcome) => outcome.run.process.oneShot)!;
    expect(job.failure).toBeUndefined();
    expect(job.exitCode).toBe(1);
    expect(job.output.join('\n')).toMatch(/does not point at a mongos router/);
  });

  it('passes the container health checks', async () => {
    const imageCheck = stageHealthcheck(stages.at(-1)!)!;
    for (const outcome of longRunningOf(platform)) {
      // The image's check, and on compose the service's own (its `test` after "CMD").
      const checks = [imageCheck];
      const composeTest = compose.services[outcome.run.process.name]?.healthcheck?.test;
      if (platform === 'compose' && composeTest) checks.push(composeTest.slice(1));

      for (const [command, ...args] of checks) {
        const env = { PATH: process.env.PATH ?? '', PORT: String(outcome.run.port) };
        const program = command === 'node' ? process.execPath : command!;
        const status = await execFileAsync(program, args, { env, timeout: 10_000 }).then(
          () => 0,
          (error: { code?: number }) => error.code ?? 1,
        );
        const check = args.join(' ');
        expect({ process: outcome.run.process.name, check, status }).toEqual({
          process: outcome.run.process.name,
          check,
          status: 0,
        });
      }
    }
  });

  it('collects the metrics of every process', async () => {
    for (const outcome of longRunningOf(platform)) {
      const response = await fetch(`http://127.0.0.1:${outcome.run.port}/metrics`);
      outcome.metrics = await response.text();
      expect({ process: outcome.run.process.name, status: response.status }).toEqual({
        process: outcome.run.process.name,
        status: 200,
      });
    }
  });

  if (platform.startsWith('kubernetes/')) {
    it('reloads a new supergraph from the ConfigMap without a restart', async () => {
      const gateway = outcomes.get(platform)!.get('gateway')!;
      const supergraphPath = gateway.run.env.SUPERGRAPH_PATH!;
      const [target, folder] = [...gateway.run.configMapFolders].find(([, local]) =>
        supergraphPath.startsWith(`${local}/`),
      )!;
      expect(target).toBeDefined();
      const pid = gateway.managed!.pid;
      const current = fs.readFileSync(supergraphPath, 'utf8');
      const linesBefore = gateway.output.length;

      // The update kubelet makes when the ConfigMap changes: a new `..data` folder.
      writeConfigMapFolder(folder, {
        [path.basename(supergraphPath)]: `${current}\n# rolled out by the deployment test\n`,
      });
      const pollMs = Number(gateway.run.env.SUPERGRAPH_POLL_INTERVAL_MS ?? 1000);
      const deadline = Date.now() + pollMs * 3 + 10_000;
      const reloaded = () =>
        gateway.output.slice(linesBefore).some((line) => line.includes('reloaded the supergraph'));
      while (!reloaded() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }

      expect(reloaded()).toBe(true);
      expect(gateway.managed!.pid).toBe(pid);
      expect(await returnsOk(`http://127.0.0.1:${gateway.run.port}/readyz`)).toBe(true);
    }, 60_000);
  }

  it('stops every process cleanly within its grace period', async () => {
    await Promise.all(
      longRunningOf(platform).map(async (outcome) => {
        const started = Date.now();
        await outcome.managed!.stop(outcome.run.process.terminationGraceSeconds * 1000);
        outcome.stopSeconds = (Date.now() - started) / 1000;
      }),
    );
    for (const outcome of longRunningOf(platform)) {
      const { name, terminationGraceSeconds } = outcome.run.process;
      // A process ended by the signal itself skipped its drain: something re-raised SIGTERM.
      const exit = outcome.exitCode === null ? 'ended by a signal' : `code ${outcome.exitCode}`;
      expect({ process: name, exit }).toEqual({ process: name, exit: 'code 0' });
      expect({ process: name, inTime: outcome.stopSeconds! < terminationGraceSeconds }).toEqual({
        process: name,
        inTime: true,
      });
    }
  }, 120_000);

  it('reads every variable its manifest sets', () => {
    for (const outcome of outcomesOf(platform)) {
      const read = readRecord(outcome).env;
      const unread = Object.keys(outcome.run.process.env).filter((name) => !read.has(name));
      expect({ process: outcome.run.process.name, unread }).toEqual({
        process: outcome.run.process.name,
        unread: [],
      });
    }
  });

  it('sets every setting it reads that has no portable default', () => {
    // A default naming 127.0.0.1 or a path in the repository is wrong in a container, and a
    // setting without a default must be set (unless optional).
    for (const outcome of outcomesOf(platform)) {
      const read = readRecord(outcome).env;
      const missing = [...read].filter((name) => {
        const definitions = settings.get(name);
        if (!definitions || name in outcome.run.env) return false;
        return definitions.every((d) => !d.hasPortableDefault && !d.optional);
      });
      expect({ process: outcome.run.process.name, missing }).toEqual({
        process: outcome.run.process.name,
        missing: [],
      });
    }
  });

  it('loads only files the image contains', async () => {
    const { stdout } = await execFileAsync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const productionPackages = new Set(stdout.split('\n').filter((line) => line !== ''));
    const globs = runtimeCopyGlobs(stages);

    for (const outcome of outcomesOf(platform)) {
      const { modules, files } = readRecord(outcome);
      // The recorder lists modules in an exit handler, which a process ended by a signal skips.
      const recorded =
        modules.length > 0 ? 'yes' : outcome.exitCode === null ? 'no, ended by a signal' : 'no';
      expect({ process: outcome.run.process.name, recorded }).toEqual({
        process: outcome.run.process.name,
        recorded: 'yes',
      });
      const outside: string[] = [];
      for (const file of [...modules, ...files]) {
        if (!file.startsWith(`${repoRoot}/`)) continue;
        const packageRoot = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
        if (packageRoot !== undefined) {
          if (!productionPackages.has(packageRoot)) outside.push(path.relative(repoRoot, file));
          continue;
        }
        const relative = path.relative(repoRoot, file);
        const inImage =
          globs.some((glob) => matchesGlob(relative, glob)) || relative.endsWith('package.json');
        if (!inImage) outside.push(relative);
      }
      expect({ process: outcome.run.process.name, outside }).toEqual({
        process: outcome.run.process.name,
        outside: [],
      });
    }
  });
});

describe('Grafana dashboard', () => {
  it('queries only metrics the processes expose', () => {
    const exposed = new Set<string>();
    for (const platform of platforms) {
      for (const outcome of longRunningOf(platform)) {
        for (const match of (outcome.metrics ?? '').matchAll(/^# TYPE (\w+) (\w+)$/gm)) {
          exposed.add(match[1]!);
          if (match[2] === 'histogram') {
            for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(`${match[1]}${suffix}`);
          }
        }
      }
    }
    const folder = path.join(repoRoot, 'deploy', 'compose', 'grafana', 'dashboards');
    for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.json'))) {
      const dashboard = JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')) as {
        panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      };
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          const unknown = [...expr.matchAll(/\bheartfelt_\w+/g)]
            .map((match) => match[0])
            .filter((name) => !exposed.has(name));
          expect({ panel: panel.title, unknown }).toEqual({ panel: panel.title, unknown: [] });
        }
      }
    }
  });
});
