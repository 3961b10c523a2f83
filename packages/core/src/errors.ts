/**
 * Base class of every error Eddy throws on purpose. Subclasses carry a stable `name`
 * so callers can branch on `err.name` or `instanceof`.
 *
 * @example
 * ```ts
 * import { EddyError, reshape, zeros } from '@eddy/core';
 * try { reshape(zeros([2, 3]), [7]); } catch (e) { if (e instanceof EddyError) console.error(e.name, e.message); }
 * ```
 * @category Errors
 */
export class EddyError extends Error {
  /** Stable error name: `EddyError`. */
  override name = 'EddyError';
}

/**
 * Thrown when tensor shapes do not fit an operation (broadcasting, matmul, reshape, ...).
 * The message names the operation and both shapes.
 *
 * @example
 * ```ts
 * import { add, zeros } from '@eddy/core';
 * add(zeros([2, 3]), zeros([4])); // ShapeError: add: shapes [2,3] and [4] do not broadcast
 * ```
 * @category Errors
 */
export class ShapeError extends EddyError {
  /** Stable error name: `ShapeError`. */
  override name = 'ShapeError';
}

/**
 * Thrown when a dtype is not allowed where it is used (e.g. a float op on a bool mask,
 * or a dtype that the active backend does not support).
 *
 * @example
 * ```ts
 * import { matmul, tensor } from '@eddy/core';
 * matmul(tensor([[true]]), tensor([[1]])); // DTypeError
 * ```
 * @category Errors
 */
export class DTypeError extends EddyError {
  /** Stable error name: `DTypeError`. */
  override name = 'DTypeError';
}

/**
 * Thrown for an argument whose value is out of range or otherwise invalid
 * (a negative size, an axis out of bounds, NaN where it is not allowed, ...).
 *
 * @example
 * ```ts
 * import { sum, zeros } from '@eddy/core';
 * sum(zeros([2, 3]), 5); // ValueError: sum: axis 5 is out of range for a tensor of rank 2
 * ```
 * @category Errors
 */
export class ValueError extends EddyError {
  /** Stable error name: `ValueError`. */
  override name = 'ValueError';
}

/**
 * Thrown when a backend is missing, not registered, or fails to do what it was asked.
 *
 * @example
 * ```ts
 * import { setBackend } from '@eddy/core';
 * setBackend('tpu'); // BackendError: no backend named "tpu" is registered (have: cpu)
 * ```
 * @category Errors
 */
export class BackendError extends EddyError {
  /** Stable error name: `BackendError`. */
  override name = 'BackendError';
}

/**
 * Thrown when a method is not defined for an object (e.g. the entropy of a distribution
 * that has no closed form), as opposed to a bug.
 *
 * @example
 * ```ts
 * import { Normal, Sort } from '@eddy/distributions';
 * new Sort(new Normal(0, 1), 3).entropy(); // NotImplementedError: Sort.entropy is not implemented
 * ```
 * @category Errors
 */
export class NotImplementedError extends EddyError {
  /** Stable error name: `NotImplementedError`. */
  override name = 'NotImplementedError';
}

/** Formats a shape as `[2,3]` for error messages. @internal */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
