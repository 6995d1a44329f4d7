// The outer proximal method of multipliers (BCL schedule) and its inner semismooth Newton
// loop, on the scaled problem. Knows nothing of how the KKT system is factorized.
#pragma once

#include "qplayer/kkt_system.hpp"
#include "qplayer/result.hpp"
#include "qplayer/ruiz_scaling.hpp"
#include "qplayer/settings.hpp"
#include "workspace.hpp"

#include <chrono>

namespace qplayer::detail {

class ProximalMethod {
 public:
  ProximalMethod(const Problem& problem, const Settings& settings, const RuizScaling& scaling,
                 KktSystem& kkt, Workspace& work)
      : problem_(problem), settings_(settings), s_(&scaling), kkt_(kkt), w_(work) {}

  /// Iterates from the point already in work.x/y/z; fills info (status, iterations,
  /// penalties) and the certificates of `result` when infeasible.
  void run(Info& info, Result& result);

  /// The scaling the final iterate in work.x/y/z is expressed in: the one given at
  /// construction, or work.closest_scaling after a closest-feasible phase (whose values
  /// the KKT system then holds, see Workspace::kkt_holds_closest).
  const RuizScaling& scaling() const { return *s_; }

 private:
  enum class Check { Continue, Converged, NotFinite };

  // --- closest feasible QP (closest_feasible.cpp) ------------------------------------------
  /// Switches to the phase after primal infeasibility: row-uniform scaling, fixed μ,
  /// multipliers restarted.
  void begin_closest_feasible();
  /// Inner tolerance of that phase: below the outer one, but not below the round-off of
  /// Aᵀy + Cᵀz with the phase's growing multipliers.
  double closest_inner_tolerance() const;
  /// Stopping test of that phase: least-squares stationarity of the shift and KKT of the
  /// shifted QP, on the original data.
  Check check_closest_feasible();
  /// 1e-15·max(‖y‖∞, ‖z‖∞): the round-off level of Aᵀy + Cᵀz in the scaled residuals.
  double multiplier_noise() const;
  /// max_j |(Hx + g + Aᵀy + Cᵀz)_j| unscaled, and the magnitude of its terms.
  void unscaled_dual(double& dual, double& scale) const;

  /// Products at (x, y, z), the subproblem's active set and Hx + g + Aᵀy + Cᵀz.
  void evaluate_point();
  /// ‖F(x, y, z)‖∞ of the subproblem's optimality system.
  double inner_residual();
  /// Stopping test on unscaled quantities; confirmed on the original data before "solved".
  Check check_convergence();
  /// Converged when primal, dual (and gap, if asked) residuals meet the tolerances;
  /// NotFinite when any of them overflowed.
  Check verdict(const Residuals& r);  // also kept in Workspace::verdict_residuals
  /// The duality gap, estimated from the scaled iterate, is far above its tolerance.
  bool gap_clearly_open() const;
  /// ℓ1 radius (user units) within which (y − ye, z − ze), cleared of components pointing
  /// into infinite bounds, proves that no feasible point exists; 0 when it proves nothing.
  double primal_infeasibility_radius();
  /// Primal certificate: that radius beyond (1 + ‖x‖₁)/eps_primal_inf; leaves the
  /// certificate in work.cert_y/cert_z. Dual certificate from x − xe.
  bool primal_infeasible();
  bool dual_infeasible();
  void store_certificates(Result& result, Status status) const;
  /// Factorization for the current active set; NonConvex / NumericalError on failure.
  bool prepare_factorization(Status& status);
  /// One polishing attempt (polish.cpp) on the current active set: Converged leaves the
  /// polished point in work.x/y/z, anything else restores the iterate it started from.
  Check polish();
  /// Refines work.polish_* against the original data on the held active set; false when
  /// the point overflowed.
  bool refine_polished_point();
  /// Adds the rows the polished x violates, frees rows with wrong-sign multipliers;
  /// true if the set changed.
  bool adjust_polished_set();
  /// Holds the free variable with the largest reduced cost at the bound that cost pushes it
  /// to; false if none exceeds kPinFraction of the violation tolerance.
  bool pin_free_variable();
  /// The user bound row i is held at, and its value C_i x (x_j for a box row).
  double polish_bound(int i) const;
  double polish_row_value(int i) const;
  /// Takes one damped Newton step; returns its length, or −1 when the direction overflowed.
  double newton_step();
  double elapsed() const;
  /// μ_eq and μ_in within `slack` (≥ 1) times their floors.
  bool penalties_at_floors(double slack) const;
  // Penalties within this factor of their floors count as there: μ·0.1 can land one ulp
  // above a floor and stay there until the next BCL rejection.
  static constexpr double kNearFloor = 1.01;
  /// Counts accepted outer steps whose primal residual barely moves, and after kCrawlSteps
  /// of them lowers the floors (and the penalties) by kCrawlFloorFactor, or, while the
  /// penalties are still above the floors, the penalties by one BCL factor.
  void lower_floors_if_crawling(bool accepted, double primal);
  // One BCL decrease of μ_eq and μ_in (× mu_update_factor), not below the floors.
  void decrease_penalties();
  /// ‖H‖∞ of the scaled problem (the scale of convexity_tolerance).
  double hessian_norm() const;

  const Problem& problem_;
  const Settings& settings_;
  const RuizScaling* s_;  // switched to work.closest_scaling by begin_closest_feasible()
  KktSystem& kkt_;
  Workspace& w_;

  double rho_ = 0, mu_eq_ = 0, mu_in_ = 0;
  double rho_base_ = 0;       // ρ of the schedule, without the raises for short steps
  double rho_floor_ = 0;      // smallest ρ still allowed (raised after a failed factorization)
  double convexity_rho_ = 0;  // ρ raised to for round-off negative curvature (Info)
  bool refactorize_ = true;
  // Only the first factorization of a solve may reuse what the KKT system holds (a warm
  // start after a vector-only update: MPC). Later on, a held factorization at the same ρ
  // and μ is a polishing attempt's, on its own active set: moving it to the iteration's by
  // row updates would make the path depend on what the attempt tried.
  bool may_reuse_factor_ = false;
  double last_alpha_ = 1.0;    // step length of the last Newton step
  double last_dx_norm_ = 0.0;  // ‖dx‖∞ of its direction
  bool closest_ = false;       // in the closest-feasible phase
  // Floors of μ_eq, μ_in: the settings' values, lowered towards Settings::mu_min_crawl when
  // the outer iteration crawls there (see lower_floors_if_crawling).
  double mu_floor_eq_ = 0, mu_floor_in_ = 0;
  int crawl_steps_ = 0;       // consecutive crawling outer steps at the floors
  double last_primal_ = 0.0;  // unscaled primal residual of the previous outer step
  double last_dual_ = 0.0;    // scaled dual residual of the previous accepted outer step
  int drift_steps_ = 0;       // consecutive accepted steps with the proximal term drifting
  double last_infeasibility_radius_ = 0.0;  // of the last certificate primal_infeasible() accepted
  bool floors_locked_ = false;              // a factorization failed below the floors: they stay
  std::chrono::steady_clock::time_point start_;
};

}  // namespace qplayer::detail
