// Performance profile (Dolan & Moré) of several benchmark runs, drawn as a hand-written SVG
// so the tool needs no plotting library.
#pragma once

#include <string>
#include <vector>

namespace qplayer::cli {

class PerformanceProfile {
 public:
  /// `times[r][p]`: runtime of run r on problem p, +infinity when run r did not solve it
  /// (every inner vector has one entry per problem, in the same order).
  PerformanceProfile(std::vector<std::string> labels,
                     const std::vector<std::vector<double>>& times);

  /// Largest finite ratio time / best time (at least 2, so the axis never collapses).
  double tau_max() const { return tau_max_; }
  /// Fraction of all problems run r solved within tau times the best time of any run.
  double fraction(std::size_t run, double tau) const;

  /// Writes the plot: one step curve per run, tau on a log axis from 1 to tau_max(), a legend
  /// and labelled axes. Throws std::runtime_error naming the path if it cannot be written.
  void write_svg(const std::string& path) const;

 private:
  std::vector<std::string> labels_;
  std::vector<std::vector<double>> ratios_;  ///< per run, finite ratios sorted ascending
  std::size_t problems_ = 0;
  double tau_max_ = 2.0;
};

}  // namespace qplayer::cli
