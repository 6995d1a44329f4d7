// Reading a closest-feasible solution for differentiation. Choices, and why:
//  * Rows of the least-squares level: every equality row (its residual is part of the
//    minimized shift even where it happens to be zero) and every inequality or box row whose
//    shift is nonzero beyond the activity tolerance. Its side is the sign of the shift: the
//    row sits at its shifted bound on that side, whatever the sign of its multiplier.
//  * Multipliers. The proximal iterates' (y, z) carry a drift t·s (t ~ outer steps / μ) that
//    is a valid multiplier of the shifted QP because Mᵀs = 0, but it enters the gradient of
//    the matrices through λ·w_xᵀ with a huge coefficient: exact only along perturbations that
//    keep Mᵀs = 0 solvable, arbitrary along the others, and rounding-heavy in all cases. The
//    drift is removed by projecting λ off s: one canonical multiplier, small, no sign change
//    on the rows that are not shifted (s is zero there).
//  * Other rows are active exactly as in the feasible case (multiplier beyond tolerance, or
//    at the bound within tolerance: weakly active, kept), with the drift-free multipliers.
#include "closest_point.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace qplayer::derivatives::detail {

double row_uniform_factor(const Solver& solver) {
  const RuizScaling& s = solver.kkt_scaling();
  if (s.e.size()) return s.e[0];
  return s.f.size() ? s.f[0] : 1.0;
}

ClosestPoint make_closest_point(const Solver& solver, double activity_tolerance) {
  const Problem& p = solver.problem();
  const Result& r = solver.result();
  if (r.info.status != Status::SolvedClosestFeasible)
    throw std::logic_error("derivatives: not a closest-feasible solution");
  const int n = p.n(), n_eq = p.n_eq(), n_in = p.n_in();
  const int n_box = static_cast<int>(solver.scaling().C.rows()) - n_in;
  const int m = n_in + n_box, rows = n_eq + m;

  ClosestPoint cp;
  cp.sigma = row_uniform_factor(solver);
  cp.shift.resize(rows);
  cp.multiplier.resize(rows);
  Vector value(m), lower(m), upper(m);
  cp.shift.head(n_eq) = r.shift_eq;
  cp.multiplier.head(n_eq) = r.y;
  if (n_in > 0) {
    cp.shift.segment(n_eq, n_in) = r.shift_in;
    cp.multiplier.segment(n_eq, n_in) = r.z;
    value.head(n_in) = p.C * r.x;
    lower.head(n_in) = p.l;
    upper.head(n_in) = p.u;
  }
  if (n_box > 0) {
    cp.shift.tail(n_box) = r.shift_box;
    cp.multiplier.tail(n_box) = r.z_box;
    value.tail(n_box) = r.x;
    lower.tail(n_box) = p.lb;
    upper.tail(n_box) = p.ub;
  }
  const double shift_norm2 = cp.shift.squaredNorm();
  if (shift_norm2 > 0.0) cp.multiplier -= (cp.multiplier.dot(cp.shift) / shift_norm2) * cp.shift;

  double tol = activity_tolerance;
  if (tol < 0) {
    const Settings& st = solver.settings();
    tol = 100.0 * (st.eps_abs > 0 ? st.eps_abs : st.eps_rel);
  }
  tol = std::max(tol, 1e-14);

  cp.least_squares.assign(rows, 0);
  std::fill(cp.least_squares.begin(), cp.least_squares.begin() + n_eq, 1);
  cp.side.assign(m, 0);
  double z_max = 0.0;
  constexpr double inf = std::numeric_limits<double>::infinity();
  auto bound_scale = [&](int i) {
    const double b = cp.shift[n_eq + i] > 0 ? upper[i] : lower[i];
    return 1.0 + (std::isfinite(b) ? std::abs(b) : 0.0);
  };
  for (int i = 0; i < m; ++i) {
    const double s = cp.shift[n_eq + i];
    if (std::abs(s) > tol * bound_scale(i)) {
      cp.least_squares[n_eq + i] = 1;
      cp.side[i] = s > 0 ? 1 : -1;
    } else {
      z_max = std::max(z_max, std::abs(cp.multiplier[n_eq + i]));
    }
  }
  const double z_tol = tol * (1.0 + z_max);
  for (int i = 0; i < m; ++i) {
    if (cp.least_squares[n_eq + i]) continue;
    const double z = cp.multiplier[n_eq + i];
    const double to_upper = std::isfinite(upper[i]) ? upper[i] - value[i] : inf;
    const double to_lower = std::isfinite(lower[i]) ? value[i] - lower[i] : inf;
    const bool at_upper = std::isfinite(upper[i]) && to_upper <= tol * (1.0 + std::abs(upper[i]));
    const bool at_lower = std::isfinite(lower[i]) && to_lower <= tol * (1.0 + std::abs(lower[i]));
    if (std::abs(z) > z_tol) {
      cp.side[i] = z > 0 ? 1 : -1;
    } else if (at_upper || at_lower) {
      cp.side[i] = (at_upper && (!at_lower || to_upper <= to_lower)) ? 1 : -1;
      ++cp.weakly_active;
    } else {
      cp.multiplier[n_eq + i] = 0.0;  // inactive: locally constant zero
    }
  }
  (void)n;
  return cp;
}

}  // namespace qplayer::derivatives::detail
