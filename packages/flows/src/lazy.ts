import { Buffer, Module, Parameter, type Tensor, ValueError } from '@eddy/core';
import { type Distribution, NormalizingFlow } from '@eddy/distributions';
import { ComposedTransform, type Transform } from '@eddy/transforms';

/**
 * A module that builds a transform, possibly from a context `c` (zuko's
 * `LazyTransform`): `call(c?)` returns a `Transform` whose parameters come from the
 * module's weights (and `c`). Its `inv` builds the inverse transform.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { type LazyTransform, MaskedAutoregressiveTransform } from '@eddy/flows';
 * import { Transform } from '@eddy/transforms';
 * const lazy: LazyTransform = new MaskedAutoregressiveTransform(3, 2);
 * const context = randn([8, 2], { seed: 0 });
 * const t: Transform = lazy.call(context); // then t.callAndLadj(x)
 * ```
 * @category Lazy modules
 */
export abstract class LazyTransform extends Module {
  /** Builds the transform for context `c` (none for unconditional transforms). */
  abstract call(c?: Tensor): Transform;

  /** A lazy transform building the inverse. */
  get inv(): LazyTransform {
    return new LazyInverse(this);
  }
}

/**
 * A module that builds a distribution, possibly from a context `c` (zuko's
 * `LazyDistribution`).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { Distribution } from '@eddy/distributions';
 * import { type LazyDistribution, NSF } from '@eddy/flows';
 * const lazy: LazyDistribution = new NSF({ features: 2, context: 1 });
 * const context = randn([8, 1], { seed: 0 });
 * const d: Distribution = lazy.call(context);
 * ```
 * @category Lazy modules
 */
export abstract class LazyDistribution extends Module {
  /** Builds the distribution for context `c`. */
  abstract call(c?: Tensor): Distribution;
}

/**
 * Builds the inverse of another lazy transform's transform (zuko's `LazyInverse`).
 *
 * @example
 * ```ts
 * import { LazyInverse, MaskedAutoregressiveTransform } from '@eddy/flows';
 * const lazy = new MaskedAutoregressiveTransform(3, 2);
 * const inverse = new LazyInverse(lazy); // inverse.call(c) === lazy.call(c).inv
 * ```
 * @category Lazy modules
 */
export class LazyInverse extends LazyTransform {
  /** The lazy transform inverted. */
  readonly transform: LazyTransform;

  /** @param transform the lazy transform to invert. */
  constructor(transform: LazyTransform) {
    super();
    this.transform = transform;
  }
  /** `transform.call(c).inv`. */
  call(c?: Tensor): Transform {
    return this.transform.call(c).inv;
  }
  /** The original lazy transform. */
  override get inv(): LazyTransform {
    return this.transform;
  }
}

/**
 * A sequence of lazy transforms building a `ComposedTransform` (zuko's
 * `LazyComposedTransform`); its parts are named `transforms.<i>`.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { LazyComposedTransform, MaskedAutoregressiveTransform } from '@eddy/flows';
 * const [mat0, mat1] = [new MaskedAutoregressiveTransform(3, 2), new MaskedAutoregressiveTransform(3, 2)];
 * const c = randn([8, 2], { seed: 0 });
 * const t = new LazyComposedTransform([mat0, mat1]).call(c);
 * ```
 * @category Lazy modules
 */
export class LazyComposedTransform extends LazyTransform {
  /** The parts, applied first to last. */
  readonly transforms: LazyTransform[];

  /** @param transforms the lazy parts. */
  constructor(transforms: readonly LazyTransform[]) {
    super();
    if (transforms.length === 0) throw new ValueError('LazyComposedTransform: needs at least one transform');
    this.transforms = [...transforms];
  }
  /** The composition of every part built for `c`. */
  call(c?: Tensor): Transform {
    return new ComposedTransform(this.transforms.map((t) => t.call(c)));
  }
}

/**
 * Options of {@link UnconditionalDistribution} and {@link UnconditionalTransform}.
 * @category Lazy modules
 */
export interface UnconditionalOptions {
  /** Store the tensors as buffers (fixed) rather than parameters (trainable). Default false. */
  buffer?: boolean;
}

/** Registers named tensors on a module as parameters or buffers. */
function register(owner: Module, tensors: Record<string, Tensor>, buffer: boolean): string[] {
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name] as Tensor;
    (owner as unknown as Record<string, unknown>)[name] = buffer ? new Buffer(t) : new Parameter(t);
  }
  return names;
}

function registered(owner: Module, names: readonly string[]): Tensor[] {
  return names.map((n) => (owner as unknown as Record<string, Tensor>)[n] as Tensor);
}

