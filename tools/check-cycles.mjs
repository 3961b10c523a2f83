#!/usr/bin/env node
// Fails on an import cycle between source files of packages/*/src and apps/*/src that
// is not allow-listed (ALLOWED below), and on an allow-listed import that is gone or no
// longer part of a cycle, so the list stays true.
//
// Edges: a static `import … from`, a side-effect `import '…'` and an `export … from`
// whose specifier is relative ('./x.js', '../ops/y.ts', a folder with an index) or names
// a workspace package (`@eddy/core` → packages/core/src/index.ts). Type-only imports and
// exports (`import type`, `export type`, or `{ type A, type B }` with nothing else) are
// erased at compile time and do not count; nor do dynamic `import()` calls, which load
// lazily. Files are parsed with the TypeScript compiler (the repository's own
// devDependency), so imports quoted in comments or TSDoc examples never count.
//
// Files that import each other in a circle form a knot (a strongly connected set, found
// with Tarjan's algorithm). Every elementary cycle that is not allowed is printed as a
// file chain starting at its alphabetically first file, `a.ts -> b.ts -> a.ts`. An
// allowed knot is summarised in one line (`--verbose` prints its cycles too).
//
// Usage: node tools/check-cycles.mjs [--root DIR] [--allow CHAIN]... [--no-allow-list] [--verbose]
//   --root DIR        the repository to scan (default: this script's repository)
//   --allow CHAIN     allow the imports of this chain, paths relative to the root
//                     (`a.ts -> b.ts -> a.ts`), instead of the built-in list; repeatable
//   --no-allow-list   allow nothing
//   --verbose         also print every allowed cycle
// Exit status: 0 when every cycle is allowed and every allowed import is still in a
// cycle, 1 otherwise, 2 on a usage error.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The import cycles that exist today, on purpose, as knots: the run-time imports between
 * files that import each other in a circle (paths relative to `dir`). The check fails when
 * a file joins a knot, when a new import closes another circle inside it, when a new knot
 * appears, and when an import listed here is gone or no longer part of a circle.
 *
 * packages/core: `Tensor` has the fluent methods (`x.add(y)`, `x.sum()`,
 * `x.reshape(…)`, `a.matmul(b)`) that call four op modules, and every op module
 * constructs `Tensor`s; the op modules also use each other (elementwise ↔ reduce,
 * reduce ↔ shape, shape ↔ indexing, linalg → all). 6 files, 20 imports, 42 elementary
 * cycles; the other op modules (fused-*, spline, monotonic-affine, normal-log-prob) and
 * autodiff.ts (type-only imports of `Tensor`) stay outside it.
 */
const ALLOWED = [
  {
    name: 'core: Tensor and its op modules',
    dir: 'packages/core/src',
    edges: [
      'tensor.ts -> ops/elementwise.ts',
      'tensor.ts -> ops/linalg.ts',
      'tensor.ts -> ops/reduce.ts',
      'tensor.ts -> ops/shape.ts',
      'ops/elementwise.ts -> tensor.ts',
      'ops/elementwise.ts -> ops/reduce.ts',
      'ops/indexing.ts -> tensor.ts',
      'ops/indexing.ts -> ops/elementwise.ts',
      'ops/indexing.ts -> ops/shape.ts',
      'ops/linalg.ts -> tensor.ts',
      'ops/linalg.ts -> ops/elementwise.ts',
      'ops/linalg.ts -> ops/indexing.ts',
      'ops/linalg.ts -> ops/reduce.ts',
      'ops/linalg.ts -> ops/shape.ts',
      'ops/reduce.ts -> tensor.ts',
      'ops/reduce.ts -> ops/elementwise.ts',
      'ops/reduce.ts -> ops/shape.ts',
      'ops/shape.ts -> tensor.ts',
      'ops/shape.ts -> ops/indexing.ts',
      'ops/shape.ts -> ops/reduce.ts',
    ],
  },
];

/** Where source files live, relative to the root: `<group>/<name>/src`. */
const GROUPS = ['packages', 'apps'];
const SOURCE = /\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/;
const DECLARATION = /\.d\.(?:ts|mts|cts)$/;
/** More elementary cycles than this in one strongly connected set: reported as such. */
const MAX_CYCLES_PER_SET = 1000;

