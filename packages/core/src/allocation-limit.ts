import { EddyError } from './errors.js';

/**
 * Thrown when code run under {@link withAllocationLimit} creates more tensor elements
 * than it was allowed: used to build objects described by untrusted files (a model file
 * whose options ask for gigabytes) without allocating first and failing later.
 *
 * @example
 * ```ts
 * import { AllocationLimitError, withAllocationLimit, zeros } from '@eddy/core';
 * try { withAllocationLimit(1000, 'a small model', () => zeros([1e6])); } catch (e) { e instanceof AllocationLimitError; } // true
 * ```
 * @category Memory
 */
export class AllocationLimitError extends EddyError {
  /** Stable error name: `AllocationLimitError`. */
  override name = 'AllocationLimitError';
}

interface Limit {
  readonly limit: number;
  readonly what: string;
  used: number;
}

const limits: Limit[] = [];

/**
 * Runs `fn`, throwing an {@link AllocationLimitError} as soon as the tensors it creates
 * (`tensor`, `zeros`, `full`, `eye`, `randn`, `rand` and what is built on them, counted
 * in elements, before any memory is taken) add up to more than `elements`. Nested limits
 * all apply.
 *
 * @example
 * ```ts
 * import { withAllocationLimit } from '@eddy/core';
 * import { NSF } from '@eddy/flows';
 * const storedElements = 50_000; // what the model file declares
 * const flow = withAllocationLimit(2 * storedElements, 'the model file', () => new NSF({ features: 2 }));
 * ```
 * @category Memory
 */
export function withAllocationLimit<T>(elements: number, what: string, fn: () => T): T {
  if (!(elements >= 0)) throw new EddyError(`withAllocationLimit: elements must be a non-negative number, got ${elements}`);
  limits.push({ limit: elements, what, used: 0 });
  try {
    return fn();
  } finally {
    limits.pop();
  }
}

/**
 * Counts the elements of a tensor of `shape` against every active
 * {@link withAllocationLimit}; throws if one is exceeded. Called by the tensor creators
 * before they allocate (free when no limit is active).
 *
 * @example
 * ```ts
 * import { chargeAllocation } from '@eddy/core';
 * chargeAllocation('zeros', [32, 32]);
 * ```
 * @category Memory
 */
export function chargeAllocation(op: string, shape: readonly number[]): void {
  if (limits.length === 0) return;
  let elements = 1;
  for (const d of shape) elements *= d;
  for (const l of limits) {
    l.used += elements;
    if (l.used > l.limit) {
      throw new AllocationLimitError(`${op}: creating ${elements} more elements would take ${l.used} in all, more than the ${l.limit} allowed for ${l.what}`);
    }
  }
}
