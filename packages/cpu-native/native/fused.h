// Fused elementwise kernels over a traits type S, included inside each ISA's namespace:
// the monotonic rational-quadratic spline (forward, inverse, and their vector-Jacobian
// products), the monotonic affine map, the diagonal normal log-density, activation
// gradients and column sums. Elements are processed W at a time (lanes); the last,
// partial group goes through the same instructions with masked loads and stores, so an
// element's result never depends on its position or on how many elements are processed.
#pragma once

enum { RQS_MAX_BINS = 64 };

// --- Monotonic rational-quadratic spline --------------------------------------------
//
// Element e has input v[e] and raw parameters phi[e*P .. e*P + P) with P = 3K - 1:
// widths w (K), heights h (K), inner derivatives d (K - 1), as zuko packs them. See
// MonotonicRQSTransform for the formulas; this is the same computation per element.

template <class S>
struct RqsBin {
  typename S::V x0, x1, y0, y1, d0, d1;
  typename S::V k;      // clamped bin index, as a float
  typename S::M inside; // knot_0 < v <= knot_K
};

template <class S>
struct RqsKnotsWork {
  typename S::V pw[RQS_MAX_BINS];  // softmax of bounded widths
  typename S::V ph[RQS_MAX_BINS];  // softmax of bounded heights
};

// The per-call constants of the spline kernels: the bound, and the scales 2/ln(slope) of
// the bounded widths and heights and 1/ln(slope) of the bounded derivatives.
template <class S>
struct RqsScales {
  typename S::V bound, wscale, dscale;
  RqsScales(typename S::T bound_, typename S::T lnS)
      : bound(S::set1(bound_)), wscale(S::set1((typename S::T)2 / lnS)), dscale(S::set1((typename S::T)1 / lnS)) {}
};

// Parameter t of the W elements at par: lanes l read par[l*es + t*ps] (row-major packs:
// es = 3K − 1, ps = 1, a gather; feature-major tiles: es = 1, a plain vector load).
template <class S>
static inline typename S::V rqs_param(const typename S::T* par, long es, long ps, int t, int n) {
  return es == 1 ? S::loadn(par + (long)t * ps, n) : S::gathern(par + (long)t * ps, (int)es, n);
}

// Softmax of the bounded raw values (parameters off + i, i < K); `scale` = 2/ln(slope).
template <class S>
static inline void rqs_softmax(const typename S::T* par, long es, long ps, int off, int K, int n, typename S::V scale, typename S::V* out) {
  using V = typename S::V;
  V mx = S::set1(-(typename S::T)__builtin_inf());
  for (int i = 0; i < K; i++) {
    V w = rqs_param<S>(par, es, ps, off + i, n);
    w = S::div(w, S::add(S::abs(S::mul(w, scale)), S::set1(1)));
    out[i] = w;
    mx = S::max(mx, w);
  }
  V sum = S::zero();
  for (int i = 0; i < K; i++) {
    out[i] = vexp<S>(S::sub(out[i], mx));
    sum = S::add(sum, out[i]);
  }
  V r = S::div(S::set1(1), sum);
  for (int i = 0; i < K; i++) out[i] = S::mul(out[i], r);
}

