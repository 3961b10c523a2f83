import type { TensorInfo } from './backend.js';

/**
 * Activations a fused linear kernel applies in its epilogue.
 * @category Backends
 */
export type FusedActivation = 'none' | 'relu';

/**
 * Which gradients {@link FusedKernels.linearBackward} must return.
 * @category Backends
 */
export interface LinearGradNeeds {
  /** One flag per input block. */
  readonly xs: readonly boolean[];
  /** Gradient of the weight. */
  readonly weight: boolean;
  /** Gradient of the bias. */
  readonly bias: boolean;
}

/**
 * What {@link FusedKernels.linearBackward} returns: backend handles, `null` where not
 * requested.
 * @category Backends
 */
export interface LinearGrads {
  /** `[m, k_b]` per input block. */
  xs: Array<unknown | null>;
  /** `[n, K]`. */
  weight: unknown | null;
  /** `[n]`. */
  bias: unknown | null;
}

/**
 * Output and per-element log-derivative handles of a fused elementwise transform.
 * @category Backends
 */
export interface FusedElementwiseResult {
  /** Same shape as the input. */
  y: unknown;
  /** Per-element `log |dy/dx|`, or `null` when not requested. */
  ladj: unknown | null;
}

/**
 * Vector-Jacobian product handles of a fused elementwise transform.
 * @category Backends
 */
export interface FusedElementwiseGrads {
  /** Gradient of the transform's input (`x`, or `y` for the inverse). */
  input: unknown;
  /** Gradient of the packed parameters. */
  phi: unknown;
}

/**
 * The hyper-parameters of one Adam step (PyTorch's formulas; see `Adam`).
 * @category Backends
 */
export interface AdamStep {
  /** Learning rate. */
  lr: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator term. */
  eps: number;
  /** Weight decay (0 for none). */
  weightDecay: number;
  /** AdamW-style decoupled weight decay. */
  decoupled: boolean;
  /** The step number `t` (from 1), for the bias corrections `1 − βᵗ`. */
  step: number;
}

/**
 * New parameter and moment handles returned by {@link FusedKernels.adam}.
 * @category Backends
 */
export interface AdamResult {
  /** The updated parameter. */
  p: unknown;
  /** The new first moment. */
  m: unknown;
  /** The new second moment. */
  v: unknown;
}

/**
 * The elementwise transform of an {@link AutoregressiveProgram}: MAF's monotonic affine map
 * (parameters shift, scale) or NSF's rational-quadratic spline (`3·bins − 1` parameters).
 * @category Backends
 */
export type ProgramUnivariate = ProgramAffine | ProgramSpline;

/**
 * MAF's monotonic affine map in an {@link AutoregressiveProgram}.
 * @category Backends
 */
export interface ProgramAffine {
  /** Which transform. */
  kind: 'affine';
  /** Its minimum slope. */
  slope: number;
}

/**
 * NSF's monotonic rational-quadratic spline in an {@link AutoregressiveProgram}.
 * @category Backends
 */
export interface ProgramSpline {
  /** Which transform. */
  kind: 'rqs';
  /** Number of bins `K`. */
  bins: number;
  /** The bound `B` of `[−B, B]`. */
  bound: number;
  /** Its minimum slope. */
  slope: number;
}

/**
 * The schedule of the incremental inverse of a masked autoregressive transform whose
 * network is a chain of masked linear layers, as a backend kernel takes it (built by
 * `IncrementalInverse` in `@eddy/flows`). Value 0 is the network input (context units,
 * then the features of each group but the last, in step order), values `1..L` the layers'
 * outputs (the last: the univariate's parameters); each value's computed units are in
 * step order.
 *
 * @example
 * ```ts
 * import { fusedKernelsOf, getBackend } from '@eddy/core';
 * const k = fusedKernelsOf(getBackend())?.autoregressiveInverse; // (program, y, c, withLadj) => ...
 * ```
 * @category Backends
 */
export interface AutoregressiveProgram {
  /** Features `D`. */
  features: number;
  /** Context features `C`. */
  context: number;
  /** Autoregressive groups `P` (steps). */
  steps: number;
  /** Computed units of values `0..L−1` (`L + 1` entries; the last unused). */
  dims: Int32Array;
  /** `counts[l·P + s]`: units of value `l` computed at step `s` (output: parameters of group `s`). */
  counts: Int32Array;
  /** Activation of layers `1..L` (0 none, 1 ReLU). */
  acts: Int32Array;
  /** The weight sub-blocks `W[l][s]` (new units × units known so far), layer-major, flattened. */
  weights: TensorInfo;
  /** The matching bias sub-blocks. */
  biases: TensorInfo;
  /** The features of group 0, then group 1, ... (each ascending). */
  groupFeatures: Int32Array;
  /** Features per group. */
  groupCounts: Int32Array;
  /** The elementwise transform inverted per group. */
  univariate: ProgramUnivariate;
}

/**
 * Optional fused kernels a backend may provide beside its primitives (the way tfjs
 * registers `_FusedMatMul`): core's fused ops ({@link fusedLinear},
 * {@link rationalQuadraticSpline}, {@link monotonicAffineMap}, {@link diagNormalLogProb})
 * call them when present and otherwise compose primitives, so every backend stays
 * correct. Inputs are dense row-major tensors whose shapes core has already checked;
 * each kernel is single-threaded and computes every row independently of the others, so
 * a row's result does not depend on how many rows are in the call.
 *
 * @example
 * ```ts
 * import { getBackend } from '@eddy/core';
 * const k = getBackend().fused?.linear; // undefined where the backend has none
 * ```
 * @category Backends
 */
