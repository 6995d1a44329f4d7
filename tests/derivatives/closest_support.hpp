// Infeasible test problems for the closest-feasible derivatives, built around a chosen
// closest-feasible point, and the loss L = ⟨wx, x⟩ + ⟨ws, shifts⟩ on its solution map.
//
// Why this construction. The closest-feasible map is smooth only where the rank of the
// violated rows M is stable: rows of generic dense data in general position are infeasible
// only with n + 1 of them violated, which fixes x entirely (H and g would have no influence).
// So the conflict is put on k variables: a few equality, inequality and box rows whose
// entries live on the first k columns only (more rows than k, so they are dependent and stay
// so under any perturbation of their stored entries, the only ones the gradients cover). The
// shift s is chosen in the nullspace of the conflict rows' transpose with every entry
// |s_i| ≥ 0.25·‖s‖∞ (strictly violated rows); the other rows are random, with strict
// complementarity as in make_problem (active multipliers and inactive slacks ≥ 0.5). The
// conflict rows' multipliers are arbitrary: adding t·s (t large) makes them sign-correct, so
// x is the solution of the shifted QP for any of them.
#pragma once

#include "derivative_support.hpp"

#include <Eigen/Dense>

namespace derivative_test {

struct ClosestSpec {
  int n = 12, n_eq = 2, n_in = 8;  // the rows outside the conflict
  int k = 2;                       // the conflict lives on x_0 … x_{k−1}
  int conflict_eq = 1, conflict_in = 2, conflict_box = 1;
  bool box = true;
  double density = 1.0;      // of H and of the rows outside the conflict
  double shift = 0.2;        // ‖s‖∞ (see closest_settings for why small)
  bool store_zeros = false;  // conflict rows stored with explicit zeros on every column
  unsigned seed = 1;
};

/// Rows on columns k … n−1 with one entry always (independent generic rows), plus entries on
/// every column with probability `density`.
inline std::vector<Eigen::Triplet<double>> free_rows(int row0, int rows, int n, int k,
                                                     double density, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::vector<Eigen::Triplet<double>> t;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < n; ++j)
      if (density >= 1.0 || uni(rng) < density || j == k + i % (n - k))
        t.emplace_back(row0 + i, j, normal(rng));
  return t;
}

