#pragma once
// Train/validation/test assignment for dataset items: stratified by label and
// grouped by patient, so every patient's items land in one split and the
// class balance is the same in each split. Deterministic from the seed with
// our own PRNG (std:: distributions differ between library versions).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace medai::datasets {

enum class Split { train, validation, test };
std::string_view split_name(Split s);
Result<Split> split_from_name(std::string_view name);

struct SplitSpec {
  double train = 0.7;
  double validation = 0.15;
  double test = 0.15;
  std::uint64_t seed = 1;
};
Status validate(const SplitSpec& spec);

// items: label and group (patient) per item; an empty group means the item
// is its own group. A group's stratum is its most frequent label (ties: the
// smallest). Within each stratum groups are shuffled and cut by the
// fractions (rounded, the remainder goes to test).
std::vector<Split> assign_splits(const std::vector<std::string>& labels, const std::vector<std::string>& groups,
                                 const SplitSpec& spec);

// The split of a new version: an item whose group is in `kept` (a patient of
// the previous version) stays in that split, so a model evaluated on an
// earlier test split never trains on those patients later; the other items
// are assigned among themselves exactly as assign_splits does (stratified,
// grouped, seeded). Empty groups are never kept.
std::vector<Split> assign_splits_keeping(const std::vector<std::string>& labels,
                                         const std::vector<std::string>& groups, const SplitSpec& spec,
                                         const std::map<std::string, Split>& kept);

}  // namespace medai::datasets
