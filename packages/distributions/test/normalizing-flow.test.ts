import '@eddy/backend-cpu';
import { Rng, type Tensor, ValueError, ones, randn, tensor, zeros } from '@eddy/core';
import { BoxUniform, DiagNormal, Independent, Normal, NormalizingFlow } from '@eddy/distributions';
import { gradcheck, hostTensor } from '@eddy/testing';
import {
  ComposedTransform,
  DependentTransform,
  ExpTransform,
  MonotonicAffineTransform,
  PermutationTransform,
  RotationTransform,
  SoftclipTransform,
} from '@eddy/transforms';
import { describe, expect, it } from 'vitest';

const f64 = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => hostTensor(shape, seed, lo, hi);
const close = (a: Tensor, b: Tensor, tol = 1e-12) => {
  expect(a.shape).toEqual(b.shape);
  const av = a.dataSync();
  const bv = b.dataSync();
  for (let i = 0; i < av.length; i++) expect(Math.abs((av[i] as number) - (bv[i] as number))).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(bv[i] as number)));
};

/** A 3-D flow: rotation, then an elementwise affine map, then a permutation. */
function flow3(): NormalizingFlow {
  const t = new ComposedTransform([
    new RotationTransform(f64([3, 3], 1)),
    new DependentTransform(new MonotonicAffineTransform(f64([3], 2), f64([3], 3)), 1),
    new PermutationTransform([2, 0, 1]),
  ]);
  return new NormalizingFlow(t, new DiagNormal(zeros([3], { dtype: 'float64' }), ones([3], { dtype: 'float64' })));
}

