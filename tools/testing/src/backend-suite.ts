import {
  type Backend,
  type BinaryOp,
  type FloatDType,
  type Tensor,
  type UnaryOp,
  add,
  cast,
  concat,
  cumsum,
  expand,
  flip,
  gather,
  getBackend,
  lu,
  matmul,
  max,
  min,
  permute,
  prod,
  scatterAdd,
  searchsorted,
  setBackend,
  slice,
  special,
  stridesOf,
  sum,
  take,
  tensor,
  triangularSolve,
  tril,
  triu,
  where,
  zeros,
  broadcastShapes,
  sizeOf,
} from '@eddy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostValues } from './host-values.js';

/**
 * Options of {@link backendSuite}.
 */
export interface BackendSuiteOptions {
  /** Float dtypes the backend stores (float64 is skipped where unsupported). */
  dtypes: readonly FloatDType[];
  /** Relative tolerance per dtype. */
  rtol?: Partial<Record<FloatDType, number>>;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${what}[${i}] should be NaN, got ${a}`).toBe(true);
      continue;
    }
    if (!Number.isFinite(e)) {
      expect(a, `${what}[${i}]`).toBe(e);
      continue;
    }
    const tol = rtol * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tol)) {
      throw new Error(`${what}[${i}]: got ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}

/** Row-major multi-index iteration helper: value of a broadcast operand at flat output index. */
function broadcastGet(vals: ArrayLike<number>, shape: readonly number[], outShape: readonly number[], flat: number): number {
  const ost = stridesOf(outShape);
  const st = stridesOf(shape);
  let off = 0;
  for (let d = 0; d < outShape.length; d++) {
    const i = Math.floor(flat / (ost[d] as number)) % (outShape[d] as number);
    const sd = d - (outShape.length - shape.length);
    if (sd >= 0 && shape[sd] !== 1) off += i * (st[sd] as number);
  }
  return vals[off] as number;
}

const UNARY_REF: Array<[UnaryOp, (a: number) => number, [number, number]]> = [
  ['neg', (a) => -a, [-3, 3]],
  ['exp', Math.exp, [-3, 3]],
  ['expm1', Math.expm1, [-1, 1]],
  ['log', Math.log, [0.1, 5]],
  ['log1p', Math.log1p, [-0.5, 3]],
  ['sqrt', Math.sqrt, [0, 5]],
  ['square', (a) => a * a, [-3, 3]],
  ['reciprocal', (a) => 1 / a, [0.5, 3]],
  ['abs', Math.abs, [-3, 3]],
  ['sign', Math.sign, [-3, 3]],
  ['sin', Math.sin, [-3, 3]],
  ['cos', Math.cos, [-3, 3]],
  ['tan', Math.tan, [-1, 1]],
  ['asin', Math.asin, [-0.9, 0.9]],
  ['acos', Math.acos, [-0.9, 0.9]],
  ['atan', Math.atan, [-3, 3]],
  ['sinh', Math.sinh, [-3, 3]],
  ['cosh', Math.cosh, [-3, 3]],
  ['tanh', Math.tanh, [-3, 3]],
  ['sigmoid', (a) => 1 / (1 + Math.exp(-a)), [-8, 8]],
  ['logsigmoid', (a) => -Math.log1p(Math.exp(-a)), [-8, 8]],
  ['softplus', (a) => (a > 20 ? a : Math.log1p(Math.exp(a))), [-8, 30]],
  ['relu', (a) => Math.max(a, 0), [-3, 3]],
  ['erf', special.erf, [-3, 3]],
  ['erfc', special.erfc, [-3, 3]],
  ['erfinv', special.erfinv, [-0.99, 0.99]],
  ['lgamma', special.lgamma, [0.1, 8]],
  ['digamma', special.digamma, [0.1, 8]],
  ['floor', Math.floor, [-3, 3]],
  ['ceil', Math.ceil, [-3, 3]],
];

const BINARY_REF: Array<[BinaryOp, (a: number, b: number) => number]> = [
  ['add', (a, b) => a + b],
  ['sub', (a, b) => a - b],
  ['mul', (a, b) => a * b],
  ['div', (a, b) => a / b],
  ['pow', (a, b) => Math.abs(a) ** b],
  ['atan2', Math.atan2],
  ['minimum', Math.min],
  ['maximum', Math.max],
  ['remainder', (a, b) => a - b * Math.floor(a / b)],
  ['lt', (a, b) => (a < b ? 1 : 0)],
  ['ge', (a, b) => (a >= b ? 1 : 0)],
  ['le', (a, b) => (a <= b ? 1 : 0)],
  ['gt', (a, b) => (a > b ? 1 : 0)],
  ['eq', (a, b) => (a === b ? 1 : 0)],
  ['ne', (a, b) => (a !== b ? 1 : 0)],
];

