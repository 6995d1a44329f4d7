// Ruiz equilibration: diagonal scalings that bring every row and column of the KKT
// matrix to unit infinity norm, plus a cost scaling; and the maps back to user units.
#pragma once

#include "qplayer/problem.hpp"

namespace qplayer {

/// Scaled problem: H~ = c D H D, g~ = c D g, A~ = E A D, b~ = E b, C~ = F C D, l~/u~ = F l/u.
/// Box bounds become rows of C~ (appended, one per variable with a finite bound).
/// Unscaling: x = D x~, y = E y~ / c, z = F z~ / c.
struct RuizScaling {
  Vector d;        ///< column scaling (n)
  Vector e;        ///< equality-row scaling (n_eq)
  Vector f;        ///< inequality-row scaling (n_in + box rows)
  double c = 1.0;  ///< cost scaling

  std::vector<int> box_rows;  ///< variable index of each appended box row

  // Scaled data (C and l/u include the box rows).
  SparseMatrix H, A, C;
  Vector g, b, l, u;

  /// Computes the scaling with `iterations` sweeps and fills the scaled data.
  void compute(const Problem& problem, int iterations);
  /// Re-applies the current scaling to new values (same pattern), no new sweeps.
  void apply(const Problem& problem);
};

/// Builds C with one row per finite box bound appended; box_rows gets the variables.
SparseMatrix stack_box_rows(const Problem& problem, std::vector<int>& box_rows, Vector& l,
                            Vector& u);

}  // namespace qplayer
