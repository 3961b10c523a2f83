// Pure parts of @eddy/cluster (no Redis): job data validation, Redis URLs, part names,
// the shared directory's root.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClusterError,
  Coordinator,
  SHARD_FORMAT,
  type ShardData,
  SharedDirectoryStorage,
  addLogWeights,
  chunkMoments,
  combineImportance,
  combineMoments,
  emptyImportance,
  importanceResult,
  momentsResult,
  parseShardData,
  partName,
  redisOptions,
  shardJobId,
} from '@eddy/cluster';
import { describe, expect, it } from 'vitest';

const good: ShardData = {
  format: SHARD_FORMAT,
  job: 'c0123456789ab',
  index: 1,
  shards: 3,
  kind: 'sample',
  modelSha256: 'a'.repeat(64),
  modelChecksum: '0badf00d',
  rows: [10, 20],
  total: 30,
  seed: 4,
  dtype: 'float32',
  outDir: '/shared/run',
  eddyVersion: '0.1.0',
};

describe('parseShardData', () => {
  it('accepts valid sample and logprob shards', () => {
    expect(parseShardData(good)).toEqual(good);
    const { seed: _seed, ...rest } = good;
    expect(parseShardData({ ...rest, kind: 'logprob', input: '/shared/x.npy', chunkSize: 100 }).kind).toBe('logprob');
  });

  it.each([
    [{ kind: 'expectation' }, /unknown kind "expectation"/],
    [{ extra: 1 }, /unknown field "extra"/],
    [{ format: 'eddy-shard/2' }, /format must be/],
    [{ job: 'a:b' }, /job must be a job id/],
    [{ index: 3 }, /index must be an integer in \[0, shards\)/],
    [{ rows: [20, 10] }, /rows must be/],
    [{ rows: [0, 1.5] }, /rows must be/],
    [{ total: 19 }, /total must be/],
    [{ seed: -1 }, /seed/],
    [{ seed: undefined }, /needs seed/],
    [{ dtype: 'int8' }, /dtype/],
    [{ outDir: 'relative/dir' }, /outDir must be an absolute path/],
    [{ outDir: '/shared/../etc' }, /normalised path/],
    [{ modelSha256: 'A'.repeat(64) }, /modelSha256/],
    [{ modelChecksum: 'zz' }, /modelChecksum/],
    [{ eddyVersion: '$(rm -rf /)' }, /eddyVersion/],
    [{ chunkSize: 0 }, /chunkSize/],
    [{ input: '/x.npy' }, /a sample shard has no input/],
  ] as const)('refuses %j', (over, message) => {
    expect(() => parseShardData({ ...good, ...over })).toThrow(ClusterError);
    expect(() => parseShardData({ ...good, ...over })).toThrow(message);
  });

  it('refuses what is not an object, and logprob shards without a .npy input or with a seed', () => {
    for (const v of [null, 3, 'x', [good]]) expect(() => parseShardData(v)).toThrow(/job data must be an object/);
    const { seed: _seed, ...rest } = good;
    expect(() => parseShardData({ ...rest, kind: 'logprob' })).toThrow(/input must be a non-empty path/);
    expect(() => parseShardData({ ...rest, kind: 'logprob', input: '/x.csv' })).toThrow(/input must be a \.npy file/);
    expect(() => parseShardData({ ...good, kind: 'logprob', input: '/x.npy' })).toThrow(/a logprob shard has no seed/);
  });
});

describe('names', () => {
  it('part names sort in row order; shard ids have no colon', () => {
    expect(partName(3, 10)).toBe('part-00003.npy');
    expect(partName(7, 200_000)).toBe('part-000007.npy');
    expect(shardJobId('c1', 2)).toBe('c1-2');
  });
});