const BOOL_OUT = new Set<BinaryOp>(['lt', 'ge', 'le', 'gt', 'eq', 'ne']);

/**
 * The one test suite every backend runs: each primitive kernel, reached through the core
 * ops, against plain JavaScript references on small inputs, including broadcasting,
 * non-contiguous axes, empty tensors and NaN. Call it inside a test file of the backend's
 * package.
 */
export function backendSuite(backend: Backend, options: BackendSuiteOptions): void {
  const rtolOf = (d: FloatDType): number => options.rtol?.[d] ?? (d === 'float64' ? 1e-12 : 2e-6);
  describe(`backend suite: ${backend.name}`, () => {
    let previous: string | undefined;
    beforeAll(() => {
      try {
        previous = getBackend().name;
      } catch {
        previous = undefined;
      }
      setBackend(backend.name);
    });
    afterAll(() => {
      if (previous !== undefined) setBackend(previous);
    });

    for (const dtype of options.dtypes) {
      const rtol = rtolOf(dtype);
      const t = (vals: ArrayLike<number>, shape: readonly number[]): Tensor => tensor(Float64Array.from(vals), { shape, dtype });

      describe(dtype, () => {
        it('unary ops match Math / special functions', () => {
          for (const [op, ref, [lo, hi]] of UNARY_REF) {
            const v = hostValues(24, 3, lo, hi);
            const x = t(v, [4, 6]);
            const round = dtype === 'float32' ? Math.fround : (a: number) => a;
            const expected = Array.from(v, (a) => ref(round(a)));
            // Call through the backend directly: the unary kernel is the thing under test.
            const y = backend.unary(op, x, dtype);
            close(backend.readSync({ shape: x.shape, dtype, handle: y }), expected, op === 'tan' || op === 'digamma' || op === 'lgamma' ? rtol * 10 : rtol, op);
          }
        });

        it('unary ops propagate NaN and handle ±Infinity', () => {
          const x = t([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], [3]);
          close(x.exp().dataSync(), [Number.NaN, Number.POSITIVE_INFINITY, 0], rtol, 'exp');
          close(x.tanh().dataSync(), [Number.NaN, 1, -1], rtol, 'tanh');
          close(x.softplus().dataSync(), [Number.NaN, Number.POSITIVE_INFINITY, 0], rtol, 'softplus');
          close(x.sigmoid().dataSync(), [Number.NaN, 1, 0], rtol, 'sigmoid');
        });

        it('binary ops broadcast like NumPy', () => {
          const cases: Array<[number[], number[]]> = [
            [
              [2, 3],
              [2, 3],
            ],
            [[2, 3], [3]],
            [
              [2, 1, 4],
              [3, 1],
            ],
            [[], [5]],
            [[4, 1], []],
            [[0, 3], [3]],
            [
              [1, 3, 1, 2],
              [2, 1, 4, 1],
            ],
          ];
          for (const [sa, sb] of cases) {
            const va = hostValues(sizeOf(sa), 5, 0.5, 3);
            const vb = hostValues(sizeOf(sb), 6, 0.5, 3);
            const out = broadcastShapes('test', sa, sb);
            for (const [op, ref] of BINARY_REF) {
              const y = backend.binary(op, t(va, sa), t(vb, sb), out, BOOL_OUT.has(op) ? 'bool' : dtype);
              const got = backend.readSync({ shape: out, dtype, handle: y });
              const exp = Array.from({ length: sizeOf(out) }, (_, i) => {
                const r32 = dtype === 'float32' ? Math.fround : (a: number) => a;
                return ref(r32(broadcastGet(va, sa, out, i)), r32(broadcastGet(vb, sb, out, i)));
              });
              close(got, exp, rtol * 4, `${op} ${JSON.stringify(sa)}·${JSON.stringify(sb)}`);
            }
          }
        });

        it('comparisons on ties and NaN; logical ops; isnan, isfinite, logicalNot', () => {
          const nan = Number.NaN;
          const a = t([1, 2, nan, 3, Number.POSITIVE_INFINITY], [5]);
          const b = t([1, 3, nan, 2, Number.POSITIVE_INFINITY], [5]);
          const cmp = (op: BinaryOp): number[] => Array.from(backend.readSync({ shape: [5], dtype: 'bool', handle: backend.binary(op, a, b, [5], 'bool') }));
          expect(cmp('eq')).toEqual([1, 0, 0, 0, 1]);
          expect(cmp('ne')).toEqual([0, 1, 1, 1, 0]);
          expect(cmp('lt')).toEqual([0, 1, 0, 0, 0]);
          expect(cmp('le')).toEqual([1, 1, 0, 0, 1]);
          expect(cmp('gt')).toEqual([0, 0, 0, 1, 0]);
          expect(cmp('ge')).toEqual([1, 0, 0, 1, 1]);
          const p = tensor([[true], [false]]);
          const q = tensor([true, false, true]);
          const logical = (op: BinaryOp): number[] =>
            Array.from(backend.readSync({ shape: [2, 3], dtype: 'bool', handle: backend.binary(op, p, q, [2, 3], 'bool') }));
          expect(logical('logicalAnd')).toEqual([1, 0, 1, 0, 0, 0]);
          expect(logical('logicalOr')).toEqual([1, 1, 1, 1, 0, 1]);
          const v = t([nan, 1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0], [5]);
          const un = (op: UnaryOp, x: Tensor): number[] =>
            Array.from(backend.readSync({ shape: x.shape, dtype: 'bool', handle: backend.unary(op, x, 'bool') }));
          expect(un('isnan', v)).toEqual([1, 0, 0, 0, 0]);
          expect(un('isfinite', v)).toEqual([0, 1, 0, 0, 1]);
          expect(un('logicalNot', tensor([true, false, true]))).toEqual([0, 1, 0]);
        });

        it('remainder follows the sign of the divisor', () => {
          const r = t([-7, 7, -7, 7, 5.5], [5]).remainder(t([3, -3, -3, 3, 2], [5]));
          close(r.dataSync(), [2, -2, -1, 1, 1.5], rtol, 'remainder');
        });

        it('where broadcasts condition and both branches', () => {
          const c = tensor([[true], [false]]);
          const y = where(c, t([1, 2, 3], [3]), t([10], [1]));
          expect(y.toArray()).toEqual([
            [1, 2, 3],
            [10, 10, 10],
          ]);
        });

        it('strided views: permute, flip, slice, expand', () => {
          const v = Array.from({ length: 24 }, (_, i) => i);
          const x = t(v, [2, 3, 4]);
          const p = permute(x, [2, 0, 1]);
          expect(p.shape).toEqual([4, 2, 3]);
          const pd = p.dataSync();
          for (let i = 0; i < 4; i++)
            for (let j = 0; j < 2; j++)
              for (let k = 0; k < 3; k++) {
                expect(pd[i * 6 + j * 3 + k]).toBe(j * 12 + k * 4 + i);
              }
          expect(Array.from(flip(x, 2).dataSync().slice(0, 4))).toEqual([3, 2, 1, 0]);
          expect(Array.from(flip(x, 0).dataSync().slice(0, 2))).toEqual([12, 13]);
          expect(slice(x, 1, 1, 3).toArray()).toEqual([
            [
              [4, 5, 6, 7],
              [8, 9, 10, 11],
            ],
            [
              [16, 17, 18, 19],
              [20, 21, 22, 23],
            ],
          ]);
          expect(slice(x, 2, 0, 4, 3).toArray()).toEqual([
            [
              [0, 3],
              [4, 7],
              [8, 11],
            ],
            [
              [12, 15],
              [16, 19],
              [20, 23],
            ],
          ]);
          expect(expand(t([1, 2], [2, 1]), [2, 2, 3]).toArray()).toEqual([
            [
              [1, 1, 1],
              [2, 2, 2],
            ],
            [
              [1, 1, 1],
              [2, 2, 2],
            ],
          ]);
        });

        it('reductions over any axis set, with keepdims', () => {
          const shape = [2, 3, 4];
          const v = hostValues(24, 7, 0.5, 1.5);
          const x = t(v, shape);
          const axesCases: number[][] = [[0], [1], [2], [0, 2], [0, 1], [1, 2], [0, 1, 2]];
          for (const axes of axesCases) {
            const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
            const n = sizeOf(kept);
            const refs = {
              sum: new Float64Array(n),
              prod: new Float64Array(n).fill(1),
              max: new Float64Array(n).fill(-Infinity),
              min: new Float64Array(n).fill(Infinity),
            };
            const kst = stridesOf(kept);
            for (let i = 0; i < 24; i++) {
              const idx = [Math.floor(i / 12), Math.floor(i / 4) % 3, i % 4];
              let o = 0;
              idx.forEach((q, d) => {
                if (!axes.includes(d)) o += q * (kst[d] as number);
              });
              const a = dtype === 'float32' ? Math.fround(v[i] as number) : (v[i] as number);
              refs.sum[o] = (refs.sum[o] as number) + a;
              refs.prod[o] = (refs.prod[o] as number) * a;
              refs.max[o] = Math.max(refs.max[o] as number, a);
              refs.min[o] = Math.min(refs.min[o] as number, a);
            }
            const s = sum(x, axes, true);
            expect(s.shape).toEqual(kept);
            close(s.dataSync(), refs.sum, rtol * 8, `sum ${axes}`);
            close(prod(x, axes).dataSync(), refs.prod, rtol * 8, `prod ${axes}`);
            close(max(x, axes).dataSync(), refs.max, rtol, `max ${axes}`);
            close(min(x, axes).dataSync(), refs.min, rtol, `min ${axes}`);
          }
        });

        it('reductions: NaN propagates through max, empty sums are 0', () => {
          close(max(t([1, Number.NaN, 3], [3])).dataSync(), [Number.NaN], rtol, 'max NaN');
          close(sum(zeros([0, 3], { dtype }), 0).dataSync(), [0, 0, 0], rtol, 'empty sum');
          expect(sum(zeros([0], { dtype })).item()).toBe(0);
        });

        it('cumsum along each axis', () => {
          const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
          expect(cumsum(x, 1).toArray()).toEqual([
            [1, 3, 6],
            [4, 9, 15],
          ]);
          expect(cumsum(x, 0).toArray()).toEqual([
            [1, 2, 3],
            [5, 7, 9],
          ]);
          expect(cumsum(x, -1).toArray()).toEqual([
            [1, 3, 6],
            [4, 9, 15],
          ]);
        });

        it('concat along each axis', () => {
          const a = t([1, 2, 3, 4], [2, 2]);
          const b = t([5, 6], [2, 1]);
          expect(concat([a, b], 1).toArray()).toEqual([
            [1, 2, 5],
            [3, 4, 6],
          ]);
          expect(concat([a, t([7, 8], [1, 2])], 0).toArray()).toEqual([
            [1, 2],
            [3, 4],
            [7, 8],
          ]);
        });

        it('matmul: odd sizes, batches, broadcast batch dims, vectors', () => {
          const cases: Array<[number[], number[]]> = [
            [
              [5, 7],
              [7, 9],
            ],
            [
              [1, 1],
              [1, 1],
            ],
            [
              [3, 4],
              [4, 4],
            ],
            [
              [2, 3, 5],
              [5, 6],
            ],
            [
              [2, 1, 3, 5],
              [4, 5, 2],
            ],
            [[6], [6, 3]],
            [[4, 6], [6]],
            [
              [0, 3],
              [3, 2],
            ],
          ];
          for (const [sa, sb] of cases) {
            const va = hostValues(sizeOf(sa), 11);
            const vb = hostValues(sizeOf(sb), 12);
            const y = matmul(t(va, sa), t(vb, sb));
            const a2 = sa.length === 1 ? [1, ...sa] : sa;
            const b2 = sb.length === 1 ? [...sb, 1] : sb;
            const m = a2[a2.length - 2] as number;
            const k = a2[a2.length - 1] as number;
            const n = b2[b2.length - 1] as number;
            const batch = broadcastShapes('ref', a2.slice(0, -2), b2.slice(0, -2));
            const nb = sizeOf(batch);
            const exp = new Float64Array(nb * m * n);
            const r = dtype === 'float32' ? Math.fround : (q: number) => q;
            for (let bi = 0; bi < nb; bi++) {
              for (let i = 0; i < m; i++)
                for (let j = 0; j < n; j++) {
                  let s = 0;
                  for (let q = 0; q < k; q++) {
                    const ai = broadcastGet(va, a2, [...batch, m, k], (bi * m + i) * k + q);
                    const bj = broadcastGet(vb, b2, [...batch, k, n], (bi * k + q) * n + j);
                    s += r(ai) * r(bj);
                  }
                  exp[(bi * m + i) * n + j] = s;
                }
            }
            close(y.dataSync(), exp, rtol * 16, `matmul ${JSON.stringify(sa)}@${JSON.stringify(sb)}`);
          }
        });

        it('gather, take and scatterAdd', () => {
          const x = t([1, 2, 3, 4, 5, 6], [2, 3]);
          const idx = tensor(
            [
              [2, 0],
              [1, 1],
            ],
            { dtype: 'int32' },
          );
          expect(gather(x, idx, 1).toArray()).toEqual([
            [3, 1],
            [5, 5],
          ]);
          expect(gather(x, tensor([[1, 0, 1]], { dtype: 'int32' }), 0).toArray()).toEqual([[4, 2, 6]]);
          expect(take(x, [2, -3], 1).toArray()).toEqual([
            [3, 1],
            [6, 4],
          ]);
          const s = scatterAdd(zeros([2, 3], { dtype }), idx, t([1, 10, 100, 1000], [2, 2]), 1);
          expect(s.toArray()).toEqual([
            [10, 0, 1],
            [0, 1100, 0],
          ]);
          expect(() => gather(x, tensor([[3]], { dtype: 'int32' }), 1).dataSync()).toThrow(/out of range/);
        });

        it('searchsorted left and right with ties and batches', () => {
          const s = t([0, 1, 1, 2], [4]);
          const v = t([-1, 0, 1, 1.5, 2, 3], [6]);
          expect(searchsorted(s, v).toArray()).toEqual([0, 0, 1, 3, 3, 4]);
          expect(searchsorted(s, v, 'right').toArray()).toEqual([0, 1, 3, 3, 4, 4]);
          const sb = t([0, 1, 2, 10, 20, 30], [2, 3]);
          expect(searchsorted(sb, t([1.5, 15], [2, 1])).toArray()).toEqual([[2], [1]]);
        });

        it('triangular solve: every triangle/transpose/unit combination', () => {
          const n = 4;
          const v = hostValues(n * n, 21, -1, 1);
          for (let i = 0; i < n; i++) v[i * n + i] = 3 + i;
          const a = t(v, [n, n]);
          const b = t(hostValues(n * 2, 22), [n, 2]);
          for (const upper of [false, true])
            for (const transpose of [false, true])
              for (const unitDiagonal of [false, true]) {
                const x = triangularSolve(a, b, { upper, transpose, unitDiagonal });
                let tri = upper ? triu(a, unitDiagonal ? 1 : 0) : tril(a, unitDiagonal ? -1 : 0);
                if (unitDiagonal)
                  tri = add(
                    tri,
                    tensor(
                      Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)),
                      { shape: [n, n], dtype },
                    ),
                  );
                const op = transpose ? permute(tri, [1, 0]) : tri;
                close(matmul(op, x).dataSync(), b.dataSync(), rtol * 50, `solve upper=${upper} T=${transpose} unit=${unitDiagonal}`);
              }
        });

        it('lu reconstructs P·A = L·U', () => {
          const n = 5;
          const a = t(hostValues(2 * n * n, 31), [2, n, n]);
          const { lu: f, pivots } = lu(a);
          const fd = f.dataSync();
          const pd = pivots.dataSync();
          const ad = a.dataSync();
          for (let bi = 0; bi < 2; bi++) {
            const rows = Array.from({ length: n }, (_, i) => i);
            for (let i = 0; i < n; i++) {
              const j = pd[bi * n + i] as number;
              expect(j).toBeGreaterThanOrEqual(i);
              [rows[i], rows[j]] = [rows[j] as number, rows[i] as number];
            }
            for (let i = 0; i < n; i++)
              for (let j = 0; j < n; j++) {
                let s = 0;
                for (let q = 0; q <= Math.min(i, j); q++) {
                  const l = q === i ? 1 : (fd[bi * n * n + i * n + q] as number);
                  s += l * (fd[bi * n * n + q * n + j] as number);
                }
                const e = ad[bi * n * n + (rows[i] as number) * n + j] as number;
                expect(Math.abs(s - e)).toBeLessThan(rtol * 100);
              }
          }
        });

        it('cast truncates toward zero and maps to bool by x != 0', () => {
          const x = t([1.7, -1.7, 0, 2], [4]);
          expect(Array.from(cast(x, 'int32').dataSync())).toEqual([1, -1, 0, 2]);
          expect(cast(x, 'bool').toArray()).toEqual([true, true, false, true]);
        });
      });
    }
  });
}
