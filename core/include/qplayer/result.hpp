// What a solve returns: the primal-dual point in the user's (unscaled) units and its Info.
#pragma once

#include "qplayer/problem.hpp"
#include "qplayer/status.hpp"

#include <string>

namespace qplayer {

struct Info {
  Status status = Status::NotRun;
  double objective = 0.0;        ///< ½xᵀHx + gᵀx + c0 at the returned x
  int outer_iterations = 0;      ///< proximal-multiplier steps
  int inner_iterations = 0;      ///< semismooth-Newton steps (summed over outer steps)
  double primal_residual = 0.0;  ///< max(‖Ax−b‖∞, Cx outside [l,u], x outside [lb,ub])
  double dual_residual = 0.0;    ///< ‖Hx + g + Aᵀy + Cᵀz + z_box‖∞
  double duality_gap = 0.0;      ///< |xᵀHx + gᵀx + bᵀy + uᵀ[z]₊ + lᵀ[z]₋ + box terms|
  double setup_time = 0.0;       ///< seconds: checks, scaling, KKT analysis
  double solve_time = 0.0;       ///< seconds spent in the last solve()
  std::string backend;           ///< name of the linear-algebra backend that ran
  long long nnz_kkt = 0;         ///< stored entries of the (upper) KKT matrix at the end
  long long nnz_l = 0;           ///< stored entries of the L factor at the end
  int factorizations = 0;        ///< numeric factorizations in the last solve()
  int rank_updates = 0;          ///< row additions/deletions applied instead of refactorizing
  double rho = 0.0, mu_eq = 0.0, mu_in = 0.0;  ///< final penalty parameters (scaled problem)
  /// Nonzero when H showed negative curvature within Settings::convexity_tolerance: the ρ
  /// (scaled problem) below which the solve never went, because H + ρI had the wrong
  /// inertia under it. The answer is then a KKT point of a QP that is convex only up to
  /// the round-off of its data.
  double convexity_rho = 0.0;
  /// Which infeasibility test fired (empty if none): "primal_farkas" — (δy, δz) from the
  /// multiplier step (components pointing into infinite bounds cleared) proves that no
  /// feasible x has ‖x‖₁ < infeasibility_radius = −(bᵀδy + uᵀ[δz]₊ + lᵀ[δz]₋)/‖Aᵀδy + Cᵀδz‖∞,
  /// and that radius exceeds (1 + ‖x_k‖₁)/eps_primal_inf at the iterate x_k (status
  /// PrimalInfeasible, or SolvedClosestFeasible which starts from it); "dual_ray" — δx from
  /// the primal step with Hδx, Aδx ≈ 0, Cδx in the recession cone and
  /// gᵀδx < −eps_dual_inf·‖δx‖ (DualInfeasible), on two consecutive outer steps.
  std::string infeasibility_test;
  /// With "primal_farkas": the ℓ1 radius (user units) of the ball the certificate proves
  /// free of feasible points; 0 otherwise.
  double infeasibility_radius = 0.0;
};

struct Result {
  Vector x;      ///< primal solution
  Vector y;      ///< multipliers of Ax = b
  Vector z;      ///< multipliers of l ≤ Cx ≤ u (>0: upper side active, <0: lower side)
  Vector z_box;  ///< multipliers of lb ≤ x ≤ ub, same sign rule (zeros if no box)
  /// Infeasibility certificates (empty unless the status says so):
  /// PrimalInfeasible: (cert_y, cert_z, cert_z_box) with Aᵀy + Cᵀz + z_box ≈ 0 and
  /// bᵀy + uᵀ[z]₊ + lᵀ[z]₋ + box terms < 0.  DualInfeasible: cert_x with Hx ≈ 0, Ax ≈ 0,
  /// Cx in the recession cone and gᵀx < 0.
  Vector cert_x, cert_y, cert_z, cert_z_box;
  /// Settings::closest_feasible only (empty otherwise), user units: the returned x is
  /// feasible for Ax − shift_eq = b, l ≤ Cx − shift_in ≤ u, lb ≤ x − shift_box ≤ ub.
  /// shift_eq = Ax − b, shift_in = Cx minus its projection onto [l, u], shift_box = x minus
  /// its projection onto [lb, ub] (zeros without a box) for SolvedClosestFeasible; exact
  /// zeros for every other status.
  Vector shift_eq, shift_in, shift_box;
  Info info;
};

}  // namespace qplayer
