import { customGrad, noGrad, record } from '../autodiff.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, arange, eye } from '../tensor.js';
import { abs, add, coerce, mul, neg, sub, where } from './elementwise.js';
import { take } from './indexing.js';
import { max, sum, sumToShape } from './reduce.js';
import { concat, expand, reshape, slice, squeeze, transpose, unsqueeze } from './shape.js';

function checkFloat(op: string, ...xs: Tensor[]): void {
  for (const x of xs) if (!isFloat(x.dtype)) throw new DTypeError(`${op}: expected float tensors, got ${x.dtype}`);
}

/**
 * Matrix product with NumPy semantics: 1-D operands are vectors, leading (batch) axes
 * broadcast. `[..., m, k] @ [..., k, n] → [..., m, n]`.
 * @example
 * ```ts
 * import { matmul, ones } from '@eddy/core';
 * matmul(ones([5, 2, 3]), ones([3, 4])); // shape [5, 2, 4], every entry 3
 * ```
 * @category Linear algebra
 */
export function matmul(a0: Tensor, b0: Tensor): Tensor {
  const [a1, b1] = coerce(a0, b0, true);
  checkFloat('matmul', a1, b1);
  if (a1.ndim === 0 || b1.ndim === 0) throw new ShapeError('matmul: scalars are not allowed; use mul');
  const a = a1.ndim === 1 ? unsqueeze(a1, 0) : a1;
  const b = b1.ndim === 1 ? unsqueeze(b1, 1) : b1;
  const k = a.shape[a.ndim - 1] as number;
  if (b.shape[b.ndim - 2] !== k) {
    throw new ShapeError(`matmul: shapes ${fmtShape(a0.shape)} and ${fmtShape(b0.shape)} do not align (${k} ≠ ${b.shape[b.ndim - 2]})`);
  }
  let y: Tensor;
  if (b.ndim === 2 && a.ndim > 2) {
    // One weight matrix for a whole batch: a single [B·m, k] @ [k, n] product.
    y = reshape(matmulPrim(reshape(a, [-1, k]), b), [...a.shape.slice(0, -1), b.shape[1] as number]);
  } else {
    y = matmulPrim(a, b);
  }
  if (a1.ndim === 1) y = squeeze(y, -2);
  if (b1.ndim === 1) y = squeeze(y, -1);
  return y;
}

function matmulPrim(a: Tensor, b: Tensor): Tensor {
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const outShape = [...batch, a.shape[a.ndim - 2] as number, b.shape[b.ndim - 1] as number];
  const y = new Tensor(a.backend.matmul(a, b, outShape), outShape, a.dtype, a.backend);
  return record('matmul', y, [a, b], (g) => [sumToShape(matmulPrim(g, transpose(b)), a.shape), sumToShape(matmulPrim(transpose(a), g), b.shape)]);
}

function triMask(x: Tensor, k: number, lower: boolean): Tensor {
  const m = x.shape[x.ndim - 2] as number;
  const n = x.shape[x.ndim - 1] as number;
  const rows = reshape(arange(0, m, 1, { dtype: 'int32', backend: x.backend }), [m, 1]);
  const cols = reshape(arange(0, n, 1, { dtype: 'int32', backend: x.backend }), [1, n]);
  const d = sub(cols, rows);
  return lower ? d.le(k) : d.ge(k);
}

/**
 * Lower triangle of the last two axes: entries with `col - row <= k` kept, others 0.
 * @example
 * ```ts
 * import { ones, tril } from '@eddy/core';
 * tril(ones([3, 3])); // [[1,0,0],[1,1,0],[1,1,1]]
 * ```
 * @category Linear algebra
 */
export function tril(x: Tensor, k = 0): Tensor {
  if (x.ndim < 2) throw new ShapeError(`tril: needs at least 2 axes, got ${fmtShape(x.shape)}`);
  return where(triMask(x, k, true), x, 0);
}

