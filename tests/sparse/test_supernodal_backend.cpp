// SupernodalBackend beyond the conformance suite: matrices whose factor has supernodes wider
// than one panel block and update blocks large enough for dgemm (the random conformance
// matrices are mostly narrow), compared against a dense LDLᵀ-free reference (Eigen's LU of
// the full symmetric matrix); and FillAdaptiveBackend's choice on a band matrix and on a
// matrix with wide columns.
#include "qplayer/sparse/fill_adaptive_backend.hpp"
#include "qplayer/sparse/ordering.hpp"
#include "qplayer/sparse/supernodal_backend.hpp"

#include <Eigen/Dense>
#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <vector>

#ifdef QPLAYER_HAS_SUPERNODAL

using qplayer::SparseMatrix;
using qplayer::Vector;

namespace {

/// Upper triangle of K = [P + ρI, Aᵀ; A, −μI] with P = MᵀM: M has `band` diagonals; A has a
/// few random entries per row (`local`: entries near column n·r/m only, a band as a whole)
/// plus, when asked, dense last `dense_cols` columns, so the factor's trailing supernode
/// spans many columns.
SparseMatrix make_kkt(int n, int m, int band, int dense_cols, unsigned seed, bool local = false) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = std::max(0, j - band); i <= std::min(n - 1, j + band); ++i) M(i, j) = normal(rng);
  const Eigen::MatrixXd P = M.transpose() * M;
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(m, n);
  for (int r = 0; r < m; ++r)
    for (int j = 0; j < n; ++j)
      if (j >= n - dense_cols || (local ? std::abs(j - n * r / m) <= 1 : coin(rng) < 3.0 / n))
        A(r, j) = normal(rng);
  std::vector<Eigen::Triplet<double>> t;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i <= j; ++i)
      if (P(i, j) != 0.0 || i == j) t.emplace_back(i, j, P(i, j) + (i == j ? 1e-3 : 0.0));
  for (int r = 0; r < m; ++r) {
    for (int j = 0; j < n; ++j)
      if (A(r, j) != 0.0) t.emplace_back(j, n + r, A(r, j));
    t.emplace_back(n + r, n + r, -1e-3);
  }
  SparseMatrix K(n + m, n + m);
  K.setFromTriplets(t.begin(), t.end());
  K.makeCompressed();
  return K;
}

Vector reference_solve(const SparseMatrix& upper, const Vector& b) {
  const SparseMatrix symmetric = upper.selfadjointView<Eigen::Upper>();
  const Eigen::MatrixXd full(symmetric);
  return full.partialPivLu().solve(b);
}

}  // namespace

TEST_CASE("supernodal: wide supernodes and dgemm updates match a dense solve") {
  struct Case {
    int n, m, band, dense_cols;
  };
  for (const Case c : {Case{120, 60, 3, 0}, Case{200, 90, 1, 80}, Case{150, 150, 12, 40}}) {
    for (qplayer::Ordering o : {qplayer::Ordering::Natural, qplayer::Ordering::Amd}) {
      if (!qplayer::sparse::ordering_available(o)) continue;
      const SparseMatrix K = make_kkt(c.n, c.m, c.band, c.dense_cols, 7u + c.n);
      INFO("n " << c.n << " m " << c.m << " band " << c.band << " dense " << c.dense_cols);
      qplayer::sparse::SupernodalBackend backend;
      backend.analyze(K, qplayer::sparse::compute_ordering(K, o));
      REQUIRE(backend.factorize(K));
      const qplayer::Inertia in = backend.inertia();
      CHECK(in.positive == c.n);
      CHECK(in.negative == c.m);
      CHECK(in.zero == 0);
      std::mt19937 rng(3);
      std::normal_distribution<double> normal;
      const Vector b = Vector::NullaryExpr(c.n + c.m, [&] { return normal(rng); });
      Vector x = b;
      backend.solve_in_place(x);
      const Vector ref = reference_solve(K, b);
      CHECK((x - ref).lpNorm<Eigen::Infinity>() <= 1e-8 * ref.lpNorm<Eigen::Infinity>());
      // With a dense block of 80+ columns the arithmetic is mostly in the panels and dgemm.
      if (c.dense_cols >= 40) CHECK(backend.column_work() > 40.0);
    }
  }
}

TEST_CASE("fill-adaptive backend: LDL for a band, supernodal for wide columns") {
#ifdef QPLAYER_HAS_LDL
  const SparseMatrix band = make_kkt(400, 100, 1, 0, 11, true);
  qplayer::sparse::FillAdaptiveBackend a;
  a.analyze(band, qplayer::sparse::compute_ordering(band, qplayer::Ordering::Amd));
  CHECK(a.name() == "ldl");
  const std::uint64_t before = a.epoch();

  const SparseMatrix wide = make_kkt(200, 90, 2, 80, 12);
  a.analyze(wide, qplayer::sparse::compute_ordering(wide, qplayer::Ordering::Amd));
  CHECK(a.name() == "supernodal");
  CHECK(a.epoch() > before);  // a stale view of the band's factors stays detectable
  REQUIRE(a.factorize(wide));
  Vector x = Vector::Ones(290);
  const Vector ref = reference_solve(wide, x);
  a.solve_in_place(x);
  CHECK((x - ref).lpNorm<Eigen::Infinity>() <= 1e-8 * ref.lpNorm<Eigen::Infinity>());
#endif
}

#endif  // QPLAYER_HAS_SUPERNODAL
