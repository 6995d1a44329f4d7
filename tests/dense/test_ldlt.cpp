// Tests of dense::Ldlt: blocked factorization against a naive one, solves, inertia, row
// append/delete and rank-one updates against fresh factorizations, failures, no allocation.
#include "qplayer/dense/ldlt.hpp"
#include "support/allocation_counter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

using Eigen::MatrixXd;
using qplayer::Vector;
using qplayer::dense::Ldlt;

namespace {

/// Symmetric quasi-definite [H + rho I, Aᵀ; A, -diag(mu)] with H = B Bᵀ of rank n/2, then
/// symmetrically permuted when shuffle is set (quasi-definiteness survives any permutation).
MatrixXd random_quasi_definite(int n, int m, unsigned seed, bool shuffle = false) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.05, 1.0);
  const int r = std::max(1, n / 2);
  MatrixXd B(n, r), A(m, n);
  for (double& v : B.reshaped()) v = normal(gen);
  for (double& v : A.reshaped()) v = normal(gen);
  MatrixXd M = MatrixXd::Zero(n + m, n + m);
  M.topLeftCorner(n, n) = B * B.transpose() / r;
  for (int i = 0; i < n; ++i) M(i, i) += 0.01 + uniform(gen);
  M.bottomLeftCorner(m, n) = A;
  M.topRightCorner(n, m) = A.transpose();
  for (int i = 0; i < m; ++i) M(n + i, n + i) = -uniform(gen);
  if (shuffle) {
    std::vector<int> p(n + m);
    std::iota(p.begin(), p.end(), 0);
    std::shuffle(p.begin(), p.end(), gen);
    MatrixXd P(n + m, n + m);
    for (int i = 0; i < n + m; ++i)
      for (int j = 0; j < n + m; ++j) P(i, j) = M(p[i], p[j]);
    M = P;
  }
  return M;
}

/// Textbook LDLᵀ (Doolittle order, no blocking): the reference for the blocked code.
void naive_ldlt(const MatrixXd& M, MatrixXd& L, Vector& d) {
  const int n = static_cast<int>(M.rows());
  L = MatrixXd::Identity(n, n);
  d.setZero(n);
  for (int j = 0; j < n; ++j) {
    double s = M(j, j);
    for (int k = 0; k < j; ++k) s -= L(j, k) * L(j, k) * d(k);
    d(j) = s;
    for (int i = j + 1; i < n; ++i) {
      double t = M(i, j);
      for (int k = 0; k < j; ++k) t -= L(i, k) * L(j, k) * d(k);
      L(i, j) = t / s;
    }
  }
}

MatrixXd unit_lower(const Ldlt& f) {
  MatrixXd L = f.factors().triangularView<Eigen::StrictlyLower>();
  L.diagonal().setOnes();
  return L;
}

MatrixXd reconstruct(const Ldlt& f) {
  const MatrixXd L = unit_lower(f);
  return L * f.d().asDiagonal() * L.transpose();
}

double rel_diff(const MatrixXd& X, const MatrixXd& Y) {
  return (X - Y).lpNorm<Eigen::Infinity>() / std::max(1.0, Y.lpNorm<Eigen::Infinity>());
}

/// Normwise backward error of x for M x = b.
double backward_error(const MatrixXd& M, const Vector& x, const Vector& b) {
  const double num = (M * x - b).lpNorm<Eigen::Infinity>();
  return num / (M.cwiseAbs().rowwise().sum().maxCoeff() * x.lpNorm<Eigen::Infinity>() +
                b.lpNorm<Eigen::Infinity>());
}

MatrixXd submatrix(const MatrixXd& M, const std::vector<int>& idx) {
  const int k = static_cast<int>(idx.size());
  MatrixXd S(k, k);
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j) S(i, j) = M(idx[i], idx[j]);
  return S;
}

