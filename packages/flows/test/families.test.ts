import '@eddy/backend-cpu';
import { Rng, type Tensor, gradients, mean, noGrad, randn, sum } from '@eddy/core';
import { NormalizingFlow } from '@eddy/distributions';
import { BPF, GF, GMM, type LazyDistribution, MAF, NAF, NCSF, NICE, NSF, RealNVP, SOSPF, UNAF, ZUKO_UNIVARIATES } from '@eddy/flows';
import { checkTransform } from '@eddy/testing';
import { describe, expect, it } from 'vitest';

// The tests zuko has for every flow family: logProb shape with and without context,
// gradients reaching every parameter, inv(call(x)) ≈ x, the ladj against the autodiff
// Jacobian, sampling shapes, and a readable structure.

const small = { hiddenFeatures: [8, 8], dtype: 'float64' as const, seed: 3 };
type Make = (features: number, context: number) => LazyDistribution;

const families: Array<[string, Make, { roundTrip: number; ladj: number }]> = [
  ['MAF', (f, c) => new MAF({ features: f, context: c, ...small }), { roundTrip: 1e-10, ladj: 1e-9 }],
  ['MAF passes=2 residual', (f, c) => new MAF({ features: f, context: c, passes: 2, residual: true, ...small }), { roundTrip: 1e-10, ladj: 1e-9 }],
  ['NSF', (f, c) => new NSF({ features: f, context: c, bins: 4, ...small }), { roundTrip: 1e-9, ladj: 1e-8 }],
  ['NCSF', (f, c) => new NCSF({ features: f, context: c, bins: 4, ...small }), { roundTrip: 1e-9, ladj: 1e-8 }],
  [
    'NICE additive',
    (f, c) => new NICE({ features: f, context: c, univariate: ZUKO_UNIVARIATES.AdditiveTransform, shapes: [[]], ...small }),
    { roundTrip: 1e-10, ladj: 1e-9 },
  ],
  ['RealNVP', (f, c) => new RealNVP({ features: f, context: c, ...small }), { roundTrip: 1e-10, ladj: 1e-9 }],
  ['NAF', (f, c) => new NAF({ features: f, context: c, signal: 3, network: { hiddenFeatures: [4, 4] }, ...small }), { roundTrip: 1e-4, ladj: 1e-6 }],
  ['UNAF', (f, c) => new UNAF({ features: f, context: c, signal: 3, network: { hiddenFeatures: [4, 4] }, ...small }), { roundTrip: 1e-4, ladj: 1e-6 }],
  ['SOSPF', (f, c) => new SOSPF({ features: f, context: c, ...small }), { roundTrip: 1e-4, ladj: 1e-6 }],
  ['BPF', (f, c) => new BPF({ features: f, context: c, degree: 6, ...small }), { roundTrip: 1e-4, ladj: 1e-6 }],
  ['GF', (f, c) => new GF({ features: f, context: c, components: 3, ...small }), { roundTrip: 1e-4, ladj: 1e-6 }],
];

const D = 3;
const N = 5;
const x = (seed: number) => randn([N, D], { seed, dtype: 'float64' }).mul(0.5);
const ctx = (seed: number) => randn([N, 2], { seed, dtype: 'float64' });

