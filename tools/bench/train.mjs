// Training throughput: one step of `loss = -mean log p(x)`, gradients, Adam (lr 1e-3) at
// batch 4096 on one thread, for NSF and MAF (features 8, transforms 3, hidden [64, 64]),
// float32 and float64, as bench_zuko.py's train_step row (2 warm-up steps, median of 10
// units of one step). zuko side by side with --zuko=FILE (see lib/zuko.mjs).
import { Adam, gradients, mean, randn } from '@eddy/core';
import { MAF, NSF } from '@eddy/flows';
import { medianSeconds, printTable, rate } from './lib/protocol.mjs';
import { loadZuko } from './lib/zuko.mjs';

export async function trainSuite() {
  const batch = Number(process.env.EDDY_BENCH_BATCH ?? 4096);
  const dtypes = (process.env.EDDY_BENCH_DTYPES ?? 'float32,float64').split(',');
  const zuko = loadZuko();
  const results = [];
  for (const [name, Cls] of [
    ['NSF', NSF],
    ['MAF', MAF],
  ]) {
    for (const dtype of dtypes) {
      const flow = new Cls({ features: 8, transforms: 3, hiddenFeatures: [64, 64], dtype, seed: 0 });
      const params = flow.parameters();
      const opt = new Adam(params, { lr: 1e-3 });
      const x = randn([batch, 8], { seed: 2, dtype });
      const step = () => {
        const loss = mean(flow.call().logProb(x)).neg();
        opt.step(gradients(loss, params));
      };
      const m = await medianSeconds(step, { warmup: 2, units: 10, minUnit: 0 });
      const z = dtype === 'float32' ? zuko.get(name, 'train_step', batch, 1) : undefined;
      const r = {
        bench: 'train',
        flow: name,
        dtype,
        batch,
        threads: 1,
        samplesPerSecond: batch / m.seconds,
        msPerStep: m.seconds * 1000,
        zukoSamplesPerSecond: z,
        ratioVsZuko: z ? batch / m.seconds / z : undefined,
      };
      results.push(r);
      console.log(
        `${name} ${dtype} batch ${batch}: ${rate(r.samplesPerSecond)}/s (${r.msPerStep.toFixed(2)} ms/step)${z ? `, zuko ${rate(z)}/s, ${r.ratioVsZuko.toFixed(2)}×` : ''}`,
      );
    }
  }
  console.log(`\nzuko: ${zuko.source}`);
  printTable([
    ['flow', 'dtype', 'batch', 'ms/step', 'samples/s', 'zuko train_step', '×'],
    ...results.map((r) => [
      r.flow,
      r.dtype,
      r.batch,
      r.msPerStep.toFixed(2),
      rate(r.samplesPerSecond),
      rate(r.zukoSamplesPerSecond),
      r.ratioVsZuko?.toFixed(2) ?? '—',
    ]),
  ]);
  return results;
}
