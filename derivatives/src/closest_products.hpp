// The backward and forward products at a closest-feasible solution (method.md §4). Private:
// backward() and forward() dispatch here when the view holds a ClosestPoint.
#pragma once

#include "qplayer/derivatives/view.hpp"

namespace qplayer::derivatives::detail {

class ActiveKkt;
struct ClosestPoint;

/// Makes point.multiplier satisfy the stationarity of the shifted QP to the solve tolerance
/// (see the .cpp): one KKT solve, once per View.
void refine_multipliers(const Solver& solver, ActiveKkt& kkt, ClosestPoint& point);

/// Writes into `out` (its matrices reused when their patterns match, see set_on_pattern).
void closest_backward(const View& view, const Cotangent& dl, Gradients& out);
Tangent closest_forward(const View& view, const Perturbation& direction);

}  // namespace qplayer::derivatives::detail