/**
 * Upper triangle of the last two axes: entries with `col - row >= k` kept, others 0.
 * @example
 * ```ts
 * import { ones, triu } from '@eddy/core';
 * triu(ones([3, 3]), 1); // [[0,1,1],[0,0,1],[0,0,0]]
 * ```
 * @category Linear algebra
 */
export function triu(x: Tensor, k = 0): Tensor {
  if (x.ndim < 2) throw new ShapeError(`triu: needs at least 2 axes, got ${fmtShape(x.shape)}`);
  return where(triMask(x, k, false), x, 0);
}

/**
 * Diagonal of the last two axes, as a new last axis.
 * @example
 * ```ts
 * import { diagonal, tensor } from '@eddy/core';
 * diagonal(tensor([[1, 2], [3, 4]])); // [1, 4]
 * ```
 * @category Linear algebra
 */
export function diagonal(x: Tensor): Tensor {
  if (x.ndim < 2) throw new ShapeError(`diagonal: needs at least 2 axes, got ${fmtShape(x.shape)}`);
  const n = Math.min(x.shape[x.ndim - 2] as number, x.shape[x.ndim - 1] as number);
  const sq = slice(slice(x, -2, 0, n), -1, 0, n);
  const mask = eye(n, n, { dtype: x.dtype, backend: x.backend });
  return sum(mul(sq, mask), -1);
}

/**
 * Options of {@link triangularSolve}.
 * @category Linear algebra
 */
export interface TriangularSolveOptions {
  /** Use the upper triangle of A (default: lower). */
  upper?: boolean;
  /** Solve $A^\top X = B$ instead. */
  transpose?: boolean;
  /** Take A's diagonal as ones. */
  unitDiagonal?: boolean;
}

/**
 * Solves $A X = B$ (or $A^\top X = B$) for triangular `A` `[..., n, n]` and `B` `[..., n, m]`
 * by substitution; batch axes broadcast. Differentiable in `A` and `B`.
 * @example
 * ```ts
 * import { tensor, triangularSolve } from '@eddy/core';
 * triangularSolve(tensor([[2, 0], [1, 1]]), tensor([[2], [3]])); // [[1], [2]]
 * ```
 * @category Linear algebra
 */
export function triangularSolve(a0: Tensor, b0: Tensor, options: TriangularSolveOptions = {}): Tensor {
  const { upper = false, transpose: trans = false, unitDiagonal = false } = options;
  const [a1, b1] = coerce(a0, b0, true);
  const n = a1.shape[a1.ndim - 1] as number;
  if (a1.ndim < 2 || a1.shape[a1.ndim - 2] !== n || b1.ndim < 2 || b1.shape[b1.ndim - 2] !== n) {
    throw new ShapeError(`triangularSolve: A ${fmtShape(a0.shape)} must be [..., n, n] and B ${fmtShape(b0.shape)} [..., n, m]`);
  }
  const batch = broadcastShapes('triangularSolve', a1.shape.slice(0, -2), b1.shape.slice(0, -2));
  const a = expand(a1, [...batch, n, n]);
  const b = expand(b1, [...batch, n, b1.shape[b1.ndim - 1] as number]);
  const x = new Tensor(a.backend.triangularSolve(a, b, upper, trans, unitDiagonal), b.shape, a.dtype, a.backend);
  return record('triangularSolve', x, [a, b], (g) => {
    const gb = triangularSolve(a, g, { upper, transpose: !trans, unitDiagonal });
    let ga = neg(trans ? matmul(x, transpose(gb)) : matmul(gb, transpose(x)));
    ga = upper ? triu(ga, unitDiagonal ? 1 : 0) : tril(ga, unitDiagonal ? -1 : 0);
    return [ga, gb];
  });
}

/**
 * Result of {@link lu}.
 * @example
 * ```ts
 * import { lu, type LUFactors, tensor } from '@eddy/core';
 * const f: LUFactors = lu(tensor([[4, 3], [6, 3]])); // f.lu packs L and U, f.pivots the row swaps
 * ```
 * @category Linear algebra
 */
