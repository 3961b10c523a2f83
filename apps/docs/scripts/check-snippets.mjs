#!/usr/bin/env node
// Checks that every guide's code can be copied as shown (run by check-links.mjs, so by
// `npm run docs`; alone: node apps/docs/scripts/check-snippets.mjs [guide.md ...]):
// - the code a guide shows ({@includeCode} tags, in order) is one program: concatenated,
//   it type-checks with tsc against the built packages, so a name used but defined only
//   outside the shown regions fails (as a reader's copy would);
// - no shown import of a repository-only file (any relative import, e.g. './lib/plot.js');
// - a guide that shows code from a program shows that program's `imports` region first;
// - every shown region that printed something when `npm run examples` ran it has its
//   output under it ({@includeOutput} of the same file and region), and every
//   {@includeOutput} names a region the guide shows.
// Exits 1 listing the problems.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { includeTags, outputPath, regionsOf } from './regions.mjs';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(docs, '..', '..');
const media = join(docs, 'guides', 'media');

/**
 * The problems of the given guides (default: every guide), as "guide: message" lines.
 * @param {string[]} [guides] paths of guide .md files
 */
export function checkSnippets(guides) {
  const paths =
    guides ??
    readdirSync(join(docs, 'guides'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => join(docs, 'guides', f));
  /** @type {string[]} */
  const problems = [];
  const work = join(root, 'node_modules', '.cache', `eddy-snippets-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  /** @type {Map<string, { guide: string, map: { file: string, line: number }[] }>} */
  const modules = new Map();
  for (const guide of paths) {
    const name = relative(docs, guide);
    const tags = includeTags(guide);
    const code = tags.filter((t) => t.tag === 'includeCode');
    if (code.length === 0) continue;
    /** @type {string[]} */
    const lines = [];
    /** @type {{ file: string, line: number }[]} */
    const map = [];
    /** @type {Set<string>} */
    const shown = new Set();
    /** @type {Set<string>} */
    const seenFiles = new Set();
    for (const tag of code) {
      const text = readFileSync(tag.file, 'utf8');
      const regions = regionsOf(text, tag.file);
      const rel = relative(docs, tag.file);
      if (!seenFiles.has(tag.file)) {
        seenFiles.add(tag.file);
        if (regions.has('imports') && tag.regions[0] !== 'imports') {
          problems.push(`${name}: the first code shown from ${rel} must be its imports region ({@includeCode ${relative(dirname(guide), tag.file)}#imports})`);
        }
      }
      const parts =
        tag.regions.length === 0
          ? [{ name: '', start: 0, code: text.replace(/\n$/, '') }]
          : tag.regions.map((r) => ({ name: r, ...(regions.get(r) ?? { start: 0, code: '' }) }));
      for (const part of parts) {
        if (part.name && !regions.has(part.name)) {
          problems.push(`${name}: ${rel} has no region "${part.name}"`);
          continue;
        }
        shown.add(`${tag.file}#${part.name}`);
        part.code.split('\n').forEach((line, i) => {
          lines.push(line);
          map.push({ file: rel, line: part.start + 1 + i });
          if (/^\s*(import|export)\b.*\bfrom\s+['"]\.{1,2}\//.test(line) || /^\s*import\s+['"]\.{1,2}\//.test(line)) {
            problems.push(`${name}: ${rel}:${part.start + 1 + i} shows an import of a repository-only file: ${line.trim()}`);
          }
        });
      }
    }
    const module = join(work, `${basename(guide, '.md')}.ts`);
    writeFileSync(module, `${lines.join('\n')}\nexport {};\n`);
    modules.set(module, { guide: name, map });

    // Printed output: under every shown region that printed, and only there.
    const outputs = tags.filter((t) => t.tag === 'includeOutput').flatMap((t) => t.regions.map((r) => `${t.file}#${r}`));
    for (const key of outputs) {
      if (!shown.has(key)) problems.push(`${name}: {@includeOutput ${relative(dirname(guide), key)}} names a region the guide does not show`);
    }
    for (const key of shown) {
      const [file, region] = /** @type {[string, string]} */ (key.split('#'));
      const out = outputPath(media, basename(file, '.ts'));
      if (!region || !existsSync(out)) continue;
      const printed = JSON.parse(readFileSync(out, 'utf8'))[region];
      if (Array.isArray(printed) && printed.length > 0 && !outputs.includes(key)) {
        problems.push(
          `${name}: region ${region} of ${relative(docs, file)} prints ${printed.length} line(s) but the guide does not show them (add {@includeOutput ${relative(dirname(guide), file)}#${region}} under its code)`,
        );
      }
    }
  }

  const program = ts.createProgram([...modules.keys()], {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noUncheckedIndexedAccess: true,
    isolatedModules: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    noEmit: true,
  });
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName ?? '';
    const module = modules.get(resolve(file));
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!module || diagnostic.start === undefined || !diagnostic.file) {
      problems.push(`snippets: ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const at = module.map[line];
    problems.push(`${module.guide}: ${at ? `${at.file}:${at.line}` : 'shown code'}: ${message}`);
  }
  rmSync(work, { recursive: true, force: true });
  return { problems, guides: modules.size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).map((p) => resolve(p));
  const { problems, guides } = checkSnippets(args.length > 0 ? args : undefined);
  if (problems.length > 0) {
    console.error(`check-snippets: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`check-snippets: the shown code of ${guides} guides type-checks as one program each, imports first, output shown`);
}
