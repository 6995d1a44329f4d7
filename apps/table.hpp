// Human-readable output of `qplayer solve`: one aligned row per file when several are given,
// a labelled report when there is one.
#pragma once

#include "qplayer/problem.hpp"
#include "qplayer/result.hpp"

#include <cstddef>
#include <ostream>
#include <string>

namespace qplayer::cli {

/// Rows are printed as each file finishes (a long run shows progress); the name column is
/// sized from all labels up front so the rows still line up.
class ResultTable {
 public:
  ResultTable(std::ostream& out, std::size_t name_width);

  void print_header();
  void print_row(const std::string& label, const Problem& problem, const Result& result);
  /// A file that could not be read or set up: its row says "error" (the reason is on stderr).
  void print_error_row(const std::string& label);

 private:
  std::ostream& out_;
  int name_width_;
};

/// The report for a single file: status, objective (file's sense), residuals, gap,
/// iterations, timings and linear-algebra counters.
void print_report(std::ostream& out, const std::string& path, const Problem& problem,
                  const Result& result);

}  // namespace qplayer::cli
