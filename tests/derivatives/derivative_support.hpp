// Test problems for the derivative engine: random QPs built around a chosen primal-dual point
// with STRICT complementarity (every active row has |z| ≥ 0.5, every inactive row a slack
// ≥ 0.5), so the solution map is smooth there and central differences are meaningful; and
// the scalar loss L = ⟨v, (x, y, z, z_box)⟩ whose gradient the backward pass returns.
#pragma once

#include "qplayer/derivatives/gradients.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace derivative_test {

/// `size` draws of `normal` from `rng`, in order (the generators and losses of these tests).
inline qplayer::Vector normal_vector(std::mt19937& rng, std::normal_distribution<double>& normal,
                                     int size) {
  qplayer::Vector v(size);
  for (int i = 0; i < size; ++i) v[i] = normal(rng);
  return v;
}

/// The derivative engine must leave the solver's factorization exactly as it found it.
inline void check_factorization_untouched(const qplayer::Solver& solver,
                                          const qplayer::KktStats& before) {
  const qplayer::KktStats after = solver.kkt().stats();
  CHECK(after.epoch == before.epoch);
  CHECK(after.factorizations == before.factorizations);
  CHECK(after.rank_updates == before.rank_updates);
}

using qplayer::Problem;
using qplayer::Solver;
using qplayer::SparseMatrix;
using qplayer::Vector;

struct Spec {
  int n = 12, n_eq = 3, n_in = 8;
  bool box = true;
  double density = 1.0;  // of the random factors of H, A, C (1: dense)
  unsigned seed = 1;
  bool duplicate_equality = false;  // row 1 of A := row 0 (b consistent): rank-deficient A
  int weakly_active = 0;            // inactive rows moved onto their upper bound, z = 0
};

inline SparseMatrix random_sparse(int rows, int cols, double density, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::vector<Eigen::Triplet<double>> t;
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i)
      // One entry per row always (i ≡ j mod cols): no empty constraint rows, which would make
      // an active row 0 = bound, i.e. a degenerate problem where a generic one is wanted.
      if (density >= 1.0 || uni(rng) < density || j == i % cols) t.emplace_back(i, j, normal(rng));
  SparseMatrix M(rows, cols);
  M.setFromTriplets(t.begin(), t.end());
  return M;
}

