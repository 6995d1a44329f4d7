// Fill-reducing orderings of a symmetric sparse pattern, a strategy of their own: the sparse
// KKT system computes one permutation per pattern and hands it to whichever backend.
#pragma once

#include "qplayer/problem.hpp"
#include "qplayer/settings.hpp"

#include <string>
#include <vector>

namespace qplayer::sparse {

/// True when this build can compute `ordering` (AMD comes with either SuiteSparse backend,
/// METIS with QPLAYER_WITH_METIS; Natural and Auto always).
bool ordering_available(Ordering ordering);

/// Entries of L strictly below the diagonal for the LDLᵀ of the symmetric matrix whose upper
/// triangle is `upper`, under perm[new] = old (elimination-tree count, O(nnz(L)) time).
long long symbolic_nnz_l(const SparseMatrix& upper, const std::vector<int>& permutation);

/// What the ordering strategy decided for one pattern.
struct OrderingChoice {
  std::vector<int> permutation;           ///< perm[new] = old
  Ordering ordering = Ordering::Natural;  ///< the concrete ordering used (never Auto)
  long long nnz_l = 0;                    ///< symbolic nnz(L) under it
};

/// Auto rule (measured on the 137 Maros–Meszaros KKT patterns, README.md "Orderings"): AMD;
/// when AMD's fill is heavy (nnz(L) > kMetisTryFill and nnz(L) > kMetisTryRatio · nnz(upper))
/// METIS is tried as well and the smaller nnz(L) wins. METIS's ordering costs 10–20× AMD's,
/// so it is only paid for where the factorizations it shortens dominate.
inline constexpr long long kMetisTryFill = 100000;
inline constexpr double kMetisTryRatio = 10.0;

/// Computes the ordering (Auto resolved by the rule above). Throws std::invalid_argument when
/// a requested ordering is not compiled in, std::runtime_error when the library fails.
OrderingChoice choose_ordering(const SparseMatrix& upper, Ordering ordering);

/// Permutation perm[new] = old of the symmetric matrix whose upper triangle (CSC, diagonal
/// included or not) is `upper`: choose_ordering(upper, ordering).permutation.
std::vector<int> compute_ordering(const SparseMatrix& upper, Ordering ordering);

std::string to_string(Ordering ordering);

}  // namespace qplayer::sparse
