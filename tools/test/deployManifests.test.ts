import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, print } from 'graphql';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { ensureDeployTools, type DeployTools } from '../src/deploy/deployTools';
import {
  findEntryPoints,
  findHttpDrainMs,
  findKitRoutes,
  findSettingDefinitions,
  repoRoot,
  type EntryPoint,
} from './deploy/codeInventory';
import {
  buildKustomization,
  composeProcesses,
  isAppImage,
  isAppService,
  kubernetesOverlays,
  kubernetesProcesses,
  literal,
  loadComposeProject,
  overlayFolder,
  podLabelsOf,
  renderKustomization,
  podSpecOf,
  type ComposeProject,
  type DeployedProcess,
  type Resource,
} from './deploy/deployments';
import {
  isDockerIgnored,
  matchesGlob,
  parseDockerfile,
  runtimeCopyGlobs,
  stageEnvironment,
  stageHealthcheck,
} from './deploy/dockerfile';
import { runKubeconform, tryComposeConfig } from './deploy/validators';

// Checks the deployment files against the code without running anything: the compose file as
// compose-go loads it, each Kubernetes overlay as kustomize renders it and kubeconform validates
// it, and the Dockerfile. deployServices.test.ts starts the processes as the files describe.

const platforms = ['compose', ...kubernetesOverlays.map((overlay) => `kubernetes/${overlay}`)];
const entryPoints = findEntryPoints();
const settings = findSettingDefinitions();
const kitRoutes = findKitRoutes();
const supergraph = fs.readFileSync(path.join(repoRoot, 'schema', 'supergraph.graphql'), 'utf8');

let tools: DeployTools;
let compose: ComposeProject;
const resourcesByOverlay = new Map<string, Resource[]>();
const processesByPlatform = new Map<string, DeployedProcess[]>();

beforeAll(async () => {
  tools = await ensureDeployTools(repoRoot, (line) => console.log(line));
  compose = await loadComposeProject(tools);
  processesByPlatform.set('compose', composeProcesses(compose));
  for (const overlay of kubernetesOverlays) {
    const resources = await buildKustomization(tools, overlayFolder(overlay));
    resourcesByOverlay.set(overlay, resources);
    processesByPlatform.set(
      `kubernetes/${overlay}`,
      kubernetesProcesses(`kubernetes/${overlay}`, resources),
    );
  }
}, 15 * 60_000);

function processesOf(platform: string): DeployedProcess[] {
  return processesByPlatform.get(platform)!;
}

function entryOf(process: DeployedProcess): EntryPoint | undefined {
  return entryPoints.find((entry) => entry.name === process.name);
}

function resourcesOf(overlay: string, kind: string): Resource[] {
  return resourcesByOverlay.get(overlay)!.filter((resource) => resource.kind === kind);
}

/** Hosts a process may name in a URL, with their ports, on one platform. */
function servicePorts(platform: string): Map<string, number[]> {
  const ports = new Map<string, number[]>();
  if (platform === 'compose') {
    for (const [name, service] of Object.entries(compose.services)) {
      const command = service.command ?? [];
      const portFlag = command.indexOf('--port');
      const fromEnv = service.environment?.PORT;
      if (service.image?.startsWith('otel/opentelemetry-collector')) {
        ports.set(name, [4317, 4318]);
        continue;
      }
      const byImage = service.image?.startsWith('redis') ? 6379 : 27017;
      const port = fromEnv
        ? Number(fromEnv)
        : portFlag >= 0
          ? Number(command[portFlag + 1])
          : byImage;
      ports.set(name, [port]);
    }
    return ports;
  }
  const overlay = platform.split('/')[1]!;
  for (const service of resourcesOf(overlay, 'Service')) {
    const spec = service.spec as { ports: Array<{ port: number }> };
    ports.set(
      service.metadata.name,
      spec.ports.map((port) => port.port),
    );
  }
  return ports;
}