export interface FusedKernels {
  /**
   * `act(Σ_b x_b · W[:, c_b : c_b + k_b]ᵀ + bias)`: each `x_b` is `[m, k_b]`, `weight` is
   * `[n, Σ k_b]`, `bias` is `[n]` or `null`; returns `[m, n]`.
   */
  linear?(xs: readonly TensorInfo[], weight: TensorInfo, bias: TensorInfo | null, activation: FusedActivation, m: number): unknown;
  /**
   * A whole multilayer perceptron forward (no gradients): `fusedLinear` layer after layer,
   * `layers[l].weight` `[n_l, n_{l−1}]`; returns `[m, n_L]`.
   */
  mlp?(xs: readonly TensorInfo[], layers: ReadonlyArray<{ weight: TensorInfo; bias: TensorInfo | null; activation: FusedActivation }>, m: number): unknown;
  /** Gradients of {@link FusedKernels.linear} given the output gradient `g` and output `y` (`[m, n]`). */
  linearBackward?(g: TensorInfo, y: TensorInfo, xs: readonly TensorInfo[], weight: TensorInfo, activation: FusedActivation, need: LinearGradNeeds): LinearGrads;
  /**
   * The monotonic rational-quadratic spline elementwise: `x` has `E` elements, `phi`
   * `E · (3·bins − 1)` raw parameters (widths, heights, inner derivatives per element).
   */
  rqs?(x: TensorInfo, phi: TensorInfo, bins: number, bound: number, slope: number, inverse: boolean, withLadj: boolean): FusedElementwiseResult;
  /**
   * VJP of {@link FusedKernels.rqs}. Forward: `x` is the input, `g`/`gl` the gradients of
   * `y`/ladj. Inverse: `x` is the inverse's output, `g`/`gl` the gradients of `x`/its ladj.
   */
  rqsVjp?(
    x: TensorInfo,
    phi: TensorInfo,
    bins: number,
    bound: number,
    slope: number,
    inverse: boolean,
    g: TensorInfo,
    gl: TensorInfo | null,
  ): FusedElementwiseGrads;
  /** The monotonic affine map `x·e^l + shift` elementwise; `phi` holds `(shift, scale)` pairs. */
  affine?(x: TensorInfo, phi: TensorInfo, slope: number, inverse: boolean, withLadj: boolean): FusedElementwiseResult;
  /** VJP of {@link FusedKernels.affine} (same conventions as {@link FusedKernels.rqsVjp}). */
  affineVjp?(x: TensorInfo, phi: TensorInfo, slope: number, inverse: boolean, g: TensorInfo, gl: TensorInfo | null): FusedElementwiseGrads;
  /** Diagonal normal log-density of `z` (`[rows, D]`) summed over `D`, with `loc`, `scale` `[D]`; returns `[rows]`. */
  normalLogProb?(z: TensorInfo, loc: TensorInfo, scale: TensorInfo): unknown;
  /** Gradient of {@link FusedKernels.normalLogProb} with respect to `z`, given `g` (`[rows]`). */
  normalLogProbVjp?(z: TensorInfo, loc: TensorInfo, scale: TensorInfo, g: TensorInfo): unknown;
  /**
   * Draws numbers `offset .. offset + n − 1` of the counter-based sequence `(seed, stream)`
   * (see `fillUniform` / `fillNormal`: the same Philox4x32-10 layout, so uniforms are
   * identical and normals agree to rounding); returns `n` values of `dtype`.
   */
  random?(kind: 'uniform' | 'normal', n: number, seed: number, stream: number, offset: number, dtype: 'float32' | 'float64'): unknown;
  /**
   * The whole incremental inverse of a masked autoregressive transform: `x = f⁻¹(y)` for
   * `y` `[m, D]` (and context `c` `[m, C]`), with the log-determinant summed per row when
   * `withLadj`; `null` when the kernel does not take this program (the caller evaluates
   * the schedule with core ops).
   */
  autoregressiveInverse?(program: AutoregressiveProgram, y: TensorInfo, c: TensorInfo | null, withLadj: boolean): FusedElementwiseResult | null;
  /** One Adam step on one parameter (`m`, `v` null on the first step); new storage for all three. */
  adam?(p: TensorInfo, g: TensorInfo, m: TensorInfo | null, v: TensorInfo | null, step: AdamStep): AdamResult;
}

let fusedEnabled = true;

/**
 * Runs `fn` with every fused op composed from primitives, as on a backend without fused
 * kernels: the reference the fused kernels are tested against, and a way to rule them
 * out when debugging.
 *
 * @example
 * ```ts
 * import { fusedLinear, randn, withComposedOps } from '@eddy/core';
 * const [x, w, b] = [randn([8, 3], { seed: 0 }), randn([4, 3], { seed: 1 }), randn([4], { seed: 2 })];
 * const reference = withComposedOps(() => fusedLinear(x, w, b, 'relu'));
 * ```
 * @category Backends
 */
export function withComposedOps<T>(fn: () => T): T {
  const prev = fusedEnabled;
  fusedEnabled = false;
  try {
    return fn();
  } finally {
    fusedEnabled = prev;
  }
}

/**
 * The fused kernels core's fused ops may use on `backend` right now: its own, or none
 * inside {@link withComposedOps}.
 *
 * @example
 * ```ts
 * import { fusedKernelsOf, zeros } from '@eddy/core';
 * const x = zeros([2, 3]);
 * const k = fusedKernelsOf(x.backend)?.linear; // undefined where the backend has none
 * ```
 * @category Backends
 */
export function fusedKernelsOf(backend: { readonly fused?: FusedKernels }): FusedKernels | undefined {
  return fusedEnabled ? backend.fused : undefined;
}
