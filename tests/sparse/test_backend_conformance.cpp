// Conformance of every compiled LdltBackend (the dense adapter always; SuiteSparse LDL,
// CHOLMOD and the supernodal backend when built) on random quasi-definite
// K = [P + rho I, Aᵀ; A, -mu I], P = MᵀM sparse,
// under the natural, AMD, METIS and a random ordering: residuals, inertia, refactorization,
// row replacement, singular matrices, allocation-free solves and argument checks.
#include "qplayer/dense/ldlt_backend.hpp"
#include "qplayer/sparse/cholmod_backend.hpp"
#include "qplayer/sparse/ldl_backend.hpp"
#include "qplayer/sparse/ordering.hpp"
#include "qplayer/sparse/supernodal_backend.hpp"
#include "support/allocation_counter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

using qplayer::Inertia;
using qplayer::Ordering;
using qplayer::SparseMatrix;
using qplayer::Vector;

// ---- the backends under test ---------------------------------------------------------------
using Backends = std::tuple<qplayer::dense::LdltBackendAdapter
#ifdef QPLAYER_HAS_LDL
                            ,
                            qplayer::sparse::LdlBackend
#endif
#ifdef QPLAYER_HAS_CHOLMOD
                            ,
                            qplayer::sparse::CholmodBackend
#endif
#ifdef QPLAYER_HAS_SUPERNODAL
                            ,
                            qplayer::sparse::SupernodalBackend
#endif
                            >;
TYPE_TO_STRING_AS("dense", qplayer::dense::LdltBackendAdapter);
TYPE_TO_STRING_AS("ldl", qplayer::sparse::LdlBackend);
TYPE_TO_STRING_AS("cholmod", qplayer::sparse::CholmodBackend);
TYPE_TO_STRING_AS("supernodal", qplayer::sparse::SupernodalBackend);

// OpenBLAS's thread control, when the BLAS linked is OpenBLAS (weak: absent otherwise, and
// a reference BLAS runs on one thread anyway).
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" int openblas_get_num_threads() __attribute__((weak));

