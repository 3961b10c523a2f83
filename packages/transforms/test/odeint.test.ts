import '@eddy/backend-cpu';
import { Rng, cos, type Tensor, gradients, matmul, matrixExp, noGrad, sin, sum, tanh, tensor, transpose } from '@eddy/core';
import { checkTransform, gradcheck, hostTensor, maxAbsDiff } from '@eddy/testing';
import { FreeFormJacobianTransform, type OdeStepInfo, odeint } from '@eddy/transforms';
import { describe, expect, it } from 'vitest';

const f64 = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => hostTensor(shape, seed, lo, hi);

const maxAbs = (a: Tensor): number => Math.max(...Array.from(a.dataSync(), Math.abs));

/** Relative error ‖a − b‖ / ‖b‖ over several gradient tensors. */
const relError = (as: readonly Tensor[], bs: readonly Tensor[]): number => {
  let d = 0;
  let n = 0;
  as.forEach((a, i) => {
    const x = a.dataSync();
    const y = (bs[i] as Tensor).dataSync();
    for (let j = 0; j < x.length; j++) {
      d += ((x[j] as number) - (y[j] as number)) ** 2;
      n += (y[j] as number) ** 2;
    }
  });
  return Math.sqrt(d / n);
};

describe('odeint: Dormand–Prince 4(5) against closed forms', () => {
  const a = f64([3, 3], 1, -1, 1);
  const x0 = f64([5, 3], 2, -2, 2);
  const linear = (_t: Tensor, x: Tensor) => matmul(x, transpose(a));

  it('linear system dx/dt = A x equals x₀ exp(A t)ᵀ, forwards and backwards in time', () => {
    const exact = matmul(x0, transpose(matrixExp(a.mul(1.5))));
    for (const [tol, bound] of [
      [1e-6, 2e-5],
      [1e-9, 2e-8],
      [1e-12, 1e-10],
    ] as const) {
      const x1 = odeint(linear, x0, 0, 1.5, [], { atol: tol, rtol: tol });
      expect(maxAbsDiff(x1, exact)).toBeLessThan(bound);
      // From t₁ back to t₀ recovers x₀.
      const back = odeint(linear, x1, 1.5, 0, [], { atol: tol, rtol: tol });
      expect(maxAbsDiff(back, x0)).toBeLessThan(2 * bound);
    }
  });

  it('logistic growth dx/dt = r x (1 − x/K) equals K / (1 + (K/x₀ − 1) e^(−rt))', () => {
    const r = 2.5;
    const k = 3;
    const start = tensor([0.01, 0.5, 1, 2.9, 5], { dtype: 'float64' });
    const t1 = 4;
    const x1 = odeint((_t, x) => x.mul(r).mul(x.div(k).neg().add(1)), start, 0, t1, [], { atol: 1e-10, rtol: 1e-10 });
    const s = start.dataSync();
    const exact = tensor(
      Array.from(s, (v) => k / (1 + (k / v - 1) * Math.exp(-r * t1))),
      { dtype: 'float64' },
    );
    expect(maxAbsDiff(x1, exact)).toBeLessThan(1e-8);
  });

  it('passes the time: dx/dt = cos(t) x gives x₀ e^(sin t₁ − sin t₀)', () => {
    const start = tensor([1, -2], { dtype: 'float64' });
    const x1 = odeint((t, x) => x.mul(cos(t)), start, 0.3, 4, [], { atol: 1e-10, rtol: 1e-10 });
    const g = Math.exp(Math.sin(4) - Math.sin(0.3));
    expect(maxAbsDiff(x1, tensor([g, -2 * g], { dtype: 'float64' }))).toBeLessThan(1e-8);
  });

  it('integrates a list state (harmonic oscillator q̈ = −ω² q) part by part', () => {
    const q0 = tensor([1, 0.5], { dtype: 'float64' });
    const p0 = tensor([0, 1], { dtype: 'float64' });
    const w = 2;
    const [q, p] = odeint((_t, q: Tensor, p: Tensor) => [p, q.mul(-w * w)], [q0, p0], 0, 3, [], { atol: 1e-10, rtol: 1e-10 });
    const c = Math.cos(w * 3);
    const s = Math.sin(w * 3);
    const qe = tensor([c, 0.5 * c + s / w], { dtype: 'float64' });
    const pe = tensor([-w * s, -0.5 * w * s + c], { dtype: 'float64' });
    expect(maxAbsDiff(q as Tensor, qe)).toBeLessThan(1e-8);
    expect(maxAbsDiff(p as Tensor, pe)).toBeLessThan(1e-8);
  });

  it('honours the tolerance: every accepted step has scaled error < 1, tighter tolerances take more steps and shrink the error', () => {
    const exact = matmul(x0, transpose(matrixExp(a.mul(1.5))));
    let prevSteps = 0;
    let prevErr = Number.POSITIVE_INFINITY;
    let rejected = 0;
    for (const tol of [1e-3, 1e-5, 1e-7, 1e-9]) {
      const log: OdeStepInfo[] = [];
      const x1 = odeint(linear, x0, 0, 1.5, [], { atol: tol, rtol: tol, onStep: (s) => log.push(s) });
      const accepted = log.filter((s) => s.accepted);
      rejected += log.length - accepted.length;
      for (const s of accepted) expect(s.error).toBeLessThan(1);
      // The accepted steps tile [0, 1.5] exactly.
      expect(accepted.reduce((acc, s) => acc + s.dt, 0)).toBeCloseTo(1.5, 12);
      expect(accepted.length).toBeGreaterThan(prevSteps);
      const err = maxAbsDiff(x1, exact);
      expect(err).toBeLessThan(prevErr);
      // Global error within a small multiple of the per-step tolerance (|x| ≲ 4 here).
      expect(err).toBeLessThan(20 * tol * (1 + maxAbs(exact)));
      prevSteps = accepted.length;
      prevErr = err;
    }
    // The first try is the whole interval, which these tolerances reject.
    expect(rejected).toBeGreaterThan(0);
  });

  it('returns the initial state when t₀ = t₁ and rejects non-finite dynamics', () => {
    expect(maxAbsDiff(odeint(linear, x0, 1, 1), x0)).toBe(0);
    expect(() => odeint((_t, x) => x.div(0).mul(0), x0, 0, 1)).toThrow(/not finite/);
  });
});

