// Private to the sparse backends: the argument checks every LdltBackend::analyze makes on
// the matrix and the permutation it is handed, with messages that name the caller.
#pragma once

#include "qplayer/problem.hpp"

#include <vector>

namespace qplayer::sparse {

/// Throws std::invalid_argument ("<who>: ...") unless `upper` is square, compressed and has
/// no entry below the diagonal.
void check_square_upper(const SparseMatrix& upper, const char* who);

/// Returns perm[new] = old, the identity when `permutation` is empty; throws
/// std::invalid_argument ("<who>: ...") when it is not a permutation of 0..n-1.
std::vector<int> checked_permutation(const std::vector<int>& permutation, int n, const char* who);

}  // namespace qplayer::sparse
