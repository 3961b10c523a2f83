import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every public value export of every package (function, class, constant) has TSDoc with an
// @example (the project's standard), unless it is marked @internal. Type-only exports
// (interfaces, type aliases) need none: an example that only restates a type
// (`const o: RQSOptions = {…}`) teaches nothing, so issue 17 §2 dropped those, and the
// types are shown in use in the examples of the functions and classes that take them.
// tools/check-examples.mjs type-checks every example that exists. typedoc's own validation
// checks that members are documented; this adds the @example rule for the exports.
const repo = resolve(import.meta.dirname, '../../..');
const packages = readdirSync(join(repo, 'packages'));

function undocumentedExports(pkg: string): string[] {
  const entry = join(repo, 'packages', pkg, 'src', 'index.ts');
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    paths: { '@eddy/*': [join(repo, 'packages/*/src/index.ts')] },
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error(`no source for ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`no module symbol for ${entry}`);
  const bad: string[] = [];
  for (const exp of checker.getExportsOfModule(moduleSymbol)) {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const decl = sym.declarations?.[0];
    if (decl === undefined) continue;
    if (ts.isSourceFile(decl)) {
      // A namespace re-export (`export * as special`): check its members instead.
      for (const inner of checker.getExportsOfModule(sym)) {
        const d = inner.declarations?.[0];
        if (d !== undefined && !hasExample(d) && !isTypeOnly(inner)) bad.push(`${exp.name}.${inner.name}`);
      }
      continue;
    }
    if (!hasExample(decl) && !isTypeOnly(sym)) bad.push(exp.name);
  }
  return bad;
}

function isTypeOnly(sym: ts.Symbol): boolean {
  return (sym.flags & ts.SymbolFlags.Value) === 0;
}

function hasExample(decl: ts.Declaration): boolean {
  const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
  const tags = ts.getJSDocTags(node).map((t) => t.tagName.text);
  return tags.includes('example') || tags.includes('internal');
}

describe('public exports carry TSDoc with an @example', () => {
  for (const pkg of packages) {
    it(`@eddy/${pkg}`, () => {
      expect(undocumentedExports(pkg)).toEqual([]);
    });
  }
});
