{
  # Second build route (node-gyp, used by prebuildify): the same sources as
  # CMakeLists.txt; LibTorch paths come from scripts/find-libtorch.js.
  "targets": [
    {
      "target_name": "ecg_ldm",
      "sources": ["<!@(node scripts/list-sources.js)"],
      "include_dirs": [
        "native",
        "native/third_party",
        "<!@(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/find-libtorch.js --gyp include)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "ECG_LDM_VERSION=\"<!(node -p \"require('./package.json').version\")\"",
        "_GLIBCXX_USE_CXX11_ABI=<!(node scripts/find-libtorch.js --gyp abi)"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O<!(node -p \"process.env.ECG_LDM_OPT_LEVEL || 3\")", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "libraries": [
        "-L<!(node scripts/find-libtorch.js --gyp libdir)",
        "-Wl,--no-as-needed",
        "<!@(node scripts/find-libtorch.js --gyp libs)",
        "-Wl,--as-needed",
        "-Wl,--disable-new-dtags",
        "-Wl,-rpath,'$$ORIGIN/../../.libtorch/lib'"
      ]
    }
  ]
}
