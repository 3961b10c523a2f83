// @eddy/cluster against the local pool (issue 13): sampling throughput of one machine's
// FlowPool (1 and 2 threads) and of a cluster job run by K = 1, 2, 3 worker processes
// (bin/eddy-cluster-worker.mjs, one thread each, restarted for every K), timed from submit
// to the merged file; then the overhead per shard (the same job in many tiny shards against
// a few, on 2 workers) and the latency floor (a job of one tiny shard). Every merged file
// is compared byte for byte with the pool's file for the same seed. The suite starts its
// own redis-server (127.0.0.1, a free port, a temporary directory; `tools/start-redis.sh`
// installs it) and stops it, and its workers, at the end, also on error or Ctrl-C.
// Model: NSF, features 8, transforms 3, hidden [64, 64], float32 (the throughput suite's).
// EDDY_BENCH_CLUSTER_N (default 2^21 rows), EDDY_BENCH_CLUSTER_SHARDS (default 16),
// EDDY_BENCH_CLUSTER_WORKERS (default "1,2,3"), EDDY_BENCH_CLUSTER_THREADS (pool, default
// "1,2"), EDDY_BENCH_CLUSTER_REPEATS (timed runs per row, median; default 3),
// EDDY_BENCH_CLUSTER_TINY ("SHARDSxROWS" of the many-shard job, default "64x256").
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NSF, saveFlowToFile } from '@eddy/flows';
import { FlowPool } from '@eddy/montecarlo';
import { freePort, redisServerArgs, waitForLine } from '../testing/src/processes.mjs';
import { printTable, rate } from './lib/protocol.mjs';

const WORKER_BIN = fileURLToPath(new URL('../../packages/cluster/bin/eddy-cluster-worker.mjs', import.meta.url));
const CLUSTER_DIST = fileURLToPath(new URL('../../packages/cluster/dist/index.js', import.meta.url));
const SEED = 1;
const DTYPE = 'float32';
const make = () => new NSF({ features: 8, transforms: 3, hiddenFeatures: [64, 64], dtype: DTYPE, seed: 0 });

const intList = (v, fallback) => (v ?? fallback).split(',').map((s) => Number(s.trim()));
const positive = (v, what) => {
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`bench cluster: ${what} must be a positive integer, got ${v}`);
  return v;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (s) => `${(s * 1000).toFixed(1)}`;

/** Children of this suite, killed (SIGKILL) if the process exits or is interrupted before they are stopped. */
const children = new Set();
const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
let scratch; // the suite's temporary directory, removed on an interrupt too
const onSignal = (signal) => {
  killAll();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  process.exit(signal === 'SIGINT' ? 130 : 143);
};

/** Spawns a child with its output kept (the last 64 kB) for error messages. */
function spawnKept(command, args) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let log = '';
  const keep = (d) => {
    log += d.toString();
    if (log.length > 65536) log = log.slice(-65536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { child, log: () => log };
}

/** Sends `signal` and waits for the exit; SIGKILL after `grace` ms. */
async function stopChild(child, signal = 'SIGTERM', grace = 30_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), grace);
  await exited;
  clearTimeout(timer);
}

async function startRedis(dir) {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0)
    throw new Error('bench cluster: redis-server is not installed (or does not run): run tools/start-redis.sh first');
  const port = await freePort();
  const r = spawnKept('redis-server', redisServerArgs(port, dir));
  await waitForLine(r.child, 'stdout', /Ready to accept connections/, 20_000, `redis-server on port ${port}`, r.log);
  return { url: `redis://127.0.0.1:${port}`, child: r.child, version: probe.stdout.match(/v=(\S+)/)?.[1] ?? 'unknown' };
}

