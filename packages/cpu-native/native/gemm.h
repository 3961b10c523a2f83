// Packed, register-blocked matrix product (the BLIS/OpenBLAS micro-kernel scheme) over a
// traits type S, included inside each ISA's namespace.
//
//   C[m×n] = act( beta·C + Σ_s op(A_s) · B_s + bias )
//
// op(A) is given as K-segments (A_s with its own row/column strides, so x·Wᵀ over several
// input blocks needs no concatenation); B(kk, j) = b[kk*rsb + j*csb] over the total K.
// A is packed per block of MR rows (kk-major, MR-interleaved, zero rows past m), B per
// panel of NR = 2W columns (a last narrow panel of W columns), so the micro-kernel reads
// both with unit stride and keeps MR × NR accumulators in registers.
//
// Determinism: every C element is one fused multiply-add chain over kk = 0..K-1 in order,
// started from beta·C (or 0), then + bias, then the activation — the same instructions
// whatever m, the row's position in a block, or the K blocking (a K block continues the
// chain from the stored partial sum, which is exact). So a row's result does not depend
// on how many rows are computed together.
#pragma once

enum { ACT_NONE = 0, ACT_RELU = 1 };

template <class S>
struct Segment {
  const typename S::T* p;
  long rs;  // stride between rows i
  long cs;  // stride between k indices
  int k;
  // When set, op(A)(i, kk) is p[...] where y[...] > 0 and 0 elsewhere (same layout as p):
  // the ReLU derivative applied on the fly, for the backward pass of a fused linear layer.
  const typename S::T* relu;
};

template <class T>
struct Buf {
  T* p = nullptr;
  size_t cap = 0;
  T* get(size_t n) {
    if (n > cap) {
      free(p);
      size_t c = n < 1024 ? 1024 : n;
      p = (T*)aligned_alloc(64, ((c * sizeof(T) + 63) / 64) * 64);
      cap = p == nullptr ? 0 : c;
    }
    return p;
  }
};

template <class T>
struct Piece {
  const T* p;
  long rs, cs;
  int k;
  const T* relu;
};

// An MR × NV·W tile of accumulators of the micro-kernels below: started from C (rows < mr,
// columns < nr) or from zero, and written back with, on the last k block, the bias added
// and ReLU applied (NaN kept). Constant loop bounds (runtime conditions inside) keep acc[][]
// in registers once inlined.
template <class S, int NV>
static inline void load_tile(typename S::V (&acc)[S::MR][NV], bool fromC, const typename S::T* c, long ldc, int mr, int nr) {
  constexpr int W = S::W;
  if (fromC) {
    for (int r = 0; r < S::MR; r++)
      for (int v = 0; v < NV; v++) {
        int nv = nr - v * W;
        acc[r][v] = (r < mr && nv > 0) ? S::loadn(c + r * ldc + v * W, nv) : S::zero();
      }
  } else {
    for (int r = 0; r < S::MR; r++)
      for (int v = 0; v < NV; v++) acc[r][v] = S::zero();
  }
}

template <class S, int NV>
static inline void store_tile(typename S::V (&acc)[S::MR][NV], typename S::T* c, long ldc, int mr, int nr, const typename S::T* bias, int act,
                              bool last) {
  using V = typename S::V;
  constexpr int W = S::W;
  for (int r = 0; r < S::MR; r++) {
    if (r >= mr) break;
    for (int v = 0; v < NV; v++) {
      int nv = nr - v * W;
      if (nv <= 0) continue;
      V x = acc[r][v];
      if (last) {
        if (bias != nullptr) x = S::add(x, S::load(bias + v * W));
        if (act == ACT_RELU) x = S::select(S::gt(x, S::zero()), x, S::select(S::isnan(x), x, S::zero()));
      }
      if (nv >= W)
        S::store(c + r * ldc + v * W, x);
      else
        S::storen(c + r * ldc + v * W, x, nv);
    }
  }
}