// Knots, knot derivatives and the bin of `v` (over X when !overY, over Y when overY).
template <class S>
static inline RqsBin<S> rqs_bin(const typename S::T* par, long es, long ps, int K, int n, typename S::V v, bool overY, typename S::V bound,
                                typename S::V dscale, const RqsKnotsWork<S>& wk) {
  using V = typename S::V;
  using M = typename S::M;
  RqsBin<S> b;
  V one = S::set1(1), two = S::set1(2);
  V sx = S::zero(), sy = S::zero();
  M prev = S::lt(S::set1(1), S::zero());  // all false
  M first = prev;
  V cnt = S::zero();
  for (int j = 0; j <= K; j++) {
    V X = S::mul(S::sub(S::mul(sx, two), one), bound);
    V Y = S::mul(S::sub(S::mul(sy, two), one), bound);
    // Raw here; bounded and exponentiated after the loop for the two the bin uses.
    const V D = (j == 0 || j == K) ? S::zero() : rqs_param<S>(par, es, ps, 2 * K + (j - 1), n);
    M c = S::lt(overY ? Y : X, v);
    if (j == 0) {
      b.x0 = X; b.y0 = Y; b.d0 = D;
      first = c;
    } else if (j == 1) {
      b.x1 = X; b.y1 = Y; b.d1 = D;
    } else {
      b.x1 = S::select(prev, X, b.x1);
      b.y1 = S::select(prev, Y, b.y1);
      b.d1 = S::select(prev, D, b.d1);
    }
    if (j >= 1 && j < K) {
      b.x0 = S::select(c, X, b.x0);
      b.y0 = S::select(c, Y, b.y0);
      b.d0 = S::select(c, D, b.d0);
      cnt = S::select(c, S::set1((typename S::T)j), cnt);
    }
    if (j == K) b.inside = S::mand(first, S::mnot(c));
    prev = c;
    if (j < K) {
      sx = S::add(sx, wk.pw[j]);
      sy = S::add(sy, wk.ph[j]);
    }
  }
  b.k = cnt;
  // Bounded d ← d/(1 + |d/ln s|) (0 stays 0: D = 1 at both ends), then D = exp(d).
  b.d0 = vexp<S>(S::div(b.d0, S::add(S::abs(S::mul(b.d0, dscale)), one)));
  b.d1 = vexp<S>(S::div(b.d1, S::add(S::abs(S::mul(b.d1, dscale)), one)));
  return b;
}

// The softmaxed widths and heights of the W elements at par (into wk), and the bin of v
// with its knots (over X when !overY, over Y when overY).
template <class S>
static inline RqsBin<S> rqs_knots(const typename S::T* par, long es, long ps, int K, int n, typename S::V v, bool overY, const RqsScales<S>& sc,
                                  RqsKnotsWork<S>& wk) {
  rqs_softmax<S>(par, es, ps, 0, K, n, sc.wscale, wk.pw);
  rqs_softmax<S>(par, es, ps, K, K, n, sc.wscale, wk.ph);
  return rqs_bin<S>(par, es, ps, K, n, v, overY, sc.bound, sc.dscale, wk);
}

// Elements e < E: value x[e], parameter t at phi[e*es + t*ps]; ladj (optional) per element,
// or added into ladjAdd (optional) — the incremental inverse sums it over features.
template <class S>
static void rqs_strided(long E, int K, const typename S::T* x, const typename S::T* phi, long es, long ps, typename S::T bound_,
                        typename S::T lnS, bool inverse, typename S::T* y, typename S::T* ladj, typename S::T* ladjAdd) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W;
  const RqsScales<S> sc(bound_, lnS);
  RqsKnotsWork<S> wk;
  for (long e0 = 0; e0 < E; e0 += W) {
    const int n = E - e0 < W ? (int)(E - e0) : W;
    const T* par = phi + e0 * es;
    const V v = S::loadn(x + e0, n);
    RqsBin<S> b = rqs_knots<S>(par, es, ps, K, n, v, inverse, sc, wk);
    const V one = S::set1(1), two = S::set1(2);
    V dx = S::sub(b.x1, b.x0);
    V dy = S::sub(b.y1, b.y0);
    V s = S::div(dy, dx);
    V out, z;
    if (!inverse) {
      V xs = S::select(b.inside, v, b.x0);
      z = S::div(S::sub(xs, b.x0), dx);
    } else {
      V ys = S::select(b.inside, v, b.y0);
      V yr = S::sub(ys, b.y0);
      V dd = S::sub(S::add(b.d0, b.d1), S::mul(s, two));
      V a = S::add(S::mul(dy, S::sub(s, b.d0)), S::mul(yr, dd));
      V bb = S::sub(S::mul(dy, b.d0), S::mul(yr, dd));
      V c = S::neg(S::mul(s, yr));
      V disc = S::max(S::sub(S::mul(bb, bb), S::mul(S::mul(a, S::set1(4)), c)), S::zero());
      z = S::div(S::mul(c, two), S::sub(S::neg(bb), S::sqrt(disc)));
      out = S::select(b.inside, S::add(b.x0, S::mul(z, dx)), v);
    }
    V omz = S::sub(one, z);
    V t = S::mul(z, omz);
    V den = S::add(s, S::mul(S::sub(S::add(b.d0, b.d1), S::mul(s, two)), t));
    if (!inverse) {
      V num = S::add(S::mul(s, S::mul(z, z)), S::mul(b.d0, t));
      out = S::select(b.inside, S::add(b.y0, S::div(S::mul(dy, num), den)), v);
    }
    S::storen(y + e0, out, n);
    if (ladj != nullptr || ladjAdd != nullptr) {
      V q = S::add(S::add(S::mul(S::mul(s, two), t), S::mul(b.d0, S::mul(omz, omz))), S::mul(b.d1, S::mul(z, z)));
      V jac = S::div(S::mul(S::mul(s, s), q), S::mul(den, den));
      V l = vlog<S>(jac);
      if (inverse) l = S::neg(l);
      l = S::select(b.inside, l, S::zero());
      if (ladj != nullptr) S::storen(ladj + e0, l, n);
      if (ladjAdd != nullptr) S::storen(ladjAdd + e0, S::add(S::loadn(ladjAdd + e0, n), l), n);
    }
  }
}

