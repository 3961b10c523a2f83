import { DTypeError, type Tensor, ValueError, take, tensor } from '@eddy/core';
import { type Domain, Transform, domain } from './transform.js';

/**
 * Reorders the features of vectors: `y = x[..., order]`, $\text{ladj} = 0$; inverse
 * `y[..., argsort(order)]` (zuko's `PermutationTransform`).
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { PermutationTransform } from '@eddy/transforms';
 * new PermutationTransform([2, 0, 1]).call(tensor([10, 20, 30])); // [30, 10, 20]
 * ```
 * @category Linear
 */
export class PermutationTransform extends Transform {
  /** The permutation (int32). */
  readonly order: Tensor;
  readonly #inverseOrder: number[];

  /** @param order a permutation of `0..D-1` (array or int tensor). */
  constructor(order: Tensor | readonly number[]) {
    super();
    const values = Array.isArray(order) ? [...(order as readonly number[])] : Array.from((order as Tensor).dataSync());
    if (!Array.isArray(order) && (order as Tensor).dtype !== 'int32' && (order as Tensor).dtype !== 'float64' && (order as Tensor).dtype !== 'float32') {
      throw new DTypeError(`PermutationTransform: order must hold integers, got ${(order as Tensor).dtype}`);
    }
    const d = values.length;
    const seen = new Set(values);
    if (seen.size !== d || values.some((v) => !Number.isInteger(v) || v < 0 || v >= d)) {
      throw new ValueError(`PermutationTransform: order ${JSON.stringify(values)} is not a permutation of 0..${d - 1}`);
    }
    this.order = tensor(Int32Array.from(values));
    this.#inverseOrder = new Array<number>(d);
    values.forEach((v, i) => {
      this.#inverseOrder[v] = i;
    });
  }
  /** Real vectors. */
  get domain(): Domain {
    return domain(1);
  }
  /** Real vectors. */
  get codomain(): Domain {
    return domain(1);
  }
  /** `x[..., order]`. */
  call(x: Tensor): Tensor {
    return take(x, this.order, -1);
  }
  /** `y[..., argsort(order)]`. */
  inverse(y: Tensor): Tensor {
    return take(y, this.#inverseOrder, -1);
  }
  /** Zeros of the batch shape. */
  logAbsDetJacobian(x: Tensor): Tensor {
    return x.zerosLike().sum(-1);
  }
  /** `PermutationTransform([…])`. */
  override toString(): string {
    return `PermutationTransform(${JSON.stringify(Array.from(this.order.dataSync()))})`;
  }
}
