// SuiteSparse LDL behind the LdltBackend interface. LDL's own permutation support reads
// column P[k] of A and keeps the rows that land above the diagonal of P A Pᵀ, so it needs
// both triangles of A; we are handed only the upper one. analyze() therefore forms the upper
// triangle of P A Pᵀ itself, with a map from every input entry to its place there, and LDL
// factors that matrix unpermuted. factorize() is a value scatter plus ldl_numeric; the
// permutation comes back only in solve_in_place (ldl_perm / ldl_permt).
#include "qplayer/sparse/ldl_backend.hpp"

#include "matrix_checks.hpp"

#include <stdexcept>
#include <string>

#ifdef QPLAYER_HAS_LDL

// Debian's ldl.h (SuiteSparse 5.x) has no extern "C" guards of its own.
extern "C" {
#include <ldl.h>
}

#include <algorithm>
#include <limits>

namespace qplayer::sparse {

LdlBackend::LdlBackend() = default;

void LdlBackend::analyze(const SparseMatrix& upper, const std::vector<int>& permutation) {
  check_square_upper(upper, "LdlBackend::analyze");
  const int n = static_cast<int>(upper.cols());
  std::vector<int> perm = checked_permutation(permutation, n, "LdlBackend::analyze");
  std::vector<int> pinv(n);
  for (int k = 0; k < n; ++k) pinv[perm[k]] = k;

  // Upper triangle of P A Pᵀ: entry (i, j) of A goes to (min, max) of (pinv[i], pinv[j]).
  const int* outer = upper.outerIndexPtr();
  const int* inner = upper.innerIndexPtr();
  const int nnz = outer[n];
  std::vector<int> cp(n + 1, 0);
  for (int j = 0; j < n; ++j) {
    for (int p = outer[j]; p < outer[j + 1]; ++p) {
      ++cp[std::max(pinv[inner[p]], pinv[j]) + 1];
    }
  }
  for (int k = 0; k < n; ++k) cp[k + 1] += cp[k];
  std::vector<int> next(cp.begin(), cp.end() - 1);
  std::vector<int> ci(nnz), scatter(nnz);
  for (int j = 0; j < n; ++j) {
    for (int p = outer[j]; p < outer[j + 1]; ++p) {
      const int a = pinv[inner[p]], b = pinv[j];
      const int q = next[std::max(a, b)]++;
      ci[q] = std::min(a, b);
      scatter[p] = q;
    }
  }

  std::vector<int> lp(n + 1), parent(n), lnz(n), flag(n);
  ldl_symbolic(n, cp.data(), ci.data(), lp.data(), parent.data(), lnz.data(), flag.data(), nullptr,
               nullptr);
  // ldl_symbolic accumulates Lp in int: recount in 64 bits to catch a wrapped total.
  long long total = 0;
  for (int k = 0; k < n; ++k) total += lnz[k];
  if (total > std::numeric_limits<int>::max()) {
    throw std::runtime_error("LdlBackend::analyze: the factor would have " + std::to_string(total) +
                             " entries, more than LDL's int indices hold");
  }

  // Commit only now, so a throwing analyze leaves the previous state intact.
  dim_ = n;
  input_nnz_ = nnz;
  perm_ = std::move(perm);
  cp_ = std::move(cp);
  ci_ = std::move(ci);
  cx_.assign(nnz, 0.0);
  scatter_ = std::move(scatter);
  lp_ = std::move(lp);
  parent_ = std::move(parent);
  lnz_ = std::move(lnz);
  flag_ = std::move(flag);
  pattern_.assign(n, 0);
  li_.assign(static_cast<std::size_t>(total), 0);
  lx_.assign(static_cast<std::size_t>(total), 0.0);
  d_.assign(n, 0.0);
  y_.assign(n, 0.0);
  work_.assign(n, 0.0);
  valid_pivots_ = 0;
  factorized_ = false;
  ++epoch_;  // the old factors are gone
}

bool LdlBackend::factorize(const SparseMatrix& upper) {
  if (cp_.empty()) throw std::logic_error("LdlBackend::factorize: analyze() was not called");
  // Cheap checks only: a full pattern comparison would cost as much as the scatter.
  if (upper.rows() != dim_ || upper.cols() != dim_ || !upper.isCompressed() ||
      upper.outerIndexPtr()[dim_] != input_nnz_) {
    throw std::invalid_argument(
        "LdlBackend::factorize: matrix does not have the analyzed pattern (dimension " +
        std::to_string(upper.rows()) + ", " + std::to_string(upper.nonZeros()) +
        " entries; analyzed " + std::to_string(dim_) + ", " + std::to_string(input_nnz_) + ")");
  }
  const double* values = upper.valuePtr();
  for (long long p = 0; p < input_nnz_; ++p) cx_[scatter_[p]] = values[p];

  ++factorizations_;
  ++epoch_;  // even a failed attempt overwrites the factors
  const int done = ldl_numeric(dim_, cp_.data(), ci_.data(), cx_.data(), lp_.data(), parent_.data(),
                               lnz_.data(), li_.data(), lx_.data(), d_.data(), y_.data(),
                               pattern_.data(), flag_.data(), nullptr, nullptr);
  valid_pivots_ = done;
  factorized_ = (done == dim_);
  return factorized_;
}

void LdlBackend::solve_in_place(Vector& x) const {
  if (!factorized_) {
    throw std::logic_error("LdlBackend::solve_in_place: no successful factorization");
  }
  if (x.size() != dim_) {
    throw std::invalid_argument("LdlBackend::solve_in_place: vector has size " +
                                std::to_string(x.size()) + ", matrix dimension " +
                                std::to_string(dim_));
  }
  // LDL takes non-const pointers but only reads the factors and the permutation.
  int* perm = const_cast<int*>(perm_.data());
  int* lp = const_cast<int*>(lp_.data());
  int* li = const_cast<int*>(li_.data());
  double* lx = const_cast<double*>(lx_.data());
  double* d = const_cast<double*>(d_.data());
  ldl_perm(dim_, work_.data(), x.data(), perm);
  ldl_lsolve(dim_, work_.data(), lp, li, lx);
  ldl_dsolve(dim_, work_.data(), d);
  ldl_ltsolve(dim_, work_.data(), lp, li, lx);
  ldl_permt(dim_, x.data(), work_.data(), perm);
}

Inertia LdlBackend::inertia() const {
  // After a zero pivot only the leading pivots are known; the zero one and those never
  // reached count as zero, so a failed factorization never reports a definite inertia.
  Inertia result;
  for (int k = 0; k < valid_pivots_; ++k) {
    if (d_[k] > 0.0) {
      ++result.positive;
    } else if (d_[k] < 0.0) {
      ++result.negative;
    } else {
      ++result.zero;
    }
  }
  result.zero += dim_ - valid_pivots_;
  return result;
}

// Strictly lower entries; L's unit diagonal is not stored.
long long LdlBackend::nnz_l() const { return lp_.empty() ? 0 : lp_[dim_]; }

}  // namespace qplayer::sparse

#else  // !QPLAYER_HAS_LDL

namespace qplayer::sparse {

LdlBackend::LdlBackend() {
  throw std::invalid_argument("backend 'ldl' is not compiled in this build");
}
void LdlBackend::analyze(const SparseMatrix&, const std::vector<int>&) {}
bool LdlBackend::factorize(const SparseMatrix&) { return false; }
void LdlBackend::solve_in_place(Vector&) const {}
Inertia LdlBackend::inertia() const { return {}; }
long long LdlBackend::nnz_l() const { return 0; }

}  // namespace qplayer::sparse

#endif  // QPLAYER_HAS_LDL
