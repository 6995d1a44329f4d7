// Polishing: the last stretch of the proximal iteration, done in one linear solve.
//
// Near the solution the proximal method converges linearly at a rate set by its penalty
// floors, and on badly scaled problems the last digits of the gap (1e-9 absolute on
// objectives of 1e7) arrive only after thousands of outer steps, or never. When the active
// set has settled, the solution is the solution of the equality-constrained QP on that set:
//   [ H    Aᵀ   C_Jᵀ ] [x  ]   [ −g  ]
//   [ A    0    0    ] [y  ] = [  b  ]
//   [ C_J  0    0    ] [z_J]   [ c_J ]      (c_J: the bound each active row sits at)
// We solve it with the KKT system the iteration already uses, regularized as the iteration's, and
// refine against the unregularized operator (proximal point steps with the iteration's ρ and μ:
// each divides the error by about 1 + σ/max(ρ, μ)). The residuals are those of the ORIGINAL data in
// user units, accumulated in long double: in the scaled space the iteration stalls at round-off
// there that the scaling amplifies by 1/(c·d_j) in user units (QSEBA: 5e-13 scaled, 1.4e-9
// unscaled). The point is kept only if it passes the same stopping test as any other iterate, so a
// wrong guess of the active set costs one factorization and changes nothing.
#include "proximal_method.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace qplayer::detail {
namespace {

// Active-set corrections and pins per polishing attempt (each costs one factorization).
constexpr int kPolishRounds = 6;
// The polished point's violation tolerance, as a fraction of eps_abs.
constexpr double kViolation = 0.1;
// A free variable's reduced cost above this fraction of the violation tolerance is
// worth pinning (pin_free_variable).
constexpr double kPinFraction = 1e-3;

}  // namespace

double ProximalMethod::polish_bound(int i) const {
  const int m = problem_.n_in();
  const bool upper = w_.polish_side[i] > 0;
  if (i < m) return upper ? problem_.u[i] : problem_.l[i];
  return upper ? problem_.ub[i - m] : problem_.lb[i - m];
}

double ProximalMethod::polish_row_value(int i) const {
  const int m = problem_.n_in();
  return i < m ? w_.polish_cx[i] : w_.polish_x[i - m];
}

bool ProximalMethod::refine_polished_point() {
  Workspace& w = w_;
  const RuizScaling& s = *s_;
  const int n = w.n, n_eq = w.n_eq, m = problem_.n_in();
  const Vector no_box;
  const Vector& z_box = s.n_box ? w.polish_z_box : no_box;
  double previous = std::numeric_limits<double>::infinity();
  for (int k = 0; k < settings_.polish_refinement; ++k) {
    w.evaluator.residual_vectors(problem_, w.polish_x, w.polish_y, w.polish_z, z_box, w.polish_rx,
                                 w.polish_req, w.polish_cx);
    // Right-hand side −F in the scaled space: r̃_x = c·D r_x, r̃_eq = E r_eq, r̃_z = F r_z.
    w.rhs.head(n) = -s.c * s.d.cwiseProduct(w.polish_rx);
    w.rhs.segment(n, n_eq) = -s.e.cwiseProduct(w.polish_req);
    for (int i = 0; i < w.n_in; ++i)
      w.rhs[n + n_eq + i] = w.active[i] ? -s.f[i] * (polish_row_value(i) - polish_bound(i)) : 0.0;
    const double residual = w.rhs.lpNorm<Eigen::Infinity>();
    if (!std::isfinite(residual)) return false;
    // Stagnation: round-off reached, or a singular reduced system (dependent active rows)
    // that converges only in the least-squares sense.
    if (residual == 0.0 || residual > 0.9 * previous) break;
    previous = residual;
    kkt_.solve(w.rhs, w.sol);
    w.polish_x += w.sol.head(n).cwiseProduct(s.d);
    w.polish_y += w.sol.segment(n, n_eq).cwiseProduct(s.e) / s.c;
    for (int i = 0; i < m; ++i) w.polish_z[i] += w.sol[n + n_eq + i] * s.f[i] / s.c;
    for (int j = 0; j < s.n_box; ++j)
      w.polish_z_box[j] += w.sol[n + n_eq + m + j] * s.f[m + j] / s.c;
  }
  // Row values at the final point, for adjust_polished_set().
  w.evaluator.residual_vectors(problem_, w.polish_x, w.polish_y, w.polish_z, z_box, w.polish_rx,
                               w.polish_req, w.polish_cx);
  return w.polish_x.allFinite();
}

bool ProximalMethod::adjust_polished_set() {
  Workspace& w = w_;
  const RuizScaling& s = *s_;
  const int m = problem_.n_in();
  const double z_norm = std::max(m ? w.polish_z.lpNorm<Eigen::Infinity>() : 0.0,
                                 s.n_box ? w.polish_z_box.lpNorm<Eigen::Infinity>() : 0.0);
  const double tiny = 1e-12 * (1.0 + z_norm);
  const double violation = kViolation * settings_.eps_abs;
  bool changed = false;
  for (int i = 0; i < w.n_in; ++i) {
    double& z = i < m ? w.polish_z[i] : w.polish_z_box[i - m];
    if (w.active[i]) {
      // Complementarity needs the multiplier's sign to match the side the row is held at
      // (either sign is fine on a row with l = u). Round-off-sized wrong signs are dropped;
      // larger ones free the row.
      if (s.l[i] == s.u[i]) continue;
      const double wrong = -w.polish_side[i] * z;
      if (wrong > tiny) {
        w.active[i] = 0;
        w.polish_side[i] = 0.0;
        changed = true;
      }
      if (wrong > 0) z = 0.0;
      continue;
    }
    const double v = polish_row_value(i);
    const double hi = i < m ? problem_.u[i] : problem_.ub[i - m];
    const double lo = i < m ? problem_.l[i] : problem_.lb[i - m];
    if (v - hi > violation || lo - v > violation) {
      w.active[i] = 1;
      w.polish_side[i] = v > hi ? 1.0 : -1.0;
      changed = true;
    }
  }
  return changed;
}