template <class S>
static void rqs(long E, int K, const typename S::T* x, const typename S::T* phi, typename S::T bound, typename S::T lnS, bool inverse,
                typename S::T* y, typename S::T* ladj) {
  rqs_strided<S>(E, K, x, phi, 3 * K - 1, 1, bound, lnS, inverse, y, ladj, nullptr);
}

// Vector-Jacobian product of the spline. Forward (!inverse): v = x, g = ∂L/∂y, gl = ∂L/∂ladj;
// writes gin = ∂L/∂x and gphi = ∂L/∂phi. Inverse: v = x = f⁻¹(y) (the inverse's output),
// g = ∂L/∂x, gl = ∂L/∂(inverse ladj); writes gin = ∂L/∂y and gphi.
template <class S>
static void rqs_vjp(long E, int K, const typename S::T* xv, const typename S::T* phi, typename S::T bound_, typename S::T lnS, bool inverse,
                    const typename S::T* g, const typename S::T* gl, typename S::T* gin, typename S::T* gphi) {
  using T = typename S::T;
  using V = typename S::V;
  using M = typename S::M;
  constexpr int W = S::W;
  const int P = 3 * K - 1;
  const RqsScales<S> sc(bound_, lnS);
  const V bound = sc.bound, wscale = sc.wscale, dscale = sc.dscale;
  RqsKnotsWork<S> wk;
  for (long e0 = 0; e0 < E; e0 += W) {
    const int n = E - e0 < W ? (int)(E - e0) : W;
    const T* par = phi + e0 * P;
    T* gpar = gphi + e0 * P;
    const V v = S::loadn(xv + e0, n);
    const V gv = S::loadn(g + e0, n);
    const V glv = gl == nullptr ? S::zero() : S::loadn(gl + e0, n);
    RqsBin<S> b = rqs_knots<S>(par, P, 1, K, n, v, false, sc, wk);
    const V one = S::set1(1), two = S::set1(2), zero = S::zero();
    const M in = b.inside;
    V dx = S::sub(b.x1, b.x0);
    V dy = S::sub(b.y1, b.y0);
    V s = S::div(dy, dx);
    V xs = S::select(in, v, b.x0);
    V z = S::div(S::sub(xs, b.x0), dx);
    V omz = S::sub(one, z);
    V t = S::mul(z, omz);
    V dsum = S::sub(S::add(b.d0, b.d1), S::mul(s, two));
    V den = S::add(s, S::mul(dsum, t));
    V num = S::add(S::mul(s, S::mul(z, z)), S::mul(b.d0, t));
    V R = S::div(num, den);
    V q = S::add(S::add(S::mul(S::mul(s, two), t), S::mul(b.d0, S::mul(omz, omz))), S::mul(b.d1, S::mul(z, z)));
    V oneM2z = S::sub(one, S::mul(z, two));
    // Partial derivatives of num, den, q.
    V dnum_dz = S::add(S::mul(S::mul(s, two), z), S::mul(b.d0, oneM2z));
    V dden_dz = S::mul(dsum, oneM2z);
    V dden_ds = S::sub(one, S::mul(t, two));
    V dq_dz = S::sub(S::add(S::mul(S::mul(s, two), oneM2z), S::mul(S::mul(b.d1, two), z)), S::mul(S::mul(b.d0, two), omz));
    V rden = S::div(one, den);
    V rq = S::div(one, q);
    // y = y0 + dy R; ladj = 2 ln s + ln q - 2 ln den.
    V dy_dz = S::mul(dy, S::mul(S::sub(dnum_dz, S::mul(R, dden_dz)), rden));
    V dy_ds = S::mul(dy, S::mul(S::sub(S::mul(z, z), S::mul(R, dden_ds)), rden));
    V dy_dd0 = S::mul(dy, S::mul(S::sub(t, S::mul(R, t)), rden));
    V dy_dd1 = S::mul(dy, S::mul(S::neg(S::mul(R, t)), rden));
    V dl_dz = S::sub(S::mul(dq_dz, rq), S::mul(S::mul(dden_dz, two), rden));
    V dl_ds = S::add(S::div(two, s), S::sub(S::mul(S::mul(t, two), rq), S::mul(S::mul(dden_ds, two), rden)));
    V dl_dd0 = S::sub(S::mul(S::mul(omz, omz), rq), S::mul(S::mul(t, two), rden));
    V dl_dd1 = S::sub(S::mul(S::mul(z, z), rq), S::mul(S::mul(t, two), rden));
    V U, L, ginv;
    if (!inverse) {
      U = gv;
      L = glv;
      ginv = S::select(in, S::div(S::add(S::mul(U, dy_dz), S::mul(L, dl_dz)), dx), gv);
    } else {
      // x = f⁻¹(y): dx = (dy - f_φ dφ)/f_x; L_inv = -ℓ.  a = g - gl ℓ_x.
      V fx = S::mul(S::mul(S::mul(s, s), q), S::mul(rden, rden));
      V lx = S::div(dl_dz, dx);
      V a = S::sub(gv, S::mul(glv, lx));
      V af = S::div(a, fx);
      U = S::neg(af);
      L = S::neg(glv);
      ginv = S::select(in, af, gv);
    }
    S::storen(gin + e0, ginv, n);
    U = S::select(in, U, zero);
    L = S::select(in, L, zero);
    V Gz = S::add(S::mul(U, dy_dz), S::mul(L, dl_dz));
    V Gs = S::add(S::mul(U, dy_ds), S::mul(L, dl_ds));
    V Gd0 = S::add(S::mul(U, dy_dd0), S::mul(L, dl_dd0));
    V Gd1 = S::add(S::mul(U, dy_dd1), S::mul(L, dl_dd1));
    V Gdy = S::mul(U, R);
    V rdx = S::div(one, dx);
    V gx0 = S::mul(S::add(S::mul(Gz, S::sub(z, one)), S::mul(Gs, s)), rdx);
    V gx1 = S::neg(S::mul(S::add(S::mul(Gz, z), S::mul(Gs, s)), rdx));
    V gy0 = S::sub(S::sub(U, Gdy), S::mul(Gs, rdx));
    V gy1 = S::add(Gdy, S::mul(Gs, rdx));
    // Knot abscissae X_j = (2 S_j - 1) B, S_j = Σ_{i<j} pw_i: ∂/∂pw_i = 2B([i<k](g_k + g_{k+1}) + [i=k] g_{k+1}).
    V twoB = S::mul(bound, two);
    for (int pass = 0; pass < 2; pass++) {
      const V* p = pass == 0 ? wk.pw : wk.ph;
      V g0 = pass == 0 ? gx0 : gy0;
      V g1 = pass == 0 ? gx1 : gy1;
      V both = S::mul(S::add(g0, g1), twoB);
      V only1 = S::mul(g1, twoB);
      V dot = S::zero();
      V gp[RQS_MAX_BINS];
      for (int i = 0; i < K; i++) {
        V ii = S::set1((T)i);
        V gi = S::select(S::lt(ii, b.k), both, S::select(S::eq(ii, b.k), only1, zero));
        gp[i] = gi;
        dot = S::add(dot, S::mul(p[i], gi));
      }
      for (int i = 0; i < K; i++) {
        V gw = S::mul(p[i], S::sub(gp[i], dot));
        V w = S::gathern(par + pass * K + i, P, n);
        V den1 = S::add(S::abs(S::mul(w, wscale)), one);
        gw = S::div(gw, S::mul(den1, den1));
        S::scattern(gpar + pass * K + i, P, gw, n);
      }
    }
    // Inner derivatives D_j = exp(d'_{j-1}), j = 1..K-1; D at the bin: d0 = D_k, d1 = D_{k+1}.
    for (int j = 1; j < K; j++) {
      V jj = S::set1((T)j);
      V gD = S::add(S::select(S::eq(jj, b.k), Gd0, zero), S::select(S::eq(jj, S::add(b.k, one)), Gd1, zero));
      V d = S::gathern(par + 2 * K + (j - 1), P, n);
      V den1 = S::add(S::abs(S::mul(d, dscale)), one);
      V dp = S::div(d, den1);
      V gd = S::div(S::mul(gD, vexp<S>(dp)), S::mul(den1, den1));
      S::scattern(gpar + 2 * K + (j - 1), P, gd, n);
    }
  }
}

