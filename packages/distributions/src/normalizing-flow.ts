import { type Rng, type Tensor, noGrad } from '@eddy/core';
import { type Transform, sumRightmost } from '@eddy/transforms';
import { Distribution } from './distribution.js';
import { Independent } from './independent.js';

/**
 * A normalizing flow: the distribution of $X = f^{-1}(Z)$ for a base variable
 * $Z \sim p_Z$ and an invertible transform $f$ from data to base space. By the change of
 * variables,
 *
 * $$
 * \log p(x) = \log p_Z\big(f(x)\big) + \log \left| \det \frac{\partial f(x)}{\partial x} \right|,
 * $$
 *
 * and a draw is $x = f^{-1}(z)$ with $z$ from the base (zuko's `NormalizingFlow`).
 * If the transform's codomain has more event axes than the base, the base is wrapped in
 * {@link Independent}; if fewer, the extra trailing axes of the ladj are summed.
 *
 * References:
 * - [A Family of Non-parametric Density Estimation Algorithms (Tabak et al., 2013)](https://onlinelibrary.wiley.com/doi/abs/10.1002/cpa.21423)
 * - [Variational Inference with Normalizing Flows (Rezende et al., 2015)](https://arxiv.org/abs/1505.05770)
 * - [Normalizing Flows for Probabilistic Modeling and Inference (Papamakarios et al., 2021)](https://arxiv.org/abs/1912.02762)
 *
 * @example
 * ```ts
 * import { Rng } from '@eddy/core';
 * import { Normal, NormalizingFlow } from '@eddy/distributions';
 * import { ExpTransform } from '@eddy/transforms';
 * const flow = new NormalizingFlow(new ExpTransform().inv, new Normal(0, 1)); // log-normal
 * const x = flow.sample([1000], new Rng(0));
 * const lp = flow.logProb(x);
 * ```
 * @category Normalizing flows
 */
export class NormalizingFlow extends Distribution {
  /** The transform $f$ from data to base space. */
  readonly transform: Transform;
  /** The base distribution (wrapped in `Independent` when needed). */
  readonly base: Distribution;
  /** Trailing axes of the ladj summed in `logProb` (zuko's `reinterpreted`). */
  readonly reinterpreted: number;

  /** @param transform $f$, data → base space; @param base the base distribution $p_Z$. */
  constructor(transform: Transform, base: Distribution) {
    super();
    const r = transform.codomain.eventDim - base.eventShape.length;
    this.transform = transform;
    this.base = r > 0 ? new Independent(base, r) : base;
    this.reinterpreted = Math.max(-r, 0);
  }
  /** The base's batch shape. */
  get batchShape(): number[] {
    return this.base.batchShape;
  }
  /** `transform.inverseShape(base.eventShape)`. */
  get eventShape(): number[] {
    return this.transform.inverseShape(this.base.eventShape);
  }
  /** Always true: draws are differentiable through $f^{-1}$. */
  override get hasRsample(): boolean {
    return true;
  }
  /** $\log p_Z\big(f(x)\big) + \text{ladj}$, shape `sampleShape + batchShape`. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const [z, ladj] = this.transform.callAndLadj(x);
    return this.base.logProb(z).add(sumRightmost(ladj, this.reinterpreted));
  }
  /** $f^{-1}(z)$ for $z$ from the base (its rsample when it has one). */
  override rsample(shape: readonly number[] = [], rng?: Rng): Tensor {
    const z = this.base.hasRsample ? this.base.rsample(shape, rng) : this.base.sample(shape, rng);
    return this.transform.inv.call(z);
  }
  /** {@link NormalizingFlow.rsample} without gradient tracking. */
  override sample(shape: readonly number[] = [], rng?: Rng): Tensor {
    return noGrad(() => this.rsample(shape, rng));
  }
  /**
   * $[x, \log p(x)]$ in one pass through $f^{-1}$: $\log p(x) = \log p_Z(z) - \text{ladj}(f^{-1})(z)$,
   * cheaper than {@link NormalizingFlow.rsample} then {@link NormalizingFlow.logProb}.
   */
  override rsampleAndLogProb(shape: readonly number[] = [], rng?: Rng): [Tensor, Tensor] {
    const z = this.base.hasRsample ? this.base.rsample(shape, rng) : this.base.sample(shape, rng);
    const [x, ladj] = this.transform.inv.callAndLadj(z);
    return [x, this.base.logProb(z).sub(sumRightmost(ladj, this.reinterpreted))];
  }
  /** A flow sharing the transform with the base expanded to `batchShape`. */
  override expand(batchShape: readonly number[]): NormalizingFlow {
    return new NormalizingFlow(this.transform, this.base.expand(batchShape));
  }
  /** `NormalizingFlow(transform=…, base=…)`. */
  override toString(): string {
    return `NormalizingFlow(transform=${this.transform.toString()}, base=${this.base.toString()})`;
  }
}
