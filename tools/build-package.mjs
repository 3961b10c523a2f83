#!/usr/bin/env node
// Builds the package in the current directory: esbuild bundles src/index.ts into
// dist/index.js (ESM) and dist/index.cjs (CJS), leaving dependencies external; tsc emits
// the .d.ts files against the built declarations of the workspace dependencies.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
const common = {
  entryPoints: ['src/index.ts'],
  bundle: true,
  packages: 'external',
  // The build tsconfig has no `paths`, so workspace packages stay imports (not inlined).
  tsconfig: 'tsconfig.build.json',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};
await Promise.all([
  build({ ...common, format: 'esm', outfile: 'dist/index.js' }),
  build({ ...common, format: 'cjs', outfile: 'dist/index.cjs' }),
]);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
