// Fill-reducing orderings: every ordering gives a permutation (perm[new] = old), and the
// real ones cut the fill of a 2-D grid Laplacian far below the natural order. Fill is counted
// here with an elimination tree of our own, independent of the libraries under test.
#include "qplayer/sparse/ldl_backend.hpp"
#include "qplayer/sparse/ordering.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

using qplayer::Ordering;
using qplayer::SparseMatrix;
using namespace qplayer::sparse;

namespace {

using Triplet = Eigen::Triplet<double, int>;

SparseMatrix upper_from(int n, const std::vector<Triplet>& entries) {
  std::vector<Triplet> upper;
  for (const Triplet& t : entries) {
    upper.emplace_back(std::min(t.row(), t.col()), std::max(t.row(), t.col()), t.value());
  }
  SparseMatrix m(n, n);
  m.setFromTriplets(upper.begin(), upper.end());
  m.makeCompressed();
  return m;
}

// Upper triangle of the 5-point Laplacian on a side x side grid, numbered row by row: the
// natural order is a band of half-width `side`, the textbook case for fill reduction.
SparseMatrix grid_laplacian(int side) {
  std::vector<Triplet> entries;
  auto id = [side](int r, int c) { return r * side + c; };
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c) {
      entries.emplace_back(id(r, c), id(r, c), 4.0);
      if (c + 1 < side) entries.emplace_back(id(r, c), id(r, c + 1), -1.0);
      if (r + 1 < side) entries.emplace_back(id(r, c), id(r + 1, c), -1.0);
    }
  }
  return upper_from(side * side, entries);
}

// A star: vertex 0 coupled to all others. Eliminated first it fills everything, last nothing.
SparseMatrix arrow(int n) {
  std::vector<Triplet> entries;
  for (int i = 0; i < n; ++i) entries.emplace_back(i, i, 1.0);
  for (int i = 1; i < n; ++i) entries.emplace_back(0, i, 1.0);
  return upper_from(n, entries);
}

SparseMatrix random_pattern(int n, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Triplet> entries;
  for (int j = 0; j < n; ++j) {
    entries.emplace_back(j, j, 1.0);
    for (int i = 0; i < j; ++i) {
      if (u(rng) < density) entries.emplace_back(i, j, 1.0);
    }
  }
  return upper_from(n, entries);
}

bool is_permutation_of(const std::vector<int>& perm, int n) {
  if (perm.size() != static_cast<std::size_t>(n)) return false;
  std::vector<char> seen(n, 0);
  for (int old : perm) {
    if (old < 0 || old >= n || seen[old]) return false;
    seen[old] = 1;
  }
  return true;
}

// Strictly lower entries of L for P A Pᵀ (perm[new] = old), by the elimination-tree row
// subtrees: row k of L is the union of the tree paths from each i < k with A(i, k) != 0.
long long fill_nnz_l(const SparseMatrix& upper, const std::vector<int>& perm) {
  const int n = static_cast<int>(upper.cols());
  std::vector<std::vector<int>> adjacent(n);
  for (int j = 0; j < n; ++j) {
    for (SparseMatrix::InnerIterator it(upper, j); it; ++it) {
      if (it.row() != j) {
        adjacent[j].push_back(it.row());
        adjacent[it.row()].push_back(j);
      }
    }
  }
  std::vector<int> pinv(n), parent(n, -1), flag(n, -1);
  for (int k = 0; k < n; ++k) pinv[perm[k]] = k;
  long long count = 0;
  for (int k = 0; k < n; ++k) {
    flag[k] = k;
    for (int old : adjacent[perm[k]]) {
      for (int i = pinv[old]; i < k && flag[i] != k; i = parent[i]) {
        if (parent[i] == -1) parent[i] = k;
        flag[i] = k;
        ++count;
      }
    }
  }
  return count;
}

// Σ over the columns of L of (entries below the diagonal)², by plain symbolic Gaussian
// elimination on a dense boolean copy of P A Pᵀ: independent of the elimination-tree count.
double dense_elimination_flops(const SparseMatrix& upper, const std::vector<int>& perm) {
  const int n = static_cast<int>(upper.cols());
  std::vector<int> pinv(n);
  for (int k = 0; k < n; ++k) pinv[perm[k]] = k;
  std::vector<std::vector<char>> nz(n, std::vector<char>(n, 0));
  for (int j = 0; j < n; ++j)
    for (SparseMatrix::InnerIterator it(upper, j); it; ++it)
      nz[pinv[it.row()]][pinv[j]] = nz[pinv[j]][pinv[it.row()]] = 1;
  double flops = 0.0;
  for (int k = 0; k < n; ++k) {
    double below = 0.0;
    for (int i = k + 1; i < n; ++i) {
      if (!nz[i][k]) continue;
      below += 1.0;
      for (int j = k + 1; j < n; ++j)
        if (nz[j][k]) nz[i][j] = 1;
    }
    flops += below * below;
  }
  return flops;
}