// --- Monotonic affine: y = x e^l + shift, l = scale / (1 + |scale / ln slope|) -------
// phi[e*2] = shift, phi[e*2 + 1] = scale.

template <class S>
static void affine(long E, const typename S::T* x, const typename S::T* phi, typename S::T lnS, bool inverse, typename S::T* y,
                   typename S::T* ladj) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W;
  const V r = S::set1((T)1 / lnS);
  for (long e0 = 0; e0 < E; e0 += W) {
    const int n = E - e0 < W ? (int)(E - e0) : W;
    V v = S::loadn(x + e0, n);
    V shift = S::gathern(phi + e0 * 2, 2, n);
    V sc = S::gathern(phi + e0 * 2 + 1, 2, n);
    V l = S::div(sc, S::add(S::abs(S::mul(sc, r)), S::set1(1)));
    V out = inverse ? S::mul(S::sub(v, shift), vexp<S>(S::neg(l))) : S::add(S::mul(v, vexp<S>(l)), shift);
    S::storen(y + e0, out, n);
    if (ladj != nullptr) S::storen(ladj + e0, inverse ? S::neg(l) : l, n);
  }
}

// VJP. Forward: v = x, g = ∂L/∂y, gl = ∂L/∂ladj → gin = ∂L/∂x. Inverse: v = x (output),
// g = ∂L/∂x, gl = ∂L/∂(−l) → gin = ∂L/∂y.
template <class S>
static void affine_vjp(long E, const typename S::T* xv, const typename S::T* phi, typename S::T lnS, bool inverse, const typename S::T* g,
                       const typename S::T* gl, typename S::T* gin, typename S::T* gphi) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W;
  const V r = S::set1((T)1 / lnS);
  const V one = S::set1(1);
  for (long e0 = 0; e0 < E; e0 += W) {
    const int n = E - e0 < W ? (int)(E - e0) : W;
    V v = S::loadn(xv + e0, n);
    V gv = S::loadn(g + e0, n);
    V glv = gl == nullptr ? S::zero() : S::loadn(gl + e0, n);
    V sc = S::gathern(phi + e0 * 2 + 1, 2, n);
    V den = S::add(S::abs(S::mul(sc, r)), one);
    V l = S::div(sc, den);
    V gshift, glog, gi;
    if (!inverse) {
      V el = vexp<S>(l);
      gi = S::mul(gv, el);
      gshift = gv;
      glog = S::add(S::mul(gi, v), glv);
    } else {
      V eml = vexp<S>(S::neg(l));
      gi = S::mul(gv, eml);
      gshift = S::neg(gi);
      glog = S::neg(S::add(S::mul(gv, v), glv));
    }
    S::storen(gin + e0, gi, n);
    S::scattern(gphi + e0 * 2, 2, gshift, n);
    S::scattern(gphi + e0 * 2 + 1, 2, S::div(glog, S::mul(den, den)), n);
  }
}