describe('NormalizingFlow', () => {
  it('logProb is base.logProb(f(x)) + ladj, with shape sampleShape + batchShape', () => {
    const flow = flow3();
    const x = f64([5, 3], 4);
    const [z, ladj] = flow.transform.callAndLadj(x);
    close(flow.logProb(x), flow.base.logProb(z).add(ladj));
    expect(flow.logProb(f64([2, 5, 3], 5)).shape).toEqual([2, 5]);
  });

  it('a known density: the log-normal is the flow of log with a standard normal base', () => {
    const logNormal = new NormalizingFlow(new ExpTransform().inv, new Normal(tensor(0, { dtype: 'float64' }), tensor(1, { dtype: 'float64' })));
    const x = tensor([0.5, 1, 3], { dtype: 'float64' });
    const expected = [0.5, 1, 3].map((v) => -Math.log(v) - 0.5 * Math.log(2 * Math.PI) - Math.log(v) ** 2 / 2);
    close(logNormal.logProb(x), tensor(expected, { dtype: 'float64' }), 1e-14);
  });

  it('rsample is f⁻¹ of a base draw with shape sampleShape + batchShape + eventShape', () => {
    const flow = flow3();
    const x = flow.rsample([4, 2], new Rng(7));
    expect(x.shape).toEqual([4, 2, 3]);
    const z = flow.base.rsample([4, 2], new Rng(7));
    close(x, flow.transform.inv.call(z));
    close(flow.sample([4, 2], new Rng(7)), x);
  });

  it('rsampleAndLogProb equals rsample followed by logProb', () => {
    const flow = flow3();
    const [x, lp] = flow.rsampleAndLogProb([6], new Rng(3));
    close(x, flow.rsample([6], new Rng(3)));
    close(lp, flow.logProb(x), 1e-11);
  });

  it('rsample is differentiable with respect to transform parameters', () => {
    const r = gradcheck(
      (shift: Tensor, scale: Tensor) => {
        const t = new DependentTransform(new MonotonicAffineTransform(shift, scale), 1);
        return new NormalizingFlow(t, new DiagNormal(zeros([2], { dtype: 'float64' }), ones([2], { dtype: 'float64' }))).rsample([3], new Rng(1));
      },
      [f64([2], 8), f64([2], 9)],
    );
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('batched bases: batchShape is the base batch, eventShape from the transform', () => {
    const base = new DiagNormal(zeros([4, 3], { dtype: 'float64' }), ones([4, 3], { dtype: 'float64' }));
    const flow = new NormalizingFlow(new PermutationTransform([1, 2, 0]), base);
    expect(flow.batchShape).toEqual([4]);
    expect(flow.eventShape).toEqual([3]);
    expect(flow.logProb(f64([4, 3], 10)).shape).toEqual([4]);
    expect(flow.logProb(f64([7, 4, 3], 11)).shape).toEqual([7, 4]);
    expect(flow.sample([2]).shape).toEqual([2, 4, 3]);
  });

  it('wraps the base in Independent when the transform has more event axes', () => {
    // A vector transform over a batch of 3 scalar normals: the base becomes Independent(·, 1).
    const base = new Normal(zeros([3], { dtype: 'float64' }), ones([3], { dtype: 'float64' }));
    const flow = new NormalizingFlow(new PermutationTransform([2, 1, 0]), base);
    expect(flow.base).toBeInstanceOf(Independent);
    expect(flow.reinterpreted).toBe(0);
    expect(flow.batchShape).toEqual([]);
    expect(flow.eventShape).toEqual([3]);
    const x = f64([5, 3], 12);
    // A standard normal is invariant under permutations, so log p(x) = Σ_d log N(x_d).
    close(flow.logProb(x), base.logProb(x).sum(-1), 1e-13);
  });

  it('sums the extra ladj axes when the transform has fewer event axes (reinterpreted)', () => {
    const base = new DiagNormal(zeros([3], { dtype: 'float64' }), ones([3], { dtype: 'float64' }));
    const t = new MonotonicAffineTransform(f64([3], 13), f64([3], 14));
    const flow = new NormalizingFlow(t, base);
    expect(flow.reinterpreted).toBe(1);
    const x = f64([5, 3], 15);
    const [z, ladj] = t.callAndLadj(x);
    expect(ladj.shape).toEqual([5, 3]);
    close(flow.logProb(x), base.logProb(z).add(ladj.sum(-1)));
    const [xs, lp] = flow.rsampleAndLogProb([5], new Rng(2));
    close(lp, flow.logProb(xs), 1e-12);
  });

  it('expand shares the transform and expands the base', () => {
    const flow = flow3();
    const e = flow.expand([6]);
    expect(e.transform).toBe(flow.transform);
    expect(e.batchShape).toEqual([6]);
    expect(e.eventShape).toEqual([3]);
    const x = f64([6, 3], 16);
    close(e.logProb(x), flow.logProb(x));
    expect(e.sample([2]).shape).toEqual([2, 6, 3]);
  });

  it('elementwise flows on scalar bases keep scalar events', () => {
    const flow = new NormalizingFlow(new SoftclipTransform(2), new Normal(tensor(0, { dtype: 'float64' }), tensor(1, { dtype: 'float64' })));
    expect(flow.eventShape).toEqual([]);
    expect(flow.logProb(tensor([0.3, -1], { dtype: 'float64' })).shape).toEqual([2]);
  });

  it('a wrong event shape is a clear error', () => {
    expect(() => flow3().logProb(f64([5, 4], 17))).toThrow(/x of shape \[5,4\] must end with the event shape \[3\]/);
  });

  it('hasRsample is always true and sampling is reproducible and shardable by row', () => {
    const flow = flow3();
    expect(flow.hasRsample).toBe(true);
    const all = flow.sample([10], new Rng(5)).dataSync();
    const part = flow.sample([4], new Rng(5, { row: 6 })).dataSync();
    const tail = Array.from(all.subarray(18));
    for (let i = 0; i < part.length; i++) expect(Math.abs((part[i] as number) - (tail[i] as number))).toBeLessThan(1e-14);
  });
});

describe('Normal, Independent, DiagNormal (the bases)', () => {
  it('Normal.logProb against the closed form; negative scale rejected', () => {
    const d = new Normal(tensor([0.5], { dtype: 'float64' }), tensor([2], { dtype: 'float64' }));
    const x = 1.7;
    const expected = -((x - 0.5) ** 2) / 8 - Math.log(2) - 0.5 * Math.log(2 * Math.PI);
    expect(d.logProb(tensor([x], { dtype: 'float64' })).item()).toBeCloseTo(expected, 14);
    expect(() => new Normal(0, tensor([1, -1], { dtype: 'float64' }))).toThrow(/Normal: scale must be positive, got -1/);
  });
  it('Normal cdf/icdf round trip, entropy and moments of samples', () => {
    const d = new Normal(tensor(1, { dtype: 'float64' }), tensor(3, { dtype: 'float64' }));
    const p = tensor([0.01, 0.3, 0.9], { dtype: 'float64' });
    close(d.cdf(d.icdf(p)), p, 1e-14);
    expect(d.entropy().item()).toBeCloseTo(0.5 + 0.5 * Math.log(2 * Math.PI) + Math.log(3), 14);
    const s = d.sample([50_000], new Rng(1));
    expect(Math.abs(s.mean().item() - 1)).toBeLessThan((5 * 3) / Math.sqrt(50_000));
  });
  it('Independent moves batch axes to the event and sums log-densities', () => {
    const n = new Normal(zeros([2, 3], { dtype: 'float64' }), ones([2, 3], { dtype: 'float64' }));
    const d = new Independent(n, 1);
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([3]);
    const x = randn([2, 3], { seed: 1, dtype: 'float64' });
    close(d.logProb(x), n.logProb(x).sum(-1));
    expect(() => new Independent(n, 3)).toThrow(/exceeds the base's batch rank/);
    expect(() => new Independent(n, -1)).toThrow(/Independent: reinterpreted must be an integer ≥ 0, got -1/);
    expect(() => new Independent(n, 0.5)).toThrow(ValueError);
  });
  it("DiagNormal and BoxUniform take zuko's ndims: the trailing ndims axes form the event", () => {
    const loc = tensor(
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      { dtype: 'float64' },
    );
    const d = new DiagNormal(loc, ones([2, 3], { dtype: 'float64' }), { ndims: 2 });
    expect(d.batchShape).toEqual([]);
    expect(d.eventShape).toEqual([2, 3]);
    // At x = loc every term is −½ log 2π: six of them.
    expect(d.logProb(loc).item()).toBeCloseTo(-3 * Math.log(2 * Math.PI), 12);
    expect(new DiagNormal(loc, ones([2, 3], { dtype: 'float64' })).eventShape).toEqual([3]);
    const b = new BoxUniform(
      zeros([2, 2], { dtype: 'float64' }),
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'float64' },
      ),
      { ndims: 2 },
    );
    expect(b.eventShape).toEqual([2, 2]);
    expect(
      b
        .logProb(
          tensor(
            [
              [0.5, 0.5],
              [0.5, 0.5],
            ],
            { dtype: 'float64' },
          ),
        )
        .item(),
    ).toBeCloseTo(-Math.log(24), 12);
    expect(() => new DiagNormal(loc, ones([2, 3], { dtype: 'float64' }), { ndims: 3 })).toThrow(/exceeds the base's batch rank/);
  });
});
