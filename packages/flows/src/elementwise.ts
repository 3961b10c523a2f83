import { Parameter, type Tensor, ValueError, reshape } from '@eddy/core';
import { DependentTransform, GaussianizationTransform, RotationTransform, type Transform } from '@eddy/transforms';
import { monotonicAffine } from './autoregressive.js';
import { standardNormalBase } from './bases.js';
import { Flow, type LazyTransform, LazyTransform as LazyTransformBase, UnconditionalTransform } from './lazy.js';
import { flowDefaults } from './flow-defaults.js';
import { MLP } from './nn/index.js';
import { type HyperNetworkOptions, networkRng } from './options.js';
import { type Univariate, applyUnivariate } from './univariate.js';
import { totalSize, unpack } from './unpack.js';

/**
 * Options of {@link ElementWiseTransform}.
 * @category Flows
 */
export interface ElementWiseOptions extends HyperNetworkOptions {}

/**
 * A lazy elementwise transform (zuko's `ElementWiseTransform`): without context its
 * parameters are trainable tensors `phi.<k>` of shape `[D, ...shapes[k]]` (initialised
 * from a standard normal); with context an MLP maps `c` to them.
 *
 * @example
 * ```ts
 * import { ElementWiseTransform } from '@eddy/flows';
 * import { GaussianizationTransform } from '@eddy/transforms';
 * const t = new ElementWiseTransform(3, 0, { univariate: (s, a) => new GaussianizationTransform(s, a), shapes: [[8], [8]] });
 * ```
 * @category Flows
 */
export class ElementWiseTransform extends LazyTransformBase {
  /** Number of features. */
  readonly features: number;
  /** Number of context features. */
  readonly context: number;
  /** The elementwise transform builder. */
  readonly univariate: Univariate;
  /** Unconditional parameters (when `context = 0`). */
  phi?: Parameter[];
  /** Context network (when `context > 0`). */
  hyper?: MLP;
  readonly #shapes: ReadonlyArray<readonly number[]>;

  /** @param features `D`; @param context `C`; @param options see {@link ElementWiseOptions}. */
  constructor(features: number, context = 0, options: ElementWiseOptions = {}) {
    super();
    if (!Number.isInteger(features) || features < 1) throw new ValueError(`ElementWiseTransform: features must be a positive integer, got ${features}`);
    this.features = features;
    this.context = context;
    this.univariate = options.univariate ?? monotonicAffine;
    this.#shapes = options.shapes ?? [[], []];
    const rng = networkRng(options);
    if (context > 0) {
      this.hyper = new MLP(context, features * totalSize(this.#shapes), {
        hiddenFeatures: options.hiddenFeatures ?? [64, 64],
        activation: options.activation ?? 'ReLU',
        rng,
        dtype: options.dtype,
      });
    } else {
      this.phi = this.#shapes.map((s) => new Parameter(rng.normal([features, ...s], 0, 1, options.dtype)));
    }
  }

  /** The elementwise transform (for context `c` when the transform is conditional). */
  call(c?: Tensor): Transform {
    let phi: Tensor[];
    if (this.hyper !== undefined) {
      if (c === undefined) throw new ValueError(`ElementWiseTransform: a context with ${this.context} features is required`);
      const out = this.hyper.call(c);
      phi = unpack(reshape(out, [...out.shape.slice(0, -1), this.features, totalSize(this.#shapes)]), this.#shapes);
    } else {
      phi = this.phi as Parameter[];
    }
    return new DependentTransform(applyUnivariate(this.univariate, phi), 1);
  }
}

/**
 * Options of {@link GF}.
 * @category Flows
 */
export interface GFOptions extends Omit<ElementWiseOptions, 'univariate' | 'shapes'> {
  /** Number of features. */
  features: number;
  /** Number of context features (default 0). */
  context?: number;
  /** Number of elementwise transforms (default 3). */
  transforms?: number;
  /** Number of mixture components per feature (default 8). */
  components?: number;
}

/**
 * Gaussianization Flow (zuko's `GF`): elementwise Gaussianization transforms
 * ($\sqrt{2} \operatorname{erfinv}(\operatorname{mean}_k \operatorname{erf}(\dots))$) interleaved with learned rotations $\exp(A - A^\top)$, over a
 * standard normal base. State dict: `transform.transforms.<2i>.phi.{0,1}` and
 * `transform.transforms.<2i+1>.A`.
 *
 * References:
 * - [Gaussianization Flows (Meng et al., 2020)](https://arxiv.org/abs/2003.01941)
 *
 * @example
 * ```ts
 * import { GF } from '@eddy/flows';
 * const flow = new GF({ features: 3 });
 * ```
 * @category Flows
 */
export class GF extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: GFOptions;

  /** @param options see {@link GFOptions}. */
  constructor(options: GFOptions) {
    const { features, context, transforms } = flowDefaults('GF', options);
    const k = options.components ?? 8;
    const rng = networkRng(options);
    const parts: LazyTransform[] = [];
    for (let i = 0; i < transforms; i++) {
      if (i > 0) parts.push(new UnconditionalTransform((a) => new RotationTransform(a), { A: rng.normal([features, features], 0, 1, options.dtype) }));
      parts.push(
        new ElementWiseTransform(features, context, {
          ...options,
          univariate: (shift: Tensor, scale: Tensor) => new GaussianizationTransform(shift, scale),
          shapes: [[k], [k]],
          rng,
        }),
      );
    }
    super(parts, standardNormalBase(features, options.dtype));
    this.options = options;
  }
}
