import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script of the repository, no declarations
import { packPackages } from '../../pack-packages.mjs';

// Packs every public package with `npm pack`, checks each tarball with publint and
// arethetypeswrong, installs them all into a fresh project outside the repository (from
// the npm cache where it can), and uses them there as a user would: ES modules,
// CommonJS, a program that mixes both, TypeScript with three module resolutions, the
// installed commands, and the program of the README's "Use Eddy in your own project"
// section. A file missing from `files`, a wrong `exports` map, types of the wrong module
// format or an undeclared dependency fails here.
const repo = resolve(import.meta.dirname, '../../..');
const bin = (name: string): string => join(repo, 'node_modules', '.bin', name);
interface Packed {
  folder: string;
  name: string;
  tarball: string;
  files: string[];
}
let dir: string;
let packed: Packed[];

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The first ```js block after `heading` in the README. */
function readmeProgram(heading: string): string {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(start));
  if (block?.[1] === undefined) throw new Error(`README.md's "${heading}" section has no js code block`);
  return block[1];
}

describe('packages install and import outside the repository', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'eddy-pack-'));
    packed = packPackages(join(dir, 'tarballs')) as Packed[];
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...packed.map((p) => p.tarball)], dir);
  }, 300_000);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('every tarball holds the builds for import and require, both kinds of types, README and LICENSE, and no sources', () => {
    expect(packed.map((p) => p.name)).toEqual([
      '@eddy/core',
      '@eddy/cpu-native',
      '@eddy/backend-cpu',
      '@eddy/backend-gpu',
      '@eddy/transforms',
      '@eddy/distributions',
      '@eddy/flows',
      '@eddy/montecarlo',
      '@eddy/cluster',
      '@eddy/cli',
    ]);
    for (const p of packed) {
      for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'README.md', 'LICENSE', 'package.json'])
        expect(p.files, `${p.name} tarball`).toContain(f);
      expect(
        p.files.filter((f) => f.startsWith('src/') || f.startsWith('test/')),
        `${p.name} ships no sources or tests`,
      ).toEqual([]);
      const meta = JSON.parse(readFileSync(join(repo, p.folder, 'package.json'), 'utf8')) as Record<string, unknown>;
      for (const field of ['license', 'repository', 'homepage', 'keywords', 'publishConfig', 'engines'])
        expect(meta[field], `${p.name} package.json ${field}`).toBeDefined();
    }
  });

  it('publint finds nothing to fix in any tarball (warnings count)', () => {
    for (const p of packed) {
      const out = run(bin('publint'), ['--strict', p.tarball], dir);
      expect(out, p.name).toMatch(/All good!/);
    }
  }, 120_000);

  it('arethetypeswrong: types and code agree for node10, node16 (CommonJS and ESM) and bundler resolution', () => {
    for (const p of packed) {
      // attw exits with 1 when it finds a problem; its JSON report lists them either way.
      const r = spawnSync(bin('attw'), [p.tarball, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
      const report = JSON.parse(r.stdout) as { analysis: { problems: unknown[] } };
      expect(report.analysis.problems, p.name).toEqual([]);
      expect(r.status, `${p.name}: ${r.stderr}`).toBe(0);
    }
  }, 240_000);

  it('ESM: importing the backend registers it with the same core the user imports', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      `import '@eddy/backend-cpu';
import { tensor, grad, sum, exp, getBackend } from '@eddy/core';
const [g] = grad((x) => sum(exp(x)))(tensor([0, 1], { dtype: 'float64' }));
console.log(JSON.stringify({ backend: getBackend().name, g: Array.from(g.dataSync()) }));`,
    );
    const out = JSON.parse(run('node', ['esm.mjs'], dir)) as { backend: string; g: number[] };
    expect(out.backend).toBe('cpu');
    expect(out.g).toEqual([1, Math.E]);
  });

  it('ESM: a normalizing flow from the transforms and distributions packages', () => {
    writeFileSync(
      join(dir, 'flow.mjs'),
      `import '@eddy/backend-cpu';
import { Rng, tensor } from '@eddy/core';
import { Normal, NormalizingFlow } from '@eddy/distributions';
import { ExpTransform } from '@eddy/transforms';
const logNormal = new NormalizingFlow(new ExpTransform().inv, new Normal(tensor(0, { dtype: 'float64' }), tensor(1, { dtype: 'float64' })));
const x = logNormal.sample([4], new Rng(1));
console.log(JSON.stringify({ shape: x.shape, positive: Array.from(x.dataSync()).every((v) => v > 0), lp: logNormal.logProb(tensor([1], { dtype: 'float64' })).item() }));`,
    );
    const out = JSON.parse(run('node', ['flow.mjs'], dir)) as { shape: number[]; positive: boolean; lp: number };
    expect(out.shape).toEqual([4]);
    expect(out.positive).toBe(true);
    expect(out.lp).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 14);
  });

  it('every exported class keeps its name in the build (toString and errors print what the user imported)', () => {
    writeFileSync(
      join(dir, 'names.mjs'),
      `const wrong = [];
let classes = 0;
for (const name of ${JSON.stringify(packed.map((p) => p.name))}) {
  const mod = await import(name);
  for (const [key, value] of Object.entries(mod)) {
    if (typeof value !== 'function' || !/^class\\b/.test(Function.prototype.toString.call(value))) continue;
    classes++;
    // An alias (IndependentTransform = DependentTransform) names a class exported under its own name.
    if (value.name !== key && mod[value.name] !== value) wrong.push(name + ': ' + key + ' is named ' + JSON.stringify(value.name));
  }
}
const { MonotonicAffineTransform } = await import('@eddy/transforms');
console.log(JSON.stringify({ classes, wrong, text: String(new MonotonicAffineTransform(0, 1)) }));`,
    );
    const out = JSON.parse(run('node', ['names.mjs'], dir)) as { classes: number; wrong: string[]; text: string };
    expect(out.classes).toBeGreaterThan(100);
    expect(out.wrong).toEqual([]);
    expect(out.text.startsWith('MonotonicAffineTransform(')).toBe(true);
  });

  it('CommonJS: every package loads with require', () => {
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `require('@eddy/backend-cpu');
const { tensor, matmul } = require('@eddy/core');
const kinds = {
  core: typeof require('@eddy/core').Tensor,
  cpuNative: typeof require('@eddy/cpu-native').loadNative,
  backendCpu: typeof require('@eddy/backend-cpu').cpuBackend,
  backendGpu: typeof require('@eddy/backend-gpu').gpuBackend,
  transforms: typeof require('@eddy/transforms').ExpTransform,
  distributions: typeof require('@eddy/distributions').NormalizingFlow,
  flows: typeof require('@eddy/flows').NSF,
  montecarlo: typeof require('@eddy/montecarlo').FlowPool,
  cluster: typeof require('@eddy/cluster').Coordinator,
  cli: typeof require('@eddy/cli').main,
};
console.log(JSON.stringify({ product: matmul(tensor([[1, 2]]), tensor([[3], [4]])).toArray(), kinds }));`,
    );
    const out = JSON.parse(run('node', ['cjs.cjs'], dir)) as { product: number[][]; kinds: Record<string, string> };
    expect(out.product).toEqual([[11]]);
    expect(out.kinds).toEqual({
      core: 'function',
      cpuNative: 'function',
      backendCpu: 'object',
      backendGpu: 'object',
      transforms: 'function',
      distributions: 'function',
      flows: 'function',
      montecarlo: 'function',
      cluster: 'function',
      cli: 'function',
    });
  });

  it('a program mixing require and import has one instance of each package (one backend registry)', () => {
    writeFileSync(join(dir, 'register.cjs'), `require('@eddy/backend-cpu');\nmodule.exports = require('@eddy/core');\n`);
    writeFileSync(
      join(dir, 'mixed.mjs'),
      `import { createRequire } from 'node:module';
import * as core from '@eddy/core';
const require = createRequire(import.meta.url);
const fromCjs = require('./register.cjs');
const flowsCjs = require('@eddy/flows');
const flowsEsm = await import('@eddy/flows');
console.log(JSON.stringify({
  backend: core.getBackend().name,
  sameCore: fromCjs.Tensor === core.Tensor,
  sameFlows: flowsCjs.NSF === flowsEsm.NSF,
  sum: core.sum(core.tensor([1, 2, 3])).item(),
}));`,
    );
    expect(JSON.parse(run('node', ['mixed.mjs'], dir))).toEqual({ backend: 'cpu', sameCore: true, sameFlows: true, sum: 6 });
  });

  it('@eddy/flows: the browser build has no Node.js import and no file writers; on Node.js ".", "./node" and "./browser" share one instance of each class', async () => {
    // A browser bundler (esbuild, platform 'browser') resolves the installed "." to dist/browser.js.
    const { build } = await import('esbuild');
    const r = await build({
      stdin: { contents: "export * from '@eddy/flows';\nimport '@eddy/backend-cpu';\n", resolveDir: dir, loader: 'js' },
      absWorkingDir: dir,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs).toContain('node_modules/@eddy/flows/dist/browser.js');
    expect(Object.values(r.metafile.outputs).flatMap((o) => o.imports)).toEqual([]);
    const exported = Object.values(r.metafile.outputs).flatMap((o) => o.exports);
    expect(exported).toContain('NSF');
    expect(exported).not.toContain('saveFlowToFile');
    writeFileSync(
      join(dir, 'flows-entries.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const all = await import('@eddy/flows');
const node = await import('@eddy/flows/node');
const browser = await import('@eddy/flows/browser');
console.log(JSON.stringify({
  sameAtomicFile: all.AtomicFile === node.AtomicFile && require('@eddy/flows/node').AtomicFile === node.AtomicFile,
  sameNSF: all.NSF === browser.NSF && require('@eddy/flows/browser').NSF === browser.NSF,
  nodeWriters: typeof all.saveFlowToFile,
  browserWriters: typeof browser.saveFlowToFile,
}));`,
    );
    expect(JSON.parse(run('node', ['flows-entries.mjs'], dir))).toEqual({
      sameAtomicFile: true,
      sameNSF: true,
      nodeWriters: 'function',
      browserWriters: 'undefined',
    });
  }, 60_000);

  it('TypeScript finds the types with node16 and nodenext (from ES modules and CommonJS) and bundler resolution', () => {
    const uses = `import { type Tensor, tensor } from '@eddy/core';
import { cpuBackend } from '@eddy/backend-cpu';
import { NSF, type LazyDistribution } from '@eddy/flows';
import { saveFlowToFile } from '@eddy/flows/node';
import { loadFlow } from '@eddy/flows/browser';
import { FlowPool } from '@eddy/montecarlo';
import { Coordinator } from '@eddy/cluster';
import { main } from '@eddy/cli';
const t: Tensor = tensor([1]);
const name: string = cpuBackend.name;
const flow: LazyDistribution = new NSF({ features: 2 });
const run: (argv: readonly string[]) => Promise<number> = main;
export { t, name, flow, run, FlowPool, Coordinator, saveFlowToFile, loadFlow };
`;
    writeFileSync(join(dir, 'use-esm.mts'), uses);
    writeFileSync(join(dir, 'use-cjs.cts'), uses);
    writeFileSync(join(dir, 'use-bundler.ts'), uses);
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const configs: Array<[string, Record<string, unknown>, string[]]> = [
      ['node16', { module: 'node16', moduleResolution: 'node16' }, ['use-esm.mts', 'use-cjs.cts']],
      ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['use-esm.mts', 'use-cjs.cts']],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['use-bundler.ts']],
    ];
    for (const [label, options, files] of configs) {
      writeFileSync(
        join(dir, `tsconfig.${label}.json`),
        JSON.stringify({
          compilerOptions: {
            ...options,
            strict: true,
            noEmit: true,
            target: 'es2022',
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [join(repo, 'node_modules', '@types')],
          },
          files,
        }),
      );
      expect(run(process.execPath, [tsc, '-p', `tsconfig.${label}.json`], dir), label).toBe('');
    }
  }, 120_000);

  it('the installed commands run: eddy, eddy-build-native and eddy-cluster-worker', () => {
    expect(run('npx', ['--offline', 'eddy', '--help'], dir)).toMatch(/usage: eddy <command>/);
    const version = (JSON.parse(readFileSync(join(repo, 'apps/cli/package.json'), 'utf8')) as { version: string }).version;
    expect(run('npx', ['--offline', 'eddy', '--version'], dir)).toBe(`${version}\n`);
    expect(run('npx', ['--offline', 'eddy-build-native'], dir, { EDDY_NATIVE_BUILD: '0' })).toMatch(/native kernels not built \(EDDY_NATIVE_BUILD=0\)/);
    // Without --redis the worker refuses to start and says how to call it.
    const { EDDY_REDIS_URL: _unset, ...env } = process.env;
    const worker = spawnSync('npx', ['--offline', 'eddy-cluster-worker'], { cwd: dir, encoding: 'utf8', env });
    expect(worker.status).not.toBe(0);
    expect(`${worker.stdout}${worker.stderr}`).toMatch(/usage: eddy-cluster-worker --redis URL/);
  });

  it("the README's own-project program trains, saves, loads, samples and scores", () => {
    writeFileSync(join(dir, 'my-flow.mjs'), readmeProgram('## Use Eddy in your own project'));
    const out = run('node', ['my-flow.mjs'], dir);
    expect(existsSync(join(dir, 'ring.safetensors'))).toBe(true);
    const loss = /final training loss (\S+)/.exec(out)?.[1];
    expect(Number.isFinite(Number(loss)), out).toBe(true);
    const samples = /samples (\[.*\])/.exec(out)?.[1];
    expect((JSON.parse(samples ?? 'null') as number[][]).length, out).toBe(3);
    const lp = Number(/log p\(1, 0\) = (\S+)/.exec(out)?.[1]);
    // The ring has radius ~1, so (1, 0) lies on it: the density there is well above a
    // uniform density over the 3 × 3 box around the ring.
    expect(lp, out).toBeGreaterThan(-Math.log(9));
  }, 120_000);
});