std::vector<Ordering> available_orderings() {
  std::vector<Ordering> result;
  for (Ordering o : {Ordering::Auto, Ordering::Natural, Ordering::Amd, Ordering::Metis}) {
    if (ordering_available(o)) result.push_back(o);
  }
  return result;
}

}  // namespace

TEST_CASE("ordering names and availability") {
  CHECK(to_string(Ordering::Auto) == "auto");
  CHECK(to_string(Ordering::Natural) == "natural");
  CHECK(to_string(Ordering::Amd) == "amd");
  CHECK(to_string(Ordering::Metis) == "metis");
  CHECK(ordering_available(Ordering::Auto));
  CHECK(ordering_available(Ordering::Natural));
#ifdef QPLAYER_HAS_AMD
  CHECK(ordering_available(Ordering::Amd));
#else
  CHECK_FALSE(ordering_available(Ordering::Amd));
#endif
#ifdef QPLAYER_HAS_METIS
  CHECK(ordering_available(Ordering::Metis));
#else
  CHECK_FALSE(ordering_available(Ordering::Metis));
#endif
}

TEST_CASE("choose_ordering keeps concrete orderings and resolves Auto by fill") {
  const SparseMatrix grid = grid_laplacian(30);
  for (Ordering o : available_orderings()) {
    const qplayer::sparse::OrderingChoice choice = choose_ordering(grid, o);
    CHECK(choice.ordering != Ordering::Auto);
    if (o != Ordering::Auto) CHECK(choice.ordering == o);
    CHECK(is_permutation_of(choice.permutation, 900));
    // The library's symbolic count agrees with this file's independent one.
    CHECK(choice.nnz_l == fill_nnz_l(grid, choice.permutation));
    CHECK(qplayer::sparse::symbolic_nnz_l(grid, choice.permutation) == choice.nnz_l);
    CHECK(choice.flops == doctest::Approx(dense_elimination_flops(grid, choice.permutation)));
  }
#ifdef QPLAYER_HAS_AMD
  // Auto never does worse than AMD: METIS is only kept when it costs fewer flops.
  CHECK(choose_ordering(grid, Ordering::Auto).flops <= choose_ordering(grid, Ordering::Amd).flops);
#endif
}

TEST_CASE("Auto tries METIS only where one AMD factorization is heavy, and keeps the cheaper") {
  // A 2-D grid's nested dissection beats minimum degree as the grid grows; the rule must
  // fire on the large grid (AMD's flops far above both thresholds) and not on the small one.
  const SparseMatrix small = grid_laplacian(10), large = grid_laplacian(120);
  const OrderingChoice small_auto = choose_ordering(small, Ordering::Auto);
  CHECK(small_auto.ordering ==
        (ordering_available(Ordering::Amd) ? Ordering::Amd : Ordering::Natural));
#if defined(QPLAYER_HAS_AMD) && defined(QPLAYER_HAS_METIS)
  const OrderingChoice amd = choose_ordering(large, Ordering::Amd);
  const OrderingChoice metis = choose_ordering(large, Ordering::Metis);
  REQUIRE(amd.flops > kMetisTryFlops);
  REQUIRE(amd.flops > kMetisTryFlopsPerEntry * static_cast<double>(large.nonZeros()));
  const OrderingChoice chosen = choose_ordering(large, Ordering::Auto);
  CHECK(chosen.ordering == (metis.flops < amd.flops ? Ordering::Metis : Ordering::Amd));
  CHECK(chosen.flops == std::min(amd.flops, metis.flops));
#endif
}

TEST_CASE("natural ordering is the identity") {
  const std::vector<int> perm = compute_ordering(grid_laplacian(5), Ordering::Natural);
  REQUIRE(perm.size() == 25);
  for (int k = 0; k < 25; ++k) CHECK(perm[k] == k);
}

