#include "binding/addon_data.h"

namespace ecgldm::binding {

AddonData& addonData(Napi::Env env) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data == nullptr) {
    data = new AddonData();
    env.SetInstanceData(data);  // node-addon-api deletes it when the environment exits
  }
  return *data;
}

}  // namespace ecgldm::binding
