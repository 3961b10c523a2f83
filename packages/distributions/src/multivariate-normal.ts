import {
  type Rng,
  ShapeError,
  type Tensor,
  type TensorLike,
  ValueError,
  broadcastShapes,
  defaultRng,
  diagonal,
  expand,
  fmtShape,
  getDefaultDType,
  isFloat,
  log,
  matmul,
  ne,
  square,
  squeeze,
  sum,
  transpose,
  triangularSolve,
  triu,
  unsqueeze,
  cast,
} from '@eddy/core';
import { param } from '@eddy/transforms';
import { Distribution } from './distribution.js';
import { checkPositive } from './params.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The multivariate normal distribution $\mathcal{N}(\mu, \Sigma)$ with $\Sigma = L L^\top$ given by its lower
 * Cholesky factor $L$ (`scaleTril`, positive diagonal):
 *
 * $$
 * \log p(x) = -\frac{D}{2} \log 2\pi - \sum_d \log L_{dd} - \frac{1}{2} \big\lVert L^{-1}(x - \mu) \big\rVert^2,
 * $$
 *
 * with $L^{-1}(x - \mu)$ from a
 * triangular solve (PyTorch's `MultivariateNormal(loc, scale_tril=L)`). Draws are
 * $\mu + L \varepsilon$ with $\varepsilon \sim \mathcal{N}(0, I)$ from one normal draw call (reparameterised).
 *
 * @example
 * ```ts
 * import { Rng, tensor } from '@eddy/core';
 * import { MultivariateNormal } from '@eddy/distributions';
 * const L = tensor([[1, 0], [0.5, 2]]);
 * const d = new MultivariateNormal(tensor([0, 1]), { scaleTril: L });
 * d.eventShape;                     // [2]
 * d.logProb(tensor([0, 1])).item(); // -log 2π - log 2
 * d.sample([3], new Rng(0)).shape;  // [3, 2]
 * ```
 * @category Multivariate
 */
export class MultivariateNormal extends Distribution {
  /** Mean `μ`, shape `batchShape + [D]`. */
  readonly loc: Tensor;
  /** Lower Cholesky factor `L` of the covariance, shape `batchShape + [D, D]`. */
  readonly scaleTril: Tensor;
  readonly #batch: number[];
  readonly #dtype: 'float32' | 'float64';

  /**
   * @param loc mean `[..., D]`; @param options `scaleTril`: `L`, `[..., D, D]`, lower
   * triangular with a positive diagonal; `validateArgs` (default true) checks the
   * diagonal is positive and the strict upper triangle is zero.
   */
  constructor(loc: TensorLike, options: { scaleTril: TensorLike; validateArgs?: boolean }) {
    super();
    const mu = param(loc);
    const l = param(options.scaleTril);
    if (mu.ndim < 1) throw new ShapeError('MultivariateNormal: loc must have shape [..., D], got a scalar');
    const d = mu.shape[mu.ndim - 1] as number;
    if (l.ndim < 2 || l.shape[l.ndim - 1] !== l.shape[l.ndim - 2]) {
      throw new ShapeError(`MultivariateNormal: scaleTril must have shape [..., D, D], got ${fmtShape(l.shape)}`);
    }
    if (l.shape[l.ndim - 1] !== d) {
      throw new ShapeError(
        `MultivariateNormal: scaleTril of shape ${fmtShape(l.shape)} does not match loc of shape ${fmtShape(mu.shape)} (expected [..., ${d}, ${d}])`,
      );
    }
    let batch: number[];
    try {
      batch = broadcastShapes('MultivariateNormal', mu.shape.slice(0, -1), l.shape.slice(0, -2));
    } catch {
      throw new ShapeError(`MultivariateNormal: batch shapes of loc ${fmtShape(mu.shape)} and scaleTril ${fmtShape(l.shape)} do not broadcast`);
    }
    this.loc = expand(mu, [...batch, d]);
    this.scaleTril = expand(l, [...batch, d, d]);
    this.#batch = batch;
    const given = [loc, options.scaleTril].find((v): v is Tensor => typeof v !== 'number');
    this.#dtype = given !== undefined && isFloat(given.dtype) ? (given.dtype as 'float32' | 'float64') : getDefaultDType();
    if (options.validateArgs ?? true) {
      checkPositive('MultivariateNormal', 'the diagonal of scaleTril', diagonal(this.scaleTril));
      const upper = cast(ne(triu(this.scaleTril, 1), 0), 'int32')
        .dataSync()
        .indexOf(1);
      if (upper >= 0) {
        throw new ValueError(`MultivariateNormal: scaleTril must be lower triangular (non-zero entry above the diagonal at flat index ${upper})`);
      }
    }
  }
  /** Broadcast batch shape of `loc` and `scaleTril`. */
  get batchShape(): number[] {
    return [...this.#batch];
  }
  /** `[D]`. */
  get eventShape(): number[] {
    return [this.loc.shape[this.loc.ndim - 1] as number];
  }
  /** Reparameterised. */
  override get hasRsample(): boolean {
    return true;
  }
  /** `μ`. */
  override get mean(): Tensor {
    return this.loc;
  }
  /** The diagonal of $\Sigma$: $\sum_j L_{ij}^2$. */
  override get variance(): Tensor {
    return sum(square(this.scaleTril), -1);
  }
  /** The covariance $\Sigma = L L^\top$, shape `batchShape + [D, D]`. */
  get covarianceMatrix(): Tensor {
    return matmul(this.scaleTril, transpose(this.scaleTril));
  }
  /** $\sum_d \log L_{dd}$ (half the log-determinant of $\Sigma$), shape `batchShape`. */
  #halfLogDet(): Tensor {
    return sum(log(diagonal(this.scaleTril)), -1);
  }
  /** $-\frac{D}{2} \log 2\pi - \sum_d \log L_{dd} - \frac{1}{2} \lVert L^{-1}(x - \mu) \rVert^2$. */
  logProb(x: Tensor): Tensor {
    this.checkValue(x);
    const dim = this.eventShape[0] as number;
    const y = triangularSolve(this.scaleTril, unsqueeze(x.sub(this.loc), -1));
    const m = sum(square(y), [-2, -1]);
    return m
      .mul(-0.5)
      .sub(this.#halfLogDet())
      .sub(0.5 * dim * LOG_2PI);
  }
  /** $\mu + L \varepsilon$, $\varepsilon \sim \mathcal{N}(0, I)$ from one normal draw call of `rng`. */
  override rsample(shape: readonly number[] = [], rng: Rng = defaultRng()): Tensor {
    const eps = rng.normal(this.extendedShape(shape), this.#dtype);
    return squeeze(matmul(this.scaleTril, unsqueeze(eps, -1)), -1).add(this.loc);
  }
  /** $\frac{D}{2}(1 + \log 2\pi) + \sum_d \log L_{dd}$. */
  override entropy(): Tensor {
    const dim = this.eventShape[0] as number;
    return this.#halfLogDet().add(0.5 * dim * (1 + LOG_2PI));
  }
  /** The same normal with `loc` and `scaleTril` broadcast to `batchShape`. */
  override expand(batchShape: readonly number[]): MultivariateNormal {
    const d = this.eventShape[0] as number;
    return new MultivariateNormal(expand(this.loc, [...batchShape, d]), {
      scaleTril: expand(this.scaleTril, [...batchShape, d, d]),
      validateArgs: false,
    });
  }
}
