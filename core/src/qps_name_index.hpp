// Name -> dense id for the QPS reader's rows and columns: a flat open-addressing table,
// because hash-map node chasing dominated reading the 100k-column Maros-Meszaros files.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qplayer::detail {

/// Ids are given in order of first declaration. The hash is kept in the slot so that a
/// lookup touches the stored name only on a likely hit: with std::unordered_map the lookups
/// were nearly half of the reading time of BOYD2, and each avoided cache miss shows there.
class NameIndex {
 public:
  int find(std::string_view name) const {
    return slots_.empty() ? -1 : slots_[probe(name, hash(name))].id;
  }
  // The new id, or -1 if `name` is already present.
  int add(std::string_view name) {
    if (2 * (names_.size() + 1) > slots_.size())
      rehash(std::max<std::size_t>(64, 2 * slots_.size()));
    const std::uint64_t h = hash(name);
    Slot& slot = slots_[probe(name, h)];
    if (slot.id >= 0) return -1;
    slot = Slot{static_cast<std::uint32_t>(h), static_cast<int>(names_.size())};
    names_.emplace_back(name);
    return slot.id;
  }
  int size() const { return static_cast<int>(names_.size()); }
  const std::string& name(int id) const { return names_[static_cast<std::size_t>(id)]; }
  std::vector<std::string>& names() { return names_; }

 private:
  struct Slot {
    std::uint32_t hash = 0;
    int id = -1;  // -1: empty
  };
  static std::uint64_t hash(std::string_view s) {  // FNV-1a, high bits folded into the low
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h ^ (h >> 32);
  }
  // Index of the slot holding `name`, or of the empty slot where it would go.
  std::size_t probe(std::string_view name, std::uint64_t h) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.id < 0 || (slot.hash == static_cast<std::uint32_t>(h) &&
                          names_[static_cast<std::size_t>(slot.id)] == name))
        return i;
    }
  }
  void rehash(std::size_t size) {
    std::vector<Slot> old(size);
    old.swap(slots_);
    for (const Slot& slot : old)
      if (slot.id >= 0) {
        std::size_t i = slot.hash & (size - 1);
        while (slots_[i].id >= 0) i = (i + 1) & (size - 1);
        slots_[i] = slot;
      }
  }

  std::vector<std::string> names_;
  std::vector<Slot> slots_;  // power-of-two size, at most half full
};

}  // namespace qplayer::detail