export interface LUFactors {
  /** Packed factors: unit-lower L below the diagonal, U on and above. */
  lu: Tensor;
  /** int32 pivots `[..., n]` (0-based, LAPACK order). */
  pivots: Tensor;
}

/**
 * LU factorisation with partial pivoting of `[..., n, n]` (no gradient): `lu` packs the
 * unit-lower L (below the diagonal) and U (on and above); `pivots[i]` (int32, 0-based) is
 * the row swapped with row `i` at step `i`, as in LAPACK's getrf.
 * @example
 * ```ts
 * import { lu, tensor } from '@eddy/core';
 * const { lu: f, pivots } = lu(tensor([[1, 2], [3, 4]], { dtype: 'float64' }));
 * ```
 * @category Linear algebra
 */
export function lu(a: Tensor): LUFactors {
  checkFloat('lu', a);
  const n = a.shape[a.ndim - 1] as number;
  if (a.ndim < 2 || a.shape[a.ndim - 2] !== n) throw new ShapeError(`lu: expected [..., n, n], got ${fmtShape(a.shape)}`);
  const r = a.backend.lu(a);
  return {
    lu: new Tensor(r.lu, a.shape, a.dtype, a.backend),
    pivots: new Tensor(r.pivots, a.shape.slice(0, -1), 'int32', a.backend),
  };
}

/** Row permutation (as indices) equivalent to LAPACK pivots, per batch entry. */
function pivotsToPermutation(pivots: Tensor): Tensor {
  const p = pivots.dataSync();
  const n = pivots.shape[pivots.ndim - 1] as number;
  const out = new Int32Array(p.length);
  for (let b = 0; b < p.length; b += n) {
    for (let i = 0; i < n; i++) out[b + i] = i;
    for (let i = 0; i < n; i++) {
      const j = p[b + i] as number;
      const t = out[b + i] as number;
      out[b + i] = out[b + j] as number;
      out[b + j] = t;
    }
  }
  return new Tensor(pivots.backend.upload(out, pivots.shape, 'int32'), pivots.shape, 'int32', pivots.backend);
}

const solveImpl = customGrad((a: Tensor, b: Tensor) => {
  const { lu: f, pivots } = lu(a);
  const perm = pivotsToPermutation(pivots);
  let pb: Tensor;
  if (a.ndim === 2) pb = take(b, perm, -2);
  else {
    // Apply each batch entry's permutation with a gather along the row axis.
    const idx = expand(unsqueeze(perm, -1), b.shape);
    pb = gatherRows(b, idx);
  }
  const y = triangularSolve(f, pb, { unitDiagonal: true });
  const x = triangularSolve(f, y, { upper: true });
  return {
    value: x,
    backward: (g: Tensor) => {
      const gb = solve(transpose(a), g);
      return [sumToShape(neg(matmul(gb, transpose(x))), a.shape), sumToShape(gb, b.shape)];
    },
  };
}, 'solve');

function gatherRows(b: Tensor, idx: Tensor): Tensor {
  return new Tensor(b.backend.gather(b, idx, b.ndim - 2), b.shape, b.dtype, b.backend);
}

/**
 * Solves $A X = B$ for square `A` `[..., n, n]` and `B` `[..., n, m]` via LU with partial
 * pivoting; batch axes broadcast. Differentiable ($\bar A = -A^{-\top} G X^\top$, $\bar B = A^{-\top} G$ for the output gradient $G$).
 * @example
 * ```ts
 * import { solve, tensor } from '@eddy/core';
 * solve(tensor([[2, 0], [0, 4]]), tensor([[2], [4]])); // [[1], [1]]
 * ```
 * @category Linear algebra
 */