function parseArgs(argv) {
  const opts = { root: resolve(dirname(fileURLToPath(import.meta.url)), '..'), allowed: ALLOWED, verbose: false };
  let custom = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root' && i + 1 < argv.length) opts.root = resolve(argv[++i]);
    else if (a === '--allow' && i + 1 < argv.length) {
      const files = splitChain(argv[++i]);
      const edges = files.slice(1).map((b, k) => `${files[k]} -> ${b}`);
      (custom ??= []).push({ name: `--allow ${argv[i]}`, dir: '.', edges });
    } else if (a === '--no-allow-list') custom = [];
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node tools/check-cycles.mjs [--root DIR] [--allow CHAIN]... [--no-allow-list] [--verbose]');
      process.exit(0);
    } else {
      console.error(`check-cycles: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (custom !== null) opts.allowed = custom;
  return opts;
}

/** `a -> b -> c` as its files. */
function splitChain(text) {
  return text
    .split('->')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/** A path relative to the root, with forward slashes. */
function rel(root, file) {
  return relative(root, file).split(sep).join('/');
}

/** Every source file below `dir` (skipping dist and node_modules), absolute paths. */
function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(p, out);
    } else if (entry.isFile() && SOURCE.test(entry.name) && !DECLARATION.test(entry.name)) {
      out.push(p);
    }
  }
  return out;
}

/** The source roots (`<group>/<name>/src`) and the workspace packages' entry files. */
function workspace(root) {
  const srcDirs = [];
  const packages = new Map();
  for (const group of GROUPS) {
    const g = join(root, group);
    if (!existsSync(g)) continue;
    for (const name of readdirSync(g).sort()) {
      const src = join(g, name, 'src');
      if (!existsSync(src) || !statSync(src).isDirectory()) continue;
      srcDirs.push(src);
      const pkgFile = join(g, name, 'package.json');
      const pkgName = existsSync(pkgFile) ? JSON.parse(readFileSync(pkgFile, 'utf8')).name : undefined;
      const entry = resolveFile(join(src, 'index'));
      if (typeof pkgName === 'string' && entry !== null) packages.set(pkgName, entry);
    }
  }
  return { srcDirs, packages };
}

/** `base` as a source file: as written, with a source extension, or as a folder index. */
function resolveFile(base) {
  const candidates = [base];
  const m = /\.(m|c)?js$/.exec(base);
  if (m) {
    const stem = base.slice(0, -m[0].length);
    const x = m[1] ?? '';
    candidates.push(`${stem}.${x}ts`, `${stem}.tsx`);
  }
  for (const ext of ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs']) candidates.push(base + ext);
  for (const ext of ['.ts', '.tsx', '.js']) candidates.push(join(base, `index${ext}`));
  for (const c of candidates) {
    if (SOURCE.test(c) && !DECLARATION.test(c) && existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** Whether an import or export declaration is erased at compile time. */
function typeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (clause === undefined) return false; // side-effect import
    if (clause.isTypeOnly) return true;
    if (clause.name !== undefined) return false;
    const b = clause.namedBindings;
    return b !== undefined && ts.isNamedImports(b) && b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
  }
  if (node.isTypeOnly) return true;
  const c = node.exportClause;
  return c !== undefined && ts.isNamedExports(c) && c.elements.length > 0 && c.elements.every((e) => e.isTypeOnly);
}

/** The module specifiers of `file`'s run-time static imports and re-exports. */
function specifiers(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out = [];
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st)) continue;
    if (st.moduleSpecifier === undefined || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    if (typeOnly(st)) continue;
    out.push(st.moduleSpecifier.text);
  }
  return out;
}

/** The import graph: file → files it imports (only files inside the source roots). */
function buildGraph(root) {
  const { srcDirs, packages } = workspace(root);
  const files = srcDirs.flatMap((d) => walk(d)).sort();
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const deps = new Set();
    for (const spec of specifiers(file)) {
      let target = null;
      if (spec.startsWith('./') || spec.startsWith('../')) target = resolveFile(resolve(dirname(file), spec));
      else if (packages.has(spec)) target = packages.get(spec);
      if (target !== null && known.has(target) && target !== undefined) deps.add(target);
    }
    graph.set(rel(root, file), [...deps].map((d) => rel(root, d)).sort());
  }
  return graph;
}

/** Tarjan's strongly connected components (iterative), each sorted, in a stable order. */
function stronglyConnected(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const sets = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, 0]];
    index.set(start, next);
    low.set(start, next);
    next++;
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      const deps = graph.get(v);
      if (i < deps.length) {
        frame[1]++;
        const w = deps[i];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next);
          next++;
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v), index.get(w)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1][0];
        low.set(u, Math.min(low.get(u), low.get(v)));
      }
      if (low.get(v) === index.get(v)) {
        const set = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          set.push(w);
        } while (w !== v);
        const cyclic = set.length > 1 || graph.get(v).includes(v);
        if (cyclic) sets.push(set.sort());
      }
    }
  }
  return sets.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * The elementary cycles inside one strongly connected set, each as a list of files that
 * starts at its smallest file (in the set's sorted order) and does not repeat it at the
 * end. Returns null when there are more than MAX_CYCLES_PER_SET.
 */
function elementaryCycles(graph, set) {
  const order = new Map(set.map((f, i) => [f, i]));
  const cycles = [];
  for (const s of set) {
    const rank = order.get(s);
    const path = [s];
    const onPath = new Set([s]);
    const its = [graph.get(s).filter((w) => order.has(w) && order.get(w) >= rank)];
    const pos = [0];
    while (its.length > 0) {
      const top = its.length - 1;
      if (pos[top] >= its[top].length) {
        its.pop();
        pos.pop();
        onPath.delete(path.pop());
        continue;
      }
      const w = its[top][pos[top]++];
      if (w === s) {
        cycles.push([...path]);
        if (cycles.length > MAX_CYCLES_PER_SET) return null;
      } else if (!onPath.has(w)) {
        path.push(w);
        onPath.add(w);
        its.push(graph.get(w).filter((x) => order.has(x) && order.get(x) >= rank));
        pos.push(0);
      }
    }
  }
  return cycles;
}

/** `a -> b -> a` from `[a, b]`, rotated to start at its smallest file. */
function chain(cycle) {
  let k = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i] < cycle[k]) k = i;
  const rot = [...cycle.slice(k), ...cycle.slice(0, k)];
  return [...rot, rot[0]].join(' -> ');
}

/** The allowed imports, `a -> b` keyed, with the knot each belongs to. */
function allowedEdges(allowed) {
  const out = new Map();
  for (const knot of allowed) {
    for (const e of knot.edges) {
      const [a, b, ...rest] = splitChain(e);
      if (a === undefined || b === undefined || rest.length > 0) throw new Error(`check-cycles: bad allowed import '${e}'`);
      const path = (f) => (knot.dir === '.' ? f : `${knot.dir}/${f}`);
      out.set(`${path(a)} -> ${path(b)}`, knot.name);
    }
  }
  return out;
}

function main() {
  const { root, allowed, verbose } = parseArgs(process.argv.slice(2));
  const graph = buildGraph(root);
  const allowedImports = allowedEdges(allowed);
  const inCycle = new Set(); // imports between two files of one knot
  let failed = false;
  let cyclesFound = 0;
  const fail = (line) => {
    failed = true;
    console.error(line);
  };
  for (const set of stronglyConnected(graph)) {
    const members = new Set(set);
    const edges = set.flatMap((a) =>
      graph
        .get(a)
        .filter((b) => members.has(b))
        .map((b) => `${a} -> ${b}`),
    );
    for (const e of edges) inCycle.add(e);
    const fresh = new Set(edges.filter((e) => !allowedImports.has(e)));
    const cycles = elementaryCycles(graph, set);
    if (cycles === null) {
      fail(`check-cycles: more than ${MAX_CYCLES_PER_SET} import cycles among these ${set.length} files:`);
      for (const f of set) console.error(`  ${f}`);
      for (const e of fresh) console.error(`  not allowed: ${e}`);
      continue;
    }
    cyclesFound += cycles.length;
    const uses = (c, e) => c.some((a, i) => `${a} -> ${c[(i + 1) % c.length]}` === e);
    const bad = cycles.filter((c) => [...fresh].some((e) => uses(c, e)));
    const names = [...new Set(edges.map((e) => allowedImports.get(e)).filter((n) => n !== undefined))];
    if (bad.length === 0) {
      console.log(`allowed knot (${names.join('; ')}): ${set.length} files, ${edges.length} imports, ${cycles.length} cycles`);
      if (verbose) for (const c of cycles) console.log(`  ${chain(c)}`);
      continue;
    }
    const where = names.length > 0 ? ` (joins the allowed knot '${names.join("', '")}')` : '';
    fail(`import cycles among ${set.length} files${where}, through ${fresh.size} import(s) not allow-listed:`);
    for (const e of fresh) console.error(`  new import: ${e}`);
    for (const c of bad.map(chain).sort()) console.error(`  import cycle: ${c}`);
  }
  for (const [e, name] of allowedImports) {
    if (inCycle.has(e)) continue;
    const [a, b] = splitChain(e);
    const why = graph.get(a)?.includes(b) ? 'is no longer part of an import cycle' : 'no longer exists';
    fail(`check-cycles: the allowed import ${e} ('${name}') ${why}: remove it from ALLOWED in tools/check-cycles.mjs`);
  }
  if (failed) {
    console.error(
      `check-cycles: FAILED (${graph.size} files). Break a new cycle (move what both sides need into a third module, or import only types with \`import type\`), or, if it is meant to be, add its imports to ALLOWED in tools/check-cycles.mjs.`,
    );
    process.exit(1);
  }
  console.log(`check-cycles: ${graph.size} files, ${cyclesFound} import cycles, all allow-listed`);
}

main();
