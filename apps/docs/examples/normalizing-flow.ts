// Guide 1b — NormalizingFlow: the change of variables, basic use, a custom transform, a
// composed transform and batched flows. Run by `npm run examples`.
// #region imports
import '@eddy/backend-cpu';
import { Rng, type Tensor, log, ones, sign, tensor, zeros } from '@eddy/core';
import { DiagNormal, Normal, NormalizingFlow } from '@eddy/distributions';
import { AffineTransform, ComposedTransform, DependentTransform, ScalarTransform, ExpTransform, RotationTransform } from '@eddy/transforms';
// #endregion imports
import { grad, sum } from '@eddy/core';
import { check, maxAbsDiff } from './lib/output.js';

// #region basic
const f64 = { dtype: 'float64' } as const; // the options of every tensor below
// X = exp(Z) with Z ~ N(0, 1): the log-normal distribution. The transform goes from data
// to base space, so it is log = exp⁻¹.
const logNormal = new NormalizingFlow(new ExpTransform().inv, new Normal(tensor(0, f64), tensor(1, f64)));
const x = logNormal.sample([1000], new Rng(0)); // [1000], every value positive
const lp = logNormal.logProb(x); // [1000]: log N(log x; 0, 1) − log x
console.log('x:', x.slice(0, 0, 3).toArray(), 'log p(x):', lp.slice(0, 0, 3).toArray());
// #endregion basic
{
  const xs = x.dataSync();
  const exact = Float64Array.from(xs, (v) => -Math.log(v) - 0.5 * Math.log(2 * Math.PI) - 0.5 * Math.log(v) ** 2);
  check(Math.min(...xs) > 0, 'log-normal draws are positive');
  check(maxAbsDiff(lp, tensor(exact, f64)) < 1e-12, 'logProb is the closed-form log-normal density');
}

// #region custom
/** `y = asinh(x)`, elementwise: a user-written transform that tames heavy tails. */
class AsinhTransform extends ScalarTransform {
  call(x: Tensor): Tensor {
    const a = x.abs(); // asinh x = sign(x) log(|x| + √(x² + 1)), stable for x < 0 too
    return log(a.add(a.square().add(1).sqrt())).mul(sign(x));
  }
  inverse(y: Tensor): Tensor {
    return y.exp().sub(y.neg().exp()).div(2); // sinh y
  }
  logAbsDetJacobian(x: Tensor): Tensor {
    return x.square().add(1).log().mul(-0.5); // log |d asinh x / dx| = −½ log(1 + x²)
  }
}

// An elementwise transform has event dimension 0; DependentTransform makes the last axis
// one event, so the flow's log-density sums the ladj over it. The base Normal has event
// shape [] and batch shape [2]: NormalizingFlow wraps it in Independent(base, 1) itself.
const heavy = new NormalizingFlow(new DependentTransform(new AsinhTransform(), 1), new Normal(zeros([2], f64), ones([2], f64)));
const h = heavy.sample([500], new Rng(1)); // [500, 2]
const hp = heavy.logProb(h); // [500]: one log-density per 2-vector
// #endregion custom
{
  const t = new AsinhTransform();
  check(heavy.eventShape.join() === '2' && heavy.batchShape.length === 0, 'the base was wrapped in Independent: event shape [2], batch shape []');
  check(hp.shape.join() === '500', 'logProb returns one value per event');
  check(maxAbsDiff(t.inverse(t.call(h)), h) < 1e-12, 'the custom transform inverts: inv(call(x)) = x');
  const [dy] = grad((v: Tensor) => sum(t.call(v)))(h); // diagonal Jacobian by autodiff
  check(maxAbsDiff(t.logAbsDetJacobian(h), log((dy as Tensor).abs())) < 1e-12, 'its ladj matches the autodiff Jacobian');
}

// #region composed
// Transforms compose left to right (data → base); the inverse runs the inverses in reverse
// order, and the ladj of the composition is the sum of the parts' ladj.
const steps = [
  new AffineTransform(tensor([1, -1], f64), tensor([2, 0.5], f64)), // y = 1 + 2x₁, −1 + x₂/2
  new AsinhTransform(),
  new RotationTransform(
    tensor(
      [
        [0, 0.7],
        [0, 0],
      ],
      f64,
    ),
  ), // a 2-D rotation, event dimension 1
];
const composed = new ComposedTransform(steps);
const flow = new NormalizingFlow(composed, new DiagNormal(zeros([2], f64), ones([2], f64)));
const c = flow.sample([200], new Rng(2)); // [200, 2]
const [z, ladj] = composed.callAndLadj(c); // z = f(c), ladj [200]
// #endregion composed
{
  let y = c;
  let total = zeros([200], f64);
  for (const s of steps) {
    const [next, l] = s.callAndLadj(y);
    total = total.add(l.ndim === 2 ? l.sum(-1) : l); // elementwise parts give one ladj per value
    y = next;
  }
  check(maxAbsDiff(z, y) < 1e-12 && maxAbsDiff(ladj, total) < 1e-12, "the composition's ladj is the sum of its parts'");
  check(maxAbsDiff(composed.inv.call(z), c) < 1e-12, 'the composed inverse undoes the composition');
  const base = new DiagNormal(zeros([2], f64), ones([2], f64));
  check(maxAbsDiff(flow.logProb(c), base.logProb(z).add(ladj)) < 1e-12, 'log p(x) = log p_Z(f(x)) + log |det J_f(x)|');
}

// #region batched
// A base with batch shape [3] (three independent 2-D Gaussians with their own means)
// makes a batch of three flows sharing one transform.
const means = tensor(
  [
    [-2, 0],
    [0, 0],
    [2, 0],
  ],
  f64,
);
const batched = new NormalizingFlow(composed, new DiagNormal(means, ones([3, 2], f64)));
const b = batched.sample([5], new Rng(3)); // [5, 3, 2]: sample shape + batch shape + event shape
const bp = batched.logProb(b); // [5, 3]
const wide = batched.expand([4, 3]); // batch shape [4, 3]: the base expanded, no copy of the transform
const w = wide.sample([5], new Rng(3)); // [5, 4, 3, 2]
const one = batched.logProb(tensor([0.5, 0.5], f64)); // [3]: one point scored by each member
console.log('sample', b.shape, 'logProb', bp.shape, 'expanded sample', w.shape, 'one point', one.shape);
// #endregion batched
check(batched.batchShape.join() === '3' && batched.eventShape.join() === '2', 'batch shape [3], event shape [2]');
check(b.shape.join() === '5,3,2' && bp.shape.join() === '5,3', 'sample is [5, 3, 2], logProb is [5, 3]');
check(w.shape.join() === '5,4,3,2' && one.shape.join() === '3', 'expand([4, 3]) samples [5, 4, 3, 2]; one point scores against all three');
for (let k = 0; k < 3; k++) {
  const member = new NormalizingFlow(composed, new DiagNormal(means.slice(0, k, k + 1).reshape([2]), ones([2], f64)));
  const lpK = member.logProb(b.slice(1, k, k + 1).reshape([5, 2]));
  check(maxAbsDiff(lpK, bp.slice(1, k, k + 1).reshape([5])) < 1e-12, `batch member ${k} is the flow whose base has mean ${k * 2 - 2}, 0`);
}
