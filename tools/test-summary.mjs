#!/usr/bin/env node
// Adds up the vitest JSON reports of every workspace project and prints one line,
// "Tests: N passed, M failed, K skipped". Exits 1 if a project has no report or failures.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps', 'tools'];
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const name of readdirSync(root)) {
    const pkg = join(root, name, 'package.json');
    if (!existsSync(pkg)) continue;
    const hasTest = JSON.parse(readFileSync(pkg, 'utf8')).scripts?.test !== undefined;
    if (!hasTest) continue;
    const file = join(root, name, '.vitest', 'report.json');
    if (!existsSync(file)) {
      console.error(`test-summary: no report for ${join(root, name)}`);
      missing++;
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing > 0 ? 1 : 0);
