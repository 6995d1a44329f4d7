// Exact line search: walk the sorted breakpoints of the piecewise-linear derivative until
// it changes sign.
#include "line_search.hpp"

#include <algorithm>
#include <cmath>

namespace qplayer::detail {

double ExactLineSearch::minimize(double a0, double a1, double mu, const Vector& w, const Vector& v,
                                 const Vector& l, const Vector& u) {
  // φ'(α) = c0 + c1·α on each piece. A row contributes v_i (w_i + α v_i − bound)/μ while it
  // lies beyond that bound; each breakpoint toggles one such contribution.
  double c0 = a0, c1 = a1;
  breakpoints_.clear();
  const double inv_mu = 1.0 / mu;
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    const double vi = v[i], wi = w[i];
    const bool above = wi > u[i] || (wi == u[i] && vi > 0);
    const bool below = wi < l[i] || (wi == l[i] && vi < 0);
    if (above) {
      c0 += vi * (wi - u[i]) * inv_mu;
      c1 += vi * vi * inv_mu;
    } else if (below) {
      c0 += vi * (wi - l[i]) * inv_mu;
      c1 += vi * vi * inv_mu;
    }
    if (vi == 0.0) continue;
    if (std::isfinite(u[i])) {
      const double t = (u[i] - wi) / vi;
      if (t > 0) breakpoints_.emplace_back(t, static_cast<int>(2 * i + 1));
    }
    if (std::isfinite(l[i])) {
      const double t = (l[i] - wi) / vi;
      if (t > 0) breakpoints_.emplace_back(t, static_cast<int>(2 * i));
    }
  }
  if (c0 >= 0) return 0.0;  // not a descent direction (only from round-off)
  // The minimizer usually lies before the first few of thousands of breakpoints: a heap
  // hands them out in sorted order for O(rows + visited·log rows) instead of a full sort
  // (LISWET2: the sort took 9.5 % of the solve). Pairs compare as a total order, so the
  // order, and the step, are those of a sort.
  const auto later = [](const std::pair<double, int>& a, const std::pair<double, int>& b) {
    return a > b;
  };
  std::make_heap(breakpoints_.begin(), breakpoints_.end(), later);
  // No row changes side before the full step: the merit is one quadratic there and the
  // Newton step is its exact minimizer. Returning exactly 1 keeps the dual update exact
  // where the slope a0 carries round-off amplified by 1/μ.
  if (breakpoints_.empty() || breakpoints_.front().first > 1.0) {
    const double root = -c0 / c1;
    if (breakpoints_.empty() || root <= breakpoints_.front().first) return 1.0;
  }
  while (!breakpoints_.empty()) {
    const auto [t, code] = breakpoints_.front();
    const double root = -c0 / c1;
    if (root <= t) return root;
    std::pop_heap(breakpoints_.begin(), breakpoints_.end(), later);
    breakpoints_.pop_back();
    // Toggle the row's contribution with respect to this bound.
    const Eigen::Index i = code / 2;
    const double bound = (code & 1) ? u[i] : l[i];
    const double vi = v[i];
    const bool entering = (code & 1) ? vi > 0 : vi < 0;  // crossing outwards
    const double sign = entering ? 1.0 : -1.0;
    c0 += sign * vi * (w[i] - bound) * inv_mu;
    c1 += sign * vi * vi * inv_mu;
  }
  return -c0 / c1;
}

}  // namespace qplayer::detail
