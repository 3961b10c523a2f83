// `eddy cluster`: a real redis-server of the test's own (127.0.0.1, a free port, a
// temporary directory) and two worker processes started as `eddy cluster worker` from the
// built CLI; a job submitted with `eddy cluster submit ... --merge` gives the bytes of
// `eddy sample` on one machine. Without redis-server the tests fail (never skip) and say
// to run tools/start-redis.sh.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { COMMANDS, type Command, flag, helpText } from '@eddy/cli';
import { MAF, saveFlowToFile } from '@eddy/flows';
import { freePort, redisServerArgs } from '@eddy/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from './run-cli.js';

const CLI = resolve(import.meta.dirname, '..');
const BIN = join(CLI, 'bin/eddy.mjs');
const dir = mkdtempSync(join(tmpdir(), 'eddy-cli-cluster-'));
const model = join(dir, 'model.safetensors');
const children: ChildProcess[] = [];
let redisUrl = '';
let redisDir = '';

/** Spawns `command args` (kept for afterAll) and waits for a line of its stdout matching `pattern`. */
function start(command: string, args: string[], pattern: RegExp, what: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.push(child);
  let log = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${what}: no line matching ${pattern} within 60 s\n${log}`)), 60_000);
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
      if (pattern.test(log)) {
        clearTimeout(timer);
        res(child);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rej(new Error(`${what} exited (${code ?? signal}) before printing ${pattern}\n${log}`));
    });
  });
}

/** Ends a child (SIGKILL) and waits for its exit. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  saveFlowToFile(new MAF({ features: 3, hiddenFeatures: [8], transforms: 2, seed: 4 }), model);
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed (or does not run): run tools/start-redis.sh first — the eddy cluster tests start a real Redis and are never skipped',
    );
  }
  if (!existsSync(join(CLI, 'dist/index.js'))) throw new Error('apps/cli/dist is missing: build first (npx nx run-many -t build --projects=@eddy/cli)');
  const port = await freePort();
  redisDir = mkdtempSync(join(tmpdir(), 'eddy-cli-redis-'));
  await start('redis-server', redisServerArgs(port, redisDir, true), /Ready to accept connections/, `redis-server on port ${port}`);
  redisUrl = `redis://127.0.0.1:${port}`;
  // Two workers, as the README's terminal 2: one given --redis, one EDDY_REDIS_URL.
  await start(process.execPath, [BIN, 'cluster', 'worker', '--redis', redisUrl, '--threads', '1'], /^ready /m, 'worker 1');
  await start(process.execPath, [BIN, 'cluster', 'worker', '--threads', '1', '--name', 'second'], /^ready second /m, 'worker 2', {
    ...process.env,
    EDDY_REDIS_URL: redisUrl,
  });
}, 120_000);

afterAll(async () => {
  // Workers first, Redis last.
  for (const c of children.reverse()) await kill(c);
  rmSync(dir, { recursive: true, force: true });
  if (redisDir !== '') rmSync(redisDir, { recursive: true, force: true });
});