namespace {

/// Runs the BLAS on one thread for its lifetime (when `active` and the BLAS is OpenBLAS).
class SingleThreadedBlas {
 public:
  explicit SingleThreadedBlas(bool active) {
    if (!active || !openblas_set_num_threads || !openblas_get_num_threads) return;
    previous_ = openblas_get_num_threads();
    openblas_set_num_threads(1);
  }
  ~SingleThreadedBlas() {
    if (previous_ > 0) openblas_set_num_threads(previous_);
  }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_ = 0;
};

/// Whether the build promises row updates for backend B (CHOLMOD with its Modify module).
template <class B>
bool expects_row_updates() {
#ifdef QPLAYER_HAS_CHOLMOD_MODIFY
  return std::is_same_v<B, qplayer::sparse::CholmodBackend>;
#else
  return false;
#endif
}

struct Spec {
  int n, m;
  unsigned seed;
};
constexpr Spec kSpecs[] = {{5, 3, 1}, {40, 25, 2}, {300, 150, 3}};
// A well-conditioned regime: at rho = mu = 1e-6 an LDLᵀ without pivoting has a backward
// error of 1e-11 for every backend here (the KKT systems refine their solves for that).
constexpr double kRho = 1e-2, kMu = 1e-2;

/// K's upper triangle (CSC). The pattern depends on spec.seed only, the values on value_seed;
/// constraint rows r with !coupled[r] keep their pattern with zero coupling values.
struct Kkt {
  int n = 0, m = 0;
  SparseMatrix upper;
  int dim() const { return n + m; }
};

Kkt make_kkt(const Spec& s, unsigned value_seed, const std::vector<bool>& coupled = {}) {
  const int n = s.n, m = s.m;
  std::mt19937 pattern_rng(s.seed);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  const double m_density = std::min(1.0, 2.5 / n), a_density = std::min(1.0, 4.0 / n);
  Eigen::MatrixXd m_mask(n, n), a_mask(m, n);
  for (double& v : m_mask.reshaped()) v = coin(pattern_rng) < m_density ? 1.0 : 0.0;
  for (int r = 0; r < m; ++r) {
    for (int j = 0; j < n; ++j) a_mask(r, j) = coin(pattern_rng) < a_density ? 1.0 : 0.0;
    if (a_mask.row(r).sum() == 0.0) a_mask(r, pattern_rng() % n) = 1.0;  // no empty rows
  }
  const Eigen::MatrixXd p_mask = m_mask.transpose() * m_mask;

  std::mt19937 value_rng(1000003u * value_seed + s.seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd M(n, n), A(m, n);
  for (int k = 0; k < n * n; ++k) M.reshaped()[k] = m_mask.reshaped()[k] * normal(value_rng);
  for (int k = 0; k < m * n; ++k) A.reshaped()[k] = a_mask.reshaped()[k] * normal(value_rng);
  const Eigen::MatrixXd P = M.transpose() * M;

  std::vector<Eigen::Triplet<double>> t;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i <= j; ++i)
      if (i == j || p_mask(i, j) != 0.0) t.emplace_back(i, j, P(i, j) + (i == j ? kRho : 0.0));
  for (int r = 0; r < m; ++r) {
    const bool on = coupled.empty() || coupled[r];
    for (int j = 0; j < n; ++j)
      if (a_mask(r, j) != 0.0) t.emplace_back(j, n + r, on ? A(r, j) : 0.0);
    t.emplace_back(n + r, n + r, -kMu);
  }
  Kkt k;
  k.n = n, k.m = m;
  k.upper.resize(n + m, n + m);
  k.upper.setFromTriplets(t.begin(), t.end());  // keeps explicit zeros
  k.upper.makeCompressed();
  return k;
}

double inf_norm(const Vector& v) { return v.size() == 0 ? 0.0 : v.lpNorm<Eigen::Infinity>(); }

/// ‖Kx − b‖∞ / (‖K‖∞‖x‖∞ + ‖b‖∞) with K the symmetric matrix whose upper triangle is given.
double relative_residual(const SparseMatrix& upper, const Vector& x, const Vector& b) {
  Vector row_sums = Vector::Zero(upper.rows());
  for (int j = 0; j < upper.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(upper, j); it; ++it) {
      row_sums[it.row()] += std::abs(it.value());
      if (it.row() != j) row_sums[j] += std::abs(it.value());
    }
  const Vector kx = upper.selfadjointView<Eigen::Upper>() * x;
  return inf_norm(kx - b) / (row_sums.maxCoeff() * inf_norm(x) + inf_norm(b));
}

double relative_difference(const Vector& x, const Vector& reference) {
  return inf_norm(x - reference) / inf_norm(reference);
}

Vector random_vector(int size, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  return Vector::NullaryExpr(size, [&] { return normal(rng); });
}

struct Case {
  Spec spec;
  std::string ordering;
  std::vector<int> permutation;  // perm[new] = old; empty = natural
};

/// Every spec under every ordering this build has, plus a random permutation.
std::vector<Case> cases() {
  std::vector<Case> out;
  for (const Spec& s : kSpecs) {
    const SparseMatrix upper = make_kkt(s, 1).upper;
    out.push_back({s, "natural", {}});
    for (Ordering o : {Ordering::Amd, Ordering::Metis})
      if (qplayer::sparse::ordering_available(o))
        out.push_back(
            {s, qplayer::sparse::to_string(o), qplayer::sparse::compute_ordering(upper, o)});
    std::vector<int> perm(s.n + s.m);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), std::mt19937(s.seed + 77));
    out.push_back({s, "random", perm});
  }
  return out;
}

Vector solved(const qplayer::LdltBackend& backend, const Vector& b) {
  Vector x = b;
  backend.solve_in_place(x);
  return x;
}

/// Factorizes k with a fresh backend under perm and solves for b.
template <class B>
Vector fresh_solve(const Kkt& k, const std::vector<int>& perm, const Vector& b) {
  B fresh;
  fresh.analyze(k.upper, perm);
  REQUIRE(fresh.factorize(k.upper));
  return solved(fresh, b);
}

