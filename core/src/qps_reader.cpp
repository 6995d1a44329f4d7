// read_qps: QPS (MPS with a quadratic objective) into a qplayer::Problem, free or fixed
// format, gzip read transparently; every malformed line is reported as "FILE:LINE: ...".
//
// Conventions of this reader (the doc of read_qps in qps.hpp should say the same):
//  - Objective: the first N row. Further N rows are free rows; their entries are ignored.
//  - RHS on the objective row is the NEGATED constant: c0 = -RHS.
//  - Rows, in file order: an E row is an equality (a row of A, b). L and G rows, and E rows
//    with a nonzero RANGES entry, are rows of C with l <= Cx <= u. RANGES R on a row with
//    right-hand side r: L -> [r - |R|, r]; G -> [r, r + |R|]; E -> [r, r + R] if R > 0,
//    [r + R, r] if R < 0; an E row with R = 0 stays an equality. An L or G row with R = 0
//    is a row of C with l == u (this lets the writer express any two-sided row).
//  - Bounds: default 0 <= x <= +inf. UP, LO, FX, FR, MI, PL; BV gives [0, 1] (integrality is
//    not kept). An UP bound with a NEGATIVE value on a column whose lower bound is never set
//    (no LO, MI, FX, FR or BV for it anywhere in BOUNDS) makes the lower bound -inf: the MPS
//    rule as CPLEX applies it. UP 0 leaves lb = 0 (the column is fixed at 0). No
//    Maros-Meszaros file has a negative UP bound; QRECIPE and QSIERRA have UP 0.
//  - Numbers are taken literally: no 1e20/1e30 threshold; "inf"/"infinity" are infinite.
//  - QUADOBJ, and QSECTION naming the objective row, list one triangle: an off-diagonal
//    entry (i, j) is stored as H(i, j) and H(j, i). QMATRIX lists the full matrix, which is
//    taken as it is and must be symmetric.
//  - Errors, not silent choices: the same (row, column) twice in COLUMNS, a row twice in RHS
//    or RANGES, a pair twice in QUADOBJ/QMATRIX, a side of a column's bounds set twice
//    (FX, FR and BV set both sides). Entries of a second RHS/RANGES/BOUNDS set are ignored
//    (MPS rule: only the first set name counts). Explicit zeros are dropped from H, A, C.
//  - Format: a data line is split on blanks (free MPS); a line that does not read that way is
//    read by the fixed-MPS columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61 (names with blanks),
//    and from then on fixed columns are tried first. The RHS/RANGES/BOUNDS set name may be
//    omitted in free format.
//  - Not supported (QpsError "... not supported"): integer markers, LI/UI/SC bounds, SOS,
//    QCMATRIX and other extension sections.
#include "qplayer/qps.hpp"
#include "qps_entries.hpp"
#include "qps_name_index.hpp"
#include "qps_tokenizer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace qplayer {
namespace {

using Entry = detail::QpsEntry;
using detail::LineFields;
using detail::LineKind;
using detail::NameIndex;

constexpr double kInf = std::numeric_limits<double>::infinity();

enum class Section {
  None,
  Name,
  ObjSense,
  Rows,
  Columns,
  Rhs,
  Ranges,
  Bounds,
  QuadObj,
  QMatrix,
  End
};

std::uint32_t bit(Section s) { return std::uint32_t{1} << static_cast<int>(s); }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

struct RowData {
  char type = 'N';
  double rhs = 0.0;
  double range = 0.0;
  int rhs_line = 0;  // 0: not given
  int range_line = 0;
};

struct ColumnBounds {
  double lb = 0.0;
  double ub = kInf;
  int lower_line = 0;  // 0: the side was not set by BOUNDS
  int upper_line = 0;
  bool negative_up = false;  // an UP < 0 that may turn the default lower bound into -inf
};

constexpr const char* kUnsupportedSections[] = {
    "SOS",    "QCMATRIX", "CSECTION", "INDICATORS", "LAZYCONS", "USERCUTS", "OBJNAME",
    "PWLOBJ", "BRANCH",   "GENERAL",  "INTEGER",    "BINARY",   "SEMICONT", "SETS"};

class QpsParser {
 public:
  explicit QpsParser(const std::string& path) : source_(path) {}
  Problem parse();

