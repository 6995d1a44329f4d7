// What the QPS reader collects from a file before it becomes a Problem: the rows with their
// right-hand sides and ranges, the columns with their bounds, and the matrix entries, each
// with the file line it came from (for messages). qps_reader.cpp fills a QpsModel line by
// line; qps_assembly.cpp turns it into a validated Problem.
//
// Conventions of this reader (the doc of read_qps in qps.hpp says the same):
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
#pragma once

#include "qplayer/problem.hpp"
#include "qps_entries.hpp"
#include "qps_name_index.hpp"
#include "qps_tokenizer.hpp"

#include <limits>
#include <string>
#include <vector>

namespace qplayer::detail {

/// An absent bound of the QPS conventions.
constexpr double kInf = std::numeric_limits<double>::infinity();

/// A row as declared in ROWS, with what RHS and RANGES gave it.
struct QpsRow {
  char type = 'N';
  double rhs = 0.0;
  double range = 0.0;
  int rhs_line = 0;  // 0: not given
  int range_line = 0;
};

/// A column's bounds as BOUNDS left them (default 0 <= x <= +inf).
struct QpsColumnBounds {
  double lb = 0.0;
  double ub = std::numeric_limits<double>::infinity();
  int lower_line = 0;  // 0: the side was not set by BOUNDS
  int upper_line = 0;
  bool negative_up = false;  // an UP < 0 that may turn the default lower bound into -inf
};

/// Everything read from one file, in file order.
struct QpsModel {
  std::string name;
  bool maximize = false;
  bool full_matrix = false;  // QMATRIX: both triangles listed
  NameIndex rows;
  std::vector<QpsRow> row_data;
  int objective = -1;  // the first N row
  double c0 = 0.0;
  NameIndex columns;
  std::vector<QpsEntry> entries;        // COLUMNS
  std::vector<QpsEntry> quadratic;      // QUADOBJ / QMATRIX / QSECTION
  std::vector<QpsColumnBounds> bounds;  // empty when the file has no BOUNDS data
  int end_line = 0;                     // the ENDATA line
};

/// The Problem `model` describes, validated; every error is reported through
/// `source.fail(message, line)` with the line of the entry at fault. Moves the names out of
/// `model`.
Problem assemble_qps(QpsModel& model, const QpsLineSource& source);

}  // namespace qplayer::detail
