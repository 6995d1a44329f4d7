// The solver: one primal-dual proximal augmented-Lagrangian algorithm (ProxQP family),
// written once against the KktSystem interface; the backend is picked at setup.
#pragma once

#include "qplayer/kkt_system.hpp"
#include "qplayer/problem.hpp"
#include "qplayer/result.hpp"
#include "qplayer/ruiz_scaling.hpp"
#include "qplayer/settings.hpp"

#include <cstdint>
#include <memory>

namespace qplayer {

namespace detail {
struct Workspace;
}

class Solver {
 public:
  /// Setup: validates the problem, equilibrates it, builds and analyzes the KKT system.
  /// Throws InvalidProblem on bad data, std::invalid_argument on bad settings.
  Solver(Problem problem, Settings settings = Settings());
  ~Solver();
  Solver(Solver&&) noexcept;
  Solver& operator=(Solver&&) noexcept;
  Solver(const Solver&) = delete;
  Solver& operator=(const Solver&) = delete;

  /// Solves from the guess chosen by settings().initial_guess.
  const Result& solve();
  /// Solves warm-started from (x0, y0, z0) (z0 may include box multipliers via z_box0).
  const Result& solve(const Vector& x0, const Vector& y0, const Vector& z0,
                      const Vector& z_box0 = Vector());

  /// New data with the same dimensions and sparsity patterns (no new analysis). Every
  /// field is taken from `problem`; throws InvalidProblem if a pattern or size differs.
  void update(const Problem& problem);
  /// Vector-only updates (empty vectors leave the field unchanged).
  void update_vectors(const Vector& g, const Vector& b = Vector(), const Vector& l = Vector(),
                      const Vector& u = Vector(), const Vector& lb = Vector(),
                      const Vector& ub = Vector());

  const Problem& problem() const { return problem_; }
  const Settings& settings() const { return settings_; }
  Settings& settings() { return settings_; }
  const Result& result() const { return result_; }
  /// A stamp that changes whenever the problem data or the result may have changed (setup,
  /// update, update_vectors, every solve), drawn from one process-wide counter so that it
  /// never repeats, not even for a new Solver at the address of a destroyed one. Lets a
  /// derivatives::View tell in O(1) whether it still describes this solver's data.
  std::uint64_t data_version() const { return data_version_; }
  /// The KKT system holding the final factorization (read by the derivative engine).
  const KktSystem& kkt() const { return *kkt_; }
  /// The equilibration the KKT system was built from (scaled data and the factors d, e, f, c).
  const RuizScaling& scaling() const { return *scaling_; }
  /// The scaling whose values the KKT system holds now: scaling(), or after a
  /// closest-feasible phase its row-uniform variant (every row factor the same σ).
  const RuizScaling& kkt_scaling() const;

 private:
  void setup();
  void rescale();
  const Result& run();
  void new_data_version();

  Problem problem_;
  Settings settings_;
  // Held by pointer: the KKT system may keep pointers to the scaled matrices (the sparse one
  // does, to multiply without a copy), which must survive a move of the Solver.
  std::unique_ptr<RuizScaling> scaling_;
  std::unique_ptr<KktSystem> kkt_;
  std::unique_ptr<detail::Workspace> work_;
  Result result_;
  double setup_time_ = 0.0;
  std::uint64_t data_version_ = 0;
};

/// Auto: dense when the KKT dimension N = n + n_eq + n_in (box rows included) is at most
/// kAutoDenseMaxSmall, or at most kAutoDenseMax with a density of its nonzeros of at least
/// kAutoDenseDensity; otherwise LDL, else CHOLMOD, else dense (what the build has).
inline constexpr long long kAutoDenseMaxSmall = 100;
inline constexpr long long kAutoDenseMax = 5000;
inline constexpr double kAutoDenseDensity = 0.1;

/// The backend Settings::backend stands for on this KKT data (Auto resolved).
Backend resolve_backend(const Settings& settings, const KktData& data);

/// Creates the KKT system for the chosen backend (the one place that names backends).
std::unique_ptr<KktSystem> make_kkt_system(const Settings& settings, const Problem& problem,
                                           const KktData& data);

}  // namespace qplayer
