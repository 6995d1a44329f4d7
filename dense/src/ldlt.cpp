// Blocked right-looking LDLᵀ (no pivoting) and its row append/delete and rank-one updates.
// Level-3 work goes through Eigen GEMM/TRSM on tiles small enough to never touch the heap.
#include "qplayer/dense/ldlt.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace qplayer::dense {

namespace {

// Eigen packs GEMM/TRSM operands into buffers of (depth x tile) doubles; below
// EIGEN_STACK_ALLOCATION_LIMIT they live on the stack, above it on the heap. Tiling the
// trailing update to this edge keeps the factorization allocation-free at any dimension,
// and a 64 x 256 x 256 GEMM is still large enough to run at full kernel speed.
constexpr int kTile =
    static_cast<int>(EIGEN_STACK_ALLOCATION_LIMIT / (sizeof(double) * Ldlt::kBlockSize));
static_assert(kTile >= Ldlt::kBlockSize, "stack limit too small for the panel width");

}  // namespace

void Ldlt::reserve(int max_dim) {
  if (max_dim < 0) throw std::invalid_argument("Ldlt::reserve: negative dimension");
  capacity_ = max_dim;
  ld_.setZero(max_dim, max_dim);
  d_.setZero(max_dim);
  panel_.setZero(max_dim, kBlockSize);
  work_.setZero(max_dim);
  dim_ = 0;
  scale_ = 0.0;
  ++epoch_;
}

void Ldlt::check_dim(int dim) const {
  if (dim < 0 || dim > capacity_) {
    throw std::length_error("Ldlt: dimension " + std::to_string(dim) + " exceeds the reserved " +
                            std::to_string(capacity_));
  }
}

bool Ldlt::pivot_ok(double d) const {
  // Relative to the data so that a scaled problem and an unscaled one behave alike; a NaN
  // fails the comparison and is reported as a zero pivot too.
  return std::isfinite(d) && std::abs(d) > kPivotTolerance * scale_;
}

double Ldlt::lower_max_abs(int dim) const {
  double m = 0.0;
  for (int j = 0; j < dim; ++j)
    m = std::max(m, ld_.col(j).segment(j, dim - j).cwiseAbs().maxCoeff());
  return m;
}

Eigen::Block<Eigen::MatrixXd> Ldlt::storage(int dim) {
  check_dim(dim);
  return ld_.topLeftCorner(dim, dim);
}

bool Ldlt::factorize(const Eigen::Ref<const Eigen::MatrixXd>& M, int dim) {
  check_dim(dim);
  if (M.rows() < dim || M.cols() < dim) throw std::invalid_argument("Ldlt::factorize: M too small");
  for (int j = 0; j < dim; ++j) ld_.col(j).segment(j, dim - j) = M.col(j).segment(j, dim - j);
  return factorize_in_place(dim);
}

bool Ldlt::factorize_in_place(int dim) {
  check_dim(dim);
  dim_ = dim;
  ++epoch_;
  scale_ = lower_max_abs(dim);
  for (int k = 0; k < dim; k += kBlockSize) {
    const int b = std::min(kBlockSize, dim - k);
    if (!factor_diagonal_block(k, b)) return false;
    if (k + b < dim) {
      factor_panel(k, b);
      update_trailing(k, b);
    }
  }
  return true;
}

bool Ldlt::factor_diagonal_block(int k, int b) {
  const int end = k + b;
  for (int j = k; j < end; ++j) {
    const double dj = ld_(j, j);
    d_(j) = dj;
    if (!pivot_ok(dj)) {
      // Leave the unfactorized pivots at zero so inertia() counts them as zero.
      d_.segment(j, dim_ - j).setZero();
      return false;
    }
    const int r = end - 1 - j;
    if (r == 0) continue;
    ld_.col(j).segment(j + 1, r) /= dj;
    // Right-looking rank-one update of the rest of the block (lower part only).
    for (int c = j + 1; c < end; ++c) {
      ld_.col(c).segment(c, end - c) -= (dj * ld_(c, j)) * ld_.col(j).segment(c, end - c);
    }
  }
  return true;
}

void Ldlt::factor_panel(int k, int b) {
  const int m = dim_ - k - b;
  auto W = panel_.topLeftCorner(m, b);
  W = ld_.block(k + b, k, m, b);
  const auto L11t = ld_.block(k, k, b, b).transpose().triangularView<Eigen::UnitUpper>();
  // W <- A21 L11⁻ᵀ = L21 D1; rows are independent, so chunking them bounds the TRSM buffers.
  for (int r0 = 0; r0 < m; r0 += kTile) {
    const int rows = std::min(kTile, m - r0);
    L11t.solveInPlace<Eigen::OnTheRight>(W.middleRows(r0, rows));
  }
  ld_.block(k + b, k, m, b).noalias() = W * d_.segment(k, b).cwiseInverse().asDiagonal();
}

void Ldlt::update_trailing(int k, int b) {
  const int s = k + b;
  const int m = dim_ - s;
  const auto L21 = ld_.block(s, k, m, b);
  const auto W = panel_.topLeftCorner(m, b);
  // A22 -= L21 Wᵀ, column tile by column tile: a triangular product on the diagonal tile
  // (measured ~15% faster overall than a square GEMM that also fills the scratch upper part),
  // plain GEMMs below it.
  for (int c0 = 0; c0 < m; c0 += kTile) {
    const int cols = std::min(kTile, m - c0);
    ld_.block(s + c0, s + c0, cols, cols).triangularView<Eigen::Lower>() -=
        L21.middleRows(c0, cols) * W.middleRows(c0, cols).transpose();
    for (int r0 = c0 + cols; r0 < m; r0 += kTile) {
      const int rows = std::min(kTile, m - r0);
      ld_.block(s + r0, s + c0, rows, cols).noalias() -=
          L21.middleRows(r0, rows) * W.middleRows(c0, cols).transpose();
    }
  }
}