describe('eddy cluster', () => {
  it('submit --merge on two workers writes the bytes of eddy sample on one machine; status says done, 3000/3000', async () => {
    const out = join(dir, 'run');
    const merged = join(dir, 'merged.npy');
    const r = await run(
      'cluster',
      'submit',
      'sample',
      model,
      '-n',
      '3000',
      '--shards',
      '3',
      '--seed',
      '5',
      '--out',
      out,
      '--merge-out',
      merged,
      '--redis',
      redisUrl,
    );
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    // stdout is the job id, nothing else.
    expect(r.out).toMatch(/^[A-Za-z0-9_-]+\n$/);
    const id = r.out.trim();
    expect(r.err).toContain(`submitted job ${id}: sample of 3.00k rows in 3 shards`);
    expect(r.err).toContain(`merged into ${merged}`);
    const single = join(dir, 'single.npy');
    expect((await run('sample', model, '-n', '3000', '--seed', '5', '--out', single, '--threads', '1')).code).toBe(0);
    expect(readFileSync(merged).equals(readFileSync(single))).toBe(true);
    expect(readdirSync(out).sort()).toEqual([
      'manifest.json',
      'part-00000.npy',
      'part-00000.npy.json',
      'part-00001.npy',
      'part-00001.npy.json',
      'part-00002.npy',
      'part-00002.npy.json',
    ]);

    const s = await run('cluster', 'status', id, '--redis', redisUrl);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/^state: +completed$/m);
    expect(s.out).toMatch(/^rows: +3000\/3000 \(100\.0%\)$/m);
    expect(s.out).toMatch(/^shards: +3 \(3 completed\)$/m);
    for (const [i, a, b] of [
      [0, 0, 1000],
      [1, 1000, 2000],
      [2, 2000, 3000],
    ]) {
      expect(s.out).toMatch(new RegExp(`^ {2}shard ${i} rows \\[${a}, ${b}\\): completed, 1000/1000 rows, attempts 1/3, worker `, 'm'));
    }
    const json = JSON.parse((await run('cluster', 'status', id, '--json', '--redis', redisUrl)).out) as { state: string; done: number; job: { n: number } };
    expect(json).toMatchObject({ state: 'completed', done: 3000, job: { n: 3000 } });

    // Merged again later, from Redis and the manifest; follow of a finished job returns at once.
    const again = join(dir, 'again.npy');
    const m = await run('cluster', 'merge', id, '--out', again, '--redis', redisUrl);
    expect(m).toMatchObject({ code: 0, out: `${again}\n` });
    expect(readFileSync(again).equals(readFileSync(single))).toBe(true);
    const f = await run('cluster', 'follow', id, '--redis', redisUrl);
    expect(f).toMatchObject({ code: 0, out: `${join(out, 'manifest.json')}\n` });
    // A completed job cannot be cancelled.
    const c = await run('cluster', 'cancel', id, '--redis', redisUrl);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/is completed; there is nothing to cancel/);
  });

  it("the README's quick start, verbatim but for the port, the size and the paths: --merge writes run/samples.npy; EDDY_REDIS_URL stands for --redis", async () => {
    const readme = readFileSync(join(CLI, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('eddy cluster submit sample model.safetensors -n 1e7'));
    expect(line, 'README quick start: the submit line').toBeDefined();
    expect(readme).toContain('redis-server --port 6379 --appendonly yes');
    expect(readme).toContain('eddy cluster worker --redis redis://127.0.0.1:6379');
    // The repository's README shows the same three terminals, line for line.
    const rootReadme = readFileSync(join(CLI, '../../README.md'), 'utf8');
    for (const shown of ['redis-server --port 6379 --appendonly yes', 'eddy cluster worker --redis redis://127.0.0.1:6379', line as string]) {
      expect(rootReadme.split('\n'), `README.md shows: ${shown}`).toContain(shown);
    }
    const argv = (line as string)
      .replace(/\s+#.*$/, '')
      .trim()
      .split(/\s+/)
      .slice(1);
    expect(argv).toEqual([
      'cluster',
      'submit',
      'sample',
      'model.safetensors',
      '-n',
      '1e7',
      '--seed',
      '1',
      '--shards',
      '10',
      '--redis',
      'redis://127.0.0.1:6379',
      '--out',
      'run/',
      '--merge',
    ]);
    // The same flags, on this test's Redis, a smaller job and paths in the temporary directory.
    const out = join(dir, 'quick-start', 'run/');
    const ours = argv.map((a) =>
      a === 'redis://127.0.0.1:6379' ? redisUrl : a === '1e7' ? '2e3' : a === 'model.safetensors' ? model : a === 'run/' ? out : a,
    );
    const r = await run(...ours);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const single = join(dir, 'single-1.npy');
    expect((await run('sample', model, '-n', '2e3', '--seed', '1', '--out', single, '--threads', '1')).code).toBe(0);
    expect(readFileSync(join(out, 'samples.npy')).equals(readFileSync(single))).toBe(true);

    // --detach prints the id and returns; follow (from the environment's Redis) merges it.
    const saved = process.env.EDDY_REDIS_URL;
    process.env.EDDY_REDIS_URL = redisUrl;
    try {
      const out2 = join(dir, 'run2');
      const d = await run('cluster', 'submit', 'sample', model, '-n', '2e3', '--seed', '1', '--shard-rows', '700', '--out', out2, '--detach');
      expect(d.code).toBe(0);
      const id = d.out.trim();
      expect(d.err).toContain(`follow it with: eddy cluster follow ${id}`);
      const f = await run('cluster', 'follow', id, '--merge');
      expect(f).toMatchObject({ code: 0, out: `${join(out2, 'samples.npy')}\n` });
      expect(readFileSync(join(out2, 'samples.npy')).equals(readFileSync(single))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.EDDY_REDIS_URL;
      else process.env.EDDY_REDIS_URL = saved;
    }
  });

  it('submit moments and importance print the combined statistics (JSON with --json, a table otherwise), the same for 1 and 3 shards', async () => {
    const target = join(dir, 'target.safetensors');
    saveFlowToFile(new MAF({ features: 3, hiddenFeatures: [8], transforms: 2, seed: 8 }), target);
    const moments = async (shards: number) => {
      const r = await run(
        'cluster',
        'submit',
        'moments',
        model,
        '-n',
        '4000',
        '--seed',
        '3',
        '--shards',
        String(shards),
        '--dtype',
        'float64',
        '--json',
        '--out',
        join(dir, `moments-${shards}`),
        '--redis',
        redisUrl,
      );
      expect(r.err).not.toMatch(/Error/);
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as { job: string; kind: string; n: number; mean: number[]; variance: number[]; standardError: number[] };
    };
    const one = await moments(1);
    const three = await moments(3);
    expect(three).toMatchObject({ kind: 'moments', n: 4000, features: 3 });
    for (let j = 0; j < 3; j++) {
      expect(Math.abs((three.mean[j] as number) - (one.mean[j] as number))).toBeLessThan(1e-12 * Math.max(1, Math.abs(one.mean[j] as number)));
      expect(Math.abs((three.variance[j] as number) / (one.variance[j] as number) - 1)).toBeLessThan(1e-12);
    }
    const s = await run('cluster', 'status', three.job, '--redis', redisUrl);
    expect(s.out).toMatch(/^result:\n {2}moments of 4000 draws, 3 features\n {2}feature +mean +variance +std\. error of mean$/m);

    const imp = await run(
      'cluster',
      'submit',
      'importance',
      model,
      '--target',
      target,
      '-n',
      '4000',
      '--seed',
      '3',
      '--shards',
      '2',
      '--out',
      join(dir, 'importance'),
      '--redis',
      redisUrl,
    );
    expect(imp.err).not.toMatch(/Error/);
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/^[A-Za-z0-9_-]+\nimportance sampling, 4000 draws\nlogZ +-?\d/);
    expect(imp.out).toMatch(/^ESS +[\d.e+]+ \([\d.]+% of n\)$/m);
    expect(imp.out).toMatch(/^std\. error of logZ +[\d.e-]+$/m);
  });

  it('usage errors exit 2 with one clear line: no Redis, an unknown subcommand, bad combinations', async () => {
    const saved = process.env.EDDY_REDIS_URL;
    delete process.env.EDDY_REDIS_URL;
    try {
      for (const argv of [
        ['submit', 'sample', model, '-n', '10', '--out', join(dir, 'x')],
        ['worker'],
        ['status', 'abc'],
        ['follow', 'abc'],
        ['cancel', 'abc'],
        ['merge', 'abc'],
      ]) {
        const r = await run('cluster', ...argv);
        expect(r, argv.join(' ')).toMatchObject({ code: 2, out: '' });
        expect(r.err).toBe(`eddy cluster ${argv[0]}: --redis URL is required (or set EDDY_REDIS_URL), e.g. --redis redis://127.0.0.1:6379\n`);
      }
    } finally {
      if (saved !== undefined) process.env.EDDY_REDIS_URL = saved;
    }
    const unknown = await run('cluster', 'launch');
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toBe('eddy cluster: unknown subcommand "launch" (try: worker, submit, follow, status, cancel, merge, or eddy cluster --help)\n');
    const none = await run('cluster');
    expect(none.code).toBe(2);
    expect(none.out).toBe(helpText('cluster', COMMANDS.cluster as Command));
    const cases: Array<[string[], RegExp]> = [
      [
        ['submit', 'draw', model, '--out', 'x', '-n', '5'],
        /the job kind comes first: eddy cluster submit sample\|logprob\|moments\|importance <model\.safetensors>, got "draw"/,
      ],
      [['submit', 'sample', join(dir, 'nope.safetensors'), '--out', 'x', '-n', '5'], /model file not found/],
      [['submit', 'sample', model, '--out', 'x'], /-n \(or --in\) is required/],
      [['submit', 'logprob', model, '--out', 'x', '-n', '5'], /a logprob job needs --in FILE/],
      [['submit', 'sample', model, '--out', 'x', '-n', '5', '--shards', '2', '--shard-rows', '2'], /give --shards or --shard-rows, not both/],
      [['submit', 'importance', model, '--out', 'x', '-n', '5'], /an importance job needs --target FILE/],
      [['submit', 'moments', model, '--out', 'x', '-n', '5', '--target', model], /a moments job has no --target/],
      [['submit', 'moments', model, '--out', 'x', '-n', '5', '--in', model], /a moments job has no --in/],
      [['submit', 'moments', model, '--out', 'x', '-n', '5', '--merge'], /a moments job has statistics, no parts/],
      [['submit', 'sample', model, '--out', 'x', '-n', '5', '--json'], /--json is for moments and importance jobs/],
      [['submit', 'sample', model, '--out', 'x', '-n', '5', '--detach', '--merge'], /--detach returns before the job is done/],
      [
        ['submit', 'sample', model, '--out', 'x', '-n', '5', '--redis', 'http://h:1'],
        /^eddy cluster submit: --redis: the URL must start with redis:\/\/ or rediss:\/\//,
      ],
      [['status'], /a job id is required/],
      [['status', 'a', 'b', '--redis', 'redis://127.0.0.1:1'], /unexpected argument "b"/],
      [['worker', '--threads', '0', '--redis', 'redis://127.0.0.1:1'], /--threads must be an integer ≥ 1, got 0/],
      [['worker', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, message] of cases) {
      const r = await run('cluster', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('--help: the subcommands of eddy cluster; each subcommand its options with descriptions and defaults', async () => {
    const cluster = COMMANDS.cluster;
    expect(cluster?.subcommands).toBeDefined();
    const top = await run('cluster', '--help');
    expect(top).toMatchObject({ code: 0, out: helpText('cluster', cluster as never) });
    for (const [name, sub] of Object.entries(cluster?.subcommands ?? {})) {
      expect(top.out).toMatch(new RegExp(`^ {2}${name}\\b.* {2}${sub.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      for (const spelling of [['--help'], ['-h'], ['x', '--help']]) {
        const r = await run('cluster', name, ...spelling);
        expect(r).toMatchObject({ code: 0, out: helpText(`cluster ${name}`, sub) });
      }
      for (const [opt, spec] of Object.entries(sub.options)) {
        expect(
          spec.default !== undefined || spec.defaultText !== undefined || spec.required === true || spec.requiredUnless !== undefined,
          `cluster ${name} ${flag(opt)} has a default`,
        ).toBe(true);
      }
    }
    const submit = (await run('cluster', 'submit', '--help')).out;
    expect(submit).toMatch(/^usage: eddy cluster submit <sample\|logprob\|moments\|importance> <model\.safetensors> -n N --out DIR \[options\]$/m);
    expect(submit).toMatch(/^ {2}--redis URL +.*\(default: \$EDDY_REDIS_URL; one of the two is required\)$/m);
    expect(submit).toMatch(/^ {2}--merge +.*\(default: off, the parts and manifest\.json only\)$/m);
    expect(submit).toMatch(/^ {2}--attempts N +.*\(default: 3\)$/m);
    expect((await run('cluster', 'worker', '--help')).out).toMatch(/^ {2}--shared-dir DIR +/m);
  });
});
