// Stopping and infeasibility tests of the proximal method, on unscaled quantities.
// "Solved" is only declared after the residuals are recomputed from the original data.
#include "proximal_method.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qplayer::detail {
namespace {

double tolerance(double abs, double rel, double scale) { return abs + rel * scale; }

// Relative round-off allowed for the support value σ(δ), a sum of terms of both signs.
constexpr double kSumRoundoff = 1e-13;
// Floor of |(Aᵀδy + Cᵀδz)_j| relative to ‖δ‖∞ on the scaled data (entries ≤ 1): the
// round-off of a column with up to ~10⁴ entries.
constexpr double kProductRoundoff = 1e-12;

}  // namespace

void ProximalMethod::unscaled_dual(double& dual, double& scale) const {
  const Workspace& w = w_;
  dual = scale = 0.0;
  for (int j = 0; j < w.n; ++j) {
    const double unscale = 1.0 / (s_->c * s_->d[j]);
    dual = std::max(dual, std::abs(w.grad[j]) * unscale);
    scale = std::max({scale, std::abs(w.Hx[j]) * unscale, std::abs(s_->g[j]) * unscale,
                      std::abs(w.Aty[j]) * unscale, std::abs(w.Ctz[j]) * unscale});
  }
}

ProximalMethod::Check ProximalMethod::check_convergence() {
  Workspace& w = w_;
  const Settings& st = settings_;
  // Cheap test first, in the scaled space with the scaling undone entry by entry.
  double primal = 0.0, primal_scale = 0.0;
  for (int i = 0; i < w.n_eq; ++i) {
    primal = std::max(primal, std::abs(w.Ax[i] - s_->b[i]) / s_->e[i]);
    primal_scale =
        std::max({primal_scale, std::abs(w.Ax[i]) / s_->e[i], std::abs(s_->b[i]) / s_->e[i]});
  }
  for (int i = 0; i < w.n_in; ++i) {
    primal = std::max(primal, std::max(w.Cx[i] - s_->u[i], s_->l[i] - w.Cx[i]) / s_->f[i]);
    primal_scale = std::max(primal_scale, std::abs(w.Cx[i]) / s_->f[i]);
  }
  if (primal > tolerance(st.eps_abs, st.eps_rel, primal_scale)) return Check::Continue;
  double dual = 0.0, dual_scale = 0.0;
  unscaled_dual(dual, dual_scale);
  if (dual > tolerance(st.eps_abs, st.eps_rel, dual_scale)) return Check::Continue;

  // A multiplier pushing against an infinite bound (left over from a damped step on a row
  // that is now inactive) makes the dual objective -inf: drop it, and let the exact dual
  // residual below judge the point without it.
  for (int i = 0; i < w.n_in; ++i)
    if ((w.z[i] > 0 && !std::isfinite(s_->u[i])) || (w.z[i] < 0 && !std::isfinite(s_->l[i])))
      w.z[i] = 0.0;
  if (st.check_duality_gap && gap_clearly_open()) return Check::Continue;
  // Candidate: unscale and judge on the original data, exactly as a user would.
  w.x_user = w.x.cwiseProduct(s_->d);
  w.y_user = w.y.cwiseProduct(s_->e) / s_->c;
  w.z_all_user = w.z.cwiseProduct(s_->f) / s_->c;
  const int m = problem_.n_in();
  w.z_user = w.z_all_user.head(m);
  if (s_->n_box) w.z_box_user = w.z_all_user.tail(s_->n_box);
  const Vector no_box;  // (not `cond ? w.z_box_user : Vector()`: that copies z_box_user)
  const Residuals r = w.evaluator.evaluate(problem_, w.x_user, w.y_user, w.z_user,
                                           s_->n_box ? w.z_box_user : no_box);
  // Finite scaled iterates can still overflow in user units (or in the gap's products):
  // no verdict can be checked then.
  return verdict(r);
}

