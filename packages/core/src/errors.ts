/**
 * Base class of every error Eddy throws on purpose. Each class has a stable `name` (its
 * class name: `EddyError`, `ShapeError`, `DTypeError`, `ValueError`, `BackendError`,
 * `NotImplementedError`), so callers can branch on `err.name` or `instanceof`.
 *
 * @example
 * ```ts
 * import { EddyError, reshape, zeros } from '@eddy/core';
 * try { reshape(zeros([2, 3]), [7]); } catch (e) { if (e instanceof EddyError) console.error(e.name, e.message); }
 * ```
 * @category Errors
 */
export class EddyError extends Error {}

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
export class ShapeError extends EddyError {}

/**
 * Thrown when a dtype is not allowed where it is used (e.g. a float op on a bool mask,
 * or a dtype that the active backend does not support).
 *
 * @example
 * ```ts
 * import { digamma, gradients, Parameter, tensor } from '@eddy/core';
 * const x = new Parameter(tensor([1.5]));
 * gradients(digamma(x).sum(), [x]); // DTypeError: digamma: gradient (trigamma) is not implemented
 * ```
 * @category Errors
 */
export class DTypeError extends EddyError {}

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
export class ValueError extends EddyError {}

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
export class BackendError extends EddyError {}

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
export class NotImplementedError extends EddyError {}

// Each class's stable `name` (what `err.name` and the stack's first line show), set once on
// its prototype so that it does not depend on the class's (minifiable) JavaScript name.
for (const [cls, name] of [
  [EddyError, 'EddyError'],
  [ShapeError, 'ShapeError'],
  [DTypeError, 'DTypeError'],
  [ValueError, 'ValueError'],
  [BackendError, 'BackendError'],
  [NotImplementedError, 'NotImplementedError'],
] as const) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** Formats a shape as `[2,3]` for error messages. @internal */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
