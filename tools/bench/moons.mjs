// The two-moons recipe of ../shared/reference/data/moons_zuko.json, run with Eddy:
// NSF(features 2, transforms 3, hidden [64, 64]), Adam lr 1e-3, batch 256, 60 epochs,
// reshuffled each epoch, loss -mean log p, the held-out log-likelihood evaluated after
// every epoch (inside the timed loop, as zuko_moons.py does). Prints Eddy's held-out mean
// log-likelihood and wall time beside zuko's: from --zuko-moons=FILE (zuko_moons.py run on
// this machine in the same sitting), else the shared file from another machine, labelled.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mean, noGrad, tensor } from '@eddy/core';
import { NSF, fit } from '@eddy/flows';
import { loadZukoMoons } from './lib/zuko.mjs';

const dataDir = resolve(process.env.EDDY_REFERENCE ?? '../shared/reference', 'data');

/** Reads a two-column CSV with a header into a [N, 2] tensor. */
export function readCsv(path, dtype) {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  return tensor(Float64Array.from(rows.flat()), { shape: [rows.length, rows[0].length], dtype });
}

export async function moonsSuite() {
  if (!existsSync(join(dataDir, 'moons_train.csv'))) throw new Error(`moons data not found in ${dataDir} (set EDDY_REFERENCE)`);
  const zuko = loadZukoMoons();
  console.log(`zuko: ${zuko.source}`);
  const epochs = Number(process.env.EDDY_MOONS_EPOCHS ?? 60);
  const dtypes = (process.env.EDDY_MOONS_DTYPES ?? 'float32,float64').split(',');
  const results = [];
  for (const dtype of dtypes) {
    const train = readCsv(join(dataDir, 'moons_train.csv'), dtype);
    const test = readCsv(join(dataDir, 'moons_test.csv'), dtype);
    const flow = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], dtype, seed: 0 });
    const curve = [];
    const t0 = performance.now();
    fit(flow, train, {
      epochs,
      batchSize: 256,
      lr: 1e-3,
      seed: 0,
      onEpoch: (e) => {
        const ll = noGrad(() => mean(flow.call().logProb(test)).item());
        curve.push(ll);
        console.log(
          `${dtype} epoch ${String(e.epoch + 1).padStart(2)}  train ${(-e.trainLoss).toFixed(4)}  held-out ${ll.toFixed(4)}  (${e.seconds.toFixed(1)} s)`,
        );
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const z = zuko.results[dtype];
    const r = {
      bench: 'moons',
      dtype,
      epochs,
      eddyHeldoutFinal: curve[curve.length - 1],
      eddyHeldoutBest: Math.max(...curve),
      zukoHeldoutFinal: z.heldout_mean_loglik_final,
      zukoHeldoutBest: z.heldout_mean_loglik_best,
      gapFinal: curve[curve.length - 1] - z.heldout_mean_loglik_final,
      eddySeconds: seconds,
      zukoSeconds: z.train_seconds,
      timeRatioEddyOverZuko: seconds / z.train_seconds,
      zukoSource: zuko.source,
      curve,
    };
    console.log(
      `${dtype}: Eddy held-out ${r.eddyHeldoutFinal.toFixed(4)} (best ${r.eddyHeldoutBest.toFixed(4)}) vs zuko ${r.zukoHeldoutFinal.toFixed(4)} (best ${r.zukoHeldoutBest.toFixed(4)}): gap ${r.gapFinal.toFixed(4)} nats; ${seconds.toFixed(1)} s vs ${z.train_seconds.toFixed(1)} s`,
    );
    results.push(r);
  }
  return results;
}