void check_inertia(const Inertia& in, int n, int m) {
  CHECK(in.positive == n);
  CHECK(in.negative == m);
  CHECK(in.zero == 0);
}

}  // namespace

#define CASE_INFO(c)                                                          \
  INFO("n=" << (c).spec.n << " m=" << (c).spec.m << " seed=" << (c).spec.seed \
            << " ordering=" << (c).ordering)

TEST_CASE_TEMPLATE_DEFINE("backend conformance: solve, inertia, factor size", B,
                          conformance_solve) {
  for (const Case& c : cases()) {
    CASE_INFO(c);
    const Kkt k = make_kkt(c.spec, 1);
    B backend;
    CHECK(!backend.name().empty());
    backend.analyze(k.upper, c.permutation);
    REQUIRE(backend.factorize(k.upper));
    check_inertia(backend.inertia(), k.n, k.m);
    // L holds at least the strictly lower pattern of the permuted K, at most a full triangle.
    const long long dim = k.dim(), off_diagonal = k.upper.nonZeros() - dim;
    CHECK(backend.nnz_l() >= off_diagonal);
    CHECK(backend.nnz_l() <= dim * (dim + 1) / 2);
    std::mt19937 rng(c.spec.seed + 100);
    for (int rep = 0; rep < 3; ++rep) {
      const Vector b = random_vector(k.dim(), rng);
      const Vector x = solved(backend, b);
      CHECK(relative_residual(k.upper, x, b) <= 1e-12);
      CHECK(solved(backend, b) == x);  // a const solve leaves the factors as they were
    }
  }
}

TEST_CASE_TEMPLATE_DEFINE("backend conformance: refactorization with new values", B,
                          conformance_refactorize) {
  for (const Case& c : cases()) {
    CASE_INFO(c);
    const Kkt k1 = make_kkt(c.spec, 1), k2 = make_kkt(c.spec, 2);
    REQUIRE(k2.upper.nonZeros() == k1.upper.nonZeros());
    std::mt19937 rng(c.spec.seed + 200);
    const Vector b = random_vector(k1.dim(), rng);
    B backend;
    backend.analyze(k1.upper, c.permutation);
    CHECK(backend.factorizations() == 0);  // analyze is not a numeric factorization
    REQUIRE(backend.factorize(k1.upper));
    CHECK(backend.factorizations() == 1);
    const std::uint64_t epoch1 = backend.epoch();
    const Vector x1 = solved(backend, b);

    REQUIRE(backend.factorize(k2.upper));
    CHECK(backend.epoch() > epoch1);
    CHECK(backend.factorizations() == 2);
    check_inertia(backend.inertia(), k2.n, k2.m);
    const Vector x2 = solved(backend, b);
    CHECK(relative_residual(k2.upper, x2, b) <= 1e-12);
    CHECK(relative_difference(x2, fresh_solve<B>(k2, c.permutation, b)) <= 1e-12);
    CHECK(relative_difference(x1, x2) > 1e-3);  // the new values were used

    REQUIRE(backend.factorize(k1.upper));  // and back
    CHECK(backend.factorizations() == 3);
    CHECK(relative_difference(solved(backend, b), x1) <= 1e-12);
  }
}

