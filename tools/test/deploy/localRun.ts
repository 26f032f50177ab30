import fs from 'node:fs';
import path from 'node:path';
import type { DataServices } from '@heartfelt/testkit';
import type { DeployedProcess, EnvValue } from './deployments';

/**
 * Turns a deployed process into a local run: the same command and environment, with only the
 * addresses and paths rewritten so that the process runs on this machine. In-cluster hosts
 * become the test's FerretDB and Redis servers or the other local processes, HOST becomes
 * 127.0.0.1, PORT a free port, Secret keys dummy values, and mounted folders temporary ones.
 */

/** What an infrastructure host of the manifests stands for. */
export type InfrastructureRole = 'store' | 'cache' | 'queue';

export interface LocalRunContext {
  data: DataServices;
  /** Local port of each long-running process of the platform, by name. */
  ports: Map<string, number>;
  /** The role of a host that is not one of the platform's processes, or undefined. */
  infrastructureRole(host: string): InfrastructureRole | undefined;
  /** Folder for the process's volumes. */
  scratchDir: string;
}

/** A process ready to start locally. */
export interface LocalRun {
  process: DeployedProcess;
  script: string;
  /** Port it listens on locally; undefined for one-shot jobs. */
  port?: number;
  /** The image's and the manifest's variables with addresses and paths rewritten. */
  env: Record<string, string>;
  /** Folders that stand for ConfigMap volumes, by mount target, to update as kubelet does. */
  configMapFolders: Map<string, string>;
}

/** Returns a value for a Secret key of the manifests, long enough for any secret setting. */
export function dummySecret(key: string, data: DataServices): string {
  if (key === 'MONGO_URL') return data.mongoUrl;
  if (key === 'SMTP_URL') return 'smtp://mail.heartfelt.invalid:587';
  return `${key.toLowerCase()}-dummy-value-`.repeat(4).slice(0, 48);
}

/**
 * Writes files into `folder` the way kubelet fills a ConfigMap volume: each file is a symlink
 * through `..data`, itself a symlink to a timestamped folder, so an update swaps `..data` in
 * one rename and readers never see a half-written file.
 */
export function writeConfigMapFolder(folder: string, files: Record<string, string>): void {
  fs.mkdirSync(folder, { recursive: true });
  const version = `..${Date.now()}_${Math.random().toString(36).slice(2)}`;
  fs.mkdirSync(path.join(folder, version));
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(folder, version, name), content);
  }
  const dataLink = path.join(folder, '..data');
  const previous = fs.existsSync(dataLink) ? fs.readlinkSync(dataLink) : undefined;
  fs.symlinkSync(version, path.join(folder, '..data_tmp'));
  fs.renameSync(path.join(folder, '..data_tmp'), dataLink);
  for (const name of Object.keys(files)) {
    const link = path.join(folder, name);
    if (!fs.existsSync(link)) fs.symlinkSync(path.join('..data', name), link);
  }
  if (previous !== undefined) fs.rmSync(path.join(folder, previous), { recursive: true });
}

function localUrl(value: string, context: LocalRunContext, where: string): string | undefined {
  if (!/^[a-z]+:\/\//.test(value)) return undefined;
  const url = new URL(value);
  if (url.hostname.includes('.') || url.hostname === 'localhost') return undefined;

  const appPort = context.ports.get(url.hostname);
  if (appPort !== undefined) {
    return `http://127.0.0.1:${appPort}${url.pathname}${url.search}`;
  }
  switch (context.infrastructureRole(url.hostname)) {
    case 'store':
      return context.data.mongoUrl;
    case 'cache':
      return context.data.redisUrl;
    case 'queue':
      return context.data.queueRedisUrl;
    default:
      throw new Error(`${where}: no service or data server is called "${url.hostname}"`);
  }
}

/**
 * Builds the local run of a process: `script` is the absolute path of its built script and
 * `imageEnv` the variables the image sets, which the manifest's override.
 */
export function planLocalRun(
  process: DeployedProcess,
  script: string,
  imageEnv: Record<string, string>,
  context: LocalRunContext,
): LocalRun {
  const folderOf = new Map<string, string>();
  const configMapFolders = new Map<string, string>();
  for (const mount of process.mounts) {
    const { source } = mount;
    if (source.type === 'bind') {
      folderOf.set(mount.target, source.hostPath);
      continue;
    }
    const folder = path.join(context.scratchDir, process.name, mount.target.replaceAll('/', '_'));
    if (source.type === 'configMap') {
      writeConfigMapFolder(folder, source.files);
      configMapFolders.set(mount.target, folder);
    } else {
      fs.mkdirSync(folder, { recursive: true });
    }
    folderOf.set(mount.target, folder);
  }

  const port = process.oneShot ? undefined : context.ports.get(process.name);
  const env: Record<string, string> = {};
  const variables: Record<string, EnvValue> = {
    ...Object.fromEntries(Object.entries(imageEnv).map(([name, value]) => [name, { value }])),
    ...process.env,
  };
  for (const [name, value] of Object.entries(variables)) {
    // No trace collector runs beside a local run, so its processes keep tracing off.
    if (name.startsWith('OTEL_EXPORTER_OTLP_')) continue;
    const where = `${process.platform} ${process.name} ${name}`;
    let raw = 'value' in value ? value.value : dummySecret(value.secretKey, context.data);
    if (name === 'HOST') raw = '127.0.0.1';
    if (name === 'PORT') raw = String(port);
    raw = localUrl(raw, context, where) ?? raw;
    for (const [target, folder] of folderOf) {
      if (raw === target || raw.startsWith(`${target}/`)) raw = folder + raw.slice(target.length);
    }
    env[name] = raw;
  }
  return { process, script, port, env, configMapFolders };
}
