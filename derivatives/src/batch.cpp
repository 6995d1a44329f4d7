// Batched solve + backward. Work is handed out by an atomic counter (dynamic balancing:
// QPs of one batch can need very different iteration counts) but every item is computed
// start to finish by a single worker from its own Solver, so scheduling cannot change a bit
// of the output: determinism comes from independence, not from a fixed schedule.
#include "qplayer/derivatives/batch.hpp"

#include "qplayer/derivatives/view.hpp"
#include "qplayer/solver.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>

namespace qplayer::derivatives {

std::vector<BatchItem> solve_and_backward(const std::vector<Problem>& problems,
                                          const std::vector<Vector>& dl_dx,
                                          const Settings& settings, int threads,
                                          const std::vector<Vector>& dl_dy,
                                          const std::vector<Vector>& dl_dz,
                                          const Options& options) {
  const std::size_t count = problems.size();
  if (dl_dx.size() != count || (!dl_dy.empty() && dl_dy.size() != count) ||
      (!dl_dz.empty() && dl_dz.size() != count))
    throw std::invalid_argument("derivatives::solve_and_backward: one gradient per problem");
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(count, 1)));

  std::vector<BatchItem> out(count);
  std::vector<std::exception_ptr> errors(count);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        Solver solver(problems[i], settings);
        out[i].result = solver.solve();
        const Status status = out[i].result.info.status;
        if (status != Status::Solved && status != Status::SolvedClosestFeasible) continue;
        const View view(solver, options);
        out[i].gradients = backward(view, dl_dx[i], dl_dy.empty() ? Vector() : dl_dy[i],
                                    dl_dz.empty() ? Vector() : dl_dz[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  if (threads == 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (int t = 0; t < threads; ++t) pool.emplace_back(work);
    for (std::thread& t : pool) t.join();
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

}  // namespace qplayer::derivatives
