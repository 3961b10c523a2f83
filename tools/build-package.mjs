#!/usr/bin/env node
// Builds the package in the current directory.
//
// The package is ES modules, built once: esbuild bundles src/index.ts (and any extra
// entries, e.g. a worker script) into dist/*.js, leaving dependencies external. CommonJS
// users get dist/index.cjs, which `require`s that same ESM build (Node >= 20.19 loads ES
// modules with require()), so a program that mixes `require` and `import` still has one
// copy of each package: one backend registry, one default random stream, one kernel
// table. (Two separate builds would each carry their own, the dual-package hazard.)
//
// Declarations: tsc emits dist/**/*.d.ts (ESM-typed, for `import`); each is copied to a
// .d.cts twin with relative specifiers ending in .cjs, the CommonJS-typed declarations
// that TypeScript's node16/nodenext resolution wants for `require`. The repository's
// LICENSE is copied into the package so the tarball carries it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
// package.json may add `"eddy": { "entries": [...] }`: extra entry points (a worker script),
// and `"eddy": { "subpaths": [...] }`: more public entry points besides src/index.ts, for
// the subpaths of its "exports" (@eddy/flows: src/browser.ts, the browser build, and
// src/node.ts, the Node.js file helpers). Each subpath gets a CommonJS door like index's.
// With subpaths the build splits code (esbuild's `splitting`): what several entries share
// is one chunk (dist/chunks/*.js) that they all import, so a program that loads two of
// them (index and node) still has one instance of every module and class.
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const subpaths = pkg.eddy?.subpaths ?? [];
const entries = ['src/index.ts', ...subpaths, ...(pkg.eddy?.entries ?? [])];
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: entries,
  splitting: subpaths.length > 0,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  packages: 'external',
  // The build tsconfig has no `paths`, so workspace packages stay imports (not inlined).
  tsconfig: 'tsconfig.build.json',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: 'dist',
  sourcemap: true,
  // Classes and functions keep their source names (esbuild renames a class that refers to
  // itself, e.g. `_MonotonicAffineTransform`): toString(), error messages and
  // constructor.name show what the user imported.
  keepNames: true,
  logLevel: 'warning',
});
/** The file name of an entry without folder and extension: `src/node.ts` → `node`. */
const baseName = (entry) => entry.replace(/^.*\//, '').replace(/\.ts$/, '');
for (const name of ['index', ...subpaths.map(baseName)]) {
  writeFileSync(
    `dist/${name}.cjs`,
    `'use strict';
// CommonJS entry point: the same ES module build as \`import\` loads (require(esm), Node >= 20.19),
// so CommonJS and ES module code in one program share one instance of ${pkg.name}.
module.exports = require('./${name}.js');
`,
  );
}
// Each extra entry (a worker script) also gets a CommonJS door, dist/<name>-loader.cjs,
// that import()s it: piscina require()s its worker file first, and Node 20's require() of
// an ES module inside a worker thread can abort the process (a V8 fatal error,
// "IsGraphAsync must be used on an instantiated module"); through the door the worker is
// loaded by import() only.
for (const entry of pkg.eddy?.entries ?? []) {
  const name = baseName(entry);
  writeFileSync(
    `dist/${name}-loader.cjs`,
    `'use strict';
// CommonJS door to the ES module ./${name}.js (loaded with import(), never require()).
let loaded;
module.exports = function (task) {
  loaded ??= import('./${name}.js');
  return loaded.then((m) => m.default(task));
};
`,
  );
}
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

/** `./x.js` → `./x.cjs` in every relative module specifier of a declaration file. */
const toCjsSpecifiers = (text) => text.replace(/(from\s+|import\s*\(\s*|import\s+)(['"])(\.\.?\/[^'"]*?)\.js\2/g, '$1$2$3.cjs$2');
for (const entry of readdirSync('dist', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath, entry.name);
  const text = readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), toCjsSpecifiers(text));
}
if (pkg.private !== true) copyFileSync(new URL('../LICENSE', import.meta.url), 'LICENSE');