/** URLs with a single-label host (a service name) among a process's literal variables. */
function internalUrls(process: DeployedProcess): Array<{ name: string; url: URL }> {
  const urls: Array<{ name: string; url: URL }> = [];
  for (const [name, value] of Object.entries(process.env)) {
    if (!('value' in value) || !/^[a-z]+:\/\//.test(value.value)) continue;
    const url = new URL(value.value);
    if (!url.hostname.includes('.') && url.hostname !== 'localhost') urls.push({ name, url });
  }
  return urls;
}

describe('deployment tools', () => {
  it('compose-config rejects an unknown service key', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'heartfelt-compose-'));
    const file = path.join(folder, 'compose.yml');
    fs.writeFileSync(file, stringifyYaml({ services: { a: { image: 'x', imagee: 'y' } } }));
    const result = await tryComposeConfig(tools, [file]);
    fs.rmSync(folder, { recursive: true, force: true });

    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/imagee/);
  });

  it('kubeconform rejects a misspelt field', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        selector: { matchLabels: { app: 'broken' } },
        template: {
          metadata: { labels: { app: 'broken' } },
          spec: { containers: [{ name: 'broken', image: 'heartfelt', readinesProbe: {} }] },
        },
      },
    };
    const report = await runKubeconform(tools, stringifyYaml(deployment));

    expect(report.summary.invalid).toBe(1);
    expect(report.problems.join('\n')).toMatch(/readinesProbe/);
  });

  it('kubeconform rejects a kind it has no schema for', async () => {
    const report = await runKubeconform(
      tools,
      stringifyYaml({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    );

    expect(report.summary.errors).toBe(1);
  });
});

describe('Kubernetes schemas', () => {
  it.each(['base', ...kubernetesOverlays])('kubeconform accepts %s', async (name) => {
    const folder =
      name === 'base' ? path.join(repoRoot, 'deploy', 'kubernetes', 'base') : overlayFolder(name);
    // The YAML exactly as kustomize prints it: a round trip through another YAML library
    // could change how values such as `no` are typed.
    const rendered = await renderKustomization(tools, folder);
    const report = await runKubeconform(tools, rendered);

    expect(report.problems).toEqual([]);
    expect(report.summary.valid).toBe(parseAllDocuments(rendered).length);
  });
});

