// Problem construction and validation: every error names the field and the index, so a
// user can find the bad entry without a debugger.
#include "qplayer/problem.hpp"

#include <cmath>
#include <sstream>

namespace qplayer {
namespace {

[[noreturn]] void fail(const std::string& message) { throw InvalidProblem(message); }

void check_matrix(const SparseMatrix& M, const char* field, Eigen::Index rows, Eigen::Index cols) {
  if (M.rows() != rows || M.cols() != cols) {
    std::ostringstream os;
    os << field << ": expected " << rows << "x" << cols << ", got " << M.rows() << "x" << M.cols();
    fail(os.str());
  }
  for (int j = 0; j < M.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(M, j); it; ++it)
      if (!std::isfinite(it.value())) {
        std::ostringstream os;
        os << field << "(" << it.row() << "," << it.col() << ") is not finite (" << it.value()
           << ")";
        fail(os.str());
      }
}

void check_size(const Vector& v, const char* field, Eigen::Index size) {
  if (v.size() != size) {
    std::ostringstream os;
    os << field << ": expected size " << size << ", got " << v.size();
    fail(os.str());
  }
}

// Vectors that may hold infinities only on the side where they mean "no bound".
void check_finite(const Vector& v, const char* field) {
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) {
      std::ostringstream os;
      os << field << "[" << i << "] is not finite (" << v[i] << ")";
      fail(os.str());
    }
}

void check_bounds(const Vector& lo, const Vector& hi, const char* lo_name, const char* hi_name) {
  for (Eigen::Index i = 0; i < lo.size(); ++i) {
    if (lo[i] <= hi[i] && lo[i] != INFINITY && hi[i] != -INFINITY) continue;  // the common case
    std::ostringstream os;
    if (std::isnan(lo[i]) || lo[i] == INFINITY) {
      os << lo_name << "[" << i << "] must be finite or -inf (got " << lo[i] << ")";
      fail(os.str());
    }
    if (std::isnan(hi[i]) || hi[i] == -INFINITY) {
      os << hi_name << "[" << i << "] must be finite or +inf (got " << hi[i] << ")";
      fail(os.str());
    }
    if (lo[i] > hi[i]) {
      os << lo_name << "[" << i << "] = " << lo[i] << " > " << hi_name << "[" << i
         << "] = " << hi[i];
      fail(os.str());
    }
  }
}

SparseMatrix to_sparse(const Eigen::MatrixXd& M) {
  SparseMatrix S = M.sparseView(0.0, 0.0);
  S.makeCompressed();
  return S;
}

}  // namespace

Problem::Problem(SparseMatrix H_, Vector g_, SparseMatrix A_, Vector b_, SparseMatrix C_, Vector l_,
                 Vector u_, Vector lb_, Vector ub_)
    : H(std::move(H_)),
      g(std::move(g_)),
      A(std::move(A_)),
      b(std::move(b_)),
      C(std::move(C_)),
      l(std::move(l_)),
      u(std::move(u_)),
      lb(std::move(lb_)),
      ub(std::move(ub_)) {
  // Empty constraint blocks given as 0x0 are accepted as "none" with n columns.
  const auto n = g.size();
  if (A.rows() == 0 && A.cols() == 0 && b.size() == 0) A.resize(0, n);
  if (C.rows() == 0 && C.cols() == 0 && l.size() == 0 && u.size() == 0) C.resize(0, n);
  H.makeCompressed();
  A.makeCompressed();
  C.makeCompressed();
  validate();
}

Problem::Problem(const Eigen::MatrixXd& H_, Vector g_, const Eigen::MatrixXd& A_, Vector b_,
                 const Eigen::MatrixXd& C_, Vector l_, Vector u_, Vector lb_, Vector ub_)
    : Problem(to_sparse(H_), std::move(g_), to_sparse(A_), std::move(b_), to_sparse(C_),
              std::move(l_), std::move(u_), std::move(lb_), std::move(ub_)) {
  dense_storage = true;
}

void Problem::validate_vectors(const Vector& g, const Vector& b, const Vector& l, const Vector& u,
                               const Vector& lb, const Vector& ub) {
  check_finite(g, "g");
  check_finite(b, "b");
  check_bounds(l, u, "l", "u");
  check_bounds(lb, ub, "lb", "ub");
}

void Problem::validate() const {
  const Eigen::Index n = g.size();
  check_finite(g, "g");
  if (!std::isfinite(c0)) fail("c0 is not finite");
  check_matrix(H, "H", n, n);
  check_matrix(A, "A", b.size(), n);
  check_finite(b, "b");
  check_size(u, "u", l.size());
  check_matrix(C, "C", l.size(), n);
  check_bounds(l, u, "l", "u");
  if (lb.size() != 0 || ub.size() != 0) {
    check_size(lb, "lb", n);
    check_size(ub, "ub", n);
    check_bounds(lb, ub, "lb", "ub");
  }
  // Symmetry, relative to the largest entry so that scaled data is judged alike.
  double scale = 0.0;
  for (int j = 0; j < H.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(H, j); it; ++it)
      scale = std::max(scale, std::abs(it.value()));
  // Each stored entry against its mirror (a binary search in the mirror's column; an entry
  // stored on one side only meets 0): the same test as H − Hᵀ, without building either, so
  // Solver::update allocates nothing for it.
  for (int j = 0; j < H.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(H, j); it; ++it) {
      const int i = static_cast<int>(it.row());
      if (i == j) continue;
      const double mirror = H.coeff(j, i);
      if (std::abs(it.value() - mirror) > 1e-12 * std::max(scale, 1.0)) {
        std::ostringstream os;
        os << "H is not symmetric: H(" << i << "," << j << ") = " << it.value() << " but H(" << j
           << "," << i << ") = " << mirror;
        fail(os.str());
      }
    }
  if (!rows.empty()) {
    if (row_names.size() != rows.size()) fail("row_names: expected one name per row");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto limit = rows[i].kind == RowRef::Kind::Equality ? b.size() : l.size();
      if (rows[i].index < 0 || rows[i].index >= limit) {
        std::ostringstream os;
        os << "rows[" << i << "] refers to a constraint that does not exist";
        fail(os.str());
      }
    }
  }
}

double Problem::objective(const Vector& x) const {
  // xᵀHx entry by entry: H * x would allocate a temporary on every solve.
  double xhx = 0.0;
  for (int j = 0; j < H.outerSize(); ++j) {
    double column = 0.0;
    for (SparseMatrix::InnerIterator it(H, j); it; ++it) column += it.value() * x[it.row()];
    xhx += x[j] * column;
  }
  return 0.5 * xhx + g.dot(x) + c0;
}

}  // namespace qplayer
