// Progress of a `qplayer bench` run: a live line on a terminal, one plain line per finished
// problem otherwise (a log file or a CI console would only collect carriage returns).
#pragma once

#include "bench_results.hpp"

#include <chrono>
#include <ostream>
#include <string>

namespace qplayer::cli {

class ProgressLine {
 public:
  /// `live`: refresh one line in place (isatty(stdout)); `total`: problems to run now;
  /// `name_width`: the longest problem name, so plain lines stay aligned.
  ProgressLine(std::ostream& out, bool live, int total, int name_width);

  /// Problem `index` (1-based) named `name` starts.
  void start(int index, const std::string& name);
  /// Called about once a second while a problem runs: refreshes the elapsed time.
  void tick();
  /// The current problem finished with `row`.
  void finish(const BenchRow& row);
  /// Ends the live line (so the next output starts on a fresh line).
  void close();

 private:
  using Clock = std::chrono::steady_clock;
  void draw();
  double elapsed_s() const;

  std::ostream& out_;
  bool live_;
  int total_;
  int name_width_;
  int index_ = 0;
  int finished_ = 0;
  int solved_ = 0;
  std::string name_;
  Clock::time_point start_;
  std::size_t last_width_ = 0;
};

/// "12s", "3m05s", "1h02m": short enough for a progress line.
std::string format_duration(double seconds);

}  // namespace qplayer::cli