describe.each(platforms)('%s', (platform) => {
  it('runs every process the code defines', () => {
    const deployed = processesOf(platform)
      .map((process) => process.name)
      .sort();
    expect(deployed).toEqual(entryPoints.map((entry) => entry.name).sort());
  });

  it('starts each process with its built script', () => {
    for (const process of processesOf(platform)) {
      const entry = entryOf(process);
      expect({ process: process.name, command: process.command }).toEqual({
        process: process.name,
        command: ['node', entry?.script],
      });
      expect({
        source: entry?.source,
        exists: fs.existsSync(path.join(repoRoot, entry!.source)),
      }).toEqual({ source: entry?.source, exists: true });
    }
  });

  it("sets PORT to the code's default port", () => {
    for (const process of processesOf(platform).filter((p) => !p.oneShot)) {
      expect({ process: process.name, PORT: literal(process, 'PORT') }).toEqual({
        process: process.name,
        PORT: String(entryOf(process)?.defaultPort),
      });
    }
  });

  it('probes the health routes of the kit', () => {
    for (const process of processesOf(platform).filter((p) => !p.oneShot)) {
      const port = Number(literal(process, 'PORT'));
      expect({ process: process.name, readiness: process.probes.readiness }).toEqual({
        process: process.name,
        readiness: '/readyz',
      });
      expect({ process: process.name, probePort: process.probePort }).toEqual({
        process: process.name,
        probePort: port,
      });
      expect(kitRoutes).toContain(process.probes.readiness);
      if (platform === 'compose') continue;
      expect({ process: process.name, liveness: process.probes.liveness }).toEqual({
        process: process.name,
        liveness: '/healthz',
      });
      expect({ process: process.name, startup: process.probes.startup }).toEqual({
        process: process.name,
        startup: '/healthz',
      });
      expect({ process: process.name, containerPort: process.containerPort }).toEqual({
        process: process.name,
        containerPort: port,
      });
    }
  });

  it('names only settings the code defines', () => {
    for (const process of processesOf(platform)) {
      const unknown = Object.keys(process.env).filter((name) => !settings.has(name));
      expect({ process: process.name, unknown }).toEqual({ process: process.name, unknown: [] });
    }
  });

  it('points service URLs at existing services and ports', () => {
    const ports = servicePorts(platform);
    for (const process of processesOf(platform)) {
      for (const { name, url } of internalUrls(process)) {
        const where = `${process.name} ${name}=${url.href}`;
        const port = Number(url.port || (url.protocol === 'http:' ? 80 : 0));
        expect({ where, serviceExists: ports.has(url.hostname) }).toEqual({
          where,
          serviceExists: true,
        });
        expect({ where, portServed: ports.get(url.hostname)?.includes(port) }).toEqual({
          where,
          portServed: true,
        });
        const target = entryPoints.find((entry) => entry.name === url.hostname);
        if (target?.kind === 'subgraph') {
          expect({ where, path: url.pathname }).toEqual({ where, path: '/graphql' });
        }
      }
    }
  });

  it('gives the gateway a URL for every subgraph of the supergraph', () => {
    const gateway = processesOf(platform).find((process) => process.name === 'gateway')!;
    const names = [...supergraph.matchAll(/@join__graph\(name: "([\w-]+)"/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const value = literal(gateway, `${name.toUpperCase()}_URL`);
      expect({ subgraph: name, host: value && new URL(value).hostname }).toEqual({
        subgraph: name,
        host: name,
      });
    }
  });

  it('leaves time to drain on shutdown', () => {
    const httpDrainSeconds = findHttpDrainMs() / 1000;
    for (const process of processesOf(platform).filter((p) => !p.oneShot)) {
      const workerDrain = literal(process, 'WORKER_DRAIN_TIMEOUT_MS');
      const drainSeconds =
        entryOf(process)?.kind === 'worker'
          ? Number(workerDrain ?? 20_000) / 1000
          : httpDrainSeconds;
      // Five seconds to close connections to the store and Redis after the drain.
      const needed = process.preStopSleepSeconds + drainSeconds + 5;
      expect({ process: process.name, enough: process.terminationGraceSeconds >= needed }).toEqual({
        process: process.name,
        enough: true,
      });
    }
  });
});

describe.each(kubernetesOverlays)('Kubernetes %s', (overlay) => {
  const appDeployments = () =>
    resourcesOf(overlay, 'Deployment').filter((deployment) =>
      podSpecOf(deployment)!.containers.some((container) => isAppImage(container.image)),
    );

  it('autoscales the gateway, every subgraph and every worker', () => {
    const autoscalers = resourcesOf(overlay, 'HorizontalPodAutoscaler');
    for (const deployment of appDeployments()) {
      const name = deployment.metadata.name;
      const autoscaler = autoscalers.find(
        (hpa) => (hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === name,
      );
      const spec = autoscaler?.spec as { minReplicas: number; maxReplicas: number } | undefined;
      expect({ deployment: name, autoscaled: autoscaler !== undefined }).toEqual({
        deployment: name,
        autoscaled: true,
      });
      expect({ deployment: name, rangeValid: spec!.minReplicas <= spec!.maxReplicas }).toEqual({
        deployment: name,
        rangeValid: true,
      });
      expect({
        deployment: name,
        replicasField: 'replicas' in (deployment.spec as object),
      }).toEqual({ deployment: name, replicasField: false });
    }
  });

  it('budgets disruptions of every app Deployment', () => {
    const budgets = resourcesOf(overlay, 'PodDisruptionBudget');
    for (const deployment of appDeployments()) {
      const labels = podLabelsOf(deployment);
      const covering = budgets.filter((pdb) => {
        const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } })
          .selector.matchLabels;
        return Object.entries(selector).every(([key, value]) => labels[key] === value);
      });
      expect({ deployment: deployment.metadata.name, budgets: covering.length }).toEqual({
        deployment: deployment.metadata.name,
        budgets: 1,
      });
    }
  });

  it('sets resource requests and limits on every container', () => {
    const workloads = ['Deployment', 'StatefulSet', 'Job'].flatMap((kind) =>
      resourcesOf(overlay, kind),
    );
    for (const workload of workloads) {
      for (const container of podSpecOf(workload)!.containers) {
        const { requests = {}, limits = {} } = container.resources ?? {};
        const where = `${workload.kind} ${workload.metadata.name}`;
        expect({ where, requests: Object.keys(requests).sort() }).toEqual({
          where,
          requests: ['cpu', 'memory'],
        });
        expect({ where, limits: Object.keys(limits).sort() }).toEqual({
          where,
          limits: ['cpu', 'memory'],
        });
      }
    }
  });

  it('runs every pod as non-root on a read-only root filesystem', () => {
    const workloads = ['Deployment', 'StatefulSet', 'Job'].flatMap((kind) =>
      resourcesOf(overlay, kind),
    );
    for (const workload of workloads) {
      const pod = podSpecOf(workload)!;
      const where = `${workload.kind} ${workload.metadata.name}`;
      expect({ where, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({
        where,
        runAsNonRoot: true,
      });
      for (const container of pod.containers) {
        expect({ where, readOnly: container.securityContext?.readOnlyRootFilesystem }).toEqual({
          where,
          readOnly: true,
        });
      }
    }
  });

  it('keeps secrets and credentials in the Secret', () => {
    // Names ending in SECRET, PASSWORD, TOKEN or _KEY, and the URLs that carry credentials.
    const sensitive = /(SECRET|PASSWORD|TOKEN|_KEY)$|^MONGO_URL$|^SMTP_URL$/;
    for (const process of processesOf(`kubernetes/${overlay}`)) {
      const literals = Object.entries(process.env)
        .filter(([name, value]) => sensitive.test(name) && 'value' in value)
        .map(([name]) => name);
      expect({ process: process.name, literals }).toEqual({ process: process.name, literals: [] });
    }
  });

  it('sends each Redis setting to a Redis of its role', () => {
    const argsOf = (host: string) => {
      const service = resourcesOf(overlay, 'Service').find((s) => s.metadata.name === host);
      const selector = (service?.spec as { selector?: Record<string, string> } | undefined)
        ?.selector;
      const workload = [
        ...resourcesOf(overlay, 'Deployment'),
        ...resourcesOf(overlay, 'StatefulSet'),
      ].find((r) =>
        Object.entries(selector ?? {}).every(([key, value]) => podLabelsOf(r)[key] === value),
      );
      const container = workload && (podSpecOf(workload)!.containers[0] as { args?: string[] });
      return (container?.args ?? []).join(' ');
    };
    for (const process of processesOf(`kubernetes/${overlay}`)) {
      const cache = literal(process, 'REDIS_URL');
      const queue = literal(process, 'QUEUE_REDIS_URL');
      if (cache) {
        expect({ process: process.name, args: argsOf(new URL(cache).hostname) }).toEqual({
          process: process.name,
          args: expect.stringMatching(/--maxmemory-policy allkeys-lru.*--appendonly no/),
        });
      }
      if (queue) {
        expect({ process: process.name, args: argsOf(new URL(queue).hostname) }).toEqual({
          process: process.name,
          args: expect.stringMatching(/--maxmemory-policy noeviction --appendonly yes/),
        });
      }
    }
  });

  it('denies ingress unless a policy allows it', () => {
    const denyAll = resourcesOf(overlay, 'NetworkPolicy').find((policy) => {
      const spec = policy.spec as {
        podSelector: object;
        policyTypes: string[];
        ingress?: unknown[];
      };
      return (
        Object.keys(spec.podSelector).length === 0 &&
        spec.policyTypes.includes('Ingress') &&
        (spec.ingress ?? []).length === 0
      );
    });
    expect(denyAll).toBeDefined();
  });

  it('lets a subgraph be reached only by the gateway and its callers in code', () => {
    const processes = processesOf(`kubernetes/${overlay}`);
    const policies = resourcesOf(overlay, 'NetworkPolicy');
    for (const subgraph of entryPoints.filter((entry) => entry.kind === 'subgraph')) {
      const callers = processes
        .filter((process) => process.env[`${subgraph.name.toUpperCase()}_URL`] !== undefined)
        .map((process) => process.name);
      const expected = [...new Set(['gateway', ...callers])].sort();

      const allowedPods = new Set<string>();
      const namespacePeers: unknown[] = [];
      for (const policy of policies) {
        type Peer = {
          podSelector?: {
            matchLabels?: Record<string, string>;
            matchExpressions?: Array<{ key: string; operator: string; values: string[] }>;
          };
          namespaceSelector?: { matchLabels?: Record<string, string> };
        };
        const spec = policy.spec as {
          podSelector: { matchLabels?: Record<string, string> };
          ingress?: Array<{ from?: Peer[] }>;
        };
        if (spec.podSelector.matchLabels?.['app.kubernetes.io/name'] !== subgraph.name) continue;
        for (const rule of spec.ingress ?? []) {
          expect({ policy: policy.metadata.name, from: rule.from !== undefined }).toEqual({
            policy: policy.metadata.name,
            from: true,
          });
          for (const peer of rule.from ?? []) {
            if (peer.namespaceSelector) namespacePeers.push(peer.namespaceSelector);
            const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
            if (name) allowedPods.add(name);
            for (const expression of peer.podSelector?.matchExpressions ?? []) {
              if (expression.key === 'app.kubernetes.io/name' && expression.operator === 'In') {
                expression.values.forEach((value) => allowedPods.add(value));
              }
            }
          }
        }
      }
      expect({ subgraph: subgraph.name, allowed: [...allowedPods].sort() }).toEqual({
        subgraph: subgraph.name,
        allowed: expected,
      });
      // Prometheus's namespace is the only other peer; the subgraph still verifies the
      // gateway's signature on /graphql.
      for (const peer of namespacePeers) {
        expect({ subgraph: subgraph.name, peer }).toEqual({
          subgraph: subgraph.name,
          peer: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        });
      }
    }
  });

  it('delivers the supergraph in a ConfigMap the gateway reloads', () => {
    const gateway = processesOf(`kubernetes/${overlay}`).find((p) => p.name === 'gateway')!;
    const supergraphPath = literal(gateway, 'SUPERGRAPH_PATH')!;
    const mount = gateway.mounts.find((m) => supergraphPath.startsWith(`${m.target}/`));

    expect(mount?.source.type).toBe('configMap');
    // A subPath mount is a copy made at pod start, which ConfigMap updates never reach.
    expect(mount?.subPath).toBeUndefined();
    const source = mount!.source as { name: string; files: Record<string, string> };
    // A name with a content hash would change with every supergraph and restart the gateway.
    expect(source.name).toBe('heartfelt-supergraph');
    // Compared as parsed SDL, because the formatter may rewrap the copy in deploy/.
    const delivered = source.files[path.basename(supergraphPath)];
    expect(delivered && print(parse(delivered))).toBe(print(parse(supergraph)));
  });
});

describe('compose', () => {
  const service = (name: string) => compose.services[name]!;
  const hostOf = (process: DeployedProcess, name: string) => {
    const value = literal(process, name);
    return value === undefined ? undefined : new URL(value).hostname;
  };

  it('sends REDIS_URL to an evicting Redis without persistence', () => {
    for (const process of processesOf('compose').filter((p) => p.env.REDIS_URL)) {
      const command = service(hostOf(process, 'REDIS_URL')!).command!.join(' ');
      expect({ process: process.name, command }).toEqual({
        process: process.name,
        command: expect.stringMatching(/--maxmemory-policy allkeys-lru.*--appendonly no/),
      });
    }
  });

  it('sends QUEUE_REDIS_URL to a Redis that never evicts and keeps an AOF', () => {
    for (const process of processesOf('compose').filter((p) => p.env.QUEUE_REDIS_URL)) {
      const command = service(hostOf(process, 'QUEUE_REDIS_URL')!).command!.join(' ');
      expect({ process: process.name, command }).toEqual({
        process: process.name,
        command: expect.stringMatching(/--maxmemory-policy noeviction --appendonly yes/),
      });
    }
  });

  it('starts each process after the data services it uses', () => {
    /** Services a service waits for to be healthy or done, directly or through others. */
    const awaited = (name: string, seen = new Set<string>()): Set<string> => {
      for (const [dependency, { condition }] of Object.entries(service(name).depends_on ?? {})) {
        if (condition === 'service_started' || seen.has(dependency)) continue;
        seen.add(dependency);
        awaited(dependency, seen);
      }
      return seen;
    };
    for (const process of processesOf('compose')) {
      const waitsFor = awaited(process.name);
      for (const { name, url } of internalUrls(process)) {
        const target = compose.services[url.hostname];
        if (!target || isAppService(target)) continue;
        // Spans are best effort: the exporter drops them while the collector is down, so no
        // process waits for it.
        if (name.startsWith('OTEL_')) continue;
        expect({ process: process.name, setting: name, waits: waitsFor.has(url.hostname) }).toEqual(
          {
            process: process.name,
            setting: name,
            waits: true,
          },
        );
      }
      if (process.env.MONGO_URL && process.name !== 'shard-collections') {
        expect({ process: process.name, sharded: waitsFor.has('shard-collections') }).toEqual({
          process: process.name,
          sharded: true,
        });
      }
    }
  });

  it('starts the gateway once every subgraph is ready', () => {
    const dependsOn = service('gateway').depends_on ?? {};
    for (const subgraph of entryPoints.filter((entry) => entry.kind === 'subgraph')) {
      expect({ subgraph: subgraph.name, condition: dependsOn[subgraph.name]?.condition }).toEqual({
        subgraph: subgraph.name,
        condition: 'service_healthy',
      });
    }
  });

  it('initiates the replica sets the mongod commands name', () => {
    const replicaSets = service('mongo-replica-sets').environment!.REPLICA_SETS!.split(/\s+/);
    const mongods = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === 'mongod');
    const expected = mongods.map(([name, s]) => {
      const command = s.command!;
      const replicaSet = command[command.indexOf('--replSet') + 1];
      const port = command[command.indexOf('--port') + 1];
      return `${replicaSet}/${name}:${port}`;
    });
    expect(replicaSets.sort()).toEqual(expected.sort());

    const configServer = mongods.find(([, s]) => s.command!.includes('--configsvr'))!;
    const mongos = service('mongos').command!;
    const configSet = replicaSets.find((set) => set.includes(`/${configServer[0]}:`));
    expect(mongos[mongos.indexOf('--configdb') + 1]).toBe(configSet);

    const shards = service('shard-collections').environment!.MONGO_SHARDS!.split(/\s+/);
    expect(shards.sort()).toEqual(replicaSets.filter((set) => set !== configSet).sort());
  });

  it('scrapes every long-running process with Prometheus', () => {
    const config = parseYaml(
      fs.readFileSync(path.join(repoRoot, 'deploy', 'compose', 'prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: Array<{
        metrics_path?: string;
        static_configs: Array<{ targets: string[] }>;
      }>;
    };
    const targets = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((group) => group.targets),
    );
    const expected = processesOf('compose')
      .filter((p) => !p.oneShot)
      .map((p) => `${p.name}:${literal(p, 'PORT')}`);
    expect(targets.sort()).toEqual(expected.sort());
    for (const job of config.scrape_configs) {
      expect(kitRoutes).toContain(job.metrics_path ?? '/metrics');
    }
  });

  it('provisions Grafana with its data sources and dashboard', () => {
    const grafana = service('grafana');
    const provisioning = path.join(repoRoot, 'deploy', 'compose', 'grafana', 'provisioning');
    const datasources = parseYaml(
      fs.readFileSync(path.join(provisioning, 'datasources', 'datasources.yaml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; url: string }> };
    const providers = parseYaml(
      fs.readFileSync(path.join(provisioning, 'dashboards', 'dashboards.yaml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };

    const dashboardsMount = grafana.volumes!.find(
      (volume) => volume.target === providers.providers[0]!.options.path,
    );
    expect(dashboardsMount?.type).toBe('bind');
    const dashboards = fs
      .readdirSync(dashboardsMount!.source!)
      .filter((file) => file.endsWith('.json'));
    expect(dashboards.length).toBeGreaterThan(0);

    const uids = datasources.datasources.map((source) => source.uid);
    for (const file of dashboards) {
      const dashboard = JSON.parse(
        fs.readFileSync(path.join(dashboardsMount!.source!, file), 'utf8'),
      ) as {
        panels: Array<{ title: string; datasource: { uid: string } }>;
      };
      for (const panel of dashboard.panels) {
        expect({ panel: panel.title, uid: uids.includes(panel.datasource.uid) }).toEqual({
          panel: panel.title,
          uid: true,
        });
      }
    }
    for (const source of datasources.datasources) {
      expect(compose.services[new URL(source.url).hostname]).toBeDefined();
    }
  });

  it('routes traces from the collector to Jaeger', () => {
    const config = parseYaml(
      fs.readFileSync(path.join(repoRoot, 'deploy', 'compose', 'otel-collector.yaml'), 'utf8'),
    ) as {
      receivers: Record<string, unknown>;
      processors: Record<string, unknown>;
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: Record<string, Record<string, string[]>> };
    };
    const traces = config.service.pipelines.traces!;
    for (const [section, names] of Object.entries(traces)) {
      const defined = Object.keys(config[section as 'receivers' | 'processors' | 'exporters']);
      expect({ section, missing: names.filter((name) => !defined.includes(name)) }).toEqual({
        section,
        missing: [],
      });
    }
    const exporter = config.exporters[traces.exporters![0]!]!;
    expect(compose.services[exporter.endpoint!.split(':')[0]!]?.image).toMatch(/^jaegertracing\//);
  });

  it('mounts only files that exist', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of (s.volumes ?? []).filter((v) => v.type === 'bind')) {
        expect({
          service: name,
          source: volume.source,
          exists: fs.existsSync(volume.source!),
        }).toEqual({ service: name, source: volume.source, exists: true });
      }
    }
  });
});

describe('Dockerfile', () => {
  const stages = parseDockerfile();
  const runtime = stages.at(-1)!;

  it('builds in separate stages', () => {
    expect(stages.map((stage) => stage.name)).toEqual([
      'manifests',
      'build',
      'production-dependencies',
      'runtime',
    ]);
  });

  it('runs as a non-root user', () => {
    const user = runtime.instructions.filter(({ keyword }) => keyword === 'USER').at(-1)?.text;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('runs in production mode without Apollo telemetry', () => {
    const env = stageEnvironment(runtime);
    expect(env.NODE_ENV).toBe('production');
    expect(env.APOLLO_TELEMETRY_DISABLED).toBe('true');
  });

  it('checks health on a route of the kit', () => {
    const command = stageHealthcheck(runtime)?.join(' ') ?? '';
    const route = /'(\/[\w-]+)'/.exec(command)?.[1];
    expect(kitRoutes).toContain(route);
  });

  it('installs only production dependencies into the image', () => {
    const dependencies = stages.find((stage) => stage.name === 'production-dependencies')!;
    const installs = dependencies.instructions.filter(
      ({ keyword, text }) => keyword === 'RUN' && text.includes('npm ci'),
    );
    expect(installs.map(({ text }) => text.includes('--omit=dev'))).toEqual([true]);

    const copies = runtime.instructions
      .filter(({ keyword }) => keyword === 'COPY')
      .map(({ text }) => text);
    expect(copies).toEqual([
      '--from=production-dependencies /app/ ./',
      '--from=build /runtime/ ./',
    ]);
  });

  it('keeps what the build needs in the build context', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      'turbo.json',
      'tsconfig.base.json',
      'schema/supergraph.graphql',
      ...entryPoints.map((entry) => entry.source),
      ...entryPoints.map((entry) => path.join(entry.source.split('/src/')[0]!, 'package.json')),
    ];
    for (const file of needed) {
      expect({ file, ignored: isDockerIgnored(file) }).toEqual({ file, ignored: false });
    }
    for (const file of [
      'node_modules/x',
      'gateway/node_modules/x',
      'gateway/dist/server.js',
      '.git/HEAD',
      '.tools/bin/ferretdb',
    ]) {
      expect({ file, ignored: isDockerIgnored(file) }).toEqual({ file, ignored: true });
    }
  });

  it('copies every built entry point into the image', () => {
    const globs = runtimeCopyGlobs(stages);
    for (const entry of entryPoints) {
      expect({
        script: entry.script,
        copied: globs.some((glob) => matchesGlob(entry.script, glob)),
      }).toEqual({ script: entry.script, copied: true });
    }
  });
});

describe('replica set initiation script', () => {
  // NOTE: mongosh cannot run here, so the script runs in Node with a fake `Mongo` connection that replies as MongoDB 7 does; what mongod does with the commands is not tested.
  const script = fs.readFileSync(
    path.join(repoRoot, 'deploy', 'compose', 'mongo', 'initiate-replica-sets.js'),
    'utf8',
  );

  function runScript(initiated: Set<string>, configServers: Set<string>) {
    const commands: Array<{ host: string; command: Record<string, unknown> }> = [];
    class Mongo {
      constructor(readonly host: string) {}
      getDB() {
        return {
          runCommand: (command: Record<string, unknown>) => {
            commands.push({ host: this.host, command });
            if ('replSetGetStatus' in command) {
              return initiated.has(this.host)
                ? { ok: 1 }
                : { ok: 0, code: 94, errmsg: 'no config' };
            }
            if ('getCmdLineOpts' in command) {
              const clusterRole = configServers.has(this.host) ? 'configsvr' : 'shardsvr';
              return { ok: 1, parsed: { sharding: { clusterRole } } };
            }
            if ('hello' in command) return { ok: 1, primary: this.host };
            return { ok: 1 };
          },
        };
      }
    }
    const run = new Function('Mongo', 'print', 'sleep', 'process', script);
    run(
      Mongo,
      () => undefined,
      () => undefined,
      {
        env: { REPLICA_SETS: service('mongo-replica-sets').environment!.REPLICA_SETS },
      },
    );
    return commands;
  }
  const service = (name: string) => compose.services[name]!;

  it('initiates each set that is not initiated yet', () => {
    const commands = runScript(new Set(['mongo-shard-a:27018']), new Set(['mongo-config:27019']));
    const initiations = commands
      .filter(({ command }) => 'replSetInitiate' in command)
      .map(({ command }) => command.replSetInitiate);

    expect(initiations).toEqual([
      { _id: 'config', configsvr: true, members: [{ _id: 0, host: 'mongo-config:27019' }] },
      { _id: 'shard-b', configsvr: false, members: [{ _id: 0, host: 'mongo-shard-b:27018' }] },
    ]);
  });

  it('waits for a primary of every set', () => {
    const commands = runScript(new Set(), new Set(['mongo-config:27019']));
    const hosts = commands.filter(({ command }) => 'hello' in command).map(({ host }) => host);

    expect(hosts).toEqual(['mongo-config:27019', 'mongo-shard-a:27018', 'mongo-shard-b:27018']);
  });
});
