// The whole forward pass of a multilayer perceptron in one call (no gradients needed):
// act_L(... act_1(x W_1ᵀ + b_1) ... W_Lᵀ + b_L), x given as K-segments. Every weight matrix
// is packed once per call; rows then go through all layers a tile at a time, the hidden
// activations of a tile staying in thread-local buffers (in cache) instead of full
// [m, hidden] arrays. Per element the arithmetic is exactly the per-layer gemm's (the
// same micro-kernel), so results equal those of separate fused linear calls, bit for bit.
#pragma once

template <class S>
static bool mlp(int m, const Segment<S>* xsegs, int nseg, int nlayers, const int* dims, const typename S::T* const* weights,
                const typename S::T* const* biases, const int* acts, typename S::T* out) {
  using T = typename S::T;
  constexpr int MR = S::MR;
  constexpr int W = S::W;
  constexpr int KC = 384;
  constexpr int TILE = 8 * MR;
  static thread_local Buf<T> packBuf, hBuf, biasBuf;
  static thread_local Buf<Piece<T>> pieceBuf;
  if (m <= 0) return true;
  for (int l = 0; l < nlayers; l++)
    if (dims[l] > KC || dims[l] <= 0 || dims[l + 1] <= 0) return false;  // caller falls back to layer-by-layer
  // Pack every layer's B = Wᵀ (W row-major [n × K]: B(kk, j) = W[j*K + kk]) and its bias.
  size_t total = 0, btotal = 0, hmax = 0;
  for (int l = 0; l < nlayers; l++) {
    total += (size_t)dims[l] * packed_width<S>(dims[l + 1]);
    btotal += packed_width<S>(dims[l + 1]) + 2 * W;
    if (l + 1 < nlayers && (size_t)dims[l + 1] > hmax) hmax = (size_t)dims[l + 1];
  }
  T* packed = packBuf.get(total + 2 * W);
  T* bias = biasBuf.get(btotal + 2 * W);
  T* h = hBuf.get(2 * (size_t)TILE * (hmax + 2 * W) + 2 * W);
  const T* bp[64];
  const T* bb[64];
  if (nlayers > 64) return false;
  {
    T* o = packed;
    T* ob = bias;
    for (int l = 0; l < nlayers; l++) {
      bp[l] = o;
      o += pack_b<S>(weights[l], 1, dims[l], dims[l], dims[l + 1], o);
      if (biases[l] != nullptr) {
        const size_t pw = packed_width<S>(dims[l + 1]) + 2 * W;
        for (size_t j = 0; j < pw; j++) ob[j] = j < (size_t)dims[l + 1] ? biases[l][j] : T(0);
        bb[l] = ob;
        ob += pw;
      } else {
        bb[l] = nullptr;
      }
    }
  }
  Piece<T>* pieces = pieceBuf.get((size_t)nseg + 1);
  T* hA = h;
  T* hB = h + (size_t)TILE * (hmax + 2 * W);
  for (long t0 = 0; t0 < m; t0 += TILE) {
    const int rows = m - t0 < TILE ? (int)(m - t0) : TILE;
    const T* src = nullptr;
    long srcLd = 0;
    for (int l = 0; l < nlayers; l++) {
      const int n = dims[l + 1];
      const bool last = l + 1 == nlayers;
      T* dst = last ? out + t0 * (long)n : (l % 2 == 0 ? hA : hB);
      const long ldc = n;
      int np = 0;
      if (l == 0) {
        for (int q = 0; q < nseg; q++) pieces[np++] = {xsegs[q].p + t0 * xsegs[q].rs, xsegs[q].rs, xsegs[q].cs, xsegs[q].k, nullptr};
      } else {
        pieces[np++] = {src, srcLd, 1, dims[l], nullptr};
      }
      for (int i = 0; i < rows; i += MR) {
        const int mr = rows - i < MR ? rows - i : MR;
        rows_direct<S>(pieces, np, i, mr, n, bp[l], dims[l], bb[l], acts[l], dst, ldc);
      }
      src = dst;
      srcLd = ldc;
    }
  }
  return true;
}
