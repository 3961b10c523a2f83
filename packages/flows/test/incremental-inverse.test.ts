import { cpuBackend, kernelInfo } from '@eddy/backend-cpu';
import { type FloatDType, Rng, type Tensor, gradients, noGrad, randn, sum, tensor } from '@eddy/core';
import { BPF, type Flow, MAF, MaskedAutoregressiveTransform, NAF, NCSF, NSF, SOSPF, UNAF } from '@eddy/flows';
import { AutoregressiveTransform, type Transform } from '@eddy/transforms';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** The masked autoregressive transforms of a flow (its lazy parts that are). */
function masked(flow: Flow): MaskedAutoregressiveTransform[] {
  const t = flow.transform as unknown as { transforms?: unknown[] };
  return (t.transforms ?? [flow.transform]).filter((x): x is MaskedAutoregressiveTransform => x instanceof MaskedAutoregressiveTransform);
}

function autoregressive(t: Transform): AutoregressiveTransform {
  const inner = (t as { base?: Transform }).base ?? t;
  if (!(inner instanceof AutoregressiveTransform)) throw new Error(`not autoregressive: ${t}`);
  return inner;
}

function maxRelErr(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)) / (1 + Math.abs(y[i] as number)));
  return m;
}

const TOL: Record<FloatDType, number> = { float64: 1e-12, float32: 2e-4 };

/** Incremental vs fixed-point inverse (and its ladj vs the forward ladj) for one transform. */
function checkTransform(t: MaskedAutoregressiveTransform, y: Tensor, c: Tensor | undefined, dtype: FloatDType): void {
  expect(t.incrementalPlan(), `${t} has no incremental plan`).not.toBeNull();
  noGrad(() => {
    const ar = autoregressive(t.call(c));
    const [x, ladj] = ar.inverseAndLadj(y);
    const ref = ar.fixedPointInverse(y);
    expect(maxRelErr(x, ref)).toBeLessThanOrEqual(TOL[dtype]);
    // ladj of the inverse = − ladj of the forward map at x.
    const [, fwd] = ar.callAndLadj(ref);
    expect(maxRelErr(ladj.neg(), fwd)).toBeLessThanOrEqual(TOL[dtype] * 10);
    expect(maxRelErr(ar.inverse(y), x)).toBe(0);
  });
}