inline Problem make_infeasible_problem(ClosestSpec s) {
  if (!s.box) s.conflict_box = 0;
  std::mt19937 rng(s.seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> margin(0.5, 1.5);
  constexpr double inf = std::numeric_limits<double>::infinity();
  const int n = s.n, k = s.k;
  const int me = s.conflict_eq + s.n_eq, mi = s.conflict_in + s.n_in;
  const int rc = s.conflict_eq + s.conflict_in + s.conflict_box;

  // Conflict rows (on x_0 … x_{k−1}) and their shift.
  Eigen::MatrixXd rows(rc, k);
  Vector shift(rc);
  for (;;) {
    for (int i = 0; i < rc; ++i)
      for (int j = 0; j < k; ++j)
        rows(i, j) = i < s.conflict_eq + s.conflict_in ? normal(rng) : 0.0;
    for (int i = 0; i < s.conflict_box; ++i) rows(s.conflict_eq + s.conflict_in + i, i % k) = 1.0;
    const Eigen::MatrixXd kernel = Eigen::FullPivLU<Eigen::MatrixXd>(rows.transpose()).kernel();
    if (kernel.cols() == 0 || kernel.norm() == 0.0) continue;
    Vector c(kernel.cols());
    for (int i = 0; i < c.size(); ++i) c[i] = normal(rng);
    shift = kernel * c;
    shift *= s.shift / shift.lpNorm<Eigen::Infinity>();
    if (shift.cwiseAbs().minCoeff() >= 0.25 * s.shift) break;
  }

  SparseMatrix R = random_sparse(n, n, s.density, rng);
  SparseMatrix I(n, n);
  I.setIdentity();
  SparseMatrix H = SparseMatrix(R.transpose() * R) / n + I;
  H = SparseMatrix(0.5 * (H + SparseMatrix(H.transpose())));
  std::vector<Eigen::Triplet<double>> ta = free_rows(s.conflict_eq, s.n_eq, n, k, s.density, rng);
  std::vector<Eigen::Triplet<double>> tc = free_rows(s.conflict_in, s.n_in, n, k, s.density, rng);
  for (int i = 0; i < s.conflict_eq; ++i)
    for (int j = 0; j < k; ++j) ta.emplace_back(i, j, rows(i, j));
  for (int i = 0; i < s.conflict_in; ++i)
    for (int j = 0; j < k; ++j) tc.emplace_back(i, j, rows(s.conflict_eq + i, j));
  if (s.store_zeros) {  // setFromTriplets keeps explicit zeros in the pattern
    for (int j = k; j < n; ++j) {
      for (int i = 0; i < s.conflict_eq; ++i) ta.emplace_back(i, j, 0.0);
      for (int i = 0; i < s.conflict_in; ++i) tc.emplace_back(i, j, 0.0);
    }
  }
  SparseMatrix A(me, n), C(mi, n);
  A.setFromTriplets(ta.begin(), ta.end());
  C.setFromTriplets(tc.begin(), tc.end());

  Vector x(n), y(me), z = Vector::Zero(mi), z_box = Vector::Zero(n);
  for (int j = 0; j < n; ++j) x[j] = normal(rng);
  for (int i = 0; i < me; ++i) y[i] = normal(rng);
  for (int i = 0; i < s.conflict_in; ++i) z[i] = normal(rng);
  const Vector ax = A * x, cx = C * x;
  Vector b = ax;
  for (int i = 0; i < s.conflict_eq; ++i) b[i] -= shift[i];

  // Rows outside the conflict: at most n − k − n_eq − 1 active (independent on x_k …).
  const int budget = std::max(0, (s.density >= 1.0 ? n - k - s.n_eq - 1 : (n - k - s.n_eq) / 2));
  const int k_in = std::min(s.n_in * 2 / 3, s.box ? budget / 2 : budget);
  const int k_box = s.box ? std::min((n - k) * 2 / 3, budget - k_in) : 0;
  Vector l(mi), u(mi);
  for (int i = 0; i < s.conflict_in; ++i) {  // violated on the side of the shift's sign
    const double sh = shift[s.conflict_eq + i];
    const double bound = cx[i] - sh;
    const bool one_sided = i % 2 == 1;
    if (sh > 0) {
      u[i] = bound;
      l[i] = one_sided ? -inf : bound - margin(rng);
    } else {
      l[i] = bound;
      u[i] = one_sided ? inf : bound + margin(rng);
    }
  }
  for (int q = 0; q < s.n_in; ++q) {
    const int i = s.conflict_in + q;
    const bool one_sided = q % 3 == 2;
    if (q < k_in && q % 2 == 0) {
      u[i] = cx[i];
      l[i] = one_sided ? -inf : cx[i] - margin(rng);
      z[i] = margin(rng);
    } else if (q < k_in) {
      l[i] = cx[i];
      u[i] = one_sided ? inf : cx[i] + margin(rng);
      z[i] = -margin(rng);
    } else {
      l[i] = one_sided ? -inf : cx[i] - margin(rng);
      u[i] = cx[i] + margin(rng);
    }
  }
  Vector lb, ub;
  if (s.box) {
    lb.resize(n);
    ub.resize(n);
    for (int j = 0; j < n; ++j) {
      lb[j] = x[j] - margin(rng);
      ub[j] = j % 4 == 3 ? inf : x[j] + margin(rng);
    }
    for (int q = 0; q < s.conflict_box; ++q) {
      const int j = q % k;
      const double sh = shift[s.conflict_eq + s.conflict_in + q];
      if (sh > 0) {
        ub[j] = x[j] - sh;
        lb[j] = ub[j] - margin(rng);
      } else {
        lb[j] = x[j] - sh;
        ub[j] = lb[j] + margin(rng);
      }
      z_box[j] = normal(rng);
    }
    for (int q = 0; q < k_box; ++q) {
      const int j = k + q;
      if (q % 2 == 0) {
        ub[j] = x[j];
        z_box[j] = margin(rng);
      } else {
        lb[j] = x[j];
        z_box[j] = -margin(rng);
      }
    }
  }
  const Vector g = -(H * x + A.transpose() * y + C.transpose() * z + z_box);
  return Problem(H, g, A, b, C, l, u, lb, ub);
}

/// L = ⟨wx, x⟩ + ⟨we, shift_eq⟩ + ⟨wi, shift_in⟩ + ⟨wb, shift_box⟩.
struct ShiftLoss {
  Vector wx, we, wi, wb;
  ShiftLoss(const Problem& p, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    auto fill = [&](int size) { return normal_vector(rng, normal, size); };
    wx = fill(p.n());
    we = fill(p.n_eq());
    wi = fill(p.n_in());
    wb = fill(p.n());
  }
  double operator()(const qplayer::Result& r) const {
    return wx.dot(r.x) + we.dot(r.shift_eq) + wi.dot(r.shift_in) + wb.dot(r.shift_box);
  }
};

/// eps_abs = 1e-10, not precise()'s 1e-12: the closest-feasible phase stops on residuals that
/// include the rounding of its drifting multipliers (~1e-15·‖y‖, ‖y‖ growing by ‖s‖/μ per
/// outer step), so 1e-11 and below are out of its reach, and 1e-10 is reliable only with small
/// shifts (ClosestSpec::shift = 0.2: ‖y‖ ≤ 5e4; with ‖s‖∞ = 1 some perturbed instances ran
/// out of outer iterations with a dual residual of 5e-10).
inline qplayer::Settings closest_settings(qplayer::Backend backend) {
  qplayer::Settings s = precise(backend);
  s.eps_abs = 1e-10;
  s.max_iter = 100000;  // at 1e-10 some perturbed instances need more than 10,000 Newton steps
  s.closest_feasible = true;
  return s;
}

}  // namespace derivative_test