/// A QP whose solution is a chosen (x, y, z, z_box) with about a third of the inequality and
/// box rows active on each side, never more active rows than n − n_eq (LICQ holds).
inline Problem make_problem(const Spec& s) {
  std::mt19937 rng(s.seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> margin(0.5, 1.5);
  constexpr double inf = std::numeric_limits<double>::infinity();
  const int n = s.n;
  SparseMatrix M = random_sparse(n, n, s.density, rng);
  SparseMatrix I(n, n);
  I.setIdentity();
  SparseMatrix H = SparseMatrix(M.transpose() * M) / n + I;
  H = SparseMatrix(0.5 * (H + SparseMatrix(H.transpose())));
  SparseMatrix A = random_sparse(s.n_eq, n, s.density, rng);
  if (s.duplicate_equality && s.n_eq >= 2) {
    Eigen::MatrixXd Ad(A);
    Ad.row(1) = Ad.row(0);
    A = Ad.sparseView();
  }
  const SparseMatrix C = random_sparse(s.n_in, n, s.density, rng);
  Vector x(n), y(s.n_eq), z = Vector::Zero(s.n_in), z_box = Vector::Zero(n);
  for (int j = 0; j < n; ++j) x[j] = normal(rng);
  for (int i = 0; i < s.n_eq; ++i) y[i] = normal(rng);
  if (s.duplicate_equality && s.n_eq >= 2) y[1] = 0.0;

  // Active budget, split between inequality and box rows: n − n_eq − 1 for dense data (the
  // rows are then independent with probability one); half of n − n_eq for sparse data, where
  // a few random entries per row can easily leave the active rows dependent.
  const int budget =
      std::max(0, (s.density >= 1.0 ? n - s.n_eq - 1 : (n - s.n_eq) / 2) - s.weakly_active);
  const int k_in = std::min(s.n_in * 2 / 3, s.box ? budget / 2 : budget);
  const int k_box = s.box ? std::min(n * 2 / 3, budget - k_in) : 0;
  auto shuffled = [&](int count) {
    std::vector<int> idx(count);
    std::iota(idx.begin(), idx.end(), 0);
    std::shuffle(idx.begin(), idx.end(), rng);
    return idx;
  };
  const Vector cx = C * x;
  Vector l(s.n_in), u(s.n_in);
  const std::vector<int> rows = shuffled(s.n_in);
  for (int k = 0; k < s.n_in; ++k) {
    const int i = rows[k];
    const bool one_sided = k % 3 == 2;
    if (k < k_in && k % 2 == 0) {  // upper active
      u[i] = cx[i];
      l[i] = one_sided ? -inf : cx[i] - margin(rng);
      z[i] = margin(rng);
    } else if (k < k_in) {  // lower active
      l[i] = cx[i];
      u[i] = one_sided ? inf : cx[i] + margin(rng);
      z[i] = -margin(rng);
    } else {
      l[i] = one_sided ? -inf : cx[i] - margin(rng);
      u[i] = k < k_in + s.weakly_active ? cx[i] : cx[i] + margin(rng);
    }
  }
  Vector lb, ub;
  if (s.box) {
    lb.resize(n);
    ub.resize(n);
    const std::vector<int> cols = shuffled(n);
    for (int k = 0; k < n; ++k) {
      const int j = cols[k];
      lb[j] = x[j] - margin(rng);
      ub[j] = k % 4 == 3 ? inf : x[j] + margin(rng);
      if (k < k_box && k % 2 == 0) {
        ub[j] = x[j];
        z_box[j] = margin(rng);
      } else if (k < k_box) {
        lb[j] = x[j];
        z_box[j] = -margin(rng);
      }
    }
  }
  Vector g = -(H * x + A.transpose() * y + C.transpose() * z + z_box);
  Vector b = A * x;
  return Problem(H, g, A, b, C, l, u, lb, ub);
}

/// Weights of the loss L = ⟨wx, x⟩ + ⟨wy, y⟩ + ⟨wz, z⟩ + ⟨wb, z_box⟩.
struct Loss {
  Vector wx, wy, wz, wb;
  Loss(const Problem& p, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    auto fill = [&](int size) { return normal_vector(rng, normal, size); };
    wx = fill(p.n());
    wy = fill(p.n_eq());
    wz = fill(p.n_in());
    wb = p.has_box() ? fill(p.n()) : Vector();
  }
  double operator()(const qplayer::Result& r) const {
    double value = wx.dot(r.x) + wy.dot(r.y) + wz.dot(r.z);
    if (wb.size()) value += wb.dot(r.z_box);
    return value;
  }
};

inline qplayer::Settings precise(qplayer::Backend backend) {
  qplayer::Settings s;
  s.backend = backend;
  s.eps_abs = 1e-12;
  s.eps_rel = 0.0;
  return s;
}

/// L at the solution of p (a fresh solver each time: no state carried between evaluations).
inline double loss_at(const Problem& p, const Loss& loss, const qplayer::Settings& settings) {
  Solver solver(p, settings);
  const qplayer::Result& r = solver.solve();
  REQUIRE(r.info.status == qplayer::Status::Solved);
  return loss(r);
}

/// ‖a − b‖∞ / max(1, ‖b‖∞).
inline double relative_error(const Vector& a, const Vector& b) {
  if (b.size() == 0) return a.size() == 0 ? 0.0 : 1.0;
  return (a - b).lpNorm<Eigen::Infinity>() / std::max(1.0, b.lpNorm<Eigen::Infinity>());
}

// A random direction in data space with the problem's patterns (dH symmetric), every field
// present: for the dot-product identity between forward() and backward().
inline qplayer::derivatives::Perturbation random_direction(const qplayer::Problem& p,
                                                           unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  auto on_pattern = [&](const qplayer::SparseMatrix& M) {
    qplayer::SparseMatrix out = M;
    for (int j = 0; j < out.outerSize(); ++j)
      for (qplayer::SparseMatrix::InnerIterator it(out, j); it; ++it) it.valueRef() = normal(rng);
    return out;
  };
  auto fill = [&](int size) { return normal_vector(rng, normal, size); };
  qplayer::derivatives::Perturbation d;
  const qplayer::SparseMatrix R = on_pattern(p.H);
  d.dH = qplayer::SparseMatrix(0.5 * (R + qplayer::SparseMatrix(R.transpose())));
  d.dA = on_pattern(p.A);
  d.dC = on_pattern(p.C);
  d.dg = fill(p.n());
  d.db = fill(p.n_eq());
  d.dl = fill(p.n_in());
  d.du = fill(p.n_in());
  if (p.has_box()) {
    d.dlb = fill(p.n());
    d.dub = fill(p.n());
  }
  return d;
}

}  // namespace derivative_test
