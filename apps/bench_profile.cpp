// The profile: rho_r(tau) = |{p : t_rp <= tau * min_s t_sp}| / |P|. A run that solves a
// problem nobody else solves gets ratio 1 on it; a problem no run solves counts for nobody.
#include "bench_profile.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace qplayer::cli {
namespace {

// Plot geometry in SVG user units: the plot area and the margins for ticks, labels, legend.
constexpr double kWidth = 720, kHeight = 440;
constexpr double kLeft = 70, kRight = 190, kTop = 40, kBottom = 60;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;
// Distinguishable colours (Okabe-Ito, colour-blind safe); cycled beyond eight runs.
const char* const kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

// Tick positions on [1, tau_max]: 1, 2, 5, 10, 20, 50, ... (only decades past 3 decades).
std::vector<double> log_ticks(double tau_max) {
  std::vector<double> ticks;
  const bool dense = tau_max < 1000.0;
  for (double decade = 1.0; decade <= tau_max * 1.0000001; decade *= 10.0)
    for (double step : {1.0, 2.0, 5.0})
      if ((step == 1.0 || dense) && decade * step <= tau_max * 1.0000001)
        ticks.push_back(decade * step);
  return ticks;
}

}  // namespace

PerformanceProfile::PerformanceProfile(std::vector<std::string> labels,
                                       const std::vector<std::vector<double>>& times)
    : labels_(std::move(labels)), ratios_(times.size()) {
  problems_ = times.empty() ? 0 : times.front().size();
  double largest = 1.0;
  for (std::size_t p = 0; p < problems_; ++p) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& run : times) best = std::min(best, run[p]);
    if (!std::isfinite(best)) continue;
    // Floor the times at a microsecond: a 0 s timing would make every ratio infinite.
    best = std::max(best, 1e-6);
    for (std::size_t r = 0; r < times.size(); ++r) {
      if (!std::isfinite(times[r][p])) continue;
      const double ratio = std::max(times[r][p], 1e-6) / best;
      ratios_[r].push_back(ratio);
      largest = std::max(largest, ratio);
    }
  }
  for (auto& run : ratios_) std::sort(run.begin(), run.end());
  tau_max_ = std::max(largest, 2.0);
}

double PerformanceProfile::fraction(std::size_t run, double tau) const {
  if (problems_ == 0) return 0.0;
  const auto& r = ratios_.at(run);
  const auto within = std::upper_bound(r.begin(), r.end(), tau) - r.begin();
  return static_cast<double>(within) / static_cast<double>(problems_);
}

void PerformanceProfile::write_svg(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
  const double log_max = std::log(tau_max_);
  const auto x_of = [&](double tau) { return kLeft + std::log(tau) / log_max * kPlotW; };
  const auto y_of = [&](double rho) { return kTop + (1.0 - rho) * kPlotH; };

  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << kWidth << ' ' << kHeight
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << num(kLeft + kPlotW / 2) << "\" y=\"22\" text-anchor=\"middle\" "
      << "font-size=\"14\">Performance profile (" << problems_ << " problems)</text>\n";

  // Grid, ticks and tick labels.
  for (double tau : log_ticks(tau_max_)) {
    const std::string x = num(x_of(tau));
    out << "<line x1=\"" << x << "\" y1=\"" << num(kTop) << "\" x2=\"" << x << "\" y2=\""
        << num(kTop + kPlotH) << "\" stroke=\"#dddddd\"/>\n"
        << "<text x=\"" << x << "\" y=\"" << num(kTop + kPlotH + 16) << "\" text-anchor=\"middle\">"
        << tau << "</text>\n";
  }
  // The right end is labelled with its value when no tick is near it (a short axis).
  const auto ticks = log_ticks(tau_max_);
  if (x_of(tau_max_) - x_of(ticks.back()) > 40.0) {
    char end[32];
    std::snprintf(end, sizeof end, "%.3g", tau_max_);
    out << "<text x=\"" << num(x_of(tau_max_)) << "\" y=\"" << num(kTop + kPlotH + 16)
        << "\" text-anchor=\"middle\">" << end << "</text>\n";
  }
  for (int i = 0; i <= 5; ++i) {
    const double rho = i / 5.0;
    const std::string y = num(y_of(rho));
    out << "<line x1=\"" << num(kLeft) << "\" y1=\"" << y << "\" x2=\"" << num(kLeft + kPlotW)
        << "\" y2=\"" << y << "\" stroke=\"#dddddd\"/>\n"
        << "<text x=\"" << num(kLeft - 6) << "\" y=\"" << num(y_of(rho) + 4)
        << "\" text-anchor=\"end\">" << num(rho).substr(0, 3) << "</text>\n";
  }
  out << "<rect x=\"" << num(kLeft) << "\" y=\"" << num(kTop) << "\" width=\"" << num(kPlotW)
      << "\" height=\"" << num(kPlotH) << "\" fill=\"none\" stroke=\"black\"/>\n";
  out << "<text x=\"" << num(kLeft + kPlotW / 2) << "\" y=\"" << num(kHeight - 14)
      << "\" text-anchor=\"middle\">\u03c4 (runtime / best runtime of all runs, log scale)"
      << "</text>\n";
  out << "<text transform=\"translate(18 " << num(kTop + kPlotH / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">fraction of problems solved within \u03c4"
      << "</text>\n";

  // One step curve per run: flat between ratios, a jump at each.
  for (std::size_t r = 0; r < ratios_.size(); ++r) {
    const char* colour = kColours[r % (sizeof kColours / sizeof *kColours)];
    std::string points = num(x_of(1.0)) + "," + num(y_of(fraction(r, 1.0)));
    for (double ratio : ratios_[r]) {
      if (ratio <= 1.0) continue;
      const double x = x_of(ratio);
      points += " " + num(x) + "," + num(y_of(fraction(r, std::nextafter(ratio, 0.0))));
      points += " " + num(x) + "," + num(y_of(fraction(r, ratio)));
    }
    points += " " + num(x_of(tau_max_)) + "," + num(y_of(fraction(r, tau_max_)));
    out << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\""
        << points << "\"/>\n";
    const double legend_y = kTop + 10 + 20.0 * static_cast<double>(r);
    out << "<line x1=\"" << num(kLeft + kPlotW + 12) << "\" y1=\"" << num(legend_y) << "\" x2=\""
        << num(kLeft + kPlotW + 36) << "\" y2=\"" << num(legend_y) << "\" stroke=\"" << colour
        << "\" stroke-width=\"2\"/>\n"
        << "<text x=\"" << num(kLeft + kPlotW + 42) << "\" y=\"" << num(legend_y + 4) << "\">"
        << xml_escaped(labels_[r]) << "</text>\n";
  }
  out << "</svg>\n";
  out.close();
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace qplayer::cli