/// The updated factors must be THE factors: LDLᵀ without pivoting is unique.
void check_same_as_fresh(const Ldlt& f, const MatrixXd& M, double tol) {
  Ldlt fresh(static_cast<int>(M.rows()));
  REQUIRE(fresh.factorize(M, static_cast<int>(M.rows())));
  REQUIRE(f.dim() == fresh.dim());
  CHECK(rel_diff(reconstruct(f), M) <= tol);
  CHECK(rel_diff(unit_lower(f), unit_lower(fresh)) <= tol * 100);
  CHECK(rel_diff(f.d(), fresh.d()) <= tol * 100);
  Vector b = Vector::LinSpaced(f.dim(), -1.0, 2.0), x = b;
  f.solve_in_place(x);
  CHECK(backward_error(M, x, b) <= tol);
}

}  // namespace

TEST_CASE("dense::Ldlt blocked factorization matches naive, solves, inertia") {
  // Sizes straddle the 64-wide panels and the 256-wide GEMM tiles.
  const std::vector<std::pair<int, int>> sizes = {{1, 0},     {0, 1},     {3, 2},    {40, 23},
                                                  {64, 0},    {40, 25},   {100, 28}, {129, 0},
                                                  {150, 107}, {200, 120}, {400, 300}};
  unsigned seed = 1;
  for (auto [n, m] : sizes) {
    for (bool shuffle : {false, true}) {
      CAPTURE(n);
      CAPTURE(m);
      CAPTURE(shuffle);
      const MatrixXd M = random_quasi_definite(n, m, seed++, shuffle);
      const int dim = n + m;
      Ldlt f(dim + 3);  // capacity above dim: the leading block is what counts
      REQUIRE(f.factorize(M, dim));
      const auto in = f.inertia();
      CHECK(in.positive == n);
      CHECK(in.negative == m);
      CHECK(in.zero == 0);
      CHECK(f.nnz_l() == static_cast<long long>(dim) * (dim - 1) / 2);

      MatrixXd Ln;
      Vector dn;
      naive_ldlt(M, Ln, dn);
      CHECK(rel_diff(unit_lower(f), Ln) <= 1e-10);
      CHECK(rel_diff(f.d(), dn) <= 1e-10);
      CHECK(rel_diff(reconstruct(f), M) <= 1e-12);

      std::mt19937 gen(seed);
      std::normal_distribution<double> normal;
      Vector b(dim);
      for (double& v : b) v = normal(gen);
      Vector x = b;
      f.solve_in_place(x);
      CHECK(backward_error(M, x, b) <= 1e-12);
    }
  }
}

TEST_CASE("dense::Ldlt reads only the lower triangle and refactorizes in place") {
  const MatrixXd M = random_quasi_definite(90, 50, 7);
  MatrixXd lower = M.triangularView<Eigen::Lower>();
  lower.triangularView<Eigen::StrictlyUpper>().setConstant(1e30);  // garbage above
  Ldlt f(140), g(140);
  REQUIRE(f.factorize(M, 140));
  REQUIRE(g.factorize(lower, 140));
  CHECK(rel_diff(unit_lower(f), unit_lower(g)) == 0.0);

  auto S = g.storage(140);
  S = M;
  REQUIRE(g.factorize_in_place(140));
  CHECK(rel_diff(reconstruct(g), M) <= 1e-12);
  CHECK_THROWS_AS(g.storage(141), std::length_error);
  CHECK_THROWS_AS(g.factorize(M, 141), std::length_error);
}

TEST_CASE("dense::Ldlt append_row grows a factorization to the fresh one") {
  const int n = 80, m = 70, dim = n + m;
  const MatrixXd M = random_quasi_definite(n, m, 11, true);
  Ldlt f(dim);
  const int start = 30;
  REQUIRE(f.factorize(M, start));
  const std::uint64_t e0 = f.epoch();
  for (int k = start; k < dim; ++k) {
    CHECK(f.append_row(M.col(k).head(k), M(k, k)));
  }
  CHECK(f.epoch() == e0 + (dim - start));
  check_same_as_fresh(f, M, 1e-12);
  CHECK_THROWS_AS(f.append_row(Vector::Zero(dim), 1.0), std::length_error);

  Ldlt empty(3);  // appending from nothing is a factorization too
  REQUIRE(empty.factorize(M, 0));
  for (int k = 0; k < 3; ++k) CHECK(empty.append_row(M.col(k).head(k), M(k, k)));
  check_same_as_fresh(empty, M.topLeftCorner(3, 3), 1e-13);
}

