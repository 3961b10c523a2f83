import type { TypedArray } from '@eddy/core';
import { type KernelTable, jsKernels, kernels } from './kernel-table.js';
import { mlpWith } from './kernels/linear.js';

/** The part of `@eddy/cpu-native`'s API used here (kept structural: it is an optional dependency). */
interface NativeAddon {
  info(): { isa: string; lanesF32: number; lanesF64: number; note: string };
  gemm: (...args: never[]) => void;
  linear: (...args: never[]) => void;
  rqs: (...args: never[]) => void;
  rqsVjp: (...args: never[]) => void;
  affine: (...args: never[]) => void;
  affineVjp: (...args: never[]) => void;
  normalLogProb: (...args: never[]) => void;
  normalLogProbVjp: (...args: never[]) => void;
  actVjp: (...args: never[]) => void;
  colsum: (...args: never[]) => void;
  linearBackward: (...args: never[]) => void;
  adam: (...args: never[]) => void;
  random: (...args: never[]) => void;
  mlp: (...args: never[]) => boolean;
  madeInverse: (...args: never[]) => boolean;
  adviseHugePages: (array: ArrayBufferView) => number;
}

/**
 * Which kernels the CPU backend runs.
 *
 * @example
 * ```ts
 * import { type KernelInfo, kernelInfo } from '@eddy/backend-cpu';
 * const info: KernelInfo = kernelInfo(); // { native: true, isa: 'avx512', ... }; in a browser isa is 'typescript'
 * ```
 * @category Kernels
 */
export interface KernelInfo {
  /** Whether the native kernels are installed in the kernel table. */
  native: boolean;
  /** The native code path (`'avx512'`, `'avx2'`, `'generic'`), or `'typescript'`. */
  isa: string;
  /** Why the native kernels are not in use, or a note from the addon (`''` if none). */
  reason: string;
  /** The kernel-table entries that run natively. */
  nativeKernels: string[];
}

const isFloatArray = (a: TypedArray): boolean => a instanceof Float32Array || a instanceof Float64Array;

function requireOptional(name: string): unknown {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  if (mod === undefined) throw new Error('not running on Node.js');
  return mod.createRequire(import.meta.url)(name);
}

let addon: NativeAddon | null = null;
let loadReason = '';

function load(): void {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.EDDY_NATIVE === '0') {
    loadReason = 'disabled by EDDY_NATIVE=0';
    return;
  }
  try {
    const pkg = requireOptional('@eddy/cpu-native') as { loadNative(): { kernels: NativeAddon | null; reason: string } };
    const r = pkg.loadNative();
    addon = r.kernels;
    loadReason = r.reason;
  } catch (e) {
    loadReason = `@eddy/cpu-native is not available (${(e as Error).message.split('\n')[0]})`;
  }
}

