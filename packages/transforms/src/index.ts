/**
 * `@eddy/transforms`: invertible transforms with log-absolute-determinant Jacobians,
 * the building blocks of normalizing flows, with zuko 1.6.0's exact numerics. A
 * transform maps data `x` to the base space; `callAndLadj(x)` returns `[y, ladj]`.
 *
 * @example
 * ```ts
 * import '@eddy/backend-cpu';
 * import { tensor } from '@eddy/core';
 * import { ComposedTransform, ExpTransform, AffineTransform } from '@eddy/transforms';
 * const x = tensor([0, 1]);
 * const f = new ComposedTransform([new ExpTransform(), new AffineTransform(1, 2)]);
 * const [y, ladj] = f.callAndLadj(x);
 * ```
 *
 * @packageDocumentation
 */
export * from './transform.js';
export * from './scalar-function.js';
export * from './utils.js';
export * from './params.js';
export * from './composed.js';
export * from './dependent.js';
export * from './identity.js';
export * from './exp.js';
export * from './affine.js';
export * from './sigmoid.js';
export * from './tanh.js';
export * from './softplus.js';
export * from './power.js';
export * from './cos.js';
export * from './sin.js';
export * from './softclip.js';
export * from './circular-shift.js';
export * from './signed-power.js';
export * from './additive.js';
export * from './monotonic-affine.js';
export * from './permutation.js';
export * from './rotation.js';
export * from './lu-linear.js';
export * from './autoregressive.js';
export * from './coupling.js';
export * from './bisection.js';
export * from './gauss-legendre.js';
export * from './monotonic-rqs.js';
export * from './monotonic.js';
export * from './bernstein.js';
export * from './bounded-bernstein.js';
export * from './gaussianization.js';
export * from './unconstrained-monotonic.js';
export * from './sos-polynomial.js';
export * from './odeint.js';
export * from './free-form-jacobian.js';
