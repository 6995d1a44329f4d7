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

/// Symbolic cost of the LDLᵀ of the symmetric matrix whose upper triangle is `upper`, under
/// perm[new] = old (elimination-tree count, O(nnz(L)) time).
struct SymbolicCost {
  long long nnz_l = 0;  ///< entries of L strictly below the diagonal
  /// Σ over the columns of L of (entries below the diagonal)²: the multiply-adds of one
  /// numeric factorization up to a constant. It, not nnz(L), predicts the factorization's
  /// time: on QSHIP12L's KKT, AMD has 1.7× METIS's nnz(L) but 4.3× its flops.
  double flops = 0.0;
};
SymbolicCost symbolic_cost(const SparseMatrix& upper, const std::vector<int>& permutation);
/// symbolic_cost(upper, permutation).nnz_l
long long symbolic_nnz_l(const SparseMatrix& upper, const std::vector<int>& permutation);

/// What the ordering strategy decided for one pattern.
struct OrderingChoice {
  std::vector<int> permutation;           ///< perm[new] = old
  Ordering ordering = Ordering::Natural;  ///< the concrete ordering used (never Auto)
  long long nnz_l = 0;                    ///< symbolic nnz(L) under it
  double flops = 0.0;                     ///< SymbolicCost::flops under it
};

/// Auto rule (measured on the 137 Maros–Meszaros KKT patterns, README.md "Orderings"): AMD;
/// when one factorization under AMD is heavy (flops > kMetisTryFlops and flops >
/// kMetisTryFlopsPerEntry · nnz(upper)) METIS is tried as well and the smaller flops win.
/// METIS's ordering costs 10–30× AMD's, about 1–2.5 µs per entry of `upper`: the per-entry
/// test asks that a factorization cost enough, relative to the matrix, that the tens of
/// factorizations of a solve repay it.
inline constexpr double kMetisTryFlops = 5e6;
inline constexpr double kMetisTryFlopsPerEntry = 200.0;

/// Computes the ordering (Auto resolved by the rule above). Throws std::invalid_argument when
/// a requested ordering is not compiled in, std::runtime_error when the library fails.
OrderingChoice choose_ordering(const SparseMatrix& upper, Ordering ordering);

/// Permutation perm[new] = old of the symmetric matrix whose upper triangle (CSC, diagonal
/// included or not) is `upper`: choose_ordering(upper, ordering).permutation.
std::vector<int> compute_ordering(const SparseMatrix& upper, Ordering ordering);

std::string to_string(Ordering ordering);

}  // namespace qplayer::sparse