describe('odeint: adjoint gradients', () => {
  // dx/dt = tanh(x Wᵀ + b) + 0.5 sin(t) x, a small non-linear time-dependent system.
  const system = (w: Tensor, b: Tensor) => (t: Tensor, x: Tensor) => tanh(matmul(x, transpose(w)).add(b)).add(x.mul(sin(t).mul(0.5)));
  const w0 = f64([3, 3], 11, -1, 1);
  const b0 = f64([3], 12, -0.5, 0.5);
  const x0 = f64([4, 3], 13, -1.5, 1.5);
  const tight = { atol: 1e-12, rtol: 1e-12 };

  it('match central finite differences w.r.t. x₀, φ = (W, b), t₀ and t₁ (float64)', () => {
    const run = (x: Tensor, w: Tensor, b: Tensor, t0: Tensor, t1: Tensor) => odeint(system(w, b), x, t0, t1, [w, b], tight);
    const t0 = tensor(0.2, { dtype: 'float64' });
    const t1 = tensor(1.3, { dtype: 'float64' });
    // With tolerances 1e-12 the solution is smooth in the inputs to ~1e-12, so h = 1e-5
    // leaves a finite-difference error of ~1e-7 (noise/h) + O(h²).
    const { relErrors } = gradcheck(run, [x0, w0, b0, t0, t1], 1e-5);
    // Measured ≤ 3e-9 (the t₀ gradient, −a(t₀)ᵀ f(t₀, x₀), included).
    for (const e of relErrors) expect(e).toBeLessThan(1e-7);
  });

  it('match direct backpropagation through a fixed-step RK4 solver', () => {
    const w = w0.requireGrad();
    const b = b0.requireGrad();
    const x = x0.requireGrad();
    const weight = f64([4, 3], 14);
    const [ga, gw, gb] = gradients(sum(odeint(system(w, b), x, 0, 2, [w, b], tight).mul(weight)), [x, w, b]);
    // Classic RK4, 400 steps, every op recorded (error O(h⁴) ≈ 1e-10).
    const f = system(w, b);
    const n = 400;
    const h = 2 / n;
    let s: Tensor = x;
    for (let i = 0; i < n; i++) {
      const t = tensor(i * h, { dtype: 'float64' });
      const th = tensor(i * h + h / 2, { dtype: 'float64' });
      const t1 = tensor((i + 1) * h, { dtype: 'float64' });
      const k1 = f(t, s);
      const k2 = f(th, s.add(k1.mul(h / 2)));
      const k3 = f(th, s.add(k2.mul(h / 2)));
      const k4 = f(t1, s.add(k3.mul(h)));
      s = s.add(
        k1
          .add(k2.mul(2))
          .add(k3.mul(2))
          .add(k4)
          .mul(h / 6),
      );
    }
    const [ra, rw, rb] = gradients(sum(s.mul(weight)), [x, w, b]);
    expect(relError([ga as Tensor], [ra as Tensor])).toBeLessThan(1e-8);
    expect(relError([gw as Tensor, gb as Tensor], [rw as Tensor, rb as Tensor])).toBeLessThan(1e-8);
  });

  it('differentiate a list state (oscillator frequency ω and both initial parts)', () => {
    const run = (q: Tensor, p: Tensor, w: Tensor) => {
      const [q1, p1] = odeint((_t, q: Tensor, p: Tensor) => [p, q.mul(w.square().neg())], [q, p], 0, 2, [w], { atol: 1e-10, rtol: 1e-10 });
      return (q1 as Tensor).mul(2).add((p1 as Tensor).mul(3));
    };
    const { relErrors } = gradcheck(run, [f64([3], 21), f64([3], 22), tensor(1.7, { dtype: 'float64' })], 1e-5);
    for (const e of relErrors) expect(e).toBeLessThan(1e-6);
  });

  it('with default tolerances are accurate to the tolerance', () => {
    const w = w0.requireGrad();
    const x = x0.requireGrad();
    const loss = (opts: { atol: number; rtol: number }) => gradients(sum(odeint(system(w, b0), x, 0, 1, [w], opts)), [x, w]);
    const rough = loss({ atol: 1e-6, rtol: 1e-5 });
    const exact = loss(tight);
    expect(relError(rough, exact)).toBeLessThan(1e-4);
  });

  it('are first-order only and skip recording when nothing needs a gradient', () => {
    const w = w0.requireGrad();
    const y = odeint(system(w, b0), x0, 0, 1, [w]);
    expect(y.requiresGrad).toBe(true);
    expect(() => gradients(sum(y), [w], { createGraph: true })).toThrow(/first-order/);
    expect(noGrad(() => odeint(system(w, b0), x0, 0, 1, [w])).requiresGrad).toBe(false);
  });
});

