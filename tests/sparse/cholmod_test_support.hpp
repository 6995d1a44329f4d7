// Shared by the CHOLMOD backend tests (test_cholmod_backend.cpp, test_cholmod_row_update.cpp):
// random sparse quasi-definite KKT matrices and a heap-allocation guard.
#pragma once

#include "qplayer/sparse/cholmod_backend.hpp"
#include "support/allocation_counter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

// Heap allocations are counted by allocation_counter.cpp (every malloc of the process, on
// glibc without AddressSanitizer) and also through SuiteSparse_config's function pointers,
// which CHOLMOD allocates through (a global struct in SuiteSparse 5 and 6) and which work
// under AddressSanitizer too. The struct is looked up at run time, so the tests need neither
// SuiteSparse's include directory nor its library on their own link line.
#if __has_include(<suitesparse/SuiteSparse_config.h>) && __has_include(<dlfcn.h>)
#include <suitesparse/SuiteSparse_config.h>
#if SUITESPARSE_MAIN_VERSION < 7
#include <dlfcn.h>
#define QPLAYER_TEST_COUNT_CHOLMOD_MALLOC 1
#endif
#endif

namespace cholmod_test {

using qplayer::SparseMatrix;
using qplayer::Vector;
using Triplet = Eigen::Triplet<double, int>;

#ifdef QPLAYER_TEST_COUNT_CHOLMOD_MALLOC
inline long g_cholmod_allocations = 0;
inline SuiteSparse_config_struct g_saved{};
inline void* counting_malloc(std::size_t size) {
  ++g_cholmod_allocations;
  return g_saved.malloc_func(size);
}
inline void* counting_calloc(std::size_t count, std::size_t size) {
  ++g_cholmod_allocations;
  return g_saved.calloc_func(count, size);
}
inline void* counting_realloc(void* ptr, std::size_t size) {
  ++g_cholmod_allocations;
  return g_saved.realloc_func(ptr, size);
}
#endif

/// Counts heap allocations from construction to stop(): all of them where
/// allocation_counter.cpp can, CHOLMOD's wherever SuiteSparse_config is found.
class AllocationGuard {
 public:
  AllocationGuard() {
#ifdef QPLAYER_TEST_COUNT_CHOLMOD_MALLOC
    config_ = static_cast<SuiteSparse_config_struct*>(dlsym(RTLD_DEFAULT, "SuiteSparse_config"));
    if (config_) {
      g_saved = *config_;
      g_cholmod_allocations = 0;
      config_->malloc_func = counting_malloc;
      config_->calloc_func = counting_calloc;
      config_->realloc_func = counting_realloc;
    }
#endif
    qplayer_test::begin_no_allocation();
  }
  AllocationGuard(const AllocationGuard&) = delete;
  AllocationGuard& operator=(const AllocationGuard&) = delete;
  ~AllocationGuard() { stop(); }

  /// Stops counting (once) and returns the allocations seen.
  long stop() {
    if (stopped_) return count_;
    stopped_ = true;
    count_ = qplayer_test::end_no_allocation();
#ifdef QPLAYER_TEST_COUNT_CHOLMOD_MALLOC
    if (config_) {
      *config_ = g_saved;
      count_ += g_cholmod_allocations;
    }
#endif
    return count_;
  }

 private:
#ifdef QPLAYER_TEST_COUNT_CHOLMOD_MALLOC
  SuiteSparse_config_struct* config_ = nullptr;
#endif
  bool stopped_ = false;
  long count_ = 0;
};

/// [P + diag(rho), Aᵀ; A, -diag(mu)], P = BᵀB sparse PSD, 3 entries per row of A.
struct Kkt {
  int n = 0, m = 0;
  std::vector<Triplet> entries;                        // full symmetric matrix
  std::vector<std::vector<std::pair<int, double>>> a;  // rows of A, full coupling values
  std::vector<double> mu;

