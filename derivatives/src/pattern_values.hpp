// Writing a matrix gradient on the stored pattern of a problem matrix. Private.
#pragma once

#include "qplayer/problem.hpp"

#include <algorithm>

namespace qplayer::derivatives::detail {

/// out := pattern with entry (i, j) set to value(i, j). When `out` already holds exactly that
/// pattern (a Gradients reused across calls) only its values are written: no allocation, which
/// at n = 10⁴ saves page faults worth several triangular solves per backward.
template <class F>
void set_on_pattern(const SparseMatrix& pattern, SparseMatrix& out, F&& value) {
  const bool same =
      out.rows() == pattern.rows() && out.cols() == pattern.cols() && out.isCompressed() &&
      pattern.isCompressed() && out.nonZeros() == pattern.nonZeros() &&
      std::equal(pattern.outerIndexPtr(), pattern.outerIndexPtr() + pattern.outerSize() + 1,
                 out.outerIndexPtr()) &&
      std::equal(pattern.innerIndexPtr(), pattern.innerIndexPtr() + pattern.nonZeros(),
                 out.innerIndexPtr());
  if (!same) out = pattern;
  for (int j = 0; j < out.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(out, j); it; ++it) it.valueRef() = value(it.row(), j);
}

}  // namespace qplayer::derivatives::detail
