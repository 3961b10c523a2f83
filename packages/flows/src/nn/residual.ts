import { Sequential, type Tensor, add } from '@eddy/core';
import { callLayers } from './fuse.js';

/**
 * zuko's `Residual` (`nn.py`): a {@link Sequential} block whose output is added to its
 * input, `y = x + layers(x)`. Its members are named by index like any `Sequential`
 * (`0.weight`, `2.weight`, ...).
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { Linear, ReLU, Residual } from '@eddy/flows';
 * const x = randn([4, 8], { seed: 0 });
 * const block = new Residual([new Linear(8, 8), new ReLU(), new Linear(8, 8)]);
 * block.call(x); // x + Linear(ReLU(Linear(x)))
 * ```
 * @category Networks
 */
export class Residual extends Sequential {
  /** `x + layers(x)`. */
  override call(x: Tensor): Tensor {
    return add(x, callLayers(this.layers, x));
  }
}
