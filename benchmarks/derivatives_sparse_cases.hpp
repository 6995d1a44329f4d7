// derivatives_bench's section on the sparse cases (see the .cpp).
#pragma once

#include <string>

namespace qplayer::bench {

/// MPC horizon 1000 rows always; Maros–Meszaros rows (n ≥ 10,000 in DIR/manifest.csv) when
/// mm_dir is not empty. time_limit bounds each forward solve (seconds); `only` (if not empty)
/// keeps the one row of that name.
void derivatives_sparse_cases(const std::string& mm_dir, double time_limit,
                              const std::string& only);

}  // namespace qplayer::bench
