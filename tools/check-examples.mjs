#!/usr/bin/env node
// Type-checks every TSDoc example (issue 17 §2), the way Effect's docgen does it.
//
// Every fenced ```ts / ```typescript block inside an `@example` tag of a declaration in
// packages/*/src/**/*.ts and apps/cli/src/**/*.ts is written as its own module under
// node_modules/.cache/eddy-examples-<pid>/, with nothing prepended but `export {};` (so each is a
// module and may use top-level await): an example carries its own import lines, as a
// reader who copies it needs them. All of them are type-checked in ONE TypeScript program
// with the root tsconfig.json's options, so `@eddy/*` resolves to the packages' source
// through its `paths`. Each failure is reported as
//
//   packages/core/src/errors.ts:22: example 1 of ShapeError: Cannot find name 'add'.
//
// (the line is the example's line in the source file) and the exit status is 1 when any
// example fails. `--list` prints the examples found instead; `--keep` leaves the written
// modules in the cache folder (they are removed otherwise).
//
// `--run core,distributions` also runs the examples of those packages (after the type
// check), each in its own Node.js process against the built packages (dist/: build them
// first) with the TypeScript CPU kernels (`EDDY_NATIVE=0`) and `@eddy/backend-cpu`
// imported first: an example fails when it throws. An example that shows an error (a
// comment `// ShapeError…` or `// throws…`) must throw it instead.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { bundleForNode } from './run-ts.mjs';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
// One folder per run (several runs may share a checkout).
const cache = join(repo, 'node_modules', '.cache', `eddy-examples-${process.pid}`);
const argv = process.argv.slice(2);
const args = new Set(argv);
const runIndex = argv.indexOf('--run');
const runPackages = runIndex < 0 ? [] : (argv[runIndex + 1] ?? '').split(',').filter((s) => s !== '');
const HEADER = 'export {};\n';

/** Every .ts file under `dir`, recursively (no declaration files). */
function tsFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name));
}

function sourceRoots() {
  const roots = [];
  for (const pkg of readdirSync(join(repo, 'packages'))) {
    const src = join(repo, 'packages', pkg, 'src');
    if (statSync(join(repo, 'packages', pkg)).isDirectory() && existsSync(src)) roots.push(src);
  }
  const cli = join(repo, 'apps', 'cli', 'src');
  if (existsSync(cli)) roots.push(cli);
  return roots;
}

/** The name a reader knows a declaration by: `Class.member`, `fn`, `Interface.field`. */
function symbolName(node) {
  const own = (n) => {
    if (ts.isVariableStatement(n)) {
      return n.declarationList.declarations.map((d) => d.name.getText()).join(', ');
    }
    if (ts.isConstructorDeclaration(n)) return 'constructor';
    if (n.name !== undefined) return n.name.getText();
    return undefined;
  };
  const parts = [];
  for (let n = node; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    const name = own(n);
    if (name !== undefined) parts.unshift(name);
  }
  return parts.length > 0 ? parts.join('.') : '(module)';
}

/**
 * The examples of one source file: for each `@example` tag (of any JSDoc block the
 * parser attached to a declaration, including the file's `@packageDocumentation`), each
 * fenced ts block in it, with the 1-based line of its first code line.
 */
