/**
 * `@eddy/cpu-native`: Eddy's native CPU kernels, a Node-API addon written in portable
 * C++17 and built from source on the installing machine (`npm run build`, with the
 * compiler already there and Node's own headers: nothing is downloaded). On x86-64 it
 * carries AVX-512, AVX2+FMA and portable code paths and picks one at load time from the
 * CPU's features, so it never runs an instruction the CPU lacks. `@eddy/backend-cpu`
 * loads it when present and installs its kernels in its kernel table; without it (no
 * compiler, a failed build, `EDDY_NATIVE=0`) the TypeScript kernels run instead — only
 * slower, never different in what they compute (results may differ in the last bits).
 *
 * @example
 * ```ts
 * import { loadNative } from '@eddy/cpu-native';
 * const native = loadNative();
 * console.log(native.kernels === null ? native.reason : native.kernels.info().isa);
 * ```
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * A float array the kernels accept (every array of one call has the same type).
 * @category Native kernels
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * What the addon reports about itself.
 *
 * @example
 * ```ts
 * import { type NativeInfo, loadNative } from '@eddy/cpu-native';
 * const info: NativeInfo | undefined = loadNative().kernels?.info(); // { isa: 'avx512', ... }; undefined without the addon
 * ```
 * @category Native kernels
 */
export interface NativeInfo {
  /** The code path in use: `'avx512'`, `'avx2'` or `'generic'`. */
  isa: 'avx512' | 'avx2' | 'generic';
  /** float32 lanes per vector. */
  lanesF32: number;
  /** float64 lanes per vector. */
  lanesF64: number;
  /** What the CPU supports. */
  cpu: {
    /** AVX2 and FMA. */
    avx2: boolean;
    /** AVX-512 F, DQ, BW and VL (with the OS saving their registers). */
    avx512: boolean;
  };
  /** Why a requested code path (`EDDY_NATIVE_ISA`) was not used, or `''`. */
  note: string;
}

/**
 * Measured fused multiply-add throughput of one core, in GFLOP/s.
 *
 * @example
 * ```ts
 * import { type PeakFlops, loadNative } from '@eddy/cpu-native';
 * const p: PeakFlops | undefined = loadNative().kernels?.peakGflops(0.5); // { float32: 212, float64: 106 }
 * ```
 * @category Native kernels
 */
export interface PeakFlops {
  /** float32 GFLOP/s. */
  float32: number;
  /** float64 GFLOP/s. */
  float64: number;
}

/**
 * The addon's functions. Arguments mirror `@eddy/backend-cpu`'s kernel table; every
 * array extent is checked in C++ (a bad call throws a `TypeError` with code
 * `EDDY_NATIVE_ARGUMENT`, it never touches memory outside the arrays). `act` is 0 (none)
 * or 1 (ReLU).
 *
 * @example
 * ```ts
 * import { loadNative } from '@eddy/cpu-native';
 * const [a, b, c] = [new Float64Array([1, 2, 3, 4]), new Float64Array([5, 6, 7, 8]), new Float64Array(4)];
 * const k = loadNative().kernels;
 * k?.gemm(false, false, 2, 2, 2, a, 0, 2, b, 0, 2, c, 0, 2, 0); // c = a·b = [19, 22, 43, 50] (where the addon loaded)
 * ```
 * @category Native kernels
 */