 private:
  bool header();  // false at ENDATA
  void data();
  void objective_sense(std::string_view word);
  bool read_fields(LineKind kind, bool fixed, LineFields& fields, std::string& error);
  template <class Resolve>
  void parse_line(LineKind kind, Resolve&& resolve);
  bool row_id(std::string_view name, int& id, std::string& error);
  bool column_id(std::string_view name, int& id, std::string& error);
  bool number(std::string_view text, double& value, std::string& error);
  bool in_active_set(std::string_view set);
  void rows_line();
  void columns_line();
  void rhs_line(bool ranges);
  void bounds_line();
  void quadratic_line();
  [[noreturn]] void duplicate(const char* what, int first_line);
  void check_duplicates(const std::vector<Entry>& entries, int rows, int columns, const char* what);
  void row_limits(int row, double& lo, double& hi, bool& equality);
  SparseMatrix quadratic_matrix(int n);
  Problem assemble();

  detail::QpsLineSource source_;
  std::string_view line_;
  std::vector<std::string_view> tokens_;
  bool prefer_fixed_ = false;
  Section section_ = Section::None;
  std::uint32_t seen_ = 0;
  std::optional<std::string> active_set_;
  std::string name_;
  bool maximize_ = false;
  bool full_matrix_ = false;  // QMATRIX: both triangles listed
  NameIndex rows_;
  std::vector<RowData> row_data_;
  int objective_ = -1;
  double c0_ = 0.0;
  NameIndex columns_;
  int current_column_ = -1;
  std::vector<Entry> entries_;    // COLUMNS
  std::vector<Entry> quadratic_;  // QUADOBJ / QMATRIX
  std::vector<ColumnBounds> bounds_;
  int end_line_ = 0;
};

Problem QpsParser::parse() {
  std::string_view line;
  bool ended = false;
  while (!ended && source_.next(line)) {
    if (line.empty() || line.front() == '*') continue;
    detail::split_tokens(line, tokens_);
    if (tokens_.empty()) continue;
    line_ = line;
    if (line.front() != ' ' && line.front() != '\t')
      ended = !header();
    else
      data();
  }
  if (!ended) source_.fail("unexpected end of file: expected ENDATA");
  end_line_ = source_.line_number();
  if (!(seen_ & bit(Section::Rows))) source_.fail("missing ROWS section before ENDATA");
  if (!(seen_ & bit(Section::Columns))) source_.fail("missing COLUMNS section before ENDATA");
  return assemble();
}

bool QpsParser::header() {
  const std::string_view keyword = tokens_.front();
  if (section_ == Section::ObjSense) source_.fail("expected MAX or MIN after OBJSENSE");
  for (const char* name : kUnsupportedSections)
    if (detail::equals_keyword(keyword, name))
      source_.fail("section " + quoted(keyword) + " is not supported");
  static constexpr std::pair<const char*, Section> kSections[] = {
      {"NAME", Section::Name},       {"OBJSENSE", Section::ObjSense},
      {"ROWS", Section::Rows},       {"COLUMNS", Section::Columns},
      {"RHS", Section::Rhs},         {"RANGES", Section::Ranges},
      {"BOUNDS", Section::Bounds},   {"QUADOBJ", Section::QuadObj},
      {"QMATRIX", Section::QMatrix}, {"QSECTION", Section::QuadObj},
      {"ENDATA", Section::End}};
  Section next = Section::None;
  for (const auto& s : kSections)
    if (detail::equals_keyword(keyword, s.first)) next = s.second;
  if (next == Section::None)
    source_.fail("unknown section " + quoted(keyword) +
                 ": expected NAME, OBJSENSE, ROWS, COLUMNS, RHS, RANGES, BOUNDS, QUADOBJ, "
                 "QMATRIX, QSECTION or ENDATA");
  if (next == Section::End) return false;

  // QUADOBJ, QMATRIX and QSECTION share one "seen" bit: one quadratic objective per file.
  const bool quadratic = next == Section::QuadObj || next == Section::QMatrix;
  const Section key = quadratic ? Section::QuadObj : next;
  if (seen_ & bit(key))
    source_.fail(quadratic ? "the quadratic objective is given twice (QUADOBJ/QMATRIX/QSECTION)"
                           : "section " + quoted(keyword) + " appears twice");
  seen_ |= bit(key);
  if (next == Section::Columns && !(seen_ & bit(Section::Rows)))
    source_.fail("COLUMNS before ROWS: expected the ROWS section first");
  const bool needs_columns =
      next == Section::Rhs || next == Section::Ranges || next == Section::Bounds || quadratic;
  if (needs_columns && !(seen_ & bit(Section::Columns)))
    source_.fail("section " + quoted(keyword) + " before COLUMNS: expected COLUMNS first");

  section_ = next;
  active_set_.reset();
  if (next == Section::QMatrix) full_matrix_ = true;
  const std::size_t extra = tokens_.size() - 1;
  if (next == Section::Name) {
    // The rest of the line, inner blanks included (fixed-format names may hold blanks).
    const std::string_view rest = line_.substr(keyword.size());
    const auto first = rest.find_first_not_of(" \t");
    if (first != std::string_view::npos)
      name_ = std::string(rest.substr(first, rest.find_last_not_of(" \t") - first + 1));
  } else if (next == Section::ObjSense) {
    if (extra > 1) source_.fail("expected 'OBJSENSE' optionally followed by MAX or MIN");
    if (extra == 1) {
      objective_sense(tokens_[1]);
      section_ = Section::None;  // one-line form: no data line follows
    }
  } else if (detail::equals_keyword(keyword, "QSECTION")) {
    if (extra != 1) source_.fail("expected 'QSECTION' followed by the objective row name");
    const int row = rows_.find(tokens_[1]);
    if (row < 0) source_.fail("unknown row " + quoted(tokens_[1]) + " after QSECTION");
    if (row != objective_)
      source_.fail("QSECTION for constraint row " + quoted(tokens_[1]) +
                   " (a quadratic constraint) is not supported");
  } else if (extra != 0) {
    source_.fail("expected nothing after " + quoted(keyword));
  }
  return true;
}

void QpsParser::objective_sense(std::string_view word) {
  if (detail::equals_keyword(word, "MAX") || detail::equals_keyword(word, "MAXIMIZE"))
    maximize_ = true;
  else if (detail::equals_keyword(word, "MIN") || detail::equals_keyword(word, "MINIMIZE"))
    maximize_ = false;
  else
    source_.fail("unknown objective sense " + quoted(word) + ": expected MAX or MIN");
}

void QpsParser::data() {
  for (std::string_view t : tokens_)
    if (t == "'MARKER'")
      source_.fail("integer variables ('MARKER' lines in COLUMNS) are not supported");
  switch (section_) {
    case Section::ObjSense:
      if (tokens_.size() != 1) source_.fail("expected MAX or MIN after OBJSENSE");
      objective_sense(tokens_[0]);
      section_ = Section::None;
      return;
    case Section::Rows: return rows_line();
    case Section::Columns: return columns_line();
    case Section::Rhs: return rhs_line(false);
    case Section::Ranges: return rhs_line(true);
    case Section::Bounds: return bounds_line();
    case Section::QuadObj:
    case Section::QMatrix: return quadratic_line();
    default:
      source_.fail(section_ == Section::Name
                       ? "unexpected data line after NAME: expected a section header"
                       : "data line outside a section: expected a section header such as ROWS");
  }
}

bool QpsParser::read_fields(LineKind kind, bool fixed, LineFields& fields, std::string& error) {
  if (fixed) return detail::fixed_layout(kind, detail::split_fixed(line_), fields, error);
  return detail::free_layout(
      kind, tokens_, [this](std::string_view name) { return columns_.find(name) >= 0; }, fields,
      error);
}

// Reads the line in the preferred format and, if its fields do not fit or do not resolve
// (unknown names, bad numbers), in the other one. The first format's error is reported.
// `resolve(fields, error)` checks the fields and stores what it needs; it may throw for
// errors that do not depend on the format.
template <class Resolve>
void QpsParser::parse_line(LineKind kind, Resolve&& resolve) {
  LineFields fields;
  std::string error, ignored;
  if (read_fields(kind, prefer_fixed_, fields, error) && resolve(fields, error)) return;
  if (read_fields(kind, !prefer_fixed_, fields, ignored) && resolve(fields, ignored)) {
    // Only a fixed-format file has lines that need the fixed columns; one that reads only as
    // free (an overlong field) does not make the file free format.
    prefer_fixed_ = true;
    return;
  }
  source_.fail(error);
}

bool QpsParser::row_id(std::string_view name, int& id, std::string& error) {
  id = rows_.find(name);
  if (id < 0) error = "unknown row " + quoted(name) + ": expected a row declared in ROWS";
  return id >= 0;
}

bool QpsParser::column_id(std::string_view name, int& id, std::string& error) {
  id = columns_.find(name);
  if (id < 0) error = "unknown column " + quoted(name) + ": expected a column declared in COLUMNS";
  return id >= 0;
}

bool QpsParser::number(std::string_view text, double& value, std::string& error) {
  if (detail::parse_number(text, value)) return true;
  error =
      text.empty() ? "missing value: expected a number" : "expected a number, got " + quoted(text);
  return false;
}

// MPS rule: only the first set name of RHS, RANGES or BOUNDS is read.
bool QpsParser::in_active_set(std::string_view set) {
  if (!active_set_) active_set_ = std::string(set);
  return *active_set_ == set;
}

void QpsParser::duplicate(const char* what, int first_line) {
  source_.fail(std::string("duplicate ") + what + " (first given at line " +
               std::to_string(first_line) + ")");
}

void QpsParser::rows_line() {
  char type = 0;
  std::string_view name;
  parse_line(LineKind::Rows, [&](const LineFields& f, std::string& error) {
    type = f.type.size() == 1 ? static_cast<char>(f.type[0] & ~0x20) : 0;  // upper case
    if (type != 'N' && type != 'E' && type != 'L' && type != 'G') {
      error = "unknown row type " + quoted(f.type) + ": expected N, E, L or G";
      return false;
    }
    if (f.name[0].empty() || rows_.find(f.name[0]) >= 0) {
      error = f.name[0].empty() ? "expected a row name" : "duplicate row name " + quoted(f.name[0]);
      return false;
    }
    name = f.name[0];
    return true;
  });
  const int id = rows_.add(name);  // absent: checked above
  row_data_.push_back(RowData{});
  row_data_.back().type = type;
  if (type == 'N' && objective_ < 0) objective_ = id;
}

void QpsParser::columns_line() {
  std::string_view column;
  int rows[2];
  double values[2];
  int count = 0;
  parse_line(LineKind::Columns, [&](const LineFields& f, std::string& error) {
    if (f.owner.empty()) {
      error = "expected a column name";
      return false;
    }
    for (int k = 0; k < f.count; ++k)
      if (!row_id(f.name[k], rows[k], error) || !number(f.value[k], values[k], error)) return false;
    column = f.owner;
    count = f.count;
    return true;
  });
  // Entries of a column normally come together; the last column is checked first.
  if (current_column_ < 0 || columns_.name(current_column_) != column) {
    current_column_ = columns_.find(column);
    if (current_column_ < 0) current_column_ = columns_.add(column);
  }
  for (int k = 0; k < count; ++k)
    entries_.push_back(Entry{rows[k], current_column_, values[k], source_.line_number()});
}

void QpsParser::rhs_line(bool ranges) {
  std::string_view set;
  int rows[2];
  double values[2];
  int count = 0;
  parse_line(LineKind::RhsOrRanges, [&](const LineFields& f, std::string& error) {
    for (int k = 0; k < f.count; ++k)
      if (!row_id(f.name[k], rows[k], error) || !number(f.value[k], values[k], error)) return false;
    set = f.owner;
    count = f.count;
    return true;
  });
  if (!in_active_set(set)) return;
  const int line = source_.line_number();
  for (int k = 0; k < count; ++k) {
    RowData& row = row_data_[static_cast<std::size_t>(rows[k])];
    if (row.type == 'N' && (ranges || rows[k] != objective_)) continue;  // free rows
    int& seen = ranges ? row.range_line : row.rhs_line;
    if (seen != 0) duplicate(ranges ? "RANGES entry for this row" : "RHS entry for this row", seen);
    seen = line;
    (ranges ? row.range : row.rhs) = values[k];
    if (rows[k] == objective_) {
      if (!std::isfinite(values[k])) source_.fail("expected a finite objective constant");
      c0_ = -values[k];
    }
  }
}

void QpsParser::bounds_line() {
  std::string_view type, set;
  int column = -1;
  double value = 0.0;
  parse_line(LineKind::Bounds, [&](const LineFields& f, std::string& error) {
    static constexpr const char* kInteger[] = {"LI", "UI", "SC"};
    for (const char* k : kInteger)
      if (detail::equals_keyword(f.type, k))
        source_.fail("bound type " + quoted(f.type) +
                     " (integer or semi-continuous) is not supported");
    static constexpr const char* kKnown[] = {"UP", "LO", "FX", "FR", "MI", "PL", "BV"};
    bool known = false;
    for (const char* k : kKnown) known = known || detail::equals_keyword(f.type, k);
    if (!known) {
      error = "unknown bound type " + quoted(f.type) + ": expected UP, LO, FX, FR, MI, PL or BV";
      return false;
    }
    if (!column_id(f.name[0], column, error)) return false;
    if (detail::bound_type_has_value(f.type) && !number(f.value[0], value, error)) return false;
    type = f.type;
    set = f.owner;
    return true;
  });
  if (!in_active_set(set)) return;
  if (bounds_.empty()) bounds_.resize(static_cast<std::size_t>(columns_.size()));
  ColumnBounds& b = bounds_[static_cast<std::size_t>(column)];
  const int line = source_.line_number();
  const char t0 = static_cast<char>(type[0] & ~0x20), t1 = static_cast<char>(type[1] & ~0x20);
  const bool sets_lower = t0 != 'U' && t0 != 'P';  // all but UP and PL
  const bool sets_upper = t0 != 'L' && t0 != 'M';  // all but LO and MI
  if (sets_lower && b.lower_line != 0) duplicate("lower bound for this column", b.lower_line);
  if (sets_upper && b.upper_line != 0) duplicate("upper bound for this column", b.upper_line);
  if (sets_lower) b.lower_line = line;
  if (sets_upper) b.upper_line = line;
  switch (t0) {
    case 'U':
      b.ub = value;
      b.negative_up = value < 0;
      break;
    case 'L': b.lb = value; break;
    case 'F':
      if (t1 == 'X')
        b.lb = b.ub = value;
      else
        b.lb = -kInf, b.ub = kInf;
      break;
    case 'M': b.lb = -kInf; break;
    case 'P': b.ub = kInf; break;
    default: b.lb = 0.0, b.ub = 1.0;  // BV
  }
  if (b.lb == kInf || b.ub == -kInf)
    source_.fail(
        "infinite bound on the wrong side: expected a lower bound below +inf and an "
        "upper bound above -inf");
}

void QpsParser::quadratic_line() {
  int columns[2];
  double value = 0.0;
  parse_line(LineKind::Quadratic, [&](const LineFields& f, std::string& error) {
    return column_id(f.owner, columns[0], error) && column_id(f.name[0], columns[1], error) &&
           number(f.value[0], value, error);
  });
  if (!std::isfinite(value)) source_.fail("expected a finite quadratic coefficient");
  // QUADOBJ's triangle is stored as the lower one, so that (i, j) and (j, i) collide.
  int row = columns[1], col = columns[0];
  if (section_ == Section::QuadObj && row < col) std::swap(row, col);
  quadratic_.push_back(Entry{row, col, value, source_.line_number()});
}

// A repeated (row, column) is an error rather than a sum or an overwrite: either would be a
// silent guess about what the file meant.
void QpsParser::check_duplicates(const std::vector<Entry>& entries, int rows, int columns,
                                 const char* what) {
  const auto [later, earlier] = detail::find_repeated_entry(entries, rows, columns);
  if (later >= 0)
    source_.fail(std::string("duplicate ") + what + " (first given at line " +
                     std::to_string(entries[static_cast<std::size_t>(earlier)].line) + ")",
                 entries[static_cast<std::size_t>(later)].line);
}

// Limits of a constraint row and whether it is an equality (a row of A).
void QpsParser::row_limits(int row, double& lo, double& hi, bool& equality) {
  const RowData& r = row_data_[static_cast<std::size_t>(row)];
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
    source_.fail("row " + quoted(rows_.name(row)) +
                     ": RHS and RANGES give no valid interval (expected finite limits, or "
                     "+inf only as upper and -inf only as lower limit)",
                 std::max(r.rhs_line, r.range_line));
}

SparseMatrix QpsParser::quadratic_matrix(int n) {
  check_duplicates(quadratic_, n, n, "entry in the quadratic objective");
  std::vector<Eigen::Triplet<double, int>> triplets;
  triplets.reserve(2 * quadratic_.size());
  const bool one_triangle = !full_matrix_;
  for (const Entry& e : quadratic_) {
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
  for (const Entry& e : quadratic_) scale = std::max(scale, std::abs(e.value));
  for (const Entry& e : quadratic_)
    if (std::abs(e.value - H.coeff(e.col, e.row)) > 1e-12 * scale)
      source_.fail("QMATRIX is not symmetric: expected the entry (" + columns_.name(e.col) + ", " +
                       columns_.name(e.row) + ") with the same value",
                   e.line);
  return H;
}

Problem QpsParser::assemble() {
  const int n = columns_.size();
  const int m_all = rows_.size();
  check_duplicates(entries_, m_all, n, "entry for this column and row in COLUMNS");

  // Constraint rows in file order; N rows map to -1.
  std::vector<int> target(static_cast<std::size_t>(m_all), -1);
  std::vector<char> in_a(static_cast<std::size_t>(m_all), 0);
  std::vector<RowRef> refs;
  std::vector<std::string> row_names;
  std::vector<double> b, l, u;
  for (int r = 0; r < m_all; ++r) {
    if (row_data_[static_cast<std::size_t>(r)].type == 'N') continue;
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
    row_names.push_back(rows_.name(r));
  }

  Vector g = Vector::Zero(n);
  std::vector<Eigen::Triplet<double, int>> a_triplets, c_triplets;
  for (const Entry& e : entries_) {
    if (!std::isfinite(e.value)) source_.fail("expected a finite coefficient in COLUMNS", e.line);
    if (e.row == objective_) g[e.col] = e.value;
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
  for (std::size_t j = 0; j < bounds_.size(); ++j) {
    ColumnBounds& cb = bounds_[j];
    if (cb.negative_up && cb.lower_line == 0) cb.lb = -kInf;  // the MPS rule, see above
    if (cb.lb > cb.ub)
      source_.fail("bounds of column " + quoted(columns_.name(static_cast<int>(j))) +
                       " are inconsistent: expected lower bound <= upper bound",
                   std::max(cb.lower_line, cb.upper_line));
    lb[static_cast<Eigen::Index>(j)] = cb.lb;
    ub[static_cast<Eigen::Index>(j)] = cb.ub;
  }

  double c0 = c0_;
  if (maximize_) {  // the equivalent minimization; the file's objective is -objective(x)
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
    p.name = name_;
    p.variable_names = std::move(columns_.names());
    p.row_names = std::move(row_names);
    p.rows = std::move(refs);
    p.converted_from_max = maximize_;
    p.validate();
    return p;
  } catch (const InvalidProblem& e) {
    source_.fail(std::string("invalid problem data: ") + e.what(), end_line_);
  }
}

}  // namespace

Problem read_qps(const std::string& path) { return QpsParser(path).parse(); }

}  // namespace qplayer
