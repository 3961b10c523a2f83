import { DTypeError } from './errors.js';

/**
 * The element types a tensor can hold. `float32` and `float64` are the numeric types;
 * `int32` holds indices and `bool` holds masks (stored as 0/1 bytes).
 * @category Tensors
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/**
 * The floating-point dtypes. @example `const d: FloatDType = 'float32';`
 *
 * @category Tensors
 */
export type FloatDType = 'float32' | 'float64';

/**
 * The typed array that stores each dtype on the CPU.
 * @category Tensors
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * Constructor of the typed array for a dtype.
 *
 * @example
 * ```ts
 * import { arrayType } from '@eddy/core';
 * const buf = new (arrayType('float32'))(4); // Float32Array(4)
 * ```
 * @category Tensors
 */
export function arrayType(dtype: DType): Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int32':
      return Int32Array;
    case 'bool':
      return Uint8Array;
    default:
      throw new DTypeError(`unknown dtype ${JSON.stringify(dtype)}`);
  }
}

/**
 * The dtype stored by a typed array (Uint8Array is read as `bool`).
 *
 * @example
 * ```ts
 * import { dtypeOfArray } from '@eddy/core';
 * dtypeOfArray(new Float64Array(2)); // 'float64'
 * ```
 * @category Tensors
 */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  throw new DTypeError('unsupported typed array');
}

/**
 * Whether a dtype is a floating-point type.
 *
 * @example
 * ```ts
 * import { isFloat } from '@eddy/core';
 * isFloat('int32'); // false
 * ```
 * @category Tensors
 */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

let defaultFloat: FloatDType = 'float32';

/**
 * Sets the dtype given to tensors made from plain numbers or arrays when no dtype is
 * named (initially `float32`, the fast type for bulk work; use `float64` for reference
 * numerics).
 *
 * @example
 * ```ts
 * import { setDefaultDType, tensor } from '@eddy/core';
 * setDefaultDType('float64');
 * tensor([1, 2]).dtype; // 'float64'
 * ```
 * @category Tensors
 */
export function setDefaultDType(dtype: FloatDType): void {
  if (!isFloat(dtype)) throw new DTypeError(`setDefaultDType: expected float32 or float64, got ${dtype}`);
  defaultFloat = dtype;
}

/**
 * The current default floating-point dtype.
 *
 * @example
 * ```ts
 * import { getDefaultDType } from '@eddy/core';
 * getDefaultDType(); // 'float32' unless changed
 * ```
 * @category Tensors
 */
export function getDefaultDType(): FloatDType {
  return defaultFloat;
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/**
 * Type promotion for binary ops (the documented rule): the result has the "wider" of the
 * two dtypes in the order bool < int32 < float32 < float64. So float32 with float64 gives
 * float64, as in NumPy and PyTorch. Ops add PyTorch's exception: a 0-d float tensor (a
 * scalar parameter) does not promote a float tensor with axes.
 *
 * @example
 * ```ts
 * import { promoteTypes } from '@eddy/core';
 * promoteTypes('float32', 'float64'); // 'float64'
 * ```
 * @category Tensors
 */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}