TEST_CASE("dense::Ldlt delete_row equals a fresh factorization of the reduced matrix") {
  const MatrixXd M = random_quasi_definite(100, 80, 21, true);
  std::vector<int> idx(180);
  std::iota(idx.begin(), idx.end(), 0);
  Ldlt f(180);
  REQUIRE(f.factorize(M, 180));
  std::mt19937 gen(5);
  // First, last, and random positions, deleting most of the matrix.
  std::vector<int> order = {0, 178, 50};
  for (int t = 0; t < 120; ++t) order.push_back(static_cast<int>(gen() % (177 - t)));
  for (int pos : order) {
    const std::uint64_t e = f.epoch();
    CHECK(f.delete_row(pos));
    CHECK(f.epoch() == e + 1);
    idx.erase(idx.begin() + pos);
  }
  check_same_as_fresh(f, submatrix(M, idx), 1e-11);
  CHECK_THROWS_AS(f.delete_row(f.dim()), std::out_of_range);
}

TEST_CASE("dense::Ldlt mixed append/delete sequences track the fresh factors") {
  // A pool of 260 rows; the factorization holds a changing ordered subset of it, as the
  // KKT system does with active inequality rows (x and equality rows stay in front).
  const int n = 120, m = 140, pool = n + m;
  const MatrixXd M = random_quasi_definite(n, m, 31);
  std::vector<int> idx(n + 40);
  std::iota(idx.begin(), idx.end(), 0);
  std::vector<int> outside;
  for (int i = n + 40; i < pool; ++i) outside.push_back(i);
  Ldlt f(pool);
  REQUIRE(f.factorize(submatrix(M, idx), static_cast<int>(idx.size())));
  std::mt19937 gen(17);
  for (int step = 0; step < 300; ++step) {
    const bool remove = outside.empty() || (idx.size() > static_cast<std::size_t>(n) && gen() % 2);
    if (remove) {
      const int pos = n + static_cast<int>(gen() % (idx.size() - n));
      REQUIRE(f.delete_row(pos));
      outside.push_back(idx[pos]);
      idx.erase(idx.begin() + pos);
    } else {
      const int pick = static_cast<int>(gen() % outside.size());
      const int row = outside[pick];
      outside.erase(outside.begin() + pick);
      Vector col(idx.size());
      for (std::size_t i = 0; i < idx.size(); ++i) col(i) = M(idx[i], row);
      REQUIRE(f.append_row(col, M(row, row)));
      idx.push_back(row);
    }
    if (step % 50 == 49) check_same_as_fresh(f, submatrix(M, idx), 1e-11);
  }
  const auto in = f.inertia();
  CHECK(in.positive == n);
  CHECK(in.negative == static_cast<int>(idx.size()) - n);
}

TEST_CASE("dense::Ldlt rank_one_update with either sign") {
  const int n = 70, m = 60, dim = n + m;
  const MatrixXd M = random_quasi_definite(n, m, 41);
  std::mt19937 gen(3);
  std::normal_distribution<double> normal;
  Vector vx = Vector::Zero(dim), vy = Vector::Zero(dim);
  for (int i = 0; i < n; ++i) vx(i) = normal(gen);
  for (int i = n; i < dim; ++i) vy(i) = normal(gen);
  Ldlt f(dim);
  REQUIRE(f.factorize(M, dim));
  // +σ on the primal block and -σ on the dual block keep the matrix quasi-definite; so does
  // a partial downdate that stays above the regularization.
  REQUIRE(f.rank_one_update(vx, 0.7));
  MatrixXd target = M + 0.7 * vx * vx.transpose();
  check_same_as_fresh(f, target, 1e-12);
  REQUIRE(f.rank_one_update(vy, -0.4));
  target -= 0.4 * vy * vy.transpose();
  check_same_as_fresh(f, target, 1e-12);
  REQUIRE(f.rank_one_update(vx, -0.3));
  target -= 0.3 * vx * vx.transpose();
  check_same_as_fresh(f, target, 1e-12);
}