function examplesOf(file) {
  const text = readFileSync(file, 'utf8');
  const source = apiProgram.getSourceFile(file) ?? ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const seen = new Set();
  const visit = (node) => {
    for (const doc of node.jsDoc ?? []) {
      if (seen.has(doc.pos)) continue;
      seen.add(doc.pos);
      let count = 0;
      for (const tag of doc.tags ?? []) {
        if (tag.tagName.text !== 'example') continue;
        // The raw tag text, from the tag to the next tag or the end of the comment.
        const raw = text.slice(tag.pos, tag.end);
        const startLine = source.getLineAndCharacterOfPosition(tag.pos).line; // 0-based
        const lines = raw.split('\n').map((l) => l.replace(/^\s*\*( |$)/, '').replace(/\*\/\s*$/, ''));
        for (let i = 0; i < lines.length; i++) {
          const open = /^\s*```(ts|typescript)\s*$/.exec(lines[i]);
          if (open === null) continue;
          let j = i + 1;
          while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) j++;
          count++;
          found.push({
            file,
            symbol: symbolName(node),
            public: isPublic(node),
            index: count,
            line: startLine + i + 2, // 1-based line of the first code line
            code: lines.slice(i + 1, j).join('\n'),
          });
          i = j;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const configPath = join(repo, 'tsconfig.json');
const config = ts.readConfigFile(configPath, ts.sys.readFile);
if (config.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repo, undefined, configPath);
const options = { ...parsed.options, noEmit: true };

/**
 * The public declarations: what each package's entry point (src/index.ts) exports, as
 * `file:pos` keys of declaration nodes (a variable's statement too, where its JSDoc is).
 * Members are public through their class or interface (see `isPublic`).
 */
function publicDeclarations(entries) {
  const program = ts.createProgram(entries, options);
  const checker = program.getTypeChecker();
  const keys = new Set();
  const add = (decl) => {
    keys.add(key(decl));
    if (ts.isVariableDeclaration(decl)) keys.add(key(decl.parent.parent));
  };
  for (const entry of entries) {
    const source = program.getSourceFile(entry);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) continue;
    for (const exp of checker.getExportsOfModule(moduleSymbol)) {
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      for (const decl of sym.declarations ?? []) {
        if (ts.isSourceFile(decl)) {
          // A namespace re-export (`export * as special`): its members are public.
          for (const inner of checker.getExportsOfModule(sym)) for (const d of inner.declarations ?? []) add(d);
        } else add(decl);
      }
    }
  }
  return { program, keys };
}

function key(node) {
  return `${resolve(node.getSourceFile().fileName)}:${node.pos}`;
}

const roots = sourceRoots();
const entries = roots.map((root) => join(root, 'index.ts')).filter((entry) => existsSync(entry));
const { program: apiProgram, keys: publicKeys } = publicDeclarations(entries);

/** A node is public when it, or a declaration it is a member of, is exported. */
function isPublic(node) {
  const source = node.getSourceFile();
  // The file overview (`@packageDocumentation`) of an entry point.
  if (entries.includes(resolve(source.fileName)) && node.parent === source) {
    if (node === source.statements[0]) return true;
  }
  for (let n = node; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    if (publicKeys.has(key(n))) return true;
  }
  return false;
}

const all = roots.flatMap((root) => tsFiles(root).flatMap(examplesOf));
const examples = all.filter((e) => e.public);
if (args.has('--list')) {
  for (const e of examples) console.log(`${relative(repo, e.file)}:${e.line}: example ${e.index} of ${e.symbol}`);
  console.log(`${examples.length} examples of public declarations (${all.length - examples.length} more on internal ones, not checked)`);
  process.exit(0);
}

rmSync(cache, { recursive: true, force: true });
const byPath = new Map();
for (const [k, e] of examples.entries()) {
  const rel = relative(repo, e.file).replace(/\.ts$/, '').replaceAll('/', '__');
  const path = join(cache, `${rel}__${e.line}__${k}.ts`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${HEADER}${e.code}\n`);
  byPath.set(path, e);
}

const program = ts.createProgram([...byPath.keys()], options, undefined, apiProgram);

const headerLines = HEADER.split('\n').length - 1;
const failures = [];
for (const [path, e] of byPath) {
  const sf = program.getSourceFile(path);
  if (sf === undefined) throw new Error(`check-examples: ${path} is not in the program`);
  const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  for (const d of diagnostics) {
    const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line - headerLines;
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    failures.push(`${relative(repo, e.file)}:${e.line + at}: example ${e.index} of ${e.symbol}: ${message}`);
  }
}
// Diagnostics outside the examples (a broken package source) would make every example
// meaningless: report them too.
for (const d of program.getGlobalDiagnostics()) {
  failures.push(`global: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

const errors = [...failures];
if (errors.length === 0 && runPackages.length > 0) errors.push(...(await runExamples(runPackages)));
if (!args.has('--keep')) rmSync(cache, { recursive: true, force: true });

for (const f of errors) console.log(f);
if (errors.length > 0) {
  console.log(`check-examples: ${errors.length} error(s) in the ${examples.length} TSDoc examples`);
  process.exit(1);
}
console.log(`check-examples: ${examples.length} TSDoc examples type-check`);

/**
 * Runs the examples of `packages` (e.g. `['core']`), one process each; returns the
 * failures in the check's `file:line: example N of Symbol: …` form.
 */
async function runExamples(packages) {
  const chosen = [...byPath].filter(([, e]) => packages.some((p) => relative(repo, e.file).startsWith(`packages/${p}/src/`)));
  const out = join(cache, 'run');
  const entries = chosen.map(([path], k) => {
    const entry = join(cache, `run-${k}.ts`);
    writeFileSync(entry, `import '@eddy/backend-cpu';\n${readFileSync(path, 'utf8')}`);
    return entry;
  });
  await bundleForNode(entries, out);
  const failed = [];
  for (const [k, [, e]] of chosen.entries()) {
    const run = spawnSync(process.execPath, [join(out, `run-${k}.mjs`)], {
      cwd: cache,
      encoding: 'utf8',
      env: { ...process.env, EDDY_NATIVE: '0' },
      timeout: 60_000,
    });
    const where = `${relative(repo, e.file)}:${e.line}: example ${e.index} of ${e.symbol}`;
    // An example that shows an error names it in a comment: it must throw that error.
    const shows = /\/\/.*?\b(throws|[A-Z]\w*Error)\b/.exec(e.code);
    const stderr = (run.stderr ?? '').trim();
    if (shows === null && run.status !== 0) {
      failed.push(`${where}: threw when run: ${stderr.split('\n').find((l) => /Error|error/.test(l)) ?? stderr.slice(-300)}`);
    } else if (shows !== null && (run.status === 0 || (shows[1] !== 'throws' && !stderr.includes(shows[1] ?? '')))) {
      failed.push(`${where}: its comment says it throws ${shows[1]}, but it ${run.status === 0 ? 'ran without error' : `threw: ${stderr.slice(-300)}`}`);
    }
  }
  console.log(`check-examples: ran the ${chosen.length} examples of ${packages.map((p) => `@eddy/${p}`).join(', ')}`);
  return failed;
}