describe('redisOptions', () => {
  it('reads host, port, user, password, database and TLS from a URL; options override', () => {
    expect(redisOptions('redis://127.0.0.1:6390')).toEqual({ host: '127.0.0.1', port: 6390 });
    expect(redisOptions('rediss://eddy:p%40ss@redis.internal/2')).toEqual({
      host: 'redis.internal',
      port: 6379,
      username: 'eddy',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
    expect(redisOptions({ url: 'redis://h:1', port: 2, tls: { servername: 'x' } })).toEqual({ host: 'h', port: 2, tls: { servername: 'x' } });
    expect(redisOptions({ host: 'h' })).toEqual({ host: 'h' });
    expect(() => redisOptions('http://h')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => redisOptions('redis://h/x')).toThrow(/database number/);
    expect(() => redisOptions('not a url')).toThrow(/not a URL/);
  });
});

describe('SharedDirectoryStorage', () => {
  it('with a root, refuses locations and inputs outside it (links resolved)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'eddy-root-'));
    const outside = mkdtempSync(join(tmpdir(), 'eddy-outside-'));
    try {
      symlinkSync(outside, join(root, 'link'));
      const s = new SharedDirectoryStorage({ root });
      await s.prepare(join(root, 'run', 'a'));
      expect(await s.writePart(join(root, 'run'), 'part-00000.npy', async () => {})).toBe(join(s.localPath(join(root, 'run'), 'part-00000.npy')));
      await expect(s.prepare(outside)).rejects.toThrow(/outside the shared directory/);
      await expect(s.writePart(join(root, 'link'), 'part-00000.npy', async () => {})).rejects.toThrow(/outside the shared directory/);
      await expect(s.inputPath(join(root, '..', 'x.npy'))).rejects.toThrow(/outside the shared directory/);
      expect(await s.readText(join(root, 'run'), 'manifest.json')).toBeUndefined();
      await s.writeText(join(root, 'run'), 'manifest.json', '{}');
      expect(await s.readText(join(root, 'run'), 'manifest.json')).toBe('{}');
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('Coordinator without Redis', () => {
  it('fails with a ClusterError naming the address when Redis does not answer (no endless retry)', async () => {
    // Port 1 on the loopback: nothing listens there, so every connection is refused.
    const c = new Coordinator({ redis: 'redis://127.0.0.1:1', connectTimeout: 500 });
    try {
      const status = c.status('nope');
      await expect(status).rejects.toThrow(ClusterError);
      await expect(status).rejects.toThrow(/cannot reach Redis at 127\.0\.0\.1:1 within 0\.5 s/);
    } finally {
      await c.close();
    }
  });
});

describe('statistics shards', () => {
  const target = { targetSha256: 'b'.repeat(64), targetChecksum: '12345678' };

  it('accepts moments and importance shards', () => {
    expect(parseShardData({ ...good, kind: 'moments' }).kind).toBe('moments');
    expect(parseShardData({ ...good, kind: 'importance', ...target }).targetSha256).toBe('b'.repeat(64));
  });

  it.each([
    [{ kind: 'moments', seed: undefined }, /a moments shard needs seed/],
    [{ kind: 'importance' }, /an importance shard needs targetSha256/],
    [{ kind: 'importance', ...target, targetChecksum: 'xyz' }, /targetChecksum/],
    [{ kind: 'moments', ...target }, /a moments shard has no target/],
    [{ kind: 'sample', targetSha256: 'b'.repeat(64) }, /a sample shard has no target/],
    [{ kind: 'moments', input: '/shared/x.npy' }, /a moments shard has no input/],
    [{ kind: 'importance', ...target, f: 'x => x' }, /unknown field "f"/],
  ])('refuses %j', (patch, message) => {
    const d: Record<string, unknown> = { ...good, ...patch };
    for (const k of Object.keys(d)) if (d[k] === undefined) delete d[k];
    expect(() => parseShardData(d)).toThrow(message);
  });

  it('combines moments and importance statistics independently of the split', () => {
    const d = 2;
    const x = Float64Array.from({ length: 2 * 101 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 2) * 100);
    const whole = chunkMoments(x, 101, d);
    const parts = combineMoments(
      combineMoments(chunkMoments(x.subarray(0, 2 * 40), 40, d), chunkMoments(x.subarray(2 * 40, 2 * 41), 1, d)),
      chunkMoments(x.subarray(2 * 41), 60, d),
    );
    for (let j = 0; j < d; j++) {
      expect(parts.mean[j]).toBeCloseTo(whole.mean[j] as number, 12);
      expect(Math.abs((parts.m2[j] as number) / (whole.m2[j] as number) - 1)).toBeLessThan(1e-12);
    }
    const r = momentsResult(parts);
    expect(r.covariance?.[0]?.[0]).toBeCloseTo(r.variance[0] as number, 10);
    const lw = Float64Array.from({ length: 50 }, (_, i) => Math.cos(i) * 5 - 20);
    const one = importanceResult(addLogWeights(emptyImportance(), lw));
    const split = importanceResult(combineImportance([addLogWeights(emptyImportance(), lw.subarray(0, 7)), addLogWeights(emptyImportance(), lw.subarray(7))]));
    expect(Math.abs(split.logZ - one.logZ)).toBeLessThan(1e-12);
    expect(Math.abs(split.ess / one.ess - 1)).toBeLessThan(1e-12);
    let m = -Infinity;
    for (const v of lw) m = Math.max(m, v);
    const w = [...lw].map((v) => Math.exp(v - m));
    const sw = w.reduce((a, b) => a + b, 0);
    expect(Math.abs(one.logZ - (m + Math.log(sw / 50)))).toBeLessThan(1e-12);
    expect(() => addLogWeights(emptyImportance(), [Number.NaN])).toThrow(/log-weight is NaN/);
  });
});
