import { type FloatDType, type Module, type RandomStream, type Tensor, type TensorFunction, Sequential, ShapeError, tensor } from '@eddy/core';
import { type ActivationSpec, activationFactory } from './activation-from-name.js';
import { callLayers } from './fuse.js';
import { defaultInitRng } from './init.js';
import { MaskedLinear } from './masked-linear.js';
import { type BoolMatrix, maskedMLPBlocks } from './masks.js';
import { Residual } from './residual.js';

/**
 * Options of {@link MaskedMLP}.
 * @category Networks
 */
export interface MaskedMLPOptions {
  /** Sizes of the hidden layers (default `[64, 64]`). */
  hiddenFeatures?: readonly number[];
  /** Activation: a name or a factory (default `'ReLU'`). */
  activation?: ActivationSpec;
  /** Whether to use residual blocks (default false). */
  residual?: boolean;
  /** Where the initial weights come from, shared by all layers in order (default: one {@link defaultInitRng}). */
  rng?: RandomStream;
  /** Parameter dtype (default: the default float dtype). */
  dtype?: FloatDType;
}

function boolTensor(m: BoolMatrix): Tensor {
  return tensor(m.data, { shape: [m.rows, m.cols], dtype: 'bool' });
}

/**
 * zuko's `MaskedMLP` (`nn.py:258`): a {@link Sequential} of {@link MaskedLinear} layers
 * whose masks make the Jacobian $\partial y_i / \partial x_j$ zero wherever `adjacency[i, j]` is false
 * (MADE-style; masks built exactly as zuko, see {@link maskedMLPBlocks}).
 *
 * Without `residual`: `[ML(in, h₁), act, ML(h₁, h₂), act, …, ML(h_k, out)]` (state dict
 * `0.*`, `2.*`, `4.*`, with buffers `i.mask`). With `residual`: after each hidden layer a
 * {@link Residual} block `(ML(H, H), act, ML(H, H))`, the plain layer dropped when a
 * hidden size repeats, and no activation outside the blocks; for hidden `[32, 32]`:
 * `[ML(in, 32), Res, Res, ML(32, out)]` (`0.*`, `1.0.*`, `1.2.*`, `2.0.*`, `2.2.*`, `3.*`).
 * Weights start as `torch.nn.Linear`'s defaults from `rng`, layer after layer.
 *
 * @example
 * ```ts
 * import { ones, tril } from '@eddy/core';
 * import { MaskedMLP } from '@eddy/flows';
 * const A = tril(ones([3, 3]), -1).cast('bool'); // output i sees inputs j < i
 * const net = new MaskedMLP(A, { hiddenFeatures: [16, 16] });
 * net.call(ones([5, 3])).shape; // [5, 3]
 * ```
 * @category Networks
 */
export class MaskedMLP extends Sequential {
  /** Number of input features `N`. */
  readonly inFeatures: number;
  /** Number of output features `M`. */
  readonly outFeatures: number;

  /**
   * @param adjacency bool `[M, N]` (outputs × inputs; other dtypes: nonzero = edge)
   * @param options `hiddenFeatures` (default `[64, 64]`), `activation` (default `'ReLU'`),
   *   `residual` (default false), `rng`, `dtype`
   */
  constructor(adjacency: Tensor, options: MaskedMLPOptions = {}) {
    if (adjacency.ndim !== 2) throw new ShapeError(`MaskedMLP: adjacency must be [out, in], got ${adjacency.ndim} axes`);
    const [m, n] = adjacency.shape as [number, number];
    const { hiddenFeatures = [64, 64], activation = 'ReLU', residual = false, rng = defaultInitRng(), dtype } = options;
    const makeActivation = activationFactory(activation);
    const raw = adjacency.dataSync();
    const data = raw instanceof Uint8Array ? raw : Uint8Array.from(raw, (v) => (v !== 0 ? 1 : 0));
    const blocks = maskedMLPBlocks({ rows: m, cols: n, data }, hiddenFeatures, residual);
    const layers: Array<Module & TensorFunction> = [];
    for (const [i, block] of blocks.entries()) {
      const mask = boolTensor(block.mask);
      if (block.type === 'residual') {
        const a = new MaskedLinear(mask, { rng, dtype });
        const act = makeActivation();
        const b = new MaskedLinear(mask, { rng, dtype });
        layers.push(new Residual([a, act, b]));
      } else {
        layers.push(new MaskedLinear(mask, { rng, dtype }));
        if (!residual && i + 1 < blocks.length) layers.push(makeActivation());
      }
    }
    super(layers);
    this.inFeatures = n;
    this.outFeatures = m;
  }

  /** The layers in order, each masked linear layer fused with the ReLU after it. */
  override call(x: Tensor): Tensor {
    return callLayers(this.layers, x);
  }
}
