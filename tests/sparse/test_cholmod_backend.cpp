// CholmodBackend on its own: solves of random sparse quasi-definite KKT matrices under the
// natural, a random and an AMD ordering, inertia, counters and epoch, exact zero pivots, bad
// input, no heap allocation in solves. Row updates: test_cholmod_row_update.cpp; the
// cross-backend suite: test_backend_conformance.cpp.
#ifdef QPLAYER_HAS_CHOLMOD

#include "cholmod_test_support.hpp"
#include "qplayer/sparse/cholmod_backend.hpp"
#include "qplayer/sparse/ordering.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace cholmod_test;
using qplayer::Inertia;
using qplayer::sparse::CholmodBackend;

TEST_CASE("cholmod: random quasi-definite systems, natural, random and AMD orderings") {
  for (const auto& [n, m] : {std::pair{40, 25}, std::pair{300, 180}}) {
    const Kkt kkt = random_kkt(n, m, 7u + static_cast<unsigned>(n));
    const SparseMatrix K = kkt.full(), U = kkt.upper();
    const std::vector<std::vector<int>> orderings = {
        {},
        random_permutation(n + m, 3),
        qplayer::sparse::compute_ordering(U, qplayer::Ordering::Amd)};
    long long natural_nnz = 0;
    for (std::size_t o = 0; o < orderings.size(); ++o) {
      CAPTURE(n);
      CAPTURE(o);
      CholmodBackend backend;
      CHECK(backend.name() == "cholmod");
      backend.analyze(U, orderings[o]);
      REQUIRE(backend.factorize(U));
      const Inertia in = backend.inertia();
      CHECK(in.positive == n);
      CHECK(in.negative == m);
      CHECK(in.zero == 0);
      CHECK(backend.nnz_l() >= (U.nonZeros() - (n + m)));  // L holds A's pattern at least
      if (o == 0) natural_nnz = backend.nnz_l();
      if (o == 2) CHECK(backend.nnz_l() <= natural_nnz);
      for (unsigned seed : {1u, 2u}) {
        const Vector b = random_vector(n + m, seed);
        Vector x = b;
        backend.solve_in_place(x);
        CHECK(relative_residual(K, x, b) <= 1e-12);
      }
    }
  }
}

TEST_CASE("cholmod: counters, epoch, refactorization with new values") {
  Kkt kkt = random_kkt(30, 20, 11);
  SparseMatrix U = kkt.upper();
  CholmodBackend backend;
  CHECK(backend.factorizations() == 0);
  CHECK(backend.nnz_l() == 0);
  const auto e0 = backend.epoch();
  backend.analyze(U, random_permutation(50, 5));
  const auto e1 = backend.epoch();
  CHECK(e1 > e0);
  CHECK(backend.factorizations() == 0);
  REQUIRE(backend.factorize(U));
  CHECK(backend.factorizations() == 1);
  const auto e2 = backend.epoch();
  CHECK(e2 > e1);
  Vector x = random_vector(50, 3);
  backend.solve_in_place(x);
  CHECK(backend.epoch() == e2);  // solves leave the factors alone
  // Same pattern, new values: scale everything, the solution scales inversely.
  for (int q = 0; q < U.nonZeros(); ++q) U.valuePtr()[q] *= 2.0;
  REQUIRE(backend.factorize(U));
  CHECK(backend.factorizations() == 2);
  CHECK(backend.epoch() > e2);
  Vector y = random_vector(50, 3);
  backend.solve_in_place(y);
  CHECK((2.0 * y - x).norm() <= 1e-12 * x.norm());
}

TEST_CASE("cholmod: exactly singular matrices make factorize return false") {
  // [[1, 1], [1, 1]]: the second pivot is exactly 1 - 1 = 0.
  std::vector<Triplet> t = {{0, 0, 1.0}, {0, 1, 1.0}, {1, 1, 1.0}};
  SparseMatrix U(2, 2);
  U.setFromTriplets(t.begin(), t.end());
  U.makeCompressed();
  for (const std::vector<int>& perm : {std::vector<int>{}, std::vector<int>{1, 0}}) {
    CholmodBackend backend;
    backend.analyze(U, perm);
    CHECK_FALSE(backend.factorize(U));
    CHECK(backend.factorizations() == 1);
    Vector x = Vector::Ones(2);
    CHECK_THROWS_AS(backend.solve_in_place(x), std::logic_error);
    // A regular matrix with the same pattern factors afterwards.
    U.coeffRef(1, 1) = -1.0;
    REQUIRE(backend.factorize(U));
    CHECK(backend.inertia().positive == 1);
    CHECK(backend.inertia().negative == 1);
    backend.solve_in_place(x);  // [[1, 1], [1, -1]] x = [1, 1]  =>  x = [1, 0]
    CHECK(x[0] == doctest::Approx(1.0));
    CHECK(x[1] == doctest::Approx(0.0));
    U.coeffRef(1, 1) = 1.0;
  }
  // A stored zero diagonal in a larger KKT matrix: a primal column with no curvature and
  // no constraint, so the pivot is exactly zero whatever the order.
  Kkt kkt = random_kkt(20, 10, 4);
  std::vector<Triplet> entries;
  for (const Triplet& e : kkt.entries) {
    if ((e.row() == 0 || e.col() == 0) && e.row() != e.col()) continue;
    entries.emplace_back(e.row(), e.col(), e.row() == 0 ? 0.0 : e.value());
  }
  kkt.entries = entries;
  const SparseMatrix Z = kkt.upper();
  for (const std::vector<int>& perm : {std::vector<int>{}, random_permutation(30, 9)}) {
    CholmodBackend backend;
    backend.analyze(Z, perm);
    CHECK_FALSE(backend.factorize(Z));
  }
}

TEST_CASE("cholmod: invalid input is rejected") {
  const Kkt kkt = random_kkt(10, 5, 2);
  const SparseMatrix U = kkt.upper();
  CholmodBackend backend;
  CHECK_THROWS_AS(backend.factorize(U), std::logic_error);
  CHECK_THROWS_AS(backend.analyze(SparseMatrix(3, 4), {}), std::invalid_argument);
  CHECK_THROWS_AS(backend.analyze(U, {0, 1, 2}), std::invalid_argument);
  std::vector<int> repeated(15, 0);
  CHECK_THROWS_AS(backend.analyze(U, repeated), std::invalid_argument);
  backend.analyze(U, {});
  const SparseMatrix other = random_kkt(10, 5, 3).upper();  // another pattern
  CHECK_THROWS_AS(backend.factorize(other), std::invalid_argument);
  REQUIRE(backend.factorize(U));
  Vector wrong = Vector::Ones(7);
  CHECK_THROWS_AS(backend.solve_in_place(wrong), std::invalid_argument);
  // The empty matrix is a valid (trivial) system.
  CholmodBackend empty;
  empty.analyze(SparseMatrix(0, 0), {});
  CHECK(empty.factorize(SparseMatrix(0, 0)));
  Vector none(0);
  empty.solve_in_place(none);
}

TEST_CASE("cholmod: solves allocate nothing, the first one included") {
  const Kkt kkt = random_kkt(200, 100, 21);
  const SparseMatrix U = kkt.upper();
  CholmodBackend backend;
  backend.analyze(U, random_permutation(300, 8));
  REQUIRE(backend.factorize(U));
  Vector x = random_vector(300, 1);
  AllocationGuard guard;
  for (int r = 0; r < 3; ++r) backend.solve_in_place(x);
  CHECK(guard.stop() == 0);
}

#endif  // QPLAYER_HAS_CHOLMOD
