// Worker of the Monte Carlo pool (run by piscina in a worker thread). It rebuilds each
// flow once from its serialised form, keeps it, and computes shards of jobs. Errors are
// returned as values, so the pool can tell a shard that failed (job fails) from a worker
// that died (shard is rerun).
import '@eddy/backend-cpu';
import { Rng, type Tensor, backendInfo, listBackends, noGrad, setBackend, tensor, tidy } from '@eddy/core';
import { type LazyDistribution, loadFlow } from '@eddy/flows';
import { readNpyRows } from './npy.js';
import type { InfoTask, SharedArray, ShardResult, ShardTask } from './protocol.js';

const flows = new Map<string, LazyDistribution>();

function view(a: SharedArray): Float32Array | Float64Array {
  return a.dtype === 'float32' ? new Float32Array(a.buffer) : new Float64Array(a.buffer);
}

function rows(a: SharedArray, start: number, count: number): Tensor {
  const rowSize = a.shape.slice(1).reduce((p, q) => p * q, 1);
  const v = view(a).subarray(start * rowSize, (start + count) * rowSize);
  return tensor(v, { shape: [count, ...a.shape.slice(1)] });
}

function checkFinite(name: string, v: Float32Array | Float64Array, task: ShardTask): void {
  if (task.allowNonFinite) return;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (!Number.isFinite(x))
      throw new Error(
        `${name} has ${x} at row ${task.firstRow + task.start + Math.floor(i / Math.max(1, v.length / task.count))} (set allowNonFinite to keep non-finite values)`,
      );
  }
}

function place(dest: SharedArray | undefined, start: number, values: Float32Array | Float64Array): boolean {
  if (dest === undefined) return false;
  const rowSize = dest.shape.slice(1).reduce((p, q) => p * q, 1);
  view(dest).set(values, start * rowSize);
  return true;
}

/** Loads the backend package a task names (e.g. `gpu` → `@eddy/backend-gpu`) once. */
async function ensureBackend(name: string): Promise<void> {
  if (listBackends().includes(name)) return;
  const pkg = name === 'gpu' ? '@eddy/backend-gpu' : `@eddy/backend-${name}`;
  await import(pkg);
  if (!listBackends().includes(name)) throw new Error(`importing ${pkg} did not register backend "${name}"`);
}

/** Computes one shard. */
export default async function run(task: ShardTask | InfoTask): Promise<ShardResult | Record<string, unknown>> {
  if (task.kind === 'info') {
    await ensureBackend(task.backend);
    return backendInfo(task.backend);
  }
  try {
    await ensureBackend(task.backend);
    setBackend(task.backend);
    let lazy = flows.get(task.flowKey);
    if (lazy === undefined) {
      lazy = loadFlow(new Uint8Array(task.flow));
      flows.set(task.flowKey, lazy);
    }
    const flowModule = lazy;
    return tidy(() =>
      noGrad(() => {
        let c: Tensor | undefined;
        if (task.context?.perRow === true) c = rows(task.context.shared, task.start, task.count).cast(task.dtype);
        else if (task.context !== undefined)
          c = tensor(task.context.values, { dtype: task.dtype, shape: [1, task.context.values.length] }).expand([task.count, task.context.values.length]);
        const d = flowModule.call(c);
        const rng = new Rng(task.seed, { stream: task.stream, row: task.firstRow + task.start });
        // With a context of batch shape [count], one draw per row; without, `count` draws.
        const shape = c === undefined ? [task.count] : [];
        const result: ShardResult = { ok: true };
        if (task.kind === 'logProb') {
          let xs: Tensor;
          if (task.inputFile !== undefined) {
            const at = task.firstRow + task.start;
            const r = readNpyRows(task.inputFile, at, at + task.count);
            xs = tensor(r.data, { shape: r.shape });
          } else if (task.input !== undefined) xs = rows(task.input, task.start, task.count);
          else throw new Error('logProb task without input');
          const lp = d.logProb(xs.cast(task.dtype)).cast(task.dtype).dataSync() as Float32Array | Float64Array;
          checkFinite('log-density', lp, task);
          if (!place(task.output?.logProb, task.start, lp)) result.logProb = lp.slice();
          return result;
        }
        let x: Tensor;
        let lp: Tensor | undefined;
        if (task.kind === 'sampleAndLogProb') [x, lp] = d.rsampleAndLogProb(shape, rng);
        else x = d.sample(shape, rng);
        const xv = x.cast(task.dtype).dataSync() as Float32Array | Float64Array;
        checkFinite('sample', xv, task);
        if (!place(task.output?.values, task.start, xv)) result.values = xv.slice();
        if (lp !== undefined) {
          const lv = lp.cast(task.dtype).dataSync() as Float32Array | Float64Array;
          checkFinite('log-density', lv, task);
          if (!place(task.output?.logProb, task.start, lv)) result.logProb = lv.slice();
        }
        return result;
      }),
    );
  } catch (e) {
    const err = e as Error;
    return { ok: false, error: err.message, name: err.name };
  }
}
