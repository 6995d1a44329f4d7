// The closest feasible QP (method.md §3): helpers shared by the proximal method's
// closest-feasible phase (closest_feasible.cpp) and by the Solver's result assembly.
#pragma once

#include "qplayer/problem.hpp"
#include "qplayer/ruiz_scaling.hpp"

namespace qplayer::detail {

/// `base` with every row scaling (e and f, box rows included) replaced by one common value
/// σ, the geometric mean of base's row factors; columns (d) and cost (c) are kept, so a
/// scaled x means the same in both. Why: with a scalar μ the proximal method of multipliers
/// converges to the shift minimizing the SCALED norm Σ (e_i s_i)² + Σ (f_i s_i)², which is
/// the user's ℓ2 closest feasible problem only when all row factors are equal. Same
/// sparsity patterns as base, so the KKT system takes it through set_values.
void make_row_uniform_scaling(const RuizScaling& base, RuizScaling& out);

/// Shifts that make x feasible, in user units: shift_eq = Ax − b, shift_in = Cx − Π[l,u](Cx),
/// shift_box = x − Π[lb,ub](x) (zeros without a box). Outputs must be presized.
void compute_shifts(const Problem& p, const Vector& x, Vector& shift_eq, Vector& shift_in,
                    Vector& shift_box);

/// `out` (a copy of p with the same matrices) gets the shifted right-hand sides:
/// b + shift_eq, [l, u] + shift_in, [lb, ub] + shift_box (infinite bounds stay infinite).
void apply_shifts(const Problem& p, const Vector& shift_eq, const Vector& shift_in,
                  const Vector& shift_box, Problem& out);

}  // namespace qplayer::detail
