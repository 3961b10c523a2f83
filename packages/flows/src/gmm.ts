import { Parameter, type Tensor, ValueError, concat, exp, reshape, take, zeros } from '@eddy/core';
import { DiagNormal, Mixture, MultivariateNormal, type Distribution } from '@eddy/distributions';
import { LazyDistribution } from './lazy.js';
import { type ActivationName, MLP } from './nn/index.js';
import { type NetworkOptions, networkRng } from './options.js';
import { totalSize, unpack } from './unpack.js';

/**
 * Options of {@link GMM}.
 * @category Mixtures
 */
export interface GMMOptions extends NetworkOptions {
  /** Number of features `D`. */
  features: number;
  /** Number of context features (default 0). */
  context?: number;
  /** Number of components `K` (default 2). */
  components?: number;
  /** Covariance of each component (default `full`). */
  covarianceType?: 'full' | 'diagonal' | 'spherical';
  /** One covariance shared by all components (default false). */
  tied?: boolean;
  /** Added to the scales' diagonal (default 1e-6). */
  epsilon?: number;
  /** Hidden layer sizes of the context network (default `[64, 64]`). */
  hiddenFeatures?: readonly number[];
  /** Activation of the context network (default `ReLU`). */
  activation?: ActivationName;
}

/**
 * Parameter shapes of a GMM in unpack order (zuko's `_get_gmm_shapes`): logits `[K]`,
 * means `[K, D]`, then the covariance factors with `lead = tied ? 1 : K`.
 *
 * @example
 * ```ts
 * import { gmmShapes } from '@eddy/flows';
 * gmmShapes(2, 3, 'full', false); // [[3], [3, 2], [3, 2], [3, 1]]
 * ```
 * @category Mixtures
 */
export function gmmShapes(features: number, components: number, covarianceType: 'full' | 'diagonal' | 'spherical', tied: boolean): number[][] {
  const lead = tied ? 1 : components;
  const shapes = [[components], [components, features]];
  if (covarianceType === 'full') shapes.push([lead, features], [lead, (features * (features - 1)) / 2]);
  else if (covarianceType === 'diagonal') shapes.push([lead, features]);
  else shapes.push([lead, 1]);
  return shapes;
}

/**
 * Gaussian mixture model as a lazy distribution (zuko's `GMM`):
 *
 * $$
 * p(x) = \sum_k \operatorname{softmax}(\mathrm{logits})_k\, \mathcal{N}(x \mid \mu_k, \Sigma_k).
 * $$
 *
 * Without context the parameters are
 * trainable tensors `phi.<k>`; with context an MLP maps `c` to them. Full covariances are
 * $L L^\top$ with $L = \operatorname{diag}(\exp(d) + \varepsilon)$ plus strictly-lower entries filled row-major.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { GMM } from '@eddy/flows';
 * const x = randn([8, 2], { seed: 0 });
 * const gmm = new GMM({ features: 2, components: 3 });
 * gmm.call().logProb(x);
 * ```
 * @category Mixtures
 */
export class GMM extends LazyDistribution {
  /** The constructor options (saved with the model). */
  readonly options: GMMOptions;
  /** Unconditional parameters (when `context = 0`). */
  phi?: Parameter[];
  /** Context network (when `context > 0`). */
  hyper?: MLP;
  readonly #shapes: number[][];

  /** @param options see {@link GMMOptions}. */
  constructor(options: GMMOptions) {
    super();
    const { features, context = 0, components = 2, covarianceType = 'full', tied = false } = options;
    if (!Number.isInteger(features) || features < 1) throw new ValueError(`GMM: features must be a positive integer, got ${features}`);
    if (!['full', 'diagonal', 'spherical'].includes(covarianceType)) {
      throw new ValueError(`GMM: covarianceType must be 'full', 'diagonal' or 'spherical', got ${JSON.stringify(covarianceType)}`);
    }
    this.options = options;
    this.#shapes = gmmShapes(features, components, covarianceType, tied);
    const rng = networkRng(options);
    if (context > 0) {
      this.hyper = new MLP(context, totalSize(this.#shapes), {
        hiddenFeatures: options.hiddenFeatures ?? [64, 64],
        activation: options.activation ?? 'ReLU',
        rng,
        dtype: options.dtype,
      });
    } else {
      this.phi = this.#shapes.map((s) => new Parameter(rng.normal(s, 0, 1, options.dtype)));
    }
  }

  /** The mixture for context `c`. */
  call(c?: Tensor): Distribution {
    const { features: d, covarianceType = 'full', epsilon = 1e-6 } = this.options;
    let phi: Tensor[];
    if (this.hyper !== undefined) {
      if (c === undefined) throw new ValueError(`GMM: a context with ${this.options.context} features is required`);
      phi = unpack(this.hyper.call(c), this.#shapes);
    } else phi = this.phi as Parameter[];
    const [logits, loc, diag, tril] = phi as [Tensor, Tensor, Tensor, Tensor | undefined];
    const scale = exp(diag).add(epsilon);
    if (covarianceType !== 'full') return new Mixture(new DiagNormal(loc, scale, { validateArgs: false }), logits);
    // L = diag(scale) + strictly-lower entries from `tril` in row-major order.
    const lead = scale.shape.slice(0, -1);
    // Each entry of L picks from [tril (row-major strictly lower), scale (diagonal), 0].
    const m = (d * (d - 1)) / 2;
    const slots: number[] = [];
    let next = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) slots.push(j < i ? next++ : j === i ? m + i : m + d);
    const pool = concat([tril as Tensor, scale, zeros([...lead, 1], { dtype: scale.dtype })], -1);
    const scaleTril = reshape(take(pool, slots, -1), [...lead, d, d]);
    return new Mixture(new MultivariateNormal(loc, { scaleTril, validateArgs: false }), logits);
  }

  /** `GMM(features=…, components=…, covarianceType=…)`. */
  override toString(): string {
    const { features, components = 2, covarianceType = 'full', tied = false } = this.options;
    return `GMM(features=${features}, components=${components}, covarianceType=${covarianceType}, tied=${tied})`;
  }
}
