// The QP  min ½xᵀHx + gᵀx + c0  s.t.  Ax = b,  l ≤ Cx ≤ u,  lb ≤ x ≤ ub,
// validated on construction so the solver never sees inconsistent data.
#pragma once

#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include <stdexcept>
#include <string>
#include <vector>

namespace qplayer {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
using Vector = Eigen::VectorXd;

/// Thrown for invalid problem data; what() names the field and the offending index.
class InvalidProblem : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Where a constraint row of a file (QPS row order) went: an equality row of A or an
/// inequality row of C. Needed to report multipliers in the file's own order.
struct RowRef {
  enum class Kind { Equality, Inequality };
  Kind kind = Kind::Inequality;
  int index = 0;
};

class Problem {
 public:
  Problem() = default;

  /// Sparse data. H must hold both triangles (it is checked for symmetry).
  /// lb/ub may be empty (no box); l/u/lb/ub may contain ±infinity, nothing else may.
  Problem(SparseMatrix H, Vector g, SparseMatrix A, Vector b, SparseMatrix C, Vector l, Vector u,
          Vector lb = Vector(), Vector ub = Vector());

  /// Dense data; stored sparse (exact zeros dropped) and flagged as dense for backend choice.
  Problem(const Eigen::MatrixXd& H, Vector g, const Eigen::MatrixXd& A, Vector b,
          const Eigen::MatrixXd& C, Vector l, Vector u, Vector lb = Vector(), Vector ub = Vector());

  /// Re-checks every invariant (dimensions, finiteness, l ≤ u, symmetry); throws InvalidProblem.
  void validate() const;
  /// The vector part of validate() on candidate values (sizes already checked): g and b
  /// finite, l ≤ u and lb ≤ ub with infinities only where they mean "no bound".
  static void validate_vectors(const Vector& g, const Vector& b, const Vector& l, const Vector& u,
                               const Vector& lb, const Vector& ub);

  int n() const { return static_cast<int>(g.size()); }
  int n_eq() const { return static_cast<int>(b.size()); }
  int n_in() const { return static_cast<int>(l.size()); }
  bool has_box() const { return lb.size() > 0; }

  /// ½xᵀHx + gᵀx + c0.
  double objective(const Vector& x) const;

  // Data (public: a Problem is a value; Solver validates again when it takes it).
  SparseMatrix H;
  Vector g;
  double c0 = 0.0;  ///< constant term of the objective
  SparseMatrix A;
  Vector b;
  SparseMatrix C;
  Vector l, u;
  Vector lb, ub;

  // Optional metadata (set by the QPS reader, kept by the writer).
  std::string name;
  std::vector<std::string> variable_names;
  std::vector<std::string> row_names;  ///< one per entry of `rows`
  std::vector<RowRef> rows;            ///< file row order → A or C row; empty if not from a file
  bool dense_storage = false;          ///< built from dense matrices
  /// The file said OBJSENSE MAX: the data here is the equivalent minimization (H, g, c0
  /// negated), so the file's objective value is -objective(x).
  bool converted_from_max = false;
};

}  // namespace qplayer