template <class S, int NV>
static inline void micro(int K, const typename S::T* ap, const typename S::T* bp, bool fromC, typename S::T* c, long ldc, int mr,
                         int nr, const typename S::T* bias, int act, bool last) {
  using V = typename S::V;
  constexpr int W = S::W;
  constexpr int MR = S::MR;
  V acc[MR][NV];
  load_tile<S, NV>(acc, fromC, c, ldc, mr, nr);
  for (int kk = 0; kk < K; kk++) {
    V b[NV];
    for (int v = 0; v < NV; v++) b[v] = S::load(bp + v * W);
    for (int r = 0; r < MR; r++) {
      V a = S::bcast(ap + r);
      for (int v = 0; v < NV; v++) acc[r][v] = S::fma(a, b[v], acc[r][v]);
    }
    ap += MR;
    bp += NV * W;
  }
  store_tile<S, NV>(acc, c, ldc, mr, nr, bias, act, last);
}

// The same micro-kernel reading op(A) in place when its k stride is 1 (row-major A, the
// common case of x·Wᵀ): one pointer per row (rows past m repeat the last valid row; their
// results are never stored). Same arithmetic, so results equal the packed-A path.
template <class S, int NV>
static inline void micro_direct(const Piece<typename S::T>* pieces, int npieces, long i0, const typename S::T* bp, bool fromC, typename S::T* c,
                                long ldc, int mr, int nr, const typename S::T* bias, int act, bool last) {
  using V = typename S::V;
  using T = typename S::T;
  constexpr int W = S::W;
  constexpr int MR = S::MR;
  V acc[MR][NV];
  load_tile<S, NV>(acc, fromC, c, ldc, mr, nr);
  for (int q = 0; q < npieces; q++) {
    const Piece<T>& pc = pieces[q];
    const T* a[MR];
    for (int r = 0; r < MR; r++) a[r] = pc.p + (i0 + (r < mr ? r : mr - 1)) * pc.rs;
    for (int kk = 0; kk < pc.k; kk++) {
      V b[NV];
      for (int v = 0; v < NV; v++) b[v] = S::load(bp + v * W);
      for (int r = 0; r < MR; r++) {
        V av = S::bcast(a[r] + kk);
        for (int v = 0; v < NV; v++) acc[r][v] = S::fma(av, b[v], acc[r][v]);
      }
      bp += NV * W;
    }
  }
  store_tile<S, NV>(acc, c, ldc, mr, nr, bias, act, last);
}

// Packs B rows [0, kc) (B(kk, j) = b[kk*rsb + j*csb]) into panels of NR = 2W columns (a
// last narrow one of W when at most W columns remain), each kc rows of `width` values,
// zero-padded. Returns the packed size.
template <class S>
static size_t pack_b(const typename S::T* b, long rsb, long csb, int kc, int n, typename S::T* out) {
  using T = typename S::T;
  constexpr int W = S::W;
  constexpr int NR = 2 * W;
  T* start = out;
  for (int j0 = 0; j0 < n;) {
    const int width = (n - j0 > W) ? NR : W;
    const int nr = n - j0 < width ? n - j0 : width;
    for (int kk = 0; kk < kc; kk++) {
      const T* row = b + (long)kk * rsb + (long)j0 * csb;
      if (csb == 1) {
        for (int j = 0; j < width; j += W) {
          const int nv = nr - j < W ? (nr - j > 0 ? nr - j : 0) : W;
          S::store(out + j, S::loadn(row + j, nv));
        }
      } else {
        int j = 0;
        for (; j < nr; j++) out[j] = row[(long)j * csb];
        for (; j < width; j++) out[j] = T(0);
      }
      out += width;
    }
    j0 += width;
  }
  return (size_t)(out - start);
}

// Width of the packed panels of an n-column B (see pack_b).
template <class S>
static size_t packed_width(int n) {
  constexpr int W = S::W;
  size_t w = 0;
  for (int j0 = 0; j0 < n;) {
    const int width = (n - j0 > W) ? 2 * W : W;
    w += width;
    j0 += width;
  }
  return w;
}

// The micro-kernel width of a packed panel: NV vectors of W columns.
template <int NV>
struct PanelVecs {
  static constexpr int value = NV;
};

