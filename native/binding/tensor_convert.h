// TypedArray <-> at::Tensor. Inputs are copied (a job must own its data while JS runs
// on); outputs are handed to JS without a copy, the ArrayBuffer keeping the tensor alive.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <initializer_list>
#include <vector>

namespace ecgldm::binding {

/** Reads a JS array of non-negative integers as a shape; E_ARG_TYPE / E_ARG_RANGE otherwise. */
std::vector<int64_t> shapeFromArray(const Napi::Value& value, const char* argName);

/**
 * Copies a Float32Array / Float64Array / BigInt64Array / Int32Array into a CPU tensor of
 * `shape`. `accepted` limits the dtypes (E_DTYPE otherwise); an element count other
 * than the shape's product, or an empty array, is E_SHAPE. The message names `argName`.
 */
at::Tensor tensorFromArray(const Napi::Value& value, const std::vector<int64_t>& shape, const char* argName,
                           std::initializer_list<at::ScalarType> accepted = {at::kFloat, at::kDouble});

/** A TypedArray over the tensor's data (moved to CPU, made contiguous), without a copy. */
Napi::TypedArray arrayFromTensor(Napi::Env env, const at::Tensor& tensor);

/** The tensor's shape as a JS array. */
Napi::Array shapeToArray(Napi::Env env, const at::Tensor& tensor);

}  // namespace ecgldm::binding
