#!/usr/bin/env node
// npm run conformance -- <dir-of-cases>: one line per case and a total; exit 1 on any failure.
import { existsSync } from 'node:fs';
import { formatResult, runCases } from '../dist/index.js';

const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (dirs.length !== 1 || !existsSync(dirs[0])) {
  console.error('usage: npm run conformance -- <directory of case JSON files>');
  process.exit(2);
}
const summary = runCases(dirs[0], { onResult: (r) => console.log(formatResult(r)) });
console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(summary.failed > 0 ? 1 : 0);