void Ldlt::solve_in_place(Eigen::Ref<Vector> x) const {
  eigen_assert(x.size() == dim_);
  const auto L = ld_.topLeftCorner(dim_, dim_);
  L.triangularView<Eigen::UnitLower>().solveInPlace(x);
  x.array() /= d_.head(dim_).array();
  L.transpose().triangularView<Eigen::UnitUpper>().solveInPlace(x);
}

bool Ldlt::append_row(const Eigen::Ref<const Vector>& column, double diagonal) {
  const int k = dim_;
  check_dim(k + 1);
  if (column.size() != k) throw std::invalid_argument("Ldlt::append_row: column size != dim");
  // The new row l and pivot satisfy L D l = column and d = diagonal - lᵀ D l.
  auto w = work_.head(k);
  w = column;
  ld_.topLeftCorner(k, k).triangularView<Eigen::UnitLower>().solveInPlace(w);  // w = D l
  const auto dk = d_.head(k).array();
  const double dnew = diagonal - (w.array().square() / dk).sum();
  ld_.row(k).head(k) = (w.array() / dk).matrix().transpose();
  ld_(k, k) = dnew;
  d_(k) = dnew;
  if (k > 0) scale_ = std::max(scale_, column.cwiseAbs().maxCoeff());
  scale_ = std::max(scale_, std::abs(diagonal));
  dim_ = k + 1;
  ++epoch_;
  return pivot_ok(dnew);
}

bool Ldlt::delete_row(int k) {
  if (k < 0 || k >= dim_) throw std::out_of_range("Ldlt::delete_row: row out of range");
  const int n = dim_;
  const int tail = n - 1 - k;
  // Removing row/col k leaves L33 D3 L33ᵀ + d_k l32 l32ᵀ as the trailing block: a rank-one
  // update with the old column below the pivot, done in place before shifting.
  work_.segment(k + 1, tail) = ld_.col(k).segment(k + 1, tail);
  const bool ok = rank_one_update_from(k + 1, d_(k));
  // Shift: rows after k move up one in the columns before k, and the trailing block moves
  // up-left one. std::copy is well defined here since the destination precedes the source.
  for (int c = 0; c < k; ++c) {
    double* col = ld_.col(c).data();
    std::copy(col + k + 1, col + n, col + k);
  }
  for (int j = k + 1; j < n; ++j) {
    ld_.col(j - 1).segment(j - 1, n - j) = ld_.col(j).segment(j, n - j);
  }
  std::copy(d_.data() + k + 1, d_.data() + n, d_.data() + k);
  d_(n - 1) = 0.0;
  dim_ = n - 1;
  ++epoch_;
  return ok;
}

bool Ldlt::rank_one_update(const Eigen::Ref<const Vector>& v, double sigma) {
  if (v.size() != dim_) throw std::invalid_argument("Ldlt::rank_one_update: size != dim");
  work_.head(dim_) = v;
  if (dim_ > 0) scale_ = std::max(scale_, std::abs(sigma) * v.cwiseAbs2().maxCoeff());
  const bool ok = rank_one_update_from(0, sigma);
  ++epoch_;
  return ok;
}

bool Ldlt::rank_one_update_from(int start, double sigma) {
  // One sweep of the classical update (Gill, Golub, Murray, Saunders, method C1): the
  // forward substitution of v through L and the correction of each column are interleaved
  // so each column of L is read and written once. Valid for either sign of sigma as long
  // as no pivot crosses zero, which quasi-definiteness guarantees in exact arithmetic.
  double alpha = sigma;
  for (int j = start; j < dim_; ++j) {
    const double p = work_(j);
    if (p == 0.0) continue;  // column j and alpha are unchanged
    const double dold = d_(j);
    const double dnew = dold + alpha * p * p;
    d_(j) = dnew;
    ld_(j, j) = dnew;
    if (!pivot_ok(dnew)) return false;
    const double beta = p * alpha / dnew;
    alpha *= dold / dnew;
    const int r = dim_ - 1 - j;
    auto v = work_.segment(j + 1, r);
    auto l = ld_.col(j).segment(j + 1, r);
    v -= p * l;
    l += beta * v;
  }
  return true;
}

namespace {

// Signs of the pivots, with `is_zero(j)` deciding which count as zero: the plain and the
// round-off-aware inertia differ only in that test.
template <class IsZero>
Inertia count_signs(const Eigen::Ref<const Vector>& d, IsZero is_zero) {
  Inertia in;
  for (int j = 0; j < d.size(); ++j) {
    if (is_zero(j)) {
      ++in.zero;
    } else if (d(j) > 0.0) {
      ++in.positive;
    } else {
      ++in.negative;
    }
  }
  return in;
}

}  // namespace

Inertia Ldlt::inertia() const {
  return count_signs(d_.head(dim_), [&](int j) { return !pivot_ok(d_(j)); });
}

Inertia Ldlt::certain_inertia() {
  // work_(j) accumulates sum_{k<j} L_jk² |d_k| column by column (contiguous reads).
  auto acc = work_.head(dim_);
  acc.setZero();
  for (int k = 0; k + 1 < dim_; ++k) {
    acc.tail(dim_ - k - 1) += std::abs(d_(k)) * ld_.col(k).segment(k + 1, dim_ - k - 1).cwiseAbs2();
  }
  const double gamma = dim_ * std::numeric_limits<double>::epsilon();
  return count_signs(d_.head(dim_), [&](int j) {
    const double d = d_(j);
    return !pivot_ok(d) || std::abs(d) <= gamma * (std::abs(d) + acc(j));
  });
}

}  // namespace qplayer::dense
