// The supernodal symbolic analysis (see the header): textbook algorithms, in this order:
// the elimination tree and column counts of L by the row-subtree walk, a postorder of the
// tree, fundamental supernodes (a column joins its only child's supernode when their
// structures nest), relaxed amalgamation along parent chains, and the row structure of each
// supernode as the union of its columns' entries and its children's rows.
#include "supernodal_structure.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace qplayer::sparse {
namespace {

// Relaxed amalgamation: a group joins its parent supernode when the merged block has at
// most `cols` columns and a share of explicit zeros below `zeros` (the first rule that
// applies). Small supernodes cost more in call overhead than their zeros cost in flops.
struct RelaxRule {
  int cols;
  double zeros;
};
constexpr RelaxRule kRelax[] = {{4, 1.0}, {16, 0.8}, {48, 0.1}, {INT_MAX, 0.05}};

// The pattern of P A Pᵀ without its diagonal: `up` holds, for each column, the rows above
// the diagonal; `low` the rows below it.
struct PermutedPattern {
  std::vector<int> up_p, up_i, low_p, low_i;
};

PermutedPattern permute(const SparseMatrix& upper, const std::vector<int>& pinv) {
  const int n = static_cast<int>(upper.cols());
  const int* outer = upper.outerIndexPtr();
  const int* inner = upper.innerIndexPtr();
  PermutedPattern pat;
  pat.up_p.assign(n + 1, 0);
  pat.low_p.assign(n + 1, 0);
  for (int j = 0; j < n; ++j) {
    for (int p = outer[j]; p < outer[j + 1]; ++p) {
      const int a = pinv[inner[p]], b = pinv[j];
      if (a == b) continue;
      ++pat.up_p[std::max(a, b) + 1];
      ++pat.low_p[std::min(a, b) + 1];
    }
  }
  for (int k = 0; k < n; ++k) {
    pat.up_p[k + 1] += pat.up_p[k];
    pat.low_p[k + 1] += pat.low_p[k];
  }
  pat.up_i.resize(pat.up_p[n]);
  pat.low_i.resize(pat.low_p[n]);
  std::vector<int> up_next(pat.up_p.begin(), pat.up_p.end() - 1);
  std::vector<int> low_next(pat.low_p.begin(), pat.low_p.end() - 1);
  for (int j = 0; j < n; ++j) {
    for (int p = outer[j]; p < outer[j + 1]; ++p) {
      const int a = pinv[inner[p]], b = pinv[j];
      if (a == b) continue;
      const int lo = std::min(a, b), hi = std::max(a, b);
      pat.up_i[up_next[hi]++] = lo;
      pat.low_i[low_next[lo]++] = hi;
    }
  }
  return pat;
}

// Elimination tree (parent, -1 at roots) and the entries below the diagonal of each column
// of L: for every row k, the walk from each entry i < k of row k up the tree until a node
// already visited for k marks exactly the nonzeros of row k of L.
void tree_and_counts(const PermutedPattern& pat, int n, std::vector<int>& parent,
                     std::vector<int>& count) {
  parent.assign(n, -1);
  count.assign(n, 0);
  std::vector<int> visited(n, -1);
  for (int k = 0; k < n; ++k) {
    visited[k] = k;
    for (int p = pat.up_p[k]; p < pat.up_p[k + 1]; ++p) {
      for (int i = pat.up_i[p]; visited[i] != k; i = parent[i]) {
        if (parent[i] == -1) parent[i] = k;
        ++count[i];
        visited[i] = k;
      }
    }
  }
}

// Depth-first postorder of the forest: post[k] = the node placed at position k.
std::vector<int> postorder(const std::vector<int>& parent) {
  const int n = static_cast<int>(parent.size());
  std::vector<int> head(n, -1), next(n, -1), post, stack;
  post.reserve(n);
  for (int j = n - 1; j >= 0; --j) {  // children listed in ascending order
    if (parent[j] == -1) continue;
    next[j] = head[parent[j]];
    head[parent[j]] = j;
  }
  for (int root = 0; root < n; ++root) {
    if (parent[root] != -1) continue;
    stack.push_back(root);
    while (!stack.empty()) {
      const int top = stack.back();
      const int child = head[top];
      if (child == -1) {
        post.push_back(top);
        stack.pop_back();
      } else {
        head[top] = next[child];
        stack.push_back(child);
      }
    }
  }
  return post;
}

}  // namespace

