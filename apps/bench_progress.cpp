// The live line is rewritten with '\r' and padded with blanks over the previous one (rather
// than an ANSI erase code, which some consoles print literally).
#include "bench_progress.hpp"

#include <cmath>
#include <cstdio>

namespace qplayer::cli {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buffer[32];
  if (s < 60)
    std::snprintf(buffer, sizeof buffer, "%lds", s);
  else if (s < 3600)
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return buffer;
}

ProgressLine::ProgressLine(std::ostream& out, bool live, int total, int name_width)
    : out_(out), live_(live), total_(total), name_width_(name_width), start_(Clock::now()) {}

double ProgressLine::elapsed_s() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void ProgressLine::start(int index, const std::string& name) {
  index_ = index;
  name_ = name;
  if (live_) draw();
}

void ProgressLine::tick() {
  if (live_) draw();
}

void ProgressLine::finish(const BenchRow& row) {
  ++finished_;
  solved_ += row.found() && row.verified;
  if (live_) {
    draw();
    return;
  }
  char line[512];
  std::snprintf(line, sizeof line, "[%d/%d] %-*s %-20s %10.3g s  %s", index_, total_, name_width_,
                row.name.c_str(), row.status.c_str(), row.runtime(),
                row.found() && row.verified ? "verified" : "not verified");
  out_ << line << std::endl;
}

void ProgressLine::draw() {
  // ETA from the mean time of the problems finished so far: crude (sizes vary a lot) but
  // honest about being an estimate, and it needs no model of the problems.
  const double elapsed = elapsed_s();
  const double eta = finished_ > 0 ? elapsed / finished_ * (total_ - finished_) : NAN;
  char line[512];
  std::snprintf(line, sizeof line, "[%d/%d] %s  elapsed %s  ETA %s  solved %d of %d", index_,
                total_, name_.c_str(), format_duration(elapsed).c_str(),
                format_duration(eta).c_str(), solved_, finished_);
  std::string text = line;
  const std::size_t width = text.size();
  if (width < last_width_) text.append(last_width_ - width, ' ');
  last_width_ = width;
  out_ << '\r' << text << std::flush;
}

void ProgressLine::close() {
  if (live_ && last_width_ > 0) out_ << std::endl;
  last_width_ = 0;
}

}  // namespace qplayer::cli
