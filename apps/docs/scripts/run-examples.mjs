#!/usr/bin/env node
// `npm run examples`: compiles and runs every guide program (apps/docs/examples/*.ts), one
// process each, from the repository root (tools/run-ts.mjs). Pictures go to
// apps/docs/guides/media/ (EDDY_DOCS_MEDIA), where the guides link them. A program that
// throws (every guide checks its own claims) fails the run.
// What each program prints is recorded (record-output.mjs, preloaded) and written per
// `#region` to guides/media/<name>.output.json, { region: [line, ...] }: the guides show it
// under the code with {@includeOutput ../examples/<name>.ts#region} (typedoc-plugin.mjs).
// Usage: node apps/docs/scripts/run-examples.mjs [name ...]   (default: all; build first)
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTs } from '../../../tools/run-ts.mjs';
import { outputPath, regionAt, regionsOf } from './regions.mjs';

const scripts = dirname(fileURLToPath(import.meta.url));
const docs = resolve(scripts, '..');
const sources = join(docs, 'examples');
const media = join(docs, 'guides', 'media');
const recorded = join(docs, '..', '..', 'node_modules', '.cache', `eddy-run-output-${process.pid}`);

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
rmSync(recorded, { recursive: true, force: true });
const times = await runTs(
  names.map((n) => join(sources, `${n}.ts`)),
  { EDDY_DOCS_MEDIA: media, EDDY_DOCS_OUTPUT: recorded },
  ['--import', join(scripts, 'record-output.mjs')],
);

// Printed lines per region: a line belongs to the innermost region around the source line
// that printed it; lines printed outside every region (the checks' "ok: …") are not shown.
for (const name of names) {
  const file = join(sources, `${name}.ts`);
  const regions = regionsOf(readFileSync(file, 'utf8'), file);
  /** @type {{ line: number | null, text: string }[]} */
  const records = JSON.parse(readFileSync(join(recorded, `${name}.json`), 'utf8'));
  /** @type {Record<string, string[]>} */
  const byRegion = {};
  for (const { line, text } of records) {
    const region = line === null ? undefined : regionAt(regions, line);
    if (region !== undefined) (byRegion[region] ??= []).push(...text.split('\n'));
  }
  writeFileSync(outputPath(media, name), `${JSON.stringify(byRegion, null, 2)}\n`);
}
rmSync(recorded, { recursive: true, force: true });
console.log(`\nexamples: ${names.length} ran and passed their checks (${times.map((t) => `${t.name} ${t.seconds.toFixed(1)} s`).join(', ')})`);
