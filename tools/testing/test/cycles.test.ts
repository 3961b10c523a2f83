import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// tools/check-cycles.mjs, run as CI runs it: on this repository (its allow-list must be
// exactly true), and on small throw-away repositories with and without cycles.
const repo = resolve(import.meta.dirname, '../../..');
const script = join(repo, 'tools/check-cycles.mjs');
const roots: string[] = [];

/** A throw-away repository holding `files` (path → text). */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'eddy-cycles-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const A = 'packages/a/src';
const XY = `${A}/x.ts -> ${A}/y.ts -> ${A}/x.ts`;

describe('check-cycles', () => {
  it('passes on this repository: the allow-list is exactly today’s knot', () => {
    const r = check();
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/allowed knot \(core: Tensor and its op modules\): 6 files/);
  });

  it('reports a cycle as a file chain and exits 1', () => {
    const root = fixture({
      [`${A}/x.ts`]: "import { y } from './y.js';\nexport const x = () => y;\n",
      [`${A}/y.ts`]: "import { x } from './x.js';\nexport const y = () => x;\n",
      [`${A}/z.ts`]: "import { x } from './x.js';\nexport const z = x;\n",
    });
    const r = check('--root', root, '--no-allow-list');
    expect(r.status).toBe(1);
    expect(r.err).toContain(`import cycle: ${XY}`);
    expect(r.err).toContain(`new import: ${A}/x.ts -> ${A}/y.ts`);
    expect(r.err).not.toContain('z.ts');
  });

  it('passes on an allowed cycle, given in any rotation', () => {
    const root = fixture({
      [`${A}/x.ts`]: "export { y } from './y.ts';\nexport const x = 1;\n",
      [`${A}/y.ts`]: "import './x.js';\nexport const y = 2;\n",
    });
    const r = check('--root', root, '--allow', `${A}/y.ts -> ${A}/x.ts -> ${A}/y.ts`);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toContain('1 import cycles, all allow-listed');
  });

  it('fails when a file joins an allowed cycle, or a new import closes another circle in it', () => {
    const joined = fixture({
      [`${A}/x.ts`]: "import { y } from './y.js';\nexport const x = () => y;\n",
      [`${A}/y.ts`]: "import { x } from './x.js';\nimport { w } from './w.js';\nexport const y = () => [x, w];\n",
      [`${A}/w.ts`]: "import { x } from './x.js';\nexport const w = () => x;\n",
    });
    const r = check('--root', joined, '--allow', XY);
    expect(r.status).toBe(1);
    expect(r.err).toContain('joins the allowed knot');
    expect(r.err).toContain(`import cycle: ${A}/w.ts -> ${A}/x.ts -> ${A}/y.ts -> ${A}/w.ts`);
    expect(r.err).not.toContain(`import cycle: ${XY}`);

    const inner = fixture({
      [`${A}/x.ts`]: "import { y } from './y.js';\nexport const x = () => y;\n",
      [`${A}/y.ts`]: "import { x } from './x.js';\nimport { w } from './w.js';\nexport const y = () => [x, w];\n",
      [`${A}/w.ts`]: "import { x } from './x.js';\nexport const w = () => x;\n",
    });
    const allowAll = check('--root', inner, '--allow', XY, '--allow', `${A}/w.ts -> ${A}/x.ts -> ${A}/y.ts -> ${A}/w.ts`);
    expect(allowAll.status).toBe(0);
    writeFileSync(join(inner, A, 'w.ts'), "import { x } from './x.js';\nimport { y } from './y.js';\nexport const w = () => [x, y];\n");
    const r2 = check('--root', inner, '--allow', XY, '--allow', `${A}/w.ts -> ${A}/x.ts -> ${A}/y.ts -> ${A}/w.ts`);
    expect(r2.status).toBe(1);
    expect(r2.err).toContain(`new import: ${A}/w.ts -> ${A}/y.ts`);
    expect(r2.err).toContain(`import cycle: ${A}/w.ts -> ${A}/y.ts -> ${A}/w.ts`);
  });

  it('fails when an allowed import is gone or no longer part of a cycle', () => {
    const root = fixture({
      [`${A}/x.ts`]: "import { y } from './y.js';\nexport const x = () => y;\n",
      [`${A}/y.ts`]: 'export const y = 1;\n',
    });
    const r = check('--root', root, '--allow', XY);
    expect(r.status).toBe(1);
    expect(r.err).toContain(`allowed import ${A}/x.ts -> ${A}/y.ts ('--allow ${XY}') is no longer part of an import cycle`);
    expect(r.err).toContain(`allowed import ${A}/y.ts -> ${A}/x.ts ('--allow ${XY}') no longer exists`);
  });

  it('ignores type-only imports, dynamic imports and imports in comments', () => {
    const root = fixture({
      [`${A}/x.ts`]: [
        "import type { Y } from './y.js';",
        "import { type Y2 } from './y.js';",
        "export type { Y3 } from './y.js';",
        '/** @example',
        " * import { y } from './y.js';",
        ' */',
        "export const load = () => import('./y.js');",
        'export type X = Y | Y2;',
        '',
      ].join('\n'),
      [`${A}/y.ts`]: "import { load } from './x.js';\nexport type Y = number;\nexport type Y2 = string;\nexport type Y3 = boolean;\nexport const y = load;\n",
    });
    const r = check('--root', root, '--no-allow-list');
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
  });

  it('follows folder indexes, re-exports and workspace package names across packages and apps', () => {
    const root = fixture({
      'packages/a/package.json': '{ "name": "@eddy/a" }',
      'apps/b/package.json': '{ "name": "@eddy/b" }',
      [`${A}/index.ts`]: "export * from './lib';\n",
      [`${A}/lib/index.ts`]: "export { b } from '@eddy/b';\n",
      'apps/b/src/index.ts': "import { a } from '@eddy/a';\nexport const b = a;\n",
    });
    const r = check('--root', root, '--no-allow-list');
    expect(r.status).toBe(1);
    expect(r.err).toContain(`import cycle: apps/b/src/index.ts -> ${A}/index.ts -> ${A}/lib/index.ts -> apps/b/src/index.ts`);
  });
});