// Walks the packed panels of an n-column B left to right (full NR = 2W-wide ones, then a
// last W-wide one when at most W columns remain; see pack_b), calling
// f(PanelVecs<2 or 1>(), j0, width, nr) with the panel's first column, packed width and
// columns in use.
template <class S, class F>
static inline void each_panel(int n, F&& f) {
  constexpr int W = S::W;
  for (int j0 = 0; j0 < n;) {
    const int width = (n - j0 > W) ? 2 * W : W;
    const int nr = n - j0 < width ? n - j0 : width;
    if (width == 2 * W)
      f(PanelVecs<2>(), j0, width, nr);
    else
      f(PanelVecs<1>(), j0, width, nr);
    j0 += width;
  }
}

// C rows [i, i + mr) of act(A·B + bias) for a row-major A read in place (direct), with B
// already packed for the whole K (≤ KC): the building block of the fused MLP.
template <class S>
static void rows_direct(const Piece<typename S::T>* pieces, int npieces, long i, int mr, int n, const typename S::T* bp, int kc,
                        const typename S::T* biasPadded, int act, typename S::T* c, long ldc) {
  using T = typename S::T;
  const T* bpp = bp;
  each_panel<S>(n, [&](auto nv, int j0, int width, int nr) {
    const T* bj = biasPadded == nullptr ? nullptr : biasPadded + j0;
    micro_direct<S, decltype(nv)::value>(pieces, npieces, i, bpp, false, c + i * ldc + j0, ldc, mr, nr, bj, act, true);
    bpp += (size_t)kc * width;
  });
}