// --- Diagonal normal log-density, summed over the last axis (D features) --------------
// out[r] = Σ_d −(z − μ_d)²/(2σ_d²) − log σ_d − ½ log 2π;  loc, scale: D values.

template <class S>
static void normal_logprob(long rows, int D, const typename S::T* z, const typename S::T* loc, const typename S::T* scale, typename S::T* out) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W;
  const T half_log_2pi = (T)0.91893853320467274178;
  for (long r0 = 0; r0 < rows; r0 += W) {
    const int n = rows - r0 < W ? (int)(rows - r0) : W;
    V acc = S::zero();
    for (int d = 0; d < D; d++) {
      V zv = S::gathern(z + r0 * D + d, D, n);
      V sd = S::set1(scale[d]);
      V diff = S::sub(zv, S::set1(loc[d]));
      V term = S::neg(S::div(S::mul(diff, diff), S::mul(S::mul(sd, sd), S::set1(2))));
      term = S::sub(S::sub(term, vlog<S>(sd)), S::set1(half_log_2pi));
      acc = S::add(acc, term);
    }
    S::storen(out + r0, acc, n);
  }
}

// ∂/∂z of the above, times the row's upstream gradient g[r].
template <class S>
static void normal_logprob_vjp(long rows, int D, const typename S::T* z, const typename S::T* loc, const typename S::T* scale,
                               const typename S::T* g, typename S::T* gz) {
  using T = typename S::T;
  for (long r = 0; r < rows; r++) {
    T gr = g[r];
    for (int d = 0; d < D; d++) gz[r * D + d] = -gr * (z[r * D + d] - loc[d]) / (scale[d] * scale[d]);
  }
}

