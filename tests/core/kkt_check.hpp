// Optimality and infeasibility checks recomputed by the tests from the ORIGINAL problem data,
// never from the solver's scaled quantities or its own Info fields (benchmarks.md formulas).
#pragma once

#include "qplayer/problem.hpp"
#include "qplayer/result.hpp"
#include "qplayer/settings.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <random>
#include <vector>

namespace qplayer_test {

using qplayer::Problem;
using qplayer::Result;
using qplayer::SparseMatrix;
using qplayer::Vector;

inline double inf_norm(const Vector& v) {
  return v.size() == 0 ? 0.0 : v.lpNorm<Eigen::Infinity>();
}

/// The box multipliers of a result as a length-n vector (the solver returns zeros without a box;
/// an empty vector is read as zeros so that a size error shows up in dims_ok, not as a crash).
inline Vector box_multipliers(const Problem& p, const Result& r) {
  return r.z_box.size() == p.n() ? r.z_box : Vector(Vector::Zero(p.n()));
}

/// True when x, y, z (and z_box, if non-empty) have the problem's dimensions.
inline bool dims_ok(const Problem& p, const Result& r) {
  return r.x.size() == p.n() && r.y.size() == p.n_eq() && r.z.size() == p.n_in() &&
         (r.z_box.size() == 0 || r.z_box.size() == p.n());
}

struct Residuals {
  double primal = 0.0;     ///< r_p: constraint violation
  double dual = 0.0;       ///< r_d = ‖Hx + g + Aᵀy + Cᵀz + z_box‖∞
  double gap = 0.0;        ///< r_g, finite bounds only (qpbenchmark's rule)
  double sign = 0.0;       ///< largest multiplier on a side whose bound is infinite
  double objective = 0.0;  ///< ½xᵀHx + gᵀx + c0
};

/// The primal/dual residuals and duality gap of (x, y, z, z_box) for the problem `p`, evaluated
/// in long double (64-bit mantissa): at a 1e-9 absolute tolerance on problems whose objective
/// terms reach 1e7–1e8, a double evaluation is decided by rounding (its result moves by more
/// than 1e-9 with the summation order), so the tests judge the returned point itself.
/// `sign` is not in the benchmark's definition: a multiplier pushing against an infinite bound
/// violates dual feasibility (the dual objective is −∞ there), which r_d and the benchmark's
/// gap (it drops that term) cannot see, so tests check it too.
inline Residuals residuals(const Problem& p, const Result& r) {
  using Real = long double;
  using RVector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
  using RSparse = Eigen::SparseMatrix<Real, Eigen::ColMajor, int>;
  constexpr double inf = std::numeric_limits<double>::infinity();
  Residuals out;
  if (!dims_ok(p, r)) {
    out.primal = out.dual = out.gap = out.sign = out.objective = inf;
    return out;
  }
  const RSparse H = p.H.cast<Real>(), A = p.A.cast<Real>(), C = p.C.cast<Real>();
  const RVector x = r.x.cast<Real>(), y = r.y.cast<Real>(), z = r.z.cast<Real>();
  const RVector zb = box_multipliers(p, r).cast<Real>(), g = p.g.cast<Real>();

  // Primal: every violation, positive part only.
  Real rp = 0.0;
  if (p.n_eq() > 0) rp = std::max(rp, (A * x - p.b.cast<Real>()).cwiseAbs().maxCoeff());
  if (p.n_in() > 0) {
    const RVector cx = C * x;
    for (int i = 0; i < p.n_in(); ++i)
      rp = std::max({rp, cx[i] - Real(p.u[i]), Real(p.l[i]) - cx[i]});
  }
  if (p.has_box())
    for (int j = 0; j < p.n(); ++j) rp = std::max({rp, x[j] - Real(p.ub[j]), Real(p.lb[j]) - x[j]});
  out.primal = std::isnan(rp) ? inf : static_cast<double>(rp);

  // Dual: stationarity of the Lagrangian.
  const RVector hx = H * x;
  RVector grad = hx + g + zb;
  if (p.n_eq() > 0) grad += A.transpose() * y;
  if (p.n_in() > 0) grad += C.transpose() * z;
  const Real rd = grad.cwiseAbs().maxCoeff();
  out.dual = std::isfinite(static_cast<double>(rd)) ? static_cast<double>(rd) : inf;

  // Gap: primal minus dual objective, xᵀHx + gᵀx + bᵀy + uᵀ[z]₊ + lᵀ[z]₋ + ubᵀ[z_box]₊ +
  // lbᵀ[z_box]₋ with the terms of infinite bounds dropped (qpbenchmark's rule); a multiplier on
  // such a side is recorded in `sign` instead.
  Real gap = x.dot(hx) + g.dot(x);
  if (p.n_eq() > 0) gap += p.b.cast<Real>().dot(y);
  double sign = 0.0;
  auto sides = [&](const Vector& lo, const Vector& hi, const RVector& mult) {
    for (Eigen::Index i = 0; i < mult.size(); ++i) {
      if (mult[i] > 0) {
        if (std::isfinite(hi[i]))
          gap += Real(hi[i]) * mult[i];
        else
          sign = std::max(sign, static_cast<double>(mult[i]));
      } else if (mult[i] < 0) {
        if (std::isfinite(lo[i]))
          gap += Real(lo[i]) * mult[i];
        else
          sign = std::max(sign, static_cast<double>(-mult[i]));
      }
    }
  };
  sides(p.l, p.u, z);
  if (p.has_box())
    sides(p.lb, p.ub, zb);
  else
    sign = std::max(sign, static_cast<double>(zb.cwiseAbs().maxCoeff()));  // must vanish
  out.gap = std::isfinite(static_cast<double>(gap)) ? static_cast<double>(std::abs(gap)) : inf;
  out.sign = std::isfinite(sign) ? sign : inf;
  out.objective = static_cast<double>(Real(0.5) * x.dot(hx) + g.dot(x) + Real(p.c0));
  return out;
}

/// Farkas certificate (y, z, z_box) of primal infeasibility: with
///   residual = ‖Aᵀy + Cᵀz + z_box‖∞ and value = bᵀy + uᵀ[z]₊ + lᵀ[z]₋ + ubᵀ[z_box]₊ + lbᵀ[z_box]₋,
/// any feasible x would give 0 = (Aᵀy + Cᵀz + z_box)ᵀx ≤ value, so value < 0 proves
/// infeasibility; with residual δ > 0 it excludes feasible points with ‖x‖₁ < −value/δ.
struct PrimalCertificate {
  bool sized = false;
  double residual = 0.0;
  double value = 0.0;
  double sign = 0.0;  ///< multiplier mass on infinite bounds (makes `value` +inf if nonzero)
  double norm = 0.0;  ///< ‖(y, z, z_box)‖∞
};

inline PrimalCertificate primal_certificate(const Problem& p, const Result& r) {
  PrimalCertificate c;
  c.sized = r.cert_y.size() == p.n_eq() && r.cert_z.size() == p.n_in() &&
            (r.cert_z_box.size() == 0 || r.cert_z_box.size() == p.n());
  if (!c.sized) return c;
  const Vector zb = r.cert_z_box.size() == p.n() ? r.cert_z_box : Vector(Vector::Zero(p.n()));
  Vector s = zb;
  if (p.n_eq() > 0) s += p.A.transpose() * r.cert_y;
  if (p.n_in() > 0) s += p.C.transpose() * r.cert_z;
  c.residual = inf_norm(s);
  c.value = p.n_eq() > 0 ? p.b.dot(r.cert_y) : 0.0;
  auto side = [&](double lo, double hi, double mult) {
    if (mult > 0.0) {
      if (std::isfinite(hi))
        c.value += hi * mult;
      else
        c.sign = std::max(c.sign, mult);
    } else if (mult < 0.0) {
      if (std::isfinite(lo))
        c.value += lo * mult;
      else
        c.sign = std::max(c.sign, -mult);
    }
  };
  for (int i = 0; i < p.n_in(); ++i) side(p.l[i], p.u[i], r.cert_z[i]);
  for (int j = 0; j < p.n(); ++j) {
    if (p.has_box())
      side(p.lb[j], p.ub[j], zb[j]);
    else
      c.sign = std::max(c.sign, std::abs(zb[j]));
  }
  c.norm = std::max({inf_norm(r.cert_y), inf_norm(r.cert_z), inf_norm(zb)});
  return c;
}

/// Certificate d of unboundedness: Hd = 0, Ad = 0, Cd and d inside the recession cone of the
/// bounds (≤ 0 where an upper bound is finite, ≥ 0 where a lower one is) and gᵀd < 0. Then
/// x0 + t d stays feasible and its objective decreases without bound. All quantities below are
/// for d normalized to ‖d‖∞ = 1.
struct DualCertificate {
  bool sized = false;
  double hd = 0.0;    ///< ‖Hd‖∞
  double ad = 0.0;    ///< ‖Ad‖∞
  double cone = 0.0;  ///< worst step outside the recession cone of l ≤ Cx ≤ u and lb ≤ x ≤ ub
  double gd = 0.0;    ///< gᵀd, must be negative
};

inline DualCertificate dual_certificate(const Problem& p, const Result& r) {
  DualCertificate c;
  c.sized = r.cert_x.size() == p.n() && inf_norm(r.cert_x) > 0.0;
  if (!c.sized) return c;
  const Vector d = r.cert_x / inf_norm(r.cert_x);
  c.hd = inf_norm(p.H * d);
  if (p.n_eq() > 0) c.ad = inf_norm(p.A * d);
  auto cone = [&](double lo, double hi, double v) {
    if (std::isfinite(hi)) c.cone = std::max(c.cone, v);
    if (std::isfinite(lo)) c.cone = std::max(c.cone, -v);
  };
  if (p.n_in() > 0) {
    const Vector cd = p.C * d;
    for (int i = 0; i < p.n_in(); ++i) cone(p.l[i], p.u[i], cd[i]);
  }
  if (p.has_box())
    for (int j = 0; j < p.n(); ++j) cone(p.lb[j], p.ub[j], d[j]);
  c.gd = p.g.dot(d);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Planted-solution problems: choose a KKT point (x*, y*, z*, z_box*) with complementarity, then
// set b, l, u, lb, ub so that x* is feasible with exactly the chosen active sides, and
// g = −(Hx* + Aᵀy* + Cᵀz* + z_box*). Convexity makes (x*, y*, z*) optimal; H ≻ 0 makes x* the
// unique minimizer. The optimal value f(x*) is exact whatever the rank of H.

struct PlantedSpec {
  int n = 10, n_eq = 3, n_in = 5;
  bool box = false;
  int rank_h = -1;       ///< rank of the MᵀM part of H; −1 = n. With shift = 0, < n is PSD only
  double shift = 0.1;    ///< H = MᵀM / rank + shift·I
  double density = 1.0;  ///< fraction of nonzeros in A and C (and M)
  bool degenerate = false;  ///< also plant weakly active rows (at a bound with zero multiplier)
  double active = 0.6;      ///< share of rows/variables planted strictly active (half each side)
  unsigned seed = 1;
  bool sparse = false;  ///< use the sparse Problem constructor
};

struct Planted {
  Problem problem;
  Vector x, y, z, z_box;
  double objective = 0.0;  ///< f(x*), the optimal value
};

inline Planted planted_qp(const PlantedSpec& s) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::mt19937 rng(s.seed);
  std::uniform_real_distribution<double> unif(-1.0, 1.0), pos(0.2, 2.0), coin(0.0, 1.0);
  auto random = [&](int rows, int cols) {
    Eigen::MatrixXd M(rows, cols);
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j) M(i, j) = coin(rng) < s.density ? unif(rng) : 0.0;
    return M;
  };
  const int n = s.n, rank = s.rank_h < 0 ? n : s.rank_h;
  const Eigen::MatrixXd M = random(rank, n);
  Eigen::MatrixXd H = s.shift * Eigen::MatrixXd::Identity(n, n);
  if (rank > 0) H += M.transpose() * M / rank;
  H = 0.5 * (H + H.transpose());  // exact symmetry, independent of the product's rounding
  const Eigen::MatrixXd A = random(s.n_eq, n), C = random(s.n_in, n);

