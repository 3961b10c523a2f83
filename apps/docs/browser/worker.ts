// The demo's Web Worker: loads the trained two-moons flow from its .safetensors bytes
// (fetched once, beside this script), and for each request draws samples with a seeded
// Rng, evaluates their log-density and the log-density on a grid, and posts the arrays
// back (transferred, not copied). All the numerics run here, so the page stays responsive.
import { kernelInfo } from '@eddy/backend-cpu';
import { Rng, noGrad, tensor } from '@eddy/core';
import type { NormalizingFlow } from '@eddy/distributions';
import { loadFlow } from '@eddy/flows';
import type { Failure, Request, Result } from './protocol.js';

declare const self: {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  location: { href: string };
};

let model: Promise<NormalizingFlow> | undefined;

/** The flow, loaded from its bytes on first use. */
function flow(): Promise<NormalizingFlow> {
  model ??= fetch(new URL('two-moons.safetensors', self.location.href)).then(async (r) => {
    if (!r.ok) throw new Error(`two-moons.safetensors: HTTP ${r.status}`);
    return loadFlow(new Uint8Array(await r.arrayBuffer())).call() as NormalizingFlow;
  });
  return model;
}

/** Mean of the values, summed in index order in float64. */
function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

async function run(req: Request): Promise<Result> {
  const q = await flow();
  return noGrad(() => {
    const t0 = performance.now();
    const x = q.sample([req.n], new Rng(req.seed));
    const meanLogDensity = mean(q.logProb(x).dataSync());
    const t1 = performance.now();
    const { grid, box } = req;
    const points = new Float64Array(2 * grid * grid);
    for (let r = 0; r < grid; r++) {
      for (let c = 0; c < grid; c++) {
        points[2 * (r * grid + c)] = box.x0 + ((c + 0.5) / grid) * (box.x1 - box.x0);
        points[2 * (r * grid + c) + 1] = box.y0 + ((r + 0.5) / grid) * (box.y1 - box.y0);
      }
    }
    const logDensity = Float64Array.from(q.logProb(tensor(points, { shape: [grid * grid, 2], dtype: 'float64' })).dataSync());
    const t2 = performance.now();
    const samples = Float64Array.from(x.dataSync());
    return {
      type: 'result',
      id: req.id,
      n: req.n,
      seed: req.seed,
      samples,
      meanLogDensity,
      logDensity,
      grid,
      sampleMs: t1 - t0,
      gridMs: t2 - t1,
      kernels: kernelInfo().isa,
    };
  });
}

self.onmessage = (e) => {
  run(e.data).then(
    (result) => self.postMessage(result, [result.samples.buffer, result.logDensity.buffer]),
    (err: unknown) => self.postMessage({ type: 'error', id: e.data.id, message: err instanceof Error ? err.message : String(err) } satisfies Failure),
  );
};
