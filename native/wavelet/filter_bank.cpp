#include "wavelet/filter_bank.h"

#include <unordered_map>

#include "core/error.h"

namespace ecgldm::wavelet {
namespace {

// Filters are stored as they appear in the generated table; FilterBank copies them once.
const std::vector<FilterBank>& table() {
  static const std::vector<FilterBank> banks = {
#include "wavelet/filter_table.inc"
  };
  return banks;
}

const std::unordered_map<std::string, const FilterBank*>& byName() {
  static const std::unordered_map<std::string, const FilterBank*> index = [] {
    std::unordered_map<std::string, const FilterBank*> map;
    for (const FilterBank& bank : table()) map.emplace(bank.name, &bank);
    return map;
  }();
  return index;
}

}  // namespace

const FilterBank& filterBank(const std::string& name) {
  auto found = byName().find(name);
  if (found == byName().end()) {
    std::string known;
    for (const FilterBank& bank : table()) known += (known.empty() ? "" : ", ") + bank.name;
    throw Error(ErrorCode::ArgRange, "unknown wavelet \"" + name + "\"; known: " + known);
  }
  return *found->second;
}

std::vector<std::string> waveletNames() {
  std::vector<std::string> names;
  names.reserve(table().size());
  for (const FilterBank& bank : table()) names.push_back(bank.name);
  return names;
}

}  // namespace ecgldm::wavelet
