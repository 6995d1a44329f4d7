// assemble_qps: a QpsModel (what qps_reader.cpp collected from a file) into a validated
// Problem: rows split into equalities (A, b) and ranges (C, l, u) in file order, the
// quadratic objective made symmetric, the bounds' MPS rules applied, a maximization turned
// into the equivalent minimization. Errors name the file line of the entry at fault.
#include "qps_model.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace qplayer::detail {
namespace {

class QpsAssembly {
 public:
  QpsAssembly(QpsModel& model, const QpsLineSource& source) : model_(model), source_(source) {}
  Problem assemble();

 private:
  void check_duplicates(const std::vector<QpsEntry>& entries, int rows, int columns,
                        const char* what);
  void row_limits(int row, double& lo, double& hi, bool& equality);
  SparseMatrix quadratic_matrix(int n);

  QpsModel& model_;
  const QpsLineSource& source_;
};

// A repeated (row, column) is an error rather than a sum or an overwrite: either would be a
// silent guess about what the file meant.
void QpsAssembly::check_duplicates(const std::vector<QpsEntry>& entries, int rows, int columns,
                                   const char* what) {
  const auto [later, earlier] = detail::find_repeated_entry(entries, rows, columns);
  if (later >= 0)
    source_.fail(std::string("duplicate ") + what + " (first given at line " +
                     std::to_string(entries[static_cast<std::size_t>(earlier)].line) + ")",
                 entries[static_cast<std::size_t>(later)].line);
}

// Limits of a constraint row and whether it is an equality (a row of A).
void QpsAssembly::row_limits(int row, double& lo, double& hi, bool& equality) {
  const QpsRow& r = model_.row_data[static_cast<std::size_t>(row)];
  const bool ranged = r.range_line != 0;
  equality = r.type == 'E' && (!ranged || r.range == 0.0);
  if (equality) {
    lo = hi = r.rhs;
  } else if (r.type == 'E') {
    lo = r.range > 0 ? r.rhs : r.rhs + r.range;
    hi = r.range > 0 ? r.rhs + r.range : r.rhs;
  } else if (r.type == 'L') {
    lo = ranged ? r.rhs - std::abs(r.range) : -kInf;
    hi = r.rhs;
  } else {
    lo = r.rhs;
    hi = ranged ? r.rhs + std::abs(r.range) : kInf;
  }
  const bool valid =
      equality ? std::isfinite(r.rhs)
               : !std::isnan(lo) && !std::isnan(hi) && lo != kInf && hi != -kInf && lo <= hi;
  if (!valid)
    source_.fail("row " + quoted(model_.rows.name(row)) +
                     ": RHS and RANGES give no valid interval (expected finite limits, or "
                     "+inf only as upper and -inf only as lower limit)",
                 std::max(r.rhs_line, r.range_line));
}

SparseMatrix QpsAssembly::quadratic_matrix(int n) {
  check_duplicates(model_.quadratic, n, n, "entry in the quadratic objective");
  std::vector<Eigen::Triplet<double, int>> triplets;
  triplets.reserve(2 * model_.quadratic.size());
  const bool one_triangle = !model_.full_matrix;
  for (const QpsEntry& e : model_.quadratic) {
    if (e.value == 0.0) continue;
    triplets.emplace_back(e.row, e.col, e.value);
    if (one_triangle && e.row != e.col) triplets.emplace_back(e.col, e.row, e.value);
  }
  SparseMatrix H(n, n);
  H.setFromTriplets(triplets.begin(), triplets.end());
  if (one_triangle) return H;
  // QMATRIX: report the first entry whose mirror differs, with the same tolerance as
  // Problem::validate so that what passes here is accepted there.
  double scale = 1.0;
  for (const QpsEntry& e : model_.quadratic) scale = std::max(scale, std::abs(e.value));
  for (const QpsEntry& e : model_.quadratic)
    if (std::abs(e.value - H.coeff(e.col, e.row)) > 1e-12 * scale)
      source_.fail("QMATRIX is not symmetric: expected the entry (" + model_.columns.name(e.col) +
                       ", " + model_.columns.name(e.row) + ") with the same value",
                   e.line);
  return H;
}

Problem QpsAssembly::assemble() {
  const int n = model_.columns.size();
  const int m_all = model_.rows.size();
  check_duplicates(model_.entries, m_all, n, "entry for this column and row in COLUMNS");

  // Constraint rows in file order; N rows map to -1.
  std::vector<int> target(static_cast<std::size_t>(m_all), -1);
  std::vector<char> in_a(static_cast<std::size_t>(m_all), 0);
  std::vector<RowRef> refs;
  std::vector<std::string> row_names;
  std::vector<double> b, l, u;
  for (int r = 0; r < m_all; ++r) {
    if (model_.row_data[static_cast<std::size_t>(r)].type == 'N') continue;
    double lo = 0.0, hi = 0.0;
    bool equality = false;
    row_limits(r, lo, hi, equality);
    RowRef ref;
    ref.kind = equality ? RowRef::Kind::Equality : RowRef::Kind::Inequality;
    ref.index = static_cast<int>(equality ? b.size() : l.size());
    if (equality) {
      b.push_back(lo);
    } else {
      l.push_back(lo);
      u.push_back(hi);
    }
    target[static_cast<std::size_t>(r)] = ref.index;
    in_a[static_cast<std::size_t>(r)] = equality;
    refs.push_back(ref);
    row_names.push_back(model_.rows.name(r));
  }

  Vector g = Vector::Zero(n);
  std::vector<Eigen::Triplet<double, int>> a_triplets, c_triplets;
  for (const QpsEntry& e : model_.entries) {
    if (!std::isfinite(e.value)) source_.fail("expected a finite coefficient in COLUMNS", e.line);
    if (e.row == model_.objective) g[e.col] = e.value;
    const int i = target[static_cast<std::size_t>(e.row)];
    if (i < 0 || e.value == 0.0) continue;  // free rows, explicit zeros
    (in_a[static_cast<std::size_t>(e.row)] ? a_triplets : c_triplets)
        .emplace_back(i, e.col, e.value);
  }
  SparseMatrix A(static_cast<Eigen::Index>(b.size()), n), C(static_cast<Eigen::Index>(l.size()), n);
  A.setFromTriplets(a_triplets.begin(), a_triplets.end());
  C.setFromTriplets(c_triplets.begin(), c_triplets.end());
  SparseMatrix H = quadratic_matrix(n);

  Vector lb = Vector::Zero(n), ub = Vector::Constant(n, kInf);
  for (std::size_t j = 0; j < model_.bounds.size(); ++j) {
    QpsColumnBounds& cb = model_.bounds[j];
    if (cb.negative_up && cb.lower_line == 0) cb.lb = -kInf;  // the MPS rule, see above
    if (cb.lb > cb.ub)
      source_.fail("bounds of column " + quoted(model_.columns.name(static_cast<int>(j))) +
                       " are inconsistent: expected lower bound <= upper bound",
                   std::max(cb.lower_line, cb.upper_line));
    lb[static_cast<Eigen::Index>(j)] = cb.lb;
    ub[static_cast<Eigen::Index>(j)] = cb.ub;
  }

  double c0 = model_.c0;
  if (model_.maximize) {  // the equivalent minimization; the file's objective is -objective(x)
    H = -H;
    g = -g;
    c0 = -c0;
  }
  const auto to_vector = [](const std::vector<double>& v) {
    return Vector(Eigen::Map<const Vector>(v.data(), static_cast<Eigen::Index>(v.size())));
  };
  try {
    Problem p(std::move(H), std::move(g), std::move(A), to_vector(b), std::move(C), to_vector(l),
              to_vector(u), std::move(lb), std::move(ub));
    p.c0 = c0 == 0.0 ? 0.0 : c0;  // no "-0" from negating an absent constant
    p.name = model_.name;
    p.variable_names = std::move(model_.columns.names());
    p.row_names = std::move(row_names);
    p.rows = std::move(refs);
    p.converted_from_max = model_.maximize;
    p.validate();
    return p;
  } catch (const InvalidProblem& e) {
    source_.fail(std::string("invalid problem data: ") + e.what(), model_.end_line);
  }
}

}  // namespace

Problem assemble_qps(QpsModel& model, const QpsLineSource& source) {
  return QpsAssembly(model, source).assemble();
}

}  // namespace qplayer::detail
