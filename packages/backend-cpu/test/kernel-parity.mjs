// Native-vs-TypeScript kernel parity: runs every kernel of a candidate table and of the
// TypeScript table (the oracle, float64 arithmetic) on the same seeded inputs — odd sizes,
// offsets, transposes, several input blocks, values inside and outside the spline's
// range — and returns, per kernel and dtype, the worst |candidate − oracle| divided by
// its allowed error. Shared by the in-process test and the per-instruction-set
// subprocesses (native-isa-check.mjs). Plain JavaScript so a bare `node` can run it.

/** A small deterministic generator (xorshift32) → uniform [lo, hi). */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return (lo = -1, hi = 1) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return lo + ((hi - lo) * s) / 4294967296;
  };
}

const U = { float32: 2 ** -24, float64: 2 ** -53 };

/** Worst ratio |a − b| / tol[i] over the elements. */
function worst(a, b, tol, n = a.length) {
  let w = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Number.POSITIVE_INFINITY;
    if (Number.isNaN(d)) continue;
    w = Math.max(w, d / tol(i));
  }
  return w;
}

export function compareKernels(cand, oracle) {
  const out = [];
  for (const dtype of ['float32', 'float64']) {
    const T = dtype === 'float32' ? Float32Array : Float64Array;
    const u = U[dtype];
    const r = rng(dtype === 'float32' ? 7 : 11);
    const fill = (n, lo, hi) => T.from({ length: n }, () => r(lo, hi));
    // gemm: every transpose combination, leading dimensions, offsets, accumulate.
    let gw = 0;
    for (const [m, n, k] of [
      [1, 1, 1],
      [13, 17, 9],
      [12, 32, 64],
      [25, 33, 401],
      [100, 16, 8],
      [7, 184, 64],
    ]) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const beta of [0, 1]) {
            const lda = (ta ? m : k) + 3;
            const ldb = (tb ? k : n) + 2;
            const ldc = n + 1;
            const a = fill((ta ? k : m) * lda + 5);
            const b = fill((tb ? n : k) * ldb + 4);
            const c0 = fill(m * ldc + 2);
            const c1 = T.from(c0);
            const c2 = T.from(c0);
            cand.gemm(ta, tb, m, n, k, a, 5, lda, b, 4, ldb, c1, 1, ldc, beta);
            oracle.gemm(ta, tb, m, n, k, a, 5, lda, b, 4, ldb, c2, 1, ldc, beta);
            // Error bound of a k-term dot product: (k + 2)·u·Σ|a_i b_i| (+ |c| when accumulating).
            const scale = new Float64Array(c0.length);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let s = beta ? Math.abs(c0[1 + i * ldc + j]) : 0;
                for (let kk = 0; kk < k; kk++)
                  s += Math.abs((ta ? a[5 + kk * lda + i] : a[5 + i * lda + kk]) * (tb ? b[4 + j * ldb + kk] : b[4 + kk * ldb + j]));
                scale[1 + i * ldc + j] = s;
              }
            }
            gw = Math.max(
              gw,
              worst(c1, c2, (i) => (k + 2) * u * scale[i] + 1e-300),
            );
            if (c1[0] !== c0[0]) gw = Number.POSITIVE_INFINITY; // wrote outside C
          }
        }
      }
    }
    out.push({ kernel: 'gemm', dtype, worst: gw });
    // linear: several blocks, bias, ReLU; rows not a multiple of any block size.
    let lw = 0;
    for (const [m, blocks, n, act, bias] of [
      [37, [5], 64, 1, true],
      [50, [3, 1, 7, 2], 19, 0, true],
      [16, [8], 184, 0, false],
      [1, [64], 64, 1, true],
    ]) {
      const K = blocks.reduce((p, q) => p + q, 0);
      const xs = blocks.map((kb) => fill(m * kb));
      const w = fill(n * K);
      const bb = bias ? fill(n) : null;
      const y1 = new T(m * n);
      const y2 = new T(m * n);
      cand.linear(m, n, xs, w, bb, act, y1);
      oracle.linear(m, n, xs, w, bb, act, y2);
      lw = Math.max(
        lw,
        worst(y1, y2, () => (K + 3) * u * K + 1e-300),
      );
    }
    out.push({ kernel: 'linear', dtype, worst: lw });
    // linear backward: ReLU mask from y or none; some input gradients not requested.
    let bw = 0;
    for (const [m, blocks, n, relu, need] of [
      [37, [5], 64, true, [true]],
      [50, [3, 1, 7], 19, false, [true, false, true]],
      [600, [8], 184, true, [false]],
    ]) {
      const K = blocks.reduce((p, q) => p + q, 0);
      const xs = blocks.map((kb) => fill(m * kb));
      const w = fill(n * K);
      const g = fill(m * n);
      const y = relu ? fill(m * n) : null;
      const res = [cand, oracle].map((k) => {
        const gxs = blocks.map((kb, b) => (need[b] ? new T(m * kb) : null));
        const gw = new T(n * K);
        const gb = new T(n);
        k.linearBackward(m, n, g, y, xs, w, gxs, gw, gb);
        return { gxs, gw, gb };
      });
      const [c, o] = res;
      for (const [b, kb] of blocks.entries())
        if (need[b])
          bw = Math.max(
            bw,
            worst(c.gxs[b], o.gxs[b], () => (n + 2) * u * n + 1e-300, m * kb),
          );
      bw = Math.max(
        bw,
        worst(c.gw, o.gw, () => (m + 2) * u * m + 1e-300),
        worst(c.gb, o.gb, () => (m + 2) * u * m + 1e-300),
      );
    }
    out.push({ kernel: 'linearBackward', dtype, worst: bw });
    // Adam: first step (no moments), a later step, L2 and decoupled weight decay.
    let aw = 0;
    for (const [first, wd, decoupled, step] of [
      [true, 0, false, 1],
      [false, 0.01, false, 7],
      [false, 0.1, true, 300],
    ]) {
      const n = 203;
      const p = fill(n),
        g = fill(n),
        m = first ? null : fill(n),
        v = first ? null : fill(n, 0, 1);
      const res = [cand, oracle].map((k) => {
        const po = new T(n),
          mo = new T(n),
          vo = new T(n);
        k.adam(n, p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, wd, decoupled, step, po, mo, vo);
        return [po, mo, vo];
      });
      const tol = dtype === 'float32' ? 1e-6 : 1e-14;
      for (let q = 0; q < 3; q++)
        aw = Math.max(
          aw,
          worst(res[0][q], res[1][q], (i) => tol * (1 + Math.abs(res[1][q][i]))),
        );
    }
    out.push({ kernel: 'adam', dtype, worst: aw });
    // Philox draws: uniforms bit for bit; normals to rounding (the sine and cosine are
    // computed another way). Odd offsets and lengths, a large counter.
    let ru = 0;
    let rn = 0;
    for (const [n, seed, stream, offset] of [
      [1, 0, 0, 0],
      [7, 3, 1, 5],
      [1001, 42, 7, 123456789],
      [64, 2 ** 40 + 3, 2 ** 35, 2 ** 45 + 1],
    ]) {
      for (const kind of [0, 1]) {
        const c = new T(n);
        const o = new T(n);
        cand.random(kind, n, seed, stream, offset, c);
        oracle.random(kind, n, seed, stream, offset, o);
        if (kind === 0)
          ru = Math.max(
            ru,
            worst(c, o, () => 1e-300),
          );
        else
          rn = Math.max(
            rn,
            worst(c, o, (i) => (dtype === 'float32' ? 2 ** -23 : 4e-15) * (1 + Math.abs(o[i]))),
          );
      }
    }
    out.push({ kernel: 'random uniform', dtype, worst: ru });
    out.push({ kernel: 'random normal', dtype, worst: rn });
    // Whole MLP forward vs linear layer after layer (the oracle's).
    {
      const m = 131,
        dims = [5, 17, 33, 9];
      const xs = [fill(m * 2), fill(m * 3)];
      const ws = dims.slice(1).map((n, l) => fill(n * dims[l]));
      const bs = dims.slice(1).map((n, l) => (l === 1 ? null : fill(n)));
      const acts = [1, 1, 0];
      const o1 = new T(m * 9),
        o2 = new T(m * 9);
      cand.mlp(m, xs, ws, bs, acts, o1);
      oracle.mlp(m, xs, ws, bs, acts, o2);
      out.push({ kernel: 'mlp', dtype, worst: worst(o1, o2, () => 40 * u * 40 * 20 + 1e-300) });
    }
    // The incremental inverse of a random program against a reference built from the
    // oracle's linear and univariate kernels (or, for TypeScript, the declined call).
    for (const kind of [0, 1]) {
      const r = madeInverseCase(cand, oracle, T, fill, kind, dtype);
      out.push({ kernel: `madeInverse ${kind === 0 ? 'affine' : 'rqs'}`, dtype, worst: r });
    }
    // The spline, forward and inverse, values and log-derivatives, then the VJPs.
    for (const bins of [8, 3, 1]) {
      const e = 203;
      const P = 3 * bins - 1;
      const phi = fill(e * P, -3, 3);
      const x = fill(e, -6, 6);
      for (const inverse of [false, true]) {
        const y1 = new T(e),
          l1 = new T(e),
          y2 = new T(e),
          l2 = new T(e);
        cand.rqs(e, bins, x, phi, 5, 1e-3, inverse, y1, l1);
        oracle.rqs(e, bins, x, phi, 5, 1e-3, inverse, y2, l2);
        // float32: knots carry ~K·u·B absolute error, amplified by the spline's slope (up to ~10 here).
        const tol = dtype === 'float32' ? 1e-4 : 1e-12;
        out.push({
          kernel: `rqs${inverse ? '-inverse' : ''} K=${bins}`,
          dtype,
          worst: Math.max(
            worst(y1, y2, (i) => tol * (1 + Math.abs(y2[i]))),
            worst(l1, l2, (i) => tol * (1 + Math.abs(l2[i]))),
          ),
        });
        const g = fill(e);
        const gl = fill(e);
        const at = inverse ? y2 : x; // the VJP of the inverse is taken at its output
        const gi1 = new T(e),
          gp1 = new T(e * P),
          gi2 = new T(e),
          gp2 = new T(e * P);
        cand.rqsVjp(e, bins, at, phi, 5, 1e-3, inverse, g, gl, gi1, gp1);
        oracle.rqsVjp(e, bins, at, phi, 5, 1e-3, inverse, g, gl, gi2, gp2);
        // Gradients mix many terms: compare against the size of each element's gradient vector.
        const gtol = dtype === 'float32' ? 5e-4 : 1e-10;
        const mag = new Float64Array(e);
        for (let i = 0; i < e; i++) {
          let s = Math.abs(gi2[i]);
          for (let p = 0; p < P; p++) s = Math.max(s, Math.abs(gp2[i * P + p]));
          mag[i] = s;
        }
        out.push({
          kernel: `rqsVjp${inverse ? '-inverse' : ''} K=${bins}`,
          dtype,
          worst: Math.max(
            worst(gi1, gi2, (i) => gtol * (1 + mag[i])),
            worst(gp1, gp2, (i) => gtol * (1 + mag[Math.floor(i / P)])),
          ),
        });
      }
    }
    // Affine map and its VJP.
    {
      const e = 77;
      const phi = fill(2 * e, -4, 4);
      const x = fill(e, -3, 3);
      for (const inverse of [false, true]) {
        const y1 = new T(e),
          l1 = new T(e),
          y2 = new T(e),
          l2 = new T(e);
        cand.affine(e, x, phi, 1e-3, inverse, y1, l1);
        oracle.affine(e, x, phi, 1e-3, inverse, y2, l2);
        const tol = dtype === 'float32' ? 2e-6 : 1e-14;
        out.push({
          kernel: `affine${inverse ? '-inverse' : ''}`,
          dtype,
          worst: Math.max(
            worst(y1, y2, (i) => tol * (1 + Math.abs(y2[i]))),
            worst(l1, l2, (i) => tol * (1 + Math.abs(l2[i]))),
          ),
        });
        const g = fill(e),
          gl = fill(e);
        const gi1 = new T(e),
          gp1 = new T(2 * e),
          gi2 = new T(e),
          gp2 = new T(2 * e);
        cand.affineVjp(e, inverse ? y2 : x, phi, 1e-3, inverse, g, gl, gi1, gp1);
        oracle.affineVjp(e, inverse ? y2 : x, phi, 1e-3, inverse, g, gl, gi2, gp2);
        out.push({
          kernel: `affineVjp${inverse ? '-inverse' : ''}`,
          dtype,
          worst: Math.max(
            worst(gi1, gi2, (i) => tol * 4 * (1 + Math.abs(gi2[i]))),
            worst(gp1, gp2, (i) => tol * 4 * (1 + Math.abs(gp2[i]))),
          ),
        });
      }
    }
    // Normal log-density, its VJP, activation VJP and column sums.
    {
      const rows = 41,
        d = 7;
      const z = fill(rows * d, -4, 4),
        loc = fill(d),
        scale = fill(d, 0.2, 3),
        g = fill(rows);
      const o1 = new T(rows),
        o2 = new T(rows),
        gz1 = new T(rows * d),
        gz2 = new T(rows * d);
      cand.normalLogProb(rows, d, z, loc, scale, o1);
      oracle.normalLogProb(rows, d, z, loc, scale, o2);
      cand.normalLogProbVjp(rows, d, z, loc, scale, g, gz1);
      oracle.normalLogProbVjp(rows, d, z, loc, scale, g, gz2);
      const tol = dtype === 'float32' ? 4e-6 : 1e-14;
      out.push({ kernel: 'normalLogProb', dtype, worst: worst(o1, o2, (i) => tol * d * (1 + Math.abs(o2[i]))) });
      out.push({ kernel: 'normalLogProbVjp', dtype, worst: worst(gz1, gz2, (i) => tol * (1 + Math.abs(gz2[i]))) });
      const n = 203,
        gg = fill(n),
        yy = fill(n),
        a1 = new T(n),
        a2 = new T(n);
      cand.actVjp(n, 1, gg, yy, a1);
      oracle.actVjp(n, 1, gg, yy, a2);
      out.push({ kernel: 'actVjp', dtype, worst: worst(a1, a2, () => 1e-300) });
      const m = 301,
        nc = 19,
        a = fill(m * nc),
        s1 = new T(nc),
        s2 = new T(nc);
      cand.colsum(m, nc, a, s1);
      oracle.colsum(m, nc, a, s2);
      out.push({ kernel: 'colsum', dtype, worst: worst(s1, s2, () => m * u * m) });
    }
  }
  return out;
}

