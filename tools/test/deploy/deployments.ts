import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { DeployTools } from '../../src/deploy/deployTools';
import { repoRoot } from './codeInventory';

/**
 * The deployment files read into one model: the processes of this repository that
 * docker-compose.yml (as compose-go loads it) and each Kubernetes overlay (as `kustomize build`
 * renders it) run. Each process has its command, environment, port, probes, mounts and
 * shutdown timing.
 */

const run = promisify(execFile);

export const kubernetesOverlays = ['staging', 'production'] as const;

/** A variable's value as the manifest gives it: a literal, or a key of the Secret. */
export type EnvValue = { value: string } | { secretKey: string; optional: boolean };

export type MountSource =
  | { type: 'bind'; hostPath: string }
  | { type: 'configMap'; name: string; files: Record<string, string> }
  | { type: 'scratch'; name: string };

export interface Mount {
  target: string;
  source: MountSource;
  subPath?: string;
}

/** A process of this repository as one platform runs it. */
export interface DeployedProcess {
  platform: string;
  /** Compose service, Deployment or Job name. */
  name: string;
  oneShot: boolean;
  command: string[];
  env: Record<string, EnvValue>;
  /** Path of each probe; compose has only the readiness check of its healthcheck. */
  probes: { startup?: string; readiness?: string; liveness?: string };
  /** Port the probes call, resolved from a named container port. */
  probePort?: number;
  /** Declared container port (Kubernetes only). */
  containerPort?: number;
  mounts: Mount[];
  terminationGraceSeconds: number;
  /** Seconds a preStop hook sleeps before SIGTERM; 0 without one. */
  preStopSleepSeconds: number;
}

export type Resource = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
} & Record<string, unknown>;

// ---------------------------------------------------------------- compose

export interface ComposeService {
  image?: string;
  build?: { context: string };
  command?: string[] | null;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean }>;
  stop_grace_period?: string;
  restart?: string;
  ports?: Array<{ target: number; published?: string; host_ip?: string }>;
}

export interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Parses a Go duration such as `1m30s` or `500ms` into seconds. */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let seconds = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    seconds += Number(match[1]) * units[match[2]!]!;
  }
  return seconds;
}

/**
 * Loads docker-compose.yml with compose-config, which validates it against the Compose
 * specification and interpolates `${...}` from the environment given here (none by default, so
 * the file's own defaults apply).
 */
