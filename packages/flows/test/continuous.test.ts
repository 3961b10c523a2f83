import '@eddy/backend-cpu';
import { Rng, type Tensor, gradients, mean, noGrad, randn, tensor } from '@eddy/core';
import { CNF, FFJTransform, fit, loadZukoStateDict } from '@eddy/flows';
import { maxAbsDiff } from '@eddy/testing';
import { FreeFormJacobianTransform } from '@eddy/transforms';
import { describe, expect, it } from 'vitest';

const norm = (t: Tensor): number => Math.sqrt(Array.from(t.dataSync(), (v) => v * v).reduce((a, b) => a + b, 0));

// Small networks and loose tolerances keep these tests fast; where a test compares two
// integrations it says which tolerance bounds the difference.
const small = { hiddenFeatures: [16, 16], dtype: 'float64' as const, atol: 1e-5, rtol: 1e-4 };

describe('CNF', () => {
  it("has zuko's state dict names and shapes, and keeps its options", () => {
    const options = { features: 3, context: 4, freqs: 2, seed: 7 };
    const flow = new CNF(options);
    expect(flow.options).toBe(options);
    const sd = flow.stateDict();
    expect(Object.keys(sd)).toEqual([
      'transform.times',
      'transform.freqs',
      'transform.ode.0.weight',
      'transform.ode.0.bias',
      'transform.ode.2.weight',
      'transform.ode.2.bias',
      'transform.ode.4.weight',
      'transform.ode.4.bias',
      'base.loc',
      'base.scale',
    ]);
    expect(sd['transform.ode.0.weight']?.shape).toEqual([64, 3 + 4 + 2 * 2]);
    expect(sd['transform.ode.4.weight']?.shape).toEqual([3, 64]);
    expect(Array.from(sd['transform.times']?.dataSync() ?? [])).toEqual([0, 1]);
    const fr = Array.from(sd['transform.freqs']?.dataSync() ?? []);
    expect(fr[0]).toBeCloseTo(Math.PI, 6);
    expect(fr[1]).toBeCloseTo(2 * Math.PI, 5);
    // Buffers are not parameters; ELU (zuko's default for CNF) between the linear layers.
    expect(flow.parameters().length).toBe(6);
    expect(String(flow.transform)).toContain('ELU');
    // The same seed gives the same weights; a zuko-named dict loads into a fresh flow.
    const twin = new CNF({ ...options, seed: 8 });
    expect(maxAbsDiff(twin.stateDict()['transform.ode.0.weight'] as Tensor, sd['transform.ode.0.weight'] as Tensor)).toBeGreaterThan(0);
    loadZukoStateDict(twin, sd);
    expect(maxAbsDiff(twin.stateDict()['transform.ode.0.weight'] as Tensor, sd['transform.ode.0.weight'] as Tensor)).toBe(0);
  });

  it('logProb has the batch shape, without and with context', () => {
    const x = randn([7, 2], { seed: 1, dtype: 'float64' });
    const flow = new CNF({ features: 2, ...small });
    const lp = noGrad(() => flow.call().logProb(x));
    expect(lp.shape).toEqual([7]);
    expect(lp.dataSync().every(Number.isFinite)).toBe(true);
    expect(noGrad(() => flow.call().logProb(x.slice(0, 0, 1).reshape([2]))).shape).toEqual([]);

    const cond = new CNF({ features: 2, context: 3, ...small });
    const c = randn([7, 3], { seed: 2, dtype: 'float64' });
    expect(noGrad(() => cond.call(c).logProb(x)).shape).toEqual([7]);
    // One context for the whole batch broadcasts over the rows of x.
    const c1 = c.slice(0, 0, 1).reshape([3]);
    const lp1 = noGrad(() => cond.call(c1).logProb(x));
    expect(lp1.shape).toEqual([7]);
    const rows = noGrad(() => cond.call(c1.reshape([1, 3]).expand([7, 3])).logProb(x));
    expect(maxAbsDiff(lp1, rows)).toBeLessThan(1e-12);
    // The context changes the density.
    expect(
      maxAbsDiff(
        noGrad(() => cond.call(c).logProb(x)),
        lp1,
      ),
    ).toBeGreaterThan(1e-6);
  });

  it('gradients of the loss reach every parameter and the context', () => {
    const flow = new CNF({ features: 2, context: 2, ...small });
    const x = randn([16, 2], { seed: 3, dtype: 'float64' });
    const c = randn([16, 2], { seed: 4, dtype: 'float64' }).requireGrad();
    const loss = mean(flow.call(c).logProb(x)).neg();
    const params = flow.parameters();
    const grads = gradients(loss, [...params, c]);
    for (const g of grads) {
      expect(g.dataSync().every(Number.isFinite)).toBe(true);
      expect(norm(g)).toBeGreaterThan(1e-8);
    }
  });

  // A smooth activation: with ELU (the default) the parameter gradient of the exact trace
  // contains ELU''(z) = eᶻ·[z < 0], which jumps at z = 0, and the adjoint's fixed
  // Runge–Kutta steps (zuko's ACA, no error control going backwards) then err by O(dt) on
  // steps where a hidden unit changes sign (measured 0.3% at tolerance 1e-10).
  const directional = (activation: 'SiLU'): { slope: number; fd: number } => {
    const flow = new CNF({ features: 2, hiddenFeatures: [8], activation, dtype: 'float64', atol: 1e-10, rtol: 1e-10 });
    const x = randn([8, 2], { seed: 5, dtype: 'float64' });
    const params = flow.parameters();
    const loss = () => mean(flow.call().logProb(x)).neg();
    const grads = gradients(loss(), params);
    const dirs = params.map((p, i) => randn(p.shape, { seed: 100 + i, dtype: 'float64' }));
    const slope = grads.reduce(
      (acc, g, i) =>
        acc +
        g
          .mul(dirs[i] as Tensor)
          .sum()
          .item(),
      0,
    );
    const h = 1e-5;
    const saved = params.map((p) => p.detach());
    const at = (s: number): number => {
      for (const [i, p] of params.entries()) p.assign((saved[i] as Tensor).add((dirs[i] as Tensor).mul(s)));
      return noGrad(() => loss().item());
    };
    const fd = (at(h) - at(-h)) / (2 * h);
    for (const [i, p] of params.entries()) p.assign(saved[i] as Tensor);
    return { slope, fd };
  };

  it('the parameter gradient of the loss matches a finite difference along a random direction (smooth field)', () => {
    const { slope, fd } = directional('SiLU');
    // Integration errors ~1e-10 (ladj: 1e-8, zuko's trace scale) over h = 1e-5; measured ~1e-9.
    expect(Math.abs(fd - slope)).toBeLessThan(1e-6 * Math.max(1, Math.abs(slope)));
  });

  it('sample → logProb agree: log p(x) of a draw equals the density returned with it', () => {
    const flow = new CNF({ features: 2, hiddenFeatures: [16, 16], dtype: 'float64' });
    const d = flow.call();
    const [xs, lps] = noGrad(() => d.rsampleAndLogProb([40], new Rng(3)));
    expect(xs.shape).toEqual([40, 2]);
    const lp = noGrad(() => d.logProb(xs));
    // Both integrate the same ODE (1 → 0, then 0 → 1) at atol 1e-6 / rtol 1e-5; the ladj
    // is controlled at 100·atol per step (zuko's trace scale): a few 1e-5 at most.
    expect(maxAbsDiff(lp, lps)).toBeLessThan(1e-3);
    // Draws are reproducible from the Rng.
    expect(
      maxAbsDiff(
        noGrad(() => d.sample([40], new Rng(3))),
        xs,
      ),
    ).toBeLessThan(1e-12);
  });

  it("Hutchinson's estimator (exact: false) draws its probe from traceRng", () => {
    const x = randn([12, 2], { seed: 6, dtype: 'float64' });
    const exact = new CNF({ features: 2, ...small, seed: 1 });
    const hutch = (seed: number) => new CNF({ features: 2, ...small, seed: 1, exact: false, traceRng: new Rng(seed) });
    expect((hutch(0).transform.call() as FreeFormJacobianTransform).exact).toBe(false);
    const a = noGrad(() => hutch(0).call().logProb(x));
    const b = noGrad(() => hutch(0).call().logProb(x));
    const e = noGrad(() => exact.call().logProb(x));
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, e)).toBeGreaterThan(1e-6);
    expect(
      maxAbsDiff(
        noGrad(() => hutch(1).call().logProb(x)),
        a,
      ),
    ).toBeGreaterThan(1e-6);
  });

  it('a short training run on a 2-D Gaussian lowers the loss', () => {
    // N([1, -1], diag(0.5², 1.5²)), 256 points; 32 Adam steps of 32 points.
    const z = randn([256, 2], { seed: 9, dtype: 'float64' });
    const data = z.mul(tensor([0.5, 1.5], { dtype: 'float64' })).add(tensor([1, -1], { dtype: 'float64' }));
    const flow = new CNF({ features: 2, hiddenFeatures: [16, 16], dtype: 'float64', atol: 1e-4, rtol: 1e-3, seed: 0 });
    const nll = () => noGrad(() => mean(flow.call().logProb(data)).neg().item());
    const before = nll();
    const result = fit(flow, data, { epochs: 4, batchSize: 32, lr: 1e-2, seed: 0 });
    expect(result.steps).toBe(32);
    const after = nll();
    // The true density's NLL is log(2π·0.75) + 1 ≈ 2.55; measured 4.60 → 2.57.
    expect(after).toBeLessThan(before - 1);
    expect(after).toBeLessThan(3);
    expect(after).toBeGreaterThan(2.4);
  });
});

