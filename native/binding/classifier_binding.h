#pragma once

#include <napi.h>

namespace ecgldm::binding {

/**
 * Registers the `ClassifierHandle` class: the handle of a trained or loaded classifier
 * (native/train/classifier_trainer.h). Static async train(options) and sync
 * load(path, device) create handles; instances have async predict(data, shape), and
 * save(path), config(), parameterCount(), trainingSummary(), dispose().
 */
void registerClassifier(Napi::Env env, Napi::Object exports);

}  // namespace ecgldm::binding
