import type { RedisOptions } from 'ioredis';
import { ClusterError } from './errors.js';

/**
 * Where Redis is: a URL (`redis://[user:password@]host:port[/db]`, or `rediss://…` for
 * TLS), or ioredis options — passed through as they are, so a password, `tls` options
 * (certificates, `servername`), `username` or Sentinel settings all work — optionally with
 * a `url` whose parts the other options override.
 *
 * The queue carries job descriptions that workers act on: Redis must not be reachable by
 * untrusted clients (bind it to a private network, require a password, use TLS).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { type RedisConnection } from '@eddy/cluster';
 * const caPem = readFileSync('ca.pem', 'utf8');
 * const a: RedisConnection = 'redis://:secret@10.0.0.5:6379/0';
 * const b: RedisConnection = { url: 'rediss://redis.internal:6380', tls: { ca: caPem } };
 * ```
 * @category Cluster
 */
export type RedisConnection =
  | string
  | (RedisOptions & {
      /** A `redis://` or `rediss://` URL; the other options override its parts. */
      url?: string;
    });

/**
 * ioredis options for a {@link RedisConnection}: a URL's host, port, user, password and
 * database (and `tls: {}` for `rediss:`), then every other option given.
 *
 * @example
 * ```ts
 * import { redisOptions } from '@eddy/cluster';
 * redisOptions('redis://:pw@127.0.0.1:6390/2'); // { host: '127.0.0.1', port: 6390, password: 'pw', db: 2 }
 * ```
 * @category Cluster
 */
export function redisOptions(connection: RedisConnection): RedisOptions {
  if (typeof connection === 'string') return fromUrl(connection);
  if (typeof connection !== 'object' || connection === null)
    throw new ClusterError(`redis: expected a URL or ioredis options, got ${connection === null ? 'null' : typeof connection}`);
  const { url, ...rest } = connection;
  return url === undefined ? { ...rest } : { ...fromUrl(url), ...rest };
}

function fromUrl(text: string): RedisOptions {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClusterError(`redis: not a URL: ${JSON.stringify(text)} (expected redis://host:port or rediss://host:port)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new ClusterError(`redis: the URL must start with redis:// or rediss://, got ${url.protocol}//`);
  const options: RedisOptions = { host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port: url.port === '' ? 6379 : Number(url.port) };
  if (url.username !== '') options.username = decodeURIComponent(url.username);
  if (url.password !== '') options.password = decodeURIComponent(url.password);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) throw new ClusterError(`redis: the URL's path must be a database number, got /${db}`);
    options.db = Number(db);
  }
  if (url.protocol === 'rediss:') options.tls = {};
  return options;
}

/**
 * Names in Redis, all under one prefix (default `eddy`): BullMQ's queue `<prefix>:shards:*`,
 * the job records `<prefix>:job:<id>` and the models `<prefix>:model:<sha256>`.
 */
export interface Keys {
  prefix: string;
  queue: string;
  job(id: string): string;
  model(sha256: string): string;
}

/** The queue that holds every shard of every job. */
export const SHARD_QUEUE = 'shards';

export function keys(prefix = 'eddy'): Keys {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new ClusterError(`prefix must be 1 to 64 letters, digits, '_', '.' or '-', got ${JSON.stringify(prefix)}`);
  return { prefix, queue: SHARD_QUEUE, job: (id) => `${prefix}:job:${id}`, model: (sha) => `${prefix}:model:${sha}` };
}
