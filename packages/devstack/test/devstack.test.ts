import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DevstackError,
  ensureFerretDB,
  findFreePort,
  spawnManaged,
  startFerretDB,
  startNodeService,
  startRedis,
  stopAll,
  type ManagedProcess,
} from '../src';
import { acquireLock } from '../src/lock';

/** Every process a test started, stopped by pid in afterAll even when a test fails midway. */
const started: ManagedProcess[] = [];
let tempRoot: string;

beforeAll(async () => {
  tempRoot = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'devstack-test-'));
});

afterAll(async () => {
  await Promise.all(started.map((managed) => managed.stop()));
  await fs.promises.rm(tempRoot, { recursive: true, force: true });
});

async function makeTempDir(prefix: string): Promise<string> {
  return fs.promises.mkdtemp(path.join(tempRoot, prefix));
}

/** Walks up from this file to the folder holding turbo.json, the repository root. */
function findProjectRoot(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 20; depth += 1) {
    if (fs.existsSync(path.join(dir, 'turbo.json'))) {
      return dir;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`No turbo.json found above ${__dirname}`);
}

/**
 * Sends one inline command to Redis over raw TCP and returns the reply once `isComplete`
 * accepts it, or rejects after 2 s.
 */
function sendRedisCommand(
  port: number,
  command: string,
  isComplete: (reply: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      reject(
        new Error(`No complete reply to ${command} within 2 s; received ${JSON.stringify(reply)}`),
      );
    });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (isComplete(reply)) {
        socket.destroy();
        resolve(reply);
      }
    });
  });
}

/** Returns the value of one setting from `CONFIG GET`, whose reply is a two-element array. */
async function getRedisConfig(port: number, setting: string): Promise<string> {
  const reply = await sendRedisCommand(
    port,
    `CONFIG GET ${setting}`,
    (text) => text.split('\r\n').length >= 6,
  );
  // *2, $len, name, $len, value
  const value = reply.split('\r\n')[4];
  if (value === undefined) {
    throw new Error(`Unexpected CONFIG GET reply: ${JSON.stringify(reply)}`);
  }
  return value;
}

