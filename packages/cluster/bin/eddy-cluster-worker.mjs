#!/usr/bin/env node
// A cluster worker process: takes shards of Eddy jobs from Redis and runs them on a local
// pool. Usage: eddy-cluster-worker --redis URL [--threads N] [--shared-dir DIR]
import { runWorkerProcess } from '../dist/index.js';

try {
  await runWorkerProcess();
} catch (e) {
  process.stderr.write(`eddy-cluster-worker: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
  process.exit(1);
}
