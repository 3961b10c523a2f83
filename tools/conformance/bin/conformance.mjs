#!/usr/bin/env node
// npm run conformance -- [--backend cpu|gpu] [--dtype float64|float32] <dir-of-cases>
// One line per case and a total; exit 1 on any failure.
//   --backend  the backend to run on (default cpu); gpu loads @eddy/backend-gpu
//   --dtype    float64 (default: the cases' own precision and tolerances) or float32
//              (inputs, parameters and flows in float32; each key compared with
//              atol = max(case atol, 1e-4), rtol = max(case rtol, 1e-4), see FLOAT32_TOLERANCE)
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const usage = 'usage: npm run conformance -- [--backend cpu|gpu] [--dtype float64|float32] <directory of case JSON files>';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { backend: { type: 'string', default: 'cpu' }, dtype: { type: 'string', default: 'float64' } },
  });
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (positionals.length !== 1 || !existsSync(positionals[0])) {
  console.error(usage);
  process.exit(2);
}
if (values.dtype !== 'float64' && values.dtype !== 'float32') {
  console.error(`--dtype must be float64 or float32, got ${values.dtype}\n${usage}`);
  process.exit(2);
}
const BACKEND_PACKAGES = { gpu: '@eddy/backend-gpu' };
if (values.backend in BACKEND_PACKAGES) await import(BACKEND_PACKAGES[values.backend]);
const { FLOAT32_EXCEPTIONS, FLOAT32_TOLERANCE, formatResult, runCases } = await import('../dist/index.js');
if (values.dtype === 'float32') {
  const n = Object.values(FLOAT32_EXCEPTIONS).reduce((s, e) => s + Object.keys(e).length, 0);
  console.log(
    `float32 run: tolerance per key atol = max(case atol, ${FLOAT32_TOLERANCE.atol}), rtol = max(case rtol, ${FLOAT32_TOLERANCE.rtol}); ${n} documented per-key exceptions (FLOAT32_EXCEPTIONS)`,
  );
}
const summary = runCases(positionals[0], {
  backend: values.backend,
  dtype: values.dtype,
  onResult: (r) => console.log(formatResult(r)),
});
console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(summary.failed > 0 ? 1 : 0);
