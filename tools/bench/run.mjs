#!/usr/bin/env node
// Eddy benchmarks: `npm run bench [-- suite ...] [--zuko=FILE] [--zuko-moons=FILE]`.
// Suites: engine (default), train, throughput, moons, cluster (@eddy/cluster's worker
// processes against the local pool, on a redis-server it starts). Prints tables and writes
// bench-results/<suite>.json with machine info. zuko's side comes from a results file
// written on this machine in the same sitting (tools/bench/side-by-side.sh runs both);
// without one, the shared file from another machine is used and labelled as such.
// Nothing here is asserted (machines are shared and noisy).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { kernelInfo } from '@eddy/backend-cpu';
import { join } from 'node:path';
import { clusterSuite } from './cluster.mjs';
import { engineSuite } from './engine.mjs';
import { moonsSuite } from './moons.mjs';
import { throughputSuite } from './throughput.mjs';
import { trainSuite } from './train.mjs';

const suites = { engine: engineSuite, train: trainSuite, throughput: throughputSuite, moons: moonsSuite, cluster: clusterSuite };
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : ['engine'];
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
  cpuFlags: (() => {
    try {
      const f =
        readFileSync('/proc/cpuinfo', 'utf8')
          .match(/^flags\s*:\s*(.*)$/m)?.[1]
          .split(' ') ?? [];
      return f.filter((x) => /^(avx2|fma|avx512f|avx512dq|avx512bw|avx512vl)$/.test(x));
    } catch {
      return [];
    }
  })(),
  kernels: kernelInfo(),
};
mkdirSync('bench-results', { recursive: true });
for (const name of names) {
  const suite = suites[name];
  if (suite === undefined) {
    console.error(`bench: unknown suite "${name}" (have: ${Object.keys(suites).join(', ')})`);
    process.exit(2);
  }
  console.log(`# ${name} — ${machine.cpu} (${machine.cpuFlags.join(' ')}), node ${machine.node}, kernels ${machine.kernels.isa}`);
  const results = await suite();
  const file = join('bench-results', `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ suite: name, machine, results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