bool ProximalMethod::gap_clearly_open() const {
  // Near a solution the primal and dual tests pass on most inner iterations while the gap is
  // still open, and each would pay the full evaluation from the original data in long double
  // (LISWET2: 7 % of the solve). The gap can be judged from the scaled iterate first: with
  // power-of-two scaling every user term is the scaled term divided by c exactly, so this
  // double sum differs from the evaluation below by rounding alone, at most about N·ε of the
  // terms' magnitudes (N terms summed); the margin is 8·N·ε of them. This test only ever
  // continues the iteration.
  const Workspace& w = w_;
  const double xHx = w.x.dot(w.Hx), gx = w.x.dot(s_->g), by = w.y.dot(s_->b);
  double sum = xHx + gx + by;
  double magnitude = w.x.cwiseAbs().dot(w.Hx.cwiseAbs()) + w.x.cwiseAbs().dot(s_->g.cwiseAbs()) +
                     w.y.cwiseAbs().dot(s_->b.cwiseAbs());
  double scale = std::max({std::abs(xHx), std::abs(gx), std::abs(by)});
  for (int i = 0; i < w.n_in; ++i) {
    const double bound = w.z[i] > 0 ? s_->u[i] : w.z[i] < 0 ? s_->l[i] : 0.0;
    if (!std::isfinite(bound)) continue;
    const double term = bound * w.z[i];
    sum += term;
    magnitude += std::abs(term);
    scale = std::max(scale, std::abs(term));
  }
  const Settings& st = settings_;
  const double gap_abs = st.eps_gap_abs < 0 ? st.eps_abs : st.eps_gap_abs;
  const double c = s_->c;
  const double terms = static_cast<double>(w.n + w.n_eq + w.n_in);
  const double margin = 8.0 * terms * std::numeric_limits<double>::epsilon() * magnitude;
  return std::abs(sum) / c > 2.0 * tolerance(gap_abs, st.eps_gap_rel, scale / c) + margin / c;
}

ProximalMethod::Check ProximalMethod::verdict(const Residuals& r) {
  w_.verdict_residuals = r;
  const Settings& st = settings_;
  if (!std::isfinite(r.primal) || !std::isfinite(r.dual) || !std::isfinite(r.gap) ||
      !std::isfinite(r.gap_scale))
    return Check::NotFinite;
  if (r.primal > tolerance(st.eps_abs, st.eps_rel, r.primal_scale)) return Check::Continue;
  if (r.dual > tolerance(st.eps_abs, st.eps_rel, r.dual_scale)) return Check::Continue;
  if (st.check_duality_gap) {
    const double gap_abs = st.eps_gap_abs < 0 ? st.eps_abs : st.eps_gap_abs;
    if (r.gap > tolerance(gap_abs, st.eps_gap_rel, r.gap_scale)) return Check::Continue;
  }
  return Check::Converged;
}

double ProximalMethod::primal_infeasibility_radius() {
  Workspace& w = w_;
  // δ = (y − ye, z − ze) in scaled units, minus its components that point into an infinite
  // bound (there the support function would be +∞); what remains is a candidate Farkas
  // vector. For every feasible x, σ(δ) = bᵀδy + uᵀ[δz]₊ + lᵀ[δz]₋ ≥ xᵀ(Aᵀδy + Cᵀδz), so
  //   ‖x‖₁ ≥ −σ(δ) / ‖Aᵀδy + Cᵀδz‖∞   (user units: the products carry D⁻¹),
  // a radius below which no feasible point exists. The scaling cancels from σ.
  w.tmp_eq = w.y - w.ye;
  w.tmp_in = w.z - w.ze;
  double sigma = 0.0, sigma_terms = 0.0;
  for (int i = 0; i < w.n_eq; ++i) {
    sigma += s_->b[i] * w.tmp_eq[i];
    sigma_terms += std::abs(s_->b[i] * w.tmp_eq[i]);
  }
  for (int i = 0; i < w.n_in; ++i) {
    const double dz = w.tmp_in[i];
    if (dz == 0.0) continue;
    const double bound = dz > 0 ? s_->u[i] : s_->l[i];
    if (!std::isfinite(bound)) {
      w.tmp_in[i] = 0.0;
      continue;
    }
    sigma += bound * dz;
    sigma_terms += std::abs(bound * dz);
  }
  const double delta = std::max(w.n_eq ? w.tmp_eq.lpNorm<Eigen::Infinity>() : 0.0,
                                w.n_in ? w.tmp_in.lpNorm<Eigen::Infinity>() : 0.0);
  // σ is a sum of large terms of both signs: only a value beyond its round-off counts.
  sigma += kSumRoundoff * sigma_terms;
  if (!(delta > 0) || !(sigma < 0) || !std::isfinite(sigma)) return 0.0;
  kkt_.multiply_At(w.tmp_eq, w.tmp_n);
  kkt_.multiply_Ct(w.tmp_in, w.cert_x);
  w.tmp_n += w.cert_x;
  // The products' own round-off (scaled data: entries of magnitude ≤ 1) is a floor.
  double residual = 0.0;
  for (int j = 0; j < w.n; ++j)
    residual =
        std::max(residual, std::max(std::abs(w.tmp_n[j]), kProductRoundoff * delta) / s_->d[j]);
  if (!(residual > 0)) return 0.0;
  return -sigma / residual;
}

