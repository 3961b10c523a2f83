import { isGradEnabled, record } from '../autodiff.js';
import { ShapeError, fmtShape } from '../errors.js';
import { fusedKernelsOf } from '../fused-kernels.js';
import { sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { log, square } from './elementwise.js';
import { sum } from './reduce.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The log-density of a diagonal normal summed over the last axis,
 *
 * $$
 * \sum_d \left[ -\frac{(z_d - \mu_d)^2}{2\sigma_d^2} - \log \sigma_d - \frac{1}{2} \log 2\pi \right],
 * $$
 *
 * for `z` `[..., D]` and `loc` ($\mu$), `scale` ($\sigma$)
 * broadcastable to it. With `loc` and `scale` of shape `[D]` that need no gradient (a
 * flow's fixed base) and a backend with a fused `normalLogProb` kernel, one pass;
 * otherwise composed core ops (gradients flow to all three).
 *
 * @example
 * ```ts
 * import { diagNormalLogProb, ones, zeros } from '@eddy/core';
 * diagNormalLogProb(zeros([4, 2]), zeros([2]), ones([2])); // [4], each −log 2π
 * ```
 * @category Fused ops
 */
export function diagNormalLogProb(z: Tensor, loc: Tensor, scale: Tensor): Tensor {
  if (z.ndim < 1) throw new ShapeError(`diagNormalLogProb: z needs an event axis, got ${fmtShape(z.shape)}`);
  const D = z.shape[z.ndim - 1] as number;
  const kernel = fusedKernelsOf(z.backend)?.normalLogProb;
  const vec = (t: Tensor): boolean => t.ndim === 1 && t.shape[0] === D && t.dtype === z.dtype && t.backend === z.backend && !t.requiresGrad;
  if (kernel === undefined || !vec(loc) || !vec(scale) || sizeOf(z.shape) === 0) {
    return sum(square(z.sub(loc)).div(square(scale).mul(2)).neg().sub(log(scale)).sub(HALF_LOG_2PI), -1);
  }
  const be = z.backend;
  const lead = z.shape.slice(0, -1);
  const out = new Tensor(kernel.call(be.fused, z, loc, scale), lead, z.dtype, be);
  return record('diagNormalLogProb', out, [z], (g) => {
    const vjp = fusedKernelsOf(be)?.normalLogProbVjp;
    if (vjp === undefined || isGradEnabled()) return [g.unsqueeze(-1).mul(z.sub(loc)).div(square(scale)).neg()];
    return [new Tensor(vjp.call(be.fused, z, loc, scale, g), z.shape, z.dtype, be)];
  });
}
