// QPS / MPS file input and output (free and fixed format, gzip read transparently).
#pragma once

#include "qplayer/problem.hpp"

#include <stdexcept>
#include <string>

namespace qplayer {

/// Thrown for malformed or unsupported files; what() reads "FILE:LINE: message".
class QpsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Conventions of the reader:
///  - Objective: the first N row. Further N rows are free rows; their entries are ignored.
///  - RHS on the objective row is the NEGATED constant: c0 = -RHS.
///  - Rows, in file order: an E row is an equality (a row of A, b). L and G rows, and E rows
///    with a nonzero RANGES entry, are rows of C with l <= Cx <= u. RANGES R on a row with
///    right-hand side r: L -> [r - |R|, r]; G -> [r, r + |R|]; E -> [r, r + R] if R > 0,
///    [r + R, r] if R < 0; an E row with R = 0 stays an equality. An L or G row with R = 0
///    is a row of C with l == u (this lets the writer express any two-sided row).
///  - Bounds: default 0 <= x <= +inf. UP, LO, FX, FR, MI, PL; BV gives [0, 1] (integrality is
///    not kept). An UP bound with a NEGATIVE value on a column whose lower bound is never set
///    (no LO, MI, FX, FR or BV for it anywhere in BOUNDS) makes the lower bound -inf: the MPS
///    rule as CPLEX applies it. UP 0 leaves lb = 0 (the column is fixed at 0). No
///    Maros-Meszaros file has a negative UP bound; QRECIPE and QSIERRA have UP 0.
///  - Numbers are taken literally: no 1e20/1e30 threshold; "inf"/"infinity" are infinite.
///  - QUADOBJ, and QSECTION naming the objective row, list one triangle: an off-diagonal
///    entry (i, j) is stored as H(i, j) and H(j, i). QMATRIX lists the full matrix, which is
///    taken as it is and must be symmetric.
///  - Errors, not silent choices: the same (row, column) twice in COLUMNS, a row twice in RHS
///    or RANGES, a pair twice in QUADOBJ/QMATRIX, a side of a column's bounds set twice
///    (FX, FR and BV set both sides). Entries of a second RHS/RANGES/BOUNDS set are ignored
///    (MPS rule: only the first set name counts). Explicit zeros are dropped from H, A, C.
///  - Format: a data line is split on blanks (free MPS); a line that does not read that way is
///    read by the fixed-MPS columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61 (names with blanks),
///    and from then on fixed columns are tried first. The RHS/RANGES/BOUNDS set name may be
///    omitted in free format.
///  - Not supported (QpsError "... not supported"): integer markers, LI/UI/SC bounds, SOS,
///    QCMATRIX and other extension sections.
/// Reads a QPS file (gzip detected by its magic bytes and decompressed). OBJSENSE MAX is
/// turned into the equivalent minimization (H, g, c0 negated; Problem::converted_from_max).
/// Throws QpsError naming file, line and what was expected.
Problem read_qps(const std::string& path);

/// Writes `problem` as free-format QPS (QUADOBJ, lower triangle). read_qps(write_qps(p))
/// gives back p's data. Throws std::runtime_error if the file cannot be written.
void write_qps(const Problem& problem, const std::string& path);

}  // namespace qplayer
