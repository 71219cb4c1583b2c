#pragma once

#include <napi.h>

namespace ecgldm::binding {

/**
 * Registers `wavelet`: async wavedec / waverec / denoise (Promises, computed off the main
 * thread) and sync threshold / maxLevel / names / modes / filterBank.
 */
void registerWavelet(Napi::Env env, Napi::Object exports);

}  // namespace ecgldm::binding