export async function loadComposeProject(
  tools: DeployTools,
  env: Record<string, string> = {},
): Promise<ComposeProject> {
  const { stdout } = await run(tools.composeConfig, [path.join(repoRoot, 'docker-compose.yml')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as ComposeProject;
}

/** True for a compose service that runs the image built from this repository. */
export function isAppService(service: ComposeService): boolean {
  return service.build !== undefined;
}

/** Returns the path a healthcheck command fetches, such as `/readyz`. */
function healthcheckPath(test: string[] | undefined): string | undefined {
  return test?.join(' ').match(/\+ '(\/[\w-]+)'/)?.[1];
}

export function composeProcesses(project: ComposeProject): DeployedProcess[] {
  return Object.entries(project.services)
    .filter(([, service]) => isAppService(service))
    .map(([name, service]) => {
      const env: Record<string, EnvValue> = {};
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        env[key] = { value: value ?? '' };
      }
      const mounts: Mount[] = (service.volumes ?? []).map((volume) => ({
        target: volume.target,
        source:
          volume.type === 'bind'
            ? { type: 'bind', hostPath: volume.source ?? '' }
            : { type: 'scratch', name: volume.source ?? volume.target },
      }));
      const port = env.PORT && 'value' in env.PORT ? Number(env.PORT.value) : undefined;
      return {
        platform: 'compose',
        name,
        oneShot: service.restart === 'no',
        command: service.command ?? [],
        env,
        probes: service.healthcheck?.disable
          ? {}
          : { readiness: healthcheckPath(service.healthcheck?.test) },
        probePort: port,
        mounts,
        terminationGraceSeconds: parseGoDuration(service.stop_grace_period ?? '10s'),
        preStopSleepSeconds: 0,
      };
    });
}

// ---------------------------------------------------------------- Kubernetes

/** Renders an overlay (or the base) with kustomize and returns the YAML it prints. */
export async function renderKustomization(tools: DeployTools, folder: string): Promise<string> {
  const { stdout } = await run(tools.kustomize, ['build', folder], {
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

/** Renders an overlay (or the base) with kustomize and returns its resources. */
export async function buildKustomization(tools: DeployTools, folder: string): Promise<Resource[]> {
  return parseAllDocuments(await renderKustomization(tools, folder))
    .map((document) => document.toJS() as Resource | null)
    .filter((resource): resource is Resource => resource !== null);
}

export function overlayFolder(overlay: string): string {
  return path.join(repoRoot, 'deploy', 'kubernetes', 'overlays', overlay);
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      configMapKeyRef?: { name: string; key: string };
    };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  startupProbe?: { httpGet?: { path: string; port: number | string } };
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string }>;
}

export interface PodSpec {
  containers: Container[];
  volumes?: Array<{
    name: string;
    configMap?: { name: string; items?: Array<{ key: string; path: string }> };
    emptyDir?: unknown;
    persistentVolumeClaim?: unknown;
  }>;
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
}

/** Returns the pod template spec of a Deployment, StatefulSet or Job, or undefined. */
export function podSpecOf(resource: Resource): PodSpec | undefined {
  const spec = resource.spec as { template?: { spec?: PodSpec } } | undefined;
  return spec?.template?.spec;
}

export function podLabelsOf(resource: Resource): Record<string, string> {
  const spec = resource.spec as { template?: { metadata?: { labels?: Record<string, string> } } };
  return spec.template?.metadata?.labels ?? {};
}

/** True for a container that runs the image built from this repository. */
export function isAppImage(image: string): boolean {
  return /(^|\/)heartfelt(:[\w.-]+)?$/.test(image);
}

function configMapData(resources: Resource[], name: string): Record<string, string> {
  const configMap = resources.find(
    (resource) => resource.kind === 'ConfigMap' && resource.metadata.name === name,
  );
  if (!configMap) throw new Error(`ConfigMap ${name} is referenced but not defined`);
  return (configMap.data as Record<string, string> | undefined) ?? {};
}

function resolveEnvironment(container: Container, resources: Resource[]): Record<string, EnvValue> {
  const env: Record<string, EnvValue> = {};
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) {
      throw new Error(`${container.name}: envFrom secretRef hides which keys it sets; use env`);
    }
    for (const [key, value] of Object.entries(
      configMapData(resources, source.configMapRef!.name),
    )) {
      env[key] = { value };
    }
  }
  for (const variable of container.env ?? []) {
    const secretRef = variable.valueFrom?.secretKeyRef;
    const configMapRef = variable.valueFrom?.configMapKeyRef;
    if (secretRef) {
      env[variable.name] = { secretKey: secretRef.key, optional: secretRef.optional ?? false };
    } else if (configMapRef) {
      const data = configMapData(resources, configMapRef.name);
      if (data[configMapRef.key] === undefined) {
        throw new Error(`ConfigMap ${configMapRef.name} has no key ${configMapRef.key}`);
      }
      env[variable.name] = { value: data[configMapRef.key]! };
    } else {
      env[variable.name] = { value: variable.value ?? '' };
    }
  }
  return env;
}

function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

export function kubernetesProcesses(platform: string, resources: Resource[]): DeployedProcess[] {
  const processes: DeployedProcess[] = [];
  for (const resource of resources) {
    if (resource.kind !== 'Deployment' && resource.kind !== 'Job') continue;
    const pod = podSpecOf(resource)!;
    for (const container of pod.containers.filter((candidate) => isAppImage(candidate.image))) {
      const mounts: Mount[] = (container.volumeMounts ?? []).map((mount) => {
        const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
        if (!volume) throw new Error(`${resource.metadata.name}: no volume ${mount.name}`);
        let source: MountSource = { type: 'scratch', name: volume.name };
        if (volume.configMap) {
          const data = configMapData(resources, volume.configMap.name);
          const files = volume.configMap.items
            ? Object.fromEntries(volume.configMap.items.map((item) => [item.path, data[item.key]!]))
            : data;
          source = { type: 'configMap', name: volume.configMap.name, files };
        }
        return { target: mount.mountPath, source, subPath: mount.subPath };
      });
      const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
      const httpProbe = container.readinessProbe?.httpGet;
      processes.push({
        platform,
        name: resource.metadata.name,
        oneShot: resource.kind === 'Job',
        command: container.command ?? [],
        env: resolveEnvironment(container, resources),
        probes: {
          startup: container.startupProbe?.httpGet?.path,
          readiness: httpProbe?.path,
          liveness: container.livenessProbe?.httpGet?.path,
        },
        probePort: resolvePort(container, httpProbe?.port),
        containerPort: container.ports?.[0]?.containerPort,
        mounts,
        terminationGraceSeconds: pod.terminationGracePeriodSeconds ?? 30,
        preStopSleepSeconds: preStop[0] === 'sleep' ? Number(preStop[1]) : 0,
      });
    }
  }
  return processes;
}

/** Reads a literal variable of a process, or undefined when it is unset or a Secret key. */
export function literal(process: DeployedProcess, name: string): string | undefined {
  const value = process.env[name];
  return value && 'value' in value ? value.value : undefined;
}
