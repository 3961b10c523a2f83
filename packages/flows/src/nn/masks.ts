import { ValueError } from '@eddy/core';

/**
 * A dense boolean matrix on the host: `data[i * cols + j]` is 1 or 0.
 * @category Networks
 */
export interface BoolMatrix {
  /** Number of rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** Row-major 0/1 entries, length `rows · cols`. */
  data: Uint8Array;
}

/**
 * One block of a {@link MaskedMLP}, as planned by {@link maskedMLPBlocks}: a masked
 * linear layer, or a residual block `Residual(ML(H, H), act, ML(H, H))` whose two layers
 * share `mask`.
 * @category Networks
 */
export interface MaskedMLPBlock {
  /** `'linear'` (one masked layer) or `'residual'` (a residual block). */
  type: 'linear' | 'residual';
  /** The mask `[out, in]` of the layer (both layers for a residual block). */
  mask: BoolMatrix;
}

/** Rows as bitsets, column 0 in the most significant bit of word 0. */
class BitRows {
  readonly words: number;
  readonly bits: Uint32Array;

  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {
    this.words = (cols + 31) >>> 5;
    this.bits = new Uint32Array(rows * this.words);
  }

  /**
   * Packs a 0/1 (any non-zero byte = 1) matrix. Bytes are read four at a time where the
   * buffer allows it: the non-zero flags of a little-endian word `v` are folded into bit 0
   * of each byte and gathered into a nibble by one multiplication.
   */
  static fromMatrix(m: BoolMatrix): BitRows {
    const b = new BitRows(m.rows, m.cols);
    const { data, cols } = m;
    const w = b.words;
    const bits = b.bits;
    const quad = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2) : null;
    for (let r = 0; r < m.rows; r++) {
      let g = r * cols;
      const end = g + cols;
      let out = r * w;
      let acc = 0; // pending bits, most significant first
      let nacc = 0; // number of pending bits (< 32)
      // Head: single bytes until the byte index is word-aligned.
      while (g < end && (quad === null || (g & 3) !== 0)) {
        acc = (acc << 1) | (data[g++] !== 0 ? 1 : 0);
        if (++nacc === 32) {
          bits[out++] = acc >>> 0;
          acc = 0;
          nacc = 0;
        }
      }
      if (quad !== null) {
        for (; g + 4 <= end; g += 4) {
          let v = quad[g >>> 2] as number;
          v |= v >>> 4;
          v |= v >>> 2;
          v |= v >>> 1;
          const nib = (Math.imul(v & 0x01010101, 0x08040201) >>> 24) & 0xf;
          if (nacc <= 28) {
            acc = (acc << 4) | nib;
            nacc += 4;
            if (nacc === 32) {
              bits[out++] = acc >>> 0;
              acc = 0;
              nacc = 0;
            }
          } else {
            const hi = 32 - nacc;
            bits[out++] = ((acc << hi) | (nib >>> (4 - hi))) >>> 0;
            nacc = 4 - hi;
            acc = nib & ((1 << nacc) - 1);
          }
        }
        // Tail: the last 0-3 bytes.
        while (g < end) {
          acc = (acc << 1) | (data[g++] !== 0 ? 1 : 0);
          if (++nacc === 32) {
            bits[out++] = acc >>> 0;
            acc = 0;
            nacc = 0;
          }
        }
      }
      if (nacc > 0) bits[out] = (acc << (32 - nacc)) >>> 0;
    }
    return b;
  }

  /** Whether rows `a` and `b` are equal. */
  equal(a: number, b: number): boolean {
    const w = this.words;
    const bits = this.bits;
    for (let k = 0; k < w; k++) if (bits[a * w + k] !== bits[b * w + k]) return false;
    return true;
  }

  /** Lexicographic comparison of rows `a` and `b` (column 0 most significant, 0 < 1). */
  compare(a: number, b: number): number {
    const w = this.words;
    const bits = this.bits;
    for (let k = 0; k < w; k++) {
      const x = bits[a * w + k] as number;
      const y = bits[b * w + k] as number;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /** Whether row `a` is non-zero. */
  any(a: number): boolean {
    const w = this.words;
    for (let k = 0; k < w; k++) if (this.bits[a * w + k] !== 0) return true;
    return false;
  }

  /** Whether the set of row `sub` is contained in that of row `sup`. */
  subset(sub: number, sup: number): boolean {
    const w = this.words;
    const bits = this.bits;
    const s = sub * w;
    const t = sup * w;
    for (let k = 0; k < w; k++) if (((bits[s + k] as number) & ~(bits[t + k] as number)) !== 0) return false;
    return true;
  }
}

/**
 * `torch.unique(A, dim=0, return_inverse=True)` on bitset rows: the distinct rows sorted
 * lexicographically ascending, and the index of every original row among them.
 */
function uniqueRows(a: BitRows): { unique: BitRows; inverse: Int32Array } {
  const n = a.rows;
  // Runs of equal consecutive rows (e.g. from repeat_interleave) are sorted once.
  const isHead = new Uint8Array(n);
  const heads: number[] = [];
  for (let r = 0; r < n; r++) {
    if (r === 0 || !a.equal(r - 1, r)) {
      isHead[r] = 1;
      heads.push(r);
    }
  }
  const order = Int32Array.from(heads).sort((x, y) => a.compare(x, y) || x - y);
  const headClass = new Int32Array(n);
  const firsts: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const r = order[k] as number;
    if (k === 0 || a.compare(order[k - 1] as number, r) !== 0) firsts.push(r);
    headClass[r] = firsts.length - 1;
  }
  const inverse = new Int32Array(n);
  let current = 0;
  for (let r = 0; r < n; r++) {
    if (isHead[r] === 1) current = headClass[r] as number;
    inverse[r] = current;
  }
  const unique = new BitRows(firsts.length, a.cols);
  const w = a.words;
  for (const [i, r] of firsts.entries()) unique.bits.set(a.bits.subarray(r * w, (r + 1) * w), i * w);
  return { unique, inverse };
}

