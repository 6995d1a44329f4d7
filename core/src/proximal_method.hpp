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
      : problem_(problem), settings_(settings), s_(scaling), kkt_(kkt), w_(work) {}

  /// Iterates from the point already in work.x/y/z; fills info (status, iterations,
  /// penalties) and the certificates of `result` when infeasible.
  void run(Info& info, Result& result);

 private:
  enum class Check { Continue, Converged, NotFinite };

  /// Products at (x, y, z), the subproblem's active set and Hx + g + Aᵀy + Cᵀz.
  void evaluate_point();
  /// ‖F(x, y, z)‖∞ of the subproblem's optimality system.
  double inner_residual();
  /// Stopping test on unscaled quantities; confirmed on the original data before "solved".
  Check check_convergence();
  /// Primal certificate from (y − ye, z − ze), dual certificate from x − xe.
  bool primal_infeasible();
  bool dual_infeasible();
  void store_certificates(Result& result, Status status) const;
  /// Factorization for the current active set; NonConvex / NumericalError on failure.
  bool prepare_factorization(Status& status);
  /// Takes one damped Newton step; returns its length, or −1 when the direction overflowed.
  double newton_step();
  double elapsed() const;

  const Problem& problem_;
  const Settings& settings_;
  const RuizScaling& s_;
  KktSystem& kkt_;
  Workspace& w_;

  double rho_ = 0, mu_eq_ = 0, mu_in_ = 0;
  double rho_floor_ = 0;  // smallest ρ still allowed (raised after a failed factorization)
  bool refactorize_ = true;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace qplayer::detail
