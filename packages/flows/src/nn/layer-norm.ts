import { type Tensor, type TensorFunction, Module, resolveAxes, sqrt, square, sum } from '@eddy/core';

/**
 * Options of {@link LayerNorm}.
 * @category Networks
 */
export interface LayerNormOptions {
  /** Axis or axes to standardise (default −1, the last). */
  axis?: number | readonly number[];
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * zuko's `LayerNorm` (`nn.py:45`, used by `MLP(normalize=true)`): standardises along
 * `axis` with the **unbiased** variance, $y = \big(x - \operatorname{mean}(x)\big) / \sqrt{\operatorname{var}(x) + \varepsilon}$, and has no
 * affine parameters (unlike `torch.nn.LayerNorm`).
 *
 * References:
 * - [Layer Normalization (Ba et al., 2016)](https://arxiv.org/abs/1607.06450)
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { LayerNorm } from '@eddy/flows';
 * new LayerNorm().call(tensor([1, 2, 3])); // [-1, 0, 1] (up to ε)
 * ```
 * @category Networks
 */
export class LayerNorm extends Module implements TensorFunction {
  /** The standardised axis or axes. */
  readonly axis: number | readonly number[];
  /** Variance offset ε. */
  readonly eps: number;

  /** @param options `axis` (default −1), `eps` (default 1e-5) */
  constructor(options: LayerNormOptions = {}) {
    super();
    this.axis = options.axis ?? -1;
    this.eps = options.eps ?? 1e-5;
  }

  /** $(x - \mathrm{mean}) / \sqrt{\mathrm{var}_\mathrm{unbiased} + \varepsilon}$ along {@link LayerNorm.axis}. */
  call(x: Tensor): Tensor {
    const axes = resolveAxes('LayerNorm', x.ndim, this.axis);
    let n = 1;
    for (const a of axes) n *= x.shape[a] as number;
    const centered = x.sub(sum(x, axes, true).div(n));
    const variance = sum(square(centered), axes, true).div(n - 1);
    return centered.div(sqrt(variance.add(this.eps)));
  }

  /** `LayerNorm(eps=ε)`. */
  override toString(): string {
    return `LayerNorm(eps=${this.eps})`;
  }
}