function nullJacobian(): never {
  throw new ValueError('MaskedMLP: the adjacency matrix leads to a null Jacobian');
}

/** `idx = reachable[arange(h) % len(reachable)]`. */
function assign(reachable: readonly number[], h: number): Int32Array {
  const idx = new Int32Array(h);
  for (let i = 0; i < h; i++) idx[i] = reachable[i % reachable.length] as number;
  return idx;
}

/** `P[rows][:, cols]` with `P[i, j] = (U_j ⊆ U_i)`. */
function precedence(u: BitRows, rows: Int32Array, cols: Int32Array): BoolMatrix {
  const data = new Uint8Array(rows.length * cols.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    for (let j = 0; j < cols.length; j++) if (u.subset(cols[j] as number, r)) data[i * cols.length + j] = 1;
  }
  return { rows: rows.length, cols: cols.length, data };
}

/**
 * Plans the layers of zuko's `MaskedMLP` (`nn.py:258-318`) from an adjacency `A`
 * `[M, N]` (output `i` may depend on input `j` iff `A[i, j]`), on plain typed arrays:
 *
 * 1. `U, inv = unique(A, dim=0)` (distinct rows, lexicographically ascending);
 * 2. `P[i, j] = U_j ⊆ U_i`;
 * 3. hidden layer `l` with `H_l` units: `K = U` (`l = 0`) or `P[:, idx_{l−1}]`;
 *    `idx_l = reachable[arange(H_l) mod |reachable|]` with `reachable` the ascending
 *    non-zero rows of `K`; `mask_l = K[idx_l]`;
 * 4. output: `mask = P[:, idx_{L−1}][inv]` (`A` itself when there are no hidden layers);
 * 5. `residual`: after every hidden layer a residual block with mask
 *    `P[idx_l][:, idx_l]`; for `l ≥ 1` with `H_l = H_{l−1}` the plain layer is dropped.
 *
 * Without `residual`, {@link MaskedMLP} puts an activation between consecutive blocks;
 * with it, activations only live inside the residual blocks. Throws a `ValueError` if
 * `A` is all zero (a null Jacobian), as zuko does. Only the needed columns of `P` are
 * computed, so a 1000-feature autoregressive network plans in milliseconds.
 *
 * @example
 * ```ts
 * import { maskedMLPBlocks } from '@eddy/flows';
 * const A = { rows: 2, cols: 2, data: new Uint8Array([0, 0, 1, 0]) };
 * maskedMLPBlocks(A, [4]).map((b) => [b.mask.rows, b.mask.cols]); // [[4, 2], [2, 4]]
 * ```
 * @category Networks
 */
