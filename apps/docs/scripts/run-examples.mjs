#!/usr/bin/env node
// `npm run examples`: compiles and runs every guide program (apps/docs/examples/*.ts), one
// process each, from the repository root (tools/run-ts.mjs). Pictures go to
// apps/docs/guides/media/ (EDDY_DOCS_MEDIA), where the guides link them. A program that
// throws (every guide checks its own claims) fails the run.
// Usage: node apps/docs/scripts/run-examples.mjs [name ...]   (default: all; build first)
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTs } from '../../../tools/run-ts.mjs';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(docs, 'examples');
const media = join(docs, 'guides', 'media');

const all = readdirSync(sources)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`examples: unknown example(s) ${unknown.join(', ')} (have: ${all.join(', ')})`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : all;
mkdirSync(media, { recursive: true });
const times = await runTs(
  names.map((n) => join(sources, `${n}.ts`)),
  { EDDY_DOCS_MEDIA: media },
);
console.log(`\nexamples: ${names.length} ran and passed their checks (${times.map((t) => `${t.name} ${t.seconds.toFixed(1)} s`).join(', ')})`);
