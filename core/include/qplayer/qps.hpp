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

/// Reads a QPS file (gzip detected by its magic bytes and decompressed). OBJSENSE MAX is
/// turned into the equivalent minimization (H, g, c0 negated; Problem::converted_from_max).
/// Throws QpsError naming file, line and what was expected.
Problem read_qps(const std::string& path);

/// Writes `problem` as free-format QPS (QUADOBJ, lower triangle). read_qps(write_qps(p))
/// gives back p's data. Throws std::runtime_error if the file cannot be written.
void write_qps(const Problem& problem, const std::string& path);

}  // namespace qplayer
