import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { acquireLock, findExecutable } from '@heartfelt/devstack';
import { writeKubernetesSchemas } from './kubernetesSchemas';

/**
 * Builds the programs that check the deployment files, without network access beyond the Go
 * module proxy:
 *
 * - kubeconform, kustomize and compose-config, from the Go module in tools/go (versions pinned
 *   by its go.mod and go.sum), into `.tools/bin`;
 * - JSON schemas of the Kubernetes API, generated from the OpenAPI document in the
 *   k8s.io/kubernetes module, into `.tools/kubernetes-schemas/<version>`, because kubeconform's
 *   default schemas are downloaded from GitHub.
 *
 * A stamp file records what was built, so later runs return at once. The first build took
 * about 40 s with empty Go caches on a two-core machine, module downloads included.
 */

/** Kubernetes release whose API the manifests are validated against. */
export const KUBERNETES_VERSION = 'v1.34.2';

/** Bumped when the schema conversion changes, so that old schemas are rebuilt. */
const SCHEMA_FORMAT = 1;

const GO_FOLDERS = ['/usr/local/go/bin'];
const GO_TIMEOUT_MS = 10 * 60_000;
const LOCK_STALE_MS = 15 * 60_000;

const run = promisify(execFile);

/** Raised when Go is missing or a Go command of the build fails; the message names which. */
export class DeployToolsError extends Error {
  override name = 'DeployToolsError';
}

/** Paths of the built programs and schemas. */
export interface DeployTools {
  kubeconform: string;
  kustomize: string;
  composeConfig: string;
  /** kubeconform `-schema-location` template for the generated schemas. */
  schemaLocation: string;
}

