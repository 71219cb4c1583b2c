// N-API surface of the generator: the ObjectWrap `GeneratorHandle` over one diffusion
// model (seed U-Net or UNet1d), its noise schedule, its EMA weights and the state needed
// to resume training. ts/generate/generator.ts is its only caller.
//
//   GeneratorHandle.create(configJson, device)          -> handle (sync; untrained model)
//   GeneratorHandle.load(path, device)                  -> handle (sync; checkpoint on any device)
//   handle.train(data, shape, labels, run, jobOptions)  -> Promise<summary>
//   handle.sample(labels, length, options)              -> Promise<Float32Array [B, C, L]>
//   handle.save(path)                                   -> undefined (sync, atomic)
//   handle.config()                                     -> JSON text
//   handle.dispose()
//
// One job at a time per handle (E_BUSY otherwise); any use after dispose() is E_DISPOSED.
#pragma once

#include <napi.h>

namespace ecgldm::binding {

/** Registers the `GeneratorHandle` class on `exports`. */
void registerGenerator(Napi::Env env, Napi::Object exports);

}  // namespace ecgldm::binding