export function solve(a0: Tensor, b0: Tensor): Tensor {
  const [a1, b1] = coerce(a0, b0, true);
  const n = a1.shape[a1.ndim - 1] as number;
  if (a1.ndim < 2 || a1.shape[a1.ndim - 2] !== n || b1.ndim < 2 || b1.shape[b1.ndim - 2] !== n) {
    throw new ShapeError(`solve: A ${fmtShape(a0.shape)} must be [..., n, n] and B ${fmtShape(b0.shape)} [..., n, m]`);
  }
  const batch = broadcastShapes('solve', a1.shape.slice(0, -2), b1.shape.slice(0, -2));
  const a = expand(a1, [...batch, n, n]);
  const b = expand(b1, [...batch, n, b1.shape[b1.ndim - 1] as number]);
  return solveImpl(a, b);
}

/** Padé(13) coefficients b₀…b₁₃ (Higham 2005, "The scaling and squaring method for the matrix exponential revisited"). */
const PADE13 = [
  64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600, 670442572800, 33522128640, 1323241920, 40840800,
  960960, 16380, 182, 1,
];
/** θ₁₃: the largest 1-norm for which Padé(13) is accurate to double precision without scaling. */
const THETA13 = 5.371920351148152;

function expmForward(a: Tensor): Tensor {
  const n = a.shape[a.ndim - 1] as number;
  const norm = max(sum(abs(a), -2)).item();
  const s = norm > THETA13 ? Math.ceil(Math.log2(norm / THETA13)) : 0;
  const as = s > 0 ? mul(a, 2 ** -s) : a;
  const id = eye(n, n, { dtype: a.dtype, backend: a.backend });
  const b = PADE13;
  const a2 = matmul(as, as);
  const a4 = matmul(a2, a2);
  const a6 = matmul(a4, a2);
  const lin = (c6: number, c4: number, c2: number, c0?: number): Tensor => {
    let t = add(add(mul(a6, c6), mul(a4, c4)), mul(a2, c2));
    if (c0 !== undefined) t = add(t, mul(id, c0));
    return t;
  };
  const u = matmul(
    as,
    add(matmul(a6, lin(b[13] as number, b[11] as number, b[9] as number)), lin(b[7] as number, b[5] as number, b[3] as number, b[1] as number)),
  );
  const v = add(matmul(a6, lin(b[12] as number, b[10] as number, b[8] as number)), lin(b[6] as number, b[4] as number, b[2] as number, b[0] as number));
  let r = solve(sub(v, u), add(v, u));
  for (let i = 0; i < s; i++) r = matmul(r, r);
  return r;
}

/**
 * Matrix exponential of `[..., n, n]` by Padé(13) scaling and squaring (Higham 2005).
 * The gradient is the adjoint Fréchet derivative, computed as the upper-right block of
 * $\exp\begin{pmatrix} A^\top & G \\ 0 & A^\top \end{pmatrix}$ (Najfeld & Havel 1995).
 * @example
 * ```ts
 * import { matrixExp, tensor } from '@eddy/core';
 * matrixExp(tensor([[0, 1], [-1, 0]], { dtype: 'float64' })); // rotation by 1 radian
 * ```
 * @category Linear algebra
 */
export function matrixExp(a: Tensor): Tensor {
  checkFloat('matrixExp', a);
  const n = a.shape[a.ndim - 1] as number;
  if (a.ndim < 2 || a.shape[a.ndim - 2] !== n) throw new ShapeError(`matrixExp: expected [..., n, n], got ${fmtShape(a.shape)}`);
  return expmImpl(a);
}

const expmImpl = customGrad((a: Tensor) => {
  const value = noGrad(() => expmForward(a));
  return {
    value,
    backward: (g: Tensor) => {
      const n = a.shape[a.ndim - 1] as number;
      const at = transpose(a);
      const top = concat([at, g], -1);
      const bottom = concat([g.zerosLike(), at], -1);
      const big = matrixExp(concat([top, bottom], -2));
      return [slice(slice(big, -2, 0, n), -1, n, 2 * n)];
    },
  };
}, 'matrixExp');