function acceptsConnection(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function writeScript(name: string, source: string): Promise<string> {
  const dir = await makeTempDir('script-');
  const file = path.join(dir, name);
  await fs.promises.writeFile(file, source);
  return file;
}

describe('findFreePort', () => {
  it('returns a bindable port', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);

    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('startRedis', () => {
  it('cache role answers PING and stops', async () => {
    const port = await findFreePort();
    const redis = await startRedis({
      port,
      dataDir: await makeTempDir('redis-cache-'),
      role: 'cache',
    });
    started.push(redis);

    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    const pong = await sendRedisCommand(port, 'PING', (text) => text.endsWith('\r\n'));
    expect(pong).toBe('+PONG\r\n');
    expect(await getRedisConfig(port, 'maxmemory-policy')).toBe('allkeys-lru');
    expect(await getRedisConfig(port, 'appendonly')).toBe('no');
    expect(await getRedisConfig(port, 'maxmemory')).toBe(String(256 * 1024 * 1024));

    await redis.stop();
    expect(await redis.exited).toBe(0);
    expect(await acceptsConnection(port)).toBe(false);
  });

  it('queue role never evicts', async () => {
    const port = await findFreePort();
    const dataDir = await makeTempDir('redis-queue-');
    const redis = await startRedis({ port, dataDir, role: 'queue' });
    started.push(redis);

    expect(await getRedisConfig(port, 'maxmemory-policy')).toBe('noeviction');
    expect(await getRedisConfig(port, 'appendonly')).toBe('yes');
    expect(await getRedisConfig(port, 'appendfsync')).toBe('everysec');
    expect(await getRedisConfig(port, 'dir')).toBe(await fs.promises.realpath(dataDir));

    await redis.stop();
  });

  it('rejects a port that is taken', async () => {
    const port = await findFreePort();
    const first = await startRedis({ port, dataDir: await makeTempDir('redis-a-'), role: 'cache' });
    started.push(first);

    const second = startRedis({ port, dataDir: await makeTempDir('redis-b-'), role: 'cache' });

    await expect(second).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    await expect(second).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
    await first.stop();
  });
});

describe('FerretDB', () => {
  it(
    'builds, starts, accepts connections and stops',
    async () => {
      const binary = await ensureFerretDB({ projectRoot: findProjectRoot() });
      expect(binary).toBe(path.join(findProjectRoot(), '.tools', 'bin', 'ferretdb'));

      const port = await findFreePort();
      const dataDir = await makeTempDir('ferretdb-');
      const ferret = await startFerretDB({ binary, port, dataDir });
      started.push(ferret);

      expect(ferret.url).toBe(`mongodb://127.0.0.1:${port}/`);
      expect(await acceptsConnection(port)).toBe(true);

      await ferret.stop();
      expect(await ferret.exited).toBe(0);
      expect(await acceptsConnection(port)).toBe(false);
    },
    15 * 60_000,
  );

  it(
    'rebuilds a binary that fails --version',
    async () => {
      // Link the project's module cache so the rebuild skips the download and reuses Go's
      // build cache, which makes it take seconds instead of a minute.
      const realModuleCache = path.join(findProjectRoot(), '.tools', 'gomod');
      await fs.promises.mkdir(realModuleCache, { recursive: true });
      const projectRoot = await makeTempDir('project-');
      const tools = path.join(projectRoot, '.tools');
      await fs.promises.mkdir(path.join(tools, 'bin'), { recursive: true });
      await fs.promises.symlink(realModuleCache, path.join(tools, 'gomod'));
      const brokenBinary = path.join(tools, 'bin', 'ferretdb');
      await fs.promises.writeFile(brokenBinary, '#!/bin/sh\necho "panic: broken" >&2\nexit 2\n', {
        mode: 0o755,
      });

      // Two concurrent calls: one builds, the other waits for the lock and reuses the result.
      const logLines: string[] = [];
      const log = (line: string): number => logLines.push(line);
      const [binary, secondBinary] = await Promise.all([
        ensureFerretDB({ projectRoot, log }),
        ensureFerretDB({ projectRoot, log }),
      ]);

      expect(binary).toBe(brokenBinary);
      expect(secondBinary).toBe(brokenBinary);
      const logText = logLines.join('\n');
      expect(logText).toMatch(/--version failed \(panic: broken\)/);
      expect(logText).toMatch(/was built by another process/);
      expect(logText.match(/: built /g)).toHaveLength(1);
      const entries = await fs.promises.readdir(tools);
      expect(entries.sort()).toEqual(['bin', 'gomod']);

      const port = await findFreePort();
      const ferret = await startFerretDB({ binary, port, dataDir: await makeTempDir('ferretdb-') });
      started.push(ferret);
      await ferret.stop();
      expect(await ferret.exited).toBe(0);
    },
    15 * 60_000,
  );
});

describe('acquireLock', () => {
  it('waits until the holder releases', async () => {
    const lockDir = path.join(await makeTempDir('lock-'), 'build.lock');
    const releaseFirst = await acquireLock(lockDir, { purpose: 'testing', staleAfterMs: 60_000 });

    const waitLines: string[] = [];
    let secondAcquired = false;
    const second = acquireLock(lockDir, {
      purpose: 'testing',
      staleAfterMs: 60_000,
      log: (line) => waitLines.push(line),
    }).then((release) => {
      secondAcquired = true;
      return release;
    });

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondAcquired).toBe(false);
    expect(waitLines).toHaveLength(1);

    await releaseFirst();
    const releaseSecond = await second;
    expect(secondAcquired).toBe(true);
    await releaseSecond();
    expect(fs.existsSync(lockDir)).toBe(false);
  });

  it('takes over a lock whose owner died', async () => {
    const lockDir = path.join(await makeTempDir('lock-'), 'build.lock');
    const owner = await spawnManaged({
      name: 'dead-owner',
      command: process.execPath,
      args: ['-e', ''],
    });
    await owner.exited;
    await fs.promises.mkdir(lockDir);
    await fs.promises.writeFile(path.join(lockDir, 'owner-pid'), String(owner.pid));

    const logLines: string[] = [];
    const release = await acquireLock(lockDir, {
      purpose: 'testing',
      staleAfterMs: 60_000,
      log: (line) => logLines.push(line),
    });

    expect(logLines.join('\n')).toMatch(/no longer runs/);
    expect(await fs.promises.readFile(path.join(lockDir, 'owner-pid'), 'utf8')).toBe(
      String(process.pid),
    );
    await release();
  });
});

describe('spawnManaged', () => {
  it('rejects a missing command', async () => {
    const result = spawnManaged({
      name: 'missing',
      command: path.join(tempRoot, 'no-such-binary'),
      args: [],
    });
    await expect(result).rejects.toBeInstanceOf(DevstackError);
    await expect(result).rejects.toMatchObject({ code: 'SPAWN_FAILED' });
  });

  it('sends SIGKILL when SIGTERM is ignored', async () => {
    const script = await writeScript(
      'ignore-sigterm.js',
      "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));\n" +
        "console.log('started');\nsetInterval(() => {}, 1000);\n",
    );
    const lines: string[] = [];
    const managed = await spawnManaged({
      name: 'stubborn',
      command: process.execPath,
      args: [script],
      onOutput: (line) => lines.push(line),
    });
    started.push(managed);
    await waitFor(() => lines.includes('started'));

    const stopStartedAt = Date.now();
    await managed.stop(500);

    expect(await managed.exited).toBeNull();
    expect(Date.now() - stopStartedAt).toBeGreaterThanOrEqual(500);
    expect(managed.outputTail()).toContain('ignoring SIGTERM');
  });

  it('stopAll stops every live process', async () => {
    const processes = await Promise.all(
      ['first', 'second'].map((name) =>
        spawnManaged({
          name,
          command: process.execPath,
          args: ['-e', 'setInterval(() => {}, 1000)'],
        }),
      ),
    );
    started.push(...processes);

    await stopAll();

    for (const managed of processes) {
      expect(await managed.exited).toBeNull();
    }
  });

  it('appends output to the log file', async () => {
    const logFile = path.join(await makeTempDir('logs-'), 'nested', 'echo.log');
    const managed = await spawnManaged({
      name: 'echo',
      command: process.execPath,
      args: ['-e', "console.log('to stdout'); console.error('to stderr')"],
      logFile,
    });

    expect(await managed.exited).toBe(0);
    const logged = await fs.promises.readFile(logFile, 'utf8');
    expect(logged).toContain('to stdout\n');
    expect(logged).toContain('to stderr\n');
  });
});

describe('startNodeService', () => {
  it('resolves once readyz returns 200', async () => {
    const script = await writeScript(
      'server.js',
      "const http = require('node:http');\n" +
        'http.createServer((request, response) => {\n' +
        "  response.statusCode = request.url === '/readyz' ? 200 : 404;\n" +
        "  response.end('ok');\n" +
        "}).listen(Number(process.env.PORT), '127.0.0.1');\n",
    );
    const port = await findFreePort();
    const service = await startNodeService({
      name: 'tiny-server',
      script,
      env: { PORT: String(port) },
      port,
    });
    started.push(service);

    expect(service.url).toBe(`http://127.0.0.1:${port}`);
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).toBe(200);
    await response.arrayBuffer();

    await service.stop();
    expect(await service.exited).toBeNull();
  });

  it('reports the output tail on early exit', async () => {
    const script = await writeScript(
      'fails.js',
      "console.error('Invalid configuration: MONGO_URL is missing');\nprocess.exit(1);\n",
    );
    const port = await findFreePort();

    const result = startNodeService({ name: 'failing-service', script, port, timeoutMs: 10_000 });

    await expect(result).rejects.toMatchObject({ code: 'PROCESS_EXITED' });
    await expect(result).rejects.toThrow(/exited with code 1/);
    await expect(result).rejects.toThrow(/Invalid configuration: MONGO_URL is missing/);
  });

  it('stops a service that never becomes ready', async () => {
    const script = await writeScript(
      'silent.js',
      "console.log('listening nowhere');\nsetInterval(() => {}, 1000);\n",
    );
    const port = await findFreePort();

    const error: unknown = await startNodeService({
      name: 'silent-service',
      script,
      port,
      timeoutMs: 1000,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DevstackError);
    expect((error as DevstackError).code).toBe('START_TIMEOUT');
    expect((error as DevstackError).message).toContain('listening nowhere');
    const pid = Number(/\(pid (\d+)\)/.exec((error as DevstackError).message)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});

/** Polls `condition` every 20 ms for up to 5 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('Condition not met within 5 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
