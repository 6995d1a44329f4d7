// CholmodBackend::replace_row (CHOLMOD's Modify module): constraint rows of a KKT matrix
// coupled and decoupled in place must give the solves of fresh factorizations, allocate
// nothing, and leave the factor fit for refactorization; bad rows are rejected. Without the
// Modify module the backend must say it has no row updates.
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
using qplayer::sparse::CholmodBackend;

#ifdef QPLAYER_HAS_CHOLMOD_MODIFY

TEST_CASE("cholmod: replace_row couples and decouples constraint rows like a refactorization") {
  const int n = 150, m = 90;
  const std::vector<int> decoupled = {0, 7, 33, 60, 89};
  Kkt kkt = random_kkt(n, m, 31, decoupled);
  const Vector b = random_vector(n + m, 17);
  for (const std::vector<int>& perm :
       {std::vector<int>{}, random_permutation(n + m, 12),
        qplayer::sparse::compute_ordering(kkt.upper(), qplayer::Ordering::Amd)}) {
    Kkt current = kkt;
    CholmodBackend backend;
    REQUIRE(backend.supports_row_updates());
    backend.analyze(current.upper(), perm);
    REQUIRE(backend.factorize(current.upper()));
    std::vector<int> rows;
    std::vector<double> values;
    auto check_against_fresh = [&](const char* what) {
      CAPTURE(what);
      const SparseMatrix U = current.upper();
      const Vector expected = fresh_solve(U, perm, b);
      Vector x = b;
      backend.solve_in_place(x);
      CHECK((x - expected).norm() <= 1e-10 * expected.norm());
      CHECK(relative_residual(current.full(), x, b) <= 1e-10);
      CHECK(backend.inertia().positive == n);
      CHECK(backend.inertia().negative == m);
    };
    // Couple the decoupled rows one by one; no update may allocate.
    for (std::size_t r = 0; r < decoupled.size(); ++r) {
      const int i = decoupled[r];
      current.column(i, 1.0, rows, values);
      current.set_row(i, 1.0);
      const auto epoch = backend.epoch();
      const int factorizations = backend.factorizations();
      AllocationGuard guard;
      const bool ok = backend.replace_row(n + i, rows.data(), values.data(), int(rows.size()));
      CHECK(guard.stop() == 0);
      REQUIRE(ok);
      CHECK(backend.epoch() > epoch);
      CHECK(backend.factorizations() == factorizations);
      check_against_fresh("coupled");
    }
    // And back: the diagonal alone is enough to decouple a row (zeros need not be listed).
    for (int i : decoupled) {
      current.set_row(i, 0.0);
      const int diagonal = n + i;
      const double value = -current.mu[i];
      AllocationGuard guard;
      const bool ok = backend.replace_row(n + i, &diagonal, &value, 1);
      CHECK(guard.stop() == 0);
      REQUIRE(ok);
      check_against_fresh("decoupled");
    }
    Vector x = b;
    backend.solve_in_place(x);
    const Vector expected = fresh_solve(kkt.upper(), perm, b);
    CHECK((x - expected).norm() <= 1e-10 * expected.norm());
    // The updated factor object refactors as usual.
    const long long nnz_l = backend.nnz_l();
    REQUIRE(backend.factorize(kkt.upper()));
    CHECK(backend.nnz_l() == nnz_l);
    x = b;
    backend.solve_in_place(x);
    CHECK((x - expected).norm() <= 1e-12 * expected.norm());
  }
}

TEST_CASE("cholmod: replace_row of primal rows (symmetric rescalings) and a zero pivot") {
  // Row and column j scaled by s (the diagonal by s²): S K S is quasi-definite again.
  const int n = 80, m = 50;
  Kkt kkt = random_kkt(n, m, 41);
  const std::vector<int> perm = random_permutation(n + m, 4);
  CholmodBackend backend;
  backend.analyze(kkt.upper(), perm);
  REQUIRE(backend.factorize(kkt.upper()));
  const Vector b = random_vector(n + m, 6);
  std::vector<int> rows;
  std::vector<double> values;
  for (const auto& [j, s] : {std::pair{3, 2.0}, std::pair{40, 0.25}, std::pair{79, 3.0}}) {
    rows.clear();
    values.clear();
    for (Triplet& t : kkt.entries) {
      if (t.row() != j && t.col() != j) continue;
      t = Triplet(t.row(), t.col(), t.value() * (t.row() == t.col() ? s * s : s));
      if (t.col() == j) {
        rows.push_back(t.row());
        values.push_back(t.value());
      }
    }
    REQUIRE(backend.replace_row(j, rows.data(), values.data(), static_cast<int>(rows.size())));
    const Vector expected = fresh_solve(kkt.upper(), perm, b);
    Vector x = b;
    backend.solve_in_place(x);
    CHECK((x - expected).norm() <= 1e-10 * expected.norm());
  }
  // A column replaced by zeros: the pivot is exactly zero, the factor is no longer usable.
  for (double& v : values) v = 0.0;
  CHECK_FALSE(backend.replace_row(79, rows.data(), values.data(), static_cast<int>(rows.size())));
  CHECK(backend.inertia().zero >= 1);  // NaN pivots downstream of it count as zero too
  Vector x = b;
  CHECK_THROWS_AS(backend.solve_in_place(x), std::logic_error);
  CHECK_THROWS_AS(backend.replace_row(79, rows.data(), values.data(), 1), std::logic_error);
  REQUIRE(backend.factorize(kkt.upper()));  // and a refactorization recovers
}

TEST_CASE("cholmod: replace_row rejects entries outside the analyzed pattern") {
  const Kkt kkt = random_kkt(20, 10, 5);
  const std::vector<int> perm = random_permutation(30, 1);
  CholmodBackend backend;
  const int row = 0, diagonal = 20;
  const double value = 1.0;
  CHECK_THROWS_AS(backend.replace_row(diagonal, &diagonal, &value, 1), std::logic_error);
  backend.analyze(kkt.upper(), perm);
  REQUIRE(backend.factorize(kkt.upper()));
  // Row 20 (constraint 0) couples to 3 of the 20 primal columns; a constraint-constraint
  // entry is never in its pattern.
  const int outside = 21;
  CHECK_THROWS_AS(backend.replace_row(diagonal, &outside, &value, 1), std::invalid_argument);
  const int twice[2] = {diagonal, diagonal};
  const double twice_values[2] = {-1.0, -1.0};
  CHECK_THROWS_AS(backend.replace_row(diagonal, twice, twice_values, 2), std::invalid_argument);
  CHECK_THROWS_AS(backend.replace_row(30, &row, &value, 1), std::invalid_argument);
  // Rejected before anything was touched: the factor still solves.
  const Vector b = random_vector(30, 2);
  Vector x = b;
  backend.solve_in_place(x);
  const Vector expected = fresh_solve(kkt.upper(), perm, b);
  CHECK((x - expected).norm() <= 1e-12 * expected.norm());
}

#else

TEST_CASE("cholmod: no row updates without the Modify module") {
  const Kkt kkt = random_kkt(10, 5, 5);
  CholmodBackend backend;
  backend.analyze(kkt.upper(), {});
  REQUIRE(backend.factorize(kkt.upper()));
  CHECK_FALSE(backend.supports_row_updates());
  const int diagonal = 10;
  const double value = -1.0;
  CHECK_THROWS_AS(backend.replace_row(10, &diagonal, &value, 1), std::logic_error);
}

#endif  // QPLAYER_HAS_CHOLMOD_MODIFY

#endif  // QPLAYER_HAS_CHOLMOD