/**
 * Row independence: a kernel's result for row i must not depend on how many rows are in
 * the call (every row computed alone must match the batched result bit for bit).
 */
export function rowIndependence(cand) {
  const bad = [];
  for (const dtype of ['float32', 'float64']) {
    const T = dtype === 'float32' ? Float32Array : Float64Array;
    const r = rng(3);
    const fill = (n, lo = -1, hi = 1) => T.from({ length: n }, () => r(lo, hi));
    const m = 29,
      blocks = [5, 3],
      n = 40,
      K = 8;
    const xs = blocks.map((kb) => fill(m * kb));
    const w = fill(n * K),
      b = fill(n);
    const all = new T(m * n);
    cand.linear(m, n, xs, w, b, 1, all);
    for (const start of [0, 7, 13, 28]) {
      for (const count of [1, 2, 5]) {
        if (start + count > m) continue;
        const part = new T(count * n);
        cand.linear(
          count,
          n,
          xs.map((x, q) => x.slice(start * blocks[q], (start + count) * blocks[q])),
          w,
          b,
          1,
          part,
        );
        for (let i = 0; i < count * n; i++) if (!Object.is(part[i], all[start * n + i])) bad.push(`linear ${dtype} rows ${start}+${count}`);
      }
    }
    const e = 53,
      P = 23;
    const phi = fill(e * P, -3, 3),
      x = fill(e, -6, 6);
    const y = new T(e),
      l = new T(e);
    cand.rqs(e, 8, x, phi, 5, 1e-3, false, y, l);
    for (const start of [0, 17, 52]) {
      const y1 = new T(1),
        l1 = new T(1);
      cand.rqs(1, 8, x.slice(start, start + 1), phi.slice(start * P, (start + 1) * P), 5, 1e-3, false, y1, l1);
      if (!Object.is(y1[0], y[start]) || !Object.is(l1[0], l[start])) bad.push(`rqs ${dtype} element ${start}`);
    }
  }
  return bad;
}