describe('FreeFormJacobianTransform', () => {
  // f(t, x) = tanh(x W₁ᵀ + t u + b₁) W₂ᵀ: D = 3, 8 hidden units.
  const w1 = f64([8, 3], 31, -1, 1).requireGrad();
  const u = f64([8], 32, -1, 1).requireGrad();
  const b1 = f64([8], 33, -0.5, 0.5).requireGrad();
  const w2 = f64([3, 8], 34, -0.6, 0.6).requireGrad();
  const make = (w1: Tensor, u: Tensor, b1: Tensor, w2: Tensor) => (t: Tensor, x: Tensor) =>
    matmul(tanh(matmul(x, transpose(w1)).add(u.mul(t)).add(b1)), transpose(w2));
  const f = make(w1, u, b1, w2);
  const phi = [w1, u, b1, w2];
  const x = f64([6, 3], 35, -2, 2);

  it('passes checkTransform at tight tolerances (exact trace)', () => {
    const t = new FreeFormJacobianTransform(f, 0, 1, phi, { atol: 1e-10, rtol: 1e-10 });
    const c = checkTransform(t, x);
    // Measured ~5e-11: global errors of a few times the 1e-10 tolerance.
    expect(c.roundTrip).toBeLessThan(1e-8);
    expect(c.ladjVsJacobian).toBeLessThan(1e-8);
    expect(c.fusedVsSeparate).toBe(0);
    expect(c.inverseLadj).toBeLessThan(1e-8);
  });

  it('passes checkTransform at the default tolerances (atol 1e-6, rtol 1e-5)', () => {
    const t = new FreeFormJacobianTransform(f, 0, 1, phi);
    const c = checkTransform(t, x);
    // x: local errors ≤ atol + rtol|x| ≈ 3e-5 per step (|x| ≤ 2.5), ~4 steps each way;
    // measured 6e-6.
    expect(c.roundTrip).toBeLessThan(1e-4);
    // ladj is carried scaled by 1e-2 (zuko), so its per-step tolerance is 100 atol = 1e-4;
    // the autodiff Jacobian carries the adjoint's error of the same order. Measured 2e-6.
    expect(c.ladjVsJacobian).toBeLessThan(5e-4);
    expect(c.inverseLadj).toBeLessThan(5e-4);
  });

  it('gradients of y and ladj w.r.t. x and φ match finite differences (second-order terms through the trace)', () => {
    // φ = (b₁, u) differentiated (W₁, W₂ fixed) to keep the finite differences cheap; the
    // trace depends on every parameter, so this exercises the recorded vector-Jacobian
    // products as well as the path.
    const run = (xx: Tensor, b: Tensor, uu: Tensor) => {
      const t = new FreeFormJacobianTransform(make(w1.detach(), uu, b, w2.detach()), 0, 1, [b, uu], { atol: 1e-10, rtol: 1e-10 });
      const [y, ladj] = t.callAndLadj(xx);
      return y.sum(-1).mul(0.3).add(ladj);
    };
    // Measured ~1e-10: the solution is smooth in the inputs to ~1e-10, h = 1e-5.
    const { relErrors } = gradcheck(run, [x.slice(0, 0, 2), b1.detach(), u.detach()], 1e-5);
    for (const e of relErrors) expect(e).toBeLessThan(1e-6);
  });

  it("Hutchinson's estimate is unbiased: its mean over many probes is the exact ladj", () => {
    const reps = 400;
    const xs = x
      .reshape([1, 6, 3])
      .expand([reps, 6, 3])
      .reshape([reps * 6, 3]);
    const opts = { atol: 1e-8, rtol: 1e-8 };
    const [, exact] = noGrad(() => new FreeFormJacobianTransform(f, 0, 1, phi, opts).callAndLadj(x));
    const hutch = new FreeFormJacobianTransform(f, 0, 1, phi, { ...opts, exact: false, rng: new Rng(5) });
    const [y, est] = noGrad(() => hutch.callAndLadj(xs));
    const [y0] = noGrad(() => new FreeFormJacobianTransform(f, 0, 1, phi, opts).callAndLadj(xs));
    // The probe changes only the ladj, not the path.
    expect(maxAbsDiff(y, y0)).toBeLessThan(1e-7);
    const e = est.reshape([reps, 6]);
    const mean = e.mean(0);
    const sd = e.sub(mean).square().mean(0).sqrt();
    const ex = exact.dataSync();
    const m = mean.dataSync();
    const s = sd.dataSync();
    for (let i = 0; i < 6; i++) {
      // Within 4 standard errors of the exact value, and a real spread (a stochastic estimate).
      expect(Math.abs((m[i] as number) - (ex[i] as number))).toBeLessThan((4 * (s[i] as number)) / Math.sqrt(reps));
      expect(s[i] as number).toBeGreaterThan(1e-3);
    }
    // The same Rng seed gives the same estimate (one fixed ε per call).
    const again = noGrad(() => new FreeFormJacobianTransform(f, 0, 1, phi, { ...opts, exact: false, rng: new Rng(5) }).callAndLadj(xs)[1]);
    expect(maxAbsDiff(again, est)).toBe(0);
  });

  it('has event dim 1, an inverse integrating t₁ → t₀, and works in float32', () => {
    const t = new FreeFormJacobianTransform(f, 0, 1, phi);
    expect(t.domain.eventDim).toBe(1);
    expect(t.codomain.eventDim).toBe(1);
    expect(t.inv.inv).toBe(t);
    expect(String(t.inv)).toBe('FreeFormJacobianTransform(t0=1, t1=0, exact=true)');
    const g = (tt: Tensor, xx: Tensor) => make(w1.cast('float32'), u.cast('float32'), b1.cast('float32'), w2.cast('float32'))(tt, xx);
    const x32 = x.cast('float32');
    const t32 = new FreeFormJacobianTransform(g, 0, 1);
    const [y, ladj] = noGrad(() => t32.callAndLadj(x32));
    expect(y.dtype).toBe('float32');
    expect(ladj.shape).toEqual([6]);
    expect(
      maxAbsDiff(
        noGrad(() => t32.inv.call(y)),
        x32,
      ),
    ).toBeLessThan(1e-4);
  });
});