  Planted out;
  out.x = Vector::NullaryExpr(n, [&] { return unif(rng); });
  out.y = Vector::NullaryExpr(s.n_eq, [&] { return unif(rng); });
  out.z = Vector::Zero(s.n_in);
  out.z_box = Vector::Zero(n);

  // One row (or variable) at value v: decides which side is active and sets the bounds.
  auto plant = [&](double v, double& lo, double& hi, double& mult) {
    const double kind = coin(rng);
    const bool other_side_infinite = coin(rng) < 0.4;
    if (kind < 0.5 * s.active) {  // upper side active, strictly
      hi = v;
      lo = other_side_infinite ? -inf : v - pos(rng);
      mult = pos(rng);
    } else if (kind < s.active) {  // lower side active, strictly
      lo = v;
      hi = other_side_infinite ? inf : v + pos(rng);
      mult = -pos(rng);
    } else if (s.degenerate && kind < s.active + 0.1) {  // weakly active: zero multiplier
      hi = v;
      lo = other_side_infinite ? -inf : v - pos(rng);
      mult = 0.0;
    } else if (s.degenerate && kind < s.active + 0.15) {  // l = u: an equality as a C row
      lo = hi = v;
      mult = unif(rng);
    } else {  // inactive
      lo = coin(rng) < 0.3 ? -inf : v - pos(rng);
      hi = coin(rng) < 0.3 ? inf : v + pos(rng);
      mult = 0.0;
    }
  };
  const Vector cx = C * out.x;
  Vector l(s.n_in), u(s.n_in), lb, ub;
  for (int i = 0; i < s.n_in; ++i) plant(cx[i], l[i], u[i], out.z[i]);
  if (s.box) {
    lb.resize(n);
    ub.resize(n);
    for (int j = 0; j < n; ++j) plant(out.x[j], lb[j], ub[j], out.z_box[j]);
  }
  const Vector b = A * out.x;
  const Vector g = -(H * out.x + A.transpose() * out.y + C.transpose() * out.z + out.z_box);
  if (s.sparse) {
    out.problem = Problem(SparseMatrix(H.sparseView()), g, SparseMatrix(A.sparseView()), b,
                          SparseMatrix(C.sparseView()), l, u, lb, ub);
  } else {
    out.problem = Problem(H, g, A, b, C, l, u, lb, ub);
  }
  out.objective = 0.5 * out.x.dot(H * out.x) + g.dot(out.x);
  return out;
}

/// The tolerances every solver test asks for: 1e-9 absolute, nothing relative, gap checked.
inline qplayer::Settings tight() {
  qplayer::Settings s;
  s.eps_abs = 1e-9;
  s.eps_rel = 0.0;
  s.check_duality_gap = true;
  return s;
}

/// A vector written inline: vec({1, 2, 3}).
inline qplayer::Vector vec(std::initializer_list<double> v) {
  qplayer::Vector out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double e : v) out[i++] = e;
  return out;
}

/// A constraint block with no rows for n variables.
inline Eigen::MatrixXd none(int n) { return Eigen::MatrixXd(0, n); }

/// Every backend this build compiled in, dense first.
inline std::vector<qplayer::Backend> compiled_solver_backends() {
  std::vector<qplayer::Backend> out{qplayer::Backend::Dense};
#ifdef QPLAYER_HAS_LDL
  out.push_back(qplayer::Backend::Ldl);
#endif
#ifdef QPLAYER_HAS_CHOLMOD
  out.push_back(qplayer::Backend::Cholmod);
#endif
  return out;
}

}  // namespace qplayer_test
