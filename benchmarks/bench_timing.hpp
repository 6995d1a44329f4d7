// Wall-clock helpers shared by the benchmark programs (they print figures, assert nothing).
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace qplayer::bench {

/// Seconds taken by f().
template <class F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The upper median (v not empty).
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace qplayer::bench
