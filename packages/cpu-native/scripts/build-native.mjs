#!/usr/bin/env node
// Builds the Node-API addon build/eddy_native.node from native/*.cc with the C++ compiler
// already on this machine (CXX, else c++, g++ or clang++) and Node's own headers (the
// include/node folder of the running Node installation, else the node-api-headers
// package): no download. On x86-64 the AVX-512 and AVX2 kernels are compiled with their
// instruction-set flags into separate translation units and chosen at run time; the
// portable kernels are compiled for the baseline CPU.
//
// It never fails the build: without a compiler or headers, or on a compile error, it
// prints why, removes any stale addon, and exits 0 — @eddy/backend-cpu then keeps its
// TypeScript kernels. EDDY_NATIVE_BUILD=0 skips the build (to test that fallback).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'native');
const outDir = join(root, 'build');
const out = join(outDir, 'eddy_native.node');
const log = (msg) => console.log(`@eddy/cpu-native: ${msg}`);

function giveUp(reason) {
  rmSync(out, { force: true });
  log(`native kernels not built (${reason}); @eddy/backend-cpu will use its TypeScript kernels`);
  process.exit(0);
}

if (process.env.EDDY_NATIVE_BUILD === '0') giveUp('EDDY_NATIVE_BUILD=0');

function findHeaders() {
  const own = join(dirname(dirname(process.execPath)), 'include', 'node');
  if (existsSync(join(own, 'node_api.h'))) return own;
  try {
    const req = createRequire(import.meta.url);
    const dir = dirname(req.resolve('node-api-headers/package.json'));
    if (existsSync(join(dir, 'include', 'node_api.h'))) return join(dir, 'include');
  } catch {}
  return undefined;
}

function findCompiler() {
  for (const cxx of [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean)) {
    try {
      const v = execFileSync(cxx, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return { cxx, version: v.split('\n')[0] };
    } catch {}
  }
  return undefined;
}

const headers = findHeaders();
if (headers === undefined) giveUp("Node's headers (include/node/node_api.h) were not found");
const compiler = findCompiler();
if (compiler === undefined) giveUp('no C++ compiler (set CXX, or install g++ or clang++)');

const x64 = arch() === 'x64';
const units = [
  { file: 'addon.cc', flags: [] },
  { file: 'isa_generic.cc', flags: [] },
  ...(x64
    ? [
        { file: 'isa_avx2.cc', flags: ['-mavx2', '-mfma'] },
        { file: 'isa_avx512.cc', flags: ['-mavx512f', '-mavx512dq', '-mavx512bw', '-mavx512vl', '-mavx2', '-mfma'] },
      ]
    : []),
];
// addon.cc only references the AVX kernels on x64, where they are compiled; which one runs
// is decided at load time from the CPU's features. -Wno-(maybe-)uninitialized: GCC 12 warns
// inside its own AVX-512 intrinsic headers (_mm512_undefined_* placeholders).
const common = [
  '-std=c++17',
  '-O3',
  '-fPIC',
  '-fvisibility=hidden',
  '-ffp-contract=off',
  '-Wall',
  '-Wno-maybe-uninitialized',
  '-Wno-uninitialized',
  `-I${headers}`,
  `-I${src}`,
];
if (x64) common.push('-march=x86-64');

// Up to date? (nx caches the build too; this keeps a manual rerun cheap.)
if (existsSync(out)) {
  const built = statSync(out).mtimeMs;
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
  if (built > newest) {
    log(`up to date (${out})`);
    process.exit(0);
  }
}

const work = join(tmpdir(), `eddy-native-${process.pid}`);
mkdirSync(work, { recursive: true });
function run(args) {
  return new Promise((res) => {
    const p = spawn(compiler.cxx, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', (e) => res({ ok: false, err: String(e) }));
    p.on('close', (code) => res({ ok: code === 0, err }));
  });
}

const t0 = Date.now();
const objects = units.map((u) => join(work, `${u.file}.o`));
const results = await Promise.all(units.map((u, i) => run([...common, ...u.flags, '-c', join(src, u.file), '-o', objects[i]])));
const failed = results.findIndex((r) => !r.ok);
if (failed >= 0) {
  process.stderr.write(results[failed].err);
  rmSync(work, { recursive: true, force: true });
  giveUp(`${units[failed].file} did not compile with ${compiler.version}`);
}
for (const r of results) if (r.err) process.stderr.write(r.err);
mkdirSync(outDir, { recursive: true });
const tmp = join(outDir, `eddy_native.${process.pid}.tmp.node`);
const linkFlags = platform() === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
const link = await run([...linkFlags, '-o', tmp, ...objects]);
rmSync(work, { recursive: true, force: true });
if (!link.ok) {
  process.stderr.write(link.err);
  rmSync(tmp, { force: true });
  giveUp('linking failed');
}
renameSync(tmp, out);
writeFileSync(
  join(outDir, 'build-info.json'),
  `${JSON.stringify({ compiler: compiler.version, arch: arch(), platform: platform(), units: units.map((u) => u.file), seconds: (Date.now() - t0) / 1000 }, null, 2)}\n`,
);
log(`built ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${compiler.version}; ${units.map((u) => u.file.replace(/\.cc$/, '')).join(', ')})`);
