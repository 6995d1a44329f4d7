// Exact line search for the semismooth Newton step: the augmented-Lagrangian merit function
// is a convex piecewise quadratic along a direction, so its minimizer is found exactly.
#pragma once

#include "qplayer/problem.hpp"

#include <utility>
#include <vector>

namespace qplayer::detail {

/// Minimizes φ(α) = φ(0) + a0·α + ½a1·α² + (1/2μ)·Σ dist²(w_i + α v_i, [l_i, u_i]) over α ≥ 0,
/// where a0, a1 hold the smooth part's slope and curvature (a1 > 0).
class ExactLineSearch {
 public:
  void reserve(int rows) { breakpoints_.reserve(2 * static_cast<std::size_t>(rows)); }

  /// Returns the minimizing step. Allocation-free after reserve().
  double minimize(double a0, double a1, double mu, const Vector& w, const Vector& v,
                  const Vector& l, const Vector& u);

 private:
  std::vector<std::pair<double, int>> breakpoints_;  // (α, 2·row + is_upper)
};

}  // namespace qplayer::detail
