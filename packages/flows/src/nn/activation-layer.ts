import { type Tensor, type TensorFunction, Module } from '@eddy/core';

/**
 * Base of the activation layers (`ReLU`, `ELU`, `TwoWayELU`, ...): a module without
 * parameters that applies one function, and prints as PyTorch does, e.g.
 * `ELU(alpha=1)`. A subclass passes the function and its settings to the constructor.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { ActivationLayer } from '@eddy/flows';
 * class Square extends ActivationLayer {
 *   constructor() {
 *     super((x) => x.square());
 *   }
 * }
 * new Square().call(tensor([-2, 3])); // [4, 9]
 * String(new Square()); // 'Square()'
 * ```
 * @category Networks
 */
export abstract class ActivationLayer extends Module implements TensorFunction {
  /** The function applied by {@link ActivationLayer.call}. */
  protected readonly fn: (x: Tensor) => Tensor;
  /** The settings shown by `toString`, by their PyTorch names. */
  protected readonly settings: Readonly<Record<string, number>>;

  /**
   * @param fn the function; @param settings the settings shown by `toString`
   * (`{ alpha: 1 }` prints as `(alpha=1)`).
   */
  constructor(fn: (x: Tensor) => Tensor, settings: Readonly<Record<string, number>> = {}) {
    super();
    this.fn = fn;
    this.settings = settings;
  }
  /** Applies the activation. */
  call(x: Tensor): Tensor {
    return this.fn(x);
  }
  /** The class name and its settings, e.g. `ELU(alpha=1)`. */
  override toString(): string {
    const settings = Object.entries(this.settings).map(([k, v]) => `${k}=${v}`);
    return `${this.constructor.name}(${settings.join(', ')})`;
  }
}