// --- Activation gradient: out = g · act'(y), from the activation's output y ----------

template <class S>
static void act_vjp(long n_, int act, const typename S::T* g, const typename S::T* y, typename S::T* out) {
  using V = typename S::V;
  constexpr int W = S::W;
  for (long i = 0; i < n_; i += W) {
    const int n = n_ - i < W ? (int)(n_ - i) : W;
    V gv = S::loadn(g + i, n);
    V res = gv;
    if (act == ACT_RELU) {
      V yv = S::loadn(y + i, n);
      res = S::select(S::gt(yv, S::zero()), gv, S::zero());
    }
    S::storen(out + i, res, n);
  }
}

// out[j] = Σ_i a[i*lda + j] (rows in order); with `relu`, only where relu[i*lda + j] > 0.
template <class S>
static void colsum(long m, long n_, const typename S::T* a, long lda, const typename S::T* relu, typename S::T* out) {
  using V = typename S::V;
  constexpr int W = S::W;
  for (long j = 0; j < n_; j += W) {
    const int n = n_ - j < W ? (int)(n_ - j) : W;
    V acc = S::zero();
    if (relu == nullptr) {
      for (long i = 0; i < m; i++) acc = S::add(acc, S::loadn(a + i * lda + j, n));
    } else {
      for (long i = 0; i < m; i++)
        acc = S::add(acc, S::select(S::gt(S::loadn(relu + i * lda + j, n), S::zero()), S::loadn(a + i * lda + j, n), S::zero()));
    }
    S::storen(out + j, acc, n);
  }
}