bool ProximalMethod::primal_infeasible() {
  Workspace& w = w_;
  const double radius = primal_infeasibility_radius();
  // (Tested after every Newton step: most calls end here, before the norm below.)
  if (!(radius > 0)) return false;
  // Scale of the problem as the iteration sees it: a feasible point can lie that far out
  // (its radius bound is ‖x*‖₁), so the certificate must put the feasible set, if any,
  // 1/eps_primal_inf times beyond the iterate. On the 137 feasible Maros–Meszaros problems
  // the ratio never exceeded 2.7 at any outer step (DTOC3).
  const double x_norm = w.x.cwiseProduct(s_->d).lpNorm<1>();  // user units
  if (!(radius * settings_.eps_primal_inf > 1.0 + x_norm)) return false;
  last_infeasibility_radius_ = radius;
  // The certificate in user units (the components dropped above stay zero).
  w.cert_y = w.tmp_eq.cwiseProduct(s_->e);
  w.cert_z = w.tmp_in.cwiseProduct(s_->f);
  return true;
}

bool ProximalMethod::dual_infeasible() {
  Workspace& w = w_;
  w.tmp_n = w.x - w.xe;
  w.cert_x = w.tmp_n.cwiseProduct(s_->d);  // user units
  const double norm = w.cert_x.size() ? w.cert_x.lpNorm<Eigen::Infinity>() : 0.0;
  if (!(norm > 0) || !std::isfinite(norm)) return false;
  const double eps = settings_.eps_dual_inf * norm;
  if (w.tmp_n.dot(s_->g) / s_->c >= -eps) return false;
  kkt_.multiply_H(w.tmp_n, w.Hdx);
  for (int j = 0; j < w.n; ++j)
    if (std::abs(w.Hdx[j] / (s_->c * s_->d[j])) > eps) return false;
  kkt_.multiply_A(w.tmp_n, w.tmp_eq);
  for (int i = 0; i < w.n_eq; ++i)
    if (std::abs(w.tmp_eq[i] / s_->e[i]) > eps) return false;
  kkt_.multiply_C(w.tmp_n, w.tmp_in);
  for (int i = 0; i < w.n_in; ++i) {
    const double v = w.tmp_in[i] / s_->f[i];
    if (std::isfinite(s_->u[i]) && v > eps) return false;
    if (std::isfinite(s_->l[i]) && v < -eps) return false;
  }
  return true;
}

void ProximalMethod::store_certificates(Result& result, Status status) const {
  const int m = problem_.n_in();
  // Certificates this run does not produce are cleared here rather than before the run:
  // re-solving an infeasible problem then refills vectors of the same size (no
  // allocation). A run that entered the closest-feasible phase keeps the primal
  // certificate stored when the phase began, whatever its final status.
  if (status != Status::DualInfeasible) result.cert_x.resize(0);
  if (status != Status::PrimalInfeasible && !closest_) {
    result.cert_y.resize(0);
    result.cert_z.resize(0);
    result.cert_z_box.resize(0);
  }
  if (status == Status::PrimalInfeasible) {
    // As primal_infeasible() left them: (y − ye, z − ze) without the components that point
    // into infinite bounds, in user units.
    const Vector& dz = w_.cert_z;
    result.cert_y = w_.cert_y;
    result.cert_z = dz.head(m);
    if (s_->n_box)
      result.cert_z_box = dz.tail(s_->n_box);
    else
      result.cert_z_box.setZero(problem_.n());
    const double norm =
        std::max({result.cert_y.size() ? result.cert_y.lpNorm<Eigen::Infinity>() : 0.0,
                  dz.size() ? dz.lpNorm<Eigen::Infinity>() : 0.0});
    if (norm > 0) {
      result.cert_y /= norm;
      result.cert_z /= norm;
      result.cert_z_box /= norm;
    }
  } else if (status == Status::DualInfeasible) {
    result.cert_x = (w_.x - w_.xe).cwiseProduct(s_->d);
    const double norm = result.cert_x.lpNorm<Eigen::Infinity>();
    if (norm > 0) result.cert_x /= norm;
  }
}

}  // namespace qplayer::detail
