// dense::LdltBackendAdapter: permuted scatter of the upper CSC into dense::Ldlt storage.
#include "qplayer/dense/ldlt_backend.hpp"

#include <stdexcept>
#include <string>

namespace qplayer::dense {

void LdltBackendAdapter::analyze(const SparseMatrix& upper, const std::vector<int>& permutation) {
  if (upper.rows() != upper.cols()) {
    throw std::invalid_argument("dense backend: matrix is " + std::to_string(upper.rows()) + " x " +
                                std::to_string(upper.cols()) + ", not square");
  }
  const int dim = static_cast<int>(upper.rows());
  if (!permutation.empty() && static_cast<int>(permutation.size()) != dim) {
    throw std::invalid_argument("dense backend: permutation has size " +
                                std::to_string(permutation.size()) + ", matrix dimension " +
                                std::to_string(dim));
  }
  std::vector<int> perm(dim), inverse(dim, -1);
  for (int k = 0; k < dim; ++k) {
    const int old = permutation.empty() ? k : permutation[k];
    if (old < 0 || old >= dim || inverse[old] != -1) {
      throw std::invalid_argument("dense backend: permutation entry " + std::to_string(k) + " (" +
                                  std::to_string(old) + ") is out of range or repeated");
    }
    perm[k] = old;
    inverse[old] = k;
  }
  perm_.swap(perm);
  perm_inverse_.swap(inverse);
  ldlt_.reserve(dim);
  work_.setZero(dim);
  dim_ = dim;
  factorized_ = false;
}

bool LdltBackendAdapter::factorize(const SparseMatrix& upper) {
  if (dim_ < 0) throw std::logic_error("dense backend: factorize before analyze");
  if (upper.rows() != dim_ || upper.cols() != dim_) {
    throw std::invalid_argument("dense backend: matrix is " + std::to_string(upper.rows()) + " x " +
                                std::to_string(upper.cols()) + ", analyzed dimension " +
                                std::to_string(dim_));
  }
  ++factorizations_;
  auto S = ldlt_.storage(dim_);
  S.triangularView<Eigen::Lower>().setZero();
  // Entry (i, j), i <= j, lands at new positions (pi, pj); Ldlt reads the lower triangle.
  for (int j = 0; j < dim_; ++j) {
    const int pj = perm_inverse_[j];
    for (SparseMatrix::InnerIterator it(upper, j); it; ++it) {
      const int i = static_cast<int>(it.row());
      if (i > j) continue;
      const int pi = perm_inverse_[i];
      if (pi >= pj) {
        S(pi, pj) += it.value();
      } else {
        S(pj, pi) += it.value();
      }
    }
  }
  factorized_ = ldlt_.factorize_in_place(dim_);
  return factorized_;
}

void LdltBackendAdapter::solve_in_place(Vector& x) const {
  if (!factorized_) throw std::logic_error("dense backend: solve without a factorization");
  if (x.size() != dim_) {
    throw std::invalid_argument("dense backend: right-hand side has size " +
                                std::to_string(x.size()) + ", dimension " + std::to_string(dim_));
  }
  for (int k = 0; k < dim_; ++k) work_[k] = x[perm_[k]];
  ldlt_.solve_in_place(work_);
  for (int k = 0; k < dim_; ++k) x[perm_[k]] = work_[k];
}

}  // namespace qplayer::dense