TEST_CASE("dense::Ldlt reports zero and non-finite pivots without crashing") {
  Ldlt f(200);
  MatrixXd ones = MatrixXd::Ones(2, 2);
  CHECK_FALSE(f.factorize(ones, 2));
  CHECK(f.inertia().zero >= 1);
  CHECK_FALSE(f.factorize(MatrixXd::Zero(5, 5), 5));
  CHECK(f.inertia().zero == 5);

  // An exactly zero row/column past the first panel.
  MatrixXd M = random_quasi_definite(120, 60, 51);
  M.row(100).setZero();
  M.col(100).setZero();
  CHECK_FALSE(f.factorize(M, 180));
  const auto in = f.inertia();
  CHECK(in.zero >= 1);
  CHECK(in.positive + in.negative + in.zero == 180);

  MatrixXd N = random_quasi_definite(30, 10, 52);
  N(20, 20) = std::numeric_limits<double>::quiet_NaN();
  CHECK_FALSE(f.factorize(N, 40));

  // Appending a dependent row gives a zero pivot; deleting a row recovers.
  const MatrixXd Q = random_quasi_definite(30, 10, 53);
  REQUIRE(f.factorize(Q, 40));
  CHECK_FALSE(f.append_row(Q.col(3).head(40), Q(3, 3)));
  CHECK(f.inertia().zero == 1);
  f.delete_row(40);
  CHECK(f.inertia().zero == 0);
  // And the factorization is usable again afterwards.
  REQUIRE(f.factorize(Q, 40));
  check_same_as_fresh(f, Q, 1e-12);
}

TEST_CASE("dense::Ldlt hot calls do not allocate") {
  const int n = 400, m = 300, dim = n + m;  // larger than a GEMM tile
  const MatrixXd M = random_quasi_definite(n, m, 61);
  Ldlt f(dim);
  Vector x = Vector::Ones(dim), col = M.col(dim - 1).head(dim - 1), v = Vector::Ones(dim - 1);
  qplayer_test::begin_no_allocation();
  const bool ok1 = f.factorize(M, dim);
  f.solve_in_place(x);
  const bool ok2 = f.delete_row(dim - 1) && f.delete_row(10);
  const bool ok3 = f.factorize(M, dim - 1) && f.rank_one_update(v, 0.0);
  const bool ok4 = f.append_row(col.head(dim - 1), M(dim - 1, dim - 1));
  const auto in = f.inertia();
  const long allocations = qplayer_test::end_no_allocation();
  CHECK(ok1);
  CHECK(ok2);
  CHECK(ok3);
  CHECK(ok4);
  CHECK(in.positive == n);
  CHECK(allocations == 0);
}

TEST_CASE("dense::Ldlt epoch bumps on every change") {
  const MatrixXd M = random_quasi_definite(10, 5, 71);
  Ldlt f(15);
  std::uint64_t e = f.epoch();
  f.factorize(M, 14);
  CHECK(f.epoch() == ++e);
  f.append_row(M.col(14).head(14), M(14, 14));
  CHECK(f.epoch() == ++e);
  f.delete_row(3);
  CHECK(f.epoch() == ++e);
  f.rank_one_update(Vector::Zero(14), 1.0);
  CHECK(f.epoch() == ++e);
  Vector x = Vector::Ones(14);
  f.solve_in_place(x);
  (void)f.inertia();
  CHECK(f.epoch() == e);  // reads do not count
}
