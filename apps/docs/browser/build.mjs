#!/usr/bin/env node
// Builds the browser demo into the docs site (a step of `npm run docs`, after typedoc,
// which empties apps/docs/dist): apps/docs/dist/demo/ (or <site>/demo/ for
// `node apps/docs/browser/build.mjs <site>`)
//   two-moons.safetensors  the flow, trained now by train-two-moons.ts (seeded)
//   two-moons.html         the page (copied from here)
//   two-moons.js           page.ts bundled for the browser (esbuild, platform 'browser')
//   two-moons-worker.js    worker.ts bundled the same way, with Eddy inside
// The bundles resolve @eddy/* through node_modules to the built packages and their
// "browser" export condition (no tsconfig paths), as a user's bundler would, so a Node.js
// import on that path fails this build. Build the packages first (`npm run examples` does).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runTs } from '../../../tools/run-ts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// The site folder: apps/docs/dist, or the first argument.
const out = join(resolve(process.argv[2] ?? join(here, '..', 'dist')), 'demo');
mkdirSync(out, { recursive: true });

// esbuild does not type-check: tsc does, with the DOM types (tsconfig.json here).
execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
await runTs([join(here, 'train-two-moons.ts')], { EDDY_DEMO_MODEL: join(out, 'two-moons.safetensors') });
await build({
  entryPoints: { 'two-moons': join(here, 'page.ts'), 'two-moons-worker': join(here, 'worker.ts') },
  outdir: out,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  keepNames: true, // error messages name Eddy's classes
  sourcemap: true,
  tsconfigRaw: {}, // not the repo's tsconfig: its paths would bundle the @eddy sources, not the packages
  logLevel: 'warning',
});
copyFileSync(join(here, 'two-moons.html'), join(out, 'two-moons.html'));
console.log(`browser demo: ${out}/two-moons.html`);