describe('FFJTransform', () => {
  it('builds a free-form Jacobian transform from t = 0 to 1 whose inverse undoes it', () => {
    const t = new FFJTransform(3, 4, { hiddenFeatures: [16], dtype: 'float64' });
    const c = randn([5, 4], { seed: 1, dtype: 'float64' });
    const x = randn([5, 3], { seed: 2, dtype: 'float64' });
    const ffj = t.call(c);
    expect(ffj).toBeInstanceOf(FreeFormJacobianTransform);
    // φ = (c, every parameter); buffers are not in it.
    expect(ffj.phi.length).toBe(t.parameters().length);
    const y = noGrad(() => ffj.call(x));
    expect(
      maxAbsDiff(
        noGrad(() => ffj.inv.call(y)),
        x,
      ),
    ).toBeLessThan(1e-4);
    expect(
      maxAbsDiff(
        noGrad(() => t.inv.call(c).call(y)),
        x,
      ),
    ).toBeLessThan(1e-4);
    // The vector field's input is [cos(πkt), sin(πkt)] ++ x ++ c.
    const f = noGrad(() => t.f(tensor(0.25, { dtype: 'float64' }), x, c));
    expect(f.shape).toEqual([5, 3]);
  });
});

describe('CNF save/load', () => {
  it('round-trips through saveFlow/loadFlow with identical log-densities', async () => {
    const { CNF, saveFlow, loadFlow } = await import('@eddy/flows');
    const { randn: rn } = await import('@eddy/core');
    const flow = new CNF({ features: 2, hiddenFeatures: [8], atol: 1e-4, rtol: 1e-3, dtype: 'float64', seed: 4 });
    const x = rn([6, 2], { seed: 1, dtype: 'float64' });
    const again = loadFlow(saveFlow(flow));
    expect(again.constructor.name).toBe('CNF');
    expect(Array.from(again.call().logProb(x).dataSync())).toEqual(Array.from(flow.call().logProb(x).dataSync()));
  });
});
