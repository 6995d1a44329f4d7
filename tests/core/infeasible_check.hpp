// Checks of a closest-feasible answer recomputed from the ORIGINAL data (method.md §3), and
// generators of infeasible QPs with a feasible twin of the same pattern, shared by the core
// and sparse infeasibility tests.
#pragma once

#include "kkt_check.hpp"

#include <random>
#include <vector>

namespace qplayer_test {

struct ClosestCheck {
  bool sized = false;
  double shift_error = 0.0;  ///< returned shifts vs the violations of the returned x
  double ls = 0.0;           ///< ‖Aᵀs_e + Cᵀs_i + s_box‖∞: least-squares stationarity
  Residuals shifted;         ///< KKT residuals of the shifted QP (b + s_e, [l,u] + s_i, …)
  double shift_norm = 0.0;   ///< ‖s‖∞
};

/// The shifts are recomputed from x (not taken from the solver) before building the shifted
/// QP; shift_error says how far the returned ones are from them.
inline ClosestCheck closest_check(const Problem& p, const Result& r) {
  ClosestCheck c;
  c.sized = dims_ok(p, r) && r.shift_eq.size() == p.n_eq() && r.shift_in.size() == p.n_in() &&
            r.shift_box.size() == p.n();
  if (!c.sized) return c;
  const auto excess = [](double v, double lo, double hi) {
    return v > hi ? v - hi : (v < lo ? v - lo : 0.0);
  };
  const Vector se = p.A * r.x - p.b;
  Vector si = p.C * r.x, sb = Vector::Zero(p.n());
  for (int i = 0; i < p.n_in(); ++i) si[i] = excess(si[i], p.l[i], p.u[i]);
  if (p.has_box())
    for (int j = 0; j < p.n(); ++j) sb[j] = excess(r.x[j], p.lb[j], p.ub[j]);
  c.shift_error =
      std::max({inf_norm(se - r.shift_eq), inf_norm(si - r.shift_in), inf_norm(sb - r.shift_box)});
  c.shift_norm = std::max({inf_norm(se), inf_norm(si), inf_norm(sb)});
  c.ls = inf_norm(Vector(p.A.transpose() * se + p.C.transpose() * si + sb));
  Problem shifted = p;
  shifted.b = p.b + se;
  shifted.l = p.l + si;
  shifted.u = p.u + si;
  if (p.has_box()) {
    shifted.lb = p.lb + sb;
    shifted.ub = p.ub + sb;
  }
  c.shifted = residuals(shifted, r);
  return c;
}

/// A sparse random QP with a planted feasible point, and its infeasible version: the last
/// `extra` equality rows repeat earlier rows with b moved by `gap`, the last `extra`
/// inequality rows repeat earlier rows with [l, u] moved above the original row's range.
/// Both versions have identical patterns and sizes.
struct InfeasiblePair {
  Problem feasible, infeasible;
};

inline InfeasiblePair infeasible_pair(int n, unsigned seed, bool box = true, int nnz_row = 4,
                                      double gap = 1.0) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unif(-1.0, 1.0), pos(0.2, 2.0), coin(0.0, 1.0);
  std::uniform_int_distribution<int> col(0, n - 1),
      window(-std::min(n / 2, 2 * nnz_row), std::min(n / 2, 2 * nnz_row));
  const int n_eq = n / 4, n_in = n / 2, extra = std::max(1, n / 20);
  auto rows = [&](int count, int repeated_from) {
    std::vector<Eigen::Triplet<double>> t;
    std::vector<std::vector<std::pair<int, double>>> row(count);
    for (int i = 0; i < count; ++i) {
      if (i >= count - extra) {
        row[i] = row[(i - (count - extra)) % repeated_from];
      } else {
        // Columns in a window around a random centre: a banded-like pattern whose fill stays
        // small under AMD (uniformly random columns give an expander and dense factors).
        const int centre = col(rng);
        for (int k = 0; k < nnz_row; ++k)
          row[i].push_back({(centre + window(rng) + n) % n, unif(rng)});
      }
      for (auto& [j, v] : row[i]) t.emplace_back(i, j, v);
    }
    SparseMatrix M(count, n);
    M.setFromTriplets(t.begin(), t.end());
    return M;
  };
  const SparseMatrix A = rows(n_eq + extra, n_eq), C = rows(n_in + extra, n_in);
  std::vector<Eigen::Triplet<double>> th;
  for (int j = 0; j < n; ++j) th.emplace_back(j, j, 1.0 + coin(rng));
  for (int k = 0; k < n; ++k) {  // a few symmetric off-diagonal couplings, kept diagonally dominant
    const int i = col(rng), j = (i + window(rng) + n) % n;
    if (i == j) continue;
    const double v = 0.2 * unif(rng);
    th.emplace_back(i, j, v);
    th.emplace_back(j, i, v);
  }
  SparseMatrix H(n, n);
  H.setFromTriplets(th.begin(), th.end());
  const Vector x = Vector::NullaryExpr(n, [&] { return unif(rng); });
  const Vector g = Vector::NullaryExpr(n, [&] { return unif(rng); });
  Vector b = A * x;
  const Vector cx = C * x;
  Vector l(C.rows()), u(C.rows());
  for (int i = 0; i < C.rows(); ++i) {
    l[i] = coin(rng) < 0.3 ? -inf : cx[i] - pos(rng) * 0.5;
    u[i] = coin(rng) < 0.3 ? inf : cx[i] + pos(rng) * 0.5;
    if (!std::isfinite(l[i]) && !std::isfinite(u[i])) u[i] = cx[i] + 0.5;
  }
  Vector lb, ub;
  if (box) {
    lb = Vector::Constant(n, -2.0);
    ub = Vector::Constant(n, 2.0);
  }
  InfeasiblePair out;
  out.feasible = Problem(H, g, A, b, C, l, u, lb, ub);
  // Infeasible twin: repeated rows contradict their originals.
  for (int i = 0; i < extra; ++i) {
    const int eq_row = n_eq + i, orig_eq = i % n_eq;
    b[eq_row] = b[orig_eq] + gap;
    const int in_row = n_in + i, orig_in = i % n_in;
    const double hi = std::isfinite(u[orig_in]) ? u[orig_in] : cx[orig_in] + 0.5;
    l[in_row] = hi + gap;
    u[in_row] = inf;
  }
  out.infeasible = Problem(H, g, A, b, C, l, u, lb, ub);
  return out;
}

}  // namespace qplayer_test