export interface NativeKernels {
  /** What the addon runs on. */
  info(): NativeInfo;
  /** `C = op(A)·op(B) (+ C when beta = 1)`, row-major with leading dimensions. */
  gemm(
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
    a: FloatArray,
    aOff: number,
    lda: number,
    b: FloatArray,
    bOff: number,
    ldb: number,
    c: FloatArray,
    cOff: number,
    ldc: number,
    beta: number,
  ): void;
  /** `Y[m×n] = act(Σ_b X_b·W[:, c_b:c_b+k_b]ᵀ + bias)`. */
  linear(m: number, n: number, xs: readonly FloatArray[], w: FloatArray, bias: FloatArray | null, act: number, y: FloatArray): void;
  /** The monotonic rational-quadratic spline over `e` elements (`phi`: `3K − 1` raw values each). */
  rqs(e: number, bins: number, x: FloatArray, phi: FloatArray, bound: number, slope: number, inverse: boolean, y: FloatArray, ladj: FloatArray | null): void;
  /** Its vector-Jacobian product. */
  rqsVjp(
    e: number,
    bins: number,
    x: FloatArray,
    phi: FloatArray,
    bound: number,
    slope: number,
    inverse: boolean,
    g: FloatArray,
    gl: FloatArray | null,
    gin: FloatArray,
    gphi: FloatArray,
  ): void;
  /** The monotonic affine map (`phi`: shift, scale pairs). */
  affine(e: number, x: FloatArray, phi: FloatArray, slope: number, inverse: boolean, y: FloatArray, ladj: FloatArray | null): void;
  /** Its vector-Jacobian product. */
  affineVjp(
    e: number,
    x: FloatArray,
    phi: FloatArray,
    slope: number,
    inverse: boolean,
    g: FloatArray,
    gl: FloatArray | null,
    gin: FloatArray,
    gphi: FloatArray,
  ): void;
  /** Diagonal normal log-density summed over `d` features per row. */
  normalLogProb(rows: number, d: number, z: FloatArray, loc: FloatArray, scale: FloatArray, out: FloatArray): void;
  /** Its gradient with respect to `z`. */
  normalLogProbVjp(rows: number, d: number, z: FloatArray, loc: FloatArray, scale: FloatArray, g: FloatArray, gz: FloatArray): void;
  /** `out = g · act'(y)`. */
  actVjp(n: number, act: number, g: FloatArray, y: FloatArray, out: FloatArray): void;
  /** Column sums of a row-major `[m, n]` array. */
  colsum(m: number, n: number, a: FloatArray, out: FloatArray): void;
  /** Backward of {@link NativeKernels.linear}; `y` (the layer's output) for a ReLU layer, else `null`. */
  linearBackward(
    m: number,
    n: number,
    g: FloatArray,
    y: FloatArray | null,
    xs: readonly FloatArray[],
    w: FloatArray,
    gxs: ReadonlyArray<FloatArray | null>,
    gw: FloatArray | null,
    gb: FloatArray | null,
  ): void;
  /** Draws `offset .. offset + n − 1` of the Philox sequence `(seed, stream)`: kind 0 uniforms, 1 normals. */
  random(kind: 0 | 1, n: number, seed: number, stream: number, offset: number, out: FloatArray): void;
  /** A whole multilayer perceptron forward (`ws[l]` `[n_l × n_{l−1}]`); `false` if the layers are too wide for it. */
  mlp(m: number, xs: readonly FloatArray[], ws: readonly FloatArray[], bs: ReadonlyArray<FloatArray | null>, acts: readonly number[], out: FloatArray): boolean;
  /**
   * The incremental inverse of a masked autoregressive transform for `m` rows (see
   * `made.h` for the program layout); `false` if the sizes are outside what it takes.
   */
  madeInverse(
    m: number,
    features: number,
    context: number,
    steps: number,
    dims: Int32Array,
    counts: Int32Array,
    weights: FloatArray,
    biases: FloatArray,
    acts: Int32Array,
    groupFeatures: Int32Array,
    groupCounts: Int32Array,
    kind: 0 | 1,
    bins: number,
    bound: number,
    slope: number,
    y: FloatArray,
    c: FloatArray | null,
    x: FloatArray,
    ladj: FloatArray | null,
  ): boolean;
  /** Asks for transparent huge pages on the array's 2 MiB-aligned interior (Linux); returns the bytes advised. */
  adviseHugePages(array: ArrayBufferView): number;
  /** Measured fused multiply-add throughput of one core on the active code path, GFLOP/s. */
  peakGflops(seconds: number): PeakFlops;
  /** One Adam step on `n` elements (`m`, `v` `null` on the first step). */
  adam(
    n: number,
    p: FloatArray,
    g: FloatArray,
    m: FloatArray | null,
    v: FloatArray | null,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    step: number,
    pOut: FloatArray,
    mOut: FloatArray,
    vOut: FloatArray,
  ): void;
}

/**
 * The result of {@link loadNative}: the kernels, or why there are none.
 * @category Native kernels
 */
export interface NativeLoadResult {
  /** The loaded addon, or `null`. */
  kernels: NativeKernels | null;
  /** Why `kernels` is `null` (`''` when loaded). */
  reason: string;
}

const addonPath = fileURLToPath(new URL('../build/eddy_native.node', import.meta.url));
let cached: NativeLoadResult | undefined;

/**
 * Loads the addon once per thread (it loads in worker threads too). Returns
 * `{ kernels: null, reason }` when `EDDY_NATIVE=0` is set, when the addon was not built
 * on this machine, or when it fails to load.
 *
 * @example
 * ```ts
 * import { loadNative } from '@eddy/cpu-native';
 * const { kernels, reason } = loadNative();
 * if (kernels === null) console.log(`TypeScript kernels: ${reason}`); // e.g. 'disabled by EDDY_NATIVE=0'
 * ```
 * @category Native kernels
 */
export function loadNative(): NativeLoadResult {
  if (cached !== undefined) return cached;
  if (process.env.EDDY_NATIVE === '0') {
    cached = { kernels: null, reason: 'disabled by EDDY_NATIVE=0' };
  } else if (!existsSync(addonPath)) {
    cached = { kernels: null, reason: `not built on this machine (no ${addonPath}; run npm run build)` };
  } else {
    try {
      cached = { kernels: createRequire(import.meta.url)(addonPath) as NativeKernels, reason: '' };
    } catch (e) {
      cached = { kernels: null, reason: `failed to load ${addonPath}: ${(e as Error).message}` };
    }
  }
  return cached;
}
