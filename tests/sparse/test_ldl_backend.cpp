// What is specific to the SuiteSparse LDL backend: solves of a quasi-definite KKT matrix under
// several orderings (an arbitrary permutation moves upper entries below the diagonal, which
// analyze() must fold back), inertia, zero pivots, counters and argument checks. The
// cross-backend contract is tested in test_backend_conformance.cpp.
#include "qplayer/sparse/ldl_backend.hpp"
#include "qplayer/sparse/ordering.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using qplayer::Ordering;
using qplayer::SparseMatrix;
using qplayer::Vector;
using qplayer::sparse::LdlBackend;

#ifdef QPLAYER_HAS_LDL

namespace {

using Triplet = Eigen::Triplet<double, int>;

struct Kkt {
  SparseMatrix full;   // both triangles, for residuals
  SparseMatrix upper;  // what the backend sees
  int n = 0, m = 0;
};

// [P + rho I, Aᵀ; A, -mu I] with P = B Bᵀ (B sparse, so P is PSD and sparse) and A sparse.
Kkt quasi_definite(int n, int m, double rho, double mu, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-1.0, 1.0), coin(0.0, 1.0);
  auto sparse_random = [&](int rows, int cols, double density) {
    std::vector<Triplet> t;
    for (int j = 0; j < cols; ++j) {
      for (int i = 0; i < rows; ++i) {
        if (coin(rng) < density) t.emplace_back(i, j, value(rng));
      }
    }
    SparseMatrix s(rows, cols);
    s.setFromTriplets(t.begin(), t.end());
    return s;
  };
  const SparseMatrix B = sparse_random(n, n / 2, 0.1);
  const SparseMatrix A = sparse_random(m, n, 0.1);
  const SparseMatrix P = B * SparseMatrix(B.transpose());

  std::vector<Triplet> t;
  for (int j = 0; j < n; ++j) {
    for (SparseMatrix::InnerIterator it(P, j); it; ++it) t.emplace_back(it.row(), j, it.value());
    t.emplace_back(j, j, rho);
  }
  for (int j = 0; j < n; ++j) {
    for (SparseMatrix::InnerIterator it(A, j); it; ++it) {
      t.emplace_back(n + it.row(), j, it.value());
      t.emplace_back(j, n + it.row(), it.value());
    }
  }
  for (int i = 0; i < m; ++i) t.emplace_back(n + i, n + i, -mu);
  Kkt k;
  k.n = n;
  k.m = m;
  k.full.resize(n + m, n + m);
  k.full.setFromTriplets(t.begin(), t.end());
  k.upper = k.full.triangularView<Eigen::Upper>();
  k.upper.makeCompressed();
  return k;
}

SparseMatrix diagonal_upper(const std::vector<double>& d) {
  std::vector<Triplet> t;
  for (int i = 0; i < static_cast<int>(d.size()); ++i) t.emplace_back(i, i, d[i]);
  SparseMatrix s(static_cast<int>(d.size()), static_cast<int>(d.size()));
  s.setFromTriplets(t.begin(), t.end());
  s.makeCompressed();
  return s;
}

double relative_residual(const SparseMatrix& full, const Vector& x, const Vector& b) {
  return (full * x - b).lpNorm<Eigen::Infinity>() / b.lpNorm<Eigen::Infinity>();
}

std::vector<int> random_permutation(int n, unsigned seed) {
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937 rng(seed);
  std::shuffle(perm.begin(), perm.end(), rng);
  return perm;
}

}  // namespace

