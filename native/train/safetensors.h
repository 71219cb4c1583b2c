// Reading and writing the safetensors format (https://github.com/huggingface/safetensors),
// the file format of ecg-ldm checkpoints, readable by Python's `safetensors` and numpy:
//
//   [8 bytes]  N, the header length, unsigned little-endian
//   [N bytes]  JSON header: {"<tensor name>": {"dtype": "F32", "shape": [2, 3],
//                                             "data_offsets": [begin, end]}, ...,
//                            "__metadata__": {"<key>": "<string value>", ...}}
//   [rest]     tensor bytes, little-endian, row-major; offsets are relative to the start
//              of this section, and the tensors tile it exactly (no gaps, no overlap)
//
// Supported dtypes: F32, F64, F16, BF16, I64, I32, U8, BOOL.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ecgldm::train {

/** Tensors with their names, in file order. */
using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/** The `__metadata__` of a safetensors file: string keys to string values. */
using SafetensorsMetadata = std::map<std::string, std::string>;

struct SafetensorsContents {
  NamedTensors tensors;  // CPU tensors, in the order of their data in the file
  SafetensorsMetadata metadata;
};

/**
 * Writes `tensors` (any device; copied to CPU, contiguous) and `metadata` to `path`,
 * atomically (see atomic_file.h). Throws Error(ArgRange) for an empty, duplicate or
 * reserved ("__metadata__") name or for a name or metadata value that is not UTF-8,
 * Error(DType) for an unsupported dtype or a sparse/quantized tensor, Error(Io) when the
 * file cannot be written (the old file, if any, is left intact and no temp file remains).
 */
void writeSafetensors(const std::string& path, const NamedTensors& tensors,
                      const SafetensorsMetadata& metadata = {});

/**
 * Reads a whole safetensors file into CPU tensors. Throws Error(Io) when the file cannot
 * be opened or read, and Error(Format), naming the file, for anything malformed:
 * truncated data, a header longer than the file or than 100 MB, invalid JSON (duplicate
 * keys and nesting deeper than 64 included, see strict_json.h), an unknown dtype, offsets
 * outside the data or not tiling it, or a shape whose byte size does not match its
 * offsets. Never allocates more than the file's size.
 */
SafetensorsContents readSafetensors(const std::string& path);

}  // namespace ecgldm::train
