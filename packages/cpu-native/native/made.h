// The incremental inverse of a masked autoregressive transform (see
// flows/src/incremental-inverse.ts) in one call: the schedule's weight sub-blocks come
// prepared from JavaScript, and rows go through all steps a tile at a time in
// feature-major layout — each unit's values for the tile's rows are one contiguous row, so
// the per-step products (few new units, a growing prefix of known units) run with full
// vectors along the rows, and everything a tile touches stays in cache.
//
// Layer l's computed units are kept in step order (the units of step 0, then of step 1,
// ...); the units a layer reads at step s are then a prefix of the previous layer's. Per
// element, the products are the same fused multiply-add chains (over that prefix, in
// order, from 0, then + bias, then the activation) as the layer-by-layer path's gemm, and
// the univariate inverse is the same kernel, so the results are bit-identical to it.
#pragma once

enum { UNIV_AFFINE = 0, UNIV_RQS = 1 };

// out[r][i] = act(Σ_k w[r*K + k] · in[k][i] + b[r]) for r < n, i < TILE (rows stride TILE).
template <class S, int NV>
static inline void fm_block(int n, int K, const typename S::T* w, const typename S::T* b, int act, const typename S::T* in, typename S::T* out) {
  using V = typename S::V;
  constexpr int W = S::W;
  constexpr int TILE = NV * W;
  constexpr int R = S::FMR;
  for (int r0 = 0; r0 < n; r0 += R) {
    const int rr = n - r0 < R ? n - r0 : R;
    V acc[R][NV];
    for (int r = 0; r < R; r++)
      for (int v = 0; v < NV; v++) acc[r][v] = S::zero();
    for (int k = 0; k < K; k++) {
      V x[NV];
      for (int v = 0; v < NV; v++) x[v] = S::load(in + (long)k * TILE + v * W);
      for (int r = 0; r < R; r++) {
        if (r >= rr) break;
        V a = S::set1(w[(long)(r0 + r) * K + k]);
        for (int v = 0; v < NV; v++) acc[r][v] = S::fma(a, x[v], acc[r][v]);
      }
    }
    for (int r = 0; r < R; r++) {
      if (r >= rr) break;
      for (int v = 0; v < NV; v++) {
        V y = acc[r][v];
        if (b != nullptr) y = S::add(y, S::set1(b[r0 + r]));
        if (act == ACT_RELU) y = S::select(S::gt(y, S::zero()), y, S::select(S::isnan(y), y, S::zero()));
        S::store(out + (long)(r0 + r) * TILE + v * W, y);
      }
    }
  }
}