SupernodalStructure SupernodalStructure::analyze(const SparseMatrix& upper,
                                                 const std::vector<int>& given) {
  const int n = static_cast<int>(upper.cols());
  SupernodalStructure st;
  st.super = {0};
  st.pi = {0};
  st.owner.assign(n, 0);
  if (n == 0) return st;

  // Postorder the caller's ordering: the same fill, and every supernode contiguous.
  std::vector<int> pinv(n), parent0, count0;
  for (int k = 0; k < n; ++k) pinv[given[k]] = k;
  tree_and_counts(permute(upper, pinv), n, parent0, count0);
  const std::vector<int> post = postorder(parent0);
  std::vector<int> post_inv(n);
  for (int k = 0; k < n; ++k) post_inv[post[k]] = k;
  st.perm.resize(n);
  std::vector<int> parent(n), count(n);
  for (int k = 0; k < n; ++k) {
    st.perm[k] = given[post[k]];
    parent[k] = parent0[post[k]] == -1 ? -1 : post_inv[parent0[post[k]]];
    count[k] = count0[post[k]];
  }
  for (int k = 0; k < n; ++k) pinv[st.perm[k]] = k;
  const PermutedPattern pat = permute(upper, pinv);
  double squares = 0.0, entries_l = 0.0;
  for (int c : count) {
    squares += double(c) * double(c);
    entries_l += c;
  }
  st.column_work = entries_l > 0.0 ? squares / entries_l : 0.0;

  // Fundamental supernodes: column j continues j − 1's when j is its parent, its only child,
  // and the structures nest (count(j − 1) = count(j) + 1).
  std::vector<int> children(n, 0);
  for (int j = 0; j < n; ++j)
    if (parent[j] != -1) ++children[parent[j]];
  std::vector<int> fundamental{0};
  for (int j = 1; j < n; ++j) {
    if (!(parent[j - 1] == j && count[j - 1] == count[j] + 1 && children[j] == 1)) {
      fundamental.push_back(j);
    }
  }
  fundamental.push_back(n);

  // Amalgamation along chains: the group ending at column c − 1 may absorb the supernode
  // starting at c when that one is its parent. The group's rows below its columns are then
  // the parent's columns and rows, so the merged block has ncol_G + nrow_parent rows.
  auto entries = [](long long ncol, long long nrow) { return ncol * nrow - ncol * (ncol - 1) / 2; };
  long long group_cols = 0, group_true = 0;
  for (std::size_t f = 0; f + 1 < fundamental.size(); ++f) {
    const int k1 = fundamental[f], k2 = fundamental[f + 1];
    const long long ncol = k2 - k1, nrow = ncol + count[k2 - 1];
    const long long true_entries = entries(ncol, nrow);
    bool merge = false;
    if (f > 0 && parent[k1 - 1] == k1) {
      const long long cols = group_cols + ncol, rows = group_cols + nrow;
      const long long total = entries(cols, rows);
      const double zeros = double(total - group_true - true_entries) / double(total);
      for (const RelaxRule& rule : kRelax) {
        if (cols <= rule.cols) {
          merge = zeros < rule.zeros;
          break;
        }
      }
    }
    if (merge) {
      group_cols += ncol;
      group_true += true_entries;
    } else {
      if (f > 0) st.super.push_back(k1);
      group_cols = ncol;
      group_true = true_entries;
    }
  }
  st.super.push_back(n);
  const int nsuper = st.nsuper();
  for (int s = 0; s < nsuper; ++s)
    for (int k = st.super[s]; k < st.super[s + 1]; ++k) st.owner[k] = s;

  // Row structures, children before parents (postorder): the supernode's columns, then
  // every row below them that its columns or its children's rows reach.
  std::vector<int> head(nsuper, -1), next(nsuper, -1), mark(n, -1);
  for (int c = nsuper - 1; c >= 0; --c) {
    const int up = parent[st.super[c + 1] - 1];
    if (up == -1) continue;
    next[c] = head[st.owner[up]];
    head[st.owner[up]] = c;
  }
  for (int s = 0; s < nsuper; ++s) {
    const int k1 = st.super[s], k2 = st.super[s + 1];
    const std::size_t start = st.rows.size();
    for (int k = k1; k < k2; ++k) st.rows.push_back(k);
    auto add = [&](int i) {
      if (i >= k2 && mark[i] != s) {
        mark[i] = s;
        st.rows.push_back(i);
      }
    };
    for (int j = k1; j < k2; ++j)
      for (int p = pat.low_p[j]; p < pat.low_p[j + 1]; ++p) add(pat.low_i[p]);
    for (int c = head[s]; c != -1; c = next[c]) {
      const long long tail = st.pi[c] + (st.super[c + 1] - st.super[c]);
      for (long long q = tail; q < st.pi[c + 1]; ++q) add(st.rows[q]);
    }
    std::sort(st.rows.begin() + static_cast<long long>(start) + (k2 - k1), st.rows.end());
    if (static_cast<long long>(st.rows.size() - start) - (k2 - k1) != count[k2 - 1]) {
      throw std::logic_error("SupernodalStructure: row structure and column count disagree");
    }
    st.pi.push_back(static_cast<long long>(st.rows.size()));
  }
  return st;
}

}  // namespace qplayer::sparse
