// read_qps: QPS (MPS with a quadratic objective) into a qplayer::Problem, free or fixed
// format, gzip read transparently; every malformed line is reported as "FILE:LINE: ...".
//
// This file parses the lines into a detail::QpsModel; qps_assembly.cpp makes the Problem.
// The conventions (what each section means, what is an error) are in qps_model.hpp.
#include "qplayer/qps.hpp"
#include "qps_model.hpp"
#include "qps_tokenizer.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace qplayer {
namespace {

using detail::kInf;
using detail::LineFields;
using detail::LineKind;
using detail::quoted;

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

  detail::QpsLineSource source_;
  std::string_view line_;
  std::vector<std::string_view> tokens_;
  bool prefer_fixed_ = false;
  Section section_ = Section::None;
  std::uint32_t seen_ = 0;
  std::optional<std::string> active_set_;
  detail::QpsModel model_;
  int current_column_ = -1;
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
  model_.end_line = source_.line_number();
  if (!(seen_ & bit(Section::Rows))) source_.fail("missing ROWS section before ENDATA");
  if (!(seen_ & bit(Section::Columns))) source_.fail("missing COLUMNS section before ENDATA");
  return detail::assemble_qps(model_, source_);
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
  if (next == Section::QMatrix) model_.full_matrix = true;
  const std::size_t extra = tokens_.size() - 1;
  if (next == Section::Name) {
    // The rest of the line, inner blanks included (fixed-format names may hold blanks).
    const std::string_view rest = line_.substr(keyword.size());
    const auto first = rest.find_first_not_of(" \t");
    if (first != std::string_view::npos)
      model_.name = std::string(rest.substr(first, rest.find_last_not_of(" \t") - first + 1));
  } else if (next == Section::ObjSense) {
    if (extra > 1) source_.fail("expected 'OBJSENSE' optionally followed by MAX or MIN");
    if (extra == 1) {
      objective_sense(tokens_[1]);
      section_ = Section::None;  // one-line form: no data line follows
    }
  } else if (detail::equals_keyword(keyword, "QSECTION")) {
    if (extra != 1) source_.fail("expected 'QSECTION' followed by the objective row name");
    const int row = model_.rows.find(tokens_[1]);
    if (row < 0) source_.fail("unknown row " + quoted(tokens_[1]) + " after QSECTION");
    if (row != model_.objective)
      source_.fail("QSECTION for constraint row " + quoted(tokens_[1]) +
                   " (a quadratic constraint) is not supported");
  } else if (extra != 0) {
    source_.fail("expected nothing after " + quoted(keyword));
  }
  return true;
}

void QpsParser::objective_sense(std::string_view word) {
  if (detail::equals_keyword(word, "MAX") || detail::equals_keyword(word, "MAXIMIZE"))
    model_.maximize = true;
  else if (detail::equals_keyword(word, "MIN") || detail::equals_keyword(word, "MINIMIZE"))
    model_.maximize = false;
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
      kind, tokens_, [this](std::string_view name) { return model_.columns.find(name) >= 0; },
      fields, error);
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
  id = model_.rows.find(name);
  if (id < 0) error = "unknown row " + quoted(name) + ": expected a row declared in ROWS";
  return id >= 0;
}

bool QpsParser::column_id(std::string_view name, int& id, std::string& error) {
  id = model_.columns.find(name);
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
    if (f.name[0].empty() || model_.rows.find(f.name[0]) >= 0) {
      error = f.name[0].empty() ? "expected a row name" : "duplicate row name " + quoted(f.name[0]);
      return false;
    }
    name = f.name[0];
    return true;
  });
  const int id = model_.rows.add(name);  // absent: checked above
  model_.row_data.push_back(detail::QpsRow{});
  model_.row_data.back().type = type;
  if (type == 'N' && model_.objective < 0) model_.objective = id;
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
  if (current_column_ < 0 || model_.columns.name(current_column_) != column) {
    current_column_ = model_.columns.find(column);
    if (current_column_ < 0) current_column_ = model_.columns.add(column);
  }
  for (int k = 0; k < count; ++k)
    model_.entries.push_back(
        detail::QpsEntry{rows[k], current_column_, values[k], source_.line_number()});
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
    detail::QpsRow& row = model_.row_data[static_cast<std::size_t>(rows[k])];
    if (row.type == 'N' && (ranges || rows[k] != model_.objective)) continue;  // free rows
    int& seen = ranges ? row.range_line : row.rhs_line;
    if (seen != 0) duplicate(ranges ? "RANGES entry for this row" : "RHS entry for this row", seen);
    seen = line;
    (ranges ? row.range : row.rhs) = values[k];
    if (rows[k] == model_.objective) {
      if (!std::isfinite(values[k])) source_.fail("expected a finite objective constant");
      model_.c0 = -values[k];
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
  if (model_.bounds.empty()) model_.bounds.resize(static_cast<std::size_t>(model_.columns.size()));
  detail::QpsColumnBounds& b = model_.bounds[static_cast<std::size_t>(column)];
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
  model_.quadratic.push_back(detail::QpsEntry{row, col, value, source_.line_number()});
}

}  // namespace

Problem read_qps(const std::string& path) { return QpsParser(path).parse(); }

}  // namespace qplayer