// A free variable whose reduced cost the refinement cannot remove (its dual residual
// component: a free row has no multiplier) lies on a direction the polished system barely
// curves, where each regularized refinement step moves it by only reduced/ρ. The objective
// pushes it to the bound on the reduced cost's side, so that bound joins the set, one
// variable per round, the worst first (QETAMACR: x_55 slid from 0.41 towards lb = 0 over
// 2000 outer steps with g + Aᵀy = 1.06e-6 throughout, the dual tolerance 1e-6; with pins
// it is solved in 72 outer steps, dual 2.5e-8, gap 4.1e-7). A wrong guess shows as a
// violation or a wrong-signed multiplier in the next round. General rows have no
// componentwise test.
bool ProximalMethod::pin_free_variable() {
  Workspace& w = w_;
  const int m = problem_.n_in();
  double worst = kPinFraction * kViolation * settings_.eps_abs;
  int row = -1;
  for (int i = m; i < w.n_in; ++i) {
    if (w.active[i]) continue;
    const double reduced = w.polish_rx[i - m];
    const double bound = reduced > 0 ? problem_.lb[i - m] : problem_.ub[i - m];
    if (std::abs(reduced) > worst && std::isfinite(bound)) {
      worst = std::abs(reduced);
      row = i;
    }
  }
  if (row < 0) return false;
  w.active[row] = 1;
  w.polish_side[row] = w.polish_rx[row - m] > 0 ? -1.0 : 1.0;
  return true;
}

ProximalMethod::Check ProximalMethod::polish() {
  Workspace& w = w_;
  const RuizScaling& s = *s_;
  const int m = problem_.n_in();
  // The active set of the last evaluate_point(): rows whose shifted value Cx + μ·ze leaves
  // [l, u], on the side it leaves. The same set as the last failed attempt would give the
  // same answer.
  if (w.active == w.polished) return Check::Continue;
  w.polished = w.active;
  for (int i = 0; i < w.n_in; ++i)
    w.polish_side[i] = !w.active[i] ? 0.0 : w.w[i] > s.u[i] ? 1.0 : -1.0;

  // Candidate in user units; free rows lose their multipliers.
  w.polish_x = w.x.cwiseProduct(s.d);
  w.polish_y = w.y.cwiseProduct(s.e) / s.c;
  for (int i = 0; i < m; ++i) w.polish_z[i] = w.active[i] ? w.z[i] * s.f[i] / s.c : 0.0;
  for (int j = 0; j < s.n_box; ++j)
    w.polish_z_box[j] = w.active[m + j] ? w.z[m + j] * s.f[m + j] / s.c : 0.0;
  const Vector no_box;
  const Vector& z_box = s.n_box ? w.polish_z_box : no_box;

  // Whatever happens, the iteration's next step needs its own factorization back.
  refactorize_ = true;
  // A few rounds of a primal-dual active-set method: rows the polished x violates join the
  // set, rows whose multiplier takes the wrong sign leave it (QETAMACR: the first guess
  // misses rows that the proximal iterate still approaches from inside).
  bool passed = false, tested = false;
  Residuals r;
  for (int round = 0; round < kPolishRounds && !passed; ++round) {
    // The iteration's own ρ and μ: known to factorize (a smaller regularization made the
    // dense LDLᵀ of QSEBA fail for want of pivoting).
    if (kkt_.factorize(rho_, mu_eq_, mu_in_, w.active) != FactorStatus::Ok) return Check::Continue;
    if (!refine_polished_point()) return Check::Continue;
    if (adjust_polished_set()) continue;
    r = w.evaluator.evaluate(problem_, w.polish_x, w.polish_y, w.polish_z, z_box);
    tested = true;
    passed = verdict(r) == Check::Converged;
    if (!passed && !pin_free_variable()) break;
  }
  if (settings_.verbose) {
    int size = 0;
    for (const auto a : w.active) size += a;
    if (tested) {
      std::printf("polish     %d active rows%s  primal %.3e  dual %.3e  gap %.3e\n", size,
                  passed ? "" : " (not passed)", r.primal, r.dual, r.gap);
    } else {
      std::printf("polish     %d active rows (still changing)\n", size);
    }
  }
  if (!passed) return Check::Continue;

  // Accepted: the user-unit point is the answer exactly as tested (Solver::run reads
  // w.*_user after Solved); the scaled iterate follows it for warm starts and derivatives,
  // whose factorization the KKT system now holds (same ρ and μ, the polished active set).
  w.x_user = w.polish_x;
  w.y_user = w.polish_y;
  w.z_user = w.polish_z;
  if (s.n_box) w.z_box_user = w.polish_z_box;
  w.x = w.polish_x.cwiseQuotient(s.d);
  w.y = s.c * w.polish_y.cwiseQuotient(s.e);
  for (int i = 0; i < m; ++i) w.z[i] = s.c * w.polish_z[i] / s.f[i];
  for (int j = 0; j < s.n_box; ++j) w.z[m + j] = s.c * w.polish_z_box[j] / s.f[m + j];
  return Check::Converged;
}

}  // namespace qplayer::detail
