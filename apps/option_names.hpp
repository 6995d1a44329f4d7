// The command-line spellings of Settings enums, shared by every subcommand that takes them.
#pragma once

#include "qplayer/settings.hpp"

#include <map>
#include <string>
#include <vector>

namespace qplayer::cli {

inline const std::map<std::string, Backend>& backend_names() {
  static const std::map<std::string, Backend> names = {{"auto", Backend::Auto},
                                                       {"dense", Backend::Dense},
                                                       {"ldl", Backend::Ldl},
                                                       {"cholmod", Backend::Cholmod},
                                                       {"supernodal", Backend::Supernodal}};
  return names;
}

inline const std::map<std::string, Ordering>& ordering_names() {
  static const std::map<std::string, Ordering> names = {{"auto", Ordering::Auto},
                                                        {"natural", Ordering::Natural},
                                                        {"amd", Ordering::Amd},
                                                        {"metis", Ordering::Metis}};
  return names;
}

/// The keys of a name table, for CLI11's IsMember check and help text.
template <class T>
std::vector<std::string> names_of(const std::map<std::string, T>& table) {
  std::vector<std::string> keys;
  for (const auto& entry : table) keys.push_back(entry.first);
  return keys;
}

}  // namespace qplayer::cli
