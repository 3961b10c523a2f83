import { type Tensor, type TensorLike, ValueError, abs, log } from '@eddy/core';
import { param } from './params.js';
import { type Domain, Transform, domain } from './transform.js';
import { sumRightmost } from './utils.js';

/**
 * $y = \mathrm{loc} + \mathrm{scale} \cdot x$ (PyTorch's `AffineTransform`), $\text{ladj} = \log|\mathrm{scale}|$ per element,
 * summed over the last `eventDim` axes. Parameters broadcast against `x`.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { AffineTransform } from '@eddy/transforms';
 * new AffineTransform(1, 2).call(tensor([0, 1])); // [1, 3]
 * ```
 * @category Elementwise
 */
export class AffineTransform extends Transform {
  /** Shift. */
  readonly loc: Tensor;
  /** Scale (non-zero). */
  readonly scale: Tensor;
  /** Event dim of domain and codomain. */
  readonly eventDim: number;

  /** @param loc shift; @param scale scale; @param eventDim event axes (default 0). */
  constructor(loc: TensorLike, scale: TensorLike, eventDim = 0) {
    super();
    if (!Number.isInteger(eventDim) || eventDim < 0) throw new ValueError(`AffineTransform: eventDim must be a non-negative integer, got ${eventDim}`);
    this.scale = param(scale);
    this.loc = param(loc);
    this.eventDim = eventDim;
  }
  /** The reals with `eventDim` event axes. */
  get domain(): Domain {
    return domain(this.eventDim);
  }
  /** The reals with `eventDim` event axes. */
  get codomain(): Domain {
    return domain(this.eventDim);
  }
  /** `+1`/`-1` for a scalar scale, else undefined. */
  override get sign(): 1 | -1 | undefined {
    if (this.scale.size !== 1) return undefined;
    return this.scale.item() > 0 ? 1 : -1;
  }
  /** `loc + scale · x`. */
  call(x: Tensor): Tensor {
    return x.mul(this.scale).add(this.loc);
  }
  /** `(y - loc) / scale`. */
  inverse(y: Tensor): Tensor {
    return y.sub(this.loc).div(this.scale);
  }
  /** $\sum \log|\mathrm{scale}|$ over the event axes, broadcast to `x`. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return sumRightmost(log(abs(this.scale)).add(x.zerosLike()), this.eventDim);
  }
  /** `AffineTransform(loc=…, scale=…)`. */
  override toString(): string {
    return `AffineTransform(loc=${this.loc}, scale=${this.scale}, eventDim=${this.eventDim})`;
  }
}
