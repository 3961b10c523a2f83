// Test helpers: a real redis-server of our own on 127.0.0.1 (a free port, a temporary
// directory), and worker processes running the built bin/eddy-cluster-worker.mjs.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, redisServerArgs, waitForLine } from '@eddy/testing';
import { beforeAll } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** A redis-server started by a test. */
export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops the server gracefully (SIGTERM: the append-only file is flushed) and starts it again on the same port and directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on 127.0.0.1 on a free port, with its files in a temporary
 * directory, as a child process. Fails (never skips) when redis-server is not installed.
 */
export async function startRedis(options: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed (or does not run): run tools/start-redis.sh first — the @eddy/cluster tests start a real Redis and are never skipped',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'eddy-redis-'));
  const port = await freePort();
  let log = '';
  const start = async (): Promise<ChildProcess> => {
    const c = spawn('redis-server', redisServerArgs(port, dir, options.appendonly === true), { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitForLine(c, 'stdout', /Ready to accept connections/, 20_000, `redis-server on port ${port}`, () => log);
    return c;
  };
  let child = await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async restart() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      child = await start();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers a `beforeAll` (timeout `ms`) that starts redis-server and then runs `setup`
 * with it. Returns `needRedis`, which every test calls first: without redis-server it
 * throws the reason, so each test fails with it (a failed `beforeAll` alone would report
 * the tests as skipped).
 */
export function beforeAllWithRedis(setup: (redis: TestRedis) => Promise<void> | void, ms = 60_000): () => void {
  let setupError: unknown;
  beforeAll(async () => {
    let redis: TestRedis;
    try {
      redis = await startRedis();
    } catch (e) {
      setupError = e;
      return;
    }
    await setup(redis);
  }, ms);
  return () => {
    if (setupError !== undefined) throw setupError;
  };
}

/** A worker process running bin/eddy-cluster-worker.mjs. */
export interface WorkerProcess {
  child: ChildProcess;
  name: string;
  log(): string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), and wait for the exit. */
  stop(): Promise<void>;
}

/** Spawns a worker process (the built package: build it first) and waits until it is ready. */
export async function spawnWorker(redisUrl: string, name: string, extra: string[] = []): Promise<WorkerProcess> {
  const bin = join(packageDir, 'bin', 'eddy-cluster-worker.mjs');
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) throw new Error('packages/cluster/dist is missing: build first (npx nx run @eddy/cluster:build)');
  let log = '';
  const child = spawn(process.execPath, [bin, '--redis', redisUrl, '--threads', '1', '--name', name, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await waitForLine(child, 'stdout', /^ready /m, 60_000, `worker ${name}`, () => log);
  const ended = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const signal = async (s: NodeJS.Signals): Promise<void> => {
    if (ended()) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(s);
    await exited;
  };
  return { child, name, log: () => log, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