/** A worker process; `shardSeconds` collects the time of each shard it finished, as it reports it on stderr. */
async function spawnWorker(url, prefix, name) {
  const w = spawnKept(process.execPath, [WORKER_BIN, '--redis', url, '--threads', '1', '--prefix', prefix, '--name', name]);
  const shardSeconds = [];
  let partial = '';
  w.child.stderr.on('data', (d) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      const m = /^done shard \d+ of job \S+ rows \[\d+, \d+\) in ([\d.]+) s$/.exec(line);
      if (m) shardSeconds.push(Number(m[1]));
    }
  });
  await waitForLine(w.child, 'stdout', /^ready /m, 60_000, `worker ${name}`, w.log);
  return { ...w, shardSeconds };
}

export async function clusterSuite() {
  const n = positive(Number(process.env.EDDY_BENCH_CLUSTER_N ?? 2 ** 21), 'EDDY_BENCH_CLUSTER_N');
  const shards = positive(Number(process.env.EDDY_BENCH_CLUSTER_SHARDS ?? 16), 'EDDY_BENCH_CLUSTER_SHARDS');
  const workerCounts = intList(process.env.EDDY_BENCH_CLUSTER_WORKERS, '1,2,3').map((k) => positive(k, 'EDDY_BENCH_CLUSTER_WORKERS'));
  const threadList = intList(process.env.EDDY_BENCH_CLUSTER_THREADS, '1,2').map((t) => positive(t, 'EDDY_BENCH_CLUSTER_THREADS'));
  const repeats = positive(Number(process.env.EDDY_BENCH_CLUSTER_REPEATS ?? 3), 'EDDY_BENCH_CLUSTER_REPEATS');
  const tiny = (process.env.EDDY_BENCH_CLUSTER_TINY ?? '64x256').split('x').map(Number);
  const tinyShards = positive(tiny[0], 'EDDY_BENCH_CLUSTER_TINY shards');
  const tinyRows = positive(tiny[1], 'EDDY_BENCH_CLUSTER_TINY rows');
  if (shards > n) throw new Error(`bench cluster: ${shards} shards are more than the ${n} rows`);
  if (!existsSync(CLUSTER_DIST))
    throw new Error('bench cluster: packages/cluster/dist is missing: run `npm run bench -- cluster` (it builds) or build @eddy/cluster first');
  // Imported here, so that the other suites run without @eddy/cluster built.
  const { Coordinator } = await import('@eddy/cluster');
  const tinyN = tinyShards * tinyRows;
  const overheadK = 2;
  if (tinyShards <= overheadK)
    throw new Error(`bench cluster: EDDY_BENCH_CLUSTER_TINY needs more than ${overheadK} shards (the few-shard job has ${overheadK}), got ${tinyShards}`);
  const tinyRepeats = Math.max(5, repeats);
  console.log(`n = ${n} rows in ${shards} shards, NSF 8/3/[64,64] ${DTYPE}, seed ${SEED}; median of ${repeats} runs (${tinyRepeats} for the tiny jobs)`);

  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-cluster-'));
  scratch = dir;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAll);
  const results = [];
  let redis;
  let pool1Seconds; // the local pool on 1 thread: the baseline of every row
  try {
    mkdirSync(join(dir, 'redis'));
    redis = await startRedis(join(dir, 'redis'));
    console.log(`redis-server ${redis.version} at ${redis.url}`);
    const flow = make();
    const model = join(dir, 'model.safetensors');
    saveFlowToFile(flow, model);

    // 1. The local pool: the baseline, and the reference bytes of every job below.
    const reference = new Map();
    const refOf = (rows) => reference.get(rows);
    for (const threads of threadList) {
      const pool = new FlowPool({ threads });
      try {
        await pool.sampleToFile(flow, 4096 * 2 * threads, join(dir, 'warm.npy'), { seed: SEED, dtype: DTYPE }); // every thread loads the flow
        for (const rows of [tinyRows, tinyN]) {
          if (reference.has(rows)) continue;
          const path = join(dir, `ref-${rows}.npy`);
          await pool.sampleToFile(flow, rows, path, { seed: SEED, dtype: DTYPE });
          reference.set(rows, readFileSync(path));
        }
        const times = [];
        let identical = true;
        let isReference = false;
        for (let r = 0; r < repeats; r++) {
          const path = join(dir, `pool-${threads}.npy`);
          const t0 = performance.now();
          await pool.sampleToFile(flow, n, path, { seed: SEED, dtype: DTYPE });
          times.push((performance.now() - t0) / 1000);
          const bytes = readFileSync(path);
          if (!reference.has(n)) {
            reference.set(n, bytes);
            isReference = true;
          } else identical &&= bytes.equals(refOf(n));
          rmSync(path, { force: true });
        }
        const seconds = median(times);
        if (threads === 1) pool1Seconds = seconds;
        const r = {
          bench: 'pool',
          setup: 'local pool',
          processes: 1,
          threadsEach: threads,
          n,
          shards: 1,
          seconds,
          times,
          rowsPerSecond: n / seconds,
          identical,
          isReference,
        };
        results.push(r);
        console.log(`local pool ${threads}T: ${seconds.toFixed(3)} s, ${rate(r.rowsPerSecond)} rows/s`);
      } finally {
        await pool.close();
      }
    }
    pool1Seconds ??= results.find((q) => q.bench === 'pool')?.seconds;
    for (const q of results) q.vsPool1Thread = pool1Seconds === undefined ? undefined : pool1Seconds / q.seconds;

    // 2. The cluster with K worker processes (fresh for every K), and 3. the overhead per shard.
    const runJob = async (coordinator, rows, shardCount, tag) => {
      const outDir = join(dir, tag);
      const t0 = performance.now();
      const { id } = await coordinator.submit({ kind: 'sample', model, n: rows, seed: SEED, shards: shardCount, dtype: DTYPE, outDir });
      const { merged } = await coordinator.follow(id, { merge: true });
      const seconds = (performance.now() - t0) / 1000;
      const ref = refOf(rows);
      const identical = ref === undefined ? undefined : readFileSync(merged.path).equals(ref);
      rmSync(outDir, { recursive: true, force: true });
      return { seconds, identical };
    };
    // Median wall time of `times` runs, and the mean time a worker spent in a shard (its own report).
    const timed = async (coordinator, workers, rows, shardCount, tag, times) => {
      const runs = [];
      const from = workers.map((w) => w.shardSeconds.length);
      for (let r = 0; r < times; r++) runs.push(await runJob(coordinator, rows, shardCount, `${tag}-${r}`));
      const inShards = workers.flatMap((w, i) => w.shardSeconds.slice(from[i]));
      const seconds = median(runs.map((q) => q.seconds));
      const workerSecondsPerShard = inShards.length === 0 ? undefined : inShards.reduce((a, b) => a + b, 0) / inShards.length;
      return { seconds, times: runs.map((q) => q.seconds), identical: runs.every((q) => q.identical === true), workerSecondsPerShard };
    };
    let jobs = 0;
    for (const k of workerCounts) {
      const prefix = `bench-k${k}`;
      const workers = [];
      const coordinator = new Coordinator({ redis: redis.url, prefix });
      try {
        for (let i = 0; i < k; i++) workers.push(await spawnWorker(redis.url, prefix, `k${k}-w${i}`));
        // Warm-up: shards for every worker (the model fetched from Redis, pool threads started, JIT).
        await runJob(coordinator, 4 * k * 4096, 4 * k, `warm-k${k}-${jobs++}`);
        const t = await timed(coordinator, workers, n, shards, `k${k}-${jobs++}`, repeats);
        const r = {
          bench: 'cluster',
          setup: 'cluster',
          processes: k,
          threadsEach: 1,
          n,
          shards,
          ...t,
          rowsPerSecond: n / t.seconds,
          vsPool1Thread: pool1Seconds === undefined ? undefined : pool1Seconds / t.seconds,
        };
        results.push(r);
        console.log(`cluster K=${k}: ${t.seconds.toFixed(3)} s, ${rate(r.rowsPerSecond)} rows/s, bytes ${t.identical ? 'identical' : 'DIFFER'}`);
        if (k === overheadK) {
          const few = await timed(coordinator, workers, tinyN, k, `few-${jobs++}`, tinyRepeats);
          const many = await timed(coordinator, workers, tinyN, tinyShards, `many-${jobs++}`, tinyRepeats);
          const one = await timed(coordinator, workers, tinyRows, 1, `one-${jobs++}`, tinyRepeats);
          const perShard = (many.seconds - few.seconds) / (tinyShards - k);
          results.push(
            { bench: 'cluster-shards', job: 'few shards', processes: k, n: tinyN, shards: k, ...few },
            { bench: 'cluster-shards', job: 'many shards', processes: k, n: tinyN, shards: tinyShards, ...many },
            { bench: 'cluster-shards', job: 'one tiny shard (latency floor)', processes: k, n: tinyRows, shards: 1, ...one },
            {
              bench: 'cluster-overhead',
              processes: k,
              shardsMany: tinyShards,
              shardsFew: k,
              rowsPerShardMany: tinyRows,
              msPerShard: perShard * 1000,
              latencyFloorMs: one.seconds * 1000,
            },
          );
          console.log(`overhead (K=${k}): ${(perShard * 1000).toFixed(2)} ms/shard; one-shard job ${ms(one.seconds)} ms`);
        }
      } finally {
        await coordinator.close();
        for (const w of workers) await stopChild(w.child);
      }
    }
  } finally {
    if (redis !== undefined) await stopChild(redis.child, 'SIGKILL');
    killAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
    scratch = undefined;
  }

  const yes = (b) => (b === undefined ? '—' : b ? 'yes' : 'NO');
  console.log(
    `\nsampling ${n} rows (NSF 8/3/[64,64] ${DTYPE}) to one .npy: local pool vs cluster (K worker processes × 1 thread, ${shards} shards, submit → merged file)`,
  );
  printTable([
    ['setup', 'processes', 'threads each', 'shards', 'time (s)', 'rows/s', '× pool 1T', 'bytes = pool'],
    ...results
      .filter((q) => q.bench === 'pool' || q.bench === 'cluster')
      .map((q) => [
        q.setup,
        q.processes,
        q.threadsEach,
        q.shards,
        q.seconds.toFixed(3),
        rate(q.rowsPerSecond),
        q.vsPool1Thread?.toFixed(2) ?? '—',
        q.isReference ? 'reference' : yes(q.identical),
      ]),
  ]);
  const shardRows = results.filter((q) => q.bench === 'cluster-shards');
  const overhead = results.find((q) => q.bench === 'cluster-overhead');
  if (overhead !== undefined) {
    console.log(`\noverhead per shard: the same job in few and in many shards on ${overhead.processes} workers`);
    printTable([
      ['job', 'workers', 'shards', 'rows/shard', 'rows', 'time (ms)', 'in a worker (ms/shard)', 'bytes = pool'],
      ...shardRows.map((q) => [
        q.job,
        q.processes,
        q.shards,
        Math.round(q.n / q.shards),
        q.n,
        ms(q.seconds),
        q.workerSecondsPerShard === undefined ? '—' : ms(q.workerSecondsPerShard),
        yes(q.identical),
      ]),
    ]);
    console.log(
      `overhead: ${overhead.msPerShard.toFixed(2)} ms per shard ((many − few) / (${overhead.shardsMany} − ${overhead.shardsFew}), wall time on ${overhead.processes} workers); latency floor (1 shard of ${overhead.rowsPerShardMany} rows, submit → merged): ${overhead.latencyFloorMs.toFixed(1)} ms`,
    );
  }
  const wrong = results.filter((q) => q.identical === false);
  if (wrong.length > 0) console.log(`\nWARNING: ${wrong.length} result(s) whose bytes differ from the local pool's: these timings are meaningless`);
  return results;
}
