// Engine benchmarks on the CPU backend: matrix products (native and TypeScript kernels) in
// GFLOP/s and as a fraction of this core's measured SIMD peak, and a chain of elementwise
// ops against one hand-fused loop.
import { jsKernels, kernelInfo, kernels, useNativeKernels } from '@eddy/backend-cpu';
import { exp, matmul, noGrad, randn, softplus } from '@eddy/core';
import { loadNative } from '@eddy/cpu-native';
import { medianSeconds, printTable } from './lib/protocol.mjs';

export async function engineSuite() {
  const results = [];
  const info = kernelInfo();
  const native = loadNative().kernels;
  // The peak: measured fused multiply-add throughput of one core on the code path in use
  // (12 independent vector FMA chains; lscpu on these VMs reports no clock to compute it).
  const peak = native === null ? undefined : native.peakGflops(1);
  console.log(`kernels: ${JSON.stringify(info)}`);
  if (peak) console.log(`measured FMA peak of one core (${info.isa}): float32 ${peak.float32.toFixed(1)} GFLOP/s, float64 ${peak.float64.toFixed(1)} GFLOP/s`);
  // Two measures per product: the kernel into a preallocated output (what BLAS benchmarks
  // report; the peak comparison), and the core op, which also allocates its result — on
  // this kind of VM a fresh page costs ~12 µs to fault in, and results of 32 MiB or more
  // (65536×128 float32) come from fresh mmap'd memory every call.
  const table = [['product', 'dtype', 'kernels', 'kernel GFLOP/s', '% of peak', 'op GFLOP/s']];
  for (const useNative of info.native ? [true, false] : [false]) {
    useNativeKernels(useNative);
    for (const dtype of ['float32', 'float64']) {
      for (const [m, k, n] of [
        [65536, 128, 128],
        [16384, 64, 64],
        [16384, 8, 64],
        [16384, 64, 184],
      ]) {
        const a = randn([m, k], { seed: 1, dtype });
        const b = randn([k, n], { seed: 2, dtype });
        const ad = a.dataSync();
        const bd = b.dataSync();
        const c = new (dtype === 'float32' ? Float32Array : Float64Array)(m * n);
        const tk = await medianSeconds(() => kernels.matmul(ad, 0, bd, 0, c, 0, m, k, n), { warmup: 1, units: 5 });
        const t = await medianSeconds(() => noGrad(() => matmul(a, b)), { warmup: 1, units: 5 });
        const gflops = (2 * m * k * n) / tk.seconds / 1e9;
        const opGflops = (2 * m * k * n) / t.seconds / 1e9;
        const pk = useNative && peak ? peak[dtype] : undefined;
        const r = {
          bench: 'matmul',
          dtype,
          shape: `${m}x${k}·${k}x${n}`,
          kernels: useNative ? `native ${info.isa}` : 'typescript',
          gflops,
          opGflops,
          peakGflops: pk,
          fractionOfPeak: pk ? gflops / pk : undefined,
        };
        results.push(r);
        table.push([r.shape, dtype, r.kernels, gflops.toFixed(1), pk ? `${(100 * r.fractionOfPeak).toFixed(0)}%` : '—', opGflops.toFixed(1)]);
      }
    }
  }
  useNativeKernels(info.native);
  printTable(table);
  noGrad(() => {
    for (const dtype of ['float32', 'float64']) {
      const size = 1 << 20;
      const x = randn([size], { seed: 3, dtype });
      const y = randn([size], { seed: 4, dtype });
      const best = (fn) => {
        fn();
        let b = Number.POSITIVE_INFINITY;
        for (let r = 0; r < 5; r++) {
          const t0 = performance.now();
          fn();
          b = Math.min(b, (performance.now() - t0) / 1000);
        }
        return b;
      };
      const sec = best(() => softplus(exp(x)).mul(y));
      const xd = x.dataSync();
      const yd = y.dataSync();
      const o = new (dtype === 'float32' ? Float32Array : Float64Array)(size);
      const fused = best(() => {
        for (let i = 0; i < size; i++) {
          const e = Math.exp(xd[i]);
          o[i] = (e > 20 ? e : Math.log1p(Math.exp(e))) * yd[i];
        }
      });
      const r = {
        bench: 'exp→softplus→mul',
        dtype,
        elements: size,
        nsPerElement: (sec / size) * 1e9,
        fusedLoopNsPerElement: (fused / size) * 1e9,
        ratioVsFusedLoop: sec / fused,
      };
      results.push(r);
      console.log(`exp→softplus→mul ${dtype}: ${r.nsPerElement.toFixed(1)} ns/element (one hand-fused loop: ${r.fusedLoopNsPerElement.toFixed(1)})`);
    }
  });
  if (kernels.matmul === jsKernels.matmul && info.native) throw new Error('engine bench: native kernels were not restored');
  return results;
}