TEST_CASE("every available ordering returns a permutation, edge cases included") {
  SparseMatrix uncompressed = random_pattern(60, 0.05, 7);
  uncompressed.uncompress();
  SparseMatrix no_diagonal = random_pattern(40, 0.1, 3);
  no_diagonal.prune([](int row, int col, double) { return row != col; });
  const std::vector<std::pair<const char*, SparseMatrix>> cases = {
      {"empty", SparseMatrix(0, 0)},
      {"1x1", upper_from(1, {{0, 0, 2.0}})},
      {"diagonal only", upper_from(7, {{0, 0, 1.0}, {3, 3, 1.0}, {6, 6, 1.0}})},
      {"no entries at all", SparseMatrix(5, 5)},
      {"grid", grid_laplacian(12)},
      {"arrow", arrow(30)},
      {"random", random_pattern(200, 0.02, 11)},
      {"uncompressed", uncompressed},
      {"without diagonal", no_diagonal},
  };
  for (Ordering o : available_orderings()) {
    for (const auto& [name, matrix] : cases) {
      CAPTURE(to_string(o));
      CAPTURE(name);
      const std::vector<int> perm = compute_ordering(matrix, o);
      CHECK(is_permutation_of(perm, static_cast<int>(matrix.cols())));
    }
  }
}

TEST_CASE("orderings eliminate the hub of an arrow matrix last") {
  const int n = 50;
  const SparseMatrix m = arrow(n);
  CHECK(fill_nnz_l(m, compute_ordering(m, Ordering::Natural)) == n * (n - 1) / 2);
#ifdef QPLAYER_HAS_AMD
  const std::vector<int> amd = compute_ordering(m, Ordering::Amd);
  CHECK(amd.back() == 0);
  CHECK(fill_nnz_l(m, amd) == n - 1);
#endif
#ifdef QPLAYER_HAS_METIS
  // Also pins METIS's perm/iperm convention: the inverse would not put the hub last.
  const std::vector<int> metis = compute_ordering(m, Ordering::Metis);
  CHECK(metis.back() == 0);
  CHECK(fill_nnz_l(m, metis) == n - 1);
#endif
}

TEST_CASE("AMD and METIS cut the fill of a 30x30 grid Laplacian") {
  const SparseMatrix m = grid_laplacian(30);
  const long long natural = fill_nnz_l(m, compute_ordering(m, Ordering::Natural));
  // Band of half-width 30: every row of L fills its band, about 900 * 30 entries.
  CHECK(natural > 25000);
  MESSAGE("30x30 grid, nnz(L): natural " << natural);
#ifdef QPLAYER_HAS_AMD
  const long long amd = fill_nnz_l(m, compute_ordering(m, Ordering::Amd));
  MESSAGE("30x30 grid, nnz(L): amd " << amd);
  CHECK(amd < natural / 2);
#endif
#ifdef QPLAYER_HAS_METIS
  const long long metis = fill_nnz_l(m, compute_ordering(m, Ordering::Metis));
  MESSAGE("30x30 grid, nnz(L): metis " << metis);
  CHECK(metis < natural / 2);
#endif
}

#ifdef QPLAYER_HAS_LDL
TEST_CASE("our fill count agrees with LdlBackend::nnz_l") {
  const SparseMatrix grid = grid_laplacian(15);
  const SparseMatrix random = random_pattern(150, 0.03, 5);
  for (Ordering o : available_orderings()) {
    for (const SparseMatrix* m : {&grid, &random}) {
      CAPTURE(to_string(o));
      const std::vector<int> perm = compute_ordering(*m, o);
      LdlBackend backend;
      backend.analyze(*m, perm);
      CHECK(backend.nnz_l() == fill_nnz_l(*m, perm));
    }
  }
}
#endif

TEST_CASE("compute_ordering rejects what it cannot order") {
  CHECK_THROWS_AS(compute_ordering(SparseMatrix(3, 4), Ordering::Natural), std::invalid_argument);
  const SparseMatrix m = grid_laplacian(4);
#ifndef QPLAYER_HAS_AMD
  CHECK_THROWS_AS(compute_ordering(m, Ordering::Amd), std::invalid_argument);
#endif
#ifndef QPLAYER_HAS_METIS
  CHECK_THROWS_AS(compute_ordering(m, Ordering::Metis), std::invalid_argument);
#endif
  // Auto never throws for lack of a library: it falls back to what is compiled in.
  CHECK(is_permutation_of(compute_ordering(m, Ordering::Auto), 16));
}
