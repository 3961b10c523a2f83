// Engine benchmarks: matmul GFLOP/s and elementwise ns/element on the CPU backend.
import { kernels, matmulNaive } from '@eddy/backend-cpu';
import { exp, matmul, noGrad, randn, softplus } from '@eddy/core';

/** Best-of-`reps` seconds of `fn` after one warm-up call. */
function time(fn, reps) {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

export async function engineSuite() {
  const results = [];
  const row = (r) => {
    results.push(r);
    console.log(Object.entries(r).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`).join('  '));
  };
  noGrad(() => {
    for (const dtype of ['float32', 'float64']) {
      for (const [m, k, n, reps] of [
        [4096, 64, 64, 5],
        [65536, 128, 128, 2],
      ]) {
        const a = randn([m, k], { seed: 1, dtype });
        const b = randn([k, n], { seed: 2, dtype });
        const flops = 2 * m * k * n;
        const sec = time(() => matmul(a, b), reps);
        // Baseline in the same run: the textbook triple loop, on at most 4096 rows.
        const mb = Math.min(m, 4096);
        const out = new (dtype === 'float32' ? Float32Array : Float64Array)(mb * n);
        const ad = a.dataSync();
        const bd = b.dataSync();
        const naive = time(() => matmulNaive(ad, 0, bd, 0, out, 0, mb, k, n), 1);
        const naiveGflops = (2 * mb * k * n) / naive / 1e9;
        const gflops = flops / sec / 1e9;
        row({
          bench: 'matmul',
          dtype,
          shape: `${m}x${k}·${k}x${n}`,
          kernel: kernels.matmul.name || 'matmulJs',
          gflops,
          naiveGflops,
          speedupVsNaive: gflops / naiveGflops,
        });
      }
    }
    for (const dtype of ['float32', 'float64']) {
      const size = 1 << 20;
      const x = randn([size], { seed: 3, dtype });
      const y = randn([size], { seed: 4, dtype });
      const sec = time(() => softplus(exp(x)).mul(y), 5);
      // Baseline: the same chain as one hand-written loop over typed arrays.
      const xd = x.dataSync();
      const yd = y.dataSync();
      const o = new (dtype === 'float32' ? Float32Array : Float64Array)(size);
      const fused = time(() => {
        for (let i = 0; i < size; i++) {
          const e = Math.exp(xd[i]);
          o[i] = (e > 20 ? e : Math.log1p(Math.exp(e))) * yd[i];
        }
      }, 5);
      row({
        bench: 'exp→softplus→mul',
        dtype,
        elements: size,
        nsPerElement: (sec / size) * 1e9,
        fusedLoopNsPerElement: (fused / size) * 1e9,
        ratioVsFusedLoop: sec / fused,
      });
    }
  });
  return results;
}
