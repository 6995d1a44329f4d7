// Matrix entries as the QPS reader collects them (each with its file line, for messages) and
// the check that no (row, column) pair is given twice.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace qplayer::detail {

/// One matrix entry as read: row (a row id, or a column for H), column, value, file line.
struct QpsEntry {
  int row;
  int col;
  double value;
  int line;
};

/// A (row, col) pair given twice, as {later, earlier} indices into `entries`, or {-1, -1}.
/// O(entries + rows + columns): entries are bucketed by column with a counting sort that keeps
/// file order, and each row remembers the entry last seen in it.
inline std::pair<int, int> find_repeated_entry(const std::vector<QpsEntry>& entries, int rows,
                                               int columns) {
  std::vector<int> start(static_cast<std::size_t>(columns) + 1, 0);
  for (const QpsEntry& e : entries) ++start[static_cast<std::size_t>(e.col) + 1];
  for (std::size_t j = 0; j < static_cast<std::size_t>(columns); ++j) start[j + 1] += start[j];
  std::vector<int> next(start.begin(), start.end() - 1), order(entries.size());
  for (std::size_t k = 0; k < entries.size(); ++k)
    order[static_cast<std::size_t>(next[static_cast<std::size_t>(entries[k].col)]++)] =
        static_cast<int>(k);

  std::vector<int> last(static_cast<std::size_t>(rows), -1);  // entry last seen in each row
  for (int k : order) {
    const QpsEntry& e = entries[static_cast<std::size_t>(k)];
    int& seen = last[static_cast<std::size_t>(e.row)];
    if (seen >= 0 && entries[static_cast<std::size_t>(seen)].col == e.col) return {k, seen};
    seen = k;
  }
  return {-1, -1};
}

}  // namespace qplayer::detail