for (const [name, make, tol] of families) {
  describe(name, () => {
    it('logProb has the sample/batch shape, without and with context', () => {
      const flow = make(D, 0);
      expect(flow.call().logProb(x(1)).shape).toEqual([N]);
      expect(flow.call().logProb(randn([2, N, D], { seed: 2, dtype: 'float64' }).mul(0.5)).shape).toEqual([2, N]);
      const cond = make(D, 2);
      const d = cond.call(ctx(3));
      expect(d.batchShape).toEqual([N]);
      expect(d.eventShape).toEqual([D]);
      expect(d.logProb(x(4)).shape).toEqual([N]);
    });

    it('gradients of the loss reach every parameter', () => {
      const flow = make(D, 2);
      const params = flow.parameters();
      const loss = mean(flow.call(ctx(5)).logProb(x(6))).neg();
      const grads = gradients(loss, params);
      const names = flow.namedParameters().map(([n]) => n);
      grads.forEach((g, i) => {
        const v = g.dataSync();
        expect(v.every(Number.isFinite), `${names[i]} finite`).toBe(true);
        expect(
          v.some((e) => e !== 0),
          `${names[i]} receives a gradient`,
        ).toBe(true);
      });
    });

    it('inv(call(x)) ≈ x and the ladj equals log|det J| from autodiff', () => {
      const d = make(D, 2).call(ctx(7));
      expect(d).toBeInstanceOf(NormalizingFlow);
      const t = (d as NormalizingFlow).transform;
      const r = checkTransform(t, x(8));
      expect(r.roundTrip).toBeLessThan(tol.roundTrip);
      expect(r.ladjVsJacobian).toBeLessThan(tol.ladj);
      expect(r.fusedVsSeparate).toBeLessThan(1e-10);
    });

    it('samples have shape sampleShape + batchShape + eventShape and finite log-densities', () => {
      const d = make(D, 2).call(ctx(9));
      const [s, lp] = noGrad(() => d.rsampleAndLogProb([4], new Rng(1)));
      expect(s.shape).toEqual([4, N, D]);
      expect(lp.dataSync().every(Number.isFinite)).toBe(true);
    });

    it('toString shows the structure', () => {
      const text = make(D, 0).toString();
      expect(text).toMatch(new RegExp(`^${name.split(' ')[0]}\\(`));
      expect(text).toContain('(transform): LazyComposedTransform(');
      expect(text).toContain('(base): UnconditionalDistribution(');
    });
  });
}

describe('GMM', () => {
  for (const covarianceType of ['full', 'diagonal', 'spherical'] as const) {
    for (const tied of [false, true]) {
      it(`${covarianceType}${tied ? ' tied' : ''}: shapes, gradients, normalisation by sampling`, () => {
        const gmm = new GMM({ features: 2, components: 3, covarianceType, tied, dtype: 'float64', seed: 1 });
        const d = gmm.call();
        expect(d.eventShape).toEqual([2]);
        const lp = d.logProb(randn([7, 2], { seed: 2, dtype: 'float64' }));
        expect(lp.shape).toEqual([7]);
        const grads = gradients(sum(lp), gmm.parameters());
        for (const g of grads) expect(g.dataSync().some((v) => v !== 0)).toBe(true);
        // Normalisation: ∫ p = E_q[p(x)/q(x)] under a broad proposal q = N(0, 4²I) is 1
        // within 5 standard errors of the Monte Carlo estimate (itself below 0.05).
        const M = 20_000;
        const xq = randn([M, 2], { seed: 11, dtype: 'float64' }).mul(4);
        const p = d.logProb(xq).dataSync();
        const xs = xq.dataSync();
        const w: number[] = [];
        for (let i = 0; i < M; i++) {
          const a = xs[2 * i] as number;
          const b = xs[2 * i + 1] as number;
          const logq = -Math.log(2 * Math.PI * 16) - (a * a + b * b) / 32;
          w.push(Math.exp((p[i] as number) - logq));
        }
        const meanW = w.reduce((s2, v) => s2 + v, 0) / M;
        const se = Math.sqrt(w.reduce((s2, v) => s2 + (v - meanW) ** 2, 0) / (M - 1) / M);
        expect(se).toBeLessThan(0.05);
        expect(Math.abs(meanW - 1)).toBeLessThan(5 * se);
        const cond = new GMM({ features: 2, context: 2, components: 3, covarianceType, tied, hiddenFeatures: [8], dtype: 'float64' });
        expect(cond.call(ctx(3)).logProb(randn([N, 2], { seed: 4, dtype: 'float64' })).shape).toEqual([N]);
      });
    }
  }
});

describe('flows are reproducible from a seed', () => {
  it('the same seed gives the same weights; a different seed different ones', () => {
    const a = new NSF({ features: 2, seed: 5, dtype: 'float64' });
    const b = new NSF({ features: 2, seed: 5, dtype: 'float64' });
    const c = new NSF({ features: 2, seed: 6, dtype: 'float64' });
    const w = (f: NSF): number[] => Array.from((f.parameters()[0] as Tensor).dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    // and the three transforms do not share initial weights
    const p = a.namedParameters();
    const first = (i: number): number[] => {
      const entry = p.find(([n]) => n === `transform.transforms.${i}.hyper.0.weight`);
      if (entry === undefined) throw new Error(`no weight for transform ${i}`);
      return Array.from(entry[1].dataSync());
    };
    expect(first(0)).not.toEqual(first(1));
  });
});
