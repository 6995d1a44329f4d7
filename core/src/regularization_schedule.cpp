// ProximalMethod's regularization schedule: the penalty floors, their lowering when the
// multipliers crawl there, and the recovery ladder of a failed factorization (the only
// place that concludes non-convexity).
#include "proximal_method.hpp"

#include <algorithm>
#include <cmath>

namespace qplayer::detail {
namespace {

// The outer iteration crawls when the primal residual falls, but by less than 1 - kCrawlRatio,
// per accepted step, kCrawlSteps steps in a row, with the dual residual within
// kCrawlDual times its tolerance; then μ drops one BCL factor (above the floors) or the
// floors drop by kCrawlFloorFactor (see lower_floors_if_crawling).
constexpr double kCrawlRatio = 0.9;
constexpr int kCrawlSteps = 10;
constexpr double kCrawlFloorFactor = 1e-2;
constexpr double kCrawlDual = 100.0;
// Growth of ρ per refactorization on the way up to the convexity tolerance.
constexpr double kConvexityRhoFactor = 10.0;

}  // namespace

bool ProximalMethod::penalties_at_floors(double slack) const {
  return mu_eq_ <= slack * mu_floor_eq_ && mu_in_ <= slack * mu_floor_in_;
}

void ProximalMethod::lower_floors_if_crawling(bool accepted, double primal) {
  // At the floors the multipliers converge at a rate ~μ/(μ + σ), σ the smallest curvature
  // of the dual on the active rows. On LISWET's second-difference rows σ is ~1e-12 in
  // scaled units: at μ_in = 1e-8 the primal residual fell by 2e-6 per outer step (5.4e-8
  // after 2000 steps); with a 1e-14 floor from the start it took 47. A smaller floor for
  // all problems would cost accuracy elsewhere (the KKT's μ-block amplifies round-off by
  // 1/μ), so the floors drop only where the crawl shows. Infeasible problems see their
  // certificate (two outer steps at the floors) long before kCrawlSteps.
  // Only a multiplier crawl counts: the dual residual near its tolerance (kCrawlDual), the
  // primal residual (or the gap, when the primal one already is at round-off) converging
  // slowly. A dual residual stuck far above it is not helped by a smaller μ (QSHARE1B, dual
  // 2.6e-4 scaled, lost its solution to that); YAO crawls with its dual at 1.5e-9.
  // A crawl decreases, slowly, every step: a residual at round-off goes up and down or
  // repeats (QGROW15, dense: 2.3e-10 ↔ 4.7e-10, where smaller floors only cost time).
  // Near the floors, not exactly at them: without a BCL rejection μ stays one ulp above a
  // floor (0.1·1e-7), and at mid accuracy LISWET2 crawled there for 2000 steps.
  // Above the floors too: where the BCL target eta_ext has reached its own floor
  // (0.1·eps_abs, 1e-7 at mid accuracy) every subproblem is accepted and μ never moves,
  // so a crawl there never reaches the floors (LISWET2 at mid: μ_in stayed at 1e-7 for
  // 2000 outer steps, gap 1e-5). There the crawl lowers μ itself, one BCL factor.
  bool crawling = accepted && !closest_ && !floors_locked_ && primal > kCrawlRatio * last_primal_ &&
                  primal < last_primal_;
  if (crawling) {  // the O(n) dual residual only when the rest already says crawl
    double dual = 0.0, dual_scale = 0.0;
    unscaled_dual(dual, dual_scale);
    crawling = dual <= kCrawlDual * (settings_.eps_abs + settings_.eps_rel * dual_scale);
  }
  crawl_steps_ = crawling ? crawl_steps_ + 1 : 0;
  last_primal_ = primal;
  if (crawl_steps_ < kCrawlSteps) return;
  crawl_steps_ = 0;
  if (!penalties_at_floors(kNearFloor)) return decrease_penalties();
  const double floor_eq =
      std::min(mu_floor_eq_, std::max(mu_floor_eq_ * kCrawlFloorFactor, settings_.mu_min_crawl));
  const double floor_in =
      std::min(mu_floor_in_, std::max(mu_floor_in_ * kCrawlFloorFactor, settings_.mu_min_crawl));
  if (floor_eq == mu_floor_eq_ && floor_in == mu_floor_in_) return;
  mu_floor_eq_ = mu_eq_ = floor_eq;
  mu_floor_in_ = mu_in_ = floor_in;
  refactorize_ = true;
}

void ProximalMethod::decrease_penalties() {
  const double new_eq = std::max(mu_eq_ * settings_.mu_update_factor, mu_floor_eq_);
  const double new_in = std::max(mu_in_ * settings_.mu_update_factor, mu_floor_in_);
  refactorize_ = refactorize_ || new_eq != mu_eq_ || new_in != mu_in_;
  mu_eq_ = new_eq;
  mu_in_ = new_in;
}

bool ProximalMethod::prepare_factorization(Status& status) {
  // A factorization left by the previous solve at the same parameters (a warm start after
  // a vector-only update: MPC) is moved to the new active set, not recomputed.
  if (refactorize_ && may_reuse_factor_ && kkt_.holds_factorization(rho_, mu_eq_, mu_in_))
    refactorize_ = false;
  may_reuse_factor_ = false;
  FactorStatus fs = refactorize_ ? kkt_.factorize(rho_, mu_eq_, mu_in_, w_.active)
                                 : kkt_.update_active_set(w_.active);
  const bool fresh = refactorize_;
  refactorize_ = false;
  if (fs == FactorStatus::Ok) return true;
  // Recovery ladder before any verdict: rank updates accumulate round-off, a shrunken ρ or
  // tiny penalties can make a convex problem's matrix numerically singular. Only a fresh
  // factorization at the initial ρ and penalties that still has the wrong inertia is taken
  // as proof of non-convexity.
  if (!fresh) fs = kkt_.factorize(rho_, mu_eq_, mu_in_, w_.active);
  // ρ moves up to `rho` and never goes below it again in this solve.
  auto refactorize_at_rho = [&](double rho) {
    rho_ = rho_floor_ = rho;
    rho_base_ = std::max(rho_base_, rho_);
    return kkt_.factorize(rho_, mu_eq_, mu_in_, w_.active);
  };
  // Back up one step at a time and never shrink below the last ρ that worked.
  while (fs != FactorStatus::Ok && rho_ < settings_.rho)
    fs = refactorize_at_rho(std::min(rho_ / settings_.rho_update_factor, settings_.rho));
  while (fs != FactorStatus::Ok && (mu_eq_ < settings_.mu_eq || mu_in_ < settings_.mu_in)) {
    mu_eq_ = std::min(mu_eq_ * 100, settings_.mu_eq);
    mu_in_ = std::min(mu_in_ * 100, settings_.mu_in);
    // Floors lowered for a crawl go back (no further than the settings' floors) and stay:
    // lowering them again would only fail again.
    mu_floor_eq_ = std::max(mu_floor_eq_, std::min(mu_eq_, settings_.mu_min_eq));
    mu_floor_in_ = std::max(mu_floor_in_, std::min(mu_in_, settings_.mu_min_in));
    floors_locked_ = true;
    fs = kkt_.factorize(rho_, mu_eq_, mu_in_, w_.active);
  }
  // Negative curvature at the round-off of the data is not evidence of non-convexity: a
  // PSD matrix printed with six decimals has eigenvalues down to about −1e-6·‖H‖∞ (VALUES,
  // a correlation matrix with entries ±5e-7: λmin = −1.27e-5, ‖H‖∞ = 10.9). ρ rises, and
  // stays, up to convexity_tolerance·‖H‖∞: the proximal term then keeps every subproblem
  // convex, and the answer is a KKT point checked like any other.
  const double rho_convex =
      fs == FactorStatus::WrongInertia ? settings_.convexity_tolerance * hessian_norm() : 0.0;
  while (fs == FactorStatus::WrongInertia && rho_ < rho_convex) {
    fs = refactorize_at_rho(std::min(rho_ * kConvexityRhoFactor, rho_convex));
    convexity_rho_ = rho_;
  }
  if (fs == FactorStatus::Ok) return true;
  status = fs == FactorStatus::WrongInertia ? Status::NonConvex : Status::NumericalError;
  return false;
}

double ProximalMethod::hessian_norm() const {
  // ‖H‖∞ of the scaled H (stored in full, symmetric: column sums are row sums).
  double norm = 0.0;
  for (int j = 0; j < s_->H.outerSize(); ++j) {
    double sum = 0.0;
    for (SparseMatrix::InnerIterator it(s_->H, j); it; ++it) sum += std::abs(it.value());
    norm = std::max(norm, sum);
  }
  return norm;
}

}  // namespace qplayer::detail
