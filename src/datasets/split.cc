#include "datasets/split.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace medai::datasets {

std::string_view split_name(Split s) {
  switch (s) {
    case Split::train: return "train";
    case Split::validation: return "validation";
    case Split::test: return "test";
  }
  return "train";
}

Result<Split> split_from_name(std::string_view name) {
  if (name == "train") return Split::train;
  if (name == "validation" || name == "val") return Split::validation;
  if (name == "test") return Split::test;
  return make_error(ErrorCode::invalid_argument,
                    "split must be train, validation or test, not '" + std::string(name) + "'");
}

Status validate(const SplitSpec& s) {
  if (s.train < 0 || s.validation < 0 || s.test < 0 || std::abs(s.train + s.validation + s.test - 1.0) > 1e-6)
    return make_error(ErrorCode::invalid_argument, "split fractions must be >= 0 and sum to 1");
  return Status::ok();
}

namespace {
// SplitMix64: tiny, well-mixed and identical on every platform.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

std::vector<Split> assign_splits(const std::vector<std::string>& labels, const std::vector<std::string>& groups,
                                 const SplitSpec& spec) {
  const std::size_t n = labels.size();
  // Group id → member items, in first-seen order (deterministic).
  std::vector<std::vector<std::size_t>> members;
  std::map<std::string, std::size_t> group_index;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& g = i < groups.size() ? groups[i] : std::string();
    if (g.empty()) {
      members.push_back({i});
      continue;
    }
    auto [it, inserted] = group_index.emplace(g, members.size());
    if (inserted) members.emplace_back();
    members[it->second].push_back(i);
  }
  // Stratum of each group: most frequent label.
  std::map<std::string, std::vector<std::size_t>> strata;  // label → groups
  for (std::size_t g = 0; g < members.size(); ++g) {
    std::map<std::string, int> counts;
    for (std::size_t i : members[g]) ++counts[labels[i]];
    auto best = std::max_element(counts.begin(), counts.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    strata[best->first].push_back(g);
  }
  std::vector<Split> out(n, Split::train);
  std::uint64_t state = spec.seed;
  for (auto& [label, gs] : strata) {
    // Fisher–Yates with the shared stream: strata are visited in label order.
    for (std::size_t i = gs.size(); i > 1; --i) std::swap(gs[i - 1], gs[splitmix64(state) % i]);
    const auto total = static_cast<double>(gs.size());
    const auto n_train = static_cast<std::size_t>(std::llround(total * spec.train));
    const auto n_val =
        std::min(gs.size() - std::min(gs.size(), n_train), static_cast<std::size_t>(std::llround(total * spec.validation)));
    for (std::size_t k = 0; k < gs.size(); ++k) {
      Split s = k < n_train ? Split::train : (k < n_train + n_val ? Split::validation : Split::test);
      for (std::size_t i : members[gs[k]]) out[i] = s;
    }
  }
  return out;
}

std::vector<Split> assign_splits_keeping(const std::vector<std::string>& labels,
                                         const std::vector<std::string>& groups, const SplitSpec& spec,
                                         const std::map<std::string, Split>& kept) {
  std::vector<Split> out(labels.size(), Split::train);
  std::vector<std::size_t> fresh;
  std::vector<std::string> fresh_labels, fresh_groups;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& g = i < groups.size() ? groups[i] : std::string();
    if (!g.empty())
      if (auto it = kept.find(g); it != kept.end()) {
        out[i] = it->second;
        continue;
      }
    fresh.push_back(i);
    fresh_labels.push_back(labels[i]);
    fresh_groups.push_back(g);
  }
  const std::vector<Split> assigned = assign_splits(fresh_labels, fresh_groups, spec);
  for (std::size_t k = 0; k < fresh.size(); ++k) out[fresh[k]] = assigned[k];
  return out;
}

}  // namespace medai::datasets
