import type { ChildProcess } from 'node:child_process';

/**
 * A free TCP port on 127.0.0.1 (the kernel's choice).
 *
 * @example
 * ```ts
 * const port = await freePort();
 * spawn('redis-server', ['--port', String(port)]);
 * ```
 */
export declare function freePort(): Promise<number>;

/**
 * Resolves when `child`'s `stream` has printed a line matching `pattern`; rejects (with
 * `what` and the output so far, from `log()`) if the child exits first or after `ms`.
 *
 * @example
 * ```ts
 * let out = '';
 * child.stdout?.on('data', (d) => (out += d));
 * await waitForLine(child, 'stdout', /Ready to accept connections/, 20_000, 'redis-server', () => out);
 * ```
 */
export declare function waitForLine(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
  ms: number,
  what: string,
  log: () => string,
): Promise<void>;

/**
 * The arguments of a throw-away `redis-server` in the foreground: on 127.0.0.1:`port`,
 * files in `dir`, no snapshots, append-only file only if `appendonly`.
 *
 * @example
 * ```ts
 * spawn('redis-server', redisServerArgs(await freePort(), '/tmp/redis-test', true));
 * ```
 */
export declare function redisServerArgs(port: number, dir: string, appendonly?: boolean): string[];