/**
 * A random incremental-inverse program (features 5 in groups of 2, 2, 1; context 2; three
 * layers with uneven units per step; ReLU, ReLU, none) run by `cand.madeInverse` and by a
 * row-major reference made of the oracle's linear and univariate kernels. Returns the
 * worst error ratio (0 when the candidate declines: the TypeScript table).
 */
function madeInverseCase(cand, oracle, T, fill, kind, dtype) {
  const m = 37,
    D = 5,
    C = 2,
    P = 3;
  const groups = [[3, 0], [1, 4], [2]];
  // Each group's features listed ascending.
  for (const g of groups) g.sort((a, b) => a - b);
  const gf = Int32Array.from(groups.flat());
  const gc = Int32Array.from(groups.map((g) => g.length));
  const bins = 4;
  const Tn = kind === 0 ? 2 : 3 * bins - 1;
  const L = 3;
  const counts = Int32Array.from([C, gc[0], gc[1], /* l1 */ 3, 4, 2, /* l2 */ 2, 3, 3, /* out */ gc[0] * Tn, gc[1] * Tn, gc[2] * Tn]);
  const prefix = (l, s) => {
    let a = 0;
    for (let t = 0; t <= s; t++) a += counts[l * P + t];
    return a;
  };
  const dims = Int32Array.from([prefix(0, P - 1), prefix(1, P - 1), prefix(2, P - 1), 0]);
  const acts = Int32Array.from([1, 1, 0]);
  const blocks = [];
  const biases = [];
  for (let l = 1; l <= L; l++)
    for (let s = 0; s < P; s++) {
      const n = counts[l * P + s],
        K = prefix(l - 1, s);
      blocks.push(fill(n * K, -0.6, 0.6));
      biases.push(fill(n, -0.3, 0.3));
    }
  const cat = (arrs) => {
    const o = new T(arrs.reduce((a, b) => a + b.length, 0));
    let p = 0;
    for (const a of arrs) {
      o.set(a, p);
      p += a.length;
    }
    return o;
  };
  const W = cat(blocks),
    B = cat(biases);
  const y = fill(m * D, -4, 4),
    c = fill(m * C);
  const x1 = new T(m * D),
    l1 = new T(m);
  const ran = cand.madeInverse(m, D, C, P, dims, counts, W, B, acts, gf, gc, kind, bins, 5, 1e-3, y, c, x1, l1);
  if (!ran) return 0;
  // Reference: values as row-major [m × units in step order].
  const vals = [0, 1, 2].map((l) => new T(m * dims[l]));
  for (let i = 0; i < m; i++) for (let j = 0; j < C; j++) vals[0][i * dims[0] + j] = c[i * C + j];
  const x2 = new T(m * D),
    l2 = new T(m);
  let g0 = 0;
  for (let s = 0; s < P; s++) {
    let phi = null;
    for (let l = 1; l <= L; l++) {
      const n = counts[l * P + s],
        K = prefix(l - 1, s),
        K0 = dims[l - 1];
      const blk = blocks[(l - 1) * P + s],
        bb = biases[(l - 1) * P + s];
      const inp = new T(m * K);
      for (let i = 0; i < m; i++) for (let k = 0; k < K; k++) inp[i * K + k] = vals[l - 1][i * K0 + k];
      const o = new T(m * n);
      oracle.linear(m, n, K > 0 ? [inp] : [], blk, bb, acts[l - 1], o);
      if (K === 0) for (let i = 0; i < m; i++) for (let r = 0; r < n; r++) o[i * n + r] = acts[l - 1] === 1 ? Math.max(bb[r], 0) : bb[r];
      if (l < L) {
        const off = prefix(l, s) - n,
          w = dims[l];
        for (let i = 0; i < m; i++) for (let r = 0; r < n; r++) vals[l][i * w + off + r] = o[i * n + r];
      } else phi = o;
    }
    const n = gc[s] * Tn;
    for (let k = 0; k < gc[s]; k++) {
      const f = gf[g0 + k];
      const yc = new T(m),
        pc = new T(m * Tn),
        xc = new T(m),
        lc = new T(m);
      for (let i = 0; i < m; i++) {
        yc[i] = y[i * D + f];
        for (let t = 0; t < Tn; t++) pc[i * Tn + t] = phi[i * n + k * Tn + t];
      }
      if (kind === 0) oracle.affine(m, yc, pc, 1e-3, true, xc, lc);
      else oracle.rqs(m, bins, yc, pc, 5, 1e-3, true, xc, lc);
      for (let i = 0; i < m; i++) {
        x2[i * D + f] = xc[i];
        l2[i] += lc[i];
      }
      if (s + 1 < P) {
        const off = prefix(0, s + 1) - counts[s + 1],
          w = dims[0];
        for (let i = 0; i < m; i++) vals[0][i * w + off + k] = xc[i];
      }
    }
    g0 += gc[s];
  }
  const tol = dtype === 'float32' ? 2e-4 : 1e-11;
  return Math.max(
    worst(x1, x2, (i) => tol * (1 + Math.abs(x2[i]))),
    worst(l1, l2, (i) => tol * 10 * (1 + Math.abs(l2[i]))),
  );
}
