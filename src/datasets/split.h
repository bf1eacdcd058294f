#pragma once
// Train/validation/test assignment for dataset items: stratified by label and
// grouped by patient, so every patient's items land in one split and the
// class balance is the same in each split. Deterministic from the seed with
// our own PRNG (std:: distributions differ between library versions).
#include <cstdint>
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

}  // namespace medai::datasets
