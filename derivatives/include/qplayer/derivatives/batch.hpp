// Solve + backward over a batch of independent QPs on std::thread workers: the usual shape
// of a QP layer in a learning pipeline (one QP per sample of a mini-batch).
#pragma once

#include "qplayer/derivatives/gradients.hpp"
#include "qplayer/result.hpp"
#include "qplayer/settings.hpp"

#include <vector>

namespace qplayer::derivatives {

struct BatchItem {
  Result result;        ///< the solve's result (status and solution)
  Gradients gradients;  ///< empty (zero-size) unless Solved or SolvedClosestFeasible
};

/// For each i: solves problems[i] with `settings` and, when solved (or solved to its closest
/// feasible QP, with Settings::closest_feasible), back-propagates
/// dl_dx[i] (and dl_dy[i], dl_dz[i] when those vectors are given, one per problem).
/// `threads` workers (0: std::thread::hardware_concurrency()); each item is computed by one
/// worker from its own data only, so the output is bitwise identical whatever the thread
/// count. A problem that throws (invalid data) rethrows on the calling thread after all
/// workers finished (the first such failure, by index).
std::vector<BatchItem> solve_and_backward(const std::vector<Problem>& problems,
                                          const std::vector<Vector>& dl_dx,
                                          const Settings& settings = Settings(), int threads = 1,
                                          const std::vector<Vector>& dl_dy = {},
                                          const std::vector<Vector>& dl_dz = {},
                                          const Options& options = Options());

}  // namespace qplayer::derivatives
