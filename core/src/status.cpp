// Stable status names shared by the CLI, JSON output and tests.
#include "qplayer/status.hpp"

namespace qplayer {

const char* to_string(Status status) {
  switch (status) {
    case Status::Solved: return "solved";
    case Status::MaxIterReached: return "max_iter";
    case Status::TimeLimitReached: return "time_limit";
    case Status::PrimalInfeasible: return "primal_infeasible";
    case Status::DualInfeasible: return "dual_infeasible";
    case Status::NonConvex: return "non_convex";
    case Status::NumericalError: return "numerical_error";
    case Status::NotRun: return "not_run";
    case Status::SolvedClosestFeasible: return "closest_feasible";
  }
  return "unknown";
}

}  // namespace qplayer