// Sizes: L layers (the last the output); dims[0..L] computed units per value (dims[0]: the
// input units ever read: context, then the groups but the last); counts[l*P + s]: units
// of value l computed at step s; W, B: the sub-blocks W[l][s] (counts[l][s] × the prefix of
// value l−1 up to step s) and biases, l = 1..L, s = 0..P−1, in that order; group g holds
// groupCounts[g] features listed in order in groupFeatures. Returns false for sizes it
// does not take (the caller uses the layer-by-layer path).
template <class S>
static bool made_inverse(long m, int D, int C, int P, int L, const int* dims, const int* counts, const typename S::T* W, const typename S::T* B,
                         const int* acts, const int* groupFeatures, const int* groupCounts, int kind, int bins, typename S::T bound,
                         typename S::T lnS, typename S::T slope, const typename S::T* y, const typename S::T* c, typename S::T* x,
                         typename S::T* ladj) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int NV = 4;
  constexpr int TILE = NV * S::W;
  static thread_local Buf<T> hBuf;
  static thread_local Buf<long> offBuf;
  if (m <= 0) return true;
  if (L < 1 || L > 32 || P < 1 || (kind == UNIV_RQS && (bins < 1 || bins > RQS_MAX_BINS))) return false;
  const int T_ = kind == UNIV_AFFINE ? 2 : 3 * bins - 1;
  // Prefix sizes and block offsets.
  long* off = offBuf.get((size_t)(L + 1) * (P + 1) * 3 + 8);
  long* prefix = off;                            // prefix[l*(P+1) + s+1] = Σ_{t≤s} counts[l][t]
  long* woff = off + (size_t)(L + 1) * (P + 1);  // woff[l*P + s]
  long* boff = woff + (size_t)(L + 1) * (P + 1);
  for (int l = 0; l <= L; l++) {
    prefix[l * (P + 1)] = 0;
    for (int s = 0; s < P; s++) prefix[l * (P + 1) + s + 1] = prefix[l * (P + 1) + s] + counts[l * P + s];
  }
  long wo = 0, bo = 0, maxOut = 0;
  for (int l = 1; l <= L; l++) {
    for (int s = 0; s < P; s++) {
      woff[l * P + s] = wo;
      boff[l * P + s] = bo;
      wo += (long)counts[l * P + s] * prefix[(l - 1) * (P + 1) + s + 1];
      bo += counts[l * P + s];
      if (counts[l * P + s] > maxOut) maxOut = counts[l * P + s];
    }
  }
  // Buffers: values 0..L−1 (units × TILE), the step's parameters, yᵀ, xᵀ, ladj.
  size_t hsize = 0;
  for (int l = 0; l < L; l++) hsize += (size_t)dims[l] * TILE;
  const size_t total = hsize + (size_t)maxOut * TILE + 2 * (size_t)D * TILE + TILE + 64;
  T* buf = hBuf.get(total);
  T* h[33];
  {
    T* p = buf;
    for (int l = 0; l < L; l++) {
      h[l] = p;
      p += (size_t)dims[l] * TILE;
    }
    h[L] = p;  // parameters of the current step
  }
  T* yT = h[L] + (size_t)maxOut * TILE;
  T* xT = yT + (size_t)D * TILE;
  T* lT = xT + (size_t)D * TILE;
  for (long t0 = 0; t0 < m; t0 += TILE) {
    const int nr = m - t0 < TILE ? (int)(m - t0) : TILE;
    // Transpose the tile in (padding rows are zeros: finite throughout, never written out).
    for (int f = 0; f < D; f++)
      for (int i = 0; i < TILE; i++) yT[f * TILE + i] = i < nr ? y[(t0 + i) * D + f] : T(0);
    for (int j = 0; j < C; j++)
      for (int i = 0; i < TILE; i++) h[0][j * TILE + i] = i < nr ? c[(t0 + i) * C + j] : T(0);
    for (int i = 0; i < TILE; i++) lT[i] = T(0);
    int g0 = 0;  // first feature of group s in groupFeatures
    for (int s = 0; s < P; s++) {
      for (int l = 1; l <= L; l++) {
        const int n = counts[l * P + s];
        if (n == 0) continue;
        const int K = (int)prefix[(l - 1) * (P + 1) + s + 1];
        T* out = l < L ? h[l] + prefix[l * (P + 1) + s] * TILE : h[L];
        fm_block<S, NV>(n, K, W + woff[l * P + s], B + boff[l * P + s], acts[l - 1], h[l - 1], out);
      }
      // Invert the features of group s from their parameters (rows k·T_ .. of h[L]).
      const int gc = groupCounts[s];
      for (int k = 0; k < gc; k++) {
        const int f = groupFeatures[g0 + k];
        const T* par = h[L] + (long)k * T_ * TILE;
        T* xr = xT + (long)f * TILE;
        const T* yr = yT + (long)f * TILE;
        if (kind == UNIV_AFFINE) {
          const V r = S::set1(T(1) / lnS);
          for (int i = 0; i < TILE; i += S::W) {
            V sh = S::load(par + i);
            V sc = S::load(par + TILE + i);
            V lg = S::div(sc, S::add(S::abs(S::mul(sc, r)), S::set1(1)));
            S::store(xr + i, S::mul(S::sub(S::load(yr + i), sh), vexp<S>(S::neg(lg))));
            S::store(lT + i, S::sub(S::load(lT + i), lg));
          }
        } else {
          rqs_strided<S>(TILE, bins, yr, par, 1, TILE, bound, lnS, true, xr, nullptr, lT);
        }
        (void)slope;
      }
      // The group's features become known inputs of step s + 1 (in group order).
      if (s + 1 < P && counts[0 * P + s + 1] > 0) {
        T* dst = h[0] + prefix[0 * (P + 1) + s + 1] * TILE;
        for (int k = 0; k < gc; k++) {
          const T* src = xT + (long)groupFeatures[g0 + k] * TILE;
          for (int i = 0; i < TILE; i++) dst[(long)k * TILE + i] = src[i];
        }
      }
      g0 += gc;
    }
    for (int i = 0; i < nr; i++)
      for (int f = 0; f < D; f++) x[(t0 + i) * D + f] = xT[f * TILE + i];
    if (ladj != nullptr)
      for (int i = 0; i < nr; i++) ladj[t0 + i] = lT[i];
  }
  return true;
}