TEST_CASE("ldl: quasi-definite KKT solves to 1e-12 under every ordering") {
  const Kkt k = quasi_definite(60, 35, 1e-2, 1e-2, 42);
  const int dim = k.n + k.m;
  std::vector<std::pair<std::string, std::vector<int>>> orderings = {
      {"empty (natural)", {}},
      {"natural", qplayer::sparse::compute_ordering(k.upper, Ordering::Natural)},
      {"random", random_permutation(dim, 9)},
  };
  for (Ordering o : {Ordering::Amd, Ordering::Metis}) {
    if (qplayer::sparse::ordering_available(o)) {
      orderings.emplace_back(qplayer::sparse::to_string(o),
                             qplayer::sparse::compute_ordering(k.upper, o));
    }
  }
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> value(-1.0, 1.0);
  Vector b(dim);
  for (int i = 0; i < dim; ++i) b[i] = value(rng);

  for (const auto& [name, perm] : orderings) {
    CAPTURE(name);
    LdlBackend backend;
    CHECK(backend.name() == "ldl");
    backend.analyze(k.upper, perm);
    REQUIRE(backend.factorize(k.upper));
    Vector x = b;
    backend.solve_in_place(x);
    CHECK(relative_residual(k.full, x, b) <= 1e-12);
    const qplayer::Inertia inertia = backend.inertia();
    CHECK(inertia.positive == k.n);
    CHECK(inertia.negative == k.m);
    CHECK(inertia.zero == 0);
    CHECK(backend.nnz_l() > 0);
  }
}

TEST_CASE("ldl: refactorization with new values reuses the analysis") {
  const Kkt a = quasi_definite(30, 20, 1e-1, 1e-1, 3);
  const Kkt b = [&a] {
    Kkt doubled = a;
    for (int p = 0; p < doubled.upper.nonZeros(); ++p) doubled.upper.valuePtr()[p] *= 2.0;
    doubled.full = doubled.full * 2.0;
    return doubled;
  }();
  LdlBackend backend;
  backend.analyze(a.upper, qplayer::sparse::compute_ordering(a.upper, Ordering::Auto));
  const long long fill = backend.nnz_l();
  for (const Kkt* k : {&a, &b, &a}) {
    REQUIRE(backend.factorize(k->upper));
    Vector rhs = Vector::Ones(k->n + k->m);
    Vector x = rhs;
    backend.solve_in_place(x);
    CHECK(relative_residual(k->full, x, rhs) <= 1e-12);
    CHECK(backend.nnz_l() == fill);
  }
  CHECK(backend.factorizations() == 3);
}

TEST_CASE("ldl: a zero pivot makes factorize return false, and the backend recovers") {
  LdlBackend backend;
  const SparseMatrix singular = diagonal_upper({2.0, -1.0, 0.0, 3.0});  // explicit zero
  backend.analyze(singular, {});
  CHECK_FALSE(backend.factorize(singular));
  const qplayer::Inertia inertia = backend.inertia();
  CHECK(inertia.zero >= 1);
  CHECK(inertia.positive + inertia.negative + inertia.zero == 4);
  Vector x = Vector::Ones(4);
  CHECK_THROWS_AS(backend.solve_in_place(x), std::logic_error);

  // Same pattern, nonzero pivot: factors are valid again.
  const SparseMatrix regular = diagonal_upper({2.0, -1.0, 5.0, 3.0});
  REQUIRE(backend.factorize(regular));
  backend.solve_in_place(x);
  CHECK(x[0] == doctest::Approx(0.5));
  CHECK(x[1] == doctest::Approx(-1.0));
  CHECK(x[2] == doctest::Approx(0.2));
  CHECK(backend.inertia().positive == 3);
  CHECK(backend.inertia().negative == 1);
}

TEST_CASE("ldl: a structurally missing diagonal is a zero pivot") {
  // Column 1 has no entry at all: nothing couples it, so its pivot is exactly zero.
  std::vector<Triplet> t = {{0, 0, 1.0}, {0, 2, 0.5}, {2, 2, 1.0}};
  SparseMatrix m(3, 3);
  m.setFromTriplets(t.begin(), t.end());
  m.makeCompressed();
  LdlBackend backend;
  backend.analyze(m, {2, 1, 0});
  CHECK_FALSE(backend.factorize(m));
  CHECK(backend.inertia().zero >= 1);
}