TEST_CASE_TEMPLATE_DEFINE("backend conformance: row replacement equals refactorization", B,
                          conformance_row_updates) {
  B probe;
  CHECK(probe.supports_row_updates() == expects_row_updates<B>());
  if (!probe.supports_row_updates()) {
    const Kkt k = make_kkt(kSpecs[0], 1);
    probe.analyze(k.upper, {});
    REQUIRE(probe.factorize(k.upper));
    const int rows[] = {k.n};
    const double values[] = {-kMu};
    CHECK_THROWS_AS(probe.replace_row(k.n, rows, values, 1), std::logic_error);
    return;
  }
  for (const Case& c : cases()) {
    CASE_INFO(c);
    const int n = c.spec.n, m = c.spec.m;
    std::vector<bool> coupled(m);
    for (int r = 0; r < m; ++r) coupled[r] = r % 3 != 0;  // rows 0, 3, 6, ... start decoupled
    Kkt k = make_kkt(c.spec, 1, coupled);
    B backend;
    backend.analyze(k.upper, c.permutation);
    REQUIRE(backend.factorize(k.upper));
    std::mt19937 rng(c.spec.seed + 300);
    const Vector b = random_vector(n + m, rng);
    // Couple rows 0 and 3 and decouple 1, then undo all three, one replacement at a time.
    std::vector<int> flips = {0, 1};
    if (m > 3) flips.push_back(3);
    const std::size_t count = flips.size();
    for (std::size_t i = 0; i < count; ++i) flips.push_back(flips[i]);
    for (int r : flips) {
      INFO("row " << r << " becomes " << std::string(coupled[r] ? "decoupled" : "coupled"));
      coupled[r] = !coupled[r];
      k = make_kkt(c.spec, 1, coupled);
      const int col = n + r;  // column n + r of the upper triangle is the whole row: A_r, -mu
      const int start = k.upper.outerIndexPtr()[col];  // compressed: entries are contiguous
      const int count = k.upper.outerIndexPtr()[col + 1] - start;
      const std::uint64_t epoch = backend.epoch();
      const int factorizations = backend.factorizations();
      qplayer_test::begin_no_allocation();
      const bool ok = backend.replace_row(col, k.upper.innerIndexPtr() + start,
                                          k.upper.valuePtr() + start, count);
      const long allocations = qplayer_test::end_no_allocation();
      REQUIRE(ok);
      CHECK(allocations == 0);
      CHECK(backend.epoch() > epoch);
      CHECK(backend.factorizations() == factorizations);
      check_inertia(backend.inertia(), n, m);
      CHECK(relative_difference(solved(backend, b), fresh_solve<B>(k, c.permutation, b)) <= 1e-10);
    }
  }
}

TEST_CASE_TEMPLATE_DEFINE("backend conformance: singular matrices", B, conformance_singular) {
  SUBCASE("[[1, 1], [1, 1]]") {
    SparseMatrix S(2, 2);
    S.insert(0, 0) = 1.0, S.insert(0, 1) = 1.0, S.insert(1, 1) = 1.0;
    S.makeCompressed();
    for (const std::vector<int>& perm : {std::vector<int>{}, std::vector<int>{1, 0}}) {
      B backend;
      backend.analyze(S, perm);
      bool ok = true;
      CHECK_NOTHROW(ok = backend.factorize(S));
      CHECK_FALSE(ok);
    }
  }
  SUBCASE("a zero row and column, diagonal included") {
    for (const Case& c : cases()) {
      CASE_INFO(c);
      const Kkt k = make_kkt(c.spec, 1);
      B backend;
      backend.analyze(k.upper, c.permutation);
      for (int zero : {k.n / 2, k.n + k.m / 2}) {  // a primal and a constraint index
        INFO("zeroed index " << zero);
        SparseMatrix S = k.upper;  // same pattern, explicit zeros
        for (int j = 0; j < S.outerSize(); ++j)
          for (SparseMatrix::InnerIterator it(S, j); it; ++it)
            if (it.row() == zero || j == zero) it.valueRef() = 0.0;
        bool ok = true;
        CHECK_NOTHROW(ok = backend.factorize(S));
        CHECK_FALSE(ok);
        // The backend recovers with the next good matrix.
        REQUIRE(backend.factorize(k.upper));
        std::mt19937 rng(c.spec.seed + 400);
        const Vector b = random_vector(k.dim(), rng);
        CHECK(relative_residual(k.upper, solved(backend, b), b) <= 1e-12);
      }
    }
  }
}

