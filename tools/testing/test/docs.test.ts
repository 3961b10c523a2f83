import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every public export of every package has TSDoc with an @example (the project's
// standard), unless it is marked @internal. typedoc's own validation checks that members
// are documented; this adds the @example rule for the exports themselves.
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
        if (d !== undefined && !hasExample(d)) bad.push(`${exp.name}.${inner.name}`);
      }
      continue;
    }
    if (!hasExample(decl)) bad.push(exp.name);
  }
  return bad;
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