TEST_CASE("ldl: epoch and factorization counters") {
  const Kkt k = quasi_definite(20, 10, 1.0, 1.0, 5);
  LdlBackend backend;
  CHECK(backend.factorizations() == 0);
  const auto e0 = backend.epoch();

  backend.analyze(k.upper, {});
  const auto e1 = backend.epoch();
  CHECK(e1 > e0);  // analysis discards any factors
  CHECK(backend.factorizations() == 0);

  REQUIRE(backend.factorize(k.upper));
  const auto e2 = backend.epoch();
  CHECK(e2 > e1);
  CHECK(backend.factorizations() == 1);

  Vector x = Vector::Ones(30);
  backend.solve_in_place(x);
  CHECK(backend.epoch() == e2);  // solves leave the factors alone
  CHECK(backend.inertia().positive == 20);
  CHECK(backend.epoch() == e2);

  REQUIRE(backend.factorize(k.upper));
  CHECK(backend.epoch() > e2);
  CHECK(backend.factorizations() == 2);

  // A failed factorization still overwrote the factors and still counts.
  SparseMatrix zero = k.upper;
  for (int p = 0; p < zero.nonZeros(); ++p) zero.valuePtr()[p] = 0.0;
  const auto e3 = backend.epoch();
  CHECK_FALSE(backend.factorize(zero));
  CHECK(backend.epoch() > e3);
  CHECK(backend.factorizations() == 3);
}

TEST_CASE("ldl: argument checks") {
  const Kkt k = quasi_definite(10, 5, 1.0, 1.0, 8);
  LdlBackend backend;
  Vector x = Vector::Ones(15);
  CHECK_THROWS_AS(backend.factorize(k.upper), std::logic_error);  // before analyze
  CHECK_THROWS_AS(backend.solve_in_place(x), std::logic_error);

  CHECK_THROWS_AS(backend.analyze(k.upper, std::vector<int>(14, 0)), std::invalid_argument);
  CHECK_THROWS_AS(backend.analyze(k.upper, std::vector<int>(16, 0)), std::invalid_argument);
  std::vector<int> repeated = random_permutation(15, 1);
  repeated[3] = repeated[4];
  CHECK_THROWS_AS(backend.analyze(k.upper, repeated), std::invalid_argument);
  std::vector<int> out_of_range = random_permutation(15, 2);
  out_of_range[0] = 15;
  CHECK_THROWS_AS(backend.analyze(k.upper, out_of_range), std::invalid_argument);
  CHECK_THROWS_AS(backend.analyze(SparseMatrix(3, 4), {}), std::invalid_argument);
  CHECK_THROWS_AS(backend.analyze(k.full, {}), std::invalid_argument);  // lower entries

  backend.analyze(k.upper, {});
  REQUIRE(backend.factorize(k.upper));
  CHECK_THROWS_AS(backend.factorize(k.full), std::invalid_argument);  // other pattern
  CHECK_THROWS_AS(backend.factorize(diagonal_upper(std::vector<double>(15, 1.0))),
                  std::invalid_argument);
  CHECK_THROWS_AS(backend.factorize(diagonal_upper({1.0, 2.0})), std::invalid_argument);
  Vector wrong = Vector::Ones(14);
  CHECK_THROWS_AS(backend.solve_in_place(wrong), std::invalid_argument);
  // A rejected call leaves the factors usable.
  backend.solve_in_place(x);
  CHECK(relative_residual(k.full, x, Vector::Ones(15)) <= 1e-12);
}

TEST_CASE("ldl: dimension zero") {
  LdlBackend backend;
  const SparseMatrix empty(0, 0);
  backend.analyze(empty, {});
  CHECK(backend.factorize(empty));
  Vector x(0);
  backend.solve_in_place(x);
  CHECK(backend.nnz_l() == 0);
  CHECK(backend.inertia().zero == 0);
}

#else

TEST_CASE("ldl: the backend reports that it is not compiled in") {
  try {
    LdlBackend backend;
    FAIL("constructor did not throw");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "backend 'ldl' is not compiled in this build");
  }
}

#endif