/** The native table: every kernel wrapped with its fallback for what the addon does not take. */
function nativeTable(n: NativeAddon): KernelTable {
  // biome-ignore lint/suspicious/noExplicitAny: the addon's signatures mirror the table's
  const a = n as any;
  return {
    matmul: (x, xo, y, yo, c, co, m, k, nn) =>
      isFloatArray(x) ? a.gemm(false, false, m, nn, k, x, xo, k, y, yo, nn, c, co, nn, 0) : jsKernels.matmul(x, xo, y, yo, c, co, m, k, nn),
    gemm: (ta, tb, m, nn, k, x, xo, lda, y, yo, ldb, c, co, ldc, beta) =>
      isFloatArray(x)
        ? a.gemm(ta, tb, m, nn, k, x, xo, lda, y, yo, ldb, c, co, ldc, beta)
        : jsKernels.gemm(ta, tb, m, nn, k, x, xo, lda, y, yo, ldb, c, co, ldc, beta),
    linear: (m, nn, xs, w, bias, act, y) => a.linear(m, nn, xs, w, bias, act, y),
    linearBackward: (m, nn, g, y, xs, w, gxs, gw, gb) => a.linearBackward(m, nn, g, y, xs, w, gxs, gw, gb),
    // Layers too wide for the tiled kernel run one by one (still native).
    mlp: (m, xs, ws, bs, acts, out) =>
      a.mlp(m, xs, ws, bs, acts, out) || mlpWith((mm, nn, x, w, b, act, y) => a.linear(mm, nn, x, w, b, act, y), m, xs, ws, bs, acts, out),
    actVjp: (nn, act, g, y, out) => a.actVjp(nn, act, g, y, out),
    colsum: (m, nn, x, out) => a.colsum(m, nn, x, out),
    rqs: (e, bins, x, phi, bound, slope, inv, y, ladj) =>
      bins <= 64 ? a.rqs(e, bins, x, phi, bound, slope, inv, y, ladj) : jsKernels.rqs(e, bins, x, phi, bound, slope, inv, y, ladj),
    rqsVjp: (e, bins, x, phi, bound, slope, inv, g, gl, gin, gphi) =>
      bins <= 64 ? a.rqsVjp(e, bins, x, phi, bound, slope, inv, g, gl, gin, gphi) : jsKernels.rqsVjp(e, bins, x, phi, bound, slope, inv, g, gl, gin, gphi),
    affine: (e, x, phi, slope, inv, y, ladj) => a.affine(e, x, phi, slope, inv, y, ladj),
    affineVjp: (e, x, phi, slope, inv, g, gl, gin, gphi) => a.affineVjp(e, x, phi, slope, inv, g, gl, gin, gphi),
    normalLogProb: (rows, d, z, loc, scale, out) => a.normalLogProb(rows, d, z, loc, scale, out),
    normalLogProbVjp: (rows, d, z, loc, scale, g, gz) => a.normalLogProbVjp(rows, d, z, loc, scale, g, gz),
    adam: (n, p, g, m, v, lr, b1, b2, eps, wd, dec, step, po, mo, vo) => a.adam(n, p, g, m, v, lr, b1, b2, eps, wd, dec, step, po, mo, vo),
    random: (kind, n, seed, stream, offset, out) => a.random(kind, n, seed, stream, offset, out),
    madeInverse: (m, d, c, p, dims, counts, w, b, acts, gf, gc, kind, bins, bound, slope, y, cc, x, l) =>
      isFloatArray(w) && a.madeInverse(m, d, c, p, dims, counts, w, b, acts, gf, gc, kind, bins, bound, slope, y, cc, x, l),
  };
}

let native: KernelTable | null = null;

/**
 * Installs the native kernels of `@eddy/cpu-native` (when it loads) into the kernel
 * table, or the TypeScript ones with `false`. Called on import with `true` unless
 * `EDDY_NATIVE=0`; tests use it to compare both on the same inputs. Returns whether the
 * native kernels are now active.
 *
 * @example
 * ```ts
 * import { useNativeKernels } from '@eddy/backend-cpu';
 * useNativeKernels(false); // TypeScript kernels from here on
 * ```
 * @category Kernels
 */
export function useNativeKernels(on: boolean): boolean {
  if (on && native === null && addon === null && loadReason === '') load();
  if (on && addon !== null && native === null) native = nativeTable(addon);
  Object.assign(kernels, on && native !== null ? native : jsKernels);
  return on && native !== null;
}

/**
 * Which kernels the CPU backend runs, and why the native ones are not in use if so (in a
 * browser always the TypeScript ones: `@eddy/cpu-native` is looked up only on Node.js).
 *
 * @example
 * ```ts
 * import { kernelInfo } from '@eddy/backend-cpu';
 * kernelInfo().isa; // 'avx512', 'avx2', 'generic' or 'typescript'
 * ```
 * @category Kernels
 */
export function kernelInfo(): KernelInfo {
  const on = native !== null && kernels.linear === native.linear;
  const names = native === null ? [] : (Object.keys(native) as Array<keyof KernelTable>).filter((k) => kernels[k] === (native as KernelTable)[k]);
  return {
    native: on,
    isa: on && addon !== null ? addon.info().isa : 'typescript',
    reason: on ? (addon?.info().note ?? '') : loadReason || 'switched off with useNativeKernels(false)',
    nativeKernels: names,
  };
}

/**
 * Asks the OS to back a large array with transparent huge pages (where the native addon
 * is loaded, on Linux): a fresh array's pages are faulted in on first write, and on some
 * virtual machines each 4 KiB fault costs ~12 µs; with huge pages it is one fault per
 * 2 MiB. Contents are unchanged. Returns the bytes advised (0 without the addon).
 *
 * @example
 * ```ts
 * import { adviseHugePages } from '@eddy/backend-cpu';
 * const out = new Float32Array(1 << 24);
 * adviseHugePages(out); // before writing it
 * ```
 * @category Kernels
 */
export function adviseHugePages(array: ArrayBufferView): number {
  return addon === null ? 0 : addon.adviseHugePages(array);
}
