// Writing a matrix gradient on the stored pattern of a problem matrix. Private.
#pragma once

#include "qplayer/problem.hpp"

#include <algorithm>

namespace qplayer::derivatives::detail {

/// out takes pattern's structure, unless it already holds exactly that pattern (a Gradients
/// reused across calls): then only its values will be written, no allocation, which at
/// n = 10⁴ saves page faults worth several triangular solves per backward.
inline void take_pattern(const SparseMatrix& pattern, SparseMatrix& out) {
  const bool same =
      out.rows() == pattern.rows() && out.cols() == pattern.cols() && out.isCompressed() &&
      pattern.isCompressed() && out.nonZeros() == pattern.nonZeros() &&
      std::equal(pattern.outerIndexPtr(), pattern.outerIndexPtr() + pattern.outerSize() + 1,
                 out.outerIndexPtr()) &&
      std::equal(pattern.innerIndexPtr(), pattern.innerIndexPtr() + pattern.nonZeros(),
                 out.innerIndexPtr());
  if (same) return;
  // The structure only: its values are all overwritten by the caller, so copying them (a
  // third of what a fresh Gradients writes for dense data) would be wasted traffic.
  out.resize(pattern.rows(), pattern.cols());
  out.resizeNonZeros(pattern.nonZeros());
  std::copy(pattern.outerIndexPtr(), pattern.outerIndexPtr() + pattern.outerSize() + 1,
            out.outerIndexPtr());
  std::copy(pattern.innerIndexPtr(), pattern.innerIndexPtr() + pattern.nonZeros(),
            out.innerIndexPtr());
}

/// out := pattern with entry (i, j) set to value(i, j).
template <class F>
void set_on_pattern(const SparseMatrix& pattern, SparseMatrix& out, F&& value) {
  take_pattern(pattern, out);
  for (int j = 0; j < out.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(out, j); it; ++it) it.valueRef() = value(it.row(), j);
}

/// The same for the rank-two form every matrix gradient of a feasible backward pass has,
/// entry (i, j) = scale·(a_i·p_j + b_i·q_j). A column that stores every row (dense data) is
/// written as one vectorized expression instead of an indexed loop (the gradients of a dense
/// n = 100/50/50 QP are 20,000 entries, a fifth of its backward pass).
template <class VA, class VP, class VB, class VQ>
void set_rank2_on_pattern(const SparseMatrix& pattern, SparseMatrix& out, const VA& a, const VP& p,
                          const VB& b, const VQ& q, double scale = 1.0) {
  take_pattern(pattern, out);
  const Eigen::Index rows = out.rows();
  const int* outer = out.outerIndexPtr();
  const int* inner = out.innerIndexPtr();
  double* value = out.valuePtr();
  for (Eigen::Index j = 0; j < out.outerSize(); ++j) {
    const int begin = outer[j], end = outer[j + 1];
    const double pj = scale * p[j], qj = scale * q[j];
    if (end - begin == rows) {  // (inner indices are sorted: then they are 0, …, rows − 1)
      Eigen::Map<Vector>(value + begin, rows) = pj * a + qj * b;
    } else {
      for (int k = begin; k < end; ++k) value[k] = pj * a[inner[k]] + qj * b[inner[k]];
    }
  }
}

}  // namespace qplayer::derivatives::detail
