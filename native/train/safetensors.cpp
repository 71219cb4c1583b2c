#include "train/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "core/error.h"
#include "train/atomic_file.h"
#include "train/strict_json.h"

// Tensor bytes are copied as they lie in memory, and the format is little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors I/O assumes a little-endian host");

namespace ecgldm::train {

namespace {

// Headers are written with their key order (metadata first, then tensors in file order),
// and parsed with sorted keys: a header may hold 100,000 entries.
using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

// A larger header is certainly hostile: a checkpoint with 100,000 tensors needs ~10 MB.
constexpr uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;
constexpr const char* kMetadataKey = "__metadata__";
constexpr size_t kMaxDims = 64;  // far beyond any real tensor; bounds the shape vector

struct DTypeInfo {
  const char* name;
  at::ScalarType scalarType;
};

// The one table between safetensors dtype names and ATen scalar types.
constexpr DTypeInfo kDTypes[] = {
    {"F32", at::kFloat}, {"F64", at::kDouble}, {"F16", at::kHalf}, {"BF16", at::kBFloat16},
    {"I64", at::kLong},  {"I32", at::kInt},    {"U8", at::kByte},  {"BOOL", at::kBool},
};

const DTypeInfo* findDType(at::ScalarType scalarType) {
  for (const auto& info : kDTypes)
    if (info.scalarType == scalarType) return &info;
  return nullptr;
}

const DTypeInfo* findDType(const std::string& name) {
  for (const auto& info : kDTypes)
    if (name == info.name) return &info;
  return nullptr;
}

void appendLittleEndian64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

at::Tensor cpuContiguous(const std::string& name, const at::Tensor& tensor) {
  check(tensor.defined(), ErrorCode::ArgRange, "tensor " + name + " is undefined");
  check(tensor.layout() == at::kStrided && !tensor.is_quantized(), ErrorCode::DType,
        "tensor " + name + " is sparse or quantized; safetensors stores dense tensors only");
  check(findDType(tensor.scalar_type()) != nullptr, ErrorCode::DType,
        "tensor " + name + " has dtype " + std::string(c10::toString(tensor.scalar_type())) +
            ", which safetensors files here do not support (F32 F64 F16 BF16 I64 I32 U8 BOOL)");
  // CPU + contiguous so that a CUDA checkpoint loads on a CPU-only machine and the bytes
  // are row-major; the extra copy is the price of that.
  return tensor.detach().to(at::kCPU).contiguous();
}

std::string buildHeader(const std::string& path, const NamedTensors& cpuTensors,
                        const SafetensorsMetadata& metadata) {
  OrderedJson header = OrderedJson::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : cpuTensors) {
    const uint64_t bytes = tensor.nbytes();
    header[name] = {{"dtype", findDType(tensor.scalar_type())->name},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::type_error&) {  // a string that is not UTF-8: JSON cannot hold it
    throw Error(ErrorCode::ArgRange, "tensor names and metadata must be UTF-8 text (writing " + path + ")");
  }
  // Pad with spaces (valid JSON whitespace) so the data starts 8-byte aligned, as the
  // reference implementation does; readers that mmap the file rely on it.
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

// ---------------------------------------------------------------------------------------
// Reading

class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail(ErrorCode::Io, "cannot open", errno);
    struct stat info;
    if (::fstat(fd_, &info) != 0) fail(ErrorCode::Io, "cannot stat", errno);
    check(S_ISREG(info.st_mode), ErrorCode::Io, "cannot read " + path + ": not a regular file");
    size_ = static_cast<uint64_t>(info.st_size);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { (void)::close(fd_); }

  uint64_t size() const { return size_; }

  void readFully(void* data, size_t size) {
    char* bytes = static_cast<char*>(data);
    while (size > 0) {
      ssize_t got = ::read(fd_, bytes, size);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(ErrorCode::Io, "cannot read", errno);
      // The sizes were checked against fstat, so a short read means the file shrank.
      check(got > 0, ErrorCode::Format, path_ + ": unexpected end of file (truncated?)");
      bytes += got;
      size -= static_cast<size_t>(got);
    }
  }

 private:
  [[noreturn]] void fail(ErrorCode code, const std::string& action, int err) const {
    throw Error(code, action + " " + path_ + ": " + std::strerror(err));
  }

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

struct TensorEntry {
  std::string name;
  at::ScalarType scalarType;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

[[noreturn]] void failEntry(const std::string& what, const std::string& why) {
  throw Error(ErrorCode::Format, what + ": " + why);
}

// Validates one header entry against the data section's size; the returned entry is
// safe to allocate (its byte size is at most `dataBytes`).
TensorEntry parseEntry(const std::string& path, const std::string& name,
                       const Json& value, uint64_t dataBytes) {
  const std::string what = path + ": tensor " + jsonQuote(name);
  if (!value.is_object()) failEntry(what, "expected an object with dtype, shape and data_offsets");
  for (const auto& member : value.items())
    if (member.key() != "dtype" && member.key() != "shape" && member.key() != "data_offsets")
      failEntry(what, "unexpected field " + jsonQuote(member.key()));
  const auto dtype = value.find("dtype");
  const auto shape = value.find("shape");
  const auto offsets = value.find("data_offsets");
  if (dtype == value.end() || shape == value.end() || offsets == value.end())
    failEntry(what, "missing dtype, shape or data_offsets");

  TensorEntry entry;
  entry.name = name;
  const DTypeInfo* dtypeInfo = dtype->is_string() ? findDType(dtype->get_ref<const std::string&>()) : nullptr;
  if (!dtypeInfo)
    failEntry(what, "unsupported dtype " + dtype->dump() + " (expected F32 F64 F16 BF16 I64 I32 U8 BOOL)");
  entry.scalarType = dtypeInfo->scalarType;

  if (!shape->is_array()) failEntry(what, "shape must be an array");
  if (shape->size() > kMaxDims) failEntry(what, "more than 64 dimensions");
  const uint64_t elementSize = c10::elementSize(entry.scalarType);
  // Counting elements against what the data section can hold keeps the product from
  // overflowing: once it exceeds the limit it is already an error (unless a later 0 dim
  // makes the tensor empty).
  const uint64_t maxElements = dataBytes / elementSize;
  uint64_t elements = 1;
  bool tooLarge = false;
  for (const Json& dim : *shape) {
    if (!dim.is_number()) failEntry(what, "shape entries must be integers");
    int64_t size = jsonInt64(dim, what + " shape entry");
    if (size < 0) failEntry(what, "negative shape entry " + std::to_string(size));
    entry.shape.push_back(size);
    if (size == 0) {
      elements = 0;
    } else if (!tooLarge && elements > 0) {
      if (elements > maxElements / static_cast<uint64_t>(size)) tooLarge = true;
      else elements *= static_cast<uint64_t>(size);
    }
  }
  if (tooLarge && elements != 0) failEntry(what, "shape needs more bytes than the file holds");

  if (!offsets->is_array() || offsets->size() != 2)
    failEntry(what, "data_offsets must be an array [begin, end]");
  int64_t begin = jsonInt64((*offsets)[0], what + " data_offsets[0]");
  int64_t end = jsonInt64((*offsets)[1], what + " data_offsets[1]");
  if (begin < 0 || end < begin || static_cast<uint64_t>(end) > dataBytes)
    failEntry(what, "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                        "] outside the data section of " + std::to_string(dataBytes) + " bytes");
  entry.begin = static_cast<uint64_t>(begin);
  entry.end = static_cast<uint64_t>(end);
  if (entry.end - entry.begin != elements * elementSize)
    failEntry(what, "shape and dtype need " + std::to_string(elements * elementSize) +
                        " bytes but data_offsets span " + std::to_string(entry.end - entry.begin));
  return entry;
}

}  // namespace

// ---------------------------------------------------------------------------------------

void writeSafetensors(const std::string& path, const NamedTensors& tensors,
                      const SafetensorsMetadata& metadata) {
  NamedTensors cpuTensors;
  cpuTensors.reserve(tensors.size());
  std::set<std::string> names;
  for (const auto& [name, tensor] : tensors) {
    check(!name.empty(), ErrorCode::ArgRange, "tensor names must be non-empty (writing " + path + ")");
    check(name != kMetadataKey, ErrorCode::ArgRange,
          "\"__metadata__\" is reserved and cannot name a tensor (writing " + path + ")");
    check(names.insert(name).second, ErrorCode::ArgRange,
          "duplicate tensor name " + jsonQuote(name) + " (writing " + path + ")");
    cpuTensors.emplace_back(name, cpuContiguous(name, tensor));
  }
  const std::string header = buildHeader(path, cpuTensors, metadata);
  writeFileAtomically(path, [&](const ByteSink& sink) {
    std::string length;
    appendLittleEndian64(length, header.size());
    sink(length.data(), length.size());
    sink(header.data(), header.size());
    for (const auto& [name, tensor] : cpuTensors)
      if (tensor.nbytes() > 0) sink(tensor.data_ptr(), tensor.nbytes());
  });
}

SafetensorsContents readSafetensors(const std::string& path) {
  InputFile file(path);
  check(file.size() >= 8, ErrorCode::Format,
        path + ": not a safetensors file (" + std::to_string(file.size()) + " bytes, too short)");
  unsigned char lengthBytes[8];
  file.readFully(lengthBytes, 8);
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i) headerBytes = (headerBytes << 8) | lengthBytes[i];
  check(headerBytes <= file.size() - 8 && headerBytes <= kMaxHeaderBytes, ErrorCode::Format,
        path + ": header length " + std::to_string(headerBytes) +
            " exceeds the file size or the 100 MB limit (not a safetensors file, or truncated)");
  std::string headerText(headerBytes, '\0');
  file.readFully(headerText.data(), headerText.size());
  const uint64_t dataBytes = file.size() - 8 - headerBytes;

  const Json header = parseJson<Json>(headerText, path + " (safetensors header)");
  check(header.is_object(), ErrorCode::Format, path + ": safetensors header is not a JSON object");

  SafetensorsContents contents;
  std::vector<TensorEntry> entries;
  for (const auto& member : header.items()) {
    const Json& value = member.value();
    if (member.key() == kMetadataKey) {
      check(value.is_object(), ErrorCode::Format, path + ": __metadata__ is not an object");
      for (const auto& item : value.items()) {
        check(item.value().is_string(), ErrorCode::Format,
              path + ": __metadata__ value for " + jsonQuote(item.key()) + " is not a string");
        contents.metadata.emplace(item.key(), item.value().get<std::string>());
      }
      continue;
    }
    entries.push_back(parseEntry(path, member.key(), value, dataBytes));
  }

  // The tensors must tile the data section exactly, in offset order: this rules out
  // overlapping tensors (aliasing) and unaccounted bytes (a truncated or padded file).
  std::sort(entries.begin(), entries.end(),
            [](const TensorEntry& a, const TensorEntry& b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  uint64_t expectedBegin = 0;
  for (const auto& entry : entries) {
    check(entry.begin == expectedBegin, ErrorCode::Format,
          path + ": tensor " + jsonQuote(entry.name) + " starts at byte " +
              std::to_string(entry.begin) + " of the data but the previous tensor ends at " +
              std::to_string(expectedBegin) + " (overlapping or gapped data_offsets)");
    expectedBegin = entry.end;
  }
  check(expectedBegin == dataBytes, ErrorCode::Format,
        path + ": tensors cover " + std::to_string(expectedBegin) + " bytes but the data section has " +
            std::to_string(dataBytes) + " (truncated or trailing bytes)");

  contents.tensors.reserve(entries.size());
  for (const auto& entry : entries) {
    at::Tensor tensor = at::empty(entry.shape, at::TensorOptions().dtype(entry.scalarType));
    if (entry.end > entry.begin) file.readFully(tensor.data_ptr(), entry.end - entry.begin);
    contents.tensors.emplace_back(entry.name, std::move(tensor));
  }
  return contents;
}

}  // namespace ecgldm::train