// --- Adam (PyTorch's formulas, as core's Adam) --------------------------------------
// g' = g + wd·p (L2, !decoupled) or p' = p·(1 − lr·wd) (decoupled); m = b1·m + (1 − b1)g';
// v = b2·v + (1 − b2)g'²; p_out = p' − lr·(m/c1)/(√(v/c2) + eps) with c1 = 1 − b1ᵗ, c2 = 1 − b2ᵗ.
// m or v null: the first step (zero state).
template <class S>
static void adam(long n_, const typename S::T* p, const typename S::T* g, const typename S::T* m, const typename S::T* v, typename S::T lr,
                 typename S::T b1, typename S::T b2, typename S::T eps, typename S::T wd, bool decoupled, typename S::T c1,
                 typename S::T c2, typename S::T* po, typename S::T* mo, typename S::T* vo) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W;
  const V vb1 = S::set1(b1), vb2 = S::set1(b2), v1b1 = S::set1(T(1) - b1), v1b2 = S::set1(T(1) - b2);
  const V vlr = S::set1(lr), veps = S::set1(eps), vc1 = S::set1(c1), vc2 = S::set1(c2);
  for (long i = 0; i < n_; i += W) {
    const int n = n_ - i < W ? (int)(n_ - i) : W;
    V pv = S::loadn(p + i, n);
    V gv = S::loadn(g + i, n);
    if (wd != T(0)) {
      if (decoupled)
        pv = S::mul(pv, S::set1(T(1) - lr * wd));
      else
        gv = S::add(gv, S::mul(pv, S::set1(wd)));
    }
    V mv = S::mul(gv, v1b1);
    if (m != nullptr) mv = S::add(S::mul(S::loadn(m + i, n), vb1), mv);
    V vv = S::mul(S::mul(gv, gv), v1b2);
    if (v != nullptr) vv = S::add(S::mul(S::loadn(v + i, n), vb2), vv);
    V step = S::mul(S::div(S::div(mv, vc1), S::add(S::sqrt(S::div(vv, vc2)), veps)), vlr);
    S::storen(po + i, S::sub(pv, step), n);
    S::storen(mo + i, mv, n);
    S::storen(vo + i, vv, n);
  }
}

// --- Peak throughput probe -------------------------------------------------------------
// `iters` rounds of 12 independent fused multiply-adds on full vectors (enough to cover
// the FMA latency × pipes of current cores); returns a value so the work is not removed.
// Flops = iters × 12 × 2 × lanes.
template <class S>
static typename S::T fma_probe(long iters) {
  using V = typename S::V;
  // Distinct starting values: identical chains would be merged into one by the compiler.
  using T = typename S::T;
  V a0 = S::set1(T(1.00)), a1 = S::set1(T(1.01)), a2 = S::set1(T(1.02)), a3 = S::set1(T(1.03)), a4 = S::set1(T(1.04)), a5 = S::set1(T(1.05));
  V a6 = S::set1(T(1.06)), a7 = S::set1(T(1.07)), a8 = S::set1(T(1.08)), a9 = S::set1(T(1.09)), a10 = S::set1(T(1.10)), a11 = S::set1(T(1.11));
  const V b = S::set1((typename S::T)0.999999), c = S::set1((typename S::T)1e-7);
  for (long i = 0; i < iters; i++) {
    a0 = S::fma(a0, b, c); a1 = S::fma(a1, b, c); a2 = S::fma(a2, b, c); a3 = S::fma(a3, b, c);
    a4 = S::fma(a4, b, c); a5 = S::fma(a5, b, c); a6 = S::fma(a6, b, c); a7 = S::fma(a7, b, c);
    a8 = S::fma(a8, b, c); a9 = S::fma(a9, b, c); a10 = S::fma(a10, b, c); a11 = S::fma(a11, b, c);
  }
  V s = S::add(S::add(S::add(a0, a1), S::add(a2, a3)), S::add(S::add(a4, a5), S::add(a6, a7)));
  s = S::add(s, S::add(S::add(a8, a9), S::add(a10, a11)));
  return S::hsum(s);
}