/**
 * A distribution that ignores the context, built by `meta` from named tensors stored on
 * the module (zuko's `UnconditionalDistribution`). The tensors become buffers (e.g. a
 * flow's fixed `base.loc`/`base.scale`) or trainable parameters.
 *
 * @example
 * ```ts
 * import { ones, zeros } from '@eddy/core';
 * import { DiagNormal } from '@eddy/distributions';
 * import { UnconditionalDistribution } from '@eddy/flows';
 * const base = new UnconditionalDistribution((loc, scale) => new DiagNormal(loc, scale), { loc: zeros([2]), scale: ones([2]) }, { buffer: true });
 * base.call(); // DiagNormal
 * ```
 * @category Lazy modules
 */
export class UnconditionalDistribution extends LazyDistribution {
  readonly #meta: (...tensors: Tensor[]) => Distribution;
  readonly #names: string[];

  /** @param meta builds the distribution from the tensors, in the order given; @param tensors named tensors. */
  constructor(meta: (...tensors: Tensor[]) => Distribution, tensors: Record<string, Tensor>, options: UnconditionalOptions = {}) {
    super();
    this.#meta = meta;
    this.#names = register(this, tensors, options.buffer ?? false);
  }
  /** `meta(...tensors)`, whatever `c` is. */
  call(_c?: Tensor): Distribution {
    return this.#meta(...registered(this, this.#names));
  }
}

/**
 * A transform that ignores the context, built by `meta` from named tensors stored on the
 * module (zuko's `UnconditionalTransform`), e.g. the learned rotations `A` of a
 * Gaussianization flow.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { UnconditionalTransform } from '@eddy/flows';
 * import { RotationTransform } from '@eddy/transforms';
 * const rot = new UnconditionalTransform((a) => new RotationTransform(a), { A: randn([3, 3], { seed: 0 }) });
 * ```
 * @category Lazy modules
 */
export class UnconditionalTransform extends LazyTransform {
  readonly #meta: (...tensors: Tensor[]) => Transform;
  readonly #names: string[];

  /** @param meta builds the transform from the tensors, in the order given; @param tensors named tensors. */
  constructor(meta: (...tensors: Tensor[]) => Transform, tensors: Record<string, Tensor>, options: UnconditionalOptions = {}) {
    super();
    this.#meta = meta;
    this.#names = register(this, tensors, options.buffer ?? false);
  }
  /** `meta(...tensors)`, whatever `c` is. */
  call(_c?: Tensor): Transform {
    return this.#meta(...registered(this, this.#names));
  }
}

/**
 * A normalizing flow as a module (zuko's `Flow`): lazy transforms and a lazy base.
 * `call(c?)` returns a {@link NormalizingFlow}; with a context of batch shape `B` (all
 * axes of `c` but the last), the base is expanded to `B`. Parameter names follow zuko's
 * state dicts: `transform.transforms.<i>.…` and `base.…`.
 *
 * @example
 * ```ts
 * import { ones, randn, zeros } from '@eddy/core';
 * import { DiagNormal } from '@eddy/distributions';
 * import { Flow, MaskedAutoregressiveTransform, UnconditionalDistribution } from '@eddy/flows';
 * const [mat0, mat1] = [new MaskedAutoregressiveTransform(3, 2), new MaskedAutoregressiveTransform(3, 2)];
 * const base = new UnconditionalDistribution((loc, scale) => new DiagNormal(loc, scale), { loc: zeros([3]), scale: ones([3]) }, { buffer: true });
 * const [x, c] = [randn([8, 3], { seed: 0 }), randn([8, 2], { seed: 1 })];
 * const flow = new Flow([mat0, mat1], base);
 * const d = flow.call(c);  // NormalizingFlow
 * const lp = d.logProb(x);
 * ```
 * @category Lazy modules
 */
export class Flow extends LazyDistribution {
  /** The lazy transforms, composed. */
  readonly transform: LazyTransform;
  /** The lazy base distribution. */
  readonly base: LazyDistribution;

  /** @param transform one lazy transform or a list (composed in order); @param base the lazy base. */
  constructor(transform: LazyTransform | readonly LazyTransform[], base: LazyDistribution) {
    super();
    this.transform = Array.isArray(transform) ? new LazyComposedTransform(transform) : (transform as LazyTransform);
    this.base = base;
  }
  /** The flow for context `c`. */
  call(c?: Tensor): NormalizingFlow {
    const transform = this.transform.call(c);
    const base = this.base.call(c);
    return new NormalizingFlow(transform, c === undefined ? base : base.expand(c.shape.slice(0, -1)));
  }
}