describe('incremental inverse of masked autoregressive transforms', () => {
  it('equals the fixed-point inverse for random adjacencies, orders, passes, contexts, residual networks and both dtypes', () => {
    fc.assert(
      fc.property(
        fc.record({
          features: fc.integer({ min: 2, max: 6 }),
          passesFrac: fc.double({ min: 0, max: 1, noNaN: true }),
          context: fc.constantFrom(0, 2),
          residual: fc.boolean(),
          hidden: fc.constantFrom([7], [16, 16], [5, 9, 5]),
          spline: fc.boolean(),
          randomOrder: fc.boolean(),
          dtype: fc.constantFrom<FloatDType>('float64', 'float32'),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (o) => {
          // One group and no context: every output is constant, a null Jacobian (zuko refuses it too).
          const passes = Math.max(o.context > 0 ? 1 : 2, Math.round(o.passesFrac * o.features));
          const order = Array.from({ length: o.features }, (_, i) => i);
          if (o.randomOrder) order.sort((a, b) => ((a * 7919 + o.seed) % 13) - ((b * 7919 + o.seed) % 13));
          const hidden = o.residual ? [o.hidden[0] as number, o.hidden[0] as number] : o.hidden;
          const Cls = o.spline ? NSF : MAF;
          const flow = new Cls({
            features: o.features,
            context: o.context,
            transforms: 1,
            hiddenFeatures: hidden,
            residual: o.residual,
            passes,
            dtype: o.dtype,
            seed: o.seed,
          });
          const t = masked(flow)[0] as MaskedAutoregressiveTransform;
          // Re-create the transform with the random order (the flow alternates orders).
          const tt = new MaskedAutoregressiveTransform(o.features, o.context, {
            passes,
            order,
            hiddenFeatures: hidden,
            residual: o.residual,
            univariate: t.univariate,
            shapes: o.spline ? [[8], [8], [7]] : [[], []],
            dtype: o.dtype,
            seed: o.seed,
          });
          const y = randn([9, o.features], { seed: o.seed + 1, dtype: o.dtype }).mul(2);
          const c = o.context > 0 ? randn([9, o.context], { seed: o.seed + 2, dtype: o.dtype }) : undefined;
          checkTransform(tt, y, c, o.dtype);
        },
      ),
      { numRuns: 60, seed: 12345 },
    );
  });

  it('covers MAF, NSF, NCSF, SOSPF and BPF; NAF and UNAF keep the fixed-point passes', () => {
    const flows: Array<[string, Flow, number]> = [
      ['MAF', new MAF({ features: 3, hiddenFeatures: [16], seed: 1, dtype: 'float64' }), 3],
      ['NSF', new NSF({ features: 3, hiddenFeatures: [16], seed: 1, dtype: 'float64' }), 3],
      ['NCSF', new NCSF({ features: 3, hiddenFeatures: [16], seed: 1, dtype: 'float64' }), 1],
      ['SOSPF', new SOSPF({ features: 2, hiddenFeatures: [16], seed: 1, dtype: 'float64' }), 1],
      ['BPF', new BPF({ features: 2, hiddenFeatures: [16], seed: 1, dtype: 'float64' }), 1],
    ];
    for (const [name, flow, scale] of flows) {
      const ts = masked(flow);
      expect(ts.length, name).toBeGreaterThan(0);
      const d = ts[0]?.features as number;
      for (const t of ts) checkTransform(t, randn([7, d], { seed: 4, dtype: 'float64' }).mul(scale), undefined, 'float64');
    }
    // Stacked per-feature univariate networks: no plan, and sampling still inverts exactly.
    for (const flow of [
      new NAF({ features: 2, hiddenFeatures: [16], seed: 1, dtype: 'float64' }),
      new UNAF({ features: 2, hiddenFeatures: [16], seed: 1, dtype: 'float64' }),
    ]) {
      for (const t of masked(flow)) expect(t.incrementalPlan()).toBeNull();
      const x = noGrad(() => flow.call().sample([5], new Rng(3)));
      const z = noGrad(() => flow.call().transform.call(x));
      const back = noGrad(() => flow.call().transform.inv.call(z));
      expect(maxRelErr(back, x)).toBeLessThan(1e-4);
    }
  });

  it('samples and rsampleAndLogProb agree with the fixed-point path; the log-density matches logProb', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const flow = new NSF({ features: 4, context: 2, transforms: 3, hiddenFeatures: [16, 16], dtype, seed: 9 });
      const c = randn([33, 2], { seed: 3, dtype });
      const run = (inc: boolean): [Tensor, Tensor] =>
        noGrad(() => {
          for (const t of masked(flow)) t.incremental = inc;
          return flow.call(c).rsampleAndLogProb([], new Rng(5));
        });
      const [x1, l1] = run(true);
      const [x0, l0] = run(false);
      expect(maxRelErr(x1, x0)).toBeLessThanOrEqual(TOL[dtype]);
      expect(maxRelErr(l1, l0)).toBeLessThanOrEqual(TOL[dtype] * 10);
      const lp = noGrad(() => flow.call(c).logProb(x1));
      expect(maxRelErr(l1, lp)).toBeLessThanOrEqual(TOL[dtype] * 10);
    }
  });

  it('gives the same gradients through samples as the fixed-point passes (reverse KL)', () => {
    const flow = new MAF({ features: 3, transforms: 2, hiddenFeatures: [8, 8], dtype: 'float64', seed: 2 });
    const params = flow.parameters();
    const grads = (inc: boolean): Tensor[] => {
      for (const t of masked(flow)) t.incremental = inc;
      const [x, lp] = flow.call().rsampleAndLogProb([16], new Rng(1));
      return gradients(sum(x.square()).add(sum(lp)), params);
    };
    const a = grads(true);
    const b = grads(false);
    for (let i = 0; i < a.length; i++) expect(maxRelErr(a[i] as Tensor, b[i] as Tensor)).toBeLessThanOrEqual(1e-10);
  });

  it('does not depend on the batch: each row equals the row inverted alone, bit for bit', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const flow = new NSF({ features: 5, transforms: 2, hiddenFeatures: [24, 24], dtype, seed: 4 });
      const y = randn([11, 5], { seed: 8, dtype });
      const all = noGrad(() => flow.call().transform.inv.call(y)).dataSync();
      for (const r of [0, 5, 10]) {
        const one = noGrad(() => flow.call().transform.inv.call(tensor(y.dataSync().slice(r * 5, r * 5 + 5), { shape: [1, 5], dtype }))).dataSync();
        expect(Array.from(one)).toEqual(Array.from(all.slice(r * 5, r * 5 + 5)));
      }
    }
  });

  it('the native whole-inverse kernel (where built) equals the schedule run op by op, bit for bit', () => {
    const fused = cpuBackend.fused as { autoregressiveInverse?: unknown };
    const kernel = fused.autoregressiveInverse;
    for (const [Cls, dtype] of [
      [MAF, 'float32'],
      [NSF, 'float64'],
      [MAF, 'float64'],
      [NSF, 'float32'],
    ] as const) {
      const flow = new Cls({ features: 6, context: 2, transforms: 2, hiddenFeatures: [20, 20], dtype, seed: 11, passes: 3 });
      const c = randn([70, 2], { seed: 1, dtype });
      const draw = (): [Tensor, Tensor] => noGrad(() => flow.call(c).rsampleAndLogProb([], new Rng(2)));
      const [xk, lk] = draw();
      fused.autoregressiveInverse = undefined;
      let xo: Tensor;
      let lo: Tensor;
      try {
        [xo, lo] = draw();
      } finally {
        fused.autoregressiveInverse = kernel;
      }
      if (kernelInfo().native) {
        // Same products in the same order and the same univariate kernel: x identical; the
        // log-density sums group terms in another order (groups of 2 features here).
        expect(Array.from(xk.dataSync())).toEqual(Array.from(xo.dataSync()));
        expect(maxRelErr(lk, lo)).toBeLessThanOrEqual(dtype === 'float64' ? 1e-14 : 1e-6);
      } else {
        // TypeScript kernels: the kernel declines and both runs take the same path.
        expect(Array.from(xk.dataSync())).toEqual(Array.from(xo.dataSync()));
        expect(Array.from(lk.dataSync())).toEqual(Array.from(lo.dataSync()));
      }
    }
  });
});
