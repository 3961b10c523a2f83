import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packs the built packages with `npm pack`, installs the tarballs into a fresh project
// outside the repository (offline), and imports them there, as a user would: a file
// missing from `files`, a wrong `exports` map or an undeclared dependency fails here.
const repo = resolve(import.meta.dirname, '../../..');
const packages = ['core', 'backend-cpu', 'transforms', 'distributions'];
let dir: string;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

describe('packages install and import outside the repository', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'eddy-pack-'));
    const tarballs = packages.map((p) => {
      const out = run('npm', ['pack', '--json', '--pack-destination', dir], join(repo, 'packages', p));
      const info = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
      const first = info[0];
      if (first === undefined) throw new Error(`npm pack printed nothing for ${p}`);
      const files = first.files.map((f) => f.path);
      expect(files, `${p} tarball`).toContain('dist/index.js');
      expect(files, `${p} tarball`).toContain('dist/index.cjs');
      expect(files, `${p} tarball`).toContain('dist/index.d.ts');
      expect(files, `${p} tarball`).toContain('README.md');
      expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/')), `${p} ships no sources or tests`).toEqual([]);
      return join(dir, first.filename);
    });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], dir);
  }, 180_000);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

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

  it('CommonJS require works too', () => {
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `require('@eddy/backend-cpu');
const { tensor, matmul } = require('@eddy/core');
console.log(JSON.stringify(matmul(tensor([[1, 2]]), tensor([[3], [4]])).toArray()));`,
    );
    expect(JSON.parse(run('node', ['cjs.cjs'], dir))).toEqual([[11]]);
  });

  it('type declarations resolve for a TypeScript user', () => {
    writeFileSync(
      join(dir, 'use.ts'),
      `import { type Tensor, tensor } from '@eddy/core';
import { cpuBackend } from '@eddy/backend-cpu';
const t: Tensor = tensor([1]);
const name: string = cpuBackend.name;
export { t, name };`,
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', types: [], skipLibCheck: false },
        files: ['use.ts'],
      }),
    );
    const out = run(process.execPath, [tsc, '-p', 'tsconfig.json'], dir);
    expect(out).toBe('');
  });
});