export function maskedMLPBlocks(adjacency: BoolMatrix, hiddenFeatures: readonly number[], residual = false): MaskedMLPBlock[] {
  const { rows: m, cols: n } = adjacency;
  if (adjacency.data.length !== m * n) throw new ValueError(`maskedMLPBlocks: expected ${m * n} entries, got ${adjacency.data.length}`);
  for (const h of hiddenFeatures) {
    if (!Number.isSafeInteger(h) || h < 1) throw new ValueError(`MaskedMLP: hidden sizes must be positive integers, got [${hiddenFeatures.join(', ')}]`);
  }
  const { unique: u, inverse } = uniqueRows(BitRows.fromMatrix(adjacency));
  const k = u.rows;
  const depth = hiddenFeatures.length;
  const blocks: MaskedMLPBlock[] = [];
  let prev: Int32Array | null = null;
  for (let i = 0; i <= depth; i++) {
    let mask: BoolMatrix;
    let idx: Int32Array | null = null;
    if (prev === null) {
      const reachable: number[] = [];
      for (let r = 0; r < k; r++) if (u.any(r)) reachable.push(r);
      if (reachable.length === 0) nullJacobian();
      if (i < depth) {
        idx = assign(reachable, hiddenFeatures[i] as number);
        const data = new Uint8Array(idx.length * n);
        for (let h = 0; h < idx.length; h++) {
          const base = (idx[h] as number) * u.words;
          for (let j = 0; j < n; j++) if (((u.bits[base + (j >>> 5)] as number) & (0x80000000 >>> (j & 31))) !== 0) data[h * n + j] = 1;
        }
        mask = { rows: idx.length, cols: n, data };
      } else {
        mask = { rows: m, cols: n, data: Uint8Array.from(adjacency.data, (v) => (v !== 0 ? 1 : 0)) };
      }
    } else {
      // Columns of P that this layer reads: the distinct units of the previous layer.
      const cols = Int32Array.from(new Set(prev));
      const all = new Int32Array(k);
      for (let r = 0; r < k; r++) all[r] = r;
      const pk = precedence(u, all, cols); // P[:, distinct(idx_{l−1})], [K, |cols|]
      const colOf = new Map<number, number>();
      for (const [j, c] of cols.entries()) colOf.set(c, j);
      const prevCol = Int32Array.from(prev, (c) => colOf.get(c) as number);
      const h0 = prev.length;
      const expand = (rowOf: (r: number) => number, rows: number): BoolMatrix => {
        const data = new Uint8Array(rows * h0);
        for (let r = 0; r < rows; r++) {
          const src = rowOf(r) * cols.length;
          for (let h = 0; h < h0; h++) data[r * h0 + h] = pk.data[src + (prevCol[h] as number)] as number;
        }
        return { rows, cols: h0, data };
      };
      if (i < depth) {
        const reachable: number[] = [];
        for (let r = 0; r < k; r++) {
          for (let j = 0; j < cols.length; j++) {
            if (pk.data[r * cols.length + j] !== 0) {
              reachable.push(r);
              break;
            }
          }
        }
        if (reachable.length === 0) nullJacobian();
        idx = assign(reachable, hiddenFeatures[i] as number);
        const rowsIdx: Int32Array = idx;
        mask = expand((r) => rowsIdx[r] as number, idx.length);
      } else {
        mask = expand((r) => inverse[r] as number, m);
      }
    }
    blocks.push({ type: 'linear', mask });
    if (residual && idx !== null) {
      if (i > 0 && mask.rows === mask.cols) blocks.pop();
      blocks.push({ type: 'residual', mask: precedence(u, idx, idx) });
    }
    if (idx !== null) prev = idx;
  }
  return blocks;
}
