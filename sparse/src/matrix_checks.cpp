// Argument checks shared by the sparse backends' analyze(): each backend keeps the matrix
// in its own layout, but what it accepts from the caller is the same.
#include "matrix_checks.hpp"

#include <stdexcept>
#include <string>

namespace qplayer::sparse {

void check_square_upper(const SparseMatrix& upper, const char* who) {
  if (upper.rows() != upper.cols()) {
    throw std::invalid_argument(std::string(who) + ": matrix is " + std::to_string(upper.rows()) +
                                " x " + std::to_string(upper.cols()) + ", not square");
  }
  if (!upper.isCompressed()) {
    // An uncompressed Eigen matrix has gaps in its index arrays that the entry map of
    // analyze() and the scatter of factorize() would have to skip on every call.
    throw std::invalid_argument(std::string(who) + ": matrix must be compressed");
  }
  const int n = static_cast<int>(upper.cols());
  const int* outer = upper.outerIndexPtr();
  const int* inner = upper.innerIndexPtr();
  for (int j = 0; j < n; ++j) {
    for (int p = outer[j]; p < outer[j + 1]; ++p) {
      if (inner[p] > j) {
        throw std::invalid_argument(std::string(who) + ": entry (" + std::to_string(inner[p]) +
                                    ", " + std::to_string(j) +
                                    ") lies below the diagonal; pass the upper triangle only");
      }
    }
  }
}

std::vector<int> checked_permutation(const std::vector<int>& permutation, int n, const char* who) {
  std::vector<int> perm(n);
  if (permutation.empty()) {
    for (int k = 0; k < n; ++k) perm[k] = k;
    return perm;
  }
  if (permutation.size() != static_cast<std::size_t>(n)) {
    throw std::invalid_argument(std::string(who) + ": permutation has " +
                                std::to_string(permutation.size()) + " entries, matrix dimension " +
                                std::to_string(n));
  }
  std::vector<char> seen(n, 0);
  for (int k = 0; k < n; ++k) {
    const int old = permutation[k];
    if (old < 0 || old >= n || seen[old]) {
      throw std::invalid_argument(std::string(who) + ": not a permutation of 0.." +
                                  std::to_string(n - 1) + ": entry " + std::to_string(k) + " is " +
                                  std::to_string(old) + (old >= 0 && old < n ? " (repeated)" : ""));
    }
    seen[old] = 1;
    perm[k] = old;
  }
  return perm;
}

}  // namespace qplayer::sparse