  SparseMatrix full() const {
    SparseMatrix K(n + m, n + m);
    K.setFromTriplets(entries.begin(), entries.end());
    return K;
  }
  /// Upper triangle, compressed; entries with value 0 stay stored.
  SparseMatrix upper() const {
    std::vector<Triplet> up;
    for (const Triplet& t : entries)
      if (t.row() <= t.col()) up.push_back(t);
    SparseMatrix U(n + m, n + m);
    U.setFromTriplets(up.begin(), up.end());
    U.makeCompressed();
    return U;
  }
  /// Column n + i with row i of A scaled by `scale` (0: decoupled), diagonal last.
  void column(int i, double scale, std::vector<int>& rows, std::vector<double>& values) const {
    rows.clear();
    values.clear();
    for (const auto& [j, v] : a[i]) {
      rows.push_back(j);
      values.push_back(scale * v);
    }
    rows.push_back(n + i);
    values.push_back(-mu[i]);
  }
  /// Scales row and column n + i of A's block to `scale` times the full coupling.
  void set_row(int i, double scale) {
    for (Triplet& t : entries) {
      const int primal = t.row() == n + i ? t.col() : t.col() == n + i ? t.row() : n;
      for (const auto& [j, v] : a[i])
        if (j == primal) t = Triplet(t.row(), t.col(), scale * v);
    }
  }
};

/// Rows of A listed in `decoupled` keep their pattern with zero values: the matrix a solver
/// factors while those constraints are inactive.
inline Kkt random_kkt(int n, int m, unsigned seed, const std::vector<int>& decoupled = {}) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.1, 1.0);
  std::uniform_int_distribution<int> column(0, n - 1);
  Kkt k;
  k.n = n;
  k.m = m;
  const int r = std::max(1, n / 2);
  std::vector<Triplet> b;
  for (int i = 0; i < r; ++i)
    for (int e = 0; e < 3; ++e) b.emplace_back(i, column(gen), normal(gen));
  SparseMatrix B(r, n);
  B.setFromTriplets(b.begin(), b.end());
  const SparseMatrix P = SparseMatrix(B.transpose()) * B;
  for (int j = 0; j < n; ++j)
    for (SparseMatrix::InnerIterator it(P, j); it; ++it)
      if (it.row() != j) k.entries.emplace_back(static_cast<int>(it.row()), j, it.value());
  for (int j = 0; j < n; ++j) k.entries.emplace_back(j, j, P.coeff(j, j) + uniform(gen));
  k.a.resize(m);
  for (int i = 0; i < m; ++i) {
    const bool on = std::find(decoupled.begin(), decoupled.end(), i) == decoupled.end();
    while (k.a[i].size() < 3) {
      const int j = column(gen);
      bool fresh = true;
      for (const auto& entry : k.a[i]) fresh = fresh && entry.first != j;
      if (!fresh) continue;
      const double v = normal(gen);
      k.a[i].emplace_back(j, v);
      k.entries.emplace_back(n + i, j, on ? v : 0.0);
      k.entries.emplace_back(j, n + i, on ? v : 0.0);
    }
    k.mu.push_back(0.5 * uniform(gen));
    k.entries.emplace_back(n + i, n + i, -k.mu.back());
  }
  return k;
}

inline std::vector<int> random_permutation(int size, unsigned seed) {
  std::vector<int> p(size);
  std::iota(p.begin(), p.end(), 0);
  std::mt19937 gen(seed);
  std::shuffle(p.begin(), p.end(), gen);
  return p;
}

inline Vector random_vector(int size, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  Vector v(size);
  for (double& x : v) x = normal(gen);
  return v;
}

inline double relative_residual(const SparseMatrix& K, const Vector& x, const Vector& b) {
  return (K * x - b).norm() / b.norm();
}

/// Solution of K x = b by a fresh backend (analyze + factorize) under `perm`.
inline Vector fresh_solve(const SparseMatrix& upper, const std::vector<int>& perm,
                          const Vector& b) {
  qplayer::sparse::CholmodBackend fresh;
  fresh.analyze(upper, perm);
  REQUIRE(fresh.factorize(upper));
  Vector x = b;
  fresh.solve_in_place(x);
  return x;
}

}  // namespace cholmod_test
