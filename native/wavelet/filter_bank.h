// Discrete wavelet filter banks (decomposition / reconstruction, low / high pass), with
// the exact taps of PyWavelets (generated table: filter_table.inc).
#pragma once

#include <string>
#include <vector>

namespace ecgldm::wavelet {

/** The four filters of one discrete wavelet, in PyWavelets' order and sign convention. */
struct FilterBank {
  std::string name;
  std::vector<double> decLo, decHi, recLo, recHi;

  /** Length of every filter of the bank (pywt's `dec_len`; all four are equal). */
  int64_t length() const { return static_cast<int64_t>(decLo.size()); }
};

/** The bank of `name` ("sym8", "db4", ...); throws Error(ArgRange) naming the known ones. */
const FilterBank& filterBank(const std::string& name);

/** Names of every supported wavelet, in table order (haar, db1..db20, sym2..sym20, ...). */
std::vector<std::string> waveletNames();

}  // namespace ecgldm::wavelet
