// Private to SupernodalBackend: the symbolic side of a supernodal LDLᵀ, computed by qplayer
// itself (elimination tree, column counts, postorder, fundamental supernodes, relaxed
// amalgamation, row structures). CHOLMOD's supernodal analysis would do the same but lives
// in its GPL Supernodal module; keeping it here keeps the default build LGPL/MIT.
#pragma once

#include "qplayer/problem.hpp"

#include <vector>

namespace qplayer::sparse {

struct SupernodalStructure {
  std::vector<int> perm;      // perm[new] = old: the caller's ordering, postordered
  std::vector<int> super;     // first column of each supernode, nsuper + 1 entries
  std::vector<long long> pi;  // start of each supernode's row indices in rows
  std::vector<int> rows;      // per supernode: its own columns in order, then sorted rows
  std::vector<int> owner;     // column -> supernode
  /// Σ c_j² / Σ c_j over the exact column counts c_j of L (entries below the diagonal,
  /// before amalgamation): multiply-adds per stored entry, 0 for a diagonal matrix.
  double column_work = 0.0;

  int nsuper() const { return static_cast<int>(super.size()) - 1; }

  /// Structure of the LDLᵀ factor of P A Pᵀ for `upper` (upper triangle, CSC, checked by
  /// the caller) under perm[new] = old (a permutation of 0..n-1). The columns are
  /// postordered along the elimination tree (same fill, contiguous supernodes), and a
  /// child supernode is merged into its parent when the explicit zeros this adds stay
  /// small (kRelax* in the .cpp), so dense kernels get wider blocks.
  static SupernodalStructure analyze(const SparseMatrix& upper, const std::vector<int>& perm);
};

}  // namespace qplayer::sparse
