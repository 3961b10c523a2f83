import { elu, erf, mul, relu, sigmoid, softplus, tanh, where } from '@eddy/core';
import { ActivationLayer } from './activation-layer.js';

/**
 * Rectified linear unit `max(x, 0)` (`torch.nn.ReLU`), a parameter-free layer.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { ReLU } from '@eddy/flows';
 * new ReLU().call(tensor([-1, 2])); // [0, 2]
 * ```
 * @category Networks
 */
export class ReLU extends ActivationLayer {
  constructor() {
    super(relu);
  }
}

/**
 * Exponential linear unit (`torch.nn.ELU`): $x$ for $x > 0$, else $\alpha(e^x - 1)$.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { ELU } from '@eddy/flows';
 * new ELU().call(tensor([-1, 2])); // [e⁻¹ − 1, 2]
 * ```
 * @category Networks
 */
export class ELU extends ActivationLayer {
  /** The slope `α` of the negative part (default 1). */
  readonly alpha: number;

  /** @param alpha the scale `α` of the negative branch (default 1, as in PyTorch). */
  constructor(alpha = 1) {
    super((x) => elu(x, alpha), { alpha });
    this.alpha = alpha;
  }
}

/**
 * Hyperbolic tangent (`torch.nn.Tanh`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { Tanh } from '@eddy/flows';
 * new Tanh().call(tensor([0])); // [0]
 * ```
 * @category Networks
 */
export class Tanh extends ActivationLayer {
  constructor() {
    super(tanh);
  }
}

/**
 * Logistic sigmoid $1 / (1 + e^{-x})$ (`torch.nn.Sigmoid`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { Sigmoid } from '@eddy/flows';
 * new Sigmoid().call(tensor([0])); // [0.5]
 * ```
 * @category Networks
 */
export class Sigmoid extends ActivationLayer {
  constructor() {
    super(sigmoid);
  }
}

/**
 * Sigmoid linear unit $x \cdot \sigma(x)$ (`torch.nn.SiLU`, a.k.a. swish).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { SiLU } from '@eddy/flows';
 * new SiLU().call(tensor([0, 1])); // [0, 0.7310585786300049]
 * ```
 * @category Networks
 */
export class SiLU extends ActivationLayer {
  constructor() {
    super((x) => mul(x, sigmoid(x))); // x σ(x)
  }
}

/**
 * Softplus $\log(1 + e^x)$ (`torch.nn.Softplus` with `beta = 1`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { Softplus } from '@eddy/flows';
 * new Softplus().call(tensor([0])); // [log 2]
 * ```
 * @category Networks
 */
export class Softplus extends ActivationLayer {
  constructor() {
    super(softplus);
  }
}

/**
 * Leaky ReLU (`torch.nn.LeakyReLU`): $x$ for $x \ge 0$, else $\mathrm{slope} \cdot x$.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { LeakyReLU } from '@eddy/flows';
 * new LeakyReLU(0.1).call(tensor([-1, 2])); // [-0.1, 2]
 * ```
 * @category Networks
 */
export class LeakyReLU extends ActivationLayer {
  /** The slope of the negative part (default 0.01). */
  readonly negativeSlope: number;

  /** @param negativeSlope slope for `x < 0` (default 0.01, as in PyTorch). */
  constructor(negativeSlope = 0.01) {
    super((x) => where(x.ge(0), x, mul(x, negativeSlope)), { negative_slope: negativeSlope });
    this.negativeSlope = negativeSlope;
  }
}

/**
 * Gaussian error linear unit, exact form $x \cdot \Phi(x) = \frac{1}{2} x \big(1 + \operatorname{erf}(x/\sqrt{2})\big)$
 * (`torch.nn.GELU`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { GELU } from '@eddy/flows';
 * new GELU().call(tensor([0])); // [0]
 * ```
 * @category Networks
 */
export class GELU extends ActivationLayer {
  constructor() {
    super((x) => mul(x, erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5)); // x Φ(x)
  }
}

/**
 * The identity layer (`torch.nn.Identity`): returns its input.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { Identity } from '@eddy/flows';
 * const x = tensor([1, 2]);
 * new Identity().call(x) === x; // true
 * ```
 * @category Networks
 */
export class Identity extends ActivationLayer {
  constructor() {
    super((x) => x);
  }
}