TEST_CASE_TEMPLATE_DEFINE("backend conformance: refactorization and solve allocate nothing", B,
                          conformance_no_allocation) {
  for (const Case& c : cases()) {
    CASE_INFO(c);
    const Kkt k = make_kkt(c.spec, 1);
    B backend;
    backend.analyze(k.upper, c.permutation);
    REQUIRE(backend.factorize(k.upper));
    // New values on the analyzed pattern: what the solver does at every change of ρ, μ or
    // active set. (cholmod_factorize allocated two permuted copies per call; the backend
    // calls cholmod_rowfac on its own permuted triangle since f1799be.)
    // The supernodal backend's dgemm calls go to the system BLAS: a multi-threaded
    // OpenBLAS mallocs its job descriptors on every call it splits across threads (1-7 per
    // factorization of this 450-row matrix, measured), which no caller can prevent. The
    // backend's own code allocates nothing, checked here with the BLAS on one thread.
    const SingleThreadedBlas one_thread(std::is_same_v<B, qplayer::sparse::SupernodalBackend>);
    const Kkt k2 = make_kkt(c.spec, 2);
    qplayer_test::begin_no_allocation();
    const bool refactorized = backend.factorize(k2.upper);
    const long factorization_allocations = qplayer_test::end_no_allocation();
    REQUIRE(refactorized);
    CHECK(factorization_allocations == 0);
    check_inertia(backend.inertia(), k2.n, k2.m);
    REQUIRE(backend.factorize(k.upper));  // back to the matrix the solves below check
    std::mt19937 rng(c.spec.seed + 500);
    const Vector b = random_vector(k.dim(), rng);
    for (int solve = 1; solve <= 2; ++solve) {  // the first solve must not allocate either
      INFO("solve " << solve);
      Vector x = b;
      qplayer_test::begin_no_allocation();
      backend.solve_in_place(x);
      const long allocations = qplayer_test::end_no_allocation();
      CHECK(allocations == 0);
      CHECK(relative_residual(k.upper, x, b) <= 1e-12);
    }
  }
}

TEST_CASE_TEMPLATE_DEFINE("backend conformance: wrong sizes throw std::invalid_argument", B,
                          conformance_arguments) {
  const Kkt k = make_kkt(kSpecs[1], 1);
  const int dim = k.dim();
  std::vector<int> identity(dim);
  std::iota(identity.begin(), identity.end(), 0);
  B backend;
  SUBCASE("permutation too short or too long") {
    CHECK_THROWS_AS(
        backend.analyze(k.upper, std::vector<int>(identity.begin() + 1, identity.end())),
        std::invalid_argument);
    std::vector<int> longer = identity;
    longer.push_back(dim);
    CHECK_THROWS_AS(backend.analyze(k.upper, longer), std::invalid_argument);
  }
  SUBCASE("permutation with an index out of range or repeated") {
    std::vector<int> bad = identity;
    bad[3] = dim;
    CHECK_THROWS_AS(backend.analyze(k.upper, bad), std::invalid_argument);
    bad[3] = -1;
    CHECK_THROWS_AS(backend.analyze(k.upper, bad), std::invalid_argument);
    bad[3] = 4;
    CHECK_THROWS_AS(backend.analyze(k.upper, bad), std::invalid_argument);
  }
  SUBCASE("matrix not square") {
    SparseMatrix rect = k.upper.leftCols(dim - 1);
    CHECK_THROWS_AS(backend.analyze(rect, {}), std::invalid_argument);
  }
  SUBCASE("factorize with another dimension than analyzed") {
    backend.analyze(k.upper, identity);
    const Kkt other = make_kkt(kSpecs[0], 1);
    CHECK_THROWS_AS(backend.factorize(other.upper), std::invalid_argument);
    SparseMatrix rect = k.upper.leftCols(dim - 1);
    CHECK_THROWS_AS(backend.factorize(rect), std::invalid_argument);
    REQUIRE(backend.factorize(k.upper));  // still usable
    check_inertia(backend.inertia(), k.n, k.m);
  }
}

TEST_CASE_TEMPLATE_APPLY(conformance_solve, Backends);
TEST_CASE_TEMPLATE_APPLY(conformance_refactorize, Backends);
TEST_CASE_TEMPLATE_APPLY(conformance_row_updates, Backends);
TEST_CASE_TEMPLATE_APPLY(conformance_singular, Backends);
TEST_CASE_TEMPLATE_APPLY(conformance_no_allocation, Backends);
TEST_CASE_TEMPLATE_APPLY(conformance_arguments, Backends);