template <class S>
static void gemm(int m, int n, const Segment<S>* segs, int nseg, const typename S::T* b, long rsb, long csb,
                 const typename S::T* bias, int act, bool beta, typename S::T* c, long ldc) {
  using T = typename S::T;
  constexpr int W = S::W;
  constexpr int MR = S::MR;
  constexpr int NR = 2 * W;
  constexpr int KC = 384;
  static thread_local Buf<T> apBuf, bpBuf, biasBuf;
  static thread_local Buf<Piece<T>> pieceBuf;
  if (m <= 0 || n <= 0) return;
  int K = 0;
  for (int s = 0; s < nseg; s++) K += segs[s].k;
  const size_t packedWidth = packed_width<S>(n);
  const T* biasp = nullptr;
  if (bias != nullptr) {
    T* bb = biasBuf.get(packedWidth + NR);
    for (size_t j = 0; j < packedWidth + NR; j++) bb[j] = j < (size_t)n ? bias[j] : T(0);
    biasp = bb;
  }
  if (K == 0) {
    // No inputs: C = act(beta·C + bias).
    for (int i = 0; i < m; i += MR) {
      int mr = m - i < MR ? m - i : MR;
      each_panel<S>(n, [&](auto nv, int j0, int, int nr) {
        micro<S, decltype(nv)::value>(0, nullptr, nullptr, beta, c + (long)i * ldc + j0, ldc, mr, nr, biasp == nullptr ? nullptr : biasp + j0, act, true);
      });
    }
    return;
  }
  const int kcMax = K < KC ? K : KC;
  T* bp = bpBuf.get((size_t)kcMax * packedWidth + NR);
  T* ap = apBuf.get((size_t)kcMax * MR + MR + W);
  // Walk the K blocks; within each, segments may be split.
  int seg = 0, segOff = 0;
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC;
    const bool first = k0 == 0;
    const bool last = k0 + kc == K;
    const bool fromC = !first || beta;
    // Pack B rows [k0, k0 + kc): panel p holds kc rows of `width` values.
    pack_b<S>(b + (long)k0 * rsb, rsb, csb, kc, n, bp);
    // The segment pieces that make up this K block.
    Piece<T>* pieces = pieceBuf.get((size_t)nseg + 1);
    int npieces = 0;
    {
      int need = kc;
      int s = seg, off = segOff;
      while (need > 0 && s < nseg) {
        int avail = segs[s].k - off;
        if (avail <= 0) {
          s++;
          off = 0;
          continue;
        }
        int take = avail < need ? avail : need;
        pieces[npieces++] = {segs[s].p + (long)off * segs[s].cs, segs[s].rs, segs[s].cs, take, segs[s].relu == nullptr ? nullptr : segs[s].relu + (long)off * segs[s].cs};
        need -= take;
        off += take;
        if (off == segs[s].k) {
          s++;
          off = 0;
        }
      }
      seg = s;
      segOff = off;
    }
    bool direct = true;
    for (int q = 0; q < npieces; q++) direct = direct && pieces[q].cs == 1 && pieces[q].relu == nullptr;
    for (int i = 0; i < m; i += MR) {
      const int mr = m - i < MR ? m - i : MR;
      if (direct) {
        const T* bpp = bp;
        each_panel<S>(n, [&](auto nv, int j0, int width, int nr) {
          const T* bj = biasp == nullptr ? nullptr : biasp + j0;
          micro_direct<S, decltype(nv)::value>(pieces, npieces, i, bpp, fromC, c + (long)i * ldc + j0, ldc, mr, nr, bj, act, last);
          bpp += (size_t)kc * width;
        });
        continue;
      }
      // Pack A rows [i, i + mr) of this K block, MR-interleaved; rows past m are zero.
      {
        T* out = ap;
        for (int q = 0; q < npieces; q++) {
          const Piece<T>& pc = pieces[q];
          const T* base = pc.p + (long)i * pc.rs;
          const T* ybase = pc.relu == nullptr ? nullptr : pc.relu + (long)i * pc.rs;
          if (pc.cs < pc.rs) {
            // Rows are contiguous in memory: walk each row (unit-stride reads).
            for (int r = 0; r < MR; r++) {
              T* o = out + r;
              if (r >= mr) {
                for (int kk = 0; kk < pc.k; kk++) o[(long)kk * MR] = T(0);
                continue;
              }
              const T* row = base + (long)r * pc.rs;
              if (ybase == nullptr) {
                for (int kk = 0; kk < pc.k; kk++) o[(long)kk * MR] = row[(long)kk * pc.cs];
              } else {
                const T* yrow = ybase + (long)r * pc.rs;
                for (int kk = 0; kk < pc.k; kk++) o[(long)kk * MR] = yrow[(long)kk * pc.cs] > T(0) ? row[(long)kk * pc.cs] : T(0);
              }
            }
            out += (long)pc.k * MR;
          } else if (pc.rs == 1) {
            // The MR rows of one k index are contiguous: vector loads (masked past m).
            using V = typename S::V;
            for (int kk = 0; kk < pc.k; kk++) {
              const T* col = base + (long)kk * pc.cs;
              const T* ycol = ybase == nullptr ? nullptr : ybase + (long)kk * pc.cs;
              for (int r0 = 0; r0 < MR; r0 += W) {
                const int nv = mr - r0 < W ? (mr - r0 > 0 ? mr - r0 : 0) : W;
                V v = S::loadn(col + r0, nv);
                if (ycol != nullptr) v = S::select(S::gt(S::loadn(ycol + r0, nv), S::zero()), v, S::zero());
                // A full-width store (masked stores are slow on some cores): lanes past MR
                // spill into the next k slot, which is written after, or into the buffer's
                // MR-element tail.
                S::store(out + r0, v);
              }
              out += MR;
            }
          } else {
            for (int kk = 0; kk < pc.k; kk++) {
              const T* col = base + (long)kk * pc.cs;
              int r = 0;
              if (ybase == nullptr) {
                for (; r < mr; r++) out[r] = col[(long)r * pc.rs];
              } else {
                const T* ycol = ybase + (long)kk * pc.cs;
                for (; r < mr; r++) out[r] = ycol[(long)r * pc.rs] > T(0) ? col[(long)r * pc.rs] : T(0);
              }
              for (; r < MR; r++) out[r] = T(0);
              out += MR;
            }
          }
        }
      }
      const T* bpp = bp;
      each_panel<S>(n, [&](auto nv, int j0, int width, int nr) {
        const T* bj = biasp == nullptr ? nullptr : biasp + j0;
        micro<S, decltype(nv)::value>(kc, ap, bpp, fromC, c + (long)i * ldc + j0, ldc, mr, nr, bj, act, last);
        bpp += (size_t)kc * width;
      });
    }
  }
}
