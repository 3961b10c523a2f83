// Child-process helpers for tests and benchmarks that start servers of their own (redis-server,
// worker processes). Plain JavaScript, with its types in processes.d.mts, so that the
// benchmark scripts, which plain Node runs, share it with the TypeScript tests.
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (the kernel's choice). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves when `child`'s stream has printed a line matching `pattern`; rejects if it exits first or after `ms`. */
export function waitForLine(child, stream, pattern, ms, what, log) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const s = child[stream];
    if (s === null) return reject(new Error(`${what}: no ${stream}`));
    const timer = setTimeout(() => finish(new Error(`${what}: no line matching ${pattern} within ${ms} ms\n${log()}`)), ms);
    const onData = (d) => {
      buf += d.toString();
      if (pattern.test(buf)) finish();
    };
    const onExit = (code, signal) => finish(new Error(`${what} exited (${code ?? signal}) before printing ${pattern}\n${log()}`));
    function finish(e) {
      clearTimeout(timer);
      s.off('data', onData);
      child.off('exit', onExit);
      e === undefined ? resolve() : reject(e);
    }
    s.on('data', onData);
    child.on('exit', onExit);
  });
}

/**
 * The arguments of a throw-away `redis-server` in the foreground: on 127.0.0.1:`port`,
 * files in `dir`, no snapshots, append-only file only if `appendonly`.
 */
export function redisServerArgs(port, dir, appendonly = false) {
  const settings = { port: String(port), bind: '127.0.0.1', dir, save: '', appendonly: appendonly ? 'yes' : 'no', daemonize: 'no', 'protected-mode': 'yes' };
  return Object.entries(settings).flatMap(([key, value]) => [`--${key}`, value]);
}
