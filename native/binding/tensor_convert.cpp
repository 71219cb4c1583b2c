#include "binding/tensor_convert.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"

namespace ecgldm::binding {

namespace {

const char* typedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

bool scalarTypeOf(napi_typedarray_type type, at::ScalarType* out) {
  switch (type) {
    case napi_float32_array: *out = at::kFloat; return true;
    case napi_float64_array: *out = at::kDouble; return true;
    case napi_bigint64_array: *out = at::kLong; return true;
    case napi_int32_array: *out = at::kInt; return true;
    default: return false;
  }
}

const char* arrayNameOf(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return "Float32Array";
    case at::kDouble: return "Float64Array";
    case at::kLong: return "BigInt64Array";
    case at::kInt: return "Int32Array";
    default: return "?";
  }
}

std::string acceptedNames(std::initializer_list<at::ScalarType> accepted) {
  std::string names;
  for (auto type : accepted) names += (names.empty() ? "" : " or ") + std::string(arrayNameOf(type));
  return names;
}

}  // namespace

std::vector<int64_t> shapeFromArray(const Napi::Value& value, const char* argName) {
  if (!value.IsArray()) {
    throw Error(ErrorCode::ArgType, std::string("Expected array of integers for ") + argName);
  }
  Napi::Array array = value.As<Napi::Array>();
  std::vector<int64_t> shape;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value dim = array.Get(i);
    const double d = dim.IsNumber() ? dim.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d))) {
      throw Error(ErrorCode::ArgRange, std::string("Expected non-negative integers for ") + argName +
                                           " but element " + std::to_string(i) + " is not one");
    }
    shape.push_back(static_cast<int64_t>(d));
  }
  return shape;
}

at::Tensor tensorFromArray(const Napi::Value& value, const std::vector<int64_t>& shape, const char* argName,
                           std::initializer_list<at::ScalarType> accepted) {
  if (!value.IsTypedArray()) {
    throw Error(ErrorCode::DType, std::string("Expected ") + acceptedNames(accepted) + " for " + argName +
                                      " but received a value that is not a typed array");
  }
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  at::ScalarType type;
  bool ok = scalarTypeOf(array.TypedArrayType(), &type);
  ok = ok && std::find(accepted.begin(), accepted.end(), type) != accepted.end();
  if (!ok) {
    throw Error(ErrorCode::DType, std::string("Expected ") + acceptedNames(accepted) + " for " + argName +
                                      " but received " + typedArrayName(array.TypedArrayType()));
  }
  int64_t expected = 1;
  for (int64_t d : shape) expected *= d;
  const auto length = static_cast<int64_t>(array.ElementLength());
  if (length == 0) throw Error(ErrorCode::Shape, std::string(argName) + " is empty");
  if (length != expected) {
    std::string dims;
    for (int64_t d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    throw Error(ErrorCode::Shape, std::string(argName) + " has " + std::to_string(length) +
                                      " elements but shape [" + dims + "] needs " + std::to_string(expected));
  }
  at::Tensor tensor = at::empty(shape, at::TensorOptions().dtype(type));
  const auto* source = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  std::memcpy(tensor.data_ptr(), source, array.ByteLength());
  return tensor;
}

Napi::TypedArray arrayFromTensor(Napi::Env env, const at::Tensor& tensor) {
  at::Tensor cpu = tensor.to(at::kCPU).contiguous();
  napi_typedarray_type type;
  switch (cpu.scalar_type()) {
    case at::kFloat: type = napi_float32_array; break;
    case at::kDouble: type = napi_float64_array; break;
    case at::kLong: type = napi_bigint64_array; break;
    case at::kInt: type = napi_int32_array; break;
    default: cpu = cpu.to(at::kFloat); type = napi_float32_array; break;
  }
  const size_t count = static_cast<size_t>(cpu.numel());
  Napi::ArrayBuffer buffer;
  if (count == 0) {
    buffer = Napi::ArrayBuffer::New(env, 0);
  } else {
    auto* keep = new at::Tensor(cpu);
    buffer = Napi::ArrayBuffer::New(env, keep->data_ptr(), keep->nbytes(),
                                    [](Napi::Env, void*, at::Tensor* held) { delete held; }, keep);
  }
  return Napi::TypedArray(env, [&] {
    napi_value result;
    NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, count, buffer, 0, &result), Napi::TypedArray());
    return result;
  }());
}

Napi::Array shapeToArray(Napi::Env env, const at::Tensor& tensor) {
  Napi::Array shape = Napi::Array::New(env, tensor.dim());
  for (int64_t i = 0; i < tensor.dim(); ++i) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, tensor.size(i)));
  return shape;
}

}  // namespace ecgldm::binding
