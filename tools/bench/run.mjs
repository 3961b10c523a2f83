#!/usr/bin/env node
// Eddy benchmarks: `npm run bench [-- suite ...]`. Suites: engine (default), moons, throughput.
// Prints a table and writes bench-results/<suite>.json with machine info. Timings are
// reported as ratios against a baseline measured in the same run where one exists;
// nothing here is asserted (machines are shared and noisy).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { engineSuite } from './engine.mjs';
import { moonsSuite } from './moons.mjs';
import { throughputSuite } from './throughput.mjs';

const suites = { engine: engineSuite, moons: moonsSuite, throughput: throughputSuite };
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : ['engine'];
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
};
mkdirSync('bench-results', { recursive: true });
for (const name of names) {
  const suite = suites[name];
  if (suite === undefined) {
    console.error(`bench: unknown suite "${name}" (have: ${Object.keys(suites).join(', ')})`);
    process.exit(2);
  }
  console.log(`# ${name} — ${machine.cpu}, node ${machine.node}`);
  const results = await suite();
  const file = join('bench-results', `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ suite: name, machine, results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
