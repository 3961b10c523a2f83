import '@eddy/backend-cpu';
import { MAF } from '@eddy/flows';
import { FlowPool } from '@eddy/montecarlo';
import { describe, expect, it } from 'vitest';

// A pool whose workers run on the gpu backend (TensorFlow.js; here its pure-JS engine):
// the same seed/row addressing, so samples and log-densities agree with the CPU pool to
// float32 rounding.
describe('pool on the gpu backend', () => {
  it('agrees with the CPU pool for the same job', async () => {
    const flow = new MAF({ features: 2, hiddenFeatures: [8], seed: 5 });
    const cpu = new FlowPool({ threads: 1 });
    const gpu = new FlowPool({ threads: 1, backend: 'gpu' });
    try {
      const [xc, lc] = await cpu.sampleAndLogProb(flow, 64, { seed: 3, chunkSize: 32 });
      const [xg, lg] = await gpu.sampleAndLogProb(flow, 64, { seed: 3, chunkSize: 32 });
      const a = xc.dataSync();
      const b = xg.dataSync();
      for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-4 * Math.max(1, Math.abs(a[i] as number)));
      const la = lc.dataSync();
      const lb = lg.dataSync();
      for (let i = 0; i < la.length; i++) expect(Math.abs((la[i] as number) - (lb[i] as number))).toBeLessThan(1e-3);
    } finally {
      await cpu.close();
      await gpu.close();
    }
  }, 120_000);
});