function toolPaths(projectRoot: string): DeployTools & { schemaDir: string } {
  const toolsDir = path.join(projectRoot, '.tools');
  const schemaDir = path.join(toolsDir, 'kubernetes-schemas', KUBERNETES_VERSION);
  return {
    kubeconform: path.join(toolsDir, 'bin', 'kubeconform'),
    kustomize: path.join(toolsDir, 'bin', 'kustomize'),
    composeConfig: path.join(toolsDir, 'bin', 'compose-config'),
    schemaDir,
    schemaLocation: path.join(schemaDir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
  };
}

/** Hashes the inputs of the build: the Go module's files and the schema version and format. */
function inputsDigest(projectRoot: string): string {
  const goDir = path.join(projectRoot, 'tools', 'go');
  const hash = createHash('sha256');
  hash.update(`${KUBERNETES_VERSION} schema-format-${SCHEMA_FORMAT}\n`);
  const files = fs
    .readdirSync(goDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /(\.go|go\.mod|go\.sum)$/.test(file))
    .sort();
  for (const file of files) {
    hash.update(`${file}\n`);
    hash.update(fs.readFileSync(path.join(goDir, file)));
  }
  return hash.digest('hex');
}

function isBuilt(projectRoot: string, stampFile: string, digest: string): boolean {
  const paths = toolPaths(projectRoot);
  try {
    return (
      fs.readFileSync(stampFile, 'utf8') === digest &&
      [paths.kubeconform, paths.kustomize, paths.composeConfig].every((file) =>
        fs.existsSync(file),
      ) &&
      fs.readdirSync(paths.schemaDir).length > 0
    );
  } catch {
    return false;
  }
}

/**
 * Returns the paths of the deployment check programs, building them first when they are
 * missing or out of date. Concurrent callers, such as two jest workers, wait for one build
 * through a lock.
 *
 * @throws DeployToolsError when Go is missing or a Go command fails, and DevstackError
 * LOCK_TIMEOUT when another build holds the lock for too long.
 */
export async function ensureDeployTools(
  projectRoot: string,
  log: (line: string) => void = () => undefined,
): Promise<DeployTools> {
  const toolsDir = path.join(projectRoot, '.tools');
  const stampFile = path.join(toolsDir, 'deploy-tools.stamp');
  const digest = inputsDigest(projectRoot);
  const paths = toolPaths(projectRoot);
  if (isBuilt(projectRoot, stampFile, digest)) return paths;

  fs.mkdirSync(toolsDir, { recursive: true });
  const release = await acquireLock(path.join(toolsDir, 'deploy-tools.lock'), {
    purpose: 'building the deployment check tools',
    staleAfterMs: LOCK_STALE_MS,
    log,
  });
  try {
    if (isBuilt(projectRoot, stampFile, digest)) return paths;
    log('deploy tools: building kubeconform, kustomize, compose-config and Kubernetes schemas');
    await buildDeployTools(projectRoot, paths);
    fs.writeFileSync(stampFile, digest);
  } finally {
    await release();
  }
  return paths;
}

async function buildDeployTools(
  projectRoot: string,
  paths: ReturnType<typeof toolPaths>,
): Promise<void> {
  const go = await findExecutable('go', GO_FOLDERS);
  if (go === undefined) {
    throw new DeployToolsError(
      'Go 1.24 or later was not found on PATH or in /usr/local/go/bin, and it is needed to ' +
        'build the deployment checks. Install it from https://go.dev/dl/ or with ' +
        '`apt-get install golang-go` where the distribution ships 1.24 or later.',
    );
  }
  const toolsDir = path.join(projectRoot, '.tools');
  const moduleCache = path.join(toolsDir, 'gomod');
  fs.mkdirSync(moduleCache, { recursive: true });
  const staging = fs.mkdtempSync(path.join(toolsDir, 'deploy-tools-build-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The module cache is project-local, like FerretDB's build, so the user's is untouched.
    GOMODCACHE: fs.realpathSync(moduleCache),
    GOFLAGS: `${process.env.GOFLAGS ?? ''} -modcacherw`.trim(),
    GOWORK: 'off',
    // A Go toolchain download would reach beyond the module proxy, so the local Go must do.
    GOTOOLCHAIN: 'local',
    GOBIN: staging,
  };

  try {
    await runGo(go, ['install', 'tool', './cmd/compose-config'], {
      cwd: path.join(projectRoot, 'tools', 'go'),
      env,
    });
    // Run outside any module, so that the download does not touch tools/go/go.mod.
    const download = await runGo(
      go,
      ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`],
      {
        cwd: staging,
        env,
      },
    );
    const moduleDir = (JSON.parse(download) as { Dir?: string }).Dir;
    if (!moduleDir) {
      throw new DeployToolsError(
        `go mod download printed no "Dir" for k8s.io/kubernetes: ${download.slice(0, 300)}`,
      );
    }
    const schemaStaging = path.join(staging, 'schemas');
    writeKubernetesSchemas(
      path.join(moduleDir, 'api', 'openapi-spec', 'swagger.json'),
      schemaStaging,
    );

    fs.mkdirSync(path.dirname(paths.kubeconform), { recursive: true });
    for (const program of ['kubeconform', 'kustomize', 'compose-config']) {
      fs.renameSync(
        path.join(staging, program),
        path.join(path.dirname(paths.kubeconform), program),
      );
    }
    fs.rmSync(paths.schemaDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(paths.schemaDir), { recursive: true });
    fs.renameSync(schemaStaging, paths.schemaDir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Runs one Go command and returns its stdout; a failure carries the command's stderr. */
async function runGo(
  go: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<string> {
  try {
    const { stdout } = await run(go, args, {
      ...options,
      timeout: GO_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new DeployToolsError(
      `\`go ${args.join(' ')}\` failed in ${options.cwd}: ${(error as Error).message}\n${stderr.slice(-2000)}`,
      { cause: error },
    );
  }
}

// Run directly to build the tools ahead of `npm test`: node tools/dist/deploy/deployTools.js
if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..', '..');
  const started = Date.now();
  ensureDeployTools(root, (line) => console.log(line))
    .then((tools) => {
      console.log(`deploy tools ready in ${Math.round((Date.now() - started) / 1000)} s:`);
      console.log(JSON.stringify(tools, null, 2));
    })
    .catch((error: unknown) => {
      console.error((error as Error).message);
      process.exit(1);
    });
}
