import { type DType, type TypedArray, arrayType } from '@eddy/core';
import { adviseHugePages } from './native.js';

type Uninit = (bytes: number) => { buffer: ArrayBufferLike; byteOffset: number };
const allocUnsafeSlow = (globalThis as { Buffer?: { allocUnsafeSlow?: Uninit } }).Buffer?.allocUnsafeSlow;

const HUGE = 32 * 1024 * 1024;

/**
 * A typed array for a kernel that writes every element: on Node.js, large ones come
 * uninitialised (`Buffer.allocUnsafeSlow`, its own `ArrayBuffer`), which saves zeroing
 * memory that is about to be overwritten; small ones and other runtimes use a plain
 * (zeroed) typed array. Never use it where a kernel accumulates into its output.
 *
 * @example
 * ```ts
 * const out = allocOutput('float32', 1 << 20); // every element written by the caller
 * ```
 * @category Kernels
 */
export function allocOutput(dtype: DType, n: number): TypedArray {
  const Ctor = arrayType(dtype);
  const bytes = n * Ctor.BYTES_PER_ELEMENT;
  if (allocUnsafeSlow === undefined || bytes < 65536) return new Ctor(n);
  const b = allocUnsafeSlow(bytes);
  const out = new Ctor(b.buffer as ArrayBuffer, b.byteOffset, n);
  // 32 MiB and more is fresh mmap'd memory on every call (glibc never reuses it).
  if (bytes >= HUGE) adviseHugePages(out);
  return out;
}
