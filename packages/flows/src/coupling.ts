import { Buffer, type Tensor, ValueError, concat, expand, reshape, tensor } from '@eddy/core';
import { CouplingTransform, DependentTransform, type Transform } from '@eddy/transforms';
import { monotonicAffine } from './autoregressive.js';
import { standardNormalBase } from './bases.js';
import { Flow, LazyTransform } from './lazy.js';
import { flowDefaults } from './flow-defaults.js';
import { MLP } from './nn/index.js';
import { type HyperNetworkOptions, networkRng, randperm } from './options.js';
import { type Univariate, applyPacked } from './univariate.js';
import { totalSize } from './unpack.js';

/**
 * Options of {@link GeneralCouplingTransform}.
 * @category Flows
 */
export interface CouplingOptions extends HyperNetworkOptions {
  /** Per feature: true = constant part (default: even features constant). */
  mask?: readonly boolean[];
}

/**
 * A lazy coupling transform (zuko's `GeneralCouplingTransform`): an MLP maps the constant
 * features `x_a` (and the context) to the parameters of an elementwise transform of the
 * others. State dict: `mask` (bool buffer) and `hyper.…`.
 *
 * References:
 * - [NICE: Non-linear Independent Components Estimation (Dinh et al., 2014)](https://arxiv.org/abs/1410.8516)
 *
 * @example
 * ```ts
 * import { GeneralCouplingTransform } from '@eddy/flows';
 * const t = new GeneralCouplingTransform(4, 0, { mask: [true, false, true, false] });
 * ```
 * @category Flows
 */
export class GeneralCouplingTransform extends LazyTransform {
  /** Number of features. */
  readonly features: number;
  /** Number of context features. */
  readonly context: number;
  /** Constant-part mask (bool buffer `[D]`). */
  mask: Buffer;
  /** The elementwise transform builder. */
  readonly univariate: Univariate;
  /** The hypernetwork. */
  hyper: MLP;
  readonly #shapes: ReadonlyArray<readonly number[]>;
  readonly #total: number;
  readonly #nb: number;

  /** @param features `D`; @param context `C`; @param options see {@link CouplingOptions}. */
  constructor(features: number, context = 0, options: CouplingOptions = {}) {
    super();
    const m = options.mask ?? Array.from({ length: features }, (_, i) => i % 2 === 0);
    if (m.length !== features) throw new ValueError(`GeneralCouplingTransform: mask has ${m.length} entries, expected ${features}`);
    const na = m.filter(Boolean).length;
    if (na === 0 || na === features) throw new ValueError('GeneralCouplingTransform: mask must split the features into two non-empty parts');
    this.features = features;
    this.context = context;
    this.mask = new Buffer(tensor(m));
    this.univariate = options.univariate ?? monotonicAffine;
    this.#shapes = options.shapes ?? [[], []];
    this.#total = totalSize(this.#shapes);
    this.#nb = features - na;
    this.hyper = new MLP(na + context, this.#nb * this.#total, {
      hiddenFeatures: options.hiddenFeatures ?? [64, 64],
      activation: options.activation ?? 'ReLU',
      rng: networkRng(options),
      dtype: options.dtype,
    });
  }

  #meta(c: Tensor | undefined, xa: Tensor): Transform {
    const h = c === undefined ? xa : concat([xa, expand(c, [...xa.shape.slice(0, -1), this.context])], -1);
    const phi = reshape(this.hyper.call(h), [...xa.shape.slice(0, -1), this.#nb, this.#total]);
    return new DependentTransform(applyPacked(this.univariate, phi, this.#shapes), 1);
  }

  /** The coupling transform for context `c`. */
  call(c?: Tensor): Transform {
    return new CouplingTransform((xa) => this.#meta(c, xa), this.mask);
  }

  /** `GeneralCouplingTransform(features=…, context=…, mask=[…])`. */
  override toString(): string {
    return `GeneralCouplingTransform(features=${this.features}, context=${this.context}, mask=${JSON.stringify(Array.from(this.mask.dataSync(), (v) => v === 1))})`;
  }
}

/**
 * Options of {@link NICE} and {@link RealNVP}.
 * @category Flows
 */
export interface CouplingFlowOptions extends Omit<CouplingOptions, 'mask'> {
  /** Number of features. */
  features: number;
  /** Number of context features (default 0). */
  context?: number;
  /** Number of coupling transforms (default 3). */
  transforms?: number;
  /** Random masks instead of alternating even/odd ones (default false). */
  randmask?: boolean;
}

/**
 * NICE (zuko's `NICE`): coupling transforms with alternating masks (transform `i` keeps
 * the features with `index % 2 == i % 2` constant), monotonic affine univariates by
 * default (`univariate: AdditiveTransform` for the original), standard normal base.
 *
 * References:
 * - [NICE: Non-linear Independent Components Estimation (Dinh et al., 2014)](https://arxiv.org/abs/1410.8516)
 * - [Density estimation using Real NVP (Dinh et al., 2016)](https://arxiv.org/abs/1605.08803)
 *
 * @example
 * ```ts
 * import { NICE } from '@eddy/flows';
 * const flow = new NICE({ features: 4 });
 * ```
 * @category Flows
 */
export class NICE extends Flow {
  /** The constructor options (saved with the model). */
  readonly options: CouplingFlowOptions;

  /** @param options see {@link CouplingFlowOptions}. */
  constructor(options: CouplingFlowOptions) {
    const { features, context, transforms } = flowDefaults('NICE', options);
    const rng = networkRng(options);
    const parts = Array.from({ length: transforms }, (_, i) => {
      const key = options.randmask ? randperm(features, rng) : Array.from({ length: features }, (_, k) => k);
      const mask = key.map((k) => k % 2 === i % 2);
      return new GeneralCouplingTransform(features, context, { ...options, mask, rng });
    });
    super(parts, standardNormalBase(features, options.dtype));
    this.options = options;
  }
}

/**
 * RealNVP: in zuko literally {@link NICE} (affine couplings are its default).
 *
 * References:
 * - [NICE: Non-linear Independent Components Estimation (Dinh et al., 2014)](https://arxiv.org/abs/1410.8516)
 * - [Density estimation using Real NVP (Dinh et al., 2016)](https://arxiv.org/abs/1605.08803)
 *
 * @example
 * ```ts
 * import { RealNVP } from '@eddy/flows';
 * const flow = new RealNVP({ features: 4 });
 * ```
 * @category Flows
 */
export class RealNVP extends NICE {}
